"""Questions a student cannot answer with one defensible answer, or cannot read alone.

vague-question: "one possible …", "what can …", "one of the …", "the first step in …" admit
several right answers, so the card grades recall of the card, not of the fact.
negative-question: "which is NOT …" trains the wrong association and is easy to misread.
no-antecedent: "Other …", "Another …", "the nerves …", "this ligament" point at something
the card never named; in a shuffled review nothing came before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from factdeck.facts.model import Entry
from factdeck.lint.cards import Card, Hit, stem, tokens

RULES = {
    "vague-question": "a question with several defensible answers ('one possible', 'what can')",
    "negative-question": "a question asked in the negative (not, never, except)",
    "no-antecedent": "'Other …', 'this ligament', 'the nerves' with nothing named before it",
}

_VAGUE = re.compile(
    r"\b(?:one|a|some) possible\b|\bwhat (?:can|could|might)\b|\bone of the\b"
    r"|\b(?:first|next|last) step (?:in|of|to)\b|\bname (?:one|a|an|some)\b"
    r"|\bwhat (?:is|are) (?:one|some)\b|\ban example of\b|\bgive an example\b"
    r"|\bwhat else\b|\bfor example\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:not|never|except|cannot|none|neither|nor|least likely)\b|n't\b", re.IGNORECASE
)
# Openings that always refer back: a card has nothing before its first word. (Pronoun
# openings, "This …", "They …", are the unnamed-subject rule's.)
_BACK_REFERENCE_OPENINGS = {
    "other",
    "another",
    "such",
    "both",
    "similar",
    "same",
    "former",
    "latter",
}
# Nouns a card must qualify ("the superior cluneal nerves"), never use bare ("the nerves").
GENERIC_NOUNS = {
    "nerve",
    "nerves",
    "ramus",
    "rami",
    "branch",
    "branches",
    "root",
    "roots",
    "fiber",
    "fibers",
    "fibre",
    "fibres",
    "muscle",
    "muscles",
    "ligament",
    "ligaments",
    "tendon",
    "tendons",
    "structure",
    "structures",
    "tissue",
    "tissues",
    "condition",
    "conditions",
    "technique",
    "techniques",
    "area",
    "region",
    "site",
    "sites",
    "layer",
    "layers",
    "bone",
    "bones",
    "joint",
    "joints",
}
_POINTERS = {"the", "this", "these", "those", "such", "said"}
_QUALIFIED_AFTER = {"of", "from", "that", "which", "who", "in", "at", "to", "supplied", "named"}


def check(entries: Iterable[Entry], cards: Iterable[Card]) -> Iterator[Hit]:
    for card in cards:
        if card.shape == "diagram":
            continue
        match = _VAGUE.search(card.question)
        if match:
            yield card.hit(
                "vague-question",
                f"'{match.group()}' admits several answers: "
                f"'{card.question}'; ask for the one thing the fact states",
            )
        if card.shape == "qa":
            match = _NEGATIVE.search(card.question)
            if match:
                yield card.hit(
                    "negative-question",
                    f"asked in the negative ('{match.group()}'):"
                    f" '{card.question}'; ask what is true instead",
                )
        yield from _antecedents(card)


def _antecedents(card: Card) -> Iterator[Hit]:
    first = (tokens(card.question) or [""])[0]
    if first in _BACK_REFERENCE_OPENINGS:
        yield card.hit(
            "no-antecedent",
            f"opens with '{first}', which refers to something "
            f"the card never named: '{card.question}'; name it",
        )
    said = f"{card.question} \n {card.answer} \n {card.extra}"
    words = [(m.start(), m.group().lower()) for m in re.finditer(r"[A-Za-z]+", said)]
    for index, (start, word) in enumerate(words):
        if word not in _POINTERS or index + 1 >= len(words):
            continue
        head = index + 1  # "the nerve root": the head noun is the last of a run of nouns
        if words[head][1] not in GENERIC_NOUNS:
            continue
        while head + 1 < len(words) and words[head + 1][1] in GENERIC_NOUNS:
            head += 1
        noun = words[head][1]
        if word == "the" and head + 1 < len(words) and words[head + 1][1] in _QUALIFIED_AFTER:
            continue  # "the nerves of the buttock", "the nerves that cross …"
        if _named_elsewhere(noun, words, index, head):
            continue
        place = (
            "question"
            if start < len(card.question)
            else "answer"
            if start < len(card.question) + len(card.answer) + 4
            else "extra"
        )
        phrase = " ".join(w for _, w in words[index : head + 1])
        yield card.hit(
            "no-antecedent",
            f"'{phrase}' in the {place}: the card names no "
            f"{noun} it could mean; say which {noun}, by name",
        )


def _named_elsewhere(noun: str, words: list[tuple[int, str]], first: int, last: int) -> bool:
    """The noun also appears qualified elsewhere on the card ("paraspinal muscle")."""
    target = stem(noun)
    for i, (_, word) in enumerate(words):
        if first <= i <= last or word[:3] != noun[:3] or stem(word) != target:
            continue
        if i == 0 or words[i - 1][1] not in _POINTERS:
            return True
    return False
