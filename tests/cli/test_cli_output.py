"""How the CLI talks: --quiet, --verbose, colour and NO_COLOR, the progress bar, exit codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli import terminal
from factdeck.cli.main import main
from factdeck.pipeline import BUILD_STAGES
from tests.support.decks import MINI, MINI_DECK, deck_yaml, write_tree

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LINT_WARNING = {
    "more.yaml": """
    facts:
      - {id: vague, kind: question, question: "Is it?", answer: "Yes", source: body}
"""
}


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def test_quiet_prints_nothing_but_errors(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(mini_deck, LINT_WARNING)
    for command in (["build", "-q"], ["check", "--quiet"], ["preview", "-q"]):
        result = runner.invoke(main, command)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), command
    write_tree(mini_deck, {"more.yaml": "facts: [\n"})
    result = runner.invoke(main, ["build", "-q"])
    assert (result.exit_code, result.stdout) == (1, "")
    (error,) = result.stderr.splitlines()
    assert error.startswith("Error: cards/mini/more.yaml:2: invalid YAML")


def test_warnings_go_to_stderr_and_results_to_stdout(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(mini_deck, LINT_WARNING)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0
    assert result.stdout == "OK Mini: 3 facts, 4 notes\n"
    assert result.stderr.startswith("Warning: cards/mini/more.yaml:2: fact 'vague': ")


def test_verbose_adds_counts_and_stage_timings(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["build", "--verbose"])
    assert result.exit_code == 0, result.output
    verbose = result.stdout.split("with its notes\n")[1]
    assert re.sub(r" +\d+ ms", " N ms", verbose) == (
        "  facts    2\n"
        "  lint     0 warnings\n"
        "  time     load N ms\n"
        "           validate N ms\n"
        "           templates N ms\n"
        "           expand N ms\n"
        "           stamp N ms\n"
        "           package N ms\n"
        "           verify N ms\n"
        "           write N ms\n"
        "           lint N ms\n"
        "           total N ms\n"
    )
    assert len({line.index(" ms") for line in verbose.splitlines()[2:]}) == 1  # aligned


def test_quiet_and_verbose_together_is_a_usage_error(runner: CliRunner, mini_deck: Path) -> None:
    result = runner.invoke(main, ["check", "-q", "-v"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith("Error: --quiet and --verbose cannot be used together\n")


def test_colour_on_a_terminal_and_never_with_no_color(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coloured = runner.invoke(main, ["check"], color=True)
    assert coloured.stdout == "\x1b[32m\x1b[1mOK\x1b[0m Mini: 2 facts, 3 notes\n"
    monkeypatch.setenv("NO_COLOR", "1")
    plain = runner.invoke(main, ["check"], color=True)
    assert plain.stdout == "OK Mini: 2 facts, 3 notes\n"
    write_tree(mini_deck, {"more.yaml": "facts: [\n"})
    failed = runner.invoke(main, ["check"], color=True)
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: cards/mini/more.yaml:2:")
    assert not ANSI.search(failed.stderr)


def test_errors_are_red_on_a_terminal(runner: CliRunner, mini_deck: Path) -> None:
    write_tree(mini_deck, {"more.yaml": "facts: [\n"})
    result = runner.invoke(main, ["check"], color=True)
    assert result.stderr.startswith("\x1b[31mError: cards/mini/more.yaml:2: invalid YAML")


def test_exit_codes_are_documented_in_the_main_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert (
        "  Exit codes:\n"
        "    0  success\n"
        "    1  a problem in the input (file:line: message on stderr), or lint findings\n"
        "    2  a usage error (unknown option, missing argument)\n"
    ) in result.stdout
    assert "NO_COLOR" in result.stdout


def test_unknown_command_and_missing_deck_are_usage_errors(runner: CliRunner) -> None:
    assert runner.invoke(main, ["nope"]).exit_code == 2
    missing = runner.invoke(main, ["check", "cards/nowhere"])
    assert missing.exit_code == 2
    assert "Directory 'cards/nowhere' does not exist" in missing.stderr


def many_decks(project: Path, count: int) -> None:
    for number in range(count):
        # two decks may not share a name
        deck = deck_yaml(base=MINI, slug=f"mini-{number}", name=f"Mini {number}")
        write_tree(project / "cards" / f"mini-{number}", {**MINI_DECK, "deck.yaml": deck})


def test_progress_bar_only_for_big_builds_on_a_terminal(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_decks(project, terminal.BIG_DECK_COUNT)
    plain = runner.invoke(main, ["build"])
    assert plain.exit_code == 0 and plain.stderr == ""
    assert plain.stdout.endswith("Built 4 decks: 12 notes, 12 cards\n")

    monkeypatch.setattr(terminal, "stderr_is_terminal", lambda: True)
    shutil.rmtree(project / "dist")  # else the rebuild stops early: nothing changed
    shown = runner.invoke(main, ["build"])
    assert shown.exit_code == 0
    # Off a real terminal click prints each new label of a bar instead of redrawing it:
    # here that shows the bar starting, then naming each deck's stages as they run.
    stages = [f"mini-{n}: {stage:<9}" for n in range(4) for stage in BUILD_STAGES]
    assert shown.stderr.splitlines() == ["Building 4 decks", *stages]
    # Summaries wait until the bar is done, then come out in order.
    assert [line for line in shown.stdout.splitlines() if not line.startswith(" ")] == [
        f"Built Mini {n} -> dist/mini-{n}.apkg ({size})"
        for n, size in enumerate(re.findall(r"\((\d+\.\d kB)\)", plain.stdout))
    ] + ["Built 4 decks: 12 notes, 12 cards"]
    assert runner.invoke(main, ["build", "-q"]).stderr == ""


def test_small_builds_show_no_bar_even_on_a_terminal(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terminal, "stderr_is_terminal", lambda: True)
    result = runner.invoke(main, ["build"])
    assert (result.exit_code, result.stderr) == (0, "")
