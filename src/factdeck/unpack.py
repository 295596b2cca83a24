"""Read a built .apkg back: its notes, note types and media, as plain data.

Used by the build's own verification and by `factdeck diff`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .changes import RETIRED_TAG, NoteState, NoteTypeState, Snapshot, plain
from .errors import FactdeckError, Location

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


def unpack(path: Path) -> Unpacked:
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
            entries = tuple(archive.namelist())
            name = next((n for n in COLLECTIONS if n in entries), None)
            if name is None:
                raise FactdeckError.at(Location(path), "not a package factdeck can read: it has "
                                       "no collection.anki2 (packages exported by Anki 2.1.50+ "
                                       "in the new format are not supported)")
            media = _media_map(archive.read("media"), path) if "media" in entries else {}
            db_path = Path(tmp) / "collection.sqlite"
            db_path.write_bytes(archive.read(name))
            return _read_collection(db_path, entries, media)
    except (zipfile.BadZipFile, OSError, sqlite3.DatabaseError) as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: {exc}") from None


def _media_map(data: bytes, path: Path) -> dict[str, str]:
    """The package's `media` entry: zip entry number -> file name, as Anki reads it."""
    try:
        media = json.loads(data)
    except ValueError as exc:
        raise FactdeckError.at(Location(path), f"not a readable Anki package: its media list "
                                               f"is not valid JSON ({exc}); rebuild or "
                                               "re-export the package") from None
    if not isinstance(media, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in media.items()):
        raise FactdeckError.at(Location(path), "not a readable Anki package: its media list "
                                               "is not a mapping of entry numbers to file "
                                               "names; rebuild or re-export the package")
    return media


def _read_collection(db_path: Path, entries: tuple[str, ...], media: dict[str, str]
                     ) -> Unpacked:
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute("SELECT guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        (models,) = db.execute("SELECT models FROM col").fetchone()
    finally:
        db.close()
    notes = tuple(PackedNote(guid, mid, mod, tuple(tags.split()), tuple(flds.split("\x1f")))
                  for guid, mid, mod, tags, flds in rows)
    return Unpacked(entries=entries, notes=notes, cards=cards,
                    models={int(k): v for k, v in json.loads(models).items()}, media=media)


def snapshot(unpacked: Unpacked) -> Snapshot:
    """The package as release notes see it (notes have no fact ids here, only their text)."""
    types = {mid: _note_type_state(mid, model) for mid, model in unpacked.models.items()}
    notes = {}
    for note in unpacked.notes:
        note_type = types[note.model_id]
        notes[note.guid] = NoteState(
            guid=note.guid, label="", note_type=note_type.name, field_names=note_type.fields,
            texts=tuple(plain(f) for f in note.fields),
            digests=tuple(_digest(f) for f in note.fields),
            tags=tuple(t for t in note.tags if t != RETIRED_TAG),
            retired=RETIRED_TAG in note.tags,
        )
    used = {n.model_id for n in unpacked.notes}
    return Snapshot(notes=notes, note_types={str(m): t for m, t in types.items() if m in used})


def _note_type_state(model_id: int, model: dict[str, Any]) -> NoteTypeState:
    fields = tuple(f["name"] for f in model["flds"])
    cards = tuple(t["name"] for t in model["tmpls"])
    layout = json.dumps([[t["qfmt"], t["afmt"]] for t in model["tmpls"]] + [model.get("css")])
    return NoteTypeState(id=str(model_id), name=model["name"], fields=fields, cards=cards,
                         digest=_digest(json.dumps([fields, cards]) + layout))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
