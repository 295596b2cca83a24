"""A lock or release record that is a symbolic link is refused, not read through (issue 26):
both arrive with a merge, and the build read the deck's note identities and releases from
wherever the link pointed (then replaced the link with a plain file)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.fs.names import LOCK_NAME, RECORD_NAME
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

WHY = (
    "factdeck reads the deck's note identities and releases from this file, so through a "
    "link they would come from where it points: replace the link with the file itself "
    "(git checkout -- it, or a copy of what it points to)"
)


@pytest.mark.parametrize("name", [LOCK_NAME, RECORD_NAME])
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_linked_lock_or_release_record_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, outside: Path, name: str, command: str
) -> None:
    target = outside / name
    link = built_mini_deck / name
    if link.exists():
        shutil.move(link, target)  # the same history, but outside the project
    else:
        target.write_text('{"factdeck-releases": 1}\n', encoding="utf-8")
    link.symlink_to(target)
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/{name}: is a symbolic link (to {target}); {WHY}\n"
    )
    assert link.is_symlink()
