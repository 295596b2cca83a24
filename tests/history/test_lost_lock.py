"""A missing lock where releases exist is refused with the way back (issue 20, item 5):
git's index or history, released packages in dist/, or a fact's declaration for an earlier
release give it away; a deck never released builds without one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.history.lock import LOCK_NAME
from factdeck.pipeline import build, check
from tests.history.test_release import FACTS, bump, messages, publish
from tests.support.decks import write_tree
from tests.support.git import git, needs_git

CONSEQUENCE = (
    "Without the lock every note looks new and students' Anki gets no retirements and no "
    "corrections"
)


def test_released_packages_in_dist_give_a_lost_lock_away(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    (mini_deck / LOCK_NAME).unlink()
    expected = (
        "cards/mini/factdeck.lock: the lock is missing, but this deck was released before: "
        f"released packages (dist/mini-1.0.0.apkg). {CONSEQUENCE}; restore it from the "
        "clone or backup that made those releases, then build again"
    )
    with pytest.raises(FactdeckError) as caught:
        build(mini_deck, project / "dist")
    assert messages(caught) == [expected]
    assert not (mini_deck / LOCK_NAME).exists() and not (project / "dist" / "mini.apkg").exists()
    for command in (["check"], ["release"], ["build"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1 and result.stderr == f"Error: {expected}\n", result.output
        assert "Traceback" not in result.output


def test_a_declaration_for_an_earlier_release_gives_a_lost_lock_away(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone whose lock was never committed: no package, but the facts' history."""
    monkeypatch.chdir(project)
    marked = FACTS.replace(
        "subdeck: part", 'subdeck: part\n        correction: {in: "1.0.0", why: Wrong.}'
    )
    write_tree(mini_deck, {"facts.yaml": marked})
    bump(mini_deck, "1.1.0")
    with pytest.raises(FactdeckError) as caught:
        check(mini_deck)
    assert messages(caught) == [
        "cards/mini/factdeck.lock: the lock is missing, but this deck was released before: "
        "fact 'two' (cards/mini/facts.yaml:3) declares a correction in release 1.0.0. "
        f"{CONSEQUENCE}; restore it from the clone or backup that made those releases, "
        "then build again"
    ]
    bump(mini_deck, "1.0.0")  # a declaration for the version being made is no trace
    check(mini_deck)


@needs_git
def test_git_gives_the_lost_lock_back(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    shutil.rmtree(project / "dist")  # a fresh clone: dist/ is not committed
    git(project, "init", "-q")
    git(project, "add", "cards")
    git(project, "commit", "-qm", "release 1.0.0")
    lock = (mini_deck / LOCK_NAME).read_bytes()
    (mini_deck / LOCK_NAME).unlink()
    with pytest.raises(FactdeckError) as caught:
        build(mini_deck, project / "dist")
    assert messages(caught) == [
        "cards/mini/factdeck.lock: the lock is missing, but this deck was released before: "
        f"git's index holds a lock with releases. {CONSEQUENCE}; restore it: "
        "git checkout -- cards/mini/factdeck.lock, then build again"
    ]
    git(project, "checkout", "--", "cards/mini/factdeck.lock")  # the way back works
    assert (mini_deck / LOCK_NAME).read_bytes() == lock
    # deleted and committed: the commit before the deletion has it
    git(project, "rm", "-q", "cards/mini/factdeck.lock")
    git(project, "commit", "-qm", "oops")
    deleted = git(project, "rev-parse", "--short=12", "HEAD").strip()
    with pytest.raises(FactdeckError) as caught:
        check(mini_deck)
    (message,) = messages(caught)
    command = f"git checkout {deleted}^ -- cards/mini/factdeck.lock"
    assert f"git commit {deleted}^ holds a lock with releases" in message
    assert message.endswith(f"restore it: {command}, then build again")
    git(project, *command.split()[1:])
    assert (mini_deck / LOCK_NAME).read_bytes() == lock
    check(mini_deck)


@needs_git
def test_a_committed_lock_without_releases_is_no_trace(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built and committed, never released: no student has it, so starting over is fine."""
    monkeypatch.chdir(project)
    build(mini_deck, project / "dist")
    git(project, "init", "-q")
    git(project, "add", "cards")
    git(project, "commit", "-qm", "first build")
    (mini_deck / LOCK_NAME).unlink()
    build(mini_deck, project / "dist")
