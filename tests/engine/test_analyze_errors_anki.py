"""`factdeck analyze` refuses what is not a student's export of this course's deck: one
message naming the file, exit 1, no traceback, nothing written. However it ends (done, a
refused export, Ctrl-C, kill -9) it leaves nothing in the system's temporary folder and no
more than its reports in the project: the engine restores each export in a scratch folder
in the output folder, under a git-ignored name, deleted unless the process is killed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.analyze import exports
from factdeck.cli.main import main
from factdeck.errors import shown_path
from factdeck.pipeline import build
from tests.support.decks import REPO
from tests.support.engine import import_package, open_collection
from tests.support.git import git, needs_git

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def export(mini_deck: Path, project: Path, tmp_path: Path) -> Path:
    """One student's export of the mini deck, with a few answers."""
    col = open_collection(tmp_path / "student")
    try:
        import_package(col, build(mini_deck, project / "dist").apkg)
        col.decks.select(col.decks.id_for_name("Mini"))
        while (card := col.sched.getCard()) is not None:
            col.sched.answerCard(card, 3)
        out = tmp_path / "student.colpkg"
        col.export_collection_package(str(out), include_media=False, legacy=False)
    finally:
        col.close()
    return out


def foreign(tmp_path: Path) -> Path:
    col = open_collection(tmp_path / "other")
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        note = col.new_note(basic)
        note["Front"], note["Back"] = "perro", "dog"
        col.add_note(note, col.decks.id("Spanish"))
        out = tmp_path / "spanish.colpkg"
        col.export_collection_package(str(out), include_media=False, legacy=False)
    finally:
        col.close()
    return out


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "text": (
        lambda good, tmp: _write(tmp / "notes.apkg", b"not a package\n"),
        "not an Anki export: not a zip file (another file, or one cut short)",
    ),
    "empty": (
        lambda good, tmp: _write(tmp / "empty.colpkg", b""),
        "not an Anki export: not a zip file (another file, or one cut short)",
    ),
    "truncated": (
        lambda good, tmp: _write(tmp / "cut.colpkg", good.read_bytes()[: good.stat().st_size // 2]),
        "not an Anki export: not a zip file (another file, or one cut short)",
    ),
    "damaged": (
        lambda good, tmp: _write(tmp / "damaged.colpkg", _flip(good.read_bytes())),
        "the export is damaged (its part 'collection.anki2' fails its check); export it again",
    ),
    "suffix": (
        lambda good, tmp: _write(tmp / "student.zip", b"PK"),
        "not an Anki export: name a .apkg (Export → Anki Deck Package, with 'Include "
        "scheduling information') or a .colpkg (Anki Collection Package)",
    ),
    "pipe": (
        lambda good, tmp: _fifo(tmp / "class.apkg"),
        "not an Anki export: it is a named pipe (FIFO), not a regular file; name the exported "
        "file itself",
    ),
    "no collection": (
        lambda good, tmp: _zip(tmp / "media-only.apkg", {"media": b"{}"}),
        "not an Anki export: it holds no collection",
    ),
    "no database": (
        lambda good, tmp: _zip(
            tmp / "garbage.colpkg", {"collection.anki2": b"not sqlite" * 100, "media": b"{}"}
        ),
        "not a readable Anki export (The provided file is not a valid .apkg file.); "
        "export it again",
    ),
    "foreign": (
        lambda good, tmp: foreign(tmp),
        "holds no card of mini (1 card of other decks): is it an export of this course's deck?",
    ),
}


def _fifo(path: Path) -> Path:
    """A named pipe nobody writes to: opening it to read would wait forever."""
    os.mkfifo(path)
    return path


def _flip(data: bytes) -> bytes:
    """Damage the compressed collection in the middle of the file."""
    middle = len(data) // 3
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


BLOCKED = "not a folder\n"


@pytest.fixture
def block_system_tmp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], Path]:
    """Once called (after the test's exports are made: the engine's export needs it), a
    system temporary folder where nothing can be made (a file stands at its path) for
    Python (which caches its temporary folder) and the engine (which asks TMPDIR): analyze
    must work without it and leave it as it was."""

    def block() -> Path:
        blocked = tmp_path_factory.mktemp("system") / "tmp"
        blocked.write_text(BLOCKED)
        monkeypatch.setenv("TMPDIR", str(blocked))
        monkeypatch.setattr(tempfile, "tempdir", str(blocked))
        return blocked

    return block


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_export_is_refused_and_nothing_is_written(
    runner: CliRunner,
    export: Path,
    tmp_path: Path,
    block_system_tmp: Callable[[], Path],
    case: str,
) -> None:
    make, message = CASES[case]
    bad = make(export, tmp_path)
    system_tmp = block_system_tmp()
    out = tmp_path / "reports"
    result = runner.invoke(main, ["analyze", str(export), str(bad), "--out", str(out)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {shown_path(bad)}: {message}\n"
    assert not out.exists()
    assert system_tmp.read_text() == BLOCKED


def test_the_same_export_twice_is_refused(runner: CliRunner, export: Path, tmp_path: Path) -> None:
    again = shutil.copy(export, tmp_path / "again.colpkg")
    result = runner.invoke(main, ["analyze", str(export), str(again), "--out", str(tmp_path / "r")])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {shown_path(again)}: the same export as {shown_path(export)}: each student once\n",
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    runner: CliRunner, export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "MAX_UNPACKED", 1 << 10)
    result = runner.invoke(main, ["analyze", str(export), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {shown_path(export)}: unpacks to 0 MB, more than an export"
    )


def test_a_hostile_member_name_writes_nothing_outside(
    runner: CliRunner, export: Path, tmp_path: Path
) -> None:
    """An export whose zip names a path outside: the engine restores into a temporary
    folder, and factdeck extracts nothing itself."""
    hostile = tmp_path / "hostile.colpkg"
    shutil.copy(export, hostile)
    with zipfile.ZipFile(hostile, "a") as archive:
        archive.writestr("../../escaped.txt", b"x")
    out = tmp_path / "r"
    result = runner.invoke(main, ["analyze", str(hostile), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["mini-analysis.csv", "mini-analysis.html"]


def test_analyze_writes_nothing_outside_the_project_but_its_reports(
    runner: CliRunner,
    export: Path,
    project: Path,
    block_system_tmp: Callable[[], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Into the project's dist/ (the default), refused and done: the project gets nothing,
    then the two reports, and no system temporary folder is needed."""
    other = foreign(tmp_path_factory.mktemp("other"))
    system_tmp = block_system_tmp()
    before = files(project)
    refused = runner.invoke(main, ["analyze", str(export), str(other)])
    assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
    assert files(project) == before
    done = runner.invoke(main, ["analyze", str(export)])
    assert (done.exit_code, done.stderr) == (0, ""), done.output
    assert files(project) - before == {"dist/mini-analysis.csv", "dist/mini-analysis.html"}
    assert system_tmp.read_text() == BLOCKED


def test_ctrl_c_while_an_export_is_read_leaves_nothing(
    runner: CliRunner,
    export: Path,
    tmp_path: Path,
    block_system_tmp: Callable[[], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C once the engine has restored the export into the scratch folder."""
    system_tmp = block_system_tmp()

    def interrupted(col: object) -> exports.Export:
        raise KeyboardInterrupt

    monkeypatch.setattr(exports, "_rows", interrupted)
    out = tmp_path / "reports"
    result = runner.invoke(main, ["analyze", str(export), "--out", str(out)])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "\nAborted!\n")
    assert not out.exists()
    assert system_tmp.read_text() == BLOCKED


def analyze_process(
    project: Path, exports: list[Path], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`factdeck analyze` as an instructor runs it, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "factdeck", "analyze", *map(str, exports)],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


SCRATCH = re.compile(r"factdeck fault point (\d+): write .*/(\.factdeck-analyze\.\w+\.tmp)")


@needs_git
def test_a_killed_analyze_leaves_only_a_git_ignored_scratch_folder(
    runner: CliRunner,
    export: Path,
    project: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kill -9 just after the scratch folder is made: it is left in dist/, under a name that
    factdeck's repository and a course made by `factdeck new` both ignore, in dist/ or any
    other output folder of the project; the system's temporary folder (empty) stays empty."""
    system_tmp = tmp_path_factory.mktemp("system-tmp")
    env = {"TMPDIR": str(system_tmp)}
    listed = analyze_process(project, [export], {**env, "FACTDECK_FAULT_AT": "list"})
    assert listed.returncode == 0, listed.stderr
    point = next(m for m in map(SCRATCH.match, listed.stderr.splitlines()) if m)[1]
    killed = analyze_process(project, [export], {**env, "FACTDECK_FAULT_AT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p.name for p in (project / "dist").glob(".factdeck-analyze.*.tmp")]
    assert len(left) == 1 and list(system_tmp.iterdir()) == []
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # not inside a project
    monkeypatch.chdir(elsewhere)
    made = runner.invoke(main, ["new", "knee-course"])
    assert made.exit_code == 0, made.output
    course = elsewhere / "knee-course"
    git(course, "init", "-q")
    paths = [f"{folder}/{left[0]}" for folder in ("dist", "reports", "cards/knee-course")]
    for repo in (REPO, course):
        ignored = subprocess.run(
            ["git", "-C", str(repo), "check-ignore", "--no-index", *paths],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ignored.stdout.split() == paths, repo
