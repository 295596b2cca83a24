"""`factdeck analyze` refuses what is not a student's export of this course's deck: one
message naming the file, exit 1, no traceback, nothing written."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.analyze import exports
from factdeck.cli.main import main
from factdeck.errors import shown_path
from factdeck.pipeline import build
from tests.support.engine import import_package, open_collection

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
    "no collection": (
        lambda good, tmp: _zip(tmp / "media-only.apkg", {"media": b"{}"}),
        "not an Anki export: it holds no collection",
    ),
    "foreign": (
        lambda good, tmp: foreign(tmp),
        "holds no card of mini (1 card of other decks): is it an export of this course's deck?",
    ),
}


def _flip(data: bytes) -> bytes:
    """Damage the compressed collection in the middle of the file."""
    middle = len(data) // 3
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_export_is_refused_and_nothing_is_written(
    runner: CliRunner, export: Path, tmp_path: Path, case: str
) -> None:
    make, message = CASES[case]
    bad = make(export, tmp_path)
    out = tmp_path / "reports"
    result = runner.invoke(main, ["analyze", str(export), str(bad), "--out", str(out)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {shown_path(bad)}: {message}\n"
    assert not out.exists()


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
