"""The field reference: for each fact kind, its fields (type, required or optional, single
value or list, what it is for) and the notes it yields with their question wording.

Built from one source: the JSON Schemas (schema.py, from the pydantic models, with the
descriptions of fielddocs.py) and the kind templates (templates/kinds/*.yaml). Shown by
`factdeck kinds` and written to docs/kinds.md (`factdeck kinds --markdown`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck.authoring import schema
from factdeck.errors import FactdeckError, Location, did_you_mean
from factdeck.facts.load import LineMap, read_yaml
from factdeck.facts.model import KINDS, FactBase
from factdeck.render.layers import layers
from factdeck.render.templates import KINDS_DIR, KindSchema

# The field of a note that holds its question, in order of preference, and its answer.
_QUESTION_FIELDS = ("Front", "Text", "Header")
_ANSWER_FIELDS = ("Back", "Answer")


@dataclass(frozen=True, slots=True)
class FieldDoc:
    name: str
    type: str  # "text", "list of text", "true/false", ...
    required: bool
    many: bool  # a list
    description: str
    notes: tuple[str, ...]  # ids of the notes made only when this field is filled in


@dataclass(frozen=True, slots=True)
class NoteDoc:
    id: str
    note_type: str
    when: str  # "always", "when levels is set", "one per item of masks"
    question: str  # the template's wording (Jinja2)
    answer: str


@dataclass(frozen=True, slots=True)
class KindDoc:
    kind: str
    fields: tuple[FieldDoc, ...]
    notes: tuple[NoteDoc, ...]


@dataclass(frozen=True, slots=True)
class ModelDoc:
    """A mapping an author writes that is not a fact (deck.yaml, a claim)."""

    title: str
    fields: tuple[FieldDoc, ...]


def kinds(templates_dir: Path) -> tuple[KindDoc, ...]:
    facts = schema.facts_schema()
    return tuple(_kind(kind, facts, templates_dir) for kind in sorted(KINDS))


def kind(name: str, templates_dir: Path) -> KindDoc:
    if name not in KINDS:
        raise FactdeckError.at(
            None,
            f"unknown kind '{name}'{did_you_mean(name, KINDS)}; "
            f"known kinds: {', '.join(sorted(KINDS))}",
        )
    return _kind(name, schema.facts_schema(), templates_dir)


def other_files() -> tuple[ModelDoc, ...]:
    """deck.yaml and its parts, and a claim of claims.yaml."""
    deck, claims = schema.deck_schema(), schema.claims_schema()
    docs = [ModelDoc("deck.yaml", _fields(deck, deck))]
    docs.extend(
        ModelDoc(f"deck.yaml: {name}", _fields(d, deck))
        for name, d in sorted(deck.get("$defs", {}).items())
    )
    docs.append(
        ModelDoc("claims.yaml: each claim", _fields(claims["$defs"]["ClaimSchema"], claims))
    )
    return tuple(docs)


def _kind(name: str, facts: dict[str, Any], templates_dir: Path) -> KindDoc:
    cls = KINDS[name]
    definition = facts["$defs"][cls.__name__]
    path = layers(templates_dir).find(f"{KINDS_DIR}/{name}.yaml")
    if path is None:
        raise FactdeckError.at(
            Location(templates_dir), f"no {KINDS_DIR}/{name}.yaml among the templates"
        )
    notes = _notes(path)
    yields: dict[str, list[str]] = {}
    for note in notes:
        for field in note.requires + ((note.each,) if note.each else ()):
            yields.setdefault(field, []).append(note.id)
    required = {n for n, f in cls.model_fields.items() if f.is_required()}
    common = set(FactBase.model_fields) - {"id"}
    written = _fields(definition, facts)
    ordered = sorted(written, key=lambda f: (f.name != "id", f.name != "kind", f.name in common))
    fields = tuple(
        FieldDoc(
            field.name,
            field.type,
            field.name in required,
            field.many,
            field.description,
            tuple(yields.get(field.name, ())),
        )
        for field in ordered
    )
    return KindDoc(name, fields, tuple(_note_doc(note) for note in notes))


def _notes(path: Path) -> tuple[Any, ...]:
    data = read_yaml(path)
    if not isinstance(data, LineMap):
        raise FactdeckError.at(Location(path, 1), "expected a mapping with 'notes'")
    return KindSchema.model_validate(dict(data)).notes


def _note_doc(note: Any) -> NoteDoc:
    if note.each:
        when = f"one per item of {note.each}"
    elif note.requires:
        when = (
            f"when {' and '.join(note.requires)} {'is' if len(note.requires) == 1 else 'are'} set"
        )
    else:
        when = "always"
    question = next((note.fields[f] for f in _QUESTION_FIELDS if f in note.fields), "")
    answer = next((note.fields[f] for f in _ANSWER_FIELDS if f in note.fields), "")
    return NoteDoc(note.id, note.note_type, when, question, answer)


def _fields(definition: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[FieldDoc, ...]:
    required = set(definition.get("required", ()))
    return tuple(
        FieldDoc(
            name,
            type_words(prop, document),
            name in required,
            _many(prop, document),
            prop.get("description", ""),
            (),
        )
        for name, prop in definition.get("properties", {}).items()
    )


def type_words(prop: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """A JSON Schema as an author reads it: 'text', 'list of text', 'true/false', ..."""
    if "$ref" in prop:
        target = _resolve(prop["$ref"], document)
        return "{" + ", ".join(target.get("properties", {})) + "}"
    if "const" in prop:
        return repr(prop["const"]).replace("'", '"')
    if "enum" in prop:
        return "one of: " + ", ".join(str(v) for v in prop["enum"])
    options = [p for p in prop.get("anyOf", ()) if p.get("type") != "null"]
    if options:
        arrays = [p for p in options if p.get("type") == "array"]
        single = [p for p in options if p.get("type") != "array"]
        if len(arrays) == len(single) == 1 and single[0] == arrays[0].get("items"):
            return f"{type_words(arrays[0], document)} (one item may stand alone)"
        return " or ".join(type_words(p, document) for p in options)
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_plural(type_words(prop.get('items', {}), document))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        if isinstance(values, dict):
            return f"mapping of key: {type_words(values, document)}"
        return "mapping"
    return {
        "string": "text",
        "boolean": "true/false",
        "integer": "whole number",
        "number": "number",
    }.get(kind or "", "anything")


def _many(prop: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    if prop.get("type") == "array":
        return True
    return any(p.get("type") == "array" for p in prop.get("anyOf", ()))


def _plural(words: str) -> str:
    return words if words.startswith(("list", "{", "mapping", "text")) else words + "s"


def _resolve(ref: str, document: Mapping[str, Any]) -> Mapping[str, Any]:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


# --- shown as text and as Markdown ---------------------------------------------------


def text_lines(doc: KindDoc) -> Iterator[str]:
    yield f"{doc.kind}"
    yield "  fields:"
    width = max(len(f.name) for f in doc.fields)
    for field in doc.fields:
        need = "required" if field.required else "optional"
        yield f"    {field.name:<{width}}  {field.type}, {need}"
        yield f"    {'':<{width}}  {field.description}"
        if field.notes:
            yield f"    {'':<{width}}  notes: {', '.join(field.notes)}"
    yield "  notes:"
    for note in doc.notes:
        yield f"    {note.id} ({note.note_type}, {note.when})"
        if note.question:
            yield f"      Q: {note.question}"
        if note.answer:
            yield f"      A: {note.answer}"


def markdown(docs: tuple[KindDoc, ...], files: tuple[ModelDoc, ...]) -> str:
    out = [
        "# Field reference",
        "",
        "<!-- Generated by `factdeck kinds --markdown > docs/kinds.md`; do not edit by hand:",
        "     descriptions live in src/factdeck/authoring/fielddocs.py, note wording in",
        "     templates/kinds/*.yaml. tests/test_reference.py keeps this file current. -->",
        "",
        "Every fact has an `id` and a `kind`; the kind decides its other fields and the notes",
        "it yields. A note is made only when the fields it needs are filled in. A list field",
        "is a YAML list (`[a, b]`, or one `- item` per line); a cloze note makes one cloze per",
        "item. In question wording (Jinja2), `{{ name }}` is the fact's field and",
        "`{{ 'are' if plural else 'is' }}` agrees with `plural`. Editors check these fields",
        "through the schemas in `schemas/` (see *Editor support* in",
        "[Writing facts](writing-facts.md)).",
        "",
        "Kinds: " + ", ".join(f"[`{d.kind}`](#{d.kind})" for d in docs) + ".",
        "",
    ]
    for doc in docs:
        out += [
            f"## {doc.kind}",
            "",
            "| field | type | required | list | what it is for | notes |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| `{f.name}` | {_cell(f.type)} | {'yes' if f.required else 'no'} | "
            f"{'list' if f.many else 'single'} | {_cell(f.description)} | "
            f"{', '.join(f'`{n}`' for n in f.notes)} |"
            for f in doc.fields
        ]
        out += ["", "| note | note type | made | question | answer |", "|---|---|---|---|---|"]
        out += [
            f"| `{n.id}` | {n.note_type} | {n.when} | {_code(n.question)} | {_code(n.answer)} |"
            for n in doc.notes
        ]
        out.append("")
    for model_doc in files:
        out += [
            f"## {model_doc.title}",
            "",
            "| field | type | required | list | what it is for |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| `{f.name}` | {_cell(f.type)} | {'yes' if f.required else 'no'} | "
            f"{'list' if f.many else 'single'} | {_cell(f.description)} |"
            for f in model_doc.fields
        ]
        out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"<code>{_cell(text)}</code>" if text else ""
