"""docs/commands.md is generated from the click commands: it must be current, and every
command (subcommands too) must have its section, so a new command cannot ship undocumented."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from factdeck.cli.commandref import commands, help_text, page
from factdeck.cli.main import main

PAGE = Path(__file__).resolve().parents[2] / "docs" / "commands.md"


def test_committed_page_is_current() -> None:
    """Regenerate with `python -m factdeck.cli.commandref > docs/commands.md`."""
    assert PAGE.read_text(encoding="utf-8") == page()


def test_every_command_has_its_section() -> None:
    text = PAGE.read_text(encoding="utf-8")
    names = [" ".join(path) for path, _ in commands()]
    assert {"factdeck build", "factdeck templates eject", "factdeck analyze"} <= set(names)
    for name in names:
        assert f"## `{name}`\n" in text, f"{name} is not in docs/commands.md"


def test_a_new_command_is_missed_by_the_committed_page() -> None:
    """The check can fail: a command added to the group is not in the committed page."""

    @click.command("extra-command")
    def extra() -> None:
        """A command nobody documented."""

    main.add_command(extra)
    try:
        assert "## `factdeck extra-command`" in page()
        assert PAGE.read_text(encoding="utf-8") != page()
    finally:
        del main.commands["extra-command"]


def test_help_is_what_the_command_line_prints() -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["templates", "eject", "--help"], prog_name="factdeck", terminal_width=88
    )
    assert result.exit_code == 0
    templates = main.commands["templates"]
    assert isinstance(templates, click.Group)
    eject = templates.commands["eject"]
    assert help_text(("factdeck", "templates", "eject"), eject) == result.output.rstrip("\n")
