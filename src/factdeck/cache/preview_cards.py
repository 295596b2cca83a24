"""Each fact file's preview cards, as the page's data holds them, kept under the file's key.

`factdeck preview`, and `serve` on every save, rendered every card of the deck each time.
A card's record (its faces, search text and origin: preview/page.py) is made from its
file's notes, which the file's key covers (store.py), and from what the preview adds: the
note types and deck as loaded, where the file is shown from and linked to. The row keeps
a digest of the latter (`depends`, the caller's) and each card's record as JSON text, one
line each (JSON text has no line break), so reading it is splitting lines. A row that is
unsealed, of another shape, another `depends` or another number of notes is ignored and
its cards rendered again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from factdeck.cache import rows
from factdeck.cache.store import Store
from factdeck.facts.model import NoteSpec

Records = tuple[tuple[str, ...], ...]  # per note of the file, in order: its cards' records


class Header(BaseModel):
    """The row's first line; then one line per card, the notes' cards in order."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    format: rows.Format
    kind: Literal["preview-cards"]
    depends: rows.Digest
    cards: tuple[Annotated[int, Field(ge=0)], ...]  # per note: how many lines are its cards


def get(store: Store, key: str, depends: str, notes: tuple[NoteSpec, ...]) -> Records | None:
    """The records kept for `notes`, the results of `key`, made with `depends`; or None."""
    payload = store.get_preview(key)
    if payload is None:
        return None
    head, _, body = payload.partition(b"\n")
    try:
        header = Header.model_validate_json(head)
        text = body.decode("ascii")  # JSON as json.dumps writes it by default
    except (ValidationError, UnicodeDecodeError):
        return None
    if header.depends != depends or len(header.cards) != len(notes):
        return None
    lines = text.split("\n") if text else []
    if len(lines) != sum(header.cards) or not all(
        line[:1] == "{" and line[-1:] == "}" for line in lines
    ):
        return None
    out, start = [], 0
    for count in header.cards:
        out.append(tuple(lines[start : start + count]))
        start += count
    return tuple(out)


def put(store: Store, key: str, depends: str, records: Sequence[Sequence[str]]) -> None:
    """Keep `records` (per note, its cards' JSON objects) under `key`, made with `depends`."""
    lines = [line for note in records for line in note]
    if not all(line.isascii() and "\n" not in line for line in lines):
        return  # not JSON as json.dumps writes it: rendered each time
    header = Header(
        format=rows.FORMAT,
        kind="preview-cards",
        depends=depends,
        cards=tuple(len(note) for note in records),
    )
    store.put_preview(key, "\n".join([header.model_dump_json(), *lines]))
