"""What may arrive through a repository (issue 26): a commit journal a merge or a copy
brought is refused through the real CLI, with the whole message and exit 1, and nothing
outside the project (nor dist/, nor the lock) is touched; journals and temporaries are
git-ignored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.fs import commit
from factdeck.fs.names import JOURNAL
from tests.support.decks import REPO
from tests.support.hostile import build_ok, refused

NOT_OURS = (
    "it was not written by factdeck on this machine for this folder (it may have come with "
    "a merge, a copy or another checkout, or be damaged)"
)


def not_followed(why: str) -> str:
    return (
        f"Error: cards/mini/{JOURNAL}: this commit journal was not followed: {why}. Nothing "
        "was moved or deleted, and it is left in place. If no build of this deck was "
        "interrupted, delete it and build again; if one was, restore factdeck.lock from "
        "version control, delete the journal and build again\n"
    )


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def built(runner: CliRunner, mini_deck: Path) -> Path:
    build_ok(runner)
    return mini_deck


def plant(deck: Path, project: Path, body: dict[str, object]) -> tuple[Path, Path]:
    """A journal moving the deck's facts to ../victim and deleting a file outside."""
    victim, outsider = project.parent / "victim-bashrc", project.parent / "outsider"
    outsider.write_text("keep me")
    (deck / JOURNAL).write_text(
        json.dumps(
            {
                "moves": [[str(deck / "facts.yaml"), str(victim)]],
                "deletes": [str(outsider)],
                **body,
            }
        )
    )
    return victim, outsider


@pytest.mark.parametrize(
    "body",
    [
        {},  # as factdeck 0.x wrote them
        {"format": 2, "mac": "0" * 64},
        {"format": 2, "mac": None},
        {"format": 2, "mac": ["not", "text"]},
    ],
)
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_planted_journal_is_refused(
    runner: CliRunner, project: Path, built: Path, body: dict[str, object], command: str
) -> None:
    victim, outsider = plant(built, project, body)
    journal = (built / JOURNAL).read_bytes()
    facts = (built / "facts.yaml").read_bytes()
    assert refused(runner, project, built, [command, str(built)]) == not_followed(NOT_OURS)
    assert not victim.exists() and outsider.read_text() == "keep me"
    assert (built / "facts.yaml").read_bytes() == facts
    assert (built / JOURNAL).read_bytes() == journal  # left for the user


@pytest.mark.parametrize("kind", ["folder", "pipe", "not-json", "a-list"])
def test_a_journal_that_is_no_journal_is_refused(
    runner: CliRunner, project: Path, built: Path, kind: str
) -> None:
    journal = built / JOURNAL
    if kind == "folder":
        journal.mkdir()
    elif kind == "pipe":
        os.mkfifo(journal)  # reading it must not wait for a writer
    else:
        journal.write_text("{not json" if kind == "not-json" else "[1, 2]")
    assert refused(runner, project, built) == not_followed(NOT_OURS)
    assert journal.exists() or journal.is_fifo()


def test_a_journal_copied_from_another_folder_is_refused(
    runner: CliRunner, project: Path, built: Path
) -> None:
    """Sealed on this machine, but for another deck folder (a `cp -r` after a crash)."""
    other = project / "cards" / "other"
    other.mkdir()
    body = {"format": 2, "moves": [], "deletes": [str(built / "facts.yaml")]}
    (built / JOURNAL).write_text(commit._sealed(other, body))
    assert refused(runner, project, built) == not_followed(NOT_OURS)
    assert (built / "facts.yaml").exists()


@pytest.mark.parametrize("where", ["outside", "not-a-temporary"])
def test_a_sealed_journal_is_obeyed_only_inside_the_deck_and_the_output_folder(
    runner: CliRunner, project: Path, built: Path, where: str
) -> None:
    victim, outsider = project.parent / "victim", project.parent / "outsider"
    outsider.write_text("keep me")
    if where == "outside":
        tmp = project.parent / ".victim.1.tmp"
        tmp.write_text("planted")
        body = {"format": 2, "moves": [[str(tmp), str(victim)]], "deletes": [str(outsider)]}
        named = outsider
    else:  # a fact file renamed over the lock
        lock = built / "factdeck.lock"
        body = {"format": 2, "moves": [[str(built / "facts.yaml"), str(lock)]], "deletes": []}
        named = Path("cards/mini/facts.yaml")
    (built / JOURNAL).write_text(commit._sealed(built, body))
    why = (
        f"it names '{named}', which is not factdeck's own file in this deck folder or in "
        "the output folder (dist)"
    )
    assert refused(runner, project, built) == not_followed(why)
    assert not victim.exists() and outsider.read_text() == "keep me"
    assert (built / "facts.yaml").exists()


TRANSIENT = [
    JOURNAL,
    ".factdeck-commit.json.k2j3.tmp",
    ".factdeck.lock.a1b2.tmp",
    ".factdeck-build.lock",
    ".factdeck-cache/manifest.json",
]


def ignored(repo: Path, paths: list[str]) -> list[str]:
    found = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "--no-index", *paths],
        capture_output=True,
        text=True,
    )
    return found.stdout.split()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_journals_and_temporaries_are_ignored_by_git(runner: CliRunner, project: Path) -> None:
    """In this repository, and in a deck `factdeck new` writes into a fresh repository."""
    ours = [f"cards/low-back-pain/{name}" for name in TRANSIENT]
    ours += ["dist/.low-back-pain.apkg.x1.tmp", "elsewhere/.deck-1.0.0.md.x2.tmp"]
    assert ignored(REPO, ours) == ours
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    assert runner.invoke(main, ["new", "cards/knee"]).exit_code == 0
    theirs = [f"cards/knee/{name}" for name in TRANSIENT]
    assert ignored(project, theirs) == theirs
    assert ignored(project, ["cards/knee/deck.yaml", "cards/knee/factdeck.lock"]) == []


def test_names_are_escaped_on_the_terminal(project: Path, mini_deck: Path) -> None:
    """A file name with terminal escape sequences (retitle the window, clear the screen)
    and a right-to-left override is printed escaped, even to a colour terminal."""
    name = "evil\x1b]0;pwned\x07\x1b[2J\u202eyaml.txt.yaml"
    (mini_deck / name).write_text("facts: [1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(mini_deck)], color=True)
    assert result.exit_code == 1
    shown = "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eyaml.txt.yaml"
    assert f"cards/mini/{shown}:" in result.stderr, result.stderr
    assert "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert result.stderr.count("\x1b") == 2  # only our own red, and its reset
