"""Each fact file's steady notes (history/steady.py), kept under the file's key.

A row says: stamping the notes of this key against these lock entries (`lines`, the
digest of the file's notes' entries as read) and this deck-wide part (`deck`: the lock's
releases, the overrides, and the deck and note types as loaded, cache/made_with.py) left every
note as its entry was, adding these tags and a link naming this version; and whether those
entries' lines are as the lock is written (`written`: the next lock streams them through). The key covers
the notes, the digests the rest, so the row holds for any later build where they match:
that build stamps and checks the file's notes without looking at them again. A row is
written only for a file whose every note was steady, is sealed as every row is, checked
strictly on read, and ignored (the notes stamped in full) if anything differs: a corrupt,
foreign or other-format row, another deck-wide digest, other entries, another count.

A build that stamped most notes in full (a cold build: no lock, so no entries for a row
to name) would leave the next build to do so again. `ahead` then stamps once more against
the lock as the build writes it, read back, with the rows that hold against it, as the
next build of the same files does, and keeps rows for its steady notes (issue 23).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from factdeck.cache import rows
from factdeck.cache.incremental import FileNotes
from factdeck.cache.store import Store
from factdeck.errors import FactdeckError
from factdeck.history.guards import Allow
from factdeck.history.lockfile import Lock, written_as_read
from factdeck.history.steady import Steady, deck_digest, lines_digest, usable


class StampRow(BaseModel):
    """Per note of the file, in order: the tags stamping added and its link's version."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    format: rows.Format
    kind: Literal["stamp"]
    deck: rows.Digest
    lines: rows.Digest
    written: StrictBool  # every line of `lines` is what lockfile.dumps writes for it
    notes: tuple[tuple[tuple[str, ...], str | None], ...]


@dataclass(frozen=True, slots=True)
class Known:
    """The steady notes by GUID of the files whose rows hold, and those files' keys; of
    those notes, the ones whose lock lines are as the lock is written (Lines.written)."""

    steady: Mapping[str, Steady]
    keys: frozenset[str]
    written: frozenset[str] = frozenset()


NONE = Known({}, frozenset())


def known(deck_dir: Path, files: Iterable[FileNotes], old: Lock, allow: Allow, made: str) -> Known:
    """The steady notes of every file whose row holds against `old` and `made` (the deck
    and note types' digest: cache/made_with.py); none while `old` cannot have steady
    notes (history/steady.usable)."""
    if not usable(old, False):
        return NONE
    store = Store(deck_dir)
    deck = _deck(old, allow, made)
    found: dict[str, Steady] = {}
    keys = set()
    written: list[str] = []
    for file in files:
        if file.key is None:
            continue
        row = _row(store.get_stamp(file.key))
        if (
            row is None
            or row.deck != deck
            or len(row.notes) != len(file.notes)
            or row.lines != lines_digest(old, (n.guid for n in file.notes))
        ):
            continue
        keys.add(file.key)
        guids = [n.guid for n in file.notes]
        found.update(zip(guids, row.notes, strict=True))
        if row.written:
            written.extend(guids)
    return Known(found, frozenset(keys), frozenset(written))


def keep(
    deck_dir: Path,
    files: Iterable[FileNotes],
    old: Lock,
    allow: Allow,
    made: str,
    steady: Mapping[str, Steady],
    had: Known,
) -> frozenset[str]:
    """A row for each file with a key and no sound row whose every note stamping against
    `old` found steady; the keys of the files with a sound row now."""
    if not usable(old, False):
        return frozenset()
    store = Store(deck_dir)
    deck: str | None = None
    kept = set(had.keys)
    for file in files:
        if file.key is None or file.key in had.keys or not file.notes:
            continue
        found = [steady.get(n.guid) for n in file.notes]
        lines = lines_digest(old, (n.guid for n in file.notes))
        if lines is None or any(s is None for s in found):
            continue
        deck = deck or _deck(old, allow, made)
        row = StampRow(
            format=rows.FORMAT,
            kind="stamp",
            deck=deck,
            lines=lines,
            written=all(written_as_read(old, n.guid) for n in file.notes),
            notes=tuple(s for s in found if s is not None),
        )
        store.put_stamp(file.key, row.model_dump_json())
        kept.add(file.key)
    return frozenset(kept)


def ahead(
    deck_dir: Path,
    files: Iterable[FileNotes],
    kept: frozenset[str],
    written: Callable[[], Lock],
    restamp: Callable[[Lock, Mapping[str, Steady]], Mapping[str, Steady]],
    allow: Allow,
    made: str,
) -> None:
    """Rows against the lock this build writes, `written()` (its text read back), when the
    files with no sound row (`kept`: those with one) hold most of the notes. `restamp` is
    this build's stamping against a lock with the given steady notes, giving the notes
    found steady: the next build's, given the same files and the rows it will find. A
    stamping refused (no row to gain) or a lock the next build would not trust leaves the
    rows as they are."""
    files = tuple(files)
    left = sum(len(f.notes) for f in files if f.key is not None and f.key not in kept)
    if 2 * left <= sum(len(f.notes) for f in files):
        return
    try:
        new = written()
        had = known(deck_dir, files, new, allow, made)
        steady = restamp(new, had.steady)
    except FactdeckError:
        return
    keep(deck_dir, files, new, allow, made, steady, had)


def _deck(old: Lock, allow: Allow, made: str) -> str:
    return hashlib.sha256(f"{deck_digest(old, allow)}\0{made}".encode()).hexdigest()


def _row(text: bytes | None) -> StampRow | None:
    if text is None:
        return None
    try:
        return StampRow.model_validate_json(text)
    except ValidationError:
        return None
