"""`templates eject` never copies through a symbolic link (issue 26): a committed
templates/base.css -> /elsewhere/x that does not exist yet counted as missing, and the copy
made /elsewhere/x; a linked folder took every file ejected into it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.render.test_template_links import WHY
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("folder", [False, True])
def test_eject_refuses_a_linked_template(
    runner: CliRunner, project: Path, outside: Path, folder: bool
) -> None:
    shutil.rmtree(project / "templates")
    (project / "templates").mkdir()
    link = project / "templates" / ("partials" if folder else "base.css")
    target = outside / ("partials" if folder else "made.css")
    if folder:
        target.mkdir()
    link.symlink_to(target)
    name = "partials" if folder else "base.css"
    assert refused(runner, project, project / "cards" / "none", ["templates", "eject", name]) == (
        f"Error: templates/{name}: a symbolic link (to {target}); {WHY}\n"
    )
    assert not (outside / "made.css").exists()
