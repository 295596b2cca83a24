"""Kill -9 at every write point (issue 26, item 8): each write, rename, delete and fsync that a
real `build` and `release` make (fs/faults.py counts them), one kill per point, then the
same command again. The next run must succeed, or refuse with a message saying what
happened, never with a traceback; and then the project must be exactly what an
uninterrupted run makes: the same package (which the official Anki engine imports, with the
lock's notes), the same release notes and lock, and no temporary or journal left, in the
project or in the system's temporary folder (each run has its own TMPDIR)."""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from factdeck.apkg.read import unpack
from factdeck.history.lock import read
from tests.support.decks import (
    EPOCH,
    FACT_B,
    MINI,
    MINI_DECK,
    NERVE_A,
    TEMPLATES,
    deck_yaml,
    facts_yaml,
    write_tree,
)
from tests.support.engine import import_package, open_collection

pytestmark = pytest.mark.slow

EDIT = {  # after release 1.0.0: one fact retired, one added, a minor version
    "facts.yaml": facts_yaml(
        NERVE_A,
        {
            **FACT_B,
            "id": "fact-c",
            "text": "The gamma is {{c1::big}}.",
            "source": {
                "section": "intro",
                "refs": ["ref-one"],
                "refs_why": "Ref 2000 measured the gamma.",
            },
        },
    ),
    "deck.yaml": deck_yaml(base=MINI, version="1.1.0"),
}
EPOCHS = {"build": EPOCH + 100, "release": EPOCH + 200}
POINT = re.compile(r"factdeck fault point (\d+): (write|fsync|rename|delete) (.+)")
# What the next release says when the killed one had passed its commit point: recovery
# finished it, so there is nothing left to release
RELEASED = {
    "Error: cards/mini/deck.yaml: release 1.1.0 was interrupted after it was recorded, and "
    "has now been completed: dist/mini-1.1.0.apkg, its release notes and "
    "cards/mini/factdeck.lock are in place (commit the lock). There is nothing more to "
    "publish\n",
    # killed after the journal went, at its last fsync: the release was complete
    "Error: cards/mini/deck.yaml: nothing changed since release 1.1.0; there is nothing to "
    "publish (edit facts, then release with a new version)\n",
}


def factdeck(
    project: Path, command: str, fault: str | None = None, tmp: Path | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FACTDECK_FAULT_AT"}
    env["SOURCE_DATE_EPOCH"] = str(EPOCHS.get(command, EPOCH))
    if tmp is not None:  # the system's temporary folder, of this run alone
        env["TMPDIR"] = str(tmp)
    if fault is not None:
        env["FACTDECK_FAULT_AT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "factdeck", command, "-q"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(run: subprocess.CompletedProcess) -> None:
    assert (run.returncode, run.stderr) == (0, ""), run.stderr


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects before each command ('build', 'release') and after it ('build done', ...):
    release 1.0.0 recorded, then an edit; built; released as 1.1.0."""
    root = tmp_path_factory.mktemp("kill-points")
    first = root / "build"
    shutil.copytree(TEMPLATES, first / "templates")
    write_tree(first / "cards" / "mini", MINI_DECK)
    ok(factdeck(first, "release"))
    write_tree(first / "cards" / "mini", EDIT)
    found = {"build": first}
    for command, after in (("build", "release"), ("release", "release done")):
        found[after] = shutil.copytree(found[command], root / after, symlinks=True)
        ok(factdeck(found[after], command))
    found["build done"] = found["release"]
    return found


@pytest.fixture(scope="module")
def write_points(
    stages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[str, str]]]:
    """(what, path inside the project) of each write point of each command, counted in a
    real run on a copy of the project before it."""
    found = {}
    for command in ("build", "release"):
        copy = shutil.copytree(
            stages[command], tmp_path_factory.mktemp(f"{command}-count") / "p", symlinks=True
        )
        run = factdeck(copy, command, fault="list")
        assert run.returncode == 0, run.stderr
        listed = [m.groups() for m in map(POINT.fullmatch, run.stderr.splitlines()) if m]
        assert [int(n) for n, _, _ in listed] == list(range(1, len(listed) + 1)), run.stderr
        found[command] = [(what, path.replace(str(copy), "")) for _, what, path in listed]
    return found


def killed_and_rerun(before: Path, command: str, n: int, folder: Path) -> tuple[Path, str]:
    """A copy of `before`, `command` killed at its `n`-th write point, then run again; the
    copy and what went wrong with the runs ('' if nothing)."""
    project = shutil.copytree(before, folder, symlinks=True)
    tmp = folder.with_name(f"{folder.name}-tmp")
    tmp.mkdir()
    killed = factdeck(project, command, fault=str(n), tmp=tmp)
    if killed.returncode != -signal.SIGKILL:
        return project, f"not killed: exit {killed.returncode}: {killed.stderr}"
    if left := sorted(p.name for p in tmp.iterdir()):
        return project, f"left in the system's temporary folder: {left}"
    again = factdeck(project, command, tmp=tmp)
    if "Traceback" in again.stderr or again.returncode not in (0, 1):
        return project, f"exit {again.returncode}: {again.stderr}"
    if again.returncode == 1 and again.stderr not in RELEASED:
        return project, f"refused: {again.stderr}"
    return project, ""


def state(project: Path) -> dict[str, bytes | None]:
    """Every file of the project by path: its bytes, or None for the build's mutex and a
    temporary in its cache (only their names must match, so a temporary left there shows).
    The cache's rows are left out: which rows exist depends on the lock each run stamped
    against (a run that recovers a killed one stamps against the recovered lock and may
    keep a row the uninterrupted run had no reason to write), and each row is checked on
    read, so only what it leaves behind unfinished matters."""
    return {
        str(p.relative_to(project)): (
            None
            if ".factdeck-cache" in p.parts or p.name == ".factdeck-build.lock"
            else p.read_bytes()
        )
        for p in sorted(project.rglob("*"))
        if p.is_file() and (".factdeck-cache" not in p.parts or p.name.endswith(".tmp"))
    }


def differences(got: dict[str, bytes | None], want: dict[str, bytes | None]) -> list[str]:
    return sorted(
        [f"missing {name}" for name in want.keys() - got.keys()]
        + [f"left behind {name}" for name in got.keys() - want.keys()]
        + [f"differs {name}" for name in want.keys() & got.keys() if want[name] != got[name]]
    )


def engine_notes(apkg: Path, folder: Path) -> dict[str, int]:
    """What the official Anki engine imports from `apkg`: each note's guid and time."""
    col = open_collection(folder)
    try:
        import_package(col, apkg)
        return {col.get_note(n).guid: col.get_note(n).mod for n in col.find_notes("")}
    finally:
        col.close()


def test_the_write_points_cover_every_output(
    stages: dict[str, Path], write_points: dict[str, list[tuple[str, str]]]
) -> None:
    """The hook sits where the files are written: every file a command adds or changes (the
    release record too) passes a write, an fsync and a rename of a temporary beside it,
    every file it removes passes a delete, and the commit journal is written, renamed and
    deleted. The files are found from what the command changed, not from a list, so a
    write that bypasses the hook is never left out of the kills."""
    for command in ("build", "release"):
        before, after = state(stages[command]), state(stages[f"{command} done"])
        seen = [(what, path.lstrip("/")) for what, path in write_points[command]]
        written = [n for n, data in after.items() if data is not None and before.get(n) != data]
        removed = [n for n, data in before.items() if data is not None and n not in after]
        assert "cards/mini/factdeck.lock" in written, (command, written)
        for name in written:
            folder, _, file = name.rpartition("/")
            beside = f"{folder}/.{file}."
            passed = {w for w, p in seen if p.startswith(beside) and p.endswith(".tmp")}
            assert passed >= {"write", "fsync", "rename"}, (command, name, seen)
        assert [n for n in removed if ("delete", n) not in seen] == [], (command, seen)
        journal = {w for w, p in seen if ".factdeck-commit.json" in p}
        assert journal == {"write", "fsync", "rename", "delete"}, (command, seen)


@pytest.mark.parametrize("command", ["build", "release"])
def test_a_kill_at_any_write_point_is_recovered_by_the_next_run(
    stages: dict[str, Path],
    write_points: dict[str, list[tuple[str, str]]],
    command: str,
    tmp_path: Path,
) -> None:
    before, want, seen = stages[command], state(stages[f"{command} done"]), write_points[command]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # processes
        runs = pool.map(
            lambda n: killed_and_rerun(before, command, n, tmp_path / f"{command}-{n}"),
            range(1, len(seen) + 1),
        )
        trials = list(zip(seen, runs, strict=True))
    checked: dict[str, dict[str, int]] = {}  # package digest -> what the engine imported
    failures = []
    for n, ((what, path), (project, failed)) in enumerate(trials, start=1):
        where = f"killed before point {n} ({what} {path}): "
        if failed:
            failures.append(where + failed)
            continue
        failures += [where + d for d in differences(state(project), want)]
        lock = read(project / "cards" / "mini")
        live = {g: note.changed for g, note in lock.notes.items() if note.retired is None}
        apkg = project / "dist" / ("mini.apkg" if command == "build" else "mini-1.1.0.apkg")
        digest = hashlib.sha256(apkg.read_bytes()).hexdigest()
        if digest not in checked:
            checked[digest] = engine_notes(apkg, tmp_path / f"engine-{len(checked)}")
        if checked[digest] != live or {n.guid: n.mod for n in unpack(apkg).notes} != live:
            failures.append(f"{where}the package's notes are not the lock's")
        if command == "release" and lock.releases[-1].package != f"sha256:{digest}":
            failures.append(f"{where}the lock records another package")
    assert not failures, "\n".join(failures)
