"""A deck folder that is a symbolic link, or a cards/ that is one, is refused (issue 26): a
repository can commit `cards/x -> /elsewhere`, and `factdeck build` then read that folder's
facts into the package and wrote factdeck.lock, .factdeck-cache/, the build lock and even
a dist/ there, outside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.decks import MINI_DECK, write_tree
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

WHY = (
    "factdeck reads and writes only inside the project, and through a link the facts, the "
    "lock, the cache and dist/ would be where it points: replace the link with a copy of "
    "the deck"
)


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("command", ["build", "check", "lint", "preview", "release"])
def test_a_linked_deck_folder_is_refused(
    runner: CliRunner, project: Path, command: str, named: bool
) -> None:
    elsewhere = write_tree(project.parent / f"{project.name}-sibling" / "deck", MINI_DECK)
    link = project / "cards" / "mini"
    link.symlink_to(elsewhere)
    args = [command, "cards/mini"] if named else [command]
    assert refused(runner, project, link, args) == (
        f"Error: cards/mini: the deck folder is a symbolic link (to {elsewhere}); {WHY}\n"
    )


@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_linked_cards_folder_is_refused(runner: CliRunner, project: Path, command: str) -> None:
    elsewhere = project.parent / f"{project.name}-sibling" / "cards"
    write_tree(elsewhere / "mini", MINI_DECK)
    shutil.rmtree(project / "cards")
    (project / "cards").symlink_to(elsewhere)
    assert refused(runner, project, project / "cards" / "mini", [command]) == (
        f"Error: cards: the deck lies in a symbolic link (to {elsewhere}); {WHY}\n"
    )
