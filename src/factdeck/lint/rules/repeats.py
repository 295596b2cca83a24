"""asked-twice: one fact asked by two notes, in any shapes (Q/A, cloze, diagram label,
multiple choice); label-twice: one label asked on two figures.

Two cards ask the same thing when they want the same answer from the same cue: the
answers are equal (after normalising), and the cues share at least two content stems,
CUE_OVERLAP of the smaller cue (the answer's own words left out). A diagram label's cue
is the diagram's header, which must be mostly shared both ways; two diagrams are two
different cues (two pictures), so labels repeated across figures are label-twice's: the
student learns the label once, on the figure that shows it best. Notes of one fact ask
different fields by design and never pair (a practice question asks a fact's field again
on purpose, in the practice sub-deck). An exception on either fact of
a pair (`lint: {asked-twice: "why they differ"}`) covers the pair.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from factdeck.facts.model import Deck
from factdeck.lint.cards import STOP_WORDS, Card, Hit, stem

RULES = {
    "asked-twice": "one answer asked from the same cue by two notes (Q/A, cloze, diagram, "
    "multiple choice)",
    "label-twice": "one label asked on two figures",
}

CUE_OVERLAP = 0.6  # share of the smaller cue's content stems found in the other cue
_CUE_WORD = re.compile(r"[a-z0-9][a-z0-9–-]*")  # "l1–l3" is a cue word
_PARENS = re.compile(r"\s*\([^)]*\)")
_ASKING = {"which", "what", "kind", "name", "call", "give", "explain", "mean", "describe"}


class Member(NamedTuple):
    """One card of a group, as the rules across files keep it (lint/rules/__init__.py's
    index): the file's cards and its place there (made only if it is paired or a label),
    its cue, its member digest, and whether it is a diagram label."""

    cards: Sequence[Card]
    place: int
    cue: frozenset[str]
    digest: int
    label: bool


@dataclass(frozen=True, slots=True)
class Asked:
    """The last lint's asked-twice pairs by member digest: whether two cards are the same
    ask depends on nothing but what the digest covers (member_digest), so pairs of cards
    still there are still pairs; only the new cards are looked up in their groups."""

    members: frozenset[int] = frozenset()
    pairs: frozenset[tuple[int, int]] = frozenset()


def check(
    deck: Deck, groups: Sequence[Sequence[Member]], last: Asked | None = None
) -> tuple[list[Hit], Asked]:
    """The hits of each group of cards sharing one answer (answer_key), and the pairs now;
    with `last`, the same hits, looking up only cards that are not among its members."""
    excused = {e.fact.id for e in deck.entries if "asked-twice" in e.fact.lint}
    kept = _kept(groups, last)
    hits: list[Hit] = []
    pairs: set[tuple[int, int]] = set()
    for g, group in enumerate(groups):

        def card(i: int, group: Sequence[Member] = group) -> Card:
            return group[i].cards[group[i].place]

        hits.extend(_labels_twice([card(i) for i, m in enumerate(group) if m.label]))
        cues = [m.cue for m in group]
        probe = (
            None
            if last is None
            else [i for i, m in enumerate(group) if m.digest not in last.members]
        )
        found = set(kept.get(g, ()))
        for i, j in _sharing(cues, probe) if probe is None or probe else ():
            a, b = card(i), card(j)
            if not (
                a.note.fact_id == b.note.fact_id
                or a.shape == b.shape == "diagram"
                or not _same_cue(cues[i], cues[j], "diagram" in (a.shape, b.shape))
            ):
                found.add((i, j))
        for i, j in sorted(found):
            pairs.add((group[i].digest, group[j].digest))
            for this, other in _sides(card(i), card(j), excused):
                hits.append(
                    this.hit(
                        "asked-twice",
                        f"asks '{this.answer}' as fact "
                        f"'{other.note.fact_id}' note '{other.note.card_id}' "
                        f"({other.shape}) does: '{this.question}'; keep one of them",
                    )
                )
    members = frozenset(m.digest for group in groups for m in group)
    return hits, Asked(members, frozenset(pairs))


def member_digest(card: Card, key: str, cue: Iterable[str]) -> int:
    """A card as asked-twice pairs it, in 64 bits (stable across runs): which card, and all
    that decides whether it asks what another card asks (answer, cue, fact and shape)."""
    note = card.note
    parts = (note.guid, str(card.number), card.shape, note.fact_id, key, *sorted(cue))
    data = "\x1f".join(parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _kept(
    groups: Sequence[Sequence[Member]], last: Asked | None
) -> dict[int, set[tuple[int, int]]]:
    """The pairs of `last` whose two cards are both still there, by group and places."""
    if last is None:
        return {}
    where: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for g, group in enumerate(groups):
        for i, member in enumerate(group):
            where[member.digest].append((g, i))
    kept: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for a, b in last.pairs:
        for g, i in where.get(a, ()):
            for h, j in where.get(b, ()):
                if g == h and i != j:
                    kept[g].add((min(i, j), max(i, j)))
    return kept


def cue_of(card: Card) -> frozenset[str]:
    """The card's cue as compared: its question's content stems, the answer's left out."""
    return frozenset(_cue(card.question) - _cue(card.answer))


def _labels_twice(labels: list[Card]) -> Iterator[Hit]:
    figures = sorted({c.note.fact_id for c in labels})
    if len(figures) < 2:
        return
    for card in labels:
        others = ", ".join(f"'{f}'" for f in figures if f != card.note.fact_id)
        mask = f"mask {card.number}" if card.number else "its mask"
        yield card.hit(
            "label-twice",
            f"{mask} asks '{card.answer}', which figure {others} asks too; ask each label "
            "on one figure (leave it unmasked on the other, or retire that mask with ~)",
        )


def _sharing(
    cues: Sequence[frozenset[str]], probe: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """The pairs (i < j) of cues that can be the same cue (_same_cue, either way): sharing
    `_needed` stems of the smaller, without comparing every pair (a group of one answer
    can hold thousands of cards). Prefix filtering: with the stems ranked rarest first, a
    cue of n stems that must share k of them with a partner shares one of its first
    n − k + 1, so only partners holding one of those are compared. With `probe`, only the
    pairs with a cue in `probe`, each probed cue against every cue sharing a stem."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i, cue in enumerate(cues):
        for s in cue:
            holders[s].append(i)
    found: set[tuple[int, int]] = set()
    if probe is not None:
        probed = set(probe)
        for i in probe:
            for j in {j for s in cues[i] for j in holders[s]}:
                needed = _needed(min(len(cues[i]), len(cues[j])))
                if (
                    j != i
                    and not (j < i and j in probed)
                    and needed is not None
                    and len(cues[i] & cues[j]) >= needed
                ):
                    found.add((min(i, j), max(i, j)))
        return sorted(found)
    frequency = Counter(s for cue in cues for s in cue)
    for i, cue in enumerate(cues):
        needed = _needed(len(cue))
        if needed is None:
            continue
        ranked = sorted(cue, key=lambda s: (frequency[s], s))
        for s in ranked[: len(cue) - needed + 1]:
            for j in holders[s]:
                # probed from the smaller cue (ties: the earlier), whose prefix is enough
                if (len(cues[j]), j) > (len(cue), i) and len(cue & cues[j]) >= needed:
                    found.add((min(i, j), max(i, j)))
    return sorted(found)


@functools.cache
def _needed(size: int) -> int | None:
    """The fewest shared stems _same_cue accepts when the smaller cue has `size` (None:
    none will do)."""
    return next((k for k in range(2, size + 1) if k / size >= CUE_OVERLAP), None)


def _sides(a: Card, b: Card, excused: set[str]) -> tuple[tuple[Card, Card], ...]:
    """Both cards are told, unless one fact's `lint: {asked-twice: why}` justifies the pair:
    then only that side is (where the exception silences it), not the partner."""
    for this, other in ((a, b), (b, a)):
        if this.note.fact_id in excused:
            return ((this, other),)
    return ((a, b), (b, a))


def answer_key(answer: str) -> str:
    text = _PARENS.sub("", answer.lower()).strip(" .!?")
    return " ".join(text.removeprefix("the ").split())


def _cue(question: str) -> set[str]:
    return {
        stem(w)
        for w in _CUE_WORD.findall(question.lower())
        if w not in STOP_WORDS and w not in _ASKING and len(w) > 1
    }


def _same_cue(a: frozenset[str], b: frozenset[str], whole: bool) -> bool:
    """`whole`: a diagram's header describes the figure, not one label; so both cues must
    be mostly shared, not only the smaller one."""
    shared = len(a & b)
    size = max(len(a), len(b)) if whole else min(len(a), len(b))
    return shared >= 2 and shared / size >= CUE_OVERLAP
