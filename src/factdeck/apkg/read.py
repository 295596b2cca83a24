"""Read a built .apkg back: its notes, note types and media, as plain data.

The one reader of the file format: `verify` checks a build through it, and `factdeck diff`
snapshots two packages with it (history/apkg_diff.py).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from factdeck.errors import FactdeckError, Location
from factdeck.fs import limits, read

COLLECTIONS = ("collection.anki21", "collection.anki2")


@dataclass(frozen=True, slots=True)
class PackedNote:
    guid: str
    model_id: int
    mod: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unpacked:
    entries: tuple[str, ...]
    notes: tuple[PackedNote, ...]
    cards: int
    models: dict[int, dict[str, Any]]
    media: dict[str, str]


@dataclass(frozen=True, slots=True)
class Tally:
    """What verify proves of a written package, counted by SQLite without reading a note
    into Python: its entries and media list, the notes, their distinct GUIDs, the cards, and
    the notes whose field count is not their note type's or whose values are not of the type
    Anki writes."""

    entries: tuple[str, ...]
    media: dict[str, str]
    notes: int
    guids: int
    cards: int
    bad_fields: int
    bad_values: int


def unpack(path: Path) -> Unpacked:
    """The package's contents (`tally` checks its integrity as Anki would meet it). Read
    within fs/limits (size, entries, unpacked size), so a zip bomb or a pipe is refused
    before anything is unpacked."""
    with _refusing(path):
        entries, media, collection = _contents(path, check=False)
        return _read_collection(collection, entries, media, path)


def tally(path: Path) -> Tally:
    """The package checked as Anki would meet it (every zip entry's CRC, SQLite's
    quick_check of the collection), then counted (verify reads a build this way: its cost is the collection's inflate and one scan in SQLite)."""
    with _refusing(path):
        entries, media, collection = _contents(path, check=True)
        return _tally_collection(collection, entries, media, path)


@contextlib.contextmanager
def _refusing(path: Path) -> Iterator[None]:
    """Whatever a damaged or hostile file raises while it is read, as the one refusal."""
    try:
        yield
    except read.NotReadable as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: it {exc}") from None
    except NotImplementedError as exc:  # a compression method zipfile does not have
        raise FactdeckError.at(
            Location(path),
            f"not a readable Anki package: {exc}; Anki writes packages with deflate",
        ) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        RuntimeError,
        EOFError,
        OSError,
        sqlite3.DatabaseError,
    ) as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: {exc}") from None


def _contents(path: Path, check: bool) -> tuple[tuple[str, ...], dict[str, str], bytes]:
    """The entries' names, the media list and the collection's bytes; with `check`, every
    entry's CRC (the collection's as it is read, so it is inflated once)."""
    with _opened(path) as stream, zipfile.ZipFile(stream) as archive:
        members = archive.infolist()
        _refuse_oversized(path, members)
        entries = tuple(archive.namelist())
        name = next((n for n in COLLECTIONS if n in entries), None)
        if check:
            _check_crcs(archive, path, {n for n in entries if n != name})
        if name is None:
            raise FactdeckError.at(
                Location(path),
                "not a package factdeck can read: it has "
                "no collection.anki2 (packages exported by Anki 2.1.50+ "
                "in the new format are not supported)",
            )
        media = _media_map(archive.read("media"), path) if "media" in entries else {}
        try:
            with archive.open(name) as packed:  # in memory: no temporary file to leave
                collection = packed.read(limits.COLLECTION + 1)  # to the end: CRC checked
        except (zipfile.BadZipFile, zlib.error):
            if check:
                raise _corrupt_entry(path, name) from None
            raise
        if len(collection) > limits.COLLECTION:
            raise read.TooBig(f"holds a collection over the {limits.COLLECTION:,}-byte limit")
        return entries, media, collection


def _check_crcs(archive: zipfile.ZipFile, path: Path, names: set[str]) -> None:
    """zipfile.testzip's check of these entries, read to their end in turn."""
    for info in archive.infolist():
        if info.filename in names:
            try:
                with archive.open(info) as entry:
                    while entry.read(1 << 20):
                        pass
            except (zipfile.BadZipFile, zlib.error):  # a wrong CRC, a broken deflate stream
                raise _corrupt_entry(path, info.filename) from None


def _corrupt_entry(path: Path, name: str) -> FactdeckError:
    return FactdeckError.at(
        Location(path), f"not a readable Anki package: zip entry '{name}' is corrupt"
    )


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    """The package file, opened without blocking and refused unless a plain file within
    limits.PACKAGE (a pipe in its place would hang the zip reader)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise read.NotReadable("does not exist") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise read.NotReadable("is not a regular file")
        if info.st_size > limits.PACKAGE:
            raise read.TooBig(f"is {info.st_size:,} bytes, over the {limits.PACKAGE:,}-byte limit")
        yield stream


def _refuse_oversized(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Entries, and what they unpack to, as the zip declares them (zipfile reads no more)."""
    sizes = {m.filename: m.file_size for m in members}
    too_many = len(members) > limits.PACKAGE_MEMBERS
    bounds = (
        (too_many, f"{len(members):,} entries, over the limit of {limits.PACKAGE_MEMBERS:,}"),
        (
            sum(sizes.values()) > limits.PACKAGE_UNPACKED,
            f"entries that unpack to {sum(sizes.values()):,} bytes, over the "
            f"{limits.PACKAGE_UNPACKED:,}-byte limit",
        ),
        *(
            (
                sizes.get(name, 0) > limits.COLLECTION,
                f"a collection of {sizes.get(name, 0):,} bytes, over the "
                f"{limits.COLLECTION:,}-byte limit",
            )
            for name in COLLECTIONS
        ),
        (
            sizes.get("media", 0) > limits.MEDIA_LIST,
            f"a media list of {sizes.get('media', 0):,} bytes, over the "
            f"{limits.MEDIA_LIST:,}-byte limit",
        ),
    )
    for over, what in bounds:
        if over:
            raise FactdeckError.at(
                Location(path),
                f"not a package factdeck reads: it has {what} (a zip bomb, or not an Anki "
                "package); rebuild or re-export it",
            )


def _media_map(data: bytes, path: Path) -> dict[str, str]:
    """The package's `media` entry: zip entry number -> file name, as Anki reads it."""
    try:
        media = read.json_value(data)
    except ValueError as exc:
        raise FactdeckError.at(
            Location(path),
            f"not a readable Anki package: its media list "
            f"is not valid JSON ({exc}); rebuild or "
            "re-export the package",
        ) from None
    if not isinstance(media, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in media.items()
    ):
        raise FactdeckError.at(
            Location(path),
            "not a readable Anki package: its media list "
            "is not a mapping of entry numbers to file "
            "names; rebuild or re-export the package",
        )
    return media


def _read_collection(
    collection: bytes, entries: tuple[str, ...], media: dict[str, str], path: Path
) -> Unpacked:
    """The collection's notes, cards and note types. Every value is checked to be of the
    type Anki writes (a damaged package may hold anything)."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(collection)
        rows = db.execute("SELECT guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        (models,) = db.execute("SELECT models FROM col").fetchone()
    finally:
        db.close()
    types = (str, int, int, str, str)
    for row in rows:
        if not all(isinstance(value, kind) for value, kind in zip(row, types, strict=True)):
            raise _damaged(path, f"a note of the wrong shape (guid {str(row[0])[:40]!r})")
    by_id = _note_types(models, path)
    notes = tuple(
        PackedNote(guid, mid, mod, tuple(tags.split()), tuple(flds.split("\x1f")))
        for guid, mid, mod, tags, flds in rows
    )
    return Unpacked(entries=entries, notes=notes, cards=cards, models=by_id, media=media)


def _tally_collection(
    collection: bytes, entries: tuple[str, ...], media: dict[str, str], path: Path
) -> Tally:
    """The collection checked (quick_check, its note types readable), then counted in one
    scan of the notes: by note type and field count, with the rows of a wrong shape."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(collection)
        _quick_check(db, path)
        groups = db.execute(
            "SELECT mid, length(flds) - length(replace(flds, char(31), '')) + 1, count(*), "
            "sum(typeof(guid) != 'text' OR typeof(mid) != 'integer' "
            "OR typeof(mod) != 'integer' OR typeof(tags) != 'text' OR typeof(flds) != 'text') "
            "FROM notes GROUP BY 1, 2"
        ).fetchall()
        (guids,) = db.execute("SELECT count(DISTINCT guid) FROM notes").fetchone()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        (models,) = db.execute("SELECT models FROM col").fetchone()
    finally:
        db.close()
    fields = {mid: _field_count(model) for mid, model in _note_types(models, path).items()}
    return Tally(
        entries=entries,
        media=media,
        notes=sum(count for _, _, count, _ in groups),
        guids=guids,
        cards=cards,
        bad_fields=sum(count for mid, n, count, _ in groups if fields.get(mid) != n),
        bad_values=sum(bad for *_, bad in groups),
    )


def _field_count(model: dict[str, Any]) -> int | None:
    flds = model.get("flds")
    return len(flds) if isinstance(flds, list) else None


def _quick_check(db: sqlite3.Connection, path: Path) -> None:
    if (found := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
        raise FactdeckError.at(
            Location(path), f"not a readable Anki package: its collection is corrupt: {found}"
        )


def _note_types(models: object, path: Path) -> dict[int, dict[str, Any]]:
    """The collection's `models` column: note type id -> its JSON."""
    try:
        note_types = read.json_value(models) if isinstance(models, str) else None
        if not isinstance(note_types, dict) or not all(
            isinstance(v, dict) for v in note_types.values()
        ):
            raise ValueError("not a mapping of note types")
        return {int(k): v for k, v in note_types.items()}
    except ValueError as exc:
        raise _damaged(path, f"its note types cannot be read ({exc})") from None


def _damaged(path: Path, what: str) -> FactdeckError:
    return FactdeckError.at(
        Location(path), f"not a readable Anki package: {what}; rebuild or re-export the package"
    )
