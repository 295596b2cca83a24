"""factdeck stats: counts by sub-deck, kind, note type and tag group; lint; claim coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.authoring.deck_stats import ClaimStats, Count, Uncovered, deck_stats
from factdeck.cli.main import main
from factdeck.facts import claims
from factdeck.pipeline import expanded
from tests.support.decks import write_tree

CLAIMS = {
    "claims.yaml": """
    claims:
      - id: alpha-levels
        section: body
        claim: The alpha nerves arise from L1–L3.
        covered_by: [nerve-a]
      - id: beta-size
        section: intro
        claim: The beta is big.
        covered_by: [fact-b]
      - id: gamma
        section: intro
        claim: The gamma is small.
"""
}
MORE_FACTS = {
    "more.yaml": """
    facts:
      - {id: vague, kind: question, question: "Is it?", answer: "Yes", source: body,
         tags: [mini::nerves::deep, other]}
"""
}


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def test_stats_count_notes_and_cards_every_way(mini_deck: Path) -> None:
    write_tree(mini_deck, {**CLAIMS, **MORE_FACTS})
    checked = expanded(mini_deck)
    coverage = claims.coverage(claims.load(mini_deck, checked.deck.spec), checked.notes)
    found = deck_stats(checked.deck, checked.notes, checked.templates.note_types, 2, coverage)
    assert (found.deck, found.facts, found.total) == ("Mini", 3, Count(4, 4))
    assert found.subdecks == (("Mini (top level)", Count(3, 3)), ("Part", Count(1, 1)))
    assert found.kinds == (
        ("nerve", Count(2, 2)),
        ("question", Count(1, 1)),
        ("statement", Count(1, 1)),
    )
    assert found.note_types == (("factdeck Q/A", Count(3, 3)), ("factdeck Cloze", Count(1, 1)))
    assert found.tags == (("mini::nerves", Count(3, 3)), ("other", Count(1, 1)))
    assert found.lint_warnings == 2
    assert found.claims == ClaimStats(
        covered=2,
        total=3,
        uncovered=(Uncovered("gamma", "The gamma is small.", "cards/mini/claims.yaml:10"),),
    )


def test_stats_command(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(mini_deck, {**CLAIMS, **MORE_FACTS})
    result = runner.invoke(main, ["stats"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Mini: 3 facts, 4 notes, 4 cards\n"
        "  sub-deck           notes cards\n"
        "    Mini (top level)     3     3\n"
        "    Part                 1     1\n"
        "  kind               notes cards\n"
        "    nerve                2     2\n"
        "    question             1     1\n"
        "    statement            1     1\n"
        "  note type          notes cards\n"
        "    factdeck Q/A         3     3\n"
        "    factdeck Cloze       1     1\n"
        "  tag                notes cards\n"
        "    mini::nerves         3     3\n"
        "    other                1     1\n"
        "  lint: 1 warning (factdeck lint lists them)\n"
        "  claims: 2/3 covered (67%)\n"
        "    uncovered: gamma (cards/mini/claims.yaml:10): The gamma is small.\n"
    )
    assert not (mini_deck / "factdeck.lock").exists()


def test_stats_without_a_claim_inventory(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["stats", "cards/mini"])
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "  lint: no warnings\n  claims: no claim inventory (claims.yaml)\n"
    )


def test_stats_of_a_broken_inventory_fails_with_its_line(
    runner: CliRunner, mini_deck: Path
) -> None:
    write_tree(mini_deck, {"claims.yaml": "claims:\n  - {id: x, section: nowhere, claim: X}\n"})
    result = runner.invoke(main, ["stats"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: cards/mini/claims.yaml:2: claim 'x': unknown section "
        "'nowhere'; deck.yaml lists: intro, body\n"
    )


def test_stats_report_the_lock_per_note(runner: CliRunner, real_deck: Path) -> None:
    """The shipped deck after its releases: at most 250 bytes of lock a note (format 2 took
    566); its history is in the release record beside it."""
    result = runner.invoke(main, ["stats", str(real_deck)])
    assert result.exit_code == 0
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("  lock: ")]
    lock = real_deck / "factdeck.lock"
    record = real_deck / "factdeck.releases"
    notes = sum(1 for text in lock.read_text().splitlines() if text.startswith('{"note"'))
    per_note = lock.stat().st_size / notes
    releases = sum(1 for text in lock.read_text().splitlines() if '"release"' in text)
    assert per_note <= 250 and releases >= 2
    assert line == (
        f"  lock: {lock.stat().st_size} bytes for {notes} notes ({per_note:.0f} B/note), "
        f"{releases} releases; release record: {record.stat().st_size} bytes"
    )
    assert per_note <= 250
