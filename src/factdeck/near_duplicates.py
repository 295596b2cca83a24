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
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence

Words = tuple[str, ...]


def alike(a: Words, b: Words, threshold: float) -> bool:
    """difflib's ratio over words is at least `threshold` (cheap upper bounds first)."""
    return _similarity(a, b, threshold) >= threshold


def pairs(keys: Sequence[Words], threshold: float, probe: Collection[int] | None = None
          ) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) whose similarity is at least `threshold`, in no promised order.

    With `probe`, only pairs with at least one index in `probe`.
    """
    tokens = [_tokens(words) for words in keys]
    frequency = Counter(token for own in tokens for token in own)
    ranked = [sorted(own, key=lambda t: (frequency[t], t)) for own in tokens]
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, own in enumerate(ranked):
        for token in own[:_prefix(len(own), threshold)]:
            index[token].append(i)
    empty = [i for i, own in enumerate(ranked) if not own]
    wanted = range(len(keys)) if probe is None else sorted(set(probe))
    for i in wanted:
        own = ranked[i]
        seen: set[int] = set()
        for token in own[:_prefix(len(own), threshold)]:
            seen.update(index[token])
        if not own:  # empty sequences are alike only to each other (ratio 1.0)
            seen.update(empty)
        seen.discard(i)
        for j in seen:
            if j < i and (probe is None or j in probe):
                continue  # found when j was probed
            if alike(keys[i], keys[j], threshold):
                yield (i, j) if i < j else (j, i)


def _tokens(words: Words) -> list[tuple[str, int]]:
    """A multiset as a set: the k-th occurrence of a word is its own token."""
    count: Counter[str] = Counter()
    out = []
    for word in words:
        out.append((word, count[word]))
        count[word] += 1
    return out


def _prefix(size: int, threshold: float) -> int:
    """How many of a sequence's rarest words to index: size − α + 1, with α the fewest
    shared words any partner at `threshold` needs, rounded down so no pair is lost."""
    needed = math.floor(threshold * size / (2 - threshold) * (1 - 1e-9))
    return min(size, size - max(needed, 1) + 1)


def _similarity(a: Words, b: Words, threshold: float) -> float:
    """The ratio, or 0.0 once an upper bound shows it is under `threshold`."""
    total = len(a) + len(b)
    if a == b or not total:
        return 1.0
    if 2 * min(len(a), len(b)) / total < threshold:
        return 0.0
    shared = sum((Counter(a) & Counter(b)).values())
    if 2 * shared / total < threshold:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
