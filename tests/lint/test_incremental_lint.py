"""Incremental lint: after any sequence of edits, the cached lint (per-card findings kept per
file, near-duplicate pairs kept from the last lint, only new cards looked up) finds exactly
what a full lint of the same deck finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from factdeck.lint.engine import lint
from factdeck.pipeline import expanded
from tests.support.decks import write_tree

DECK = """
    name: Tiny
    slug: tiny
    version: "1.0.0"
    description: A tiny deck.
    source:
      title: A Source
      sections: {body: Body}
"""
WORDS = [
    "nerve",
    "crest",
    "iliac",
    "fascia",
    "pierce",
    "lumbar",
    "ramus",
    "gluteal",
    "pain",
    "cluneal",
    "superior",
    "medial",
]


BASES = [random.Random(n).choices(WORDS, k=10) for n in range(4)]


def question_file(rng: random.Random, number: int) -> str:
    """Variants of a few questions (one word swapped, or none), so near duplicates abound,
    within and across files."""
    lines = ["facts:"]
    for n in range(6):
        words_list = list(rng.choice(BASES))
        if rng.random() < 0.7:
            words_list[rng.randrange(10)] = rng.choice(WORDS)
        words = " ".join(words_list)
        answer = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
        lines.append(
            f'  - {{id: q-{number}-{n}, kind: question, question: "What {words}?", '
            f'answer: "{answer}", source: body}}'
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(4))
def test_cached_lint_finds_what_a_full_lint_finds(project: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = {f"f{n}.yaml": question_file(rng, n) for n in range(5)}
    deck_dir = write_tree(project / "cards" / "tiny", {"deck.yaml": DECK, **files})
    for step in range(6):
        checked = expanded(deck_dir)
        assert checked.file_lints is not None  # through the cache
        cached = checked.findings()
        full = lint(checked.deck, checked.notes, checked.templates.note_types)
        assert cached == full, f"step {step}"
        assert any(f.rule == "duplicate-question" for f in full)
        for name in rng.sample(sorted(files), rng.randint(1, 2)):  # edit a file or two
            files[name] = question_file(rng, int(name[1]))
            write_tree(deck_dir, {name: files[name]})
