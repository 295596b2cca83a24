"""The lookup order of template files: the project's templates/ first, then the built-in set
inside the package; what the lock records of the set that built each note type."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.pipeline import expanded
from factdeck.render.layers import BUILTIN, builtin_set, layers
from tests.support.decks import MINI_DECK, TEMPLATES, write_tree


def _bare_project(root: Path) -> Path:
    """A project with no templates/ of its own: every template is built-in."""
    return write_tree(root / "cards" / "mini", MINI_DECK)


def _types(deck: Path) -> dict[str, dict[str, object]]:
    lines = (json.loads(line) for line in (deck / "factdeck.lock").read_text().splitlines())
    return {entry["type"]: entry for entry in lines if next(iter(entry)) == "type"}


def test_the_repository_templates_folder_is_the_builtin_set() -> None:
    assert TEMPLATES.resolve() == BUILTIN
    assert layers(TEMPLATES).folders == (BUILTIN,)


def test_a_project_without_templates_builds_from_the_builtin_set(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = _bare_project(tmp_path)
    result = runner.invoke(main, ["build", str(deck)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "mini.apkg").is_file()
    assert {t["templates"] for t in _types(deck).values()} == {builtin_set()}


def test_one_project_file_overrides_its_builtin_twin_only(tmp_path: Path) -> None:
    deck = _bare_project(tmp_path)
    write_tree(tmp_path / "templates", {"note-types/qa/front.html": "<b>{{Front}}</b>\n"})
    templates = expanded(deck).templates
    qa = templates.note_types["qa"]
    assert qa.cards[0].front == "<b>{{Front}}</b>\n"
    assert qa.cards[0].back == (BUILTIN / "note-types/qa/back.html").read_text()
    assert qa.template_set == "project"
    assert templates.note_types["cloze"].template_set == builtin_set()


def test_the_lock_keeps_the_set_that_built_a_layout_and_build_reports_an_upgrade(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = _bare_project(tmp_path)
    assert runner.invoke(main, ["build", str(deck)]).exit_code == 0
    lock = deck / "factdeck.lock"
    # as if an older factdeck had built the Q/A layout differently
    text = lock.read_text()
    qa = _types(deck)["qa"]
    older = {**qa, "hash": "0" * 16, "templates": "factdeck 0.0.1"}
    lock.write_text(text.replace(json.dumps(qa, separators=(",", ":")), json.dumps(older)))
    result = runner.invoke(main, ["build", str(deck)])
    assert result.exit_code == 0, result.output
    assert (
        "Warning: mini: note type 'factdeck Q/A' (qa) changed with the built-in templates of "
        f"{builtin_set()} (built before by factdeck 0.0.1); students get the new layout with "
        "the next release, whose notes say so"
    ) in result.output
    assert _types(deck)["qa"]["templates"] == builtin_set()
    again = runner.invoke(main, ["build", str(deck)])
    assert "changed with the built-in templates" not in again.output  # said once
    assert runner.invoke(main, ["release", str(deck)]).exit_code == 0
    notes = (tmp_path / "dist" / "mini-1.0.0.md").read_text()
    assert f"(qa): layout, style or fields changed (the built-in templates of {builtin_set()})" in (
        notes
    )


def test_an_unchanged_layout_keeps_the_set_recorded_when_it_was_built(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = _bare_project(tmp_path)
    assert runner.invoke(main, ["build", str(deck)]).exit_code == 0
    lock = deck / "factdeck.lock"
    lock.write_text(lock.read_text().replace(builtin_set(), "factdeck 0.0.1"))
    result = runner.invoke(main, ["build", str(deck), "-v"])
    assert result.exit_code == 0, result.output
    assert {t["templates"] for t in _types(deck).values()} == {"factdeck 0.0.1"}
