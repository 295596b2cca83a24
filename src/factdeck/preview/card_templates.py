"""Anki's card-template language, so the preview renders each card as Anki will.

What Anki does (rslib/src/template.rs), and so what this does: `{{Field}}` inserts the
field's HTML unescaped (fields are HTML); `{{#Field}}…{{/Field}}` keeps its content when
the field is not empty (whitespace, `<br>` and `<div>` tags alone count as empty) and
`{{^Field}}…{{/Field}}` when it is; `{{FrontSide}}` on the back is the rendered front;
`{{cloze:Field}}` reveals clozes (cloze.py). Filters and special fields the note
types do not use are refused with a clear message rather than rendered wrongly.

Why not chevron, the mustache library genanki brings along: mustache HTML-escapes
`{{Field}}`, splits names on dots and has no `filter:Field` syntax, so it would render
Anki templates wrongly. tests/test_cardrender.py checks this module against the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdeck.anki import cloze
from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts.model import NoteSpec
from factdeck.render.templates import NoteType

FRONT_SIDE = "FrontSide"
FILTERS = ("cloze",)
_EMPTY_FIELD = re.compile(r"^(?:[ \t\n\r\f\v]|</?(?:br|div) ?/?>)*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Replacement:
    key: str
    filters: tuple[str, ...]  # in the order they apply: the one next to the key first


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    negated: bool
    children: tuple[Node, ...]


Node = Text | Replacement | Section


class TemplateSyntaxError(ValueError):
    """A card template Anki could not render either; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class CompiledNoteType:
    note_type: NoteType
    sides: tuple[tuple[tuple[Node, ...], tuple[Node, ...]], ...]  # (front, back) per card


@dataclass(frozen=True, slots=True)
class CardFaces:
    """One card of a note: its Anki name ('Card 1', 'Cloze 2'), ordinal and both sides."""

    name: str
    ord: int
    front: str
    back: str


def parse(source: str) -> tuple[Node, ...]:
    """A card template as a tree; raises TemplateSyntaxError as Anki would refuse it."""
    root: list[Node] = []
    stack: list[tuple[str, bool, list[Node]]] = []
    nodes = root
    position = 0
    while position < len(source):
        start = source.find("{{", position)
        if start != position:
            end = len(source) if start < 0 else start
            nodes.append(Text(source[position:end]))
            position = end
            continue
        end = source.find("}}", start + 2)
        if end < 0:
            raise TemplateSyntaxError(f"'{{{{' without its '}}}}': {source[start : start + 40]!r}")
        handle = source[start + 2 : end].lstrip("{").strip()
        position = end + 2
        prefix, rest = handle[:1], handle[1:].lstrip()
        if len(handle) >= 2 and prefix in "#^":
            stack.append((rest, prefix == "^", nodes))
            nodes = []
        elif len(handle) >= 2 and prefix == "/":
            if not stack or stack[-1][0] != rest:
                opened = f" while {{{{#{stack[-1][0]}}}}} is open" if stack else ""
                raise TemplateSyntaxError(f"{{{{/{rest}}}}} closes no open section{opened}")
            key, negated, parent = stack.pop()
            parent.append(Section(key, negated, tuple(nodes)))
            nodes = parent
        else:
            *filters, key = handle.split(":")
            nodes.append(Replacement(key, tuple(reversed(filters))))
    if stack:
        raise TemplateSyntaxError(
            f"{{{{#{stack[-1][0]}}}}} is never closed with {{{{/{stack[-1][0]}}}}}"
        )
    return tuple(root)


def compile_note_type(note_type: NoteType, where: Location) -> CompiledNoteType:
    """Parse every card template and check that it uses only what `render` supports."""
    problems = []
    sides = []
    for card in note_type.cards:
        parsed = []
        for side, source in (("front", card.front), ("back", card.back)):
            label = f"note type '{note_type.key}', card '{card.name}' {side}"
            try:
                nodes = parse(source)
            except TemplateSyntaxError as exc:
                problems.append(Problem(where, f"{label}: {exc}"))
                nodes = ()
            problems.extend(
                Problem(where, f"{label}: {message}")
                for message in _unsupported(nodes, note_type.field_names)
            )
            parsed.append(nodes)
        sides.append((parsed[0], parsed[1]))
    if problems:
        raise FactdeckError(problems)
    return CompiledNoteType(note_type, tuple(sides))


def render_note(compiled: CompiledNoteType, note: NoteSpec) -> tuple[CardFaces, ...]:
    """Every card Anki makes for the note, front and back, without the note type's CSS."""
    note_type = compiled.note_type
    fields = dict(zip(note_type.field_names, note.fields, strict=True))
    filled = {name for name, value in fields.items() if not _EMPTY_FIELD.match(value)}
    cards = []
    for ord_ in note_type.card_ords(note.fields):
        template = 0 if note_type.cloze else ord_
        front_nodes, back_nodes = compiled.sides[template]
        front = _render(front_nodes, fields, filled, ord_, None)
        back = _render(back_nodes, fields, filled, ord_, front)
        name = f"Cloze {ord_ + 1}" if note_type.cloze else note_type.cards[template].name
        cards.append(CardFaces(name=name, ord=ord_, front=front, back=back))
    return tuple(cards)


def _render(
    nodes: tuple[Node, ...],
    fields: dict[str, str],
    filled: set[str],
    ord_: int,
    front_side: str | None,
) -> str:
    """One side; `front_side` is None when rendering the front itself."""
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Section):
            if (node.key in filled) != node.negated:
                out.append(_render(node.children, fields, filled, ord_, front_side))
        elif node.key == FRONT_SIDE:
            out.append(front_side or "")
        elif node.key:
            value = fields[node.key]
            for _cloze in node.filters:  # only "cloze" passes compile_note_type
                value = cloze.reveal(value, ord_ + 1, question=front_side is None)
            out.append(value)
    return "".join(out)


def _unsupported(nodes: tuple[Node, ...], field_names: tuple[str, ...]) -> list[str]:
    found = []
    for node in nodes:
        if isinstance(node, Section):
            if node.key not in field_names:
                found.append(f"{{{{#{node.key}}}}} names no field of the note type")
            found.extend(_unsupported(node.children, field_names))
        elif isinstance(node, Replacement):
            known = node.key in field_names or node.key == FRONT_SIDE
            if not known and (node.key or not node.filters):
                found.append(
                    f"{{{{{node.key}}}}} names no field of the note type (fields: "
                    f"{', '.join(field_names)}; special fields other than "
                    f"{FRONT_SIDE} are not previewed)"
                )
            found.extend(
                f"filter '{name}:' is not previewed (supported: {', '.join(FILTERS)})"
                for name in node.filters
                if name not in FILTERS
            )
    return found
