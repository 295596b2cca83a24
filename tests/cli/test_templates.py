"""`factdeck templates list` and `eject`: exact output and exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.render.layers import BUILTIN
from tests.support.decks import MINI_DECK, write_tree


def _project(root: Path) -> Path:
    write_tree(root / "cards" / "mini", MINI_DECK)
    return root


def test_eject_copies_one_file_and_keeps_the_projects_own(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path)
    args = ["templates", "eject", "partials/source.html", "--project", str(project)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    copied = project / "templates" / "partials" / "source.html"
    assert copied.read_bytes() == (BUILTIN / "partials" / "source.html").read_bytes()
    assert first.output.endswith("Ejected 1 file\n")
    copied.write_text("mine\n")
    second = runner.invoke(main, args)
    assert second.exit_code == 0
    assert second.output.endswith("Ejected 0 files, kept 1 the project had\n")
    assert copied.read_text() == "mine\n"
    listed = runner.invoke(main, ["templates", "list", "--project", str(project)])
    assert "project   partials/source.html\n" in listed.output
    assert "built-in  partials/extra.html\n" in listed.output


def test_eject_a_folder_copies_every_file_under_it(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = runner.invoke(main, ["templates", "eject", "note-types/qa", "--project", str(project)])
    assert result.exit_code == 0, result.output
    got = sorted(p.relative_to(project).as_posix() for p in project.rglob("*.html"))
    assert got == ["templates/note-types/qa/back.html", "templates/note-types/qa/front.html"]


def test_eject_an_unknown_name_names_the_near_miss(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = runner.invoke(
        main, ["templates", "eject", "partials/sourse.html", "--project", str(project)]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: no built-in template 'partials/sourse.html' (did you mean "
        "'partials/source.html'?); name a file or folder of the built-in set (base.css, "
        "deck-description.html, kinds, note-types, partials, preview), or see them all with "
        "`factdeck templates list`\n"
    )
    assert not (project / "templates").exists()


def test_python_dash_m_factdeck_is_the_command_line() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "factdeck", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("factdeck, version ")
    helped = subprocess.run(
        [sys.executable, "-m", "factdeck", "--help"], capture_output=True, text=True, check=True
    )
    assert helped.stdout.startswith("Usage: factdeck [OPTIONS] COMMAND [ARGS]...\n")
