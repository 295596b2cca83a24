"""A missing lock where releases exist is a lost lock, not a new deck. Without it every
note would look new (`check` says OK, `release` calls itself the first release, retired
facts leave no tombstones), so the build refuses and says how to get it back.

Releases leave traces outside the lock: git's index or history holds a lock that records
them, OUT holds released packages (`<slug>-<version>.apkg`), a fact declares an answer
change for an earlier version than the deck's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from factdeck.errors import FactdeckError, Location, shown_path
from factdeck.facts.model import ANSWER_MARKERS, Deck
from factdeck.fs import git
from factdeck.history import lockfile


def refuse_if_lost(deck: Deck, path: Path, out_dirs: Iterable[Path]) -> None:
    """Raise when the lock at `path` is missing and a release of `deck` left a trace."""
    if path.exists() or path.is_symlink():
        return
    traces, kept = [], git.last_kept(path)
    if kept is not None and _records_releases(kept.text, path):
        traces.append(f"{kept.where} holds a lock with releases")
    released = re.compile(rf"{re.escape(deck.spec.slug)}-\d[^/]*\.apkg")
    packages = sorted(
        {
            str(shown_path(p))
            for folder in out_dirs
            if folder.is_dir()
            for p in folder.glob(f"{deck.spec.slug}-*.apkg")
            if released.fullmatch(p.name)
        }
    )
    if packages:
        traces.append(f"released packages ({', '.join(packages[:3])})")
    declared = sorted(
        (str(entry.location), entry.fact.id, marker, change.version)
        for entry in deck.entries
        for marker in ANSWER_MARKERS
        for change in getattr(entry.fact, marker)
        if lockfile.version_key(change.version) < lockfile.version_key(deck.spec.version)
    )
    if declared:
        where, fact, marker, version = declared[0]
        traces.append(f"fact '{fact}' ({where}) declares a {marker} in release {version}")
    if not traces:
        return
    way_back = (
        f"restore it: {kept.restore}"
        if kept is not None
        else "restore it from the clone or backup that made those releases"
    )
    raise FactdeckError.at(
        Location(path),
        (
            f"the lock is missing, but this deck was released before: {'; '.join(traces)}. "
            "Without the lock every note looks new and students' Anki gets no retirements "
            f"and no corrections; {way_back}, then build again"
        ),
    )


def _records_releases(text: str, path: Path) -> bool:
    """Whether a lock's text records a release (a lock git cannot give back readable counts:
    it may be one students depend on)."""
    try:
        return bool(lockfile.parse(text, path).releases)
    except FactdeckError:
        return True
