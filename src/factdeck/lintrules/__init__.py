"""Content lint rules (issue #12): wording, cloze give-aways, repeats, sources, spelling, number.

Each module checks one class of mistake a reviewing instructor would mark, on the cards
as the student reads them (`views.View`). `check` runs them all; lint.py turns each Hit
into a Finding and applies the facts' `lint:` exceptions as for its own rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ..model import Deck, NoteSpec
from ..templates import NoteType
from . import clozes, number, repeats, sources, spelling, wording
from .views import Hit, views

_MODULES = (wording, clozes, repeats, sources, spelling, number)
RULES: dict[str, str] = {name: text for module in _MODULES for name, text in module.RULES.items()}

__all__ = ["RULES", "Hit", "check"]


def native_labels(deck: Deck) -> dict[str, tuple[str, ...]]:
    """Each diagram fact's mask labels in card order: a native occlusion note asks them all
    from one note, so they are read from the drawing, not from its fields."""
    from ..model import Diagram
    from ..occlusion import provider

    return {e.fact.id: tuple(m.answer for m in provider(e, deck).context["masks"])
            for e in deck.entries if isinstance(e.fact, Diagram)}


def check(deck: Deck, notes: Iterable[NoteSpec], note_types: Mapping[str, NoteType]
          ) -> Iterator[Hit]:
    cards = tuple(views(notes, note_types, native_labels(deck)))
    for module in _MODULES:
        yield from module.check(deck, cards)
