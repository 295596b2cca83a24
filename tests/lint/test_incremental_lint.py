"""Incremental lint: after any sequence of edits, the cached lint (per-card findings kept per
file, near-duplicate pairs kept from the last lint, only new cards looked up) finds exactly
what a full lint of the same deck finds."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factdeck.cache import rows
from factdeck.cache.store import Store, seen_key
from factdeck.fs.names import CACHE_DIR
from factdeck.lint import engine
from factdeck.lint.engine import Finding, lint
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


# --- the diagram rules: kept with a digest of all they read, found again when it changes --

DRAWING = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 380 200" font-size="14">
  <g id="label-a"><rect x="200" y="10" width="150" height="20" fill="#fff"/>
    <text x="204" y="25">{a}</text></g>
  <g id="label-b"><rect x="200" y="40" width="150" height="20" fill="#fff"/>
    <text x="204" y="55">{b}</text></g>
  <text id="caption" x="10" y="190" font-size="{size}">{caption}</text>
</svg>
"""
LABELS = ["iliac crest", "sacrum", "superior cluneal nerves", "thoracolumbar fascia"]
CAPTIONS = ["L1–L3", "back", "iliac crest from behind", "S1–S3"]
HEADERS = ["Image {n}: a view", "Image {n}: the iliac crest", "Image {n}: sacrum and fascia"]


def drawing(rng: random.Random, size: int | None = None) -> str:
    a, b = rng.sample(LABELS, 2)
    size = size or rng.choice((6, 12))  # 6: too small on a phone
    return DRAWING.format(a=a, b=b, caption=rng.choice(CAPTIONS), size=size)


def figure_file(rng: random.Random, number: int) -> str:
    """Diagram facts over the two drawings: labels asked on several figures, across files."""
    lines = ["facts:"]
    for n in range(rng.randint(1, 3)):
        header = rng.choice(HEADERS).format(n=f"{number}{n}")
        lines.append(
            f"  - {{id: fig-{number}-{n}, kind: diagram, image: {rng.choice(('one', 'two'))}.svg,"
            f' header: "{header}", source: body, masks: [label-a, label-b]}}'
        )
    return "\n".join(lines) + "\n"


def nerve_file(rng: random.Random) -> str:
    """The nerve a label names, in a file of its own: its levels, which a caption may show,
    change the diagram findings of other files."""
    levels = rng.choice(("L1–L3", "S1–S3", "T10–T12"))
    return (
        "facts:\n  - {id: cluneal, kind: nerve, name: superior cluneal nerves, "
        f"levels: {levels}, source: body}}\n"
    )


@pytest.mark.parametrize("seed", range(3))
def test_diagram_rules_from_the_cache_find_what_a_full_lint_finds(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    files = {f"g{n}.yaml": figure_file(rng, n) for n in range(3)} | {"n.yaml": nerve_file(rng)}
    drawings = {"one.svg": drawing(rng, 6), "two.svg": drawing(rng)}
    deck_dir = write_tree(tmp_path / "cards" / "tiny", {"deck.yaml": DECK, **files, **drawings})
    rules = set()
    for step in range(8):
        checked = expanded(deck_dir)
        full = lint(checked.deck, checked.notes, checked.templates.note_types)
        assert checked.findings() == full, f"step {step}"
        assert checked.findings() == full, f"step {step}, from the kept diagram findings"
        rules |= {f.rule for f in full}
        if rng.random() < 0.5:  # a drawing redrawn, or a fact file edited
            name = rng.choice(sorted(drawings))
            write_tree(deck_dir, {name: drawing(rng)})
        elif rng.random() < 0.4:
            write_tree(deck_dir, {"n.yaml": nerve_file(rng)})
        else:
            name = f"g{rng.randrange(3)}.yaml"
            write_tree(deck_dir, {name: figure_file(rng, int(name[1]))})
    assert {"label-twice", "diagram-giveaway", "diagram-small-text"} <= rules, rules


def test_a_corrupt_or_stale_diagram_row_is_found_again_not_trusted(tmp_path: Path) -> None:
    rng = random.Random(0)
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    files = {"g0.yaml": figure_file(rng, 0), "g1.yaml": figure_file(rng, 1)}
    drawings = {"one.svg": drawing(rng, 6), "two.svg": drawing(rng, 6)}
    deck_dir = write_tree(tmp_path / "cards" / "tiny", {"deck.yaml": DECK, **files, **drawings})
    checked = expanded(deck_dir)
    full = lint(checked.deck, checked.notes, checked.templates.note_types)
    assert checked.findings() == full
    assert any(f.rule == "diagram-small-text" for f in full)
    row = deck_dir / CACHE_DIR / f"{seen_key('drawn')}.json"
    planted = Finding(full[0].location, full[0].fact_id, "diagram-giveaway", "planted")
    for tampered in (
        b"not a row",  # corrupt
        row.read_bytes().replace(b"diagram-small-text", b"diagram-giveaway"),  # unsealed
    ):
        row.write_bytes(tampered)
        assert checked.findings() == full
    store = Store(deck_dir)
    store.put_drawn("0" * 64, (planted,))  # sealed here, but made from other diagrams
    assert store.get_drawn("0" * 64) == (planted,)
    assert checked.findings() == full
    assert store.get_drawn("0" * 64) is None  # found again and kept for the deck's digest


def test_a_lint_row_with_unsorted_word_counts_is_not_trusted(tmp_path: Path) -> None:
    """Spelling's counts are looked up by bisection (rules.deck_check): a row whose counts
    are not each word once, in order, would miscount, so it is refused and made again."""
    deck_dir = write_tree(
        tmp_path / "cards" / "tiny",
        {"deck.yaml": DECK, "f.yaml": question_file(random.Random(0), 0)},
    )
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    checked = expanded(deck_dir)
    file = checked.files[0]
    found = engine.file_lint(checked.deck, file.notes, checked.templates.note_types, file.entries)
    assert len(found.index.used) > 2
    data = json.loads(rows.lint_row(deck_dir, file.notes, found))
    assert rows.lint_record(json.dumps(data).encode(), deck_dir, file.notes) == found
    for spoilt in (data["index"]["used"][::-1], [data["index"]["used"][0]] * 2):
        data["index"]["used"] = spoilt
        with pytest.raises(rows.Foreign):
            rows.lint_record(json.dumps(data).encode(), deck_dir, file.notes)


def test_a_spoilt_pairs_row_is_looked_up_again_not_trusted(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The last lint's pairs (near duplicates, asked-twice) in a corrupt, unsealed or empty
    row: every card is looked up again, and the findings are a full lint's."""
    root = tmp_path_factory.mktemp("pairs")
    shutil.copytree(TEMPLATES, root / "templates")
    files = {f"f{n}.yaml": content_file(n, [0, 1, 2, 5]) for n in range(3)}
    deck_dir = write_tree(root / "cards" / "tiny", {"deck.yaml": CONTENT_DECK, **files})
    checked = expanded(deck_dir)
    full = lint(checked.deck, checked.notes, checked.templates.note_types)
    assert checked.findings() == full
    assert {"asked-twice", "duplicate-question"} <= {f.rule for f in full}
    row = deck_dir / CACHE_DIR / f"{seen_key()}.json"
    seen = Store(deck_dir).get_seen(seen_key())
    assert seen is not None and seen.asked.pairs
    for tampered in (
        b"not a row",
        row.read_bytes().replace(b'"asked_pairs":[[', b'"asked_pairs":[[1'),
    ):
        row.write_bytes(tampered)
        assert Store(deck_dir).get_seen(seen_key()) is None
        assert checked.findings() == full
    Store(deck_dir).put_seen(seen_key(), engine.Seen())  # sealed, from no cards at all
    assert checked.findings() == full
