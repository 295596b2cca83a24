"""The "Report a problem" link on a card's back: plain HTML, no JavaScript, so that every
client opens it (desktop, AnkiDroid, AnkiMobile, AnkiWeb).

The link lives in a field of the note, never in the note type: note types are shared by
every deck of a project (their ids come from the file name), so a deck's URL and version
cannot go into a template. A field is shared by all cards of its note, though, and a
cloze or native occlusion note has one card per number. Such a note gets one link per
card, and a style rule keyed on the class `cardN` that Anki's reviewers put on the card's
body (N = the card's number; read in the sources of the desktop app, aqt/theme.py
body_classes_for_card_ord, and of AnkiDroid) shows only the link of the card on screen.
"""

from __future__ import annotations

from markupsafe import Markup

from factdeck.facts.feedback_url import CardRef, fill

LABEL = "Report a problem with this card"
CLASS = "fd-report"
_STYLE = ".fd-report{margin-top:1em;font-size:.8em;text-align:center}"


def links(template: str, cards: tuple[CardRef, ...]) -> Markup:
    """The block added to the back: one link, or one per card with only card N's shown."""
    rule = _STYLE
    if len(cards) > 1:
        shown = ",".join(f".card{c.card} .{CLASS}-{c.card}" for c in cards)
        rule += f".{CLASS} a{{display:none}}{shown}{{display:inline}}"
    anchors = Markup("").join(
        Markup('<a class="{}-{}" href="{}">{}</a>').format(CLASS, c.card, fill(template, c), LABEL)
        for c in cards
    )
    return Markup('<div class="{}"><style>{}</style>{}</div>').format(CLASS, Markup(rule), anchors)
