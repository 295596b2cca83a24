"""Identity guards: edits that would strand students' cards or move their review history.

Each is refused with what it would do to students and the flag that ships it anyway; the
release notes then carry the steps students take (release/notes.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from factdeck.anki import cloze_syntax
from factdeck.errors import FactdeckError, Location, Problem, shown_path
from factdeck.facts.load import DECK_FILE, read_yaml
from factdeck.facts.model import Deck, Diagram, FactBase, NoteSpec, Statement
from factdeck.history import numbering, versions
from factdeck.history.corrections import NONE, Numbering
from factdeck.history.lockfile import Lock
from factdeck.history.numbering import masks_moved
from factdeck.render.templates import NoteType


@dataclass(frozen=True, slots=True)
class Allow:
    """Guards the instructor overrides on purpose (students then follow the notes' steps)."""

    note_type_change: bool = False
    slug_change: bool = False
    deck_rename: bool = False
    subdeck_move: bool = False
    mask_change: bool = False


NO_OVERRIDES = Allow()


def deck_problems(deck: Deck, old: Lock, allow: Allow) -> Iterable[Problem]:
    """A changed slug, deck name or sub-deck name, against the deck as last built."""
    before, spec = old.deck, deck.spec
    if before is None:
        return
    where = Location(deck.deck_dir / "deck.yaml")
    if before.slug != spec.slug and not allow.slug_change:
        yield Problem(
            where,
            (
                f"the deck's slug changed from '{before.slug}' to '{spec.slug}'. Every note's "
                "identity derives from the slug, so students would get every card again as new, "
                "without its review history, beside a retired copy of each old one. Change it "
                "back, or rebuild with --allow-slug-change (the release notes then tell students "
                "to delete the retired copies)"
            ),
        )
    renamed = [] if before.name == spec.name else [f"the deck '{before.name}' to '{spec.name}'"]
    renamed += [
        f"the sub-deck '{name}' ({key}) to '{spec.subdecks[key]}'"
        for key, name in sorted(before.subdecks.items())
        if key in spec.subdecks and spec.subdecks[key] != name
    ]
    if renamed and not allow.deck_rename:
        yield Problem(
            where,
            (
                f"renaming {'; '.join(renamed)}: Anki files imported cards by deck name and never "
                "moves existing cards, so students would get new empty decks and no word of why. "
                "Keep the old name, or rebuild with --allow-deck-rename (the release notes then "
                "tell students to rename the deck in Anki themselves)"
            ),
        )


def note_problems(
    deck: Deck,
    notes: tuple[NoteSpec, ...],
    note_types: Mapping[str, NoteType],
    old: Lock,
    allow: Allow,
    shipped: Mapping[str, Numbering] | None = None,
    steady: Collection[str] = (),
) -> Iterable[Problem]:
    """Facts moved to another sub-deck; native occlusion masks reordered or removed; cloze
    items moved to other numbers, except by this version's corrections (`shipped`). The
    notes of the GUIDs `steady` (history/steady.py) are not looked at: nothing was found
    in them before, against the same lock entries."""
    facts = {e.fact.id: e for e in deck.entries}
    moved: dict[str, tuple[str | None, str | None]] = {}
    # A renumbering ships with the next release: one declared for a version already
    # released (deck.yaml not bumped yet) would pass the build and mislabel the history.
    unreleased = deck.spec.version not in {r.version for r in old.releases}
    renumbered = (
        {e.fact.id for e in deck.entries if _declares(e.fact, "renumbered", deck.spec.version)}
        if unreleased
        else set()
    )
    for note in notes:
        if note.guid in steady:
            continue
        before = old.notes.get(note.guid)
        if before is None:
            yield from _new_gap(note, note_types.get(note.note_type), facts[note.fact_id].location)
        if before is None or not before.answer or before.retired is not None:
            continue  # new, or migrated and not yet known
        if before.deck != note.subdeck and not allow.subdeck_move:
            moved.setdefault(note.fact_id, (before.deck, note.subdeck))
        note_type = note_types.get(note.note_type)
        fact = facts[note.fact_id].fact
        renumbering = note.fact_id in renumbered
        if note_type is not None and before.items and not renumbering:
            yield from _moved_items(
                note,
                note_type,
                fact,
                before.items,
                deck.spec.version,
                facts[note.fact_id].location,
                (shipped or {}).get(note.guid, NONE),
                None if unreleased else versions.suggest(deck.spec.version, True),
            )
        if (
            note_type is not None
            and note_type.native_occlusion
            and isinstance(fact, Diagram)
            and not allow.mask_change
            and not renumbering
        ):
            masks = fact.mask_ids
            if masks_moved(before.masks, masks):
                yield Problem(
                    facts[note.fact_id].location,
                    (
                        f"fact '{note.fact_id}': the masks were {', '.join(before.masks)} and are "
                        f"now {', '.join(m or '~' for m in masks)}. A card's review history "
                        "belongs to its position, "
                        "so reordering or removing masks hands students' history to other labels. "
                        "Keep the old masks in their order and add new ones at the end, or rebuild "
                        "with --allow-mask-change (the release notes then tell students which "
                        "cards to reset and how to delete a removed mask's card)"
                    ),
                )
    for fact_id, (was, now) in sorted(moved.items()):
        yield Problem(
            facts[fact_id].location,
            (
                f"fact '{fact_id}' moved from sub-deck {_shown(was)} to {_shown(now)}: Anki never "
                "moves cards students already have, so their cards would stay where they are and "
                "only new students would see the move. Move it back, or rebuild with "
                "--allow-subdeck-move (the release notes then give students the search and the "
                "Change Deck steps)"
            ),
        )


def _declares(fact: FactBase, marker: str, version: str) -> bool:
    return any(m == marker for m, _ in fact.declared(version))


def _moved_items(
    note: NoteSpec,
    note_type: NoteType,
    fact: FactBase,
    before: tuple[str, ...],
    version: str,
    where: Location,
    shipped: Numbering = NONE,
    bump_to: str | None = None,
) -> Iterable[Problem]:
    """Cloze items that now sit at another card number than students' history of them
    (a correction's move to a new number is no such move: its old card shows a notice)."""
    corrected = {to for _, to, v in shipped.moves if v == version}
    moved = tuple(
        (was, now)
        for was, now in numbering.items_moved(
            before, numbering.item_digests(note, note_type, shipped.notice_numbers)
        )
        if now not in corrected
    )
    if not moved:
        return
    bump = f' and bump `version` in deck.yaml to "{bump_to}"' if bump_to else ""
    words = dict(numbering.hidden(note, note_type))
    shown = "; ".join(f"'{words[now]}' was card {was} and is now card {now}" for was, now in moved)
    keep = (
        "Keep each cloze's number (c1 stays c1) and give a new one the next free number"
        if isinstance(fact, Statement)
        else "Add new items at the end, and write a removed item as `~` (it keeps its number, "
        "so the items after it keep theirs)"
    )
    yield Problem(
        where,
        (
            f"fact '{note.fact_id}', note '{note.card_id}': {shown}. A card's review history "
            "belongs to its number, so students' history of these cards would go to other "
            f"words. {keep}; or, to renumber on purpose, declare it on the fact: "
            f'`renumbered: {{in: "{bump_to or version}", why: <why>}}`{bump} (the release '
            "notes then tell students which cards to reset)"
        ),
    )


def _new_gap(note: NoteSpec, note_type: NoteType | None, where: Location) -> Iterable[Problem]:
    """A note students never had numbers its clozes from 1 without gaps: a gap is right only
    where a released card's number is kept free for its history."""
    if note_type is None or not note_type.cloze or note_type.native_occlusion:
        return
    for index in note_type.asked[0]:
        found = cloze_syntax.gap(note.fields[index])
        if found:
            yield Problem(
                where,
                f"fact '{note.fact_id}': '{found.fragment}': {found.message} (a gap is kept "
                "only for a card number students already had)",
            )


def _shown(key: str | None) -> str:
    return f"'{key}'" if key else "(the top-level deck)"


def distinct_decks(deck_dirs: Iterable[Path]) -> None:
    """Two deck folders with one slug would write one package over the other; with one
    name, Anki would merge their cards into one deck. Refused before anything is built."""
    seen: dict[tuple[str, str], Path] = {}
    problems = []
    for deck_dir in deck_dirs:
        path = deck_dir / DECK_FILE
        try:
            data = read_yaml(path)
        except FactdeckError:
            continue  # the deck's own build reports it
        if not isinstance(data, dict):
            continue
        for key in ("slug", "name"):
            value = data.get(key)
            if not isinstance(value, str):
                continue
            other = seen.setdefault((key, value), path)
            if other != path:
                problems.append(
                    Problem(
                        Location(path),
                        (
                            f"this deck's {key} '{value}' is also the {key} of {shown_path(other)}: "
                            + (
                                "both would be written to the same package, one over the other"
                                if key == "slug"
                                else "Anki would file both decks' cards into one deck"
                            )
                            + f"; give one of them another {key}"
                        ),
                    )
                )
    if problems:
        raise FactdeckError(problems)
