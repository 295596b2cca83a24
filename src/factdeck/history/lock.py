"""The lock: per-note change tracking, so re-imports update in place and builds are reproducible.

Anki updates an imported note only when its modification time is newer than the
student's copy. The lock remembers, for every note GUID ever shipped, its id, a hash
of its content and when that content last changed; a note's time moves only when
its content does, and when a release first ships it: Anki before 26.05 (23.10, 24.11)
gives a note it updates the import time, so a change a build stamped before a student
imported the previous release would look older and be skipped (measured in
tests/engine/test_engine_matrix_anki.py); the release's own time is later. It also remembers retired fact ids and note-type schemas, so a
reused id or a renamed field is caught before students see conflicting notes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck.anki import ids
from factdeck.apkg.write import PackagePlan, StampedNote, StampedNoteType
from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts.model import Deck, Diagram, NoteSpec
from factdeck.fs import limits
from factdeck.fs.names import LOCK_NAME, RECORD_NAME
from factdeck.fs.read import NotReadable, TooBig, read_bytes
from factdeck.history import corrections, guards, lockfile, numbering, removed_cards
from factdeck.history.apkg_diff import MERGE_ADVICE
from factdeck.history.guards import NO_OVERRIDES, Allow
from factdeck.history.lockfile import (
    FIX,
    Lock,
    LockedDeck,
    LockedFact,
    LockedNote,
    LockedNoteType,
    Release,
    dumps,
    new_id,
)
from factdeck.history.retirements import Retirement, restamped, retirements
from factdeck.history.steady import Steady, usable
from factdeck.render.html import plain
from factdeck.render.layers import PROJECT
from factdeck.render.templates import NoteType

__all__ = [
    "NO_OVERRIDES",
    "Allow",
    "Lock",
    "LockedDeck",
    "LockedFact",
    "LockedNote",
    "LockedNoteType",
    "Release",
    "dumps",
    "read",
    "stamp",
]

CORRECTED_TAG = "factdeck::corrected::"
OUR_TAGS = (CORRECTED_TAG, removed_cards.REMOVED_TAG)  # tags no fact edit sets


@dataclass(frozen=True, slots=True)
class Stamping:
    plan: PackagePlan  # the deck's package: live notes only
    lock: Lock
    template_updates: tuple[str, ...] = ()  # built-in note types a factdeck upgrade changed
    retirements: tuple[Retirement, ...] = ()  # tombstones, per release whose students need them
    steady: Mapping[str, Steady] = dataclasses.field(default_factory=dict)  # by GUID


def lock_path(deck_dir: Path) -> Path:
    return deck_dir / LOCK_NAME


def read(deck_dir: Path, version: str | None = None) -> Lock:
    """The deck's lock with its release record, or an empty one for a deck never built
    before. A format-1 lock is migrated, recording it as release `version` (the deck's
    version: what students have)."""
    path = lock_path(deck_dir)
    text = _text(path, FIX)
    if text is None:
        return Lock()
    return lockfile.parse(text, path, version, _text(deck_dir / RECORD_NAME, lockfile.RECORD_FIX))


# A lock's text and its release record's (None while nothing was released)
Texts = tuple[str, str | None]


def texts(new: Lock) -> Texts:
    """What a build writes for `new`: the lock's text and its record's."""
    return lockfile.dumps(new), lockfile.dumps_record(new)


def reread(deck_dir: Path, written: Texts, version: str | None = None) -> Lock:
    """The lock as the next build reads it: the texts a build writes (`texts`), parsed."""
    return lockfile.parse(written[0], lock_path(deck_dir), version, written[1])


def _text(path: Path, fix: str) -> str | None:
    what = "release record" if path.name == RECORD_NAME else "lock"
    if path.is_dir():
        raise FactdeckError.at(Location(path), f"the {what} is a folder, not a file; {fix}")
    try:
        data = read_bytes(path, limits.LOCK, links=False)  # refuse_linked_deck says why
    except TooBig as exc:
        raise FactdeckError.at(Location(path), f"the {what} {exc}; {fix}") from None
    except NotReadable as exc:
        if not os.path.lexists(path):
            return None
        raise FactdeckError.at(Location(path), f"the {what} {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FactdeckError.at(
            Location(path), f"{what} file is corrupt (Invalid JSON: not UTF-8 text); {fix}"
        ) from None


def stamp(
    deck: Deck,
    notes: tuple[NoteSpec, ...],
    note_types: Mapping[str, NoteType],
    description: str,
    old: Lock,
    now: int,
    allow: Allow = NO_OVERRIDES,
    releasing: bool = False,
    link: Callable[[NoteSpec, str], NoteSpec] | None = None,
    known: Mapping[str, Steady] | None = None,
) -> Stamping:
    """Give every note its id and time; retire what disappeared; refuse unsafe identity edits.
    `releasing`: what no release ever shipped and the deck no longer has is dropped, not
    retired (no student has it; a scaffold built once leaves nothing behind), what it
    ships first gets the release's time, `now`, and so do the tombstones to mend
    (retirements.restamped). `link` adds
    the "Report a problem" link naming a version (render/report_link.py). `known`: notes
    found steady before against the same entries (history/steady.py), stamped without
    being looked at again; the Stamping says which notes are steady now."""
    known = known if known and usable(old, releasing) else {}
    shipped = corrections.shipped(deck, notes, note_types, old, known)
    _check(deck, *shipped, note_types, old, allow, known)
    checked = old
    old = _distinct_ids(old)
    if releasing:
        old = _unreleased_dropped(old, {n.guid for n in notes}, {e.fact.id for e in deck.entries})
    used_types = {n.note_type for n in notes} | {n.type for n in old.notes.values()}
    locked_types = {
        key: _locked_note_type(note_types[key], old.note_types.get(key), now)
        for key in sorted(used_types)
    }
    if old is not checked:  # ids moved apart, or unreleased notes dropped: planned again
        shipped = corrections.shipped(deck, notes, note_types, old)
        known = {}
    notes, renumbered = shipped
    facts = {e.fact.id: e.fact for e in deck.entries}
    last = corrections.corrections_base(old, deck.spec.version)
    recorded = {r.version for r in old.releases}
    taken = _ids(old)
    was = dict(old.was)
    correcting = {
        fact_id
        for fact_id, fact in facts.items()
        if any(m == "correction" for m, _ in fact.declared(deck.spec.version))
    }
    stamped, locked_notes = [], {}
    steady_now: dict[str, Steady] = {}
    for note in notes:
        before = old.notes.get(note.guid)
        same = known.get(note.guid)
        if same is not None and before is not None and (link is None) == (same[1] is None):
            steady_now[note.guid] = same
            tags, version = same
            if tags:
                note = dataclasses.replace(note, tags=(*note.tags, *tags))
            if link is not None and version is not None:
                note = link(note, version)
            locked_notes[note.guid] = before
            stamped.append(StampedNote(note, before.id, before.changed))
            continue
        written = note
        note_type = note_types[note.note_type]
        fact = facts[note.fact_id]
        numbers = renumbered.get(note.guid, corrections.NONE)
        fixed = _fixed(
            note,
            note_type,
            note.fact_id in correcting,
            before,
            old,
            last,
            deck.spec.version,
            recorded,
            numbers,
        )
        if fixed:
            note = dataclasses.replace(
                note, tags=(*note.tags, *(f"{CORRECTED_TAG}{v}" for v in fixed))
            )
        note = removed_cards.tagged(note, note_type, old)
        tags, version = note.tags[len(written.tags) :], None
        if link is not None:
            note, version = _linked(note, before, link, deck.spec.version)
        locked = _locked_note(note, note_type, fact, before, now, taken, fixed, numbers)
        if locked is before and not releasing and note.guid not in renumbered:
            steady_now[note.guid] = (tags, version)
        if releasing and locked.rel is None and locked.changed < now:
            locked = dataclasses.replace(locked, changed=now)  # module docstring
        if before is not None and locked.hash != before.hash and before.rel is not None:
            was.setdefault((note.guid, before.rel), before)
        locked_notes[note.guid] = locked
        stamped.append(StampedNote(note, locked.id, locked.changed))

    mend = restamped(old) if releasing else set()
    for guid, before in old.notes.items():
        if guid in locked_notes:
            continue
        retired = before
        if before.retired is None or guid in mend:
            at = max(now, before.changed + 1)
            when = at if before.retired is None else before.retired
            retired = dataclasses.replace(before, retired=when, changed=at, rel=None)
            if before.rel is not None:
                was.setdefault((guid, before.rel), before)
        elif releasing and before.rel is None and before.changed < now:
            retired = dataclasses.replace(before, changed=now)
        locked_notes[guid] = retired

    spec = deck.spec
    deck_entry = LockedDeck(slug=spec.slug, name=spec.name, subdecks=dict(spec.subdecks))
    releases = tuple(
        r if r.deck.slug else dataclasses.replace(r, deck=old.deck or deck_entry)
        for r in old.releases
    )  # a migrated release: the deck as first built
    lock = Lock(
        deck=deck_entry,
        note_types=locked_types,
        facts=_locked_facts(deck, old, now),
        notes=locked_notes,
        was=was,
        releases=releases,
        texts=old.texts,
        lines=old.lines,  # its unchanged entries are written as read
    )
    types = tuple(
        StampedNoteType(note_types[k], v.changed) for k, v in sorted(locked_types.items())
    )
    live = {n.note.note_type for n in stamped}
    plan = PackagePlan(
        deck=deck.spec,
        description=description,
        note_types=tuple(t for t in types if t.note_type.key in live),
        notes=tuple(stamped),
    )
    return Stamping(
        plan=plan,
        lock=lock,
        template_updates=template_updates(old, locked_types),
        retirements=retirements(lock, deck, note_types, types, description),
        steady=steady_now,
    )


def template_updates(old: Lock, now: Mapping[str, LockedNoteType]) -> tuple[str, ...]:
    """Note types whose layout changed with factdeck's built-in templates (an upgrade of
    factdeck, not an edit of the project's files): never a silent change to students' cards."""
    found = []
    for key, after in sorted(now.items()):
        before = old.note_types.get(key)
        if before is None or before.hash == after.hash or after.templates in (None, PROJECT):
            continue
        was = before.templates or "an earlier factdeck"
        found.append(
            f"note type '{after.name}' ({key}) changed with the built-in templates of "
            f"{after.templates} (built before by {'the project' if was == PROJECT else was}); "
            "students get the new layout with the next release, whose notes say so"
        )
    return tuple(found)


def check(
    deck: Deck,
    notes: tuple[NoteSpec, ...],
    note_types: Mapping[str, NoteType],
    old: Lock,
    allow: Allow = NO_OVERRIDES,
    known: Mapping[str, Steady] | None = None,
) -> None:
    """The identity guards: reused retired ids, changed kinds, changed note-type schemas,
    a changed slug or deck name, moved facts, reordered masks; and a merged lock's sanity.
    `known`: steady notes (history/steady.py), in which the guards found nothing before."""
    known = known if known and usable(old, False) else {}
    shipped = corrections.shipped(deck, notes, note_types, old, known)
    _check(deck, *shipped, note_types, old, allow, known)


def _check(
    deck: Deck,
    notes: tuple[NoteSpec, ...],  # as students get them (corrections.shipped)
    renumbered: Mapping[str, corrections.Numbering],
    note_types: Mapping[str, NoteType],
    old: Lock,
    allow: Allow,
    known: Mapping[str, Steady],
) -> None:
    path = lock_path(deck.deck_dir)
    problems = lockfile.problems(old, path)
    problems.extend(_fact_identity_problems(deck, old))
    problems.extend(guards.deck_problems(deck, old, allow))
    problems.extend(guards.note_problems(deck, notes, note_types, old, allow, renumbered, known))
    for key in sorted({n.note_type for n in notes} | {n.type for n in old.notes.values()}):
        if key not in note_types:
            problems.append(
                Problem(
                    None,
                    f"note type '{key}' is used by notes in {LOCK_NAME} "
                    f"but its template is gone; restore "
                    f"templates/note-types/{key}.yaml",
                )
            )
        elif key in old.note_types and not allow.note_type_change:
            problems.extend(_schema_problem(note_types[key], old.note_types[key]))
    if problems:
        raise FactdeckError(problems)


def _fact_identity_problems(deck: Deck, old: Lock) -> Iterable[Problem]:
    for entry in deck.entries:
        fact, locked = entry.fact, old.facts.get(entry.fact.id)
        if locked is None:
            continue
        if locked.retired is not None and not fact.revive:
            yield Problem(
                entry.location,
                (
                    f"fact id '{fact.id}' was retired earlier; students may still have its old "
                    "cards, so reusing the id would turn them into a different fact. Give this "
                    "fact a new id, or, if it really is the same fact coming back, add "
                    "'revive: true' to it"
                ),
            )
        elif locked.kind != fact.kind:
            yield Problem(
                entry.location,
                (
                    f"fact id '{fact.id}' was a {locked.kind} and is now a {fact.kind}; a "
                    "different fact needs a new id (the old one will then be retired)"
                ),
            )


def _schema_problem(note_type: NoteType, before: LockedNoteType) -> Iterable[Problem]:
    fields, cards = note_type.field_names, tuple(c.name for c in note_type.cards)
    if (before.fields, before.cards) == (fields, cards):
        return
    yield Problem(
        None,
        (
            f"note type '{note_type.name}' changed its fields or card types "
            f"({', '.join(before.fields)} / {', '.join(before.cards)} -> "
            f"{', '.join(fields)} / {', '.join(cards)}). Students who re-import would get a second "
            "copy of the note type and Anki would skip every note of it as conflicting. Rename the "
            "fields back, or rebuild with --allow-note-type-change and tell students to import "
            f"with {MERGE_ADVICE} (the release notes say so)"
        ),
    )


def _locked_note_type(
    note_type: NoteType, before: LockedNoteType | None, now: int
) -> LockedNoteType:
    digest = _digest(
        json.dumps(
            [
                note_type.name,
                note_type.cloze,
                note_type.stock_kind,
                [[f.name, f.tag, f.prevent_deletion] for f in note_type.fields],
                [[c.name, c.front, c.back] for c in note_type.cards],
                note_type.css,
            ]
        )
    )
    changed = now
    templates = note_type.template_set
    if before is not None:
        changed = before.changed if before.hash == digest else max(now, before.changed + 1)
        if before.hash == digest and before.templates is not None:
            templates = before.templates  # the set that made this layout: unchanged by upgrades
    return LockedNoteType(
        id=ids.model_id(note_type.key),
        name=note_type.name,
        hash=digest,
        changed=changed,
        fields=note_type.field_names,
        cards=tuple(c.name for c in note_type.cards),
        templates=templates,
    )


def content_hash(note: NoteSpec) -> str:
    """Everything of a note that Anki stores: when it changes, the note needs a newer time."""
    return _digest(
        "\x1e".join(
            (note.note_type, "\x1f".join(note.fields), " ".join(note.tags), note.subdeck or "")
        )
    )


ANSWER_FIELDS = ("Back", "Answer")


def answer_text(note: NoteSpec, note_type: NoteType, masks: tuple[str, ...] = ()) -> str:
    """What a student must answer: a cloze's hidden words, a Back or Answer field, or (for
    a native occlusion note) which mask each card hides. Wording around it may change."""
    if note_type.native_occlusion:
        return " | ".join(masks)
    if note_type.cloze:
        hidden = sorted(  # numbers sorted as text: the digest the first locks recorded
            (str(n), words) for n, words in numbering.hidden(note, note_type)
        )
        return " | ".join(f"{n}:{words}" for n, words in hidden)
    names = dict(zip(note_type.field_names, note.fields, strict=True))
    return " | ".join(plain(names[n], None) for n in ANSWER_FIELDS if n in names)


def _masks(fact: object, note_type: NoteType) -> tuple[str, ...]:
    if note_type.native_occlusion and isinstance(fact, Diagram):
        return fact.mask_ids
    return ()


def _locked_note(
    note: NoteSpec,
    note_type: NoteType,
    fact: object,
    before: LockedNote | None,
    now: int,
    taken: set[int],
    fixed: tuple[str, ...] = (),
    numbers: corrections.Numbering = corrections.NONE,
) -> LockedNote:
    content = content_hash(note)
    items = numbering.item_digests(note, note_type, numbers.notice_numbers)
    unchanged = before is not None and before.hash == content and before.retired is None
    if unchanged and before is not None and before.answer:
        # unchanged (most notes of a build): only what stamping itself adds is looked at;
        # a lock from before items were recorded gains them
        if (before.fixed, before.items, before.moves, before.notices) == (
            fixed,
            items,
            numbers.moves,
            numbers.notices,
        ):
            return before
        return dataclasses.replace(
            before, fixed=fixed, items=items, moves=numbers.moves, notices=numbers.notices
        )
    masks = _masks(fact, note_type)
    known: dict[str, Any] = {
        "answer": numbering.crc(answer_text(note, note_type, masks)),
        "tags": numbering.crc(" ".join(t for t in note.tags if not t.startswith(OUR_TAGS))),
        "deck": note.subdeck,
        "cards": note_type.card_ords(note.fields),
        "masks": masks,
        "items": items,
        "moves": numbers.moves,
        "notices": numbers.notices,
        "fixed": fixed,
    }
    if unchanged and before is not None:
        return dataclasses.replace(before, **known)  # a migrated note: fill in what it lacked
    return LockedNote(
        id=before.id if before else new_id(note.guid, taken),
        fact=note.fact_id,
        card=note.card_id,
        type=note.note_type,
        hash=content,
        changed=max(now, before.changed + 1) if before else now,
        **known,
    )


def _linked(
    note: NoteSpec,
    before: LockedNote | None,
    link: Callable[[NoteSpec, str], NoteSpec],
    version: str,
) -> tuple[NoteSpec, str]:
    """The note with its link naming the release that shipped exactly this note (so an
    unchanged note stays unchanged), or `version` (the coming release) when it changed;
    and the version it names."""
    if before is not None and before.rel and before.retired is None:
        shipped = link(note, before.rel)
        if content_hash(shipped) == before.hash:
            return shipped, before.rel
    return link(note, version), version


def _unreleased_dropped(old: Lock, guids: set[str], facts: set[str]) -> Lock:
    """The lock without the notes that no release shipped and the deck no longer makes,
    and without the facts gone with them."""
    shipped = {guid for guid, _ in old.was} | {g for g, n in old.notes.items() if n.rel}
    notes = {g: n for g, n in old.notes.items() if g in guids or g in shipped}
    kept_facts = {n.fact for n in notes.values()} | facts
    return dataclasses.replace(
        old,
        notes=notes,
        facts={k: v for k, v in old.facts.items() if k in kept_facts},
    )


def _ids(old: Lock) -> set[int]:
    return {n.id for n in old.notes.values()}


def _distinct_ids(old: Lock) -> Lock:
    """After a merge, two branches' new notes may share an id (their GUIDs' slots met).
    The note students already have keeps it; the unreleased one gets the next free slot.
    (Two released notes with one id are refused by lockfile.problems.)"""
    if len(_ids(old)) == len(old.notes):
        return old  # no two notes share an id: the usual case, told by one set
    by_id: dict[int, list[str]] = {}
    for guid, note in sorted(old.notes.items()):
        by_id.setdefault(note.id, []).append(guid)
    clashes = [guids for guids in by_id.values() if len(guids) > 1]
    taken = _ids(old)
    notes = dict(old.notes)
    for guids in clashes:
        keep = min(guids, key=lambda g: (notes[g].rel is None, g))
        for guid in guids:
            if guid != keep:
                notes[guid] = dataclasses.replace(notes[guid], id=new_id(guid, taken))
    return dataclasses.replace(old, notes=notes)


def _fixed(
    note: NoteSpec,
    note_type: NoteType,
    corrects: bool,  # its fact declares a correction for `version`
    before: LockedNote | None,
    old: Lock,
    last: Release | None,
    version: str,
    recorded: set[str],
    numbers: corrections.Numbering = corrections.NONE,
) -> tuple[str, ...]:
    """The releases that corrected this note's answer, one `corrected` tag each. A released
    correction stays recorded in the lock, so its tag never depends on the fact's marker
    (a marker that stays, ages or goes changes nothing students see); this version's is
    derived from the fact's `correction:` for it, when the answer differs from `last`."""
    kept = {v for v in (before.fixed if before else ()) if v in recorded}
    if version not in kept and last is not None and corrects:
        shipped = old.state_at(note.guid, last.version)
        if (
            shipped is not None
            and shipped.answer
            and shipped.retired is None
            and not shipped.masks  # masks: guarded as reorders (history/guards.py)
            and numbering.answer_changed(
                shipped,
                numbering.crc(answer_text(note, note_type, shipped.masks)),
                numbering.item_digests(note, note_type, numbers.notice_numbers),
            )
        ):
            kept.add(version)
    return tuple(sorted(kept, key=lockfile.version_key))


def _locked_facts(deck: Deck, old: Lock, now: int) -> dict[str, LockedFact]:
    current = {e.fact.id: LockedFact(kind=e.fact.kind) for e in deck.entries}
    retired = {
        fact_id: locked if locked.retired else dataclasses.replace(locked, retired=now)
        for fact_id, locked in old.facts.items()
        if fact_id not in current
    }
    return {**retired, **current}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
