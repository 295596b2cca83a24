"""The field reference and the editor schemas: one source (models + fielddocs + kind
templates), every field documented, docs/kinds.md and schemas/ current, and the schemas
accepting what the build accepts and rejecting what it rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from factdeck.authoring import reference, schema
from factdeck.authoring.fielddocs import undocumented
from factdeck.cli.main import main
from factdeck.facts.claims import ClaimSchema
from factdeck.facts.model import KINDS, DeckSpec
from tests.support.decks import REPO, TEMPLATES

DECKS = sorted(path.parent for path in (REPO / "cards").glob("*/deck.yaml"))


def test_every_field_an_author_writes_is_documented() -> None:
    """A field added to a model (deck.yaml, any kind, claims) fails here until fielddocs.py
    says what it is for."""
    assert undocumented((DeckSpec, ClaimSchema, *KINDS.values())) == []


def test_docs_kinds_md_is_current() -> None:
    """Regenerate with `factdeck kinds --markdown > docs/kinds.md`."""
    made = reference.markdown(reference.kinds(TEMPLATES), reference.other_files())
    assert (REPO / "docs" / "kinds.md").read_text(encoding="utf-8") == made


def test_committed_schemas_are_current() -> None:
    """Regenerate with `factdeck schema`."""
    for name, make in schema.SCHEMAS.items():
        assert (REPO / schema.SCHEMA_DIR / name).read_text(encoding="utf-8") == schema.render(
            make()
        ), name


def test_kinds_lists_fields_with_type_need_and_notes_with_wording(runner: CliRunner) -> None:
    result = runner.invoke(main, ["kinds", "nerve", "--templates", str(TEMPLATES)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "nerve"
    assert any(line.split() == ["levels", "text,", "optional"] for line in lines)
    assert any(line.split()[:2] == ["name", "text,"] and "required" in line for line in lines)
    assert any(line.startswith("    course ") and "list of text" in line for line in lines)
    assert "notes: levels, levels-reverse" in result.output
    assert "levels (qa, when levels is set)" in result.output
    assert "Q: Which spinal levels give rise to the {{ name|with_aka(aka) }}?" in result.output
    every = runner.invoke(main, ["kinds", "--templates", str(TEMPLATES)]).output
    assert all(f"\n{kind}\n" in f"\n{every}" for kind in KINDS)


def test_kinds_refuses_an_unknown_kind(runner: CliRunner) -> None:
    result = runner.invoke(main, ["kinds", "nerv", "--templates", str(TEMPLATES)])
    assert result.exit_code == 1
    assert "unknown kind 'nerv' (did you mean 'nerve'?)" in result.output


def test_schema_command_writes_the_three_schemas(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["schema", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in schema.SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(json.loads((tmp_path / name).read_text()))


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json.loads((REPO / schema.SCHEMA_DIR / name).read_text(encoding="utf-8"))
    )


def _errors(name: str, data: Any) -> list[str]:
    return [error.message for error in _validator(name).iter_errors(data)]


@pytest.mark.parametrize("deck", DECKS, ids=lambda p: p.name)
def test_every_shipped_file_is_valid_against_its_schema(deck: Path) -> None:
    def load(path: Path) -> Any:
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    assert _errors(schema.DECK_SCHEMA, load(deck / "deck.yaml")) == []
    if (deck / "claims.yaml").is_file():
        assert _errors(schema.CLAIMS_SCHEMA, load(deck / "claims.yaml")) == []
    fact_files = [p for p in deck.rglob("*.yaml") if p.name not in ("deck.yaml", "claims.yaml")]
    assert fact_files
    for path in fact_files:
        assert _errors(schema.FACTS_SCHEMA, load(path)) == [], path


FACT = {
    "id": "a-fact",
    "kind": "nerve",
    "name": "alpha nerves",
    "source": "body",
    "levels": "L1–L3",
    "course": ["one", "two"],
}


@pytest.mark.parametrize(
    ("change", "build_says"),
    [
        ({"levles": "L1"}, "unknown field 'levles'"),
        ({"name": None}, "missing required field 'name'"),
        ({"kind": "nerf"}, "unknown kind 'nerf'"),
        ({"plural": "yes please"}, "plural"),
        ({"id": "Bad Id"}, "is not a valid id"),
        ({"tags": ["two words"]}, "is not a valid tag"),
    ],
)
def test_the_schema_rejects_what_the_build_rejects(
    change: dict[str, Any], build_says: str, mini_deck: Path, runner: CliRunner
) -> None:
    fact = {k: v for k, v in {**FACT, **change}.items() if v is not None}
    document = {"facts": [fact]}
    assert _errors(schema.FACTS_SCHEMA, document)
    (mini_deck / "facts.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    result = runner.invoke(main, ["check", str(mini_deck)])
    assert result.exit_code == 1 and build_says in result.output, result.output


def test_the_schema_accepts_the_shorthands_the_build_accepts() -> None:
    fact = {**FACT, "aka": "one other name", "source": {"section": "body", "refs": ["r"]}}
    assert (
        _errors(
            schema.FACTS_SCHEMA, {"defaults": {"source": "body", "tags": ["x"]}, "facts": [fact]}
        )
        == []
    )
    assert _errors(schema.FACTS_SCHEMA, {"facts": [{**FACT, "source": None}]}) != []
    assert _errors(schema.FACTS_SCHEMA, {"defaults": {"id": "x"}, "facts": [FACT]}) != []


def test_deck_and_claims_schemas_reject_unknown_and_missing_fields() -> None:
    deck = yaml.safe_load((DECKS[0] / "deck.yaml").read_text(encoding="utf-8"))
    assert _errors(schema.DECK_SCHEMA, {**deck, "sulg": "x"})
    assert _errors(schema.DECK_SCHEMA, {k: v for k, v in deck.items() if k != "slug"})
    assert _errors(schema.DECK_SCHEMA, {**deck, "subdecks": {"Bad Key": "A name"}})
    claim = {"id": "c", "section": "s", "claim": "A claim."}
    assert _errors(schema.CLAIMS_SCHEMA, {"claims": [claim]}) == []
    assert _errors(schema.CLAIMS_SCHEMA, {"claims": [{**claim, "covered": []}]})
    assert _errors(schema.CLAIMS_SCHEMA, {"claims": [{"id": "c", "section": "s"}]})


def test_the_facts_schema_accepts_a_former_field_name_as_deprecated() -> None:
    """Editors keep accepting `fibres` (now `fibers`) and mark it deprecated."""
    import jsonschema

    document = schema.facts_schema()
    nerve = document["$defs"]["Nerve"]["properties"]
    assert nerve["fibres"]["deprecated"] is True
    assert nerve["fibres"]["description"] == "The former spelling of `fibers`, still accepted."
    fact = {"id": "n", "kind": "nerve", "name": "n nerve", "source": "body"}
    for name in ("fibers", "fibres"):
        jsonschema.validate({"facts": [{**fact, name: "sensory"}]}, document)
