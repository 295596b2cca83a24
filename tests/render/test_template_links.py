"""A symbolic link in the project's templates folder is refused (issue 26): a partial's or a
note type's text goes into the package, so a link committed by a merge shipped whatever it
pointed to (a file of the instructor's home folder reached the package, the build passing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.decks import write_tree
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

WHY = (
    "factdeck reads only plain files of the templates folder, so that a link cannot put a "
    "file from elsewhere (another project, your home folder) into the package or the "
    "preview: replace the link with a copy of what it points to"
)


@pytest.mark.parametrize("command", ["build", "check", "preview", "release"])
def test_a_linked_partial_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    secret = write_tree(project.parent / f"{project.name}-sibling", {"key.txt": "SECRET\n"})
    partial = project / "templates" / "partials" / "source.html"
    partial.unlink()
    partial.symlink_to(secret / "key.txt")
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: templates/partials/source.html: a symbolic link (to {secret / 'key.txt'}); {WHY}\n"
    )
    assert not (project / "dist" / "mini-preview").exists()


def test_a_linked_folder_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    (project / "templates" / "partials").rename(project / "elsewhere")
    (project / "templates" / "partials").symlink_to("../elsewhere")
    assert refused(runner, project, built_mini_deck) == (
        f"Error: templates/partials: a symbolic link (to ../elsewhere); {WHY}\n"
    )


@pytest.mark.parametrize("command", ["build", "templates eject"])
def test_a_linked_templates_folder_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    """The folder itself, not only links below it: walking it followed the link."""
    elsewhere = project.parent / f"{project.name}-sibling" / "templates"
    elsewhere.parent.mkdir(exist_ok=True)
    (project / "templates").rename(elsewhere)
    (project / "templates").symlink_to(elsewhere)
    assert refused(runner, project, built_mini_deck, command.split()) == (
        f"Error: templates: a symbolic link (to {elsewhere}); {WHY}\n"
    )
