"""Stamped notes -> .apkg bytes. The one place that imports genanki.

genanki supplies the collection schema and note-type JSON; the rows and the zip are
written here because genanki stamps every note with one build time, numbers ids
from the clock and zips with wall-clock dates. Here every note carries its own
id and modification time (from the lock), so identical input gives identical bytes.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from factdeck.anki import ids
from factdeck.errors import FactdeckError
from factdeck.facts.model import DeckSpec, Media, NoteSpec
from factdeck.fs import atomic, faults, limits, read
from factdeck.render.templates import NoteType

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_TAG_SPLIT = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class StampedNote:
    note: NoteSpec
    id: int
    mod: int
    retired: bool = False


@dataclass(frozen=True, slots=True)
class StampedNoteType:
    note_type: NoteType
    mod: int


@dataclass(frozen=True)
class PackagePlan:
    """Everything that goes into one .apkg, with every id and time already decided. (Not
    slotted: what is derived from the notes is worked out once, for the write and verify.)"""

    deck: DeckSpec
    description: str
    note_types: tuple[StampedNoteType, ...]
    notes: tuple[StampedNote, ...]

    @functools.cached_property
    def media(self) -> tuple[Media, ...]:
        unique = {m.name: m for stamped in self.notes for m in stamped.note.media}
        return tuple(unique[name] for name in sorted(unique))

    @functools.cached_property
    def card_ords(self) -> tuple[tuple[int, ...], ...]:
        """Each note's cards, as Anki makes them; none for a retired note (new students never
        see it; the cards students have just update)."""
        types = {s.note_type.key: s.note_type for s in self.note_types}
        return tuple(
            () if s.retired else types[s.note.note_type].card_ords(s.note.fields)
            for s in self.notes
        )


def write_package(plan: PackagePlan, dest: Path) -> None:
    """Write the package to `dest` (the caller makes that atomic). The collection is made in
    a temporary beside `dest` (`.NAME.apkg.*.tmp`, git-ignored, deleted by the next run's
    recovery if this one is killed), never in the system's temporary folder."""
    _check_media(plan)
    db_path = atomic.temporary_beside(dest)
    try:
        faults.point("write", db_path)
        _write_collection(plan, db_path)
        with zipfile.ZipFile(dest, "w") as archive:
            _add(archive, "collection.anki2", db_path.read_bytes())
            media = plan.media
            index = {str(i): m.name for i, m in enumerate(media)}
            _add(archive, "media", json.dumps(index).encode())
            for i, item in enumerate(media):
                _add(archive, str(i), read.media_bytes(item.path))
    finally:
        db_path.unlink(missing_ok=True)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compresslevel=1)  # 4x faster than 6, and nearly as small


def _check_media(plan: PackagePlan) -> None:
    seen: dict[str, Path] = {}
    for stamped in plan.notes:
        for item in stamped.note.media:
            if seen.setdefault(item.name, item.path) != item.path:
                raise FactdeckError.at(
                    stamped.note.location,
                    f"two media files would both be called '{item.name}' in Anki "
                    f"({seen[item.name]} and {item.path}); rename one",
                )


def _write_collection(plan: PackagePlan, db_path: Path) -> None:
    """The collection, statement by statement as it has always been made: its bytes are the
    package's, so only what leaves them alone may change here (the page cache's size)."""
    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # The whole collection in memory until it is written: with SQLite's default 2 MB, the
        # notes' random ids sent pages to the file and back (a third of the write).
        db.execute(f"PRAGMA cache_size = -{limits.COLLECTION // 1024}")  # in KiB
        tables, indexes = _split_schema(APKG_SCHEMA)
        db.executescript(tables)
        db.executescript(APKG_COL)
        with db:
            (decks,) = db.execute("SELECT decks FROM col").fetchone()
            decks = {**json.loads(decks), **_decks_json(plan)}
            db.execute(
                "UPDATE col SET models = ?, decks = ?",
                (json.dumps(_models_json(plan)), json.dumps(decks)),
            )
            # What is the same in every row is written into the statement, not bound per row.
            db.executemany("INSERT INTO notes VALUES (?,?,?,?,-1,?,?,?,0,0,'')", _note_rows(plan))
            db.executemany(
                "INSERT INTO cards VALUES (?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')", _card_rows(plan)
            )
            db.executescript(indexes)  # after the rows: one sort instead of a b-tree per insert
    finally:
        db.close()


def _split_schema(schema: str) -> tuple[str, str]:
    statements = [s.strip() for s in schema.split(";") if s.strip()]
    indexes = [s for s in statements if s.upper().startswith("CREATE INDEX")]
    tables = [s for s in statements if s not in indexes]
    return ";\n".join(tables) + ";", ";\n".join(indexes) + ";"


def _note_rows(plan: PackagePlan) -> Iterator[tuple[Any, ...]]:
    model_id = functools.cache(ids.model_id)  # a hash per note type, not per note
    for stamped in plan.notes:
        note = stamped.note
        fields = note.fields
        yield (
            stamped.id,
            note.guid,
            model_id(note.note_type),
            stamped.mod,
            f" {' '.join(note.tags)} " if note.tags else "",
            "\x1f".join(fields),
            _TAG_SPLIT.sub("", fields[0]),  # the sort field
        )


def _card_rows(plan: PackagePlan) -> Iterator[tuple[Any, ...]]:
    slug = plan.deck.slug
    deck_id = functools.cache(ids.deck_id)  # a hash per sub-deck, not per note
    for position, (stamped, ords) in enumerate(zip(plan.notes, plan.card_ords, strict=True), 1):
        nid, mod = stamped.id, stamped.mod
        deck = deck_id(slug, stamped.note.subdeck)
        for ord_ in ords:
            yield (nid + ord_, nid, deck, ord_, mod, position)


def _models_json(plan: PackagePlan) -> dict[str, Any]:
    top_deck = ids.deck_id(plan.deck.slug)
    return {
        str(ids.model_id(s.note_type.key)): model_json(s.note_type, s.mod, top_deck)
        for s in plan.note_types
    }


def model_json(note_type: NoteType, mod: int, deck_id: int) -> dict[str, Any]:
    """The note type as Anki stores it, including the stock-kind marker and field tags."""
    model = genanki.Model(
        model_id=ids.model_id(note_type.key),
        name=note_type.name,
        fields=[{"name": f.name, "font": "Arial"} for f in note_type.fields],
        templates=[{"name": c.name, "qfmt": c.front, "afmt": c.back} for c in note_type.cards],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )
    data = model.to_json(mod, deck_id)
    data["id"] = ids.model_id(note_type.key)
    for field, spec in zip(data["flds"], note_type.fields, strict=True):
        if spec.tag is not None:
            field["tag"] = spec.tag
        if spec.prevent_deletion:
            field["preventDeletion"] = True
    if note_type.stock_kind is not None:
        data["originalStockKind"] = note_type.stock_kind
    return data


def _decks_json(plan: PackagePlan) -> dict[str, Any]:
    deck = plan.deck
    decks = {}
    for key, name in [(None, deck.name), *deck.subdecks.items()]:
        full_name = deck.name if key is None else f"{deck.name}::{name}"
        deck_id = ids.deck_id(deck.slug, key)
        description = plan.description if key is None else ""
        decks[str(deck_id)] = {**genanki.Deck(deck_id, full_name, description).to_json(), "mod": 0}
    return decks
