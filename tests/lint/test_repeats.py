"""label-twice (lint/rules/repeats.py): one label asked on two figures, on small decks."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from factdeck.lint.rules import repeats
from tests.support.decks import small_deck
from tests.support.findings import linted

SVG = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 380 200" font-size="14">
      <g id="label-a"><rect x="200" y="10" width="120" height="20" fill="#fff"/>
        <text x="204" y="25">{a}</text></g>
      <g id="label-b"><rect x="200" y="40" width="120" height="20" fill="#fff"/>
        <text x="204" y="55">{b}</text></g>
    </svg>
"""
FIGURES = """facts:
  - {id: one, kind: diagram, image: one.svg, header: "Image 1: a view", source: body,
     masks: [label-a, label-b]}
  - {id: two, kind: diagram, image: two.svg, header: "Image 2: a close-up", source: body,
     masks: [label-a, label-b]}
"""


def labels_twice(tmp_path: Path, first: str, second: str) -> list[str]:
    deck = small_deck(
        tmp_path / "deck",
        facts=FIGURES,
        **{
            "one.svg": SVG.format(a="iliac crest", b="sacrum"),
            "two.svg": SVG.format(a=first, b=second),
        },
    )
    return [f"{f.fact_id}: {f.message}" for f in linted(deck) if f.rule == "label-twice"]


def test_a_label_asked_on_two_figures(tmp_path: Path) -> None:
    assert labels_twice(tmp_path, "iliac crest", "fascia") == [
        "one: note 'occlusion': mask 1 asks 'iliac crest', which figure 'two' asks too; ask "
        "each label on one figure (leave it unmasked on the other, or retire that mask with ~)",
        "two: note 'occlusion': mask 1 asks 'iliac crest', which figure 'one' asks too; ask "
        "each label on one figure (leave it unmasked on the other, or retire that mask with ~)",
    ]


def test_different_labels_on_two_figures(tmp_path: Path) -> None:
    assert labels_twice(tmp_path, "spinous process", "fascia") == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from("abcdefghij"), max_size=8), max_size=30))
def test_cues_that_can_match_are_all_found_without_comparing_every_pair(
    cues: list[frozenset[str]],
) -> None:
    """_sharing (prefix filtering) finds every pair _same_cue accepts, either way."""
    brute = [
        (i, j)
        for i in range(len(cues))
        for j in range(i + 1, len(cues))
        if repeats._same_cue(cues[i], cues[j], False)
    ]
    assert repeats._sharing(cues) == brute


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.frozensets(st.sampled_from("abcdefghij"), max_size=8), max_size=30),
    st.sets(st.integers(0, 29)),
)
def test_probing_some_cues_finds_every_pair_they_are_in(
    cues: list[frozenset[str]], probe: set[int]
) -> None:
    """With `probe` (the cards new since the last lint), _sharing finds the pairs touching
    them, the same as without it."""
    probe = {i for i in probe if i < len(cues)}
    full = [pair for pair in repeats._sharing(cues) if probe & set(pair)]
    assert repeats._sharing(cues, sorted(probe)) == full
