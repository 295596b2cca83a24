"""A symbolic link in a deck folder that factdeck would skip is refused (issue 26): the walk
for fact files does not follow links, so a linked folder named anything but *.yaml had its
facts left out with nothing said, and the build passed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.decks import write_tree
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

WHY = (
    "factdeck reads only plain files and folders of the deck folder, so it skipped this link "
    "and what it points to (fact files too) was left out unseen: replace the link with a "
    "copy of what it points to, or delete it"
)

FACTS = """
    facts:
      - id: unseen
        kind: question
        question: "Which answer was left out?"
        answer: "This one"
        source: body
"""


@pytest.mark.parametrize("where", ["outside the project", "inside the deck", "a file"])
@pytest.mark.parametrize("command", ["build", "check", "preview", "release"])
def test_a_link_factdeck_would_skip_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, where: str, command: str
) -> None:
    if where == "outside the project":
        target = write_tree(project.parent / f"{project.name}-sibling" / "more", {"f.yaml": FACTS})
    elif where == "inside the deck":
        target = write_tree(built_mini_deck / "real", {"notes.txt": "kept here\n"})
    else:
        target = write_tree(built_mini_deck, {"notes.txt": "kept here\n"}) / "notes.txt"
    (built_mini_deck / "more").symlink_to(target)
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/more: is a symbolic link (to {target}); {WHY}\n"
    )
    assert not (project / "dist" / "mini-preview").exists()
