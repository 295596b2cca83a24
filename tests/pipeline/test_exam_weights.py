"""Exam areas with the exam's weights: deck.yaml takes `{name, weight}` beside the plain
name; `stats` and the analysis compare each area's share of the cards (and of study time)
with its weight among the areas the deck serves; impossible weights are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.analyze.exports import REVIEW, Answer, Export, StudentCard
from factdeck.analyze.stats import CardInfo, analyze
from factdeck.cli.main import main
from tests.support.decks import deck_yaml, small_deck

AREAS = {
    "anatomy": {"name": "Anatomy & physiology", "weight": 11},
    "pathology": {"name": "Pathology", "weight": 14},
    "ethics": "Ethics",
}
FACTS = """
    facts:
      - {id: one, kind: question, question: Which nerve is alpha?, answer: the first,
         source: body, tags: [exam::anatomy]}
      - {id: two, kind: question, question: Which nerve is beta?, answer: the second,
         source: body, tags: [exam::anatomy, exam::pathology]}
"""


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def test_stats_compare_cards_per_area_with_the_weights(runner: CliRunner, project: Path) -> None:
    small_deck(project / "cards" / "mini", facts=FACTS, deck=_deck(AREAS))
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("  exam area    cards  share  weight  of areas")
    assert lines[start + 1 : start + 4] == [
        "    anatomy      1.5    75%     11%       44%",
        "    pathology    0.5    25%     14%       56%",
        "    ethics       0.0     0%       –         –",
    ]


def test_a_deck_without_weights_shows_no_such_table(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0 and "exam area" not in result.stdout


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        (
            {"a": {"name": "A", "weight": 60}, "b": {"name": "B", "weight": 50}},
            "deck: field 'exam_areas': the weights add up to 110%, more than the whole exam; give "
            "each area's share of the exam in percent (an area the deck does not serve is left "
            "out)",
        ),
        (
            {"a": {"name": "A", "weight": 0}},
            "deck: field 'exam_areas.a.weight': Input should be greater than 0 (got 0)",
        ),
    ],
)
def test_impossible_weights_are_refused(
    runner: CliRunner, project: Path, areas: dict[str, object], message: str
) -> None:
    small_deck(project / "cards" / "mini", facts=FACTS.replace("exam::", "x::"), deck=_deck(areas))
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cards/mini/deck.yaml:")
    assert result.stderr.split(": ", 2)[2] == message + "\n"


def _deck(exam_areas: dict[str, object]) -> str:
    return deck_yaml(name="Mini", slug="mini", exam_areas=exam_areas)


def _card(guid: str, seconds: float) -> StudentCard:
    answer = Answer(ease=3, kind=REVIEW, day=20_000, seconds=seconds)
    return StudentCard(guid, 0, 0, False, None, (answer,), 0)


def test_the_analysis_splits_cards_and_time_over_their_areas() -> None:
    known = {
        (guid, 0): CardInfo(guid, 0, guid, "qa", "Mini", areas, None, (), "")
        for guid, areas in (("g1", ("anatomy",)), ("g2", ("anatomy", "pathology")))
    }
    export = Export(cards=(_card("g1", 30), _card("g2", 10)), decks=1)
    names = {"anatomy": "Anatomy", "pathology": "Pathology", "ethics": "Ethics"}
    found = analyze([export], known, names, {"anatomy": 0.11, "pathology": 0.14})
    shares = {g.key: (g.cards, g.card_share, g.time_share, g.weight_share) for g in found.areas}
    assert shares == {
        "anatomy": (2, 0.75, 35 / 40, pytest.approx(0.44)),
        "pathology": (1, 0.25, 5 / 40, pytest.approx(0.56)),
        "ethics": (0, 0.0, 0.0, None),
    }
