"""Incremental lint: after any sequence of edits, the cached lint (per-card findings kept per
file, near-duplicate pairs kept from the last lint, only new cards looked up) finds exactly
what a full lint of the same deck finds."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factdeck.lint.engine import lint
from factdeck.pipeline import expanded
from tests.support.decks import SMITH, TEMPLATES, deck_yaml, write_tree

DECK = deck_yaml()
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
        assert all(file.key for file in checked.files)  # through the cache
        cached = checked.findings()
        full = lint(checked.deck, checked.notes, checked.templates.note_types)
        assert cached == full, f"step {step}"
        assert any(f.rule == "duplicate-question" for f in full)
        for name in rng.sample(sorted(files), rng.randint(1, 2)):  # edit a file or two
            files[name] = question_file(rng, int(name[1]))
            write_tree(deck_dir, {name: files[name]})


# --- the content rules (lint/rules/): per file from the cache, across files from its index -

CONTENT_DECK = deck_yaml(references=SMITH, practice=True)
# Facts that trip a content rule, alone or with another file's: {n} makes the id unique.
SNIPPETS = [
    # asked-twice across files, with and without an exception on one side
    '{{id: a{n}, kind: question, question: "Which spinal levels give rise to the superior '
    'cluneal nerves?", answer: "L1–L3", source: body}}',
    '{{id: b{n}, kind: statement, text: "The superior cluneal nerves arise from '
    '{{{{c1::L1–L3}}}} levels of the spine.", source: body}}',
    '{{id: c{n}, kind: question, question: "Which levels give rise to the superior cluneal '
    'nerves?", answer: "L1–L3", source: body, lint: {{asked-twice: "on purpose"}}}}',
    # spelling, British here and US elsewhere
    '{{id: d{n}, kind: statement, text: "The cluneal nerves carry {{{{c1::sensory}}}} '
    'fibres.", source: body}}',
    '{{id: e{n}, kind: statement, text: "Dorsal rami carry {{{{c1::motor}}}} fibers to the '
    'back muscles.", source: body}}',
    # wording, clozes, number, sources, hidden characters (one card or fact at a time)
    '{{id: f{n}, kind: question, question: "Which nerve branches do not supply the '
    'paraspinal muscles?", answer: "The ventral rami", source: body}}',
    '{{id: g{n}, kind: statement, text: "Effects: {{{{c1::warmth}}}}, {{{{c2::circulation}}}}'
    ' and {{{{c3::relaxation}}}}.", source: body}}',
    "{{id: h{n}, kind: nerve, name: dorsal rami, levels: L1–S3, source: body}}",
    '{{id: i{n}, kind: question, question: "Which muscle extends the lumbar spine most?", '
    'answer: "The erector spinae", source: {{section: body, refs: [smith]}}}}',
    '{{id: j{n}, kind: question, question: "Which tissue covers the iliac\\u200b crest '
    'here?", answer: "Thoracolumbar fascia", source: body}}',
    # multiple choice (practice questions across the deck's nerves)
    "{{id: k{n}, kind: nerve, name: gamma{n} nerves, plural: true, levels: S1–S3, "
    "distractors: {{levels: [T1–T3, T4–T5, C1–C3]}}, source: body}}",
    "{{id: l{n}, kind: nerve, name: delta{n} nerves, plural: true, levels: T10–T12, source: body}}",
]


def content_file(number: int, picks: list[int]) -> str:
    return "facts:\n" + "".join(
        f"  - {SNIPPETS[p].format(n=f'{number}x{i}')}\n" for i, p in enumerate(picks)
    )


edits = st.lists(
    st.tuples(
        st.integers(0, 3), st.lists(st.integers(0, len(SNIPPETS) - 1), min_size=1, max_size=5)
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.lists(
        st.lists(st.integers(0, len(SNIPPETS) - 1), min_size=1, max_size=5), min_size=4, max_size=4
    ),
    steps=edits,
)
def test_content_rules_from_the_cache_find_what_a_full_lint_finds(
    tmp_path_factory: pytest.TempPathFactory,
    start: list[list[int]],
    steps: list[tuple[int, list[int]]],
) -> None:
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(TEMPLATES, root / "templates")
    files = {f"f{n}.yaml": content_file(n, picks) for n, picks in enumerate(start)}
    deck_dir = write_tree(root / "cards" / "tiny", {"deck.yaml": CONTENT_DECK, **files})
    for number, picks in [(0, start[0]), *steps]:  # the first build fills the cache
        write_tree(deck_dir, {f"f{number}.yaml": content_file(number, picks)})
        checked = expanded(deck_dir)
        full = lint(checked.deck, checked.notes, checked.templates.note_types)
        assert checked.findings() == full
