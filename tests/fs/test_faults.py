"""Catalogue of environment faults (issue 11, item 7): a read-only dist/, --out under a file,
a full disk, a damaged package given to `factdeck diff`. Each gives a message saying what to
do, exit 1, no traceback, and the previous dist/ and lock exactly as they were."""

from __future__ import annotations

import errno
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.apkg import write
from tests.support.hostile import build_ok, read_only, refused

NOTHING_REPLACED = (
    "nothing was changed: the previous package, release notes and lock are as they were"
)


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def built(runner: CliRunner, mini_deck: Path) -> Path:
    build_ok(runner)
    (mini_deck / "facts.yaml").write_text(  # an edit, so the next build must write
        (mini_deck / "facts.yaml").read_text().replace("big", "large"), encoding="utf-8"
    )
    return mini_deck


def test_read_only_dist(
    runner: CliRunner, project: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_only(monkeypatch, project / "dist")
    try:
        assert refused(runner, project, built) == (
            "Error: dist: cannot write (Permission denied): you may not write there; make it "
            f"writable (chmod u+w) or build with --out DIR somewhere else; {NOTHING_REPLACED}\n"
        )
    finally:
        (project / "dist").chmod(0o755)


def test_out_under_a_file(runner: CliRunner, project: Path, built: Path) -> None:
    (project / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    assert refused(runner, project, built, ["build", "--out", "notes.txt/dist"]) == (
        "Error: notes.txt/dist: cannot write (Not a directory): part of that path is a file, "
        f"not a folder; choose another --out folder; {NOTHING_REPLACED}\n"
    )


def test_full_disk_while_writing_the_package(
    runner: CliRunner, project: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_fills(plan: write.PackagePlan, dest: Path) -> None:
        dest.write_bytes(b"PK\x03\x04 half a package")
        raise OSError(errno.ENOSPC, "No space left on device", str(dest))

    monkeypatch.setattr(write, "write_package", disk_fills)
    assert refused(runner, project, built) == (
        "Error: dist: cannot write (No space left on device): the disk is full; free some "
        f"space and build again; {NOTHING_REPLACED}\n"
    )


@pytest.mark.parametrize(
    ("media", "problem"),
    [
        (
            b"{not json",
            "its media list is not valid JSON (Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1)); rebuild or re-export the package",
        ),
        (
            b'["a.svg"]',
            "its media list is not a mapping of entry numbers to file names; rebuild "
            "or re-export the package",
        ),
        (
            b'{"0": 7}',
            "its media list is not a mapping of entry numbers to file names; rebuild "
            "or re-export the package",
        ),
    ],
)
def test_diff_of_a_package_with_a_damaged_media_list(
    runner: CliRunner, project: Path, built: Path, media: bytes, problem: str
) -> None:
    good = project / "dist" / "mini.apkg"
    damaged = project / "damaged.apkg"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as copy:
        for name in source.namelist():
            copy.writestr(name, media if name == "media" else source.read(name))
    assert json.loads(zipfile.ZipFile(good).read("media")) == {}
    assert refused(runner, project, built, ["diff", str(good), str(damaged)]) == (
        f"Error: {damaged.name}: not a readable Anki package: {problem}\n"
    )


def test_preview_into_a_read_only_folder(
    runner: CliRunner, project: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = project / "dist" / "mini-preview"
    site.mkdir()
    read_only(monkeypatch, site)
    try:
        assert refused(runner, project, built, ["preview"]) == (
            "Error: dist/mini-preview: cannot write (Permission denied): you may not write "
            "there; make it writable (chmod u+w) or build with --out DIR somewhere else; "
            "nothing was replaced\n"
        )
    finally:
        site.chmod(0o755)
