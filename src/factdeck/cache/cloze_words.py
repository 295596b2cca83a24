"""The words each cloze note of a fact file hides, kept under the file's key.

Stamping and the identity guards compare every cloze note's items (history/numbering.py)
with the lock, and parsing and flattening every note's clozes was the largest part of
stamping and of `check` after one edit. The words are a function of the note's text
alone, and the file's key (store.py) covers everything its notes are made from, so a row
made from the notes of a key holds for every build with that key: an unchanged file's
clozes are not parsed again. The row is sealed as every row is, checked strictly on
read, and only remembered for the texts of the notes it was made from; anything else is
ignored and the words parsed again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from factdeck.cache import rows
from factdeck.cache.incremental import FileNotes
from factdeck.cache.store import Store
from factdeck.facts.model import NoteSpec
from factdeck.history import numbering
from factdeck.render.templates import NoteType


class WordsRow(BaseModel):
    """Per note of the file, in order: None (not a cloze note) or its (number, words)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    format: rows.Format
    kind: Literal["cloze-words"]
    notes: tuple[tuple[tuple[Annotated[int, Field(ge=0)], str], ...] | None, ...]


@contextlib.contextmanager
def remembering(
    deck_dir: Path, files: Iterable[FileNotes], note_types: Mapping[str, NoteType]
) -> Iterator[None]:
    """Inside the block, every unchanged file's cloze words answer from its row; the rows
    of the others are written once the block has parsed their words."""
    files = tuple(files)
    store = Store(deck_dir)
    missed = _remembered(store, files, note_types)
    yield
    _keep(store, missed, note_types)


def _remembered(
    store: Store, files: Iterable[FileNotes], note_types: Mapping[str, NoteType]
) -> tuple[FileNotes, ...]:
    """Remember (numbering.remember) the words of every file whose row is sound; the
    files with a key whose row is not, to be kept once stamped (`_keep`)."""
    known: dict[str, numbering.Hidden] = {}
    missed = []
    for file in files:
        if file.key is None:
            continue
        words = _words(store.get_cloze_words(file.key), file.notes, note_types)
        if words is None:
            missed.append(file)
        else:
            known.update(words)
    numbering.remember(known)
    return tuple(missed)


def _keep(store: Store, files: Iterable[FileNotes], note_types: Mapping[str, NoteType]) -> None:
    """A row for each of `files` (their words are parsed by now: remembered by text)."""
    for file in files:
        if file.key is None:
            continue
        row = WordsRow(
            format=rows.FORMAT,
            kind="cloze-words",
            notes=tuple(
                tuple(numbering.hidden_in(text)) if (text := _text(n, note_types)) else None
                for n in file.notes
            ),
        )
        store.put_cloze_words(file.key, row.model_dump_json())


def _words(
    text: bytes | None, notes: tuple[NoteSpec, ...], note_types: Mapping[str, NoteType]
) -> dict[str, numbering.Hidden] | None:
    if text is None:
        return None
    try:
        row = WordsRow.model_validate_json(text)
    except ValidationError:
        return None
    if len(row.notes) != len(notes):
        return None
    words = {}
    for note, hidden in zip(notes, row.notes, strict=True):
        cloze_text = _text(note, note_types)
        if (cloze_text is None) != (hidden is None):
            return None  # not a row of these notes
        if cloze_text is not None and hidden is not None:
            words[cloze_text] = hidden
    return words


def _text(note: NoteSpec, note_types: Mapping[str, NoteType]) -> str | None:
    """The text whose clozes the note's cards ask; None: not a cloze note."""
    note_type = note_types.get(note.note_type)
    if note_type is None or not note_type.cloze or note_type.native_occlusion:
        return None
    return numbering.cloze_text(note, note_type)
