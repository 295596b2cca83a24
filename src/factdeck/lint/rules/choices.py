"""Multiple-choice questions (practice/) as an exam reviewer reads them, from their backs.

key-position: the right answers' letters unbalanced across the deck (more than one off an
even share), so a test-wise student learns "it is B"; the message says which keys to pin
(`practice: {case: C}`), so no other question moves.
distractor-overlaps-key: a wrong option that contains the key, is contained in it (words,
or spinal levels: 'S1' in 'S1–S3'), or names a part of it or a whole it is part of, by the
relations the facts state: `group`, `is_a`, a nerve's `origin` (a branch of) and `branches`. It is
then defensibly right.
mixed-options: options of different kinds (a nerve among levels, the 'cluneal nerves' among
'spinal nerve branches'): the kind, not the knowledge, picks the answer.
no-belongs-to: a wrong option whose back does not say what it really is ("from L1–L3").
misplaced-field: a fact field shown where it means nothing: "Also accepted" on a multiple-
choice back, whose options are fixed.
Deck-wide, over an index of the deck's names (one pass over the facts).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from factdeck.facts.model import Deck, Fact, Named
from factdeck.lint.cards import Card, Hit, segments
from factdeck.practice.options import LETTERS, normal, overlaps_normal, variants

RULES = {
    "key-position": "multiple-choice keys unbalanced across A–D over the deck",
    "distractor-overlaps-key": "a wrong option that contains, is inside, or is a part or a "
    "whole of the key",
    "mixed-options": "multiple-choice options of different kinds",
    "no-belongs-to": "a wrong option whose back does not say what it belongs to",
    "misplaced-field": "a field shown where it means nothing ('Also accepted' on multiple choice)",
}

_LEVELS_ONLY = re.compile(
    r"^(?:\s|and|or|,|(?:Co|[CTLS])\d{1,2}(?:\s*[–—-]\s*(?:Co|[CTLS])?\d{1,2})?)+$"
)


@dataclass(frozen=True, slots=True)
class _Index:
    """The deck's named facts by every name they go by, and what each is part of."""

    names: dict[str, Fact]  # normal(name) -> fact
    part_of: dict[str, frozenset[str]]  # fact id -> ids of the wholes it is part of (closed)

    def fact(self, text: str) -> Fact | None:
        """The fact an option names: by a name exactly, else the longest name inside it
        ('the dorsal rami of S1–S3' names the dorsal rami)."""
        keys = [normal(v) for v in variants(text)]
        for key in keys:
            if key in self.names:
                return self.names[key]
        for key in keys:  # the longest run of the text's words that is a name
            words = key.split()
            for size in range(len(words) - 1, 0, -1):
                for start in range(len(words) - size + 1):
                    fact = self.names.get(" ".join(words[start : start + size]))
                    if fact is not None:
                        return fact
        return None


def check(deck: Deck, cards: tuple[Card, ...]) -> Iterator[Hit]:
    questions = [c for c in cards if c.shape == "mcq" and c.choices]
    if not questions:
        return
    index = _index(deck)
    facts = {e.fact.id: e.fact for e in deck.entries}
    yield from _positions(questions)
    for card in questions:
        yield from _overlaps(card, index)
        yield from _mixed(card, index)
        for choice in card.choices:
            if not choice.correct and not choice.why:
                yield card.hit(
                    "no-belongs-to",
                    f"wrong option {choice.letter} '{choice.text}' does not say what it "
                    "belongs to on the back; give it a fact of the deck (whose label is "
                    "shown) or pick a wrong option that has one",
                )
        fact = facts.get(card.note.fact_id)
        shown = [a for a in (fact.also_accept if fact else ()) if a in card.extra]
        if shown:
            yield card.hit(
                "misplaced-field",
                f"the back shows 'Also accepted: {', '.join(shown)}', which means nothing "
                "on multiple choice (its options are fixed); leave also_accept off the "
                "multiple-choice back (templates/partials/mcq-extra.html)",
            )


def _positions(questions: list[Card]) -> Iterator[Hit]:
    keyed = [(q, c.letter) for q in questions for c in q.choices if c.correct]
    keys = Counter(letter for _, letter in keyed)
    n = len(keyed)
    share = n / len(LETTERS)
    if n < len(LETTERS) or all(abs(keys[x] - share) <= 1 for x in LETTERS):
        return
    counts = ", ".join(f"{x} {keys[x]}" for x in LETTERS)
    moves = ", ".join(
        f"fact '{q.note.fact_id}' practice: {{{q.note.card_id.removeprefix('practice/')}: {to}}}"
        for q, to in _evened(keyed, keys, share)
    )
    yield keyed[0][0].hit(
        "key-position",
        f"across the deck's {n} multiple-choice questions the key is {counts} (an even share "
        f"is {share:g} each, ±1): a test-wise student learns the letter; pin a few keys, "
        f"e.g. {moves}",
    )


def _evened(
    keyed: list[tuple[Card, str]], keys: Counter[str], share: float
) -> Iterator[tuple[Card, str]]:
    """Questions to move, one at a time from the most used letter to the least, until
    every letter is within one of an even share."""
    counts = Counter({x: keys[x] for x in LETTERS})
    left = {x: [q for q, letter in keyed if letter == x] for x in LETTERS}
    while any(abs(counts[x] - share) > 1 for x in LETTERS):
        most = max(LETTERS, key=lambda x: (counts[x], x))
        least = min(LETTERS, key=lambda x: (counts[x], x))
        question = left[most].pop()
        counts[most] -= 1
        counts[least] += 1
        yield question, least


def _overlaps(card: Card, index: _Index) -> Iterator[Hit]:
    key = next(c for c in card.choices if c.correct)
    key_fact = index.fact(key.text)
    for choice in card.choices:
        if choice.correct:
            continue
        why = _overlap(choice.text, key.text)
        other = index.fact(choice.text)
        if why is None and key_fact and other and key_fact.id != other.id:
            if key_fact.id in index.part_of.get(other.id, ()):
                why = f"part of the key (the facts make '{other.id}' part of '{key_fact.id}')"
            elif other.id in index.part_of.get(key_fact.id, ()):
                why = f"a whole the key is part of ('{key_fact.id}' is part of '{other.id}')"
        if why:
            yield card.hit(
                "distractor-overlaps-key",
                f"wrong option {choice.letter} '{choice.text}' is {why}, so it is "
                f"defensibly right beside the key {key.letter} '{key.text}'; pick a wrong "
                "option that is wrong on its own",
            )


def _overlap(wrong: str, key: str) -> str | None:
    a, b = normal(wrong), normal(key)
    if overlaps_normal(a, b):
        return "inside the key" if len(a) < len(b) else "the key and more"
    levels_a, levels_b = segments(wrong), segments(key)
    if levels_a and levels_b and (levels_a <= levels_b or levels_b <= levels_a):
        return "levels inside the key's" if levels_a <= levels_b else "levels holding the key's"
    return None


def _mixed(card: Card, index: _Index) -> Iterator[Hit]:
    kinds = {c.letter: _kind(c.text, index) for c in card.choices}
    known = {k for k in kinds.values() if k}
    if len(known) > 1:
        shown = ", ".join(f"{x} {kinds[x]}" for x in sorted(kinds) if kinds[x])
        yield card.hit(
            "mixed-options",
            f"options of different kinds ({shown}): the kind, not the knowledge, picks the "
            "answer; give options of the key's kind",
        )


def _kind(text: str, index: _Index) -> str | None:
    """'levels', or a named fact's kind and group ('nerve: cluneal nerves'); None when the
    deck does not say (an option it has no fact for)."""
    if _LEVELS_ONLY.match(text.strip()):
        return "levels"
    fact = index.fact(text)
    if fact is None:
        return None
    group = getattr(fact, "group", None)
    return f"{fact.kind}: {group}" if group else None


def _index(deck: Deck) -> _Index:
    names: dict[str, Fact] = {}
    for entry in deck.entries:
        fact = entry.fact
        if isinstance(fact, Named):
            for name in (fact.name, *fact.aka):
                for variant in variants(name):
                    names.setdefault(normal(variant), fact)
    index = _Index(names, {})
    edges: dict[str, set[str]] = defaultdict(set)
    for entry in deck.entries:
        fact = entry.fact
        for text in _wholes(fact):
            whole = index.fact(text)
            if whole is not None and whole.id != fact.id:
                edges[fact.id].add(whole.id)
        for branch in getattr(fact, "branches", ()):
            part = index.fact(branch)
            if part is not None and part.id != fact.id:
                edges[part.id].add(fact.id)
    return _Index(names, {fact_id: _closure(fact_id, edges) for fact_id in edges})


def _wholes(fact: Fact) -> Iterable[str]:
    # a nerve's origin is a whole it branches from; a muscle's is only where it attaches
    for field in ("group", "is_a", *(("origin",) if fact.kind == "nerve" else ())):
        value = getattr(fact, field, None)
        if value:
            yield value


def _closure(start: str, edges: dict[str, set[str]]) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        here = todo.pop()
        if here not in seen and here != start:
            seen.add(here)
            todo.extend(edges.get(here, ()))
    return frozenset(seen)
