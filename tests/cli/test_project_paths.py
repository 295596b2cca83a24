"""Where things go and what a newcomer sees: build.py without dependencies, `build .` inside
a deck, nested decks, `--open` without a browser, and no paths outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.decks import MINI, MINI_DECK, REPO, deck_yaml, write_tree


def test_build_py_without_the_dependencies_says_what_to_run() -> None:
    """`-S`: no site-packages, as a system Python without the venv."""
    done = subprocess.run(
        [sys.executable, "-S", str(REPO / "build.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert ".venv/bin/pip install -e ." in done.stderr


def test_build_inside_a_deck_folder_writes_to_the_projects_dist(
    runner: CliRunner, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_deck)
    result = runner.invoke(main, ["build", "."])
    assert result.exit_code == 0, result.output
    assert (project / "dist" / "mini.apkg").is_file()
    assert not (mini_deck / "dist").exists()
    assert runner.invoke(main, ["preview", "."]).exit_code == 0
    assert (project / "dist" / "mini-preview" / "index.html").is_file()


def test_a_deck_inside_a_deck_is_refused(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(
        mini_deck / "inner",
        {**MINI_DECK, "deck.yaml": deck_yaml(base=MINI, slug="inner")},
    )
    result = runner.invoke(main, ["check", str(mini_deck)])
    assert result.exit_code == 1
    assert "inner/deck.yaml:1: a deck inside the deck 'mini'" in result.output
    assert "Traceback" not in result.output


def test_open_without_a_browser_is_one_line(
    runner: CliRunner, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = project / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = runner.invoke(main, ["preview", str(mini_deck), "--open"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: cannot open a browser here (no xdg-open); open "
        f"{(project / 'dist' / 'mini-preview' / 'index.html').as_uri()} yourself"
    ]


def test_a_failing_opener_is_one_line_without_its_noise(
    runner: CliRunner, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = project / "bin"
    bin_dir.mkdir()
    opener = bin_dir / "xdg-open"
    opener.write_text("#!/bin/sh\necho 'xdg-open: no method available' >&2\nexit 3\n")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = runner.invoke(main, ["build", str(mini_deck), "--open"])
    assert result.exit_code == 1
    assert "no method available" not in result.output
    assert "Error: cannot open a browser (xdg-open exited with 3" in result.output


_RELATIVE = re.compile(r"(?:\.\./)+[\w./-]+")


def _documents() -> list[Path]:
    return [
        REPO / "README.md",
        *sorted((REPO / "cards").rglob("*.yaml")),
        *sorted((REPO / "docs").glob("*.md")),
    ]


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_document_points_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for match in _RELATIVE.finditer(text):
        # the schema line, shown in the README as written in a deck's files
        base = (
            REPO / "cards" / "a-deck" if text[: match.start()].endswith("$schema=") else path.parent
        )
        target = (base / match.group()).resolve()
        assert target.is_relative_to(REPO), f"{path.name}: {match.group()}"
