"""Anki's cloze grammar (rslib/src/cloze.rs, 26.9): the one reader of cloze text in factdeck.

Anki tokenises `{{cN::` openings (N a comma list of u16 numbers since 26.05) and `}}`
closings, so clozes nest; the first `::` in a cloze's text starts its hint (the last such
text wins), except in an `image-occlusion:` cloze. Openings nested deeper than ten are
ignored; a `}}` outside any cloze is text; a cloze never closed is dropped with its text.
On the front the active cloze becomes `[...]` (or `[hint]`), on the back its text; the
other clozes show their text in a `cloze-inactive` span. An `image-occlusion:` cloze is
an empty div whose data attributes Anki's reviewer script draws as a mask. A card whose
number is missing renders empty. Every stage (validation, expansion, the lock's answer
digest, lint, release notes, text safety, preview) reads clozes through this module;
tests/engine/test_cloze_grammar_anki.py holds it to the engine on generated text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

_MARKER = re.compile(r"\{\{c([0-9,]*)::|\}\}")  # Rust's is_ascii_digit: ASCII digits only
MAX_ORDINAL = 65535  # Anki parses numbers as u16; a bigger one is dropped from the list
MAX_DEPTH = 10  # Anki ignores cloze openings nested deeper than this
IMAGE_OCCLUSION = "image-occlusion:"
_MINIMAL_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


@dataclass(frozen=True, slots=True)
class Cloze:
    """One deletion as Anki reads it: its numbers (sorted, distinct), its content, its hint,
    and where it stands in the text (`start` at `{{c`, `end` after its `}}`)."""

    ordinals: tuple[int, ...]
    nodes: tuple[str | Cloze, ...]
    hint: str | None
    start: int
    end: int
    depth: int = 0  # 0 for a cloze at top level
    hints: int = 0  # pieces of its own text that carried a `::` (Anki keeps the last)
    hint_last: bool = True  # the hint came in its last piece, after every nested cloze

    @property
    def text(self) -> str:
        """The hidden words with nested clozes' words in place (Anki's `clozed_text`)."""
        return "".join(n if isinstance(n, str) else n.text for n in self.nodes)

    @property
    def image_occlusion(self) -> str | None:
        """The shape after `image-occlusion:`, for a mask cloze."""
        first = self.nodes[0] if self.nodes else None
        if isinstance(first, str) and first.startswith(IMAGE_OCCLUSION):
            return first.removeprefix(IMAGE_OCCLUSION)
        return None


Node = str | Cloze


@dataclass(frozen=True, slots=True)
class Marker:
    """A token of the grammar: an opening (`ordinals` set) or a closing `}}`, or an opening
    Anki does not read as one (`ordinals` empty, `opening` true: e.g. `{{c0x::`)."""

    start: int
    end: int
    opening: bool
    ordinals: tuple[int, ...] = ()


def markers(text: str) -> Iterator[Marker]:
    """Every `{{c…::` and `}}` in `text`, in order, as Anki's tokenizer meets them."""
    for match in _MARKER.finditer(text):
        if match.group(1) is None:
            yield Marker(match.start(), match.end(), opening=False)
        else:
            yield Marker(match.start(), match.end(), opening=True, ordinals=numbers(match[1]))


def renumber(text: str, new: Mapping[int, int]) -> str:
    """`text` with each cloze opening's numbers mapped through `new` (others kept)."""
    if not new:
        return text

    def opening(match: re.Match[str]) -> str:
        found = numbers(match[1]) if match[1] is not None else ()
        if not found:
            return match[0]
        return "{{c" + ",".join(str(new.get(n, n)) for n in found) + "::"

    return _MARKER.sub(opening, text)


def numbers(digits: str) -> tuple[int, ...]:
    """The numbers of an opening's `1,2` list as Anki keeps them: u16, distinct, sorted."""
    return tuple(sorted({int(s) for s in digits.split(",") if s and int(s) <= MAX_ORDINAL}))


@dataclass(slots=True)
class _Open:
    """A cloze being read (mutable only inside `parse`)."""

    ordinals: tuple[int, ...]
    start: int
    nodes: list[Node] = field(default_factory=list)
    hint: str | None = None
    hints: int = 0
    hint_at: int = -1


@functools.lru_cache(maxsize=4096, typed=True)  # typed: a Markup's pieces stay Markup
def parse(text: str) -> tuple[Node, ...]:
    """`text` as Anki's `parse_text_with_clozes` reads it: top-level text and clozes.

    Remembered for the last few thousand texts: a cloze card's sides, its hidden words and
    lint's rules each read its note's text (ten parses per cloze note in a cold build)."""
    output: list[Node] = []
    open_clozes: list[_Open] = []
    position = 0
    for marker in markers(text):
        if marker.opening and not marker.ordinals:
            continue  # not an opening: stays part of the surrounding text
        _add_text(text[position : marker.start], open_clozes, output)
        position = marker.end
        if marker.opening:
            if len(open_clozes) < MAX_DEPTH:
                open_clozes.append(_Open(marker.ordinals, marker.start))
        elif open_clozes:
            read = open_clozes.pop()
            closed = Cloze(
                read.ordinals,
                tuple(read.nodes),
                read.hint,
                read.start,
                marker.end,
                len(open_clozes),
                read.hints,
                read.hint_at in (-1, len(read.nodes) - 1),
            )
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            output.append("}}")
    _add_text(text[position:], open_clozes, output)
    return tuple(output)  # like Anki, clozes never closed are dropped


def _add_text(text: str, open_clozes: list[_Open], output: list[Node]) -> None:
    if not text:
        return
    if not open_clozes:
        output.append(text)
        return
    cloze = open_clozes[-1]
    if not text.startswith(IMAGE_OCCLUSION):
        head, separator, hint = text.partition("::")
        if separator:
            text, cloze.hint = head, hint
            cloze.hints += 1
            cloze.hint_at = len(cloze.nodes)
    cloze.nodes.append(text)


def walk(nodes: tuple[Node, ...]) -> Iterator[Cloze]:
    """Every cloze in `nodes`, nested ones included, in reading order (outer first)."""
    for node in nodes:
        if isinstance(node, Cloze):
            yield node
            yield from walk(node.nodes)


def deletions(text: str) -> tuple[Cloze, ...]:
    """Every cloze of `text`, nested ones included, in reading order."""
    return tuple(walk(parse(text)))


def ordinals(text: str) -> frozenset[int]:
    """The cloze numbers Anki makes cards for (nested clozes included, 0 never)."""
    known = _known.get(text)
    return _ordinals(text) if known is None else known


_known: dict[str, frozenset[int]] = {}


def remember(known: dict[str, frozenset[int]]) -> None:
    """What `ordinals` gives for these texts, as a build cache kept it (factdeck's
    cache/cloze_words.py: an unchanged file's clozes are not parsed again); replaces what
    was remembered before."""
    _known.clear()
    _known.update(known)


@functools.lru_cache(maxsize=1 << 17)
def _ordinals(text: str) -> frozenset[int]:
    """Remembered by text (a few numbers per note, the text is the note's own string): every
    stage asks it of every cloze note (validation, the lock, the package, verify, the
    report link, lint), and parsing each time was a sixth of a one-edit rebuild."""
    return frozenset(o for c in deletions(text) for o in c.ordinals if o != 0)


def hidden(text: str, ordinal: int) -> tuple[str, ...]:
    """The words card `ordinal` hides, one entry per active cloze (Anki's typing answer
    list before it is joined)."""
    return tuple(c.text for c in deletions(text) if ordinal in c.ordinals)


def for_typing(text: str, ordinal: int) -> str:
    """Anki's `extract_cloze_for_typing`: the answer a type-in card compares with."""
    found = hidden(text, ordinal)
    if not found:
        return ""
    return found[0] if len(set(found)) == 1 else ", ".join(found)


def replace(text: str, shown: Callable[[Cloze], str]) -> str:
    """`text` with each top-level cloze replaced by `shown(cloze)` (dropped clozes stay
    dropped, stray `}}` stay), for plain-text views such as release notes."""
    return "".join(n if isinstance(n, str) else shown(n) for n in parse(text))


def visible(text: str, ordinal: int) -> str:
    """What card `ordinal` leaves in view on its front, hint brackets left out: the text
    with the active clozes removed (a space each) and the others' words in place."""

    def shown(nodes: tuple[Node, ...]) -> str:
        return "".join(
            n if isinstance(n, str) else (" " if ordinal in n.ordinals else shown(n.nodes))
            for n in nodes
        )

    return shown(parse(text))


def reveal(text: str, ordinal: int, question: bool) -> str:
    """The field as card `ordinal` (from 1) shows it: front if `question`, else back
    (Anki's `reveal_cloze_text`, byte for byte)."""
    found = [False]
    out = []
    for node in parse(text):
        out.append(node if isinstance(node, str) else _render(node, ordinal, question, found))
    return "".join(out) if found[0] else ""


def reveal_only(text: str, ordinal: int, question: bool) -> str:
    """Anki's `{{cloze-only:Field}}`: the active clozes' hints (front) or words (back)."""
    return ", ".join(
        ("..." if c.hint is None else c.hint) if question else c.text
        for c in deletions(text)
        if ordinal in c.ordinals
    )


def encode_attribute(value: str) -> str:
    """Anki's attribute escaping (Rust htmlescape): ASCII letters and digits stay, other
    characters below U+0100 become `&#xHH;`, the five HTML specials their entities."""
    return value.translate(_ATTRIBUTE_ESCAPES)


# encode_attribute's table, one entry per character it replaces (a preview escapes every
# cloze card's hidden words, so a loop over characters was a sixth of rendering the cards)
_ATTRIBUTE_ESCAPES = {
    code: _MINIMAL_ENTITIES.get(chr(code), f"&#x{code:02X};")
    for code in range(256)
    if chr(code) in _MINIMAL_ENTITIES or not (chr(code).isascii() and chr(code).isalnum())
}


def _numbers_shown(ordinals: tuple[int, ...]) -> str:
    return ",".join(str(o) for o in ordinals)


def _render(cloze: Cloze, ordinal: int, question: bool, found: list[bool]) -> str:
    active = ordinal in cloze.ordinals
    found[0] = found[0] or active
    shape = cloze.image_occlusion
    numbers = _numbers_shown(cloze.ordinals)
    if shape is not None:
        return _image_occlusion(shape, cloze.ordinals, active, question)
    content = "".join(
        n if isinstance(n, str) else _render(n, ordinal, question, found) for n in cloze.nodes
    )
    if not active:
        return f'<span class="cloze-inactive" data-ordinal="{numbers}">{content}</span>'
    if question:
        return (
            f'<span class="cloze" data-cloze="{encode_attribute(content)}" '
            f'data-ordinal="{numbers}">[{"..." if cloze.hint is None else cloze.hint}]</span>'
        )
    return f'<span class="cloze" data-ordinal="{numbers}">{content}</span>'


def _image_occlusion(shape: str, numbers: tuple[int, ...], active: bool, question: bool) -> str:
    if (question and active) or 0 in numbers:
        kind = "cloze"
    elif not active:
        kind = "cloze-inactive"
    else:
        kind = "cloze-highlight"
    shown = _numbers_shown(numbers)
    return f'<div class="{kind}" data-ordinal="{shown}" {occlusion_data(shape)}></div>'


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
