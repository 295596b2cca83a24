"""Exam tags (`exam::<area>`) must name an exam area that deck.yaml declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.facts.load import load_deck
from factdeck.facts.validate import validate
from tests.support.decks import MINI, deck_yaml, write_tree

AREAS = {"anatomy-physiology": "Anatomy & physiology", "pathology": "Pathology"}


def deck_with(tmp_path: Path, tags: str, areas: dict[str, str] | None = AREAS) -> Path:
    exam_areas = {} if areas is None else {"exam_areas": areas}
    return write_tree(
        tmp_path / "d",
        {
            "deck.yaml": deck_yaml(base=MINI, **exam_areas),
            "facts.yaml": f"""
            facts:
              - {{id: q, kind: question, question: Where?, answer: Here, source: body,
                 tags: {tags}}}
        """,
        },
    )


def test_declared_exam_areas_are_accepted(tmp_path: Path) -> None:
    deck = validate(load_deck(deck_with(tmp_path, "[exam::pathology, lbp::exam::anything]")))
    assert deck.entries[0].fact.tags == ("exam::pathology", "lbp::exam::anything")


def test_an_undeclared_exam_area_is_refused_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FactdeckError) as caught:
        validate(load_deck(deck_with(tmp_path, "[exam::patology]")))
    assert [str(p) for p in caught.value.problems] == [
        "d/facts.yaml:2: fact 'q': tag 'exam::patology' names unknown exam area 'patology' "
        "(did you mean 'pathology'?); deck.yaml's exam_areas lists: anatomy-physiology, "
        "pathology"
    ]


def test_exam_tags_need_declared_areas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FactdeckError) as caught:
        validate(load_deck(deck_with(tmp_path, "[exam::pathology]", areas=None)))
    assert [str(p) for p in caught.value.problems] == [
        "d/facts.yaml:2: fact 'q': tag 'exam::pathology' names unknown exam area 'pathology'; "
        "deck.yaml's exam_areas lists: none yet"
    ]
