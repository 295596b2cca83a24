"""The "Report a problem" link (`feedback:` in deck.yaml) on every card's back: plain HTML, no
JavaScript, so that every client opens it (desktop, AnkiDroid, AnkiMobile, AnkiWeb).

The link lives in a field of the note, never in the note type: note types are shared by
every deck of a project (their ids come from the file name), so a deck's URL and version
cannot go into a template. A field is shared by all cards of its note, though, and a
cloze or native occlusion note has one card per number. Such a note gets one link per
card, and a style rule keyed on the class `cardN` that Anki's reviewers put on the card's
body (N = the card's number; read in the sources of the desktop app, aqt/theme.py
body_classes_for_card_ord, and of AnkiDroid) shows only the link of the card on screen.

The version a link names is the release that shipped the note's current text (the lock's
`rel`), not the deck's version: with the deck's version in every note, each release would
change every note (a new modification time and a line in the release notes for each),
while the release that last changed a note is what triage needs to find the card as the
student saw it. A note that changes gets the deck's version (the release it will ship in).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts.feedback_url import CardRef, fill
from factdeck.facts.model import Deck, NoteSpec
from factdeck.render.templates import NOTE_TYPES_DIR, NoteType

LABEL = "Report a problem with this card"
CLASS = "fd-report"
_STYLE = ".fd-report{margin-top:1em;font-size:.8em;text-align:center}"
_LABEL = escape(LABEL)


def links(template: str, cards: tuple[CardRef, ...]) -> Markup:
    """The block added to the back: one link, or one per card with only card N's shown."""
    rule = _STYLE
    if len(cards) > 1:
        shown = ",".join(f".card{c.card} .{CLASS}-{c.card}" for c in cards)
        rule += f".{CLASS} a{{display:none}}{shown}{{display:inline}}"
    # str formatting with the URL escaped: what Markup.format makes, at a fraction of its
    # cost (every card of a deck with `feedback:` gets a link at every build)
    anchors = "".join(
        f'<a class="{CLASS}-{c.card}" href="{escape(fill(template, c))}">{_LABEL}</a>'
        for c in cards
    )
    return Markup(f'<div class="{CLASS}"><style>{rule}</style>{anchors}</div>')


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
