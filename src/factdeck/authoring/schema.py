"""JSON Schemas for what authors write (deck.yaml, fact files, claims.yaml), generated from
the pydantic models, so editors (YAML language server) complete and check fields as you
type. `factdeck schema` writes them; the repository ships them in schemas/.

The schemas describe input as written: a shorthand the models accept before validating
(a plain string for `source`, one item for a list) is allowed too. They check shape and
field names; what needs the whole deck (known section keys, cloze syntax, SVG ids) is left
to `factdeck check`. In a fact file, a field that `defaults` may supply (the common ones and
`kind`) is not required on each fact: only `id` and the kind's own required fields are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from factdeck.authoring.fielddocs import describe, models_in
from factdeck.facts import model
from factdeck.facts.claims import ClaimSchema
from factdeck.fs import atomic, read

SCHEMA_DIR = "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DECK_SCHEMA, FACTS_SCHEMA, CLAIMS_SCHEMA = (
    "deck.schema.json",
    "facts.schema.json",
    "claims.schema.json",
)

# Validators that accept a shorthand before the model validates: the schema of what they
# accept, given the schema of what they pass on.
_SHORTHANDS: dict[Callable[..., Any], Callable[[JsonSchemaValue], JsonSchemaValue]] = {
    model._one_item_list: lambda inner: {"anyOf": [inner, inner.get("items", {})]},
    model._source_shorthand: lambda inner: {"anyOf": [{"type": "string"}, inner]},
    model._area_shorthand: lambda inner: {"anyOf": [{"type": "string"}, inner]},
    model._declarations: lambda inner: {"anyOf": [inner.get("items", {}), inner]},
}


# Validators that check a string's form after pydantic: the same rule as a pattern.
_PATTERNS: dict[Callable[..., Any], str] = {
    model._slug: model._SLUG.pattern,
    model._tag: model._TAG.pattern,
}


class _AuthorSchema(GenerateJsonSchema):
    """Pydantic's schema generator, widened to the shorthands authors may write and told
    the form of ids and tags."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """Keys of a set form (section keys): every key must have it, not just those that
        should be checked (which is what pydantic's patternProperties says)."""
        generated = super().dict_schema(schema)
        patterns = generated.pop("patternProperties", None)
        if patterns and len(patterns) == 1:
            ((pattern, values),) = patterns.items()
            generated |= {"propertyNames": {"pattern": pattern}, "additionalProperties": values}
        elif patterns:
            generated["patternProperties"] = patterns
        return generated

    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> JsonSchemaValue:
        inner = super().function_after_schema(schema)
        pattern = _PATTERNS.get(schema["function"]["function"])
        return {**inner, "pattern": f"^{pattern}$"} if pattern else inner

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        widen = _SHORTHANDS.get(schema["function"]["function"])
        return widen(inner) if widen else inner


def deck_schema() -> dict[str, Any]:
    return _finish(
        _generate(model.DeckSpec),
        "deck.yaml",
        "A factdeck deck: its name, slug, version and source article.",
        (model.DeckSpec,),
    )


def facts_schema() -> dict[str, Any]:
    """A fact file: `facts` (one schema per kind, chosen by `kind`) and `defaults`."""
    kinds = tuple(model.KINDS.values())
    union = Annotated[model.Fact, Field(discriminator="kind")]
    generated = _generate_type(list[union])
    defs = generated.pop("$defs")
    base = set(model.FactBase.model_fields) - {"id"} | {"kind"}
    items = generated["items"]
    items["anyOf"] = items.pop("oneOf")  # `kind` may come from defaults: several may match
    for cls in kinds:
        definition = defs[cls.__name__]
        definition["required"] = [
            name for name in definition.get("required", []) if name not in base
        ]
    for cls in kinds:
        properties = defs[cls.__name__]["properties"]
        for old, name in model.former_names(cls).items():
            properties[old] = {
                **properties[name],
                "deprecated": True,
                "description": f"The former spelling of `{name}`, still accepted.",
            }
    defaults: dict[str, Any] = {}
    for cls in kinds:
        for name, prop in defs[cls.__name__]["properties"].items():
            if name not in ("id", "kind"):
                defaults.setdefault(name, prop)
    kind_names = sorted(model.KINDS)
    document = {
        "type": "object",
        "additionalProperties": False,
        "required": ["facts"],
        "properties": {
            "defaults": {
                "type": "object",
                "additionalProperties": False,
                "description": "Fields every fact of this file gets unless it sets "
                "them itself (tags are added to the fact's own).",
                "properties": {"kind": {"enum": kind_names}, **defaults},
            },
            "facts": {
                **generated,
                "minItems": 1,
                "description": f"The facts: each has an id and a kind ({', '.join(kind_names)}).",
            },
        },
        "$defs": defs,
    }
    return _finish(
        document, "fact file", "A factdeck fact file: optional defaults and a list of facts.", kinds
    )


def claims_schema() -> dict[str, Any]:
    document = {
        "type": "object",
        "additionalProperties": False,
        "required": ["claims"],
        "properties": {
            "claims": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/ClaimSchema"},
                "description": "Every testable claim of the article.",
            }
        },
        "$defs": {"ClaimSchema": _generate(ClaimSchema)},
    }
    return _finish(
        document,
        "claims.yaml",
        "A deck's claim inventory: each claim of the article and the facts that state it.",
        (ClaimSchema,),
    )


SCHEMAS: Mapping[str, Callable[[], dict[str, Any]]] = {
    DECK_SCHEMA: deck_schema,
    FACTS_SCHEMA: facts_schema,
    CLAIMS_SCHEMA: claims_schema,
}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def project_schemas(project: Path) -> Path:
    """The project's schemas/, which `schema` and `new` write into: not a symbolic link, which
    a repository can commit (the files would be written where it points, outside)."""
    folder = project / SCHEMA_DIR
    read.refuse_link(
        folder,
        "the schemas would be written where it points, outside the project: delete the link "
        "(the command makes the folder), or name another folder on purpose (factdeck schema "
        "OUT_DIR)",
    )
    return folder


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into `out_dir`; only files whose text changed are rewritten."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in SCHEMAS.items():
        path = out_dir / name
        text = render(make())
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            with atomic.replacing(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _generate(cls: type[BaseModel]) -> dict[str, Any]:
    return cls.model_json_schema(schema_generator=_AuthorSchema)


def _generate_type(annotation: Any) -> dict[str, Any]:
    return TypeAdapter(annotation).json_schema(schema_generator=_AuthorSchema)


def _finish(
    document: dict[str, Any], title: str, description: str, roots: tuple[type[BaseModel], ...]
) -> dict[str, Any]:
    """Field descriptions from fielddocs on every model's properties, and the header."""
    by_name = {cls.__name__: cls for root in roots for cls in models_in(root)}
    definitions = [(name, d) for name, d in document.get("$defs", {}).items()]
    if "properties" in document and document.get("title") in by_name:
        definitions.append((document["title"], document))
    for name, definition in definitions:
        cls = by_name.get(name)
        for field, prop in definition.get("properties", {}).items():
            text = describe(cls, field) if cls else None
            if text:
                prop["description"] = text
            prop.pop("title", None)
    document.pop("title", None)
    for _, definition in definitions:
        definition.pop("title", None)
    return {"$schema": DIALECT, "title": title, "description": description, **document}
