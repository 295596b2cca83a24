"""Content lint rules: wording, cloze give-aways, repeats, multiple choice, sources, spelling,
number; cues (per card).

Each module checks one class of mistake a reviewing instructor would mark, on the cards
as the student reads them (`lint/cards.py`). `check` runs them all; lint/engine.py turns each Hit
into a Finding and applies the facts' `lint:` exceptions as for its own rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from factdeck.facts.model import Deck
from factdeck.lint.cards import Card, Hit
from factdeck.lint.rules import (
    choices,
    clozes,
    cues,
    number,
    repeats,
    sources,
    spelling,
    wording,
)

_MODULES = (wording, clozes, repeats, choices, sources, spelling, number)
# Rules of one card at a time, run by lint/engine.py per card (and cached with its file).
CARD_MODULES = (cues,)
RULES: dict[str, str] = {
    name: text for module in (*_MODULES, *CARD_MODULES) for name, text in module.RULES.items()
}

__all__ = ["RULES", "Hit", "check"]


def check(deck: Deck, cards: tuple[Card, ...]) -> Iterator[Hit]:
    """Every content rule over the deck's cards (lint/cards.study_cards, with mask labels)."""
    for module in _MODULES:
        yield from module.check(deck, cards)
