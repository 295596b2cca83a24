"""A build lock that is a symbolic link is refused, not written through (issue 26): the
lock file of a deck can arrive with a merge (.gitignore keeps only untracked files out),
and every build truncated the file it pointed to and wrote its process id there (a
planted `.factdeck-build.lock -> ~/.bashrc` emptied the instructor's .bashrc), or made it
where a dangling link pointed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.fs.names import MUTEX_FILE
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("dangling", [False, True])
@pytest.mark.parametrize("command", ["build", "release"])
def test_a_linked_build_lock_is_refused(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    outside: Path,
    command: str,
    dangling: bool,
) -> None:
    target = outside / ("made-here" if dangling else "victim-bashrc")
    lock = built_mini_deck / MUTEX_FILE
    lock.unlink()
    lock.symlink_to(target)
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/{MUTEX_FILE}: is a symbolic link (to {target}); factdeck writes "
        "its build lock here and would overwrite what it points to: delete the link\n"
    )
    assert target.exists() is not dangling  # refused() also holds the sibling's bytes
