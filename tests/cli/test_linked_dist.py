"""A dist/ that is a symbolic link is refused (issue 26): git ignores the folder `/dist/`
but not a link of that name, so a repository can commit `dist -> /elsewhere`, and every
build wrote the packages, notes and preview there, outside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("command", ["build", "preview", "release"])
def test_a_linked_dist_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    elsewhere = project.parent / f"{project.name}-sibling" / "out"
    elsewhere.mkdir()
    shutil.rmtree(project / "dist")
    (project / "dist").symlink_to(elsewhere)
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: dist: is a symbolic link (to {elsewhere}); the packages, notes and "
        "preview would be written where it points, outside the project: delete the link (a "
        "build makes the folder), or pass --out to write elsewhere on purpose\n"
    )
    assert not any(elsewhere.iterdir())
    asked = runner.invoke(main, ["build", "-q", "--out", str(elsewhere)])  # on purpose
    assert (asked.exit_code, asked.output) == (0, "")
    assert (elsewhere / "mini.apkg").is_file()
