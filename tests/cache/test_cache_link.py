"""A deck's cache folder that is a symbolic link is refused (issue 26): .factdeck-cache can
arrive with a merge as a link, and every build, check or preview wrote its entries where it
pointed and pruned there, deleting any file ending in .tmp (a `.factdeck-cache ->
~/Downloads` took the instructor's files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.fs.names import CACHE_DIR
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("command", ["build", "check", "lint", "preview", "release"])
def test_a_linked_cache_folder_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, outside: Path, command: str
) -> None:
    (outside / "thesis.tmp").write_text("a draft\n")  # what the prune deleted
    cache = built_mini_deck / CACHE_DIR
    shutil.rmtree(cache)
    cache.symlink_to(outside)
    (built_mini_deck / "facts.yaml").write_text(
        (built_mini_deck / "facts.yaml").read_text() + "# an edit: no early stop\n"
    )
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/{CACHE_DIR}: is a symbolic link (to {outside}); factdeck keeps "
        "its build cache here, and writes and deletes files in it: delete the link (a build "
        "makes the folder again)\n"
    )
