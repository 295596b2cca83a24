"""Catalogue of awkward files in a deck folder (issue 11, item 6): fact files found whatever
the case of their extension; editor lock and backup files skipped; unreadable files and
folders, FIFOs and devices refused by name without being opened; sizes bounded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.cli.terminal import is_big
from factdeck.facts.load import MAX_FILE_BYTES
from factdeck.fs.read import NO_LINKS
from tests.support.decks import write_tree
from tests.support.hostile import deny, refused

MORE = """
    facts:
      - id: extra-fact
        kind: question
        question: What does the alpha nerve supply?
        answer: the skin
        source: body
"""


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def facts_built(runner: CliRunner) -> str:
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", ["extra.YAML", "extra.Yml", "sub/extra.yml", "EXTRA.yaml"])
def test_fact_files_are_read_whatever_the_case_of_the_extension(
    runner: CliRunner, mini_deck: Path, name: str
) -> None:
    write_tree(mini_deck, {name: MORE})
    assert facts_built(runner) == "OK Mini: 3 facts, 4 notes\n"


@pytest.mark.parametrize(
    "name", [".#facts.yaml", "facts.yaml~", "#facts.yaml#", ".facts.yaml.swp", "facts.yaml.swo"]
)
def test_editor_lock_and_backup_files_are_skipped(
    runner: CliRunner, mini_deck: Path, name: str
) -> None:
    (mini_deck / name).write_text("not: [valid yaml\n", encoding="utf-8")
    assert facts_built(runner) == "OK Mini: 2 facts, 3 notes\n"


def test_an_emacs_lock_link_to_nowhere_is_skipped(runner: CliRunner, mini_deck: Path) -> None:
    (mini_deck / ".#facts.yaml").symlink_to("root@host.1234:1700000000")
    assert facts_built(runner) == "OK Mini: 2 facts, 3 notes\n"


def test_an_unreadable_fact_file(
    runner: CliRunner, project: Path, built_mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_tree(built_mini_deck, {"more.yaml": MORE}) / "more.yaml"
    deny(monkeypatch, path)
    assert refused(runner, project, built_mini_deck) == (
        "Error: cards/mini/more.yaml: file cannot be read (Permission denied); fix its "
        "permissions (chmod u+r)\n"
    )


def test_an_unreadable_folder(
    runner: CliRunner, project: Path, built_mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_tree(built_mini_deck, {"private/more.yaml": MORE}) / "private"
    deny(monkeypatch, folder)
    assert refused(runner, project, built_mini_deck) == (
        "Error: cards/mini/private: cannot read this folder (Permission denied); fix its "
        "permissions or move it out of the deck folder\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(project: Path, mini_deck: Path) -> None:
    os.mkfifo(mini_deck / "pipe.yaml")
    command = [sys.executable, "-c", "from factdeck.cli.main import main; main()", "check"]
    result = subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "Error: cards/mini/pipe.yaml: file is a named pipe (FIFO), not a regular file; "
        "factdeck opens only plain files: replace it with one or delete it\n",
    )


def test_a_link_to_a_device_is_not_read(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    (built_mini_deck / "zero.yaml").symlink_to("/dev/zero")
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/zero.yaml: is a symbolic link (to /dev/zero); {NO_LINKS}\n"
    )


def test_a_deck_yaml_that_is_a_device(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    (built_mini_deck / "deck.yaml").unlink()
    (built_mini_deck / "deck.yaml").symlink_to("/dev/zero")
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/deck.yaml: is a symbolic link (to /dev/zero); {NO_LINKS}\n"
    )


def test_a_fact_file_over_the_size_limit_is_not_read(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    with open(built_mini_deck / "big.yaml", "wb") as big:
        big.truncate(MAX_FILE_BYTES + 1)  # sparse: the size is known without writing it
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/big.yaml: file is {MAX_FILE_BYTES + 1:,} bytes, over the "
        f"{MAX_FILE_BYTES:,}-byte limit; split it into several fact files\n"
    )


def test_an_emacs_lock_link_does_not_upset_the_progress_bar(mini_deck: Path) -> None:
    (mini_deck / ".#facts.yaml").symlink_to("root@host.1234:1700000000")
    assert is_big([mini_deck]) is False
