"""The lock file's format (format 3) and its sibling, the release record: one
self-contained JSON entry per line, sorted by key.

Why lines: two instructors' branches that each add or edit facts touch different lines,
so git merges them; `.gitattributes` sets `merge=union` for both files, so even
neighbouring additions merge without conflict markers. A union merge may leave two entries
for one key (both sides edited a note); `reconcile` keeps one, deterministically, and the
next build re-derives it from the facts.

factdeck.lock, what the next build needs (entries, one per line):

    {"factdeck-lock": 3}                                  header
    {"deck": SLUG, "name": ..., "subdecks": {...}}        what the deck was last built as
    {"fact": ID, "kind": ..., "retired": T?}              every fact ever built
    {"note": GUID, "id": ..., "fact": ..., ...}           every note ever built (LockedNote)
    {"release": VERSION, "date": T, "package": ...}       every published release (Release);
                                                          `"tombstones": true`: its package
                                                          held tombstones (factdeck 0.1.0's
                                                          did; marked by hand)
    {"type": KEY, "id": ..., "hash": ..., ...}            note types (LockedNoteType), each
                                                          with the template set that built it

A note's `id` is left out when it is the one its GUID gives (new_id's first choice); a
retired note's line without `hash` is its last recorded state, retired (the rest is in the
release record), and its `changed` is left out when it is the time it was retired.

factdeck.releases, the release record: what later releases need to compare with and to
quote every card as students saw it, growing only with what each release changed:

    {"factdeck-releases": 1}                              header
    {"shipped": GUID, "in": VERSION, ..., "text": ...}    the note as release VERSION
                                                          shipped it, where it differs from
                                                          the release before; `text` is its
                                                          line in release notes (no `text`:
                                                          as before; null: not known)

Sorted by release, so each release appends its block. Format 2 (the history as `was`
lines in the lock) and format 1 (one JSON object) are read and migrated: same GUIDs, ids
and times.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, Strict, TypeAdapter, ValidationError

from factdeck.anki import cloze
from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts import semver
from factdeck.fs import limits
from factdeck.fs.names import RECORD_NAME
from factdeck.fs.read import json_value
from factdeck.history import lockline

FORMAT = 3
HEADER = {"factdeck-lock": FORMAT}
RECORD_HEADER = {"factdeck-releases": 1}
# note ids are spaced so that card id = note id + card ord never collides; they come from
# the GUID (never the clock), so two branches that each add notes cannot pick the same
# one. The range reads as creation dates 2001-2020 in Anki's browser, below the
# clock-based ids of notes students create themselves.
ID_STEP, ID_BASE, ID_SLOTS = 1000, 1_000_000_000_000, 600_000_000
MIGRATED_NOTE = (
    "migrated from a format-1 lock: this release was built before factdeck "
    "recorded releases, so its package digest is unknown"
)
FIX = (
    "restore it from version control (git checkout -- factdeck.lock); do not delete it: "
    "without it, every note looks new and students lose in-place updates"
)
RECORD_FIX = (
    f"restore it from version control (git checkout -- {RECORD_NAME}) together with "
    "factdeck.lock, the two are committed together"
)
_CLOSED = ConfigDict(extra="forbid")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what facts refuse in text (Anki's \x1f)
# ids and times as SQLite and Anki store them: a larger one could never be written. Strict:
# factdeck writes numbers as JSON numbers, so "1", true or 1.0 is a line from elsewhere (a
# merged branch, a hand edit), refused rather than taken for 1
Int64 = Annotated[int, Strict(), Field(ge=0, le=limits.INT64)]
# card ords from 0 and cloze numbers from 1, as Anki has them (u16): a card -1 shipped a
# tombstone {{c0::}} that makes no card, one of 10**30 failed the build in a template check
Ord = Annotated[int, Strict(), Field(ge=0, le=cloze.MAX_ORDINAL - 1)]
Number = Annotated[int, Strict(), Field(ge=1, le=cloze.MAX_ORDINAL)]


@dataclass(frozen=True, slots=True)
class LockedNote:
    """A note's identity and a digest of everything students see of it."""

    __pydantic_config__ = _CLOSED
    id: Int64
    fact: str
    card: str
    type: str
    hash: str  # fields, tags and sub-deck: when it changes, the note gets a newer time
    changed: Int64  # the note's modification time in the package
    answer: str = ""  # what a student must answer (hidden cloze words, Back, Answer)
    tags: str = ""  # digest of the tags: release notes tell tag-only changes apart
    deck: str | None = None  # sub-deck key
    cards: tuple[Ord, ...] = (0,)  # card ords it had: a tombstone keeps one card per ord
    masks: tuple[str, ...] = ()  # native occlusion: the mask id each card number shows
    # a cloze note: per card number from 1, a digest of the words it hides ("": no such card)
    items: tuple[str, ...] = ()
    # a cloze note's numbers shipped under another number (written, shipped, release), and
    # the numbers whose card shows the "replaced" notice (number, release): corrections
    moves: tuple[tuple[Number, Number, str], ...] = ()
    notices: tuple[tuple[Number, str], ...] = ()
    retired: Int64 | None = None
    rel: str | None = None  # the release that shipped exactly this state; None: unreleased
    fixed: tuple[str, ...] = ()  # releases that corrected its answer: its corrected tags


@dataclass(frozen=True, slots=True)
class LockedFact:
    __pydantic_config__ = _CLOSED
    kind: str
    retired: Int64 | None = None


@dataclass(frozen=True, slots=True)
class LockedNoteType:
    __pydantic_config__ = _CLOSED
    id: Int64
    name: str
    hash: str
    changed: Int64
    fields: tuple[str, ...]
    cards: tuple[str, ...]
    # the template set that built this version of it: "factdeck X.Y.Z" (the built-in
    # files of that release of factdeck) or "project" (the project's templates/)
    templates: str | None = None


@dataclass(frozen=True, slots=True)
class LockedDeck:
    """The deck's identity as last built: the guards compare the next build with it."""

    __pydantic_config__ = _CLOSED
    slug: str
    name: str
    subdecks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Release:
    """A published version. Notes shipped in it carry `rel` = its version (or a `was`
    entry once they changed), so later releases compare with it without its package."""

    __pydantic_config__ = _CLOSED
    version: str
    date: Int64
    package: str | None  # "sha256:<hex>" of dist/<slug>-<version>.apkg; None: unknown
    deck: LockedDeck
    types: Mapping[str, str] = field(default_factory=dict)  # note-type key -> hash
    note: str | None = None
    # its package held the tombstones of every note retired by then, as factdeck 0.1.0's
    # did (no release since does; marked by hand): history/retirements.py mends them
    tombstones: Annotated[bool, Strict()] = False  # JSON true only: "yes" is from elsewhere


@dataclass(frozen=True, slots=True)
class Lines:
    """The lines a lock and its record were read from, each with what it was read as, for
    the entries whose line is exactly what `dumps` would write for them: `dumps` writes an
    entry still equal to what its line gave as that line."""

    # live notes, each with its line's keys (lockfile._note_as_written)
    notes: Mapping[str, tuple[LockedNote, str, tuple[str, ...]]] = field(default_factory=dict)
    facts: Mapping[str, tuple[LockedFact, str]] = field(default_factory=dict)
    # a note's record entries: its states oldest first, their texts, the line of each
    record: Mapping[str, tuple[tuple[LockedNote, ...], tuple[str | None, ...], tuple[str, ...]]] = (
        field(default_factory=dict)
    )
    # live notes whose line (in `notes`) is known to be what dumps writes for what it was
    # read as, so dumps writes it without looking again: a stamp row says so of its file's
    # lines (cache/stamp_memo.py), which it names by digest
    written: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Lock:
    deck: LockedDeck | None = None
    note_types: Mapping[str, LockedNoteType] = field(default_factory=dict)
    facts: Mapping[str, LockedFact] = field(default_factory=dict)
    notes: Mapping[str, LockedNote] = field(default_factory=dict)
    was: Mapping[tuple[str, str], LockedNote] = field(default_factory=dict)  # (guid, version)
    releases: tuple[Release, ...] = ()  # by version (semver), lowest first; not by date
    # (guid, version) -> the note's line in release notes as that release shipped it (the
    # state of that version: `was`, or the note itself when its `rel` is the version)
    texts: Mapping[tuple[str, str], str] = field(default_factory=dict)
    format: int = FORMAT
    merged: bool = False  # duplicate entries were reconciled (after a git merge)
    # the lines it was read from: a lock built from this one passes them on, so that its
    # unchanged entries are written as read
    lines: Lines = field(default_factory=Lines, compare=False, repr=False)
    _was_by_guid: Mapping[str, tuple[LockedNote, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        by_guid: dict[str, list[LockedNote]] = {}
        for (guid, _), note in self.was.items():
            by_guid.setdefault(guid, []).append(note)
        object.__setattr__(self, "_was_by_guid", {g: tuple(n) for g, n in by_guid.items()})

    @property
    def last_release(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def release(self, version: str) -> Release | None:
        return next((r for r in self.releases if r.version == version), None)

    def was_of(self, guid: str) -> tuple[LockedNote, ...]:
        """The note's released states other than itself (its `was` entries)."""
        return self._was_by_guid.get(guid, ())

    def state_at(self, guid: str, version: str) -> LockedNote | None:
        """The note as release `version` shipped it, or None if it did not exist then."""
        order = {r.version: i for i, r in enumerate(self.releases)}
        limit = order[version]
        candidates = [
            n for n in self._was_by_guid.get(guid, ()) if order.get(n.rel or "", 1 << 30) <= limit
        ]
        current = self.notes.get(guid)
        if (
            current is not None
            and current.rel is not None
            and order.get(current.rel, 1 << 30) <= limit
        ):
            candidates.append(current)
        return max(candidates, key=lambda n: order[n.rel or ""], default=None)

    def text_at(self, guid: str, version: str) -> str | None:
        """The note as release `version`'s students saw it, in one line (None: not known)."""
        state = self.state_at(guid, version)
        return None if state is None or state.rel is None else self.texts.get((guid, state.rel))


def new_id(guid: str, taken: set[int]) -> int:
    """A note id from the GUID, probing on until free (and then taken)."""
    seed = guid
    while True:
        number = int.from_bytes(hashlib.sha256(f"note-id\x1f{seed}".encode()).digest()[:8], "big")
        note_id = ID_BASE + (number % ID_SLOTS) * ID_STEP
        if note_id not in taken:
            taken.add(note_id)
            return note_id
        seed = f"{seed}+"


# --- reading ---------------------------------------------------------------------------

_NOTE = TypeAdapter(LockedNote)
_FACT = TypeAdapter(LockedFact)
_TYPE = TypeAdapter(LockedNoteType)
_DECK, _RELEASE = TypeAdapter(LockedDeck), TypeAdapter(Release)
# the adapters' own validators, for the entries there are tens of thousands of: the same
# checks, without TypeAdapter.validate_python's per-call wrapper (a third of the time)
_validate_note: Callable[[Any], LockedNote] = _NOTE.validator.validate_python
_validate_fact: Callable[[Any], LockedFact] = _FACT.validator.validate_python


def parse(text: str, path: Path, version: str | None = None, record: str | None = None) -> Lock:
    """The lock in `text` (format 1, 2 or 3) with its release record `record` (the text of
    factdeck.releases beside `path`; None: there is none). A format-1 lock is migrated;
    `version` is the deck version it was built as (recorded as the last release)."""
    stripped = text.lstrip()
    if stripped.startswith("{\n") or stripped.startswith('{"format"') or stripped == "{}":
        return migrate(_parse_v1(text, path), version or "1.0.0")
    problems: list[Problem] = []
    entries: dict[str, dict[Any, list[tuple[int, Any]]]] = {k: {} for k in _KINDS}
    notes: dict[str, tuple[LockedNote, str, tuple[str, ...]]] = {}
    facts: dict[str, tuple[LockedFact, str]] = {}
    header, read_format = False, FORMAT
    for number, line, data in _json_lines(text, path, "lock file", FIX, problems):
        # the first key names the entry's kind (a note also has a "type" and a "fact")
        kind = next(iter(data), None) if isinstance(data, dict) else None
        if kind == "factdeck-lock" and data in _HEADERS:
            header, read_format = True, data["factdeck-lock"]
            continue
        if kind not in _KINDS:
            problems.append(
                Problem(
                    Location(path, number),
                    f"lock file is corrupt (an entry of unknown kind: {line[:60]}); {FIX}",
                )
            )
            continue
        keys = tuple(data) if kind in ("note", "fact") else ()
        try:
            key, value = _KINDS[kind](data)
        except (ValidationError, TypeError, ValueError) as exc:
            problems.append(
                Problem(Location(path, number), f"lock file is corrupt ({_reason(exc)}); {FIX}")
            )
            continue
        entries[kind].setdefault(key, []).append((number, value))
        # a line whose keys are as dumps writes them is kept; the rest of what makes it as
        # written is looked at only if a build writes the entry unchanged (not by check)
        if kind == "note" and value.retired is None and value.hash:
            shape = _note_shape(keys)
            if shape is not None:
                notes[key] = (value, line, shape)
        elif kind == "fact" and keys == (_FACT_KEYS if value.retired is None else _RETIRED_FACT):
            facts[key] = (value, line)
    if not header and not problems:
        problems.append(
            Problem(
                Location(path, 1), f"lock file is corrupt (no {json.dumps(HEADER)} line); {FIX}"
            )
        )
    if problems:
        raise FactdeckError(problems)
    lock = dataclasses.replace(_assemble(entries, path), format=read_format)
    if record is None:
        if lock.format == FORMAT and lock.releases and any(n.rel for n in lock.notes.values()):
            raise FactdeckError.at(
                Location(path.with_name(RECORD_NAME)),
                f"the release record is missing, but {path.name} records releases; restore "
                f"it from version control (git checkout -- {RECORD_NAME}): without it, "
                "release notes cannot say what students had",
            )
        return _completed(lock, {}, {}, path, Lines(notes, facts))
    states, texts, record_lines = _parse_record(record, path.with_name(RECORD_NAME), lock)
    return _completed(lock, states, texts, path, Lines(notes, facts, record=record_lines))


_HEADERS = (HEADER, {"factdeck-lock": 2})
# a note line's keys in the order _note_row writes them
_NOTE_ORDER = (
    *("note", "id", "fact", "card", "type", "hash", "changed", "answer", "tags", "deck"),
    *("cards", "masks", "items", "moves", "notices", "retired", "rel", "fixed"),
)


def _note_as_written(guid: str, note: LockedNote, shape: tuple[str, ...], line: str) -> bool:
    """Whether `line`, read with the keys `shape` as live `note` (a retired one's line
    depends on its last released state: always written anew), is what dumps writes for
    it: none of its fields at its default (the id its GUID gives included), written as
    `lockline.line` writes."""
    for key in _optional_keys(shape):
        if getattr(note, key) == _NOTE_DEFAULTS[key]:
            return False
    return ("id" not in shape or note.id != new_id(guid, set())) and lockline.as_written(
        line, len(shape)
    )


def written_as_read(lock: Lock, guid: str) -> bool:
    """Whether dumps writes the live note `guid` as its line was read, while it stays as
    that line gave it."""
    seen = lock.lines.notes.get(guid)
    return seen is not None and _note_as_written(guid, seen[0], seen[2], seen[1])


def known_written(lock: Lock, guids: Collection[str]) -> Lock:
    """`lock` with the lines of `guids` known to be as dumps writes them (Lines.written)."""
    if not guids:
        return lock
    lines = dataclasses.replace(lock.lines, written=lock.lines.written | frozenset(guids))
    return dataclasses.replace(lock, lines=lines)


@lru_cache(maxsize=256)
def _note_shape(keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """`keys` if they are in the order dumps writes a note's (the first tuple met of them:
    one tuple for all lines alike), None if not."""
    return keys if lockline.in_order(keys, _NOTE_ORDER) else None


@lru_cache(maxsize=256)
def _optional_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The fields with a default that a note line of these keys names."""
    return tuple(k for k in keys if k in _NOTE_DEFAULTS)


_FACT_KEYS, _RETIRED_FACT = ("fact", "kind"), ("fact", "kind", "retired")


def _json_lines(
    text: str, path: Path, what: str, fix: str, problems: list[Problem]
) -> Iterator[tuple[int, str, Any]]:
    """Each non-blank line with its number and JSON value. The lock and the release
    record arrive through the repository alike, so both are read within the same bounds
    (line length, nesting); a line that cannot be read goes to `problems`, with the hint
    for a merge's conflict markers where it has them."""
    # "\n" only: str.splitlines also breaks at U+2028, U+2029, U+0085 (and \x1c-\x1e), which
    # a name may hold; a CRLF checkout's "\r" is JSON whitespace
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line.isspace():
            continue
        if len(line) > limits.LOCK_LINE:
            problems.append(
                Problem(
                    Location(path, number),
                    f"{what} is corrupt (a line of {len(line):,} characters, over the "
                    f"{limits.LOCK_LINE:,} an entry may have); {fix}",
                )
            )
            continue
        try:  # json.loads without its checks for a BOM and spaces around the value
            value, end = _DECODE(line)
        except (ValueError, RecursionError):
            end = -1
        if end == len(line):
            yield number, line, value
            continue
        try:  # with spaces around it, or not JSON: as json.loads reads it, and why not
            value = json_value(line)
        except json.JSONDecodeError as exc:
            hint = _conflict_hint(line)
            problems.append(
                Problem(
                    Location(path, number),
                    hint or f"{what} is corrupt (invalid JSON: {exc.msg}); {fix}",
                )
            )
        except ValueError as exc:  # nested too deeply
            problems.append(Problem(Location(path, number), f"{what} is corrupt ({exc}); {fix}"))
        else:
            yield number, line, value


_DECODE = json.JSONDecoder().raw_decode


def _conflict_hint(line: str) -> str | None:
    if line.startswith(("<<<<<<<", "=======", ">>>>>>>")):
        return (
            "git left a merge conflict in the lock; set `factdeck.lock merge=union` in "
            ".gitattributes (factdeck's repository has it), or remove the conflict "
            "markers and keep both sides' lines: factdeck reconciles duplicate entries"
        )
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"at '{where}': {first['msg']}" if where else first["msg"]
    return str(exc)


def _note(data: dict[str, Any]) -> tuple[Any, Any]:
    guid = data.pop("note")
    if not isinstance(guid, str):
        raise ValueError("'note' must be a string")
    data.setdefault("id", new_id(guid, set()))
    if "retired" in data:  # a retired note as last recorded: completed from the record
        data.setdefault("hash", "")
        data.setdefault("changed", data["retired"])
    return guid, _validate_note(data)


def _was(data: dict[str, Any]) -> tuple[Any, Any]:
    guid = data.pop("was")
    note = _validate_note(data)
    if note.rel is None:
        raise ValueError("a 'was' entry needs the release it shows ('rel')")
    return (guid, note.rel), note


def _keyed(
    name: str, validate: Callable[[Any], Any]
) -> Callable[[dict[str, Any]], tuple[Any, Any]]:
    def read(data: dict[str, Any]) -> tuple[Any, Any]:
        key = data.pop(name)
        if not isinstance(key, str):
            raise ValueError(f"'{name}' must be a string")
        return key, validate(data)

    return read


def _deck(data: dict[str, Any]) -> tuple[Any, Any]:
    data["slug"] = data.pop("deck")
    return "deck", _DECK.validate_python(data)


def _release(data: dict[str, Any]) -> tuple[Any, Any]:
    data["version"] = data.pop("release")
    if not isinstance(data["version"], str) or not semver.is_version(data["version"]):
        shown = json.dumps(data["version"])[:80]
        raise ValueError(f"release {shown} is not a semantic version (MAJOR.MINOR.PATCH)")
    return data["version"], _RELEASE.validate_python(data)


_KINDS: dict[str, Callable[[dict[str, Any]], tuple[Any, Any]]] = {
    "deck": _deck,
    "type": _keyed("type", _TYPE.validate_python),
    "fact": _keyed("fact", _validate_fact),
    "note": _note,
    "release": _release,
    "was": _was,
}


def _assemble(entries: Mapping[str, Mapping[Any, list[tuple[int, Any]]]], path: Path) -> Lock:
    """One value per key; several (a union merge of two branches) are reconciled."""
    problems: list[Problem] = []
    merged = any(len(values) > 1 for kind in entries.values() for values in kind.values())

    def one(kind: str, key: Any, values: list[tuple[int, Any]]) -> Any:
        """The value of a key given more than once (a key given once is taken as it is)."""
        distinct = list({json.dumps(_plain(v), sort_keys=True): (n, v) for n, v in values}.values())
        if len(distinct) == 1:
            return distinct[0][1]
        if kind == "release":
            lines = ", ".join(str(n) for n, _ in distinct)
            problems.append(
                Problem(
                    Location(path, distinct[0][0]),
                    (
                        f"release {key} is recorded twice with different contents (lines {lines}): two "
                        "branches each published it. Keep the line of the release students actually "
                        "received, delete the other, and publish the merged deck as a new version"
                    ),
                )
            )
            return distinct[0][1]
        return _RECONCILE[kind]([v for _, v in distinct])

    picked = {
        kind: {
            key: by_key[key][0][1] if len(by_key[key]) == 1 else one(kind, key, by_key[key])
            # by the key's text: a (GUID, version) of "was" as str gives it, any other is one
            for key in sorted(by_key, key=str if kind == "was" else None)
        }
        for kind, by_key in entries.items()
    }
    if problems:
        raise FactdeckError(problems)
    # a side's released state stays known
    for guid, values in entries["note"].items() if merged else ():
        for _, value in values:
            if value.rel is not None and value is not picked["note"][guid]:
                picked["was"].setdefault((guid, value.rel), value)
    releases = tuple(sorted(picked["release"].values(), key=lambda r: version_key(r.version)))
    return Lock(
        deck=picked["deck"].get("deck"),
        note_types=picked["type"],
        facts=picked["fact"],
        notes=picked["note"],
        was=picked["was"],
        releases=releases,
        merged=merged,
    )


_IDENTITY = ("id", "fact", "card", "type")
# a note row's fields at their defaults (_note_row leaves them out): a record entry names
# them when they differ from the release before
_ROW_DEFAULTS: dict[str, Any] = {
    "answer": "",
    "tags": "",
    "deck": None,
    "cards": (0,),
    "masks": (),
    "items": (),
    "moves": (),
    "notices": (),
    "retired": None,
    "fixed": (),
}
_ROW_ORDER = ("hash", "changed", *_ROW_DEFAULTS)
_NOTE_DEFAULTS: dict[str, Any] = {**_ROW_DEFAULTS, "rel": None}  # _note_row leaves them out
# what a line holds for a field at its default (JSON has lists)
_UNSET = {k: list(v) if isinstance(v, tuple) else v for k, v in _NOTE_DEFAULTS.items()}


def _parse_record(
    text: str, path: Path, lock: Lock
) -> tuple[
    dict[tuple[str, str], LockedNote],
    dict[tuple[str, str], str],
    dict[str, tuple[tuple[LockedNote, ...], tuple[str | None, ...], tuple[str, ...]]],
]:
    """Each note's state at each release that changed it, and its text there: the record's
    entries applied in release order, each over the one before it; and, for the notes whose
    every entry is as dumps_record writes it, the lines (Lines.record)."""
    problems: list[Problem] = []
    rows: dict[str, dict[str, tuple[int, dict[str, Any], str]]] = {}
    merged: set[str] = set()
    versions: dict[str, bool] = {}  # each version met: is it one
    header = False
    for number, line, data in _json_lines(text, path, "release record", RECORD_FIX, problems):
        if data == RECORD_HEADER:
            header = True
            continue
        guid = data.get("shipped") if isinstance(data, dict) else None
        version = data.get("in") if isinstance(data, dict) else None
        if isinstance(version, str) and version not in versions:
            versions[version] = semver.is_version(version)
        if not (isinstance(guid, str) and isinstance(version, str) and versions[version]):
            problems.append(
                Problem(
                    Location(path, number),
                    f"release record is corrupt (not a note's release: {line[:60]}); {RECORD_FIX}",
                )
            )
            continue
        if guid not in lock.notes:
            problems.append(
                Problem(
                    Location(path, number),
                    f"release record names note {guid}, which the lock does not have; {RECORD_FIX}",
                )
            )
            continue
        kept = rows.setdefault(guid, {})
        if version in kept:  # a union merge kept both sides' line: one, deterministically
            merged.add(guid)
            data = max(data, kept[version][1], key=lambda d: json.dumps(d, sort_keys=True))
        kept[version] = (number, data, line)
    if not header and not problems:
        problems.append(
            Problem(
                Location(path, 1),
                f"release record is corrupt (no {json.dumps(RECORD_HEADER)} line); {RECORD_FIX}",
            )
        )
    states: dict[tuple[str, str], LockedNote] = {}
    texts: dict[tuple[str, str], str] = {}
    order = {version: version_key(version) for version in versions}
    written: dict[str, tuple[tuple[LockedNote, ...], tuple[str | None, ...], tuple[str, ...]]] = {}
    for guid, by_version in sorted(rows.items()):
        note = lock.notes[guid]
        fields: dict[str, Any] = {k: getattr(note, k) for k in _IDENTITY}
        shown: str | None = None
        as_written = guid not in merged  # each entry so far as dumps_record writes it
        chain: list[LockedNote] = []
        shown_in: list[str | None] = []
        lines: list[str] = []
        for version in (
            sorted(by_version, key=order.__getitem__) if len(by_version) > 1 else by_version
        ):
            number, data, line = by_version[version]
            as_written = as_written and _record_as_written(data, line, fields, shown)
            fields.update(data)
            del fields["shipped"], fields["in"]
            fields.pop("text", None)
            fields["rel"] = version
            if "text" in data:
                shown = data["text"] if isinstance(data["text"], str) else None
                if shown is not None and _CONTROL.search(shown):  # it goes into tombstones
                    problems.append(
                        Problem(
                            Location(path, number),
                            "release record is corrupt (a control character in its text, "
                            f"which no card has); {RECORD_FIX}",
                        )
                    )
                    break
            try:
                state = _validate_note(fields)
            except ValidationError as exc:
                problems.append(
                    Problem(
                        Location(path, number),
                        f"release record is corrupt ({_reason(exc)}); {RECORD_FIX}",
                    )
                )
                break
            states[(guid, version)] = state
            if shown is not None:
                texts[(guid, version)] = shown
            chain.append(state)
            shown_in.append(shown)
            lines.append(line)
        if as_written:
            written[guid] = (tuple(chain), tuple(shown_in), tuple(lines))
    if problems:
        raise FactdeckError(problems)
    return states, texts, written


# a record entry's keys in the order dumps_record writes them
_RECORD_ORDER = ("shipped", "in", *_ROW_ORDER, "text")
# what dumps_record compares a note's first entry with: no hash or time yet, the rest unset
_RECORD_START = {"hash": None, "changed": None, **_UNSET}


def _record_as_written(
    data: Mapping[str, Any], line: str, before: Mapping[str, Any], shown: str | None
) -> bool:
    """Whether `line` is what dumps_record writes for this entry after the note's entries
    before it, whose fields `before` holds as read (a field none set: at its default), and
    their text `shown`: only what changed, in order, written as `lockline.line` writes."""
    keys = tuple(data)
    if not lockline.in_order(keys, _RECORD_ORDER):
        return False
    for key in keys[2:]:
        value = data[key]
        if key == "text":
            if not (value is None or isinstance(value, str)) or value == shown:
                return False
        elif value == before.get(key, _RECORD_START[key]):
            return False
    return lockline.as_written(line, len(keys))


def _completed(
    lock: Lock,
    states: Mapping[tuple[str, str], LockedNote],
    texts: Mapping[tuple[str, str], str],
    path: Path,
    lines: Lines,
) -> Lock:
    """The lock with its record: a retired note's short line filled in from its last
    recorded state; `was` holds the states the notes themselves are not."""
    was = {**lock.was, **states}
    short = {guid for guid, note in lock.notes.items() if not note.hash}
    latest: dict[str, tuple[tuple[Any, ...], LockedNote]] = {}
    for (guid, version), state in was.items() if short else ():
        if guid in short and (guid not in latest or version_key(version) >= latest[guid][0]):
            latest[guid] = (version_key(version), state)
    notes = dict(lock.notes)
    problems = []
    for guid, note in lock.notes.items() if short else ():
        if note.hash:
            continue
        last = latest[guid][1] if guid in latest else None
        if last is None:
            problems.append(
                Problem(
                    Location(path),
                    f"note {guid} ({note.fact}/{note.card}) has no recorded state in "
                    f"{RECORD_NAME} to complete its line from; {RECORD_FIX}",
                )
            )
            continue
        notes[guid] = dataclasses.replace(
            last, changed=note.changed, retired=note.retired, rel=note.rel
        )
    if problems:
        raise FactdeckError(problems)
    own = {(g, n.rel) for g, n in notes.items() if n.rel is not None}
    return dataclasses.replace(
        lock,
        notes=notes,
        was={k: v for k, v in was.items() if k not in own or v != notes[k[0]]},
        texts=dict(texts),
        lines=lines,
    )


def _pick_note(values: list[LockedNote]) -> LockedNote:
    """Both branches changed this note: keep the newest, with a time later than any copy,
    so whichever content the facts now give is newer than what either side shipped."""
    best = max(values, key=lambda n: (n.changed, n.hash, n.rel or ""))
    released = [n.rel for n in values if n.rel]
    return dataclasses.replace(
        best,
        changed=max(n.changed for n in values),
        rel=best.rel if len(set(released)) <= 1 else None,
    )


def _pick_fact(values: list[LockedFact]) -> LockedFact:
    live = [v for v in values if v.retired is None]
    return live[0] if live else max(values, key=lambda v: v.retired or 0)


_RECONCILE: dict[str, Callable[[list[Any]], Any]] = {
    "note": _pick_note,
    "was": lambda values: max(values, key=lambda n: (n.changed, n.hash)),
    "fact": _pick_fact,
    "type": lambda values: max(values, key=lambda t: (t.changed, t.hash)),
    "deck": lambda values: max(values, key=lambda d: json.dumps(_plain(d), sort_keys=True)),
}


version_key = semver.key


# --- writing ---------------------------------------------------------------------------


def dumps(lock: Lock) -> str:
    """Stable text: a given lock always gives the same bytes, one entry per line. An entry
    still equal to what a line read gave (lock.lines) is written as that line: the same
    bytes, without serialising most of a lock again after a build changed a few notes."""
    read = lock.lines
    lines = [json.dumps(HEADER)]
    if lock.deck is not None:
        lines.append(_line({"deck": lock.deck.slug, **_plain(lock.deck, skip="slug")}))
    for key, fact in sorted(lock.facts.items()):
        as_read = read.facts.get(key)
        if (
            as_read is not None
            and as_read[0] == fact
            and lockline.as_written(as_read[1], 2 if fact.retired is None else 3)
        ):
            lines.append(as_read[1])
        else:
            lines.append(_line({"fact": key, **_plain(fact)}))
    retired = {g for g, n in lock.notes.items() if n.retired is not None}
    latest = {g: states[-1] for g, states in _states(lock, retired).items()}
    for guid, note in sorted(lock.notes.items()):
        seen = read.notes.get(guid)
        if (
            seen is not None
            and (seen[0] is note or seen[0] == note)
            and (guid in read.written or _note_as_written(guid, note, seen[2], seen[1]))
        ):
            lines.append(seen[1])
        else:
            lines.append(_line(_lock_row(guid, note, latest.get(guid))))
    lines += [
        _line({"release": r.version, **_plain(r, skip="version")})
        for r in sorted(lock.releases, key=lambda r: version_key(r.version))
    ]
    lines += [_line({"type": k, **_plain(v)}) for k, v in sorted(lock.note_types.items())]
    return "\n".join(lines) + "\n"


def dumps_record(lock: Lock) -> str | None:
    """The release record's text, sorted by release (each release appends a block), each
    entry only what changed since the note's entry before; None: no release shipped notes.
    A note whose states and texts are as read (lock.lines) keeps its lines."""
    blocks: dict[tuple[Any, ...], list[tuple[str, str]]] = {}  # by release: (GUID, line)
    for guid, states in _states(lock).items():
        seen = lock.lines.record.get(guid)
        if (
            seen is not None
            and tuple(states) == seen[0]
            and tuple(lock.texts.get((guid, s.rel or "")) for s in states) == seen[1]
        ):
            for state, line in zip(states, seen[2], strict=True):
                blocks.setdefault(version_key(state.rel or ""), []).append((guid, line))
            continue
        before: dict[str, Any] = {}
        shown: str | None = None
        for state in states:
            row = _note_row("shipped", guid, state)
            fields = {k: v for k, v in row.items() if k not in (*_IDENTITY, "shipped", "rel")}
            rel = state.rel or ""
            entry: dict[str, Any] = {"shipped": guid, "in": rel}
            for key in sorted({*before, *fields}, key=list(_ROW_ORDER).index):
                now = fields.get(key, _ROW_DEFAULTS.get(key))
                if before.get(key, _ROW_DEFAULTS.get(key)) != now:
                    entry[key] = now
            text = lock.texts.get((guid, rel))
            if text != shown:
                entry["text"] = text
            before, shown = fields, text
            blocks.setdefault(version_key(rel), []).append((guid, _line(entry)))
    if not blocks:
        return None
    ordered = [line for block in sorted(blocks) for _, line in sorted(blocks[block])]
    return "\n".join([json.dumps(RECORD_HEADER), *ordered]) + "\n"


def _states(lock: Lock, only: Collection[str] | None = None) -> dict[str, list[LockedNote]]:
    """Each note's released states, oldest first: its `was` and, if released, itself (of
    the notes `only`, when given)."""
    found: dict[tuple[str, str], LockedNote] = dict(
        lock.was if only is None else {k: v for k, v in lock.was.items() if k[0] in only}
    )
    found.update(
        {
            (g, n.rel): n
            for g, n in lock.notes.items()
            if n.rel is not None and (only is None or g in only)
        }
    )
    by_guid: dict[str, list[tuple[tuple[Any, ...], LockedNote]]] = {}
    for (guid, version), state in found.items():
        by_guid.setdefault(guid, []).append((version_key(version), state))
    return {
        guid: [s for _, s in sorted(states, key=lambda ks: ks[0])]
        if len(states) > 1
        else [states[0][1]]
        for guid, states in sorted(by_guid.items())
    }


def _lock_row(guid: str, note: LockedNote, last: LockedNote | None) -> dict[str, Any]:
    """A note's lock line: without the id its GUID gives, and a retired note that is as
    last recorded names only who it is and when it was retired."""
    if note.retired is not None and last is not None and _same_but_times(note, last):
        row: dict[str, Any] = {"note": guid, **{k: getattr(note, k) for k in _IDENTITY}}
        if note.changed != note.retired:
            row["changed"] = note.changed
        row["retired"] = note.retired
        if note.rel is not None:
            row["rel"] = note.rel
    else:
        row = _note_row("note", guid, note)
    if row["id"] == new_id(guid, set()):
        del row["id"]
    return row


def _same_but_times(note: LockedNote, state: LockedNote) -> bool:
    return (
        dataclasses.replace(state, changed=note.changed, retired=note.retired, rel=note.rel) == note
    )


_line = lockline.line


def _note_row(kind: str, key: str, n: LockedNote) -> dict[str, Any]:
    """_plain for the entry there are tens of thousands of, written out: 4x faster."""
    row: dict[str, Any] = {
        kind: key,
        "id": n.id,
        "fact": n.fact,
        "card": n.card,
        "type": n.type,
        "hash": n.hash,
        "changed": n.changed,
    }
    if n.answer:
        row["answer"] = n.answer
    if n.tags:
        row["tags"] = n.tags
    if n.deck is not None:
        row["deck"] = n.deck
    if n.cards != (0,):
        row["cards"] = n.cards
    if n.masks:
        row["masks"] = n.masks
    if n.items:
        row["items"] = n.items
    if n.moves:
        row["moves"] = n.moves
    if n.notices:
        row["notices"] = n.notices
    if n.retired is not None:
        row["retired"] = n.retired
    if n.rel is not None:
        row["rel"] = n.rel
    if n.fixed:
        row["fixed"] = n.fixed
    return row


_DEFAULTS: dict[type, dict[str, Any]] = {}


def _plain(entry: Any, skip: str = "") -> dict[str, Any]:
    """The entry's fields, leaving out those at their default (keeps lines short)."""
    cls = type(entry)
    if cls not in _DEFAULTS:
        _DEFAULTS[cls] = {
            f.name: (
                f.default
                if f.default is not dataclasses.MISSING
                else f.default_factory()
                if f.default_factory is not dataclasses.MISSING
                else dataclasses.MISSING
            )
            for f in dataclasses.fields(cls)
        }
    out = {}
    for name, default in _DEFAULTS[cls].items():
        value = getattr(entry, name)
        if name == skip or (default is not dataclasses.MISSING and value == default):
            continue
        if dataclasses.is_dataclass(value):
            value = _plain(value)
        elif isinstance(value, Mapping):
            value = dict(sorted(value.items()))
        out[name] = value
    return out


# --- format 1 --------------------------------------------------------------------------


def _parse_v1(text: str, path: Path) -> dict[str, Any]:
    try:
        data = json_value(text)
    except json.JSONDecodeError as exc:
        raise FactdeckError.at(
            Location(path, exc.lineno),
            (
                f"lock file is corrupt (invalid JSON: {exc.msg} at line {exc.lineno} column "
                f"{exc.colno}); {FIX}"
            ),
        ) from None
    except ValueError as exc:
        raise FactdeckError.at(Location(path, 1), f"lock file is corrupt ({exc}); {FIX}") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise FactdeckError.at(
            Location(path, 1),
            (
                f"lock file is corrupt (format {data.get('format') if isinstance(data, dict) else '?'}"
                f" is not one factdeck knows; this factdeck reads formats 1 and {FORMAT}); {FIX}"
            ),
        )
    return data


def migrate(data: Mapping[str, Any], version: str) -> Lock:
    """A format-1 lock as format 2: same GUIDs, ids and times; its state is recorded as
    release `version` (the committed lock is what students have), digest unknown."""
    try:
        types = {k: _TYPE.validate_python(v) for k, v in data.get("note_types", {}).items()}
        facts = {
            k: LockedFact(kind=v["kind"], retired=v.get("retired"))
            for k, v in data.get("facts", {}).items()
        }
        notes = {}
        for guid, n in data.get("notes", {}).items():
            notes[guid] = LockedNote(
                id=n["id"],
                fact=n["fact"],
                card=n["card"],
                type=n["type"],
                hash=n["hash"],
                changed=n["changed"],
                retired=n.get("retired"),
                rel=version,
            )
    except (ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise FactdeckError.at(
            None, f"lock file (format 1) is corrupt ({_reason(exc)}); {FIX}"
        ) from None
    date = max([n.changed for n in notes.values()] + [t.changed for t in types.values()], default=0)
    release = Release(
        version=version,
        date=date,
        package=None,
        deck=LockedDeck(slug="", name=""),
        types={k: t.hash for k, t in types.items()},
        note=MIGRATED_NOTE,
    )
    return Lock(note_types=types, facts=facts, notes=notes, releases=(release,), format=1)


def problems(lock: Lock, path: Path) -> list[Problem]:
    """What a merged (or hand-edited) lock can get wrong beyond its syntax: entries for
    unknown facts or note types, and one id for two notes that both reached students."""
    found = []
    by_id: dict[int, list[str]] = {}
    released = {guid for guid, _ in lock.was}
    types, facts = lock.note_types, lock.facts
    for guid in sorted(
        g for g, n in lock.notes.items() if n.type not in types or n.fact not in facts
    ):  # only the notes with a problem are sorted and looked at again
        note = lock.notes[guid]
        if note.type not in types:
            found.append(
                Problem(
                    Location(path),
                    (
                        f"note {guid} ({note.fact}/{note.card}) is of note type '{note.type}', which "
                        f"has no 'type' entry in the lock; {FIX}"
                    ),
                )
            )
        if note.fact not in facts:
            found.append(
                Problem(
                    Location(path),
                    (
                        f"note {guid} belongs to fact '{note.fact}', which has no 'fact' entry in the "
                        f"lock; {FIX}"
                    ),
                )
            )
    if len({note.id for note in lock.notes.values()}) < len(lock.notes):  # told by one set
        for guid, note in lock.notes.items():
            by_id.setdefault(note.id, []).append(guid)
    for note_id, guids in sorted(i for i in by_id.items() if len(i[1]) > 1):
        guids.sort()
        shipped = [g for g in guids if lock.notes[g].rel is not None or g in released]
        if len(shipped) > 1:
            found.append(
                Problem(
                    Location(path),
                    (
                        f"notes {', '.join(shipped)} share the id {note_id} and each was already "
                        "released; restore the lock of one branch from version control and rebuild"
                    ),
                )
            )
    return found
