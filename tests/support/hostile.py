"""Helpers for the fault and hostile-input catalogue: build a good deck first, feed the CLI
something hostile, and check that it refuses cleanly and leaves dist/ and the lock as they were."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main

LOCK = "factdeck.lock"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

DIAGRAM_FACTS = """
    facts:
      - id: fig
        kind: diagram
        image: figs/figure.svg
        header: "Figure 1: a test"
        source: body
        masks: [label-a]
        tags: [mini::diagrams]
"""


def svg(body: str, view_box: str = "0 0 200 100", attributes: str = "") -> str:
    """A small diagram with one measurable label, plus `body`."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="{view_box}"{attributes}>\n'
        '  <g id="label-a"><rect x="10" y="10" width="40" height="20"/><text>alpha</text>'
        f"</g>\n{body}\n</svg>\n"
    )


def outputs(project: Path, deck: Path) -> dict[str, bytes]:
    """Every file of dist/ and the deck's lock, by name: what a failed build must not touch."""
    found = {
        f"dist/{p.name}": p.read_bytes()
        for p in sorted((project / "dist").glob("*"))
        if p.is_file()
    }
    lock = deck / LOCK
    if lock.exists():
        found[LOCK] = lock.read_bytes()
    return found


def beside(project: Path) -> dict[str, object]:
    """What lies outside the project: the names beside it, and every file (with its bytes)
    of the `outside` fixture's sibling folder and HOME, when the test has them."""
    found: dict[str, object] = {"": sorted(p.name for p in project.parent.iterdir())}
    home = Path(os.environ.get("HOME", "/nonexistent"))
    for root in (project.parent / f"{project.name}-sibling", home):
        if root.is_dir() and root.is_relative_to(project.parent):  # never the real HOME
            for path in sorted(root.rglob("*")):
                found[str(path)] = path.read_bytes() if path.is_file() else path.is_dir()
    return found


def build_ok(runner: CliRunner, args: Iterable[str] = ()) -> None:
    result = runner.invoke(main, ["build", "-q", *args])
    assert (result.exit_code, result.stderr) == (0, ""), result.output


def refused(runner: CliRunner, project: Path, deck: Path, args: Iterable[str] = ("build",)) -> str:
    """Run the CLI; assert exit 1, nothing on stdout, no traceback, outputs untouched and
    nothing outside the project touched. Returns stderr for the caller to compare whole."""
    before, around = outputs(project, deck), beside(project)
    result = runner.invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert outputs(project, deck) == before
    assert beside(project) == around
    assert list((project / "dist").glob(".*")) == []  # no temporary file left behind
    return result.stderr


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make `folder` read-only: chmod for ordinary users; root writes through permissions, so
    there creating, renaming or removing anything in it fails as the kernel would fail it."""
    if not AS_ROOT:
        folder.chmod(0o555)
        return
    real_open, real_replace, real_rename = os.open, os.replace, os.rename
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def inside(target: object) -> bool:
        return Path(os.fsdecode(target)).absolute().parent == folder.absolute()  # type: ignore[arg-type]

    def refuse(target: object) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", os.fsdecode(target))  # type: ignore[arg-type]

    def fake_open(target: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & writing and inside(target):
            raise refuse(target)
        return real_open(target, flags, *args, **kwargs)  # type: ignore[arg-type]

    def fake_move(real: object) -> object:
        def move(src: object, dst: object, *args: object, **kwargs: object) -> None:
            if inside(src) or inside(dst):
                raise refuse(dst)
            real(src, dst, *args, **kwargs)  # type: ignore[operator]

        return move

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "replace", fake_move(real_replace))
    monkeypatch.setattr(os, "rename", fake_move(real_rename))


def deny(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make `path` unreadable: chmod for ordinary users; root reads through permissions, so
    there the refusal the kernel would give is raised where factdeck opens or lists it."""
    if not AS_ROOT:
        path.chmod(0)
        return
    real_open, real_scandir = os.open, os.scandir

    def denied(target: object) -> bool:
        return Path(os.fsdecode(target)).absolute() == path.absolute()  # type: ignore[arg-type]

    def fake_open(target: object, *args: object, **kwargs: object) -> int:
        if denied(target):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(target))  # type: ignore[arg-type]
        return real_open(target, *args, **kwargs)  # type: ignore[arg-type]

    def fake_scandir(target: object = ".") -> object:
        if denied(target):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(target))  # type: ignore[arg-type]
        return real_scandir(target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)
