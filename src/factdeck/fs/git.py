"""What git last kept of a file, and the command that brings it back: a lock deleted in a
clone is still in git's index or history. Read-only; asks nothing of a repository that is
not there (no git, not a repository, a repository git will not trust): None then.

Only plumbing that runs no hooks (`show`, `log`), with the repository's fsmonitor, pager
and signature checks switched off, since a repository's own config may be hostile; and
never a repository git finds as a bare one (HEAD, config, objects/ in the deck folder or
above: ordinary files to the outer repository, so a merge can bring one, with a config
whose gpg.program `log` ran on a signed commit): only a `.git` of the instructor's own."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import shown_path

_SAFE = (
    *("-c", "safe.bareRepository=explicit"),  # git 2.38+; older gits ignore it
    *("-c", "core.fsmonitor=false", "-c", "core.pager=cat", "-c", "log.showSignature=false"),
    "--no-pager",
)
_TIMEOUT = 10  # seconds; a hung git only loses the hint


@dataclass(frozen=True, slots=True)
class Kept:
    text: str  # the file as git last kept it
    where: str  # "git's index", or "git commit 1a2b3c4d5e6f"
    restore: str  # the command, run from the working directory, that restores it


def last_kept(path: Path) -> Kept | None:
    """`path` as git's index holds it, else as the last commit that had it (the one before
    the commit that deleted it)."""
    folder, name = path.parent, f"./{path.name}"
    shown = shown_path(path)
    # from the working directory when it is in the deck's tree, else from the deck's folder
    checkout = (
        f"git -C {folder} checkout" if shown.is_absolute() else "git checkout",
        path.name if shown.is_absolute() else str(shown),
    )
    staged = _git(folder, "show", f":{name}")
    if staged is not None:
        return Kept(staged, "git's index", f"{checkout[0]} -- {checkout[1]}")
    rev = _git(folder, "log", "-1", "--format=%H", "--", name)
    if not rev or not rev.strip():
        return None
    rev = rev.strip()[:12]
    for at in (rev, f"{rev}^"):
        text = _git(folder, "show", f"{at}:{name}")
        if text is not None:
            return Kept(text, f"git commit {at}", f"{checkout[0]} {at} -- {checkout[1]}")
    return None


def _git(folder: Path, *args: str) -> str | None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(
            ["git", *_SAFE, *args],
            cwd=folder,
            capture_output=True,
            timeout=_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")
