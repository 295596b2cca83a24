"""The lock: per-note change tracking, so re-imports update in place and builds are reproducible.

Anki updates an imported note only when its modification time is newer than the
student's copy. The lock remembers, for every note GUID ever shipped, its id, a hash
of its content and when that content last changed; a note's time moves only when
its content does. It also remembers retired fact ids and note-type schemas, so a
reused id or a renamed field is caught before students see conflicting notes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError

from . import atomic, ids
from .changes import (
    MERGE_ADVICE,
    RETIRED_TAG,
    Changes,
    NoteState,
    NoteTypeState,
    Snapshot,
    compare,
    plain,
)
from .errors import FactdeckError, Location, Problem
from .model import Deck, NoteSpec
from .package import PackagePlan, StampedNote, StampedNoteType
from .templates import NoteType

LOCK_NAME = "factdeck.lock"
LOCK_TEXT = 60  # characters of each field kept for release notes
ID_STEP = 1000  # note ids are spaced so that card id = note id + card ord never collides


# Lock entries are plain frozen dataclasses: the build makes tens of thousands of them.
# Reading a lock validates them all (pydantic), since the file may be hand-edited or corrupt.
_CLOSED = ConfigDict(extra="forbid")
# A retired cloze note quotes its old text; cloze marks (even cut short) would be asked.
_CLOZE_MARKS = re.compile(r"\{\{(?:c\d*(?:::)?)?|\}\}")


@dataclass(frozen=True, slots=True)
class LockedNote:
    __pydantic_config__ = _CLOSED
    id: int
    fact: str
    card: str
    type: str
    hash: str
    changed: int
    retired: int | None
    texts: tuple[str, ...]  # each field, short plain text: the "before" of release notes
    digests: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LockedFact:
    __pydantic_config__ = _CLOSED
    kind: str
    retired: int | None = None


@dataclass(frozen=True, slots=True)
class LockedNoteType:
    __pydantic_config__ = _CLOSED
    id: int
    name: str
    hash: str
    changed: int
    fields: tuple[str, ...]
    cards: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lock:
    __pydantic_config__ = _CLOSED
    format: Literal[1] = 1
    note_types: Mapping[str, LockedNoteType] = field(default_factory=dict)
    facts: Mapping[str, LockedFact] = field(default_factory=dict)
    notes: Mapping[str, LockedNote] = field(default_factory=dict)


_LOCK = TypeAdapter(Lock)


@dataclass(frozen=True, slots=True)
class Stamping:
    plan: PackagePlan
    lock: Lock
    changes: Changes


def lock_path(deck_dir: Path) -> Path:
    return deck_dir / LOCK_NAME


def read(deck_dir: Path) -> Lock:
    """The deck's lock, or an empty one for a deck never built before."""
    path = lock_path(deck_dir)
    if not path.exists():
        return Lock()
    fix = ("restore it from version control (git checkout -- factdeck.lock); do not delete "
           "it: without it, every note looks new and students lose in-place updates")
    try:
        return _LOCK.validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        found = f"at '{where}': {first['msg']}" if where else first["msg"]
        line = re.search(r"at line (\d+)", found) if first["type"] == "json_invalid" else None
        raise FactdeckError.at(Location(path, int(line[1]) if line else None),
                               f"lock file is corrupt ({found}); {fix}") from None


def write(deck_dir: Path, lock: Lock) -> None:
    with atomic.replacing(lock_path(deck_dir)) as tmp:
        tmp.write_text(dumps(lock), encoding="utf-8")


def dumps(lock: Lock) -> str:
    """Stable JSON, one entry per line, so the committed lock diffs readably."""
    def section(name: str, entries: Mapping[str, object]) -> str:
        body = ",\n".join(
            f"  {json.dumps(key)}: {json.dumps(_row(value), ensure_ascii=False)}"
            for key, value in sorted(entries.items())
        )
        return f'"{name}": {{\n{body}\n}}' if body else f'"{name}": {{}}'

    parts = [f'"format": {lock.format}', section("note_types", lock.note_types),
             section("facts", lock.facts), section("notes", lock.notes)]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def stamp(deck: Deck, notes: tuple[NoteSpec, ...], note_types: Mapping[str, NoteType],
          description: str, old: Lock, now: int, allow_note_type_change: bool = False
          ) -> Stamping:
    """Give every note its id and time; retire what disappeared; refuse unsafe identity edits."""
    check(deck, notes, note_types, old, allow_note_type_change)
    used_types = {n.note_type for n in notes} | {n.type for n in old.notes.values()}
    locked_types = {key: _locked_note_type(note_types[key], old.note_types.get(key), now)
                    for key in sorted(used_types)}

    next_id = max(now * 1000, max((n.id for n in old.notes.values()), default=0) + ID_STEP)
    stamped, locked_notes = [], {}
    for note in notes:
        before = old.notes.get(note.guid)
        locked = _locked_note(note, note_types[note.note_type], before, now, next_id)
        if before is None:
            next_id += ID_STEP
        locked_notes[note.guid] = locked
        stamped.append(StampedNote(note, locked.id, locked.changed))

    for guid, before in old.notes.items():
        if guid in locked_notes:
            continue
        retired = before if before.retired else dataclasses.replace(
            before, retired=max(now, before.changed + 1))
        locked_notes[guid] = retired
        stamped.append(StampedNote(_tombstone(guid, retired, note_types[retired.type], deck),
                                   retired.id, retired.retired, retired=True))

    lock = Lock(note_types=locked_types, facts=_locked_facts(deck, old, now), notes=locked_notes)
    plan = PackagePlan(
        deck=deck.spec, description=description,
        note_types=tuple(StampedNoteType(note_types[k], v.changed)
                         for k, v in sorted(locked_types.items())),
        notes=tuple(stamped),
    )
    return Stamping(plan=plan, lock=lock, changes=_changes(old, lock))


def check(deck: Deck, notes: tuple[NoteSpec, ...], note_types: Mapping[str, NoteType],
          old: Lock, allow_note_type_change: bool = False) -> None:
    """The identity guards: reused retired ids, changed kinds, changed note-type schemas."""
    problems = list(_fact_identity_problems(deck, old))
    for key in sorted({n.note_type for n in notes} | {n.type for n in old.notes.values()}):
        if key not in note_types:
            problems.append(Problem(None, f"note type '{key}' is used by notes in {LOCK_NAME} "
                                          f"but its template is gone; restore "
                                          f"templates/note-types/{key}.yaml"))
        elif key in old.note_types and not allow_note_type_change:
            problems.extend(_schema_problem(note_types[key], old.note_types[key]))
    if problems:
        raise FactdeckError(problems)


def _fact_identity_problems(deck: Deck, old: Lock) -> Iterable[Problem]:
    for entry in deck.entries:
        fact, locked = entry.fact, old.facts.get(entry.fact.id)
        if locked is None:
            continue
        if locked.retired is not None and not fact.revive:
            yield Problem(entry.location, (
                f"fact id '{fact.id}' was retired earlier; students may still have its old "
                "cards, so reusing the id would turn them into a different fact. Give this "
                "fact a new id, or, if it really is the same fact coming back, add "
                "'revive: true' to it"))
        elif locked.kind != fact.kind:
            yield Problem(entry.location, (
                f"fact id '{fact.id}' was a {locked.kind} and is now a {fact.kind}; a "
                "different fact needs a new id (the old one will then be retired)"))


def _schema_problem(note_type: NoteType, before: LockedNoteType) -> Iterable[Problem]:
    fields, cards = note_type.field_names, tuple(c.name for c in note_type.cards)
    if (before.fields, before.cards) == (fields, cards):
        return
    yield Problem(None, (
        f"note type '{note_type.name}' changed its fields or card types "
        f"({', '.join(before.fields)} / {', '.join(before.cards)} -> "
        f"{', '.join(fields)} / {', '.join(cards)}). Students who re-import would get a second "
        "copy of the note type and Anki would skip every note of it as conflicting. Rename the "
        "fields back, or rebuild with --allow-note-type-change and tell students to import "
        f"with {MERGE_ADVICE} (the release notes say so)"))


def _locked_note_type(note_type: NoteType, before: LockedNoteType | None, now: int
                      ) -> LockedNoteType:
    digest = _digest(json.dumps([note_type.name, note_type.cloze, note_type.stock_kind,
                                 [[f.name, f.tag, f.prevent_deletion] for f in note_type.fields],
                                 [[c.name, c.front, c.back] for c in note_type.cards],
                                 note_type.css]))
    changed = now
    if before is not None:
        changed = before.changed if before.hash == digest else max(now, before.changed + 1)
    return LockedNoteType(id=ids.model_id(note_type.key), name=note_type.name, hash=digest,
                          changed=changed, fields=note_type.field_names,
                          cards=tuple(c.name for c in note_type.cards))


def _locked_note(note: NoteSpec, note_type: NoteType, before: LockedNote | None, now: int,
                 new_id: int) -> LockedNote:
    content = _digest("\x1e".join((note.note_type, "\x1f".join(note.fields), " ".join(note.tags),
                                   note.subdeck or "")))
    if before is not None and before.hash == content and before.retired is None:
        return before
    return LockedNote(
        id=before.id if before else new_id,
        fact=note.fact_id, card=note.card_id, type=note.note_type, hash=content,
        changed=max(now, before.changed + 1) if before else now, retired=None,
        texts=tuple(plain(value, LOCK_TEXT) for value in note.fields),
        # which fields changed, for release notes only (the note hash decides updates)
        digests=tuple(f"{zlib.crc32(value.encode()):08x}" for value in note.fields),
        tags=note.tags,
    )


def _tombstone(guid: str, locked: LockedNote, note_type: NoteType, deck: Deck) -> NoteSpec:
    """A retired note as shipped: same GUID and type, a notice, and a tag to find it by."""
    text = _CLOZE_MARKS.sub("", next((t for t in locked.texts if t), ""))
    context = {"text": text, "deck": deck.spec,
               "tag": RETIRED_TAG, "fact": locked.fact}
    fields = tuple(
        note_type.retired[name].template.render(context) if name in note_type.retired else ""
        for name in note_type.field_names
    )
    return NoteSpec(guid=guid, note_type=note_type.key, fields=fields, tags=(RETIRED_TAG,),
                    subdeck=None, fact_id=locked.fact, card_id=locked.card,
                    location=Location(deck.deck_dir / LOCK_NAME))


def _locked_facts(deck: Deck, old: Lock, now: int) -> dict[str, LockedFact]:
    current = {e.fact.id: LockedFact(kind=e.fact.kind) for e in deck.entries}
    retired = {
        fact_id: locked if locked.retired else dataclasses.replace(locked, retired=now)
        for fact_id, locked in old.facts.items() if fact_id not in current
    }
    return {**retired, **current}


def _changes(old: Lock, new: Lock) -> Changes:
    """compare() on the notes that differ; identical entries are the same objects, so cheap."""
    same = {guid for guid, note in new.notes.items() if old.notes.get(guid) is note}
    changes = compare(snapshot(old, same), snapshot(new, same))
    return dataclasses.replace(changes, unchanged=changes.unchanged + len(same))


def snapshot(lock: Lock, skip: AbstractSet[str] = frozenset()) -> Snapshot:
    names = {key: t.fields for key, t in lock.note_types.items()}
    notes = {
        guid: NoteState(guid=guid, label=f"{n.fact}/{n.card}", note_type=n.type,
                        field_names=names[n.type], texts=n.texts, digests=n.digests, tags=n.tags,
                        retired=n.retired is not None)
        for guid, n in lock.notes.items() if guid not in skip
    }
    types = {
        str(t.id): NoteTypeState(id=str(t.id), name=t.name, fields=t.fields, cards=t.cards,
                                 digest=t.hash)
        for t in lock.note_types.values()
    }
    return Snapshot(notes=notes, note_types=types)


def _row(entry: object) -> dict[str, object]:
    return {name: getattr(entry, name) for name in _FIELDS[type(entry)]}


_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls))
           for cls in (LockedNote, LockedFact, LockedNoteType)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
