"""Temporaries stay inside the project (issue 26, item 3): a build killed while it writes the
package leaves its scratch collection in the output folder under a git-ignored name that the
next run deletes, never in the system's temporary folder; a factdeck killed while it makes
the machine secret leaves a temporary the next one deletes. Real processes, killed with
SIGKILL at fs/faults.py's points."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from factdeck.fs import atomic
from tests.support.decks import EPOCH, MINI_DECK, REPO, TEMPLATES, write_tree

POINT = re.compile(r"factdeck fault point (\d+): (\w+) (.+)")


def factdeck(
    project: Path, env: dict[str, str], fault: str | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, **env, "SOURCE_DATE_EPOCH": str(EPOCH)}
    env.pop("FACTDECK_FAULT_AT", None)
    if fault is not None:
        env["FACTDECK_FAULT_AT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "factdeck", "build", "-q"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def first_point(run: subprocess.CompletedProcess, what: str, name: re.Pattern[str]) -> int:
    for line in run.stderr.splitlines():
        found = POINT.fullmatch(line)
        if found and found[2] == what and name.fullmatch(Path(found[3]).name):
            return int(found[1])
    raise AssertionError(run.stderr)


def project_with_deck(root: Path) -> Path:
    shutil.copytree(TEMPLATES, root / "templates")
    write_tree(root / "cards" / "mini", MINI_DECK)
    return root


def ignored(repo: Path, names: list[str]) -> list[str]:
    done = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "--no-index", *names],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.split()


def test_a_build_killed_while_writing_the_package_leaves_nothing_outside(tmp_path: Path) -> None:
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    env = {"TMPDIR": str(system_tmp), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    factdeck(project_with_deck(tmp_path / "first"), env)  # the secret made: same points next
    listed = factdeck(project_with_deck(tmp_path / "counted"), env, fault="list")
    project = project_with_deck(tmp_path / "p")
    assert listed.returncode == 0, listed.stderr
    scratch = re.compile(r"\.mini\.apkg\.[^/]+\.tmp\.[^/]+\.tmp")
    killed = factdeck(project, env, fault=str(first_point(listed, "write", scratch)))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p.name for p in (project / "dist").iterdir()]
    assert any(scratch.fullmatch(name) for name in left), left  # in dist/, under our name
    assert ignored(REPO, [f"dist/{name}" for name in left]) == [f"dist/{n}" for n in left]
    assert list(system_tmp.iterdir()) == []
    again = factdeck(project, env)
    assert (again.returncode, again.stderr) == (0, "")
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["mini.apkg"]
    assert list(system_tmp.iterdir()) == []


def test_a_temporary_of_the_machine_secret_is_deleted_by_the_next_run(tmp_path: Path) -> None:
    cache = tmp_path / "user-cache"
    env = {"XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp_path)}
    listed = factdeck(project_with_deck(tmp_path / "counted"), env, fault="list")
    assert listed.returncode == 0, listed.stderr
    (cache / "factdeck" / "secret").unlink()
    project = project_with_deck(tmp_path / "p")
    rename = first_point(listed, "rename", re.compile(r"\.secret\.\d+\.\w+\.tmp"))
    killed = factdeck(project, env, fault=str(rename))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [p.name for p in (cache / "factdeck").glob(".secret.*.tmp")] != []
    again = factdeck(project, env)
    assert (again.returncode, again.stderr) == (0, "")
    assert sorted(p.name for p in (cache / "factdeck").iterdir()) == ["secret"]


def test_a_scratch_folder_goes_without_following_its_links(tmp_path: Path) -> None:
    """What a library leaves in the scratch folder goes with it, a link inside too, but never
    what the link points to; an output folder made for it goes when it is left empty."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine\n")
    out = tmp_path / "project" / "reports"
    with pytest.raises(KeyboardInterrupt), atomic.scratch_folder(out, "analyze") as scratch:
        assert scratch.parent == out and scratch.name.startswith(".factdeck-analyze.")
        (scratch / "media").mkdir()
        (scratch / "media" / "outside").symlink_to(outside)
        (scratch / "collection.anki2").write_text("x")
        raise KeyboardInterrupt
    assert not (tmp_path / "project").exists()
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]
