"""Release notes people can read: a part for students (each card as they see it, and what
to do in Anki) and a part for instructors (fact ids, file:line, note types). Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from factdeck.anki import cloze
from factdeck.errors import shown_path
from factdeck.facts.model import DeckSpec
from factdeck.history.apkg_diff import MERGE_ADVICE, RETIRED_TAG
from factdeck.history.compare import Delta, ReleaseChanges
from factdeck.history.corrections import as_written
from factdeck.history.lock import CORRECTED_TAG
from factdeck.history.lockfile import LockedDeck
from factdeck.render.html import plain
from factdeck.render.layers import PROJECT
from factdeck.render.templates import NoteType

FORGET = (
    "select them all (Ctrl+A / ⌘A), then Cards → Reset… (“Forget”) and tick “Reset "
    "repetition and lapse counts”"
)

# Anki's Check Database stamps an image-occlusion note type with an undeletable-field gap
# (as 2.0.0 shipped it) as just edited, so "if newer" keeps that copy (issue 21; the
# template's comment in note-types/io-native.yaml says why, the engine tests measure it).
LAYOUT_ADVICE = (
    "The image-occlusion cards have a new layout. If you have run Tools → Check Database "
    "since you imported an earlier version, Anki keeps your old layout: import with "
    "“Update note types” set to “Always” in the import dialog (under Updates; it replaces "
    "only the layout, never your reviews)."
)


def student_text(fields: tuple[str, ...], note_type: NoteType, labels: tuple[str, ...] = ()) -> str:
    """A note as a student reads it, on one line: hidden cloze words in bold (not a
    replaced card's notice), a diagram by its header and mask labels, a question with its
    answer."""
    named = dict(zip(note_type.field_names, fields, strict=True))
    if "Text" in named:
        return plain(cloze.replace(as_written(named["Text"]), lambda c: f"**{c.text}**"), None)
    if "Occlusion" in named:
        if labels:
            shown = ", ".join(f"{n}. **{label}**" for n, label in enumerate(labels, 1) if label)
            return f"{plain(named.get('Header', ''), None)}: masks {shown}"
        masks = len(cloze.ordinals(named["Occlusion"]))
        return f"{plain(named.get('Header', ''), None)} (diagram, {masks} masks)"
    if "Question" in named and "Options" in named:  # multiple choice: its text, then the key
        options = plain(named["Options"], None)
        return f"{plain(named['Question'], None)} {options} → **{plain(named['Answer'], None)}**"
    if "Answer" in named:
        return f"{plain(named.get('Header', ''), None)}: **{plain(named['Answer'], None)}**"
    if "Front" in named:
        return f"{plain(named['Front'], None)} → **{plain(named.get('Back', ''), None)}**"
    return plain(next((f for f in fields if f), ""), None)


def render(
    changes: ReleaseChanges,
    spec: DeckSpec,
    note_types: Mapping[str, NoteType],
    title: str,
    before: Mapping[str, str] | None = None,
    old_deck: LockedDeck | None = None,
    why: Mapping[str, str] | None = None,
    labels: Mapping[str, tuple[str, ...]] | None = None,
    reworded: Mapping[str, str] | None = None,
    renumbered: Mapping[str, str] | None = None,
    retirements: tuple[tuple[str, str, int], ...] = (),
    after: Mapping[str, str] | None = None,
) -> str:
    """The whole notes file. `before`: each note's line as the earlier release's students
    saw it (the release record's `text`), for before → after; `after`: the same for the
    later release, when it is a recorded one (else the notes' current text); `why`: each corrected
    fact's `correction:`; `labels`: each diagram fact's mask labels, in card order;
    `reworded`: each fact's `reworded:` (its answer's words changed, old answers stand);
    `renumbered`: each fact's `renumbered:` (cards that now ask another item);
    `retirements`: (release, file) of the tombstone packages for that release's students."""
    lines = [f"# {title}", ""]
    if changes.empty:
        return "\n".join([*lines, "No changes.", ""])
    view = _View(
        spec,
        note_types,
        before or {},
        after or {},
        labels or {},
        why or {},
        reworded or {},
        renumbered or {},
    )
    lines += _students(changes, view, old_deck, retirements)
    lines += _instructors(changes, note_types)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _View:
    """What the students' part reads besides the changes."""

    spec: DeckSpec
    note_types: Mapping[str, NoteType]
    before: Mapping[str, str]
    after: Mapping[str, str]
    labels: Mapping[str, tuple[str, ...]]
    why: Mapping[str, str]
    reworded: Mapping[str, str]
    renumbered: Mapping[str, str]

    def corrected(self, delta: Delta) -> bool:
        """An answer change the instructor did not declare a rewording."""
        return delta.corrected and delta.after.fact not in self.reworded


def _students(
    changes: ReleaseChanges,
    view: _View,
    old_deck: LockedDeck | None,
    retirements: tuple[tuple[str, str, int], ...],
) -> list[str]:
    spec, note_types = view.spec, view.note_types
    since = f" since version {changes.since.version}" if changes.since else ""
    out = [
        "## For students",
        "",
        f"{_count(changes.cards_added, 'card')} added, {changes.cards_changed} changed, "
        f"{changes.cards_retired} retired{since}; {changes.unchanged_cards} unchanged.",
        "",
        "Import the package as usual (File → Import); your reviews are kept.",
        "",
        *_skipped_versions(changes),
        *_retirement_files(retirements),
    ]
    if (
        any(note_types[t].field_names for t in changes.note_types if t in note_types)
        and changes.since is not None
    ):
        out += [
            f"Some card layouts changed: if Anki reports notes as conflicting, import "
            f"again with {MERGE_ADVICE}.",
            "",
        ]
    if changes.since is not None and any(
        note_types[t].native_occlusion for t in changes.note_types if t in note_types
    ):
        out += [LAYOUT_ADVICE, ""]
    corrected = [d for d in changes.corrected if view.corrected(d)]
    moved_on = [d for d in corrected if not d.relearn]
    tag = f"{CORRECTED_TAG}{spec.version}"
    if moved_on:
        out += [
            "### Corrections: new cards",
            "",
            "These answers were wrong or incomplete and are now corrected. Each corrected "
            "answer arrives as a new card, which Anki shows you as new: you learn it again "
            "without doing anything. The card that asked the old answer keeps its reviews "
            "and now shows only a notice that it was removed; Tools → Empty Cards deletes "
            "it. If your Anki shows no new card "
            f"for them, reset them instead: in Anki's browser search `tag:{tag}`, {FORGET}.",
            "",
        ]
        out += _grouped(moved_on, view, detail=True)
    corrected = [d for d in corrected if d.relearn]
    if corrected:
        out += [
            "### Corrections: re-learn these",
            "",
            "These answers were wrong or incomplete and are now corrected. A card you "
            "know well may not come up again for months, so reset them: in Anki's "
            f"browser search `tag:{tag}`, {FORGET}.",
            "",
        ]
        out += _grouped(corrected, view, detail=True)
    rest = [d for d in changes.changed if not view.corrected(d)]
    for heading, deltas in (("Added", changes.added), ("Changed", rest)):
        if deltas:
            out += [f"### {heading}", "", *_grouped(deltas, view, detail=heading == "Changed")]
    if changes.retired:
        out += [
            "### Retired",
            "",
            "These cards are no longer part of the deck; after importing the file for "
            "your version (above), each shows a notice. Find them with the search "
            f"`tag:{RETIRED_TAG}` and delete them (Notes → Delete).",
            "",
        ]
        out += _grouped(changes.retired, view, detail=False)
    out += _steps(changes, spec, old_deck)
    return out


def _skipped_versions(changes: ReleaseChanges) -> list[str]:
    """Anki before 26.05 (AnkiDroid's backend) gives a note it updates the import time and
    then takes a later update only if newer: a release imported after the next one is out
    makes it skip that next one's change to the same card (measured in 23.10.1 and 24.11).
    Importing the newest version alone carries every change since the student's own."""
    if changes.since is None:
        return []
    return [
        "**Several versions behind?** Import this version only, not the ones you skipped: "
        "Anki before 26.05 (AnkiDroid too) would keep the older text of a card that "
        "changed again.",
        "",
    ]


def _retirement_files(files: tuple[tuple[str, str, int], ...]) -> list[str]:
    """Which students import which tombstone package (history/retirements.py says why)."""
    if not files:
        return []
    return [
        "**Had an earlier version?** Before importing, read its number in Anki's deck "
        "overview (“Content version …”) and also import the file for it: the cards this "
        "deck no longer has then show a notice instead of their old text.",
        "",
        *(f"- version {version}: `{name}`{_mends(mended)}" for version, name, mended in files),
        "",
        "A version not listed has no retired cards. New to the deck? Import only the "
        "package: a file above would add the retired cards to a collection that never "
        "had them.",
        "",
    ]


def _mends(notes: int) -> str:
    """What a file that mends its release's own tombstones (history/retirements.py) does."""
    if not notes:
        return ""
    return (
        f"; it also mends the retired cards of {_count(notes, 'note')} that Anki before "
        "26.05 shows as “No cloze 1 found on card”. Deleted them already? It brings them "
        f"back: delete them again (`tag:{RETIRED_TAG}`)."
    )


def _grouped(deltas: tuple[Delta, ...] | list[Delta], view: _View, detail: bool) -> list[str]:
    spec = view.spec

    def deck_of(delta: Delta) -> str:
        key = delta.after.deck
        return f"{spec.name}::{spec.subdecks[key]}" if key in spec.subdecks else spec.name

    out = []
    for deck_name, group in groupby(sorted(deltas, key=deck_of), key=deck_of):
        out += [f"**{deck_name}**", ""]
        for delta in group:
            out += _card(delta, view, detail)
            reason = (
                (view.why if view.corrected(delta) else view.reworded).get(delta.after.fact)
                if delta.corrected
                else None
            )
            if reason:
                out.append(f"  - why: {reason}")
            if detail and delta.renumbered and delta.after.fact in view.renumbered:
                out.append(f"  - why renumbered: {view.renumbered[delta.after.fact]}")
        out.append("")
    return out


def _card(delta: Delta, view: _View, detail: bool) -> list[str]:
    note_type = view.note_types.get(delta.after.type)
    labels = view.labels.get(delta.after.fact, ())
    now = view.after.get(delta.guid) or (
        student_text(delta.note.fields, note_type, labels)
        if delta.note is not None and note_type is not None
        else delta.after.fact
    )
    then = view.before.get(delta.guid)
    if delta.after.retired is not None:
        return [f"- {then or delta.after.fact.replace('-', ' ')}"]
    if not detail:
        return [f"- {now}"]
    what = []
    if view.corrected(delta) and delta.replaced and not delta.relearn:
        replaced = ", ".join(map(str, delta.replaced))
        what.append(f"answer corrected: a new card asks it; card {replaced} shows a notice")
    elif view.corrected(delta):
        what.append("answer corrected")
    elif delta.corrected:
        what.append("answer reworded: your answer still counts")
    elif delta.masks_added:
        what.append(f"{_count(delta.masks_added, 'new mask')}, a new card each")
    elif delta.items_added and not delta.renumbered:
        what.append(f"{_count(delta.items_added, 'new card')}")
    elif (
        delta.before is not None
        and delta.before.answer
        and not (
            delta.tags_changed
            or delta.moved
            or delta.masks_changed
            or delta.renumbered
            or delta.cards_dropped
        )
    ):
        picture = note_type is not None and "Image" in note_type.field_names
        what.append("same answer, picture or wording updated" if picture else "reworded")
    if delta.tags_changed:
        what.append("tags changed")
    if delta.moved:
        what.append("moved to another sub-deck")
    if delta.masks_changed:
        what.append("masks changed: reset these cards")
    if delta.renumbered:
        what.append(f"renumbered: reset card {', '.join(map(str, reset_cards(delta)))}")
    if delta.cards_dropped:
        numbers = ", ".join(str(n + 1) for n in delta.cards_dropped)
        what.append(f"card {numbers} removed: Tools → Empty Cards deletes it")
    label = ", ".join(w for w in what if w) or "changed"
    lines = [f"- {now} ({label})"]
    if then is not None and then != now:
        lines.append(f"  - before: {then}")
    return lines


def _steps(changes: ReleaseChanges, spec: DeckSpec, old_deck: LockedDeck | None) -> list[str]:
    steps = []
    moved = [d for d in changes.changed if d.moved]
    if moved:
        targets: dict[str, list[int]] = {}
        for d in moved:
            key = d.after.deck
            name = f"{spec.name}::{spec.subdecks[key]}" if key in spec.subdecks else spec.name
            targets.setdefault(name, []).append(d.after.id)
        for name, note_ids in sorted(targets.items()):
            steps.append(
                f"Cards moved to **{name}**: Anki does not move cards you already "
                f"have. In the browser search `nid:{','.join(map(str, note_ids))}`, "
                f"select all, then Cards → Change Deck (Ctrl+D) and choose “{name}”."
            )
    if old_deck is not None and old_deck.slug and old_deck.name != spec.name:
        steps.append(
            f"The deck is now called “{spec.name}” (was “{old_deck.name}”): before "
            f"importing, rename your “{old_deck.name}” deck to “{spec.name}” (in the "
            "deck list, the gear → Rename), so the update lands in it."
        )
    if old_deck is not None:
        for key, name in sorted(old_deck.subdecks.items()):
            new = spec.subdecks.get(key)
            if new is not None and new != name:
                steps.append(
                    f"The sub-deck “{name}” is now “{new}”: before importing, rename "
                    f"“{spec.name}::{name}” to “{spec.name}::{new}”."
                )
    if old_deck is not None and old_deck.slug and old_deck.slug != spec.slug:
        steps.append(
            "This version is a new deck for Anki: every card arrives as new. Your "
            f"old cards are marked retired: search `tag:{RETIRED_TAG}` and delete "
            "them once you have moved to the new ones."
        )
    masks = [d for d in changes.changed if d.masks_changed]
    if masks:
        ids = ",".join(str(d.after.id) for d in masks)
        steps.append(
            f"Diagram masks were reordered or removed, so some of your cards now "
            f"ask for another label: search `nid:{ids}`, {FORGET}. Then Tools → "
            "Empty Cards deletes the card of a removed mask."
        )
    renumbered = [d for d in changes.changed if d.renumbered]
    if renumbered:
        search = " or ".join(
            f"(nid:{d.after.id} ({' or '.join(f'card:{n}' for n in reset_cards(d))}))"
            for d in renumbered
        )
        steps.append(
            "Some cards now ask another item of their list (the items were renumbered), so "
            f"their reviews belong to another answer: search `{search}`, {FORGET}. Your "
            "other cards of these notes keep their reviews."
        )
    dropped = [d for d in changes.changed if d.cards_dropped]
    if dropped:
        steps.append(
            "Some notes ask fewer questions than before (a hidden part, a list item or "
            "a diagram's mask was taken out): the card that asked it now shows a notice "
            "saying so. Tools → Empty Cards deletes exactly those cards; your other cards "
            f"of these notes keep their reviews (`nid:"
            f"{','.join(str(d.after.id) for d in dropped)}`)."
        )
    changed = [d for d in changes.changed]
    if changed:
        steps.append(f"All changed cards: `nid:{','.join(str(d.after.id) for d in changed)}`.")
    if not steps:
        return []
    return ["### What to do", "", *(f"1. {s}" for s in steps), ""]


def reset_cards(delta: Delta) -> tuple[int, ...]:
    """Card numbers whose history is now that of another item: each renumbered item's old
    number, where the note still has a card (an emptied one is Empty Cards' job)."""
    now = delta.after.items
    return tuple(sorted({was for was, _ in delta.renumbered if was <= len(now) and now[was - 1]}))


def _instructors(changes: ReleaseChanges, note_types: Mapping[str, NoteType]) -> list[str]:
    out = ["## For instructors", ""]
    shown: dict[Path, str] = {}  # shown_path resolves the path: once per file, not per note
    for heading, deltas in (
        ("Added", changes.added),
        ("Changed", changes.changed),
        ("Retired", changes.retired),
    ):
        if not deltas:
            continue
        out += [f"### {heading}", ""]
        for d in deltas:
            where = ""
            if d.note is not None:
                path, line = d.note.location.path, d.note.location.line
                if path not in shown:
                    shown[path] = str(shown_path(path))
                where = f" ({shown[path]}:{line})" if line else f" ({shown[path]})"
            kinds = [
                k
                for k, on in (
                    ("answer changed", d.corrected),
                    ("moved", d.moved),
                    ("tags", d.tags_changed),
                    ("masks", d.masks_changed),
                    ("renumbered", bool(d.renumbered)),
                )
                if on
            ]
            extra = f" [{', '.join(kinds)}]" if kinds else ""
            out.append(
                f"- `{d.after.fact}/{d.after.card}` {d.after.type}, note id "
                f"{d.after.id}{where}{extra}"
            )
        out.append("")
    if changes.note_types:
        out += ["### Note types", ""]
        sets = dict(changes.template_sets)
        out += [
            f"- {note_types[k].name if k in note_types else k} ({k}): layout, style or "
            f"fields changed{_by(sets.get(k))}"
            for k in changes.note_types
        ]
        out.append("")
    return out


def _by(template_set: str | None) -> str:
    """Whose files made the new layout: an upgrade of factdeck, or the project's own."""
    if template_set is None:
        return ""
    if template_set == PROJECT:
        return " (the project's templates/)"
    return f" (the built-in templates of {template_set})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
