"""Releases from separate clones (issue 20, item 3): one instructor releases and pushes, a
second releases the next version from a clone of their own, and a third, with neither's
dist/, gets from `factdeck diff OLD NEW` the students' view that `release` wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.fs.names import RECORD_NAME
from tests.history.test_release import FACTS, bump
from tests.support.decks import EPOCH, write_tree
from tests.support.git import clone, commit_and_push, course_repository, needs_git, origin_of

FOURTH = "      - {id: four, kind: question, question: Fourth?, answer: Delta, source: body}\n"
NEXT = (  # from FACTS and FOURTH: each kind of change
    FACTS.replace("First?", "Which comes first?")  # a rewording
    .replace("{{c1::big}}", "{{c1::small}}")  # a corrected answer
    .replace(
        "subdeck: part",
        'subdeck: part\n        correction: {in: "1.1.0", why: It was never big.}',
    )
    + "      - {id: three, kind: question, question: Third?, answer: Gamma, source: body}\n"
)


def students(notes: str) -> str:
    """The students' part of release notes, without the title."""
    return notes.split("## For students", 1)[1].split("## For instructors", 1)[0]


def run(runner: CliRunner, folder: Path, *args: str) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = runner.invoke(main, list(args))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return result.stdout


@needs_git
def test_diff_from_a_third_clone_says_what_each_release_said(
    mini_deck: Path,
    project: Path,
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_tree(mini_deck, {"facts.yaml": FACTS + FOURTH})
    origin = origin_of(course_repository(project), tmp_path / "origin.git")
    first = clone(origin, tmp_path / "first")
    run(runner, first, "release")
    commit_and_push(first, "release 1.0.0")

    second = clone(origin, tmp_path / "second")
    deck = second / "cards" / "mini"
    write_tree(deck, {"facts.yaml": NEXT})
    bump(deck, "1.1.0")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86_400))
    run(runner, second, "release")
    commit_and_push(second, "release 1.1.0")
    released = (second / "dist" / "mini-1.1.0.md").read_text()
    assert "  - before: The beta is **big** and **blue**." in released  # from the record
    assert "replaced" not in (deck / RECORD_NAME).read_text()  # the notice is no card text

    third = clone(origin, tmp_path / "third")
    assert not (third / "dist").exists()
    shown = run(runner, third, "diff", "1.0.0", "1.1.0")
    assert students(shown) == students(released)
    # and still after a later release: the corrected tag names 1.1.0, not the deck's version
    deck = third / "cards" / "mini"
    write_tree(deck, {"facts.yaml": NEXT.replace("Third?", "The third?")})
    bump(deck, "1.1.1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 2 * 86_400))
    run(runner, third, "release")
    assert students(run(runner, third, "diff", "1.0.0", "1.1.0")) == students(released)
    for quoted in (
        "- Fourth? → **Delta**",
        "- version 1.0.0: `mini-1.1.0-retired-since-1.0.0.apkg`",
    ):
        assert quoted in students(released)
