"""`factdeck templates eject`: copy built-in template files into a project's `templates/`,
where they override the built-in ones file by file and can be edited.

A copied file stops following factdeck's upgrades, so only what is named is copied, and
a file the project already has is never overwritten (the project's edits are kept).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location, did_you_mean
from factdeck.render.layers import BUILTIN, Layers, is_builtin, layers
from factdeck.render.templates import refuse_links


@dataclass(frozen=True, slots=True)
class Ejected:
    copied: tuple[Path, ...]
    kept: tuple[Path, ...]  # already in the project: left as the project wrote them


@dataclass(frozen=True, slots=True)
class TemplateFile:
    name: str  # relative to the templates folder, e.g. note-types/qa/front.html
    source: Path  # where the build reads it from
    overridden: bool  # the project's copy, not the built-in one


def builtin_names(names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The built-in files a set of names means: a file, a folder (every file under it) or,
    with no name, all of them. Unknown names are reported together, with a near miss."""
    every = tuple(layers(None).files())
    if not names:
        return every
    chosen: list[str] = []
    unknown = []
    for raw in names:
        name = raw.strip("/").removeprefix("templates/")
        matched = [f for f in every if f == name or f.startswith(f"{name}/")]
        if not matched:
            unknown.append(raw)
        chosen.extend(m for m in matched if m not in chosen)
    if unknown:
        folders = sorted({f.split("/")[0] for f in every})
        raise FactdeckError.at(
            None,
            f"no built-in template '{unknown[0]}'"
            f"{did_you_mean(unknown[0], every)}; name a file or folder of the built-in set "
            f"({', '.join(folders)}), or see them all with `factdeck templates list`",
        )
    return tuple(chosen)


def eject(project: Path, names: tuple[str, ...] = ()) -> Ejected:
    """Copy the named built-in files into `project`/templates/, keeping existing ones."""
    target = project / "templates"
    if target.resolve() == BUILTIN:
        raise FactdeckError.at(
            Location(target), "this templates/ folder is factdeck's built-in set itself"
        )
    refuse_links(Layers((target,)))  # a copy would be written where a link points
    copied, kept = [], []
    for name in builtin_names(names):
        dest = target / name
        if dest.exists():
            kept.append(dest)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BUILTIN / name, dest)
        copied.append(dest)
    return Ejected(tuple(copied), tuple(kept))


def listing(found: Layers) -> tuple[TemplateFile, ...]:
    """Every template file a build reads, and whether the project overrides it."""
    return tuple(
        TemplateFile(name, path, not is_builtin(path)) for name, path in found.files().items()
    )
