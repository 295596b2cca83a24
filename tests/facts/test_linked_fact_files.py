"""A fact file, deck.yaml or claims.yaml that is a symbolic link is refused (issue 26): its
facts went into the package wherever it pointed (a fact file linked to one outside the
project built, exit 0, its cards in the package)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_hostile_repository import NO_LINKS
from tests.support.decks import write_tree
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

OUTSIDE_FACTS = """
    facts:
      - id: planted
        kind: question
        question: "Which answer came from outside the project?"
        answer: "This one"
        source: body
"""


@pytest.mark.parametrize("name", ["more.yaml", "deck.yaml", "claims.yaml", "sub/more.yml"])
@pytest.mark.parametrize("command", ["build", "check", "preview", "release"])
def test_a_linked_fact_file_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, name: str, command: str
) -> None:
    target = write_tree(project.parent / f"{project.name}-sibling", {"facts.yaml": OUTSIDE_FACTS})
    link = built_mini_deck / name
    if link.exists():
        link.unlink()
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(target / "facts.yaml")
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/{name}: is a symbolic link (to {target / 'facts.yaml'}); {NO_LINKS}\n"
    )
    assert not (project / "dist" / "mini-preview").exists()


def test_a_linked_folder_named_like_a_fact_file_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    """As a link, not as 'a folder named like a fact file' (it may point to a file)."""
    write_tree(built_mini_deck, {"real/facts.yaml": OUTSIDE_FACTS})
    (built_mini_deck / "real").rename(project / "real")
    (built_mini_deck / "more.yaml").symlink_to(project / "real")
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/more.yaml: is a symbolic link (to {project / 'real'}); {NO_LINKS}\n"
    )
