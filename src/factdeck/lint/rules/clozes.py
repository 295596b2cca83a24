"""Clozes that give themselves away.

cloze-giveaway: every word hidden on a card also shows, in some form, in what the card
leaves visible ("{{c1::sensory}} fibers carry sensation").
cloze-opposites: a hidden word whose opposite shows in the same sentence, or two sibling
clozes of one sentence that are a pair of opposites (each half guesses the other).
answer-in-question: a Q/A card whose every answer word is already in its question: it is
answered by its own wording (a choice, "… A or B?", names its answer on purpose).
cloze-set: sibling clozes listed in one sentence as members of one family ("medial
branch, lateral branch"): each is guessed from the visible rest. Ask the set from its
cue instead (one note per member, or a question per member).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from factdeck.facts.model import Entry
from factdeck.lint.cards import Card, Hit, clozes, content_words, same_stem, stem, tokens
from factdeck.lint.rules.wording import GENERIC_NOUNS
from factdeck.render.html import plain

RULES = {
    "cloze-giveaway": "a cloze whose hidden words also show in the rest of the card",
    "cloze-opposites": "a cloze whose opposite shows in the sentence, or sibling opposites",
    "cloze-set": "sibling clozes of one sentence listing one family, each guessed from the rest",
    "answer-in-question": "a Q/A card whose answer words all show in its question",
}

_PAIRS = [
    ("superior", "inferior"),
    ("medial", "lateral"),
    ("anterior", "posterior"),
    ("dorsal", "ventral"),
    ("motor", "sensory"),
    ("left", "right"),
    ("proximal", "distal"),
    ("superficial", "deep"),
    ("upper", "lower"),
    ("flexion", "extension"),
    ("flexor", "extensor"),
    ("increase", "decrease"),
    ("acute", "chronic"),
    ("internal", "external"),
    ("afferent", "efferent"),
    ("sympathetic", "parasympathetic"),
    ("contract", "relax"),
    ("cranial", "caudal"),
    ("ascending", "descending"),
    ("above", "below"),
    ("before", "after"),
    ("active", "passive"),
    ("origin", "insertion"),
    ("ipsilateral", "contralateral"),
]
OPPOSITES: dict[str, str] = {**dict(_PAIRS), **{b: a for a, b in _PAIRS}}
_GENERIC = {stem(noun) for noun in GENERIC_NOUNS}  # "… muscles, … muscles" is no family
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|/|;)\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def check(entries: Iterable[Entry], cards: Iterable[Card]) -> Iterator[Hit]:
    for card in cards:
        if card.shape == "qa":
            yield from _answered_by_question(card)
        if card.shape != "cloze":
            continue
        deletions = clozes(card.text)
        yield from _giveaway(card)
        yield from _visible_opposite(card, deletions)
        if card.number == min(n for n, *_ in deletions):  # once per note
            yield from _siblings(card, deletions)


def _giveaway(card: Card) -> Iterator[Hit]:
    shown = content_words(card.visible)
    hidden = [w for h in card.hidden for w in content_words(h)]
    clues = [
        next((v for v in shown if v[:4] == w[:4] and same_stem(stem(w), stem(v))), None)
        for w in hidden
    ]  # (stems that match share their first letters: stem fewer words)
    if hidden and all(clues):
        given = ", ".join(dict.fromkeys(c for c in clues if c))
        yield card.hit(
            "cloze-giveaway",
            f"c{card.number} hides '{card.answer}', but "
            f"'{given}' shows in the rest: '{card.question}'; hide a word "
            "the sentence does not imply, or reword the sentence",
        )


def _answered_by_question(card: Card) -> Iterator[Hit]:
    if re.search(r"\bor\b[^?]*\?\s*$", card.question):
        return  # a choice ("… the dorsal roots or the dorsal rami?") names its answer on purpose
    asked = {stem(w) for w in content_words(card.question)}  # same stems only: a question
    answer = content_words(card.answer)  # may rightly name a neighbour ("sacroiliac": sacrum)
    if answer and all(stem(w) in asked for w in answer):
        yield card.hit(
            "answer-in-question",
            f"every word of the answer '{card.answer}' is in "
            f"the question: '{card.question}'; ask for what the question does not "
            "already say",
        )


def _visible_opposite(card: Card, deletions: list[tuple[int, str, int, int]]) -> Iterator[Hit]:
    sentences = _sentence_numbers(card.text, deletions)
    for (number, hidden, _, _), sentence in zip(deletions, sentences, strict=True):
        if number != card.number:
            continue
        # words outside every deletion: an opposite in a sibling cloze is `_siblings`'
        # finding, once per pair (it was also one finding per card here: three for a pair)
        shown = set(tokens(plain(_sentence_text(card.text, deletions, sentence), limit=None)))
        for word in tokens(plain(hidden, limit=None)):
            if OPPOSITES.get(word) in shown:
                yield card.hit(
                    "cloze-opposites",
                    f"c{card.number} hides '{word}' while its "
                    f"opposite '{OPPOSITES[word]}' shows: '{card.question}'; hide "
                    "both in one deletion, or split the contrast into two cards",
                )


def _siblings(card: Card, deletions: list[tuple[int, str, int, int]]) -> Iterator[Hit]:
    sentence = _sentence_numbers(card.text, deletions)
    by_sentence: dict[int, list[tuple[int, str, int, int]]] = {}
    for deletion, number in zip(deletions, sentence, strict=True):
        by_sentence.setdefault(number, []).append(deletion)
    for group in by_sentence.values():
        numbers = {d[0] for d in group}
        if len(numbers) < 2:
            continue
        words = {d[0]: set(tokens(plain(d[1], limit=None))) for d in group}
        for a in sorted(numbers):
            for b in sorted(numbers):
                pair = next((w for w in words[a] if OPPOSITES.get(w) in words[b]), None)
                if a < b and pair:
                    yield card.hit(
                        "cloze-opposites",
                        f"c{a} and c{b} hide '{pair}' and "
                        f"'{OPPOSITES[pair]}' in one sentence: each guesses the "
                        "other; hide the pair in one deletion",
                    )
        yield from _family(card, group)


def _family(card: Card, group: list[tuple[int, str, int, int]]) -> Iterator[Hit]:
    """A run of sibling clozes joined only by list separators, sharing a head word."""
    run = [group[0]]
    runs = []
    for deletion in group[1:]:
        between = card.text[run[-1][3] : deletion[2]]
        if _SEPARATOR.fullmatch(between) and deletion[0] != run[-1][0]:
            run.append(deletion)
        else:
            runs.append(run)
            run = [deletion]
    runs.append(run)
    for members in runs:
        if len(members) < 2:
            continue
        words = [content_words(plain(m[1], limit=None)) for m in members]
        if not set.intersection(*({w[:3] for w in ws} for ws in words)):
            continue  # no word in common, not even its start: no need to stem
        shared = set.intersection(*({stem(w) for w in ws} for ws in words)) - _GENERIC
        if shared:
            items = ", ".join(plain(m[1], limit=None) for m in members)
            yield card.hit(
                "cloze-set",
                f"sibling clozes list one family ({items}): each is "
                "guessed from the visible rest; ask each member from its own cue",
            )


def _sentence_text(text: str, deletions: list[tuple[int, str, int, int]], number: int) -> str:
    """The words of sentence `number` outside every deletion."""
    masked = _masked(text, deletions, " ")
    return _SENTENCE_END.split(masked)[number] if number < len(_SENTENCE_END.split(masked)) else ""


def _masked(text: str, deletions: list[tuple[int, str, int, int]], fill: str) -> str:
    chars = list(text)
    for _, _, start, end in deletions:
        chars[start:end] = fill * (end - start)
    return "".join(chars)


def _sentence_numbers(text: str, deletions: list[tuple[int, str, int, int]]) -> list[int]:
    """For each deletion, the index of its sentence (ends inside clozes do not count)."""
    flat = _masked(text, deletions, "x")
    return [len(_SENTENCE_END.findall(flat[:start])) for _, _, start, _ in deletions]
