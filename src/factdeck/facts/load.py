"""YAML files -> raw mappings that remember their file and line.

Only safe YAML is read (no Python objects), with the C parser when PyYAML has it.
Files that are too big, binary, not UTF-8, empty or alias bombs are refused here,
before anything downstream can choke on them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from factdeck.errors import FactdeckError, Location, Problem, collect
from factdeck.fs import limits
from factdeck.fs.read import NotReadable, TooBig, read_bytes, refuse_linked_deck, yaml_files

DECK_FILE = "deck.yaml"
CLAIMS_FILE = "claims.yaml"  # the deck's claim inventory (claims.py), not facts
MAX_FILE_BYTES = limits.FACT_FILE
MAX_EXPANDED_VALUES = limits.YAML_VALUES

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineMap(dict):
    """A YAML mapping that knows the line of itself and of each key, and how each unquoted
    non-text value was written (`yes`, `~`, `2024-01-01`), to suggest quoting it."""

    line: int
    key_lines: dict[str, int]
    written: dict[str, str]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True, slots=True)
class RawFile:
    path: Path
    defaults: LineMap
    facts: tuple[LineMap, ...]


@dataclass(frozen=True, slots=True)
class RawDeck:
    deck_dir: Path
    deck_path: Path
    deck: LineMap
    files: tuple[RawFile, ...]
    paths: tuple[Path, ...] = ()  # every fact file of the deck, in order, read here or not


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineMap]:
    data = LineMap()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.written = {}
    yield data
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key_node.value}' (first on line {seen[key_node.value]}); "
                    "keep one of them",
                    key_node.start_mark,
                )
            seen[key_node.value] = line
            data.key_lines[str(key_node.value)] = line
            if (
                isinstance(value_node, yaml.ScalarNode)
                and not value_node.style
                and value_node.tag != "tag:yaml.org,2002:str"
            ):
                data.written[str(key_node.value)] = value_node.value
    data.update(loader.construct_mapping(node))


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    """Python refuses to read integers of over 4,300 digits (a denial-of-service guard)."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {len(node.value):,} characters is too long; if it is "
            "text, put it in quotes",
            node.start_mark,
        ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_deck(
    deck_dir: Path,
    paths: list[Path] | None = None,
    data: Mapping[Path, bytes | None] | None = None,
) -> RawDeck:
    """Read deck.yaml and every other *.yaml under `deck_dir`, collecting all problems.

    `paths`: the deck's fact files (fact_paths) as the caller listed them; `data`: the ones
    to read, each parsed from the bytes given (None: read here), when not all of them (the
    build cache holds the others' results, taken from those bytes)."""
    deck_path = deck_file(deck_dir)
    problems: list[Problem] = []
    deck = collect(problems, lambda: read_mapping(deck_path))
    paths = fact_paths(deck_dir) if paths is None else paths
    files = []
    for path in paths if data is None else data:
        raw = collect(problems, functools.partial(load_fact_file, path, (data or {}).get(path)))
        if raw is not None:
            files.append(raw)
    if problems:
        raise FactdeckError(problems)
    assert deck is not None
    return RawDeck(deck_dir, deck_path, deck, tuple(files), tuple(paths))


def deck_file(deck_dir: Path) -> Path:
    """The deck's deck.yaml, refused when missing or when another deck is nested below it."""
    refuse_linked_deck(deck_dir)
    deck_path = deck_dir / DECK_FILE
    if not deck_path.exists():
        raise FactdeckError.at(
            Location(deck_dir),
            f"no {DECK_FILE} here; every deck folder needs one (name, slug, source)",
        )
    if deck_path.is_dir():
        raise FactdeckError.at(
            Location(deck_path),
            f"is a folder, not a file; every deck folder needs a {DECK_FILE} file (name, slug, "
            "source): move the folder away and restore the file",
        )
    _refuse_nested_decks(deck_dir)
    return deck_path


def _refuse_nested_decks(deck_dir: Path) -> None:
    """A deck.yaml below a deck would silently merge that deck's facts into this one."""
    inner = sorted(p for p in deck_dir.rglob(DECK_FILE) if p.parent != deck_dir)
    if inner:
        raise FactdeckError.at(
            Location(inner[0], 1),
            f"a deck inside the deck '{deck_dir.name}': its facts would be mixed into it; "
            f"move the folder beside it (next to {deck_dir.name}/) or delete this file",
        )


def fact_paths(deck_dir: Path) -> list[Path]:
    """Every fact file of a deck (.yaml or .yml, any case; editor lock and backup files
    skipped), in a stable order (the order cards are first studied in)."""
    return [p for p in yaml_files(deck_dir) if p.name not in (DECK_FILE, CLAIMS_FILE)]


def read_yaml(path: Path, data: bytes | None = None) -> Any:
    """Parse one YAML file safely, or raise a FactdeckError naming file and line; `data`:
    its bytes as already read (the cache keys a file by the bytes it parses)."""
    text = _read_text(path, data)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise FactdeckError.at(Location(path, line), _yaml_message(exc)) from None
    except yaml.YAMLError as exc:
        raise FactdeckError.at(Location(path), f"not valid YAML: {exc}") from None
    except RecursionError:
        raise FactdeckError.at(Location(path), "YAML is nested too deeply") from None
    if data is None:
        raise FactdeckError.at(Location(path), "file is empty; add content or delete the file")
    try:
        too_big = _expanded_size(data) > MAX_EXPANDED_VALUES
    except RecursionError:
        too_big = True
    if too_big:
        raise FactdeckError.at(
            Location(path),
            f"YAML expands to more than {MAX_EXPANDED_VALUES:,} values (through aliases or "
            "deep nesting); write the values out plainly",
        )
    return data


def read_mapping(path: Path, raw: bytes | None = None) -> LineMap:
    data = read_yaml(path, raw)
    if not isinstance(data, LineMap):
        raise FactdeckError.at(
            Location(path, 1), f"expected a mapping of keys to values, found {_kind(data)}"
        )
    return data


def load_fact_file(path: Path, raw: bytes | None = None) -> RawFile:
    data = read_mapping(path, raw)
    unknown = sorted(set(data) - {"defaults", "facts"})
    if unknown:
        raise FactdeckError.at(
            Location(path, data.line_of(unknown[0])),
            f"unknown top-level key '{unknown[0]}'; a fact file has 'facts' "
            "(a list) and optionally 'defaults' (a mapping)",
        )
    facts = data.get("facts")
    if not isinstance(facts, list) or not facts:
        raise FactdeckError.at(
            Location(path, data.line_of("facts")),
            "'facts' must be a non-empty list of facts (each item starting with '- id: ...')",
        )
    defaults = data.get("defaults", _empty_map(data.line))
    if not isinstance(defaults, LineMap):
        raise FactdeckError.at(
            Location(path, data.line_of("defaults")),
            f"'defaults' must be a mapping, found {_kind(defaults)}",
        )
    problems = [
        Problem(
            Location(path, data.line_of("facts")),
            f"fact #{i} is {_kind(item)}, not a mapping of fields",
        )
        for i, item in enumerate(facts, 1)
        if not isinstance(item, LineMap)
    ]
    if problems:
        raise FactdeckError(problems)
    return RawFile(path=path, defaults=defaults, facts=tuple(facts))


def _read_text(path: Path, data: bytes | None = None) -> str:
    try:
        if data is None:
            data = read_bytes(path, MAX_FILE_BYTES)
    except NotReadable as exc:
        hint = "; split it into several fact files" if isinstance(exc, TooBig) else ""
        raise FactdeckError.at(Location(path), f"file {exc}{hint}") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FactdeckError.at(
            Location(path, line), "file is binary, not YAML text; save it as UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FactdeckError.at(
            Location(path, line),
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}); re-save it as UTF-8",
        ) from None


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    hint = (
        "check the indentation, and put text containing ': ' or starting with "
        "'{', '[', '*', '&', '!', '%', '@' or '`' in quotes"
    )
    if "duplicate key" in what or "too long" in what:
        return f"invalid YAML: {what}"
    return f"invalid YAML: {what}; {hint}"


def _expanded_size(data: Any) -> int:
    """Count values as if every alias were written out, without writing them out."""
    memo: dict[int, int] = {}

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = MAX_EXPANDED_VALUES + 1  # a node reached again while counting: a cycle
        children = node.values() if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_VALUES:
                break
        memo[key] = total
        return total

    return size(data)


def _empty_map(line: int) -> LineMap:
    empty = LineMap()
    empty.line = line
    empty.key_lines = {}
    empty.written = {}
    return empty


def _kind(value: Any) -> str:
    names = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}
    if value is None:
        return "nothing"
    return names.get(type(value), "a mapping" if isinstance(value, dict) else type(value).__name__)
