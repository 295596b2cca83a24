"""Read a built .apkg back: its notes, note types and media, as plain data.

The one reader of the file format: `verify` checks a build through it, and `factdeck diff`
snapshots two packages with it (history/apkg_diff.py).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck.errors import FactdeckError, Location

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
    zip entry's CRC, SQLite's quick_check of the collection): verify reads a build this way."""
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
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
            db_path = Path(tmp) / "collection.sqlite"
            db_path.write_bytes(archive.read(name))
            return _read_collection(db_path, entries, media, checked=path if check else None)
    except (zipfile.BadZipFile, OSError, sqlite3.DatabaseError) as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: {exc}") from None


def _media_map(data: bytes, path: Path) -> dict[str, str]:
    """The package's `media` entry: zip entry number -> file name, as Anki reads it."""
    try:
        media = json.loads(data)
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
    db_path: Path, entries: tuple[str, ...], media: dict[str, str], checked: Path | None
) -> Unpacked:
    """The collection's notes, cards and note types; `checked`: the package to check first."""
    db = sqlite3.connect(db_path)
    try:
        if checked and (found := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
            raise FactdeckError.at(
                Location(checked),
                f"not a readable Anki package: its collection is corrupt: {found}",
            )
        rows = db.execute("SELECT guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        (models,) = db.execute("SELECT models FROM col").fetchone()
    finally:
        db.close()
    notes = tuple(
        PackedNote(guid, mid, mod, tuple(tags.split()), tuple(flds.split("\x1f")))
        for guid, mid, mod, tags, flds in rows
    )
    return Unpacked(
        entries=entries,
        notes=notes,
        cards=cards,
        models={int(k): v for k, v in json.loads(models).items()},
        media=media,
    )
