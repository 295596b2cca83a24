"""Where a deck's project is: the folder holding cards/ (and templates/, dist/), so commands
run from inside a deck folder still write to the project's dist/. In render/ beside layers.py,
whose lookup of the project's templates/ it shares."""

from __future__ import annotations

from pathlib import Path

from factdeck.errors import FactdeckError, Location
from factdeck.facts.load import DECK_FILE
from factdeck.render.layers import is_templates_folder

_MARKERS = ("pyproject.toml", "cards")


def project_root(start: Path) -> Path:
    """The nearest folder at or above `start` with templates/ (else cards/ or pyproject.toml);
    `start` itself when there is none."""
    folders = (start.resolve(), *start.resolve().parents)
    for folder in folders:
        if is_templates_folder(folder / "templates"):
            return folder
    for folder in folders:
        if any((folder / marker).exists() for marker in _MARKERS) and folder.name != "cards":
            return folder
    return start.resolve()


def in_project(path: Path) -> bool:
    """Whether a new folder at `path` belongs to a project (a deck: `new cards/knee`) rather
    than starting one (a course: `new knee-course`): its parent is a cards/ folder, or a
    folder at or above that parent holds cards/ or a templates/ of overrides."""
    parent = path.absolute().parent
    if parent.name == "cards":
        return True
    return any(
        (folder / "cards").is_dir() or is_templates_folder(folder / "templates")
        for folder in (parent.resolve(), *parent.resolve().parents)
    )


def one_deck(cwd: Path) -> Path:
    """The deck a command means when none is named: this folder's, or the only one in cards/."""
    if (cwd / DECK_FILE).is_file():
        return cwd
    decks = sorted(p.parent for p in (project_root(cwd) / "cards").glob(f"*/{DECK_FILE}"))
    if len(decks) == 1:
        return decks[0]
    names = ", ".join(str(d.relative_to(project_root(cwd))) for d in decks) or "none"
    raise FactdeckError.at(
        Location(cwd),
        f"which deck? name one (decks under cards/: {names}), e.g. factdeck serve cards/knee",
    )
