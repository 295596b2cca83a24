"""`factdeck new`: the scaffold builds, lints clean, imports into the Anki engine, and names
its editor schemas; with --from, the article's headings and sentences seed the deck."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from factdeck.authoring import schema
from factdeck.cli.main import main
from factdeck.facts.model import KINDS
from tests.support.decks import REPO
from tests.support.engine import import_package, open_collection, render_all

ARTICLE = """\
Knee Basics for Therapists

Introduction

The knee is the largest joint of the body. It joins the thigh bone to the shin bone.

Ligaments of the Knee

Four ligaments hold the knee together. The two cruciate ligaments cross inside the joint!
A short line.

References

1. Someone, A. 2001. A Book About Knees.
"""


def _new(runner: CliRunner, project: Path, *args: str) -> Path:
    deck = project / "cards" / "knee"
    result = runner.invoke(main, ["new", str(deck), *args])
    assert result.exit_code == 0, result.output
    claims = "4 drafts, none carded yet" if args else "2"
    assert f"  claims   {claims}\n" in result.output, result.output
    return deck


def test_the_scaffold_builds_lints_clean_and_imports_into_anki(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    deck = _new(runner, project)
    kinds = {
        fact["kind"]
        for path in deck.glob("*.yaml")
        if path.name not in ("deck.yaml", "claims.yaml")
        for fact in yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]
    }
    assert kinds == set(KINDS)
    assert (deck / "diagrams" / "example-leg.svg").is_file()
    built = runner.invoke(main, ["build", str(deck), "--out", str(project / "dist")])
    assert built.exit_code == 0, built.output
    assert "Warning" not in built.output
    assert runner.invoke(main, ["lint", str(deck)]).exit_code == 0
    stats = runner.invoke(main, ["stats", str(deck)])
    assert stats.exit_code == 0 and "claims: 2/2 covered" in stats.output, stats.output
    col = open_collection(tmp_path / "anki")
    log = import_package(col, project / "dist" / "knee.apkg")
    cards = render_all(col)
    assert log.new > 0 and len(cards) > len(KINDS)
    assert {card.deck for card in cards} == {"Knee::Examples", "Knee::Diagrams"}
    col.close()


def test_every_file_names_its_schema_and_is_valid_against_it(
    runner: CliRunner, project: Path
) -> None:
    deck = _new(runner, project)
    for path in deck.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../../schemas/"), first
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_relative_to(project) and target.is_file()
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(json.loads(target.read_text("utf-8")))
        assert list(validator.iter_errors(document)) == [], path


def test_the_repository_keeps_its_own_schemas(runner: CliRunner, tmp_path: Path) -> None:
    """In the real project, `new` points at the committed schemas/ and leaves them as they are."""
    assert (REPO / schema.SCHEMA_DIR / schema.FACTS_SCHEMA).is_file()
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / schema.SCHEMA_DIR, tmp_path / schema.SCHEMA_DIR)
    before = {p.name: p.read_bytes() for p in (tmp_path / schema.SCHEMA_DIR).iterdir()}
    _new(runner, tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / schema.SCHEMA_DIR).iterdir()} == before


def test_from_an_article_headings_become_sections_and_sentences_draft_claims(
    runner: CliRunner, project: Path
) -> None:
    article = project / "knee.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    deck = _new(runner, project, "--from", str(article))
    spec = yaml.safe_load((deck / "deck.yaml").read_text(encoding="utf-8"))
    assert spec["source"]["title"] == "Knee Basics for Therapists"
    assert spec["source"]["sections"] == {
        "introduction": "Introduction",
        "ligaments-of-the-knee": "Ligaments of the Knee",
    }
    claims = yaml.safe_load((deck / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    assert [(c["section"], c["claim"]) for c in claims] == [
        ("introduction", "The knee is the largest joint of the body."),
        ("introduction", "It joins the thigh bone to the shin bone."),
        ("ligaments-of-the-knee", "Four ligaments hold the knee together."),
        ("ligaments-of-the-knee", "The two cruciate ligaments cross inside the joint!"),
    ]
    assert all(c["covered_by"] == [] for c in claims)
    assert runner.invoke(main, ["check", str(deck)]).exit_code == 0
    stats = runner.invoke(main, ["stats", str(deck)])
    assert stats.exit_code == 0
    assert "claims: 0/4 covered" in stats.output, stats.output
    assert "uncovered: introduction-1" in stats.output


def test_new_refuses_a_folder_in_use_or_inside_a_deck(
    runner: CliRunner, project: Path, mini_deck: Path
) -> None:
    taken = runner.invoke(main, ["new", str(mini_deck)])
    assert taken.exit_code == 1 and "already exists and is not empty" in taken.output
    nested = runner.invoke(main, ["new", str(mini_deck / "inner")])
    assert nested.exit_code == 1 and "a deck cannot hold another deck" in nested.output
    assert not (mini_deck / "inner").exists()
    assert "Traceback" not in taken.output + nested.output


def test_new_outside_a_project_builds_with_the_builtin_templates(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Outside a project `new` makes a course (tests/authoring/test_new_course.py), whose
    deck builds with the built-in templates: no templates/ folder is written."""
    made = runner.invoke(main, ["new", str(tmp_path / "knee")])
    assert made.exit_code == 0, made.output
    deck = tmp_path / "knee" / "cards" / "knee"
    built = runner.invoke(main, ["build", str(deck), "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "knee.apkg").is_file()
    assert not list(tmp_path.rglob("templates"))
