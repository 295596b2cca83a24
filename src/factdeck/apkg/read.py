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


def unpack(path: Path, check: bool = False) -> Unpacked:
    """The package's contents; with `check`, first its integrity as Anki would meet it (every
    zip entry's CRC, SQLite's quick_check of the collection): verify reads a build this way.
    Read within fs/limits (size, entries, unpacked size), so a zip bomb or a pipe is refused
    before anything is unpacked."""
    try:
        with _opened(path) as stream, zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            _refuse_oversized(path, members)
            if check and (bad := archive.testzip()) is not None:
                raise FactdeckError.at(
                    Location(path), f"not a readable Anki package: zip entry '{bad}' is corrupt"
                )
            entries = tuple(archive.namelist())
            name = next((n for n in COLLECTIONS if n in entries), None)
            if name is None:
                raise FactdeckError.at(
                    Location(path),
                    "not a package factdeck can read: it has "
                    "no collection.anki2 (packages exported by Anki 2.1.50+ "
                    "in the new format are not supported)",
                )
            media = _media_map(archive.read("media"), path) if "media" in entries else {}
            with archive.open(name) as packed:  # in memory: no temporary file to leave
                collection = packed.read(limits.COLLECTION + 1)
            if len(collection) > limits.COLLECTION:
                raise read.TooBig(f"holds a collection over the {limits.COLLECTION:,}-byte limit")
            return _read_collection(collection, entries, media, path, check)
    except read.NotReadable as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: it {exc}") from None
    except NotImplementedError as exc:  # a compression method zipfile does not have
        raise FactdeckError.at(
            Location(path),
            f"not a readable Anki package: {exc}; Anki writes packages with deflate",
        ) from None
    except (zipfile.BadZipFile, RuntimeError, EOFError, OSError, sqlite3.DatabaseError) as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: {exc}") from None


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
    collection: bytes, entries: tuple[str, ...], media: dict[str, str], path: Path, check: bool
) -> Unpacked:
    """The collection's notes, cards and note types; with `check`, its integrity first. Every
    value is checked to be of the type Anki writes (a damaged package may hold anything)."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(collection)
        if check and (found := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
            raise FactdeckError.at(
                Location(path),
                f"not a readable Anki package: its collection is corrupt: {found}",
            )
        rows = db.execute("SELECT guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        (models,) = db.execute("SELECT models FROM col").fetchone()
    finally:
        db.close()
    types = (str, int, int, str, str)
    for row in rows:
        if not all(isinstance(value, kind) for value, kind in zip(row, types, strict=True)):
            raise _damaged(path, f"a note of the wrong shape (guid {str(row[0])[:40]!r})")
    try:
        note_types = read.json_value(models) if isinstance(models, str) else None
        if not isinstance(note_types, dict) or not all(
            isinstance(v, dict) for v in note_types.values()
        ):
            raise ValueError("not a mapping of note types")
        by_id = {int(k): v for k, v in note_types.items()}
    except ValueError as exc:
        raise _damaged(path, f"its note types cannot be read ({exc})") from None
    notes = tuple(
        PackedNote(guid, mid, mod, tuple(tags.split()), tuple(flds.split("\x1f")))
        for guid, mid, mod, tags, flds in rows
    )
    return Unpacked(entries=entries, notes=notes, cards=cards, models=by_id, media=media)


def _damaged(path: Path, what: str) -> FactdeckError:
    return FactdeckError.at(
        Location(path), f"not a readable Anki package: {what}; rebuild or re-export the package"
    )
