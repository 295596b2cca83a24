"""Leader lines (lint/rules/leaders.py), from the geometry of small SVGs parsed as the build
parses them (diagrams/measure.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.diagrams.measure import parse_drawing
from factdeck.errors import Location
from factdeck.lint.rules import leaders

# 380 units wide (one unit is one phone px): a bone (filled) and a nerve (a stroke), each
# with a label box on the right and a leader from the box to its structure.
SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 380 200">
  <rect id="bone" x="20" y="20" width="80" height="60" fill="#e6e2da"/>
  <path id="nerve" d="M 20 150 L 150 150" fill="none" stroke="#d49a00" stroke-width="4"/>
  <g id="leaders" stroke="#222" stroke-width="1">
    <line x1="260" y1="{bone_y}" x2="{bone_x}" y2="50"/>
    <line x1="260" y1="{nerve_y}" x2="{nerve_x}" y2="{nerve_end_y}"/>
  </g>
  <g id="label-bone"><rect x="260" y="{bone_box}" width="90" height="20" fill="#fff"/>
    <text x="264" y="{bone_text}">bone</text></g>
  <g id="label-nerve"><rect x="260" y="{nerve_box}" width="90" height="20" fill="#fff"/>
    <text x="264" y="{nerve_text}">nerve</text></g>
</svg>"""
CLEAN = {
    "bone_y": 40, "bone_x": 80, "bone_box": 30, "bone_text": 45,
    "nerve_y": 150, "nerve_x": 120, "nerve_end_y": 151, "nerve_box": 140, "nerve_text": 155,
}  # fmt: skip


def problems(tmp_path: Path, **changes: int) -> list[tuple[str, str]]:
    svg = SVG.format(**{**CLEAN, **changes}).encode()
    drawing = parse_drawing(svg, tmp_path / "figure.svg", Location(tmp_path / "facts.yaml"))
    return list(leaders.check(drawing))


def test_leaders_that_end_on_their_structures(tmp_path: Path) -> None:
    assert problems(tmp_path) == []


def test_a_leader_that_ends_beside_its_structure(tmp_path: Path) -> None:
    assert problems(tmp_path, nerve_end_y=160) == [
        (
            "leader-off-target",
            "the leader of 'label-nerve' ends 8 px (at a 380 px card) from 'nerve', the "
            "structure it names; end it on 'nerve'",
        )
    ]
    assert problems(tmp_path, nerve_end_y=153) == []  # on the stroke, 4 wide


def test_leaders_that_cross(tmp_path: Path) -> None:
    # the labels swapped places: the bone's leader comes from below, the nerve's from above
    swapped = {"bone_y": 150, "bone_box": 140, "bone_text": 155}
    swapped |= {"nerve_y": 40, "nerve_box": 30, "nerve_text": 45}
    assert problems(tmp_path, **swapped) == [
        (
            "leaders-cross",
            "the leaders of 'label-bone' and 'label-nerve' cross; reorder the labels so that "
            "each leader runs clear of the others",
        )
    ]


@pytest.mark.parametrize(("x", "y", "hit"), [(78, 51, True), (120, 151, False)])
def test_a_leader_through_another_leaders_end(tmp_path: Path, x: int, y: int, hit: bool) -> None:
    # the nerve's label lower down; its leader passes just beyond the bone's leader's end
    lower = {"nerve_y": 170, "nerve_box": 160, "nerve_text": 175}
    found = problems(tmp_path, **lower, nerve_x=x, nerve_end_y=y)
    assert ("through the end of the leader of 'label-bone'" in str(found)) is hit, found
    assert "cross;" not in str(found)
