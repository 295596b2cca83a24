"""A project's schemas/ that is a symbolic link is refused (issue 26): a repository can
commit `schemas -> /elsewhere`, and `factdeck schema` and `factdeck new cards/DECK` wrote
(and rewrote) deck.schema.json, facts.schema.json and claims.schema.json where it pointed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("args", [["schema"], ["new", "cards/knee"]])
def test_a_linked_schemas_folder_is_refused(
    runner: CliRunner, project: Path, outside: Path, args: list[str]
) -> None:
    (outside / "deck.schema.json").write_text("mine\n")
    (project / "schemas").symlink_to(outside)
    assert refused(runner, project, project / "cards" / "knee", args) == (
        f"Error: schemas: is a symbolic link (to {outside}); the schemas would be written "
        "where it points, outside the project: delete the link (the command makes the "
        "folder), or name another folder on purpose (factdeck schema OUT_DIR)\n"
    )
    assert not (project / "cards" / "knee").exists()
