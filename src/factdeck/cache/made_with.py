"""What a row made from a file's notes depends on besides them: the deck and the note
types as the build loaded them.

A fact file's key covers deck.yaml and the templates as they were read when the build
began; the stages read them again. An edit saved in between is caught at the commit point
(the build runs again), but a row kept before then would be filed under the old inputs'
key while made from the new ones. Rows that depend on the deck or the note types carry
this digest and are ignored when it differs (stamp_memo.py, preview_cards.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from factdeck import installed_version
from factdeck.facts.model import DeckSpec
from factdeck.render.templates import NoteType


def made_with(spec: DeckSpec, note_types: Mapping[str, NoteType]) -> bytes:
    """The deck and its note types as loaded (names, fields, card templates, styling), as
    JSON text: the same for the same inputs in any process."""
    shapes = [
        [t.key, t.name, t.cloze, t.stock_kind, t.field_names, t.asked, t.css, t.report]
        + [t.template_set]
        + [[c.name, c.front, c.back] for c in t.cards]
        for t in sorted(note_types.values(), key=lambda t: t.key)
    ]
    return json.dumps([installed_version(), spec.model_dump(mode="json"), shapes]).encode()


def digest(spec: DeckSpec, note_types: Mapping[str, NoteType]) -> str:
    return hashlib.sha256(made_with(spec, note_types)).hexdigest()
