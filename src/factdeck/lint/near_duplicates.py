"""Every pair of word sequences at least `threshold` alike, without comparing every pair.

Likeness is difflib's ratio over words, 2·matches / (len a + len b). Matches never exceed
the two sequences' shared words (as multisets), so a pair can only reach the threshold if
its overlap does: that is a Dice similarity join, solved exactly by prefix filtering
(Chaudhuri et al. 2006; Xiao et al., "Efficient similarity joins for near duplicate
detection", 2008). Words are ranked rarest first; a sequence of n words that needs at least
α shared words with any partner is indexed under its first n − α + 1 ranked words, and two
sequences that share α words share one of those. Only pairs that meet in the index are
compared, so a curriculum of distinct questions costs about one lookup per word.

The result is exactly the all-pairs result (tests/test_near_duplicates.py checks it against
brute force on random decks), and `probe` restricts it to pairs touching some sequences:
an incremental lint compares only changed cards against the index of all of them.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence

Words = tuple[str, ...]
# Probing this few sequences (per sequence in all) is cheaper by a plain scan than by
# building the index; measured on the benchmark's curriculum.
SCAN_COST = 64


def alike(a: Words, b: Words, threshold: float) -> bool:
    """difflib's ratio over words is at least `threshold` (cheap upper bounds first)."""
    return _alike(a, b, frozenset(_tokens(a)), frozenset(_tokens(b)), threshold)


def pairs(
    keys: Sequence[Words], threshold: float, probe: Collection[int] | None = None
) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) whose similarity is at least `threshold`, in no promised order.

    With `probe`, only pairs with at least one index in `probe`.
    """
    probe = None if probe is None else set(probe)
    if probe is not None and len(probe) * SCAN_COST < len(keys):
        yield from _scan(keys, threshold, probe)
        return
    tokens = [_tokens(words) for words in keys]
    frequency = Counter(token for own in tokens for token in own)
    rank = {token: r for r, token in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
    ranked = [sorted(rank[token] for token in own) for own in tokens]  # rarest first
    sets = [frozenset(own) for own in ranked]
    # Each indexed word under its sequence's length and its place there: a lookup reads
    # only the partners the length and positional filters let through.
    index: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, own in enumerate(ranked):
        for position, token in enumerate(own[: _prefix(len(own), threshold)]):
            index[token, len(own), position].append(i)
    empty = [i for i, own in enumerate(ranked) if not own]
    wanted = range(len(keys)) if probe is None else sorted(probe)
    for i in wanted:
        own = ranked[i]
        met: set[int] = {i}
        candidates = [j for j in empty if j != i] if not own else []
        for token, partners in zip(own, _partners(len(own), threshold), strict=False):
            for other, other_position in partners:
                for j in index.get((token, other, other_position), ()):
                    if j not in met:
                        met.add(j)
                        candidates.append(j)
        for j in candidates:
            if j < i and (probe is None or j in probe):
                continue  # found when j was probed
            if _alike(keys[i], keys[j], sets[i], sets[j], threshold):
                yield (i, j) if i < j else (j, i)


def _scan(
    keys: Sequence[Words], threshold: float, probe: Collection[int]
) -> Iterator[tuple[int, int]]:
    """A few sequences against all: one pass each, cheaper than building the index."""
    sets: dict[int, frozenset[str]] = {}

    def tokens(j: int) -> frozenset[str]:
        if j not in sets:
            sets[j] = frozenset(_tokens(keys[j]))
        return sets[j]

    low, high = threshold / (2 - threshold), (2 - threshold) / threshold
    for i in sorted(probe):
        size = len(keys[i])
        for j, other in enumerate(keys):
            if j == i or (j < i and j in probe):
                continue
            if size and not low * size - 1e-9 <= len(other) <= high * size + 1e-9:
                continue  # too short or too long to be alike
            if _alike(keys[i], other, tokens(i), tokens(j), threshold):
                yield (i, j) if i < j else (j, i)


def _tokens(words: Words) -> list[str]:
    """A multiset as a set: the k-th repeat of a word is its own token."""
    if len(set(words)) == len(words):
        return list(words)
    count: Counter[str] = Counter()
    out = []
    for word in words:
        out.append(f"{word}\0{count[word]}" if count[word] else word)
        count[word] += 1
    return out


def _prefix(size: int, threshold: float) -> int:
    """How many of a sequence's rarest words to index: size − α + 1, with α the fewest
    shared words any partner at `threshold` needs, rounded down so no pair is lost."""
    needed = math.floor(threshold * size / (2 - threshold) * (1 - 1e-9))
    return min(size, size - max(needed, 1) + 1)


@functools.cache
def _partners(size: int, threshold: float) -> tuple[tuple[tuple[int, int], ...], ...]:
    """For each indexed word of a sequence of `size` words, by its place, where a partner
    can hold it (the partner's length, the word's place there) and still be alike: not too
    short or too long (the length filter), and with enough words left after this first
    shared one (the positional filter)."""
    low, high = threshold / (2 - threshold), (2 - threshold) / threshold
    sizes = [
        other
        for other in range(1, math.floor(high * size) + 2)
        if low * size - 1e-9 <= other <= high * size + 1e-9
    ]
    return tuple(
        tuple(
            (other, other_position)
            for other in sizes
            for other_position in range(_prefix(other, threshold))
            if 2 * (1 + min(size - position - 1, other - other_position - 1))
            >= threshold * (size + other) - 1e-9
        )
        for position in range(_prefix(size, threshold))
    )


def _alike(
    a: Words, b: Words, set_a: frozenset[object], set_b: frozenset[object], threshold: float
) -> bool:
    total = len(a) + len(b)
    if a == b or not total:
        return True
    if 2 * min(len(a), len(b)) / total < threshold:
        return False
    if 2 * len(set_a & set_b) / total < threshold:  # shared words, counted as multisets
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold
