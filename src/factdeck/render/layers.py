"""Where a template file comes from: the project's own `templates/` first, then the set that
ships inside factdeck (like a Hugo theme's lookup order, or mkdocs' `custom_dir`).

A project overrides any single file by putting one at the same relative path; it never has
to copy the whole set. Only the standard library (and the package's own version): the build's
early stop imports this.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from factdeck import installed_version

BUILTIN = Path(__file__).resolve().parent.parent / "templates"  # package data of factdeck
PROJECT = "project"  # the template set of a note type built from the project's own files


@dataclass(frozen=True, slots=True)
class Layers:
    """The folders a template name is looked up in, the first that has it winning."""

    folders: tuple[Path, ...]

    @property
    def top(self) -> Path:
        """The project's folder when it has one (messages name it), else the built-in set."""
        return self.folders[0]

    def find(self, relative: str | Path) -> Path | None:
        """The file a relative name means: the project's copy if it has one."""
        for folder in self.folders:
            path = folder / relative
            if path.is_file():
                return path
        return None

    def names(self, subdir: str, suffix: str) -> tuple[str, ...]:
        """The file stems in `subdir` of any layer (e.g. every note type), sorted."""
        found = {
            path.stem
            for folder in self.folders
            if (folder / subdir).is_dir()
            for path in (folder / subdir).glob(f"*{suffix}")
            if path.is_file()
        }
        return tuple(sorted(found))

    def files(self) -> dict[str, Path]:
        """Every file a build may read, by relative name (a project's copy shadowing ours)."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for relative, path in _walk(folder):
                found[relative] = path
        return dict(sorted(found.items()))

    def links(self) -> tuple[Path, ...]:
        """Every symbolic link in the project's folders, file or folder (not followed): a
        template's text goes into the package and the preview, so a link would ship its
        target, wherever that is; so would the folder itself (walking it follows it). The
        built-in set is factdeck's own."""
        found = []
        for folder in self.folders:
            if folder == BUILTIN:
                continue
            if folder.is_symlink():
                found.append(folder)
                continue
            for parent, dirs, names in os.walk(folder):
                found += [
                    Path(parent, n)
                    for n in sorted((*dirs, *names))
                    if os.path.islink(os.path.join(parent, n))
                ]
        return tuple(found)


def layers(project_templates: Path | None) -> Layers:
    """The lookup order for a project's `templates/` folder (None: built-in files only)."""
    if project_templates is None or project_templates.resolve() == BUILTIN:
        return Layers((BUILTIN,))
    return Layers((project_templates, BUILTIN))


def is_builtin(path: Path) -> bool:
    """A file of the set that ships inside factdeck (not one of the project's)."""
    return path.resolve().is_relative_to(BUILTIN)


def is_templates_folder(path: Path) -> bool:
    """A folder named like a part of the built-in set holds overrides (not any 'templates/')."""
    return path.is_dir() and any((path / entry.name).exists() for entry in BUILTIN.iterdir())


def find_templates(start: Path) -> Path:
    """The project's own `templates/` at or above `start` (a deck folder, usually), whose
    files shadow the built-in ones; the built-in set when the project has none. Here, with
    only the standard library, so the build's early stop can look it up at no cost."""
    for folder in (start.resolve(), *start.resolve().parents):
        if is_templates_folder(folder / "templates"):
            return folder / "templates"
    return BUILTIN


@functools.cache
def builtin_set() -> str:
    """How the lock names the built-in set: its factdeck version, so an upgrade is visible."""
    version = installed_version()
    return f"factdeck {version}" if version else "factdeck (unknown version)"


def _walk(folder: Path) -> Iterator[tuple[str, Path]]:
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(parent) / name
            yield path.relative_to(folder).as_posix(), path
