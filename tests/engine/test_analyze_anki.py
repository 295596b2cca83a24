"""`factdeck analyze` on a class simulated in the official engine (tests/support/classroom.py):
the report finds exactly the cards made hard, counts what the engine recorded, names no
student, and skips the cards of a student's own deck with a count."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.history import lock
from tests.support.classroom import EASY_SECONDS, HARD_SECONDS, STUDENTS, Classroom
from tests.support.decks import REAL_DECK


def live_cards(simulated_class: Classroom) -> int:
    """The deck's cards as built: every card of every live note in its lock."""
    notes = lock.read(simulated_class.project / "cards" / REAL_DECK.name).notes.values()
    return sum(len(n.cards) for n in notes if n.retired is None)


@pytest.fixture(scope="module")
def analyzed(simulated_class: Classroom, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    cards = simulated_class.project / "cards"
    result = CliRunner().invoke(
        main,
        ["analyze", *map(str, simulated_class.exports), "--cards", str(cards), "--out", str(out)],
    )
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    lines = result.stdout.splitlines()
    cards = live_cards(simulated_class)
    assert lines[0] == f"Analyzed Low Back Pain: 5 students, {cards} cards, 4 hard"
    assert lines[3] == "  skipped  3 cards of 1 other deck"
    return out


def rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "low-back-pain-analysis.csv").read_text())))


def test_the_report_finds_exactly_the_cards_made_hard(
    analyzed: Path, simulated_class: Classroom
) -> None:
    flagged = {(r["guid"], int(r["card"]) - 1) for r in rows(analyzed) if r["hard"] == "1"}
    assert flagged == simulated_class.hard


def test_every_card_is_counted_for_every_student(
    analyzed: Path, simulated_class: Classroom
) -> None:
    found = rows(analyzed)
    assert len(found) == live_cards(simulated_class)  # none of the student's own deck
    for row in found:
        assert row["students"] == "5", row
        assert int(row["answers"]) >= 5 * 2  # learnt (two steps) by each student
        assert row["file"].startswith("cards/low-back-pain/") and int(row["line"]) > 0
        hard = row["hard"] == "1"
        assert float(row["seconds_per_answer"]) == (HARD_SECONDS if hard else EASY_SECONDS)
        # one student of five uses FSRS: difficulty where present, never invented
        assert 1 <= float(row["difficulty"]) <= 10
        if hard:  # 4 of 5 students lapse on each of 3 review days
            assert (row["lapses"], row["leeches"]) == ("12", "0")
            assert float(row["retention"]) == pytest.approx(3 / 15, abs=1e-3)


def test_the_report_names_no_student(analyzed: Path, simulated_class: Classroom) -> None:
    page = (analyzed / "low-back-pain-analysis.html").read_text("utf-8")
    table = (analyzed / "low-back-pain-analysis.csv").read_text("utf-8")
    for student in STUDENTS:
        assert student.name not in page and student.name not in table
    for export in simulated_class.exports:
        assert export.name not in page and str(export.parent) not in page
    assert "Spanish" not in page and "perro" not in page
    assert "Aggregated, anonymous." in page
    assert page.count("<svg") == 4  # hardest, retention by sub-deck and by area, lapses
