"""Add a deck's "Report a problem" link (`feedback:` in deck.yaml) to every note's back.

The version a link names is the release that shipped the note's current text (the lock's
`rel`), not the deck's version: with the deck's version in every note, each release would
change every note (a new modification time and a line in the release notes for each),
while the release that last changed a note is what triage needs to find the card as the
student saw it. A note that changes gets the deck's version (the release it will ship in).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts.feedback_url import CardRef
from factdeck.facts.model import Deck, NoteSpec
from factdeck.render.report_link import links
from factdeck.render.templates import NOTE_TYPES_DIR, NoteType

Link = Callable[[NoteSpec, str], NoteSpec]  # a note and the version its link names


def linker(
    deck: Deck, notes: Iterable[NoteSpec], note_types: Mapping[str, NoteType]
) -> Link | None:
    """What adds the deck's link to a note (lock.stamp picks the version), or None when
    the deck has no `feedback:`; every note type of `notes` must say where it goes."""
    template = deck.spec.feedback
    if template is None:
        return None
    missing = sorted({n.note_type for n in notes if note_types[n.note_type].report is None})
    if missing:
        raise FactdeckError(
            Problem(
                Location(deck.deck_dir / "deck.yaml"),
                f"'feedback' needs a place on the back of every card, but note type "
                f"'{note_types[key].name}' ({NOTE_TYPES_DIR}/{key}.yaml) names none; add "
                "'report: FIELD' to it (a field only the back shows, e.g. Source)",
            )
            for key in missing
        )
    slug = deck.spec.slug
    return lambda note, version: _with_link(
        note, note_types[note.note_type], template, slug, version
    )


def _with_link(
    note: NoteSpec, note_type: NoteType, template: str, slug: str, version: str
) -> NoteSpec:
    assert note_type.report is not None
    cards = tuple(
        CardRef(deck=slug, version=version, fact=note.fact_id, note=note.guid, card=ord_ + 1)
        for ord_ in note_type.card_ords(note.fields)
    )
    index = note_type.field_names.index(note_type.report)
    fields = list(note.fields)
    fields[index] = fields[index] + str(links(template, cards))  # str: Markup would escape it
    return dataclasses.replace(note, fields=tuple(fields))
