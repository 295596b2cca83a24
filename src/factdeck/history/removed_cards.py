"""A card whose list item or mask was taken out (`~`), or whose answer a correction moved
to a new number (history/corrections.py), shows a notice to the students who have it, and
nobody else ever gets it.

Anki makes cloze cards (on import and in Tools > Check Database) from the cloze numbers in
the note's fields only (rslib notetype/cardgen.rs, `new_cards_required_cloze`), but renders
card N without its "No cloze N found on card" error when any entry of the render's field
map holds cloze N (rslib template.rs, `cloze_is_empty`), and that map includes the note's
Tags (notetype/render.rs, `add_special_fields`); 23.10 and 26.09 alike. So the note keeps
one tag per taken-out number, `factdeck::removed::{{cN::N}}`: a student's existing card N
renders, its cloze empty, and the note type's CSS puts the notice there
(`.fd-cloze:empty::after`); a new student's Anki, which has no card N, never makes one.
Measured in tests/engine/test_list_identity_anki.py and test_engine_matrix_anki.py.
"""

from __future__ import annotations

import dataclasses

from factdeck.facts.model import NoteSpec
from factdeck.history.lockfile import Lock
from factdeck.history.numbering import shipped_numbers
from factdeck.render.templates import NoteType

REMOVED_TAG = "factdeck::removed::"


def removed_tag(number: int) -> str:
    """The tag that lets a student's card `number` render its notice (module docstring)."""
    return f"{REMOVED_TAG}{{{{c{number}::{number}}}}}"


def tagged(note: NoteSpec, note_type: NoteType, old: Lock) -> NoteSpec:
    """The note with a tag for each card number a release shipped and it no longer asks (a
    number only a build had, or a gap between items, reached no student: tagging it would
    change the note at the next build with nothing edited)."""
    if not note_type.cloze:
        return note
    asked = {ord_ + 1 for ord_ in note_type.card_ords(note.fields)}
    gone = sorted(shipped_numbers(old, note.guid) - asked)
    if not gone:
        return note
    return dataclasses.replace(note, tags=(*note.tags, *map(removed_tag, gone)))
