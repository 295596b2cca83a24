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
from collections import Counter, defaultdict
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
    ids: tuple[int, ...] = ()  # each of `asked`'s repeats.member_digest
    labels: tuple[int, ...] = ()  # the places in `asked` of diagram labels


def check(deck: Deck, cards: tuple[Card, ...]) -> Iterator[Hit]:
    """Every content rule over the deck's cards at once (what file_check and deck_check,
    file by file, must equal)."""
    hits, index = file_check(deck.entries, cards)
    yield from hits
    yield from deck_check(deck, ((index, cards),))[0]


def file_check(
    entries: Iterable[Entry], cards: tuple[Card, ...]
) -> tuple[tuple[Hit, ...], FileIndex]:
    """The findings of the rules of one card or fact at a time over one file's `entries`
    and `cards`, and the file's index for deck_check."""
    entries = tuple(entries)
    hits = tuple(hit for module in FILE_MODULES for hit in module.check(entries, cards))
    used, places = spelling.gather(cards)
    place = {id(card): i for i, card in enumerate(cards)}
    asked = [
        (key, i, tuple(sorted(repeats.cue_of(card))), card)
        for i, card in enumerate(cards)
        if (key := repeats.answer_key(card.answer))
    ]
    return hits, FileIndex(
        asked=tuple((key, i, cue) for key, i, cue, _ in asked),
        mcq=tuple(i for i, card in enumerate(cards) if card.shape == "mcq" and card.choices),
        used=tuple(sorted(used.items())),
        british=tuple((place[id(card)], word, us) for card, word, us in places),
        ids=tuple(repeats.member_digest(card, key, cue) for key, _, cue, card in asked),
        labels=tuple(n for n, (*_, card) in enumerate(asked) if card.shape == "diagram"),
    )


def deck_check(
    deck: Deck,
    files: Iterable[tuple[FileIndex, Sequence[Card]]],
    asked: repeats.Asked | None = None,
) -> tuple[list[Hit], repeats.Asked]:
    """The rules across cards, from each file's index and cards, in deck order; with
    `asked` (the last lint's asked-twice pairs), the same hits, with only the cards new
    since looked up in their groups. Also the asked-twice pairs now."""
    files = tuple(files)
    count = Counter(key for index, _ in files for key, _, _ in index.asked)
    groups: dict[str, list[repeats.Member]] = defaultdict(list)
    for index, cards in files:
        labels = set(index.labels)
        for n, ((key, i, cue), ident) in enumerate(zip(index.asked, index.ids, strict=True)):
            if count[key] > 1:
                groups[key].append(repeats.Member(cards, i, frozenset(cue), ident, n in labels))
    hits, now = repeats.check(deck, tuple(groups.values()), asked)
    hits.extend(choices.check(deck, tuple(cards[i] for index, cards in files for i in index.mcq)))
    british = [(cards[i], word, us) for index, cards in files for i, word, us in index.british]
    wanted = {us for _, _, us in british}  # the deck's counts of these words only
    used = Counter({us: sum(_count(index.used, us) for index, _ in files) for us in wanted})
    hits.extend(spelling.report(used, british))
    return hits, now


def _count(used: tuple[tuple[str, int], ...], word: str) -> int:
    """How often a file writes `word`, from its index's counts (FileIndex.used: each word
    once, sorted)."""
    at = bisect.bisect_left(used, (word,))
    return used[at][1] if at < len(used) and used[at][0] == word else 0
