"""The command line: whole outputs and exit codes, errors without tracebacks, dist/ kept intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.decks import REPO, facts_yaml, small_deck, write_tree

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def test_every_command_has_help_with_examples(runner: CliRunner) -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Examples:" in result.output, name
        assert command.help, name


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, "factdeck, version 0.1.0\n")


def test_lint_lists_every_rule_of_the_registry(runner: CliRunner) -> None:
    from factdeck.lint.engine import RULES

    result = runner.invoke(main, ["lint", "--rules"])
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(RULES)


def test_build_summary(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    size = (Path("dist") / "mini.apkg").stat().st_size
    assert result.stdout == (
        f"Built Mini -> dist/mini.apkg ({size / 1024:.1f} kB)\n"
        "  notes    3 (1 factdeck Cloze, 2 factdeck Q/A)\n"
        "  cards    3\n"
        "  media    0 files\n"
        "  changes  3 added, 0 changed (0 corrected), 0 retired, 0 unchanged: never released\n"
        "  release  none yet: `factdeck release` publishes the first version, with its notes\n"
    )
    assert result.stderr == ""


def test_check_writes_nothing(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["check"])
    assert (result.exit_code, result.stdout) == (0, "OK Mini: 2 facts, 3 notes\n")
    assert not Path("dist").exists() and not (mini_deck / "factdeck.lock").exists()


def test_bad_input_fails_cleanly_and_keeps_the_previous_output(
    runner: CliRunner, mini_deck: Path
) -> None:
    assert runner.invoke(main, ["build"]).exit_code == 0
    apkg, lock = Path("dist/mini.apkg"), mini_deck / "factdeck.lock"
    before = (apkg.read_bytes(), lock.read_bytes())
    write_tree(mini_deck, {"facts.yaml": "facts:\n  - id: x\n    kind: nerve\n    orign: L1\n"})
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: cards/mini/facts.yaml:2: fact 'x': missing required field 'source'\n"
        "Error: cards/mini/facts.yaml:2: fact 'x': missing required field 'name'\n"
        "Error: cards/mini/facts.yaml:4: fact 'x': unknown field 'orign' (did you mean "
        "'origin'?)\n"
    )
    assert (apkg.read_bytes(), lock.read_bytes()) == before
    assert sorted(p.name for p in Path("dist").iterdir()) == ["mini.apkg"]


def test_one_bad_deck_does_not_stop_the_others(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(Path("cards/broken"), {"deck.yaml": "name: [\n"})
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cards/broken/deck.yaml:2: invalid YAML")
    assert result.stdout.startswith("Built Mini -> dist/mini.apkg")


def test_no_decks(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no decks found: no cards/*/deck.yaml; pass a DECK_DIR or --cards DIR, or "
        "start one with `factdeck new cards/DECK` (in a course) or `factdeck new COURSE` "
        "(a course repository of its own)\n",
    )


def test_usage_error_exit_code(runner: CliRunner) -> None:
    assert runner.invoke(main, ["build", "--nope"]).exit_code == 2


def test_diff_of_two_packages(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = """
        facts:
          - {id: a, kind: question, question: Where?, answer: L1–L3, source: body}
          - {id: b, kind: question, question: Why?, answer: Because, source: body}
          - {id: c, kind: question, question: Who?, answer: Them, source: body, tags: [x]}
    """
    write_tree(mini_deck, {"facts.yaml": facts})
    runner.invoke(main, ["build", "--out", "v1"])
    edited = [line for line in facts.splitlines() if "id: b," not in line]
    write_tree(
        mini_deck,
        {
            "facts.yaml": "\n".join(edited)
            .replace("L1–L3", "L1–L4")
            .replace("tags: [x]", "tags: [y]")
        },
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(2_000_000_000))
    runner.invoke(main, ["build", "--out", "v2"])
    result = runner.invoke(main, ["diff", "v1/mini.apkg", "v2/mini.apkg"])
    assert result.exit_code == 0
    assert result.stdout == (
        "# Changes from mini.apkg to mini.apkg\n\n"
        "0 added, 2 changed, 1 retired, 0 unchanged notes.\n\n"
        "## Changed\n\n"
        "- Where?\n"
        "  - Back: “L1–L3” → “L1–L4”\n"
        "- Who?\n"
        "  - tags: y\n\n"
        "## Retired\n\n"
        "These notes are no longer part of the deck. After importing, find them in Anki's "
        "browser with the search `tag:factdeck::retired` and delete them.\n\n"
        "- Why?\n"
    )


def test_diff_refuses_a_file_that_is_not_a_package(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "x.apkg"
    bogus.write_text("hello")
    result = runner.invoke(main, ["diff", str(bogus), str(bogus)])
    assert result.exit_code == 1
    assert result.stderr == "Error: x.apkg: not a readable Anki package: File is not a zip file\n"


def test_build_py_is_a_thin_door(project: Path) -> None:
    (project / "build.py").write_text((REPO / "build.py").read_text())
    question = {"id": "q", "kind": "question", "question": "Q?", "answer": "A", "source": "body"}
    small_deck(project / "cards" / "mini", facts=facts_yaml(question))
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "build.py"],
        cwd=project,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "dist" / "mini.apkg").is_file()
    assert done.stdout.startswith("Built Mini -> ")
