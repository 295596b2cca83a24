"""git as instructors use it, for tests: a fixed identity and no user configuration, a
course repository with the real `.gitattributes` pushed to a bare origin, and clones of it
(another instructor's machine, or CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.decks import REPO

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str, input: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True, input=input
    )
    return done.stdout


def course_repository(project: Path) -> Path:
    """`project` as a git repository (the lock and release record merged line by line, dist/
    ignored) with everything committed; returns `project`."""
    shutil.copy(REPO / ".gitattributes", project / ".gitattributes")
    (project / ".gitignore").write_text("/dist/\n.factdeck-build.lock\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "the course")
    return project


def origin_of(project: Path, origin: Path) -> Path:
    """A bare origin made from the course repository `project`; returns `origin`."""
    git(project.parent, "clone", "-q", "--bare", str(project), str(origin))
    return origin


def clone(origin: Path, folder: Path) -> Path:
    """A fresh clone of `origin` at `folder`, as a new machine or CI has it."""
    git(origin.parent, "clone", "-q", str(origin), str(folder))
    return folder


def commit_and_push(repo: Path, message: str, branch: str = "main") -> None:
    """Commit everything (if anything changed) and push it to `branch` of the origin."""
    git(repo, "add", "-A")
    if git(repo, "status", "--porcelain"):
        git(repo, "commit", "-qm", message)
    git(repo, "push", "-q", "origin", f"HEAD:{branch}")
