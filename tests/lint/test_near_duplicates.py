"""near_duplicates.pairs finds exactly the pairs an all-pairs comparison finds, on random
question sets built to have many near misses; `probe` gives exactly the pairs touching it."""

from __future__ import annotations

import random

import pytest

from factdeck.lint.engine import NEAR_DUPLICATE
from factdeck.lint.near_duplicates import alike, pairs


def brute_force(keys: list[tuple[str, ...]], threshold: float) -> set[tuple[int, int]]:
    return {
        (i, j)
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if alike(keys[i], keys[j], threshold)
    }


def random_keys(seed: int, count: int) -> list[tuple[str, ...]]:
    """Few words and many edits of a few base questions: most pairs are near the line."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(rng.randint(3, 30))]
    bases = [tuple(rng.choices(vocabulary, k=rng.randint(0, 14))) for _ in range(8)]
    keys = []
    for _ in range(count):
        words = list(rng.choice(bases))
        for _ in range(rng.randint(0, 3)):
            edit = rng.randrange(3)
            if edit == 0 or not words:
                words.insert(rng.randint(0, len(words)), rng.choice(vocabulary))
            elif edit == 1:
                del words[rng.randrange(len(words))]
            else:
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        keys.append(tuple(words))
    return keys


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("threshold", [NEAR_DUPLICATE, 0.75, 0.5])
def test_same_pairs_as_comparing_every_pair(seed: int, threshold: float) -> None:
    keys = random_keys(seed, 120)
    expected = brute_force(keys, threshold)
    found = list(pairs(keys, threshold))
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert any(i != j for i, j in expected)  # the random sets do contain near duplicates


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("probed", [1, 15])  # a plain scan, and the index
def test_probe_gives_the_pairs_touching_it(seed: int, probed: int) -> None:
    keys = random_keys(seed, 120)
    probe = set(random.Random(seed).sample(range(len(keys)), probed))
    expected = {p for p in brute_force(keys, NEAR_DUPLICATE) if probe & set(p)}
    found = list(pairs(keys, NEAR_DUPLICATE, probe))
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_a_few_lookups_per_question_for_distinct_questions() -> None:
    """Distinct questions meet few others in the index (the reason it is sub-quadratic)."""
    rng = random.Random(7)
    keys = [tuple(f"w{rng.randrange(50_000)}" for _ in range(8)) for _ in range(5_000)]
    keys.append((*keys[0][:-1], "other"))
    assert set(pairs(keys, 0.85)) == {(0, 5_000)}
