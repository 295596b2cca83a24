"""Build counts the changes since the last release and writes no notes (issue 23, item 3):
only `release` writes release notes; `build` prints what `release` will count and names
`factdeck diff LAST current` for the notes so far; a changes file an older factdeck's
build left in dist/ goes, through the commit and the early stop's manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cache.store import CACHE_DIR
from factdeck.cli.main import main
from factdeck.history.lock import read
from tests.support.decks import (
    MINI,
    REAL_DECK,
    deck_yaml,
    edit_deck,
    facts_yaml,
    question,
    write_tree,
)

pytestmark = pytest.mark.usefixtures("in_project")

STATEMENT = {"id": "two", "kind": "statement", "text": "The beta is {{c1::big}}.", "source": "body"}
RELEASED = (question("one", "First?", "Alpha"), STATEMENT, question("three", "Third?", "Gamma"))
CORRECTED = question(
    "one", "First?", "Aleph", correction={"in": "1.1.0", "why": "Alpha was a slip."}
)
EDITED = (CORRECTED, STATEMENT, question("four", "Fourth?", "Delta"))  # three retired


def build(runner: CliRunner) -> str:
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert "Error" not in result.stderr  # lint's warnings of short questions are fine
    return result.stdout


def counts(stdout: str) -> list[str]:
    """The summary's rows after the package's: the changes and where their notes are."""
    return [line for line in stdout.splitlines() if line.startswith(("  changes", "  release"))]


def test_build_writes_no_changes_file_and_removes_a_stale_one(
    runner: CliRunner, mini_deck: Path
) -> None:
    stale = Path("dist/mini-changes.md")
    write_tree(Path("dist"), {stale.name: "# Mini, version 0.9.0: not released yet\n"})
    first = build(runner)
    assert sorted(p.name for p in Path("dist").iterdir()) == ["mini.apkg"]
    assert counts(first) == [
        "  changes  3 added, 0 changed (0 corrected), 0 retired, 0 unchanged: never released",
        "  release  none yet: `factdeck release` publishes the first version, with its notes",
    ]
    assert build(runner) == first  # the early stop says the same
    stale.write_text("# an older factdeck's notes, come back\n")
    assert build(runner) == first  # not an early stop: the manifest recorded it deleted
    assert not stale.exists()


def test_build_counts_what_release_then_reports(runner: CliRunner, project: Path) -> None:
    deck = write_tree(
        project / "cards" / "mini",
        {"deck.yaml": deck_yaml(base=MINI), "facts.yaml": facts_yaml(*RELEASED)},
    )
    assert runner.invoke(main, ["release"]).exit_code == 0
    assert counts(build(runner)) == [
        "  changes  0 added, 0 changed (0 corrected), 0 retired, 3 unchanged: since release 1.0.0",
        "  release  nothing to release since 1.0.0",
    ]
    write_tree(deck, {"facts.yaml": facts_yaml(*EDITED)})
    edit_deck(deck, version="1.1.0")
    built = build(runner)
    assert counts(built) == [
        "  changes  1 added, 1 changed (1 corrected), 1 retired, 1 unchanged: since release 1.0.0",
        "  release  notes so far: factdeck diff 1.0.0 current --deck cards/mini",
    ]
    assert build(runner) == built  # the early stop repeats the counts
    assert not Path("dist/mini-changes.md").exists()
    shown = runner.invoke(main, ["diff", "1.0.0", "current", "--deck", "cards/mini"])
    assert shown.exit_code == 0, shown.output
    assert "Fourth? → **Delta**" in shown.stdout and "First? → **Aleph**" in shown.stdout
    assert "Third? → **Gamma**" in shown.stdout  # retired
    released = runner.invoke(main, ["release"])
    assert released.exit_code == 0, released.output
    assert "  changes  1 added, 1 changed (1 corrected), 1 retired, 1 unchanged\n" in (
        released.stdout
    )
    assert counts(build(runner)) == [
        "  changes  0 added, 0 changed (0 corrected), 0 retired, 3 unchanged: since release 1.1.0",
        "  release  nothing to release since 1.1.0",
    ]


def test_a_reworded_answer_is_counted_changed_not_corrected(
    runner: CliRunner, project: Path
) -> None:
    deck = write_tree(
        project / "cards" / "mini",
        {"deck.yaml": deck_yaml(base=MINI), "facts.yaml": facts_yaml(*RELEASED)},
    )
    assert runner.invoke(main, ["release"]).exit_code == 0
    reworded = question("one", "First?", "Alpha.", reworded={"in": "1.0.1", "why": "A stop."})
    write_tree(deck, {"facts.yaml": facts_yaml(reworded, *RELEASED[1:])})
    edit_deck(deck, version="1.0.1")
    assert counts(build(runner))[0] == (
        "  changes  0 added, 1 changed (0 corrected), 0 retired, 2 unchanged: since release 1.0.0"
    )


def test_the_shipped_deck_is_written_again_as_released(runner: CliRunner, project: Path) -> None:
    """`release --again` of the shipped deck's last release: its package's digest as the lock
    recorded it (checked by the command), and its notes beside it."""
    deck = project / "cards" / REAL_DECK.name
    shutil.copytree(REAL_DECK, deck, ignore=shutil.ignore_patterns(CACHE_DIR))
    last = read(deck).last_release
    assert last is not None
    result = runner.invoke(main, ["release", str(deck), "--again", "--out", "ci"])
    assert result.exit_code == 0, result.output
    assert f"as recorded ({last.package})" in result.stdout
    notes = (project / "ci" / f"{deck.name}-{last.version}.md").read_text(encoding="utf-8")
    assert notes.startswith(f"# Low Back Pain, version {last.version}: release notes\n")
