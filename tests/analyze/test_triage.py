"""`factdeck triage`: a student's report (the link, or the issue's text) leads back to the
fact's file and line, the card as students see it, its lint findings and release history;
a report that names no note of the course is one clear error."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.apkg.read import unpack
from factdeck.cli.main import main
from factdeck.facts.feedback_url import read
from factdeck.fs.limits import REPORT
from tests.support.decks import MINI, NERVE_A, deck_yaml, facts_yaml, small_deck

FEEDBACK = "https://example.org/report?title={title}&body={body}"
QUESTION = {
    "id": "fact-b",
    "kind": "question",
    "question": "Which nerve is not the beta?",
    "answer": "the alpha",
    "source": "intro",
}


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def _link(apkg: Path, fact: str) -> str:
    for note in unpack(apkg).notes:
        found = re.search(r'href="([^"]+)"', note.fields[-1])
        if found and f"Fact%3A%20{fact}%0A" in found.group(1):
            return html.unescape(found.group(1))
    raise AssertionError(fact)


@pytest.fixture
def released(runner: CliRunner, project: Path) -> Path:
    small_deck(
        project / "cards" / "mini",
        facts=facts_yaml(NERVE_A, QUESTION),
        deck=deck_yaml(base=MINI, feedback=FEEDBACK),
    )
    assert runner.invoke(main, ["release"]).exit_code == 0
    return project / "dist" / "mini-1.0.0.apkg"


def test_triage_of_a_link_names_the_file_the_card_lint_and_history(
    runner: CliRunner, released: Path
) -> None:
    link = _link(released, "fact-b")
    guid = read(link).note
    result = runner.invoke(main, ["triage", link])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Report on mini: fact fact-b, card 1\n"
        "  fact     fact-b (question), cards/mini/facts.yaml:3\n"
        f"  note     {guid} (note 'qa', type qa, id {_note_id(result.stdout)})\n"
        "  seen     unchanged since 1.0.0: the text below is what the student saw\n"
        "  front    Which nerve is not the beta?\n"
        "  back     Which nerve is not the beta? the alpha A Source · Introduction\n"
        "  lint     1 finding(s)\n"
        "           [negative-question] note 'qa': asked in the negative ('not'): 'Which nerve "
        "is not the beta?'; ask what is true instead\n"
        "  history  1.0.0 added\n"
        "  deck     cards/mini\n"
    )


def _note_id(output: str) -> str:
    return re.search(r", id (\d+)\)", output).group(1)  # type: ignore[union-attr]


def test_triage_of_the_pasted_issue_text_after_an_edit(
    runner: CliRunner, released: Path, project: Path
) -> None:
    """The issue as GitHub shows it; the fact changed since: triage says so."""
    body = read(_link(released, "nerve-a")).text
    facts = project / "cards" / "mini" / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("L1–L3", "L1–L2"), "utf-8")
    assert runner.invoke(main, ["build"]).exit_code == 0
    result = runner.invoke(main, ["triage", "-"], input=f"Broken card\n\n{body}")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Report on mini: fact nerve-a, card 1"
    assert lines[1] == "  fact     nerve-a (nerve), cards/mini/facts.yaml:2"
    assert (
        lines[3]
        == "  seen     changed since 1.0.0: the text below is today's, not what the student saw"
    )
    assert lines[-2] == "  history  1.0.0 added; changed since, not yet released"


def test_a_report_naming_no_note_is_one_clear_error(runner: CliRunner, released: Path) -> None:
    result = runner.invoke(main, ["triage", "Deck: mini\nNote: nothing-like-a-guid\nCard: 1"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the report names no note of cards/mini: paste the whole report (its 'Note:' "
        "line holds the note's GUID) or the link, and run triage in the course whose deck it "
        "is\n"
    )


def test_a_report_without_end_is_read_bounded_and_refused(
    runner: CliRunner, released: Path
) -> None:
    """`yes | factdeck triage -` would fill memory: stdin is read up to the limit, then refused."""
    result = runner.invoke(main, ["triage", "-"], input="y\n" * (REPORT // 2 + 1))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the report is over {REPORT:,} characters, more than a problem report holds: "
        "paste the report's link or its text alone\n"
    )
