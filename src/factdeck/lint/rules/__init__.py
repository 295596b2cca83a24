"""Content lint rules: wording, cloze give-aways, repeats, multiple choice, sources, spelling,
number; cues (per card).

Each module checks one class of mistake a reviewing instructor would mark, on the cards
as the student reads them (`lint/cards.py`); lint/engine.py turns each Hit into a Finding
and applies the facts' `lint:` exceptions as for its own rules. The rules that read one
card or fact at a time run per fact file (`file_check`, cached with the file); the rules
that compare cards across the deck run over what each file's index kept (`deck_check`),
reading only the cards that can collide: those sharing an answer, and multiple choice.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from factdeck.facts.model import Deck, Entry
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

FILE_MODULES = (wording, clozes, sources, number)  # check(entries, cards): per file
DECK_MODULES = (repeats, choices, spelling)  # across the deck: deck_check
# Rules of one card at a time, run by lint/engine.py per card (and cached with its file).
CARD_MODULES = (cues,)
RULES: dict[str, str] = {
    name: text
    for module in (*FILE_MODULES, *DECK_MODULES, *CARD_MODULES)
    for name, text in module.RULES.items()
}

__all__ = ["RULES", "FileIndex", "Hit", "check", "deck_check", "file_check"]


@dataclass(frozen=True, slots=True)
class FileIndex:
    """What the rules across cards need of one file, each card by its place in the file's
    cards: plain data, kept with the file in the build cache."""

    asked: tuple[tuple[str, int, tuple[str, ...]], ...] = ()  # (answer key, card, cue): repeats
    mcq: tuple[int, ...] = ()  # the multiple-choice cards, for choices
    used: tuple[tuple[str, int], ...] = ()  # how often each word is written, sorted: spelling
    british: tuple[tuple[int, str, str], ...] = ()  # (card, word, US spelling), for spelling


def check(deck: Deck, cards: tuple[Card, ...]) -> Iterator[Hit]:
    """Every content rule over the deck's cards at once (what file_check and deck_check,
    file by file, must equal)."""
    hits, index = file_check(deck.entries, cards)
    yield from hits
    yield from deck_check(deck, ((index, cards),))


def file_check(
    entries: Iterable[Entry], cards: tuple[Card, ...]
) -> tuple[tuple[Hit, ...], FileIndex]:
    """The findings of the rules of one card or fact at a time over one file's `entries`
    and `cards`, and the file's index for deck_check."""
    entries = tuple(entries)
    hits = tuple(hit for module in FILE_MODULES for hit in module.check(entries, cards))
    used, places = spelling.gather(cards)
    place = {id(card): i for i, card in enumerate(cards)}
    asked = ((repeats.answer_key(card.answer), i, card) for i, card in enumerate(cards))
    return hits, FileIndex(
        asked=tuple((key, i, tuple(sorted(repeats.cue_of(card)))) for key, i, card in asked if key),
        mcq=tuple(i for i, card in enumerate(cards) if card.shape == "mcq" and card.choices),
        used=tuple(sorted(used.items())),
        british=tuple((place[id(card)], word, us) for card, word, us in places),
    )


def deck_check(deck: Deck, files: Iterable[tuple[FileIndex, Sequence[Card]]]) -> Iterator[Hit]:
    """The rules across cards, from each file's index and cards, in deck order."""
    files = tuple(files)
    count = Counter(key for index, _ in files for key, _, _ in index.asked)
    shared = [
        (cards[i], frozenset(cue))
        for index, cards in files
        for key, i, cue in index.asked
        if count[key] > 1
    ]
    yield from repeats.check(
        deck, tuple(card for card, _ in shared), tuple(cue for _, cue in shared)
    )
    yield from choices.check(deck, tuple(cards[i] for index, cards in files for i in index.mcq))
    british = [(cards[i], word, us) for index, cards in files for i, word, us in index.british]
    wanted = {us for _, _, us in british}  # the deck's counts of these words only
    used = Counter({us: sum(_count(index.used, us) for index, _ in files) for us in wanted})
    yield from spelling.report(used, british)


def _count(used: tuple[tuple[str, int], ...], word: str) -> int:
    """How often a file writes `word`, from its index's counts (FileIndex.used: each word
    once, sorted)."""
    at = bisect.bisect_left(used, (word,))
    return used[at][1] if at < len(used) and used[at][0] == word else 0
