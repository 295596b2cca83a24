"""Anki's `{{cloze:Field}}` filter, reimplemented so the preview shows clozes as Anki does.

Anki (rslib/src/cloze.rs) tokenises `{{cN::` and `}}` markers, so clozes may nest and
`::` starts a hint. On the front the active cloze becomes `[...]` (or `[hint]`), on the
back its text; the other clozes show their text in a `cloze-inactive` span. An
`image-occlusion:` cloze becomes an empty div whose data attributes Anki's reviewer
script (or the preview's stand-in for it) draws as a mask. A card whose cloze number is
missing renders empty. tests/test_cardrender.py compares this with the real engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKER = re.compile(r"\{\{c(\d+)::|\}\}")
_MAX_ORDINAL = 65535  # Anki parses the number as u16; a bigger one is plain text
_MAX_DEPTH = 10  # Anki ignores cloze openings nested deeper than this
_IMAGE_OCCLUSION = "image-occlusion:"
_MINIMAL_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


@dataclass(slots=True)
class _Cloze:
    """A cloze being parsed (mutable only inside `_parse`)."""

    ordinal: int
    nodes: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None

    def text(self) -> str:
        return "".join(n if isinstance(n, str) else n.text() for n in self.nodes)


def reveal(text: str, ordinal: int, question: bool) -> str:
    """The field as card `ordinal` (from 1) shows it: front if `question`, else back."""
    found = False
    out = []
    for node in _parse(text):
        if isinstance(node, str):
            out.append(node)
        else:
            rendered, active = _render(node, ordinal, question)
            out.append(rendered)
            found = found or active
    return "".join(out) if found else ""


def ordinals(text: str) -> set[int]:
    """The cloze numbers Anki finds in `text` (nested clozes included): one card each."""
    found: set[int] = set()
    pending = list(_parse(text))
    while pending:
        node = pending.pop()
        if isinstance(node, _Cloze):
            found.add(node.ordinal)
            pending.extend(node.nodes)
    return found


def encode_attribute(value: str) -> str:
    """Anki's attribute escaping (Rust htmlescape): ASCII letters and digits stay, other
    characters below U+0100 become `&#xHH;`, the five HTML specials their entities."""
    out = []
    for char in value:
        if char in _MINIMAL_ENTITIES:
            out.append(_MINIMAL_ENTITIES[char])
        elif ord(char) < 256 and not (char.isascii() and char.isalnum()):
            out.append(f"&#x{ord(char):02X};")
        else:
            out.append(char)
    return "".join(out)


def _parse(text: str) -> list[str | _Cloze]:
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []
    position = 0
    for marker in _MARKER.finditer(text):
        if marker.group(1) is not None and int(marker.group(1)) > _MAX_ORDINAL:
            continue  # not a cloze opening: stays part of the surrounding text
        _add_text(text[position : marker.start()], open_clozes, output)
        position = marker.end()
        if marker.group(1) is not None:
            if len(open_clozes) < _MAX_DEPTH:
                open_clozes.append(_Cloze(int(marker.group(1))))
        elif open_clozes:
            closed = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            output.append("}}")
    _add_text(text[position:], open_clozes, output)
    return output  # like Anki, clozes never closed are dropped


def _add_text(text: str, open_clozes: list[_Cloze], output: list[str | _Cloze]) -> None:
    if not text:
        return
    if not open_clozes:
        output.append(text)
        return
    cloze = open_clozes[-1]
    head, separator, hint = text.partition("::")
    if separator:
        cloze.hint = hint
    cloze.nodes.append(head)


def _render(cloze: _Cloze, ordinal: int, question: bool) -> tuple[str, bool]:
    """The cloze's HTML and whether the active cloze was in it."""
    active = cloze.ordinal == ordinal
    first = cloze.nodes[0] if cloze.nodes else None
    if isinstance(first, str) and first.startswith(_IMAGE_OCCLUSION):
        return _image_occlusion(
            first.removeprefix(_IMAGE_OCCLUSION), cloze.ordinal, active, question
        ), active
    inner = []
    for node in cloze.nodes:
        if isinstance(node, str):
            inner.append(node)
        else:
            rendered, found = _render(node, ordinal, question)
            inner.append(rendered)
            active = active or found
    content = "".join(inner)
    if cloze.ordinal != ordinal:
        return (
            f'<span class="cloze-inactive" data-ordinal="{cloze.ordinal}">{content}</span>',
            active,
        )
    if question:
        return (
            f'<span class="cloze" data-cloze="{encode_attribute(content)}" '
            f'data-ordinal="{cloze.ordinal}">[{cloze.hint or "..."}]</span>'
        ), True
    return f'<span class="cloze" data-ordinal="{cloze.ordinal}">{content}</span>', True


def _image_occlusion(shape: str, ordinal: int, active: bool, question: bool) -> str:
    if (question and active) or ordinal == 0:
        kind = "cloze"
    elif not active:
        kind = "cloze-inactive"
    else:
        kind = "cloze-highlight"
    return f'<div class="{kind}" data-ordinal="{ordinal}" {occlusion_data(shape)}></div>'


_NON_ZERO = {"width", "height", "rx", "ry"}
_ATTRIBUTE = {
    "left": "left",
    "top": "top",
    "width": "width",
    "height": "height",
    "rx": "rx",
    "ry": "ry",
    "oi": "occludeInactive",
}


def occlusion_data(text: str) -> str:
    """`rect:left=.1:top=.2:...` as the data attributes Anki's reviewer reads. Only the keys
    factdeck writes (rect and ellipse geometry, `oi`) are carried; others are dropped."""
    kind, *parts = text.split(":")
    if not parts:
        return ""
    out = [f'data-shape="{kind}" '] if kind in {"rect", "ellipse", "polygon", "text"} else []
    for part in parts:
        key, equals, value = part.partition("=")
        if not equals or key not in _ATTRIBUTE or not value:
            continue
        if key in _NON_ZERO and value == "0":
            continue
        out.append(f'data-{_ATTRIBUTE[key]}="{value}" ')
    return "".join(out)
