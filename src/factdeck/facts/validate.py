"""Raw YAML mappings -> validated, typed facts. Collects every problem, then raises once."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from factdeck.errors import FactdeckError, Location, Problem, did_you_mean
from factdeck.facts import textsafety
from factdeck.facts.load import LineMap, RawDeck, RawFile
from factdeck.facts.model import EXAM_PREFIX, KINDS, Deck, DeckSpec, Entry


def validate(raw: RawDeck, known: Mapping[Path, tuple[Entry, ...]] | None = None) -> Deck:
    """The deck's facts, in file order; `known`: by path, the entries of the fact files that
    `raw` does not hold because the build cache does (validated when they were cached):
    checked again with the others (ids, look-alikes, the deck's sub-decks and areas)."""
    problems: list[Problem] = []
    spec = _validate_spec(raw, problems)
    fresh = {file.path: tuple(_validate_file(file, problems)) for file in raw.files}
    known = known or {}
    order = raw.paths or tuple(fresh)
    entries = [entry for path in order for entry in known.get(path, fresh.get(path, ()))]
    problems.extend(_duplicate_ids(entries))
    problems.extend(_unknown_look_alikes(entries))
    if spec is not None:
        for entry in entries:
            problems.extend(_check_against_deck(entry, spec))
    if problems:
        raise FactdeckError(sorted(problems, key=_position))
    assert spec is not None
    return Deck(spec=spec, deck_dir=raw.deck_dir, entries=tuple(entries))


def _position(problem: Problem) -> tuple[str, int]:
    where = problem.location
    return (str(where.path), where.line or 0) if where else ("", 0)


def _validate_spec(raw: RawDeck, problems: list[Problem]) -> DeckSpec | None:
    try:
        return DeckSpec.model_validate(dict(raw.deck))
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, DeckSpec, raw.deck, raw.deck_path, "deck"))
        return None


def _validate_file(file: RawFile, problems: list[Problem]) -> Iterable[Entry]:
    if "id" in file.defaults:
        problems.append(
            Problem(
                Location(file.path, file.defaults.line_of("id")),
                "'defaults' cannot set 'id': every fact needs its own id",
            )
        )
        return
    for number, raw_fact in enumerate(file.facts, 1):
        data = _with_defaults(raw_fact, file.defaults)
        where = Location(file.path, raw_fact.line)
        label = _label(raw_fact, number)
        kind = data.get("kind")
        model = KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            problems.append(
                Problem(
                    Location(file.path, data.line_of("kind")), f"{label}: {_kind_problem(kind)}"
                )
            )
            continue
        try:
            fact = model.model_validate(dict(data))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, model, data, file.path, label))
            continue
        problems.extend(textsafety.problems(fact, data, file.path, label))
        yield Entry(fact=fact, location=where)  # type: ignore[arg-type]


def _with_defaults(fact: LineMap, defaults: LineMap) -> LineMap:
    merged = LineMap({**defaults, **fact})
    merged.line = fact.line
    merged.key_lines = {**defaults.key_lines, **fact.key_lines}
    merged.written = {**defaults.written, **fact.written}
    if isinstance(defaults.get("tags"), list) and isinstance(fact.get("tags"), list):
        own = [tag for tag in fact["tags"] if tag not in defaults["tags"]]
        merged["tags"] = [*defaults["tags"], *own]
    return merged


def _label(raw_fact: LineMap, number: int) -> str:
    fact_id = raw_fact.get("id")
    return f"fact '{fact_id}'" if isinstance(fact_id, str) else f"fact #{number}"


def _kind_problem(kind: object) -> str:
    known = ", ".join(sorted(KINDS))
    if kind is None:
        return f"missing required field 'kind' (one of: {known})"
    return f"unknown kind '{kind}'{did_you_mean(str(kind), KINDS)}; known kinds: {known}"


def _duplicate_ids(entries: list[Entry]) -> Iterable[Problem]:
    first: dict[str, Location] = {}
    for entry in entries:
        fact_id = entry.fact.id
        if fact_id in first:
            yield Problem(
                entry.location,
                f"duplicate fact id '{fact_id}' (first used at {first[fact_id]}); "
                "every fact in a deck needs its own id",
            )
        else:
            first[fact_id] = entry.location


def _unknown_look_alikes(entries: list[Entry]) -> Iterable[Problem]:
    """A case's `look_alikes` name facts of this deck (distractors come from them)."""
    ids = {entry.fact.id for entry in entries}
    for entry in entries:
        for other in getattr(entry.fact, "look_alikes", ()):
            if other not in ids:
                yield Problem(
                    entry.location,
                    f"fact '{entry.fact.id}': 'look_alikes' names "
                    f"unknown fact '{other}'{did_you_mean(other, ids)}; use the id "
                    "of a fact in this deck",
                )
            elif other == entry.fact.id:
                yield Problem(
                    entry.location,
                    f"fact '{entry.fact.id}': 'look_alikes' names "
                    "the case itself; name the facts a student might confuse it with",
                )


def _check_against_deck(entry: Entry, spec: DeckSpec) -> Iterable[Problem]:
    fact, where = entry.fact, entry.location
    label = f"fact '{fact.id}'"
    if fact.subdeck is not None and fact.subdeck not in spec.subdecks:
        yield Problem(
            where,
            f"{label}: unknown subdeck '{fact.subdeck}'"
            f"{did_you_mean(fact.subdeck, spec.subdecks)}; "
            f"declare it under 'subdecks' in deck.yaml ({_listing(spec.subdecks)})",
        )
    sections = spec.source.sections
    if fact.source.section not in sections:
        yield Problem(
            where,
            f"{label}: unknown source section '{fact.source.section}'"
            f"{did_you_mean(fact.source.section, sections)}; "
            f"deck.yaml lists: {_listing(sections)}",
        )
    for ref in fact.source.refs:
        if ref not in spec.source.references:
            yield Problem(
                where,
                f"{label}: unknown reference '{ref}'"
                f"{did_you_mean(ref, spec.source.references)}; "
                f"deck.yaml lists: {_listing(spec.source.references)}",
            )
    for tag in fact.tags:
        area = tag.removeprefix(EXAM_PREFIX)
        if tag.startswith(EXAM_PREFIX) and area not in spec.exam_areas:
            yield Problem(
                where,
                f"{label}: tag '{tag}' names unknown exam area '{area}'"
                f"{did_you_mean(area, spec.exam_areas)}; deck.yaml's exam_areas "
                f"lists: {_listing(spec.exam_areas)}",
            )
    text_fields = fact.text_fields()
    for name in fact.html:
        if name not in text_fields:
            yield Problem(
                where,
                f"{label}: 'html' names '{name}', which is not a text field "
                f"of a {fact.kind}{did_you_mean(name, text_fields)}",
            )


def _listing(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none yet"


# --- pydantic errors as problems -----------------------------------------------------


def pydantic_problems(
    exc: ValidationError, model: type[BaseModel], data: LineMap, path: Path, label: str
) -> list[Problem]:
    """Turn pydantic's errors into problems at the line of the offending key."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key = str(loc[0]) if loc else None
        line = data.line_of(key) if key else data.line
        message = _not_text(error, loc, data) or _message(error, loc, model)
        problems.append(Problem(Location(path, line), f"{label}: {message}"))
    return problems


def _message(error: Any, loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    where = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = parent.model_fields if parent else {}
        name = str(loc[-1])
        if " " in name.strip():  # no field has a space: the tail of a text cut at a comma
            return (
                f"unknown field '{where}': a comma inside {{...}} ends the text before it, so "
                f"'{name}' was read as a field; put that text in quotes (\"..., {name}\")"
            )
        return f"unknown field '{where}'{did_you_mean(name, known)}"
    if kind == "missing":
        return f"missing required field '{where}'"
    text = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    shown = f" (got {value!r})" if isinstance(value, int | float | bool) else ""
    if kind == "string_type" and isinstance(value, list | dict):
        shown = " (got a list)" if isinstance(value, list) else " (got a mapping)"
    return f"field '{where}': {text}{shown}"


_READ_AS = {bool: "true/false", type(None): "nothing (null)", int: "a number", float: "a number"}


def _not_text(error: Any, loc: tuple[Any, ...], data: LineMap) -> str | None:
    """YAML turns unquoted yes/no/on/off, ~, numbers and dates into non-text: say so."""
    value = error.get("input")
    read_as = _READ_AS.get(type(value), "a date" if isinstance(value, date) else None)
    if error["type"] != "string_type" or read_as is None:
        return None
    key = str(loc[0])
    written = data.written.get(key) if len(loc) == 1 else None
    shown = f"'{written}'" if written is not None else "this value"
    if value is None:
        return f"field '{_dotted(loc)}' is empty: YAML reads {shown} as nothing; write the text"
    example = f'{key}: "{written}"' if written is not None else 'e.g. "yes"'
    return (
        f"field '{_dotted(loc)}': YAML reads {shown} as {read_as}, not text; put it in "
        f"quotes: {example}"
    )


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that the value at `loc` is validated by (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        else:
            current = _inner(current)
        current = _inner_model(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """Unwrap `Model | None` to `Model`; leave containers for the next key to step into."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return annotation


def _inner(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (dict,) and len(args) == 2:
        return args[1]
    if origin in (tuple, list) and args:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        return next((a for a in args if a is not type(None)), None)
    return None
