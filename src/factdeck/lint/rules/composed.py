"""diagram-composed: a hidden label that the card's visible text spells without naming it.

diagram-giveaway looks for a hidden label's own words; a student also reads word parts
and stems: visible 'sacrum' and 'ilium' compose the hidden 'sacroiliac' (sacr-o-iliac),
'lumbar' and 'sacrum' compose 'lumbosacral', a visible 'sacral' gives away a hidden
'sacrum'. And a nerve's levels are its identifying fact: visible level captions ('L1',
'L2', 'L3') that hold all the levels the deck gives a hidden nerve name it.
Pure: diagrams.py hands in the label, the texts its card shows, and the deck's levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from factdeck.lint.cards import segments, stem
from factdeck.practice.options import normal, variants

_WORD = re.compile(r"[a-z]+")
MIN_PART = 3  # letters a word part shares with the visible word it comes from
MIN_WHOLE = 4  # ... when one visible word alone stands for the hidden one (sacral: sacrum)
ENDING = 2  # letters of ending either word may add to the shared part (-um, -al, -ac)
_LINKS = "oi"  # a compound's linking vowel: sacr-o-iliac, ili-o-lumbar


def compositions(
    label: str, shown: Iterable[tuple[str, str]], generic: frozenset[str]
) -> Iterator[str]:
    """How the visible texts spell each distinctive word of `label` that they do not show
    as such (that is diagram-giveaway's): "'sacroiliac' from 'sacrum' + 'ilium' (the
    header, 'label-ilium')"."""
    seen: dict[str, str] = {}
    for where, text in shown:
        for w in _WORD.findall(text.lower()):
            if len(w) >= MIN_PART:
                seen.setdefault(w, where)
    stems = {stem(w) for w in seen}
    for word in dict.fromkeys(_WORD.findall(label.lower())):
        if word in generic or word in seen or stem(word) in stems:
            continue
        parts = _parts(word, tuple(sorted(seen)))
        if parts:
            places = ", ".join(dict.fromkeys(seen[p] for p in parts))
            yield f"'{word}' from {' + '.join(repr(p) for p in parts)} ({places})"


def _parts(word: str, visible: tuple[str, ...]) -> tuple[str, ...] | None:
    """The fewest visible words whose starts make up `word`, each part allowed an ending of
    its own and a linking vowel after it; one word alone only when it shares MIN_WHOLE
    letters (sacral: sacrum), not a mere start ('ilium' does not make 'iliac')."""

    @cache
    def rest(i: int) -> tuple[str, ...] | None:
        if i == len(word):
            return ()
        best: tuple[str, ...] | None = None
        for v in visible:
            common = _common(word[i:], v)
            if common < MIN_PART or len(v) - common > ENDING + 1:
                continue
            for j in range(i + common, min(len(word), i + common + ENDING) + 1):
                linked = j + 1 if j < len(word) - MIN_PART and word[j] in _LINKS else j
                for k in dict.fromkeys((j, linked)):
                    more = rest(k)
                    if more is not None and (best is None or len(more) + 1 < len(best)):
                        best = (v, *more)
        return best

    found = rest(0)
    if found is None or not found:
        return None
    if len(found) == 1 and _common(word, found[0]) < MIN_WHOLE:
        return None
    return found


def named_levels(
    label: str, levels: Mapping[str, frozenset[tuple[int, int]]]
) -> frozenset[tuple[int, int]]:
    """The levels the deck gives the nerve `label` names, or none."""
    for variant in variants(label):
        found = levels.get(normal(variant))
        if found:
            return found
    return frozenset()


def shown_levels(texts: Iterable[str]) -> frozenset[tuple[int, int]]:
    return frozenset(s for text in texts for s in segments(text))


def _common(a: str, b: str) -> int:
    """How many letters `a` and `b` share from their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
