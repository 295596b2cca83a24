"""Diagram lint: an image-occlusion card must be recalled, read on a phone, and never fooled by
its own drawing.

Read from each diagram fact and its SVG, as the card front shows them:
- giveaway: a hidden label's words visible elsewhere on the front (another label, a legend,
  title or caption, or the Header field above the image);
- small text: text under MIN_LABEL_PX (labels) or MIN_TEXT_PX (other text) when the image is
  shown CARD_WIDTH CSS px wide, as on a phone;
- mask colour: a fill that looks like one of Anki's masks (CIEDE2000 distance under
  MIN_MASK_DISTANCE, after the fill's opacity over the white card), so the student cannot
  tell drawing from mask.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element as XmlElement

import defusedxml.ElementTree as safe_xml
from coloraide import Color
from svgelements import Matrix

from factdeck.diagrams.measure import read_drawing
from factdeck.errors import FactdeckError, Location
from factdeck.facts.model import Deck, Diagram, Nerve
from factdeck.fs import limits, read
from factdeck.lint.cards import segments
from factdeck.lint.rules import composed, leaders
from factdeck.practice.options import normal, variants

CARD_WIDTH = 380  # CSS px: the width a phone gives a card's image
MIN_LABEL_PX = 10
MIN_TEXT_PX = 8
# Anki's image-occlusion masks (io-native/style.css, the stock note type's values).
MASK_COLOURS = {"inactive mask": "#ffeba2", "active mask": "#ff8e8e"}
# CIEDE2000 below 15 reads as "the same hue family, slightly off" at a glance (the old fat
# #f6e7a1 is 1.8 from the inactive mask, muscle #dc8f84 7.1 from the active one); plain
# white is 20.9 from the inactive yellow, so pale neutral fills stay allowed.
MIN_MASK_DISTANCE = 15.0
DEFAULT_FONT_SIZE = 16.0  # CSS "medium"
# Words that name a category, not the structure: sharing them gives nothing away.
GENERIC_WORDS = frozenset(
    {
        "nerve",
        "nerves",
        "n",
        "nn",
        "ligament",
        "muscle",
        "joint",
        "bone",
        "the",
        "of",
        "and",
        "a",
        "an",
        "to",
        "in",
        "on",
        "at",
        "here",
    }
)

RULES = {
    "diagram-giveaway": "a diagram card shows a hidden label's words elsewhere on its front",
    "diagram-composed": "a diagram card's visible text spells a hidden label (word parts, "
    "stems, a nerve's levels)",
    "diagram-small-text": f"diagram text under {MIN_LABEL_PX} px (labels) or {MIN_TEXT_PX} px "
    f"(other text) at a {CARD_WIDTH} px card width",
    "diagram-mask-colour": "a diagram fill that looks like one of Anki's occlusion masks",
    **leaders.RULES,
}

SVG_NS = "{http://www.w3.org/2000/svg}"
_WORD = re.compile(r"[a-z0-9]+")
_PARENS = re.compile(r"\([^)]*\)")


@dataclass(frozen=True, slots=True)
class DiagramFinding:
    location: Location
    fact_id: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Run:
    """One <text> element: its words, size and where it sits among the ids."""

    owner: str  # its own id, or its nearest ancestor's (what an error can point at)
    text: str
    size: float  # font size in viewBox units, transforms applied
    ids: frozenset[str]  # its own id and its ancestors' ids


@dataclass(frozen=True, slots=True)
class Fill:
    owner: str
    value: str
    opacity: float
    element: str = ""  # the filled element's tag when it has no id of its own ('' if it has)

    @property
    def shown(self) -> str:
        """Where a message points: the element's id, or its tag and its nearest ancestor's id
        ("the <ellipse> in 'svg'": an owner alone named the whole drawing)."""
        return f"the <{self.element}> in '{self.owner}'" if self.element else f"'{self.owner}'"


@dataclass(frozen=True, slots=True)
class Sheet:
    """What the lint needs from an SVG: its width, its text and its fills."""

    width: float
    runs: tuple[Run, ...]
    fills: tuple[Fill, ...]

    def words_of(self, element_id: str) -> str:
        return " ".join(r.text for r in self.runs if element_id in r.ids)


def findings(deck: Deck) -> Iterator[DiagramFinding]:
    """Every diagram fact of the deck, checked against its SVG (read once per file)."""
    sheets: dict[Path, Sheet] = {}
    lines: dict[Path, list[tuple[str, str]]] = {}  # leader problems, once per drawing
    levels = nerve_levels(deck)
    for entry in deck.entries:
        fact = entry.fact
        if not isinstance(fact, Diagram):
            continue
        path = (deck.deck_dir / fact.image).resolve()
        if path not in sheets:
            sheets[path] = read_sheet(path)
        yield from check(fact, sheets[path], path.name, entry.location, levels)
        if path not in lines:  # the build's own parse (measure caches it)
            lines[path] = list(leaders.check(read_drawing(path, entry.location)))
        for rule, message in lines[path]:
            yield DiagramFinding(entry.location, fact.id, rule, f"diagram '{path.name}': {message}")


def nerve_levels(deck: Deck) -> dict[str, frozenset[tuple[int, int]]]:
    """Each nerve's levels by every name it goes by (normalised), as spinal segments."""
    return {
        normal(variant): segments(fact.levels)
        for e in deck.entries
        if isinstance(fact := e.fact, Nerve) and fact.levels
        for name in (fact.name, *fact.aka)
        for variant in variants(name)
    }


def check(
    fact: Diagram,
    sheet: Sheet,
    file_name: str,
    where: Location,
    levels: Mapping[str, frozenset[tuple[int, int]]] | None = None,
) -> Iterator[DiagramFinding]:
    def finding(rule: str, message: str) -> DiagramFinding:
        return DiagramFinding(where, fact.id, rule, f"diagram '{file_name}': {message}")

    yield from (finding("diagram-giveaway", m) for m in giveaways(fact, sheet))
    yield from (finding("diagram-composed", m) for m in spelled(fact, sheet, levels or {}))
    yield from (finding("diagram-small-text", m) for m in small_text(fact, sheet))
    yield from (finding("diagram-mask-colour", m) for m in mask_colours(sheet))


# --- the three checks ---------------------------------------------------------------------


def giveaways(fact: Diagram, sheet: Sheet) -> Iterator[str]:
    """A hidden label's phrase or distinctive words in text that its card shows."""
    groups = [group for group in fact.masks if group]
    masked = {element_id for group in groups for element_id in group}
    said: set[tuple[str, str, str]] = set()
    for group in groups:
        hidden = masked if fact.mode == "hide-all" else set(group)
        shown = [("the header", fact.header)] + [
            (f"'{run.owner}'", run.text) for run in sheet.runs if not run.ids & hidden
        ]
        for element_id in group:
            label = sheet.words_of(element_id)
            for where, text in shown:
                clue = _shared_clue(label, text)
                if clue and (element_id, where, clue) not in said:
                    said.add((element_id, where, clue))
                    yield (
                        f"masked label '{element_id}' ('{label}') is given away by {where}, "
                        f"which shows {clue} ('{text}'); reword or remove that text (a "
                        "header names the view, not a hidden label), or mask it too"
                    )


def spelled(
    fact: Diagram, sheet: Sheet, levels: Mapping[str, frozenset[tuple[int, int]]]
) -> Iterator[str]:
    """A hidden label composed from the card's visible words, or a hidden nerve whose
    levels (the deck's) all show in visible captions."""
    groups = [group for group in fact.masks if group]
    masked = {element_id for group in groups for element_id in group}
    for group in groups:
        hidden = masked if fact.mode == "hide-all" else set(group)
        visible = [r for r in sheet.runs if not r.ids & hidden]
        shown = [("the header", fact.header)] + [(f"'{r.owner}'", r.text) for r in visible]
        for element_id in group:
            label = sheet.words_of(element_id)
            for how in composed.compositions(label, shown, GENERIC_WORDS):
                yield (
                    f"masked label '{element_id}' ('{label}') is spelled by visible text: "
                    f"{how}; reword or remove that text, or mask it too"
                )
            wanted = composed.named_levels(label, levels)
            if wanted and wanted <= composed.shown_levels(r.text for r in visible):
                captions = ", ".join(
                    dict.fromkeys(f"'{r.text}'" for r in visible if segments(r.text) & wanted)
                )
                yield (
                    f"masked label '{element_id}' ('{label}') is named by its levels: the "
                    f"deck gives it {_levels_text(wanted)}, and the card shows {captions}; "
                    "remove those captions or mask them with the label"
                )


def _levels_text(found: frozenset[tuple[int, int]]) -> str:
    regions = ("C", "T", "L", "S", "Co")
    ordered = sorted(found)
    first, last = ordered[0], ordered[-1]
    name = f"{regions[first[0]]}{first[1]}"
    return name if first == last else f"{name}–{regions[last[0]]}{last[1]}"


def small_text(fact: Diagram, sheet: Sheet) -> Iterator[str]:
    """Text smaller than a phone can show, with the font size that would do."""
    masked = {element_id for group in fact.masks if group for element_id in group}
    scale = CARD_WIDTH / sheet.width
    for run in sheet.runs:
        is_label = bool(run.ids & masked) or any(i.startswith("label-") for i in run.ids)
        need = MIN_LABEL_PX if is_label else MIN_TEXT_PX
        px = run.size * scale
        if px < need - 1e-6:
            kind = "label" if is_label else "text"
            yield (
                f"{kind} '{run.text}' in '{run.owner}' is {px:.1f} px at a {CARD_WIDTH} px "
                f"card width (font-size {run.size:g} in a {sheet.width:g}-wide viewBox); "
                f"a {kind} needs {need} px: use font-size ≥ {need / scale:.1f}, a narrower "
                "viewBox, or fewer words"
            )


def mask_colours(sheet: Sheet) -> Iterator[str]:
    for fill in sheet.fills:
        shown = seen_over_white(fill.value, fill.opacity)
        if shown is None:
            continue
        for name, mask in MASK_COLOURS.items():
            distance = shown.delta_e(mask, method="2000")
            if distance < MIN_MASK_DISTANCE:
                yield (
                    f"fill {fill.value} of {fill.shown} looks like Anki's {name} {mask} "
                    f"(CIEDE2000 {distance:.1f}, needs ≥ {MIN_MASK_DISTANCE:g}); pick a "
                    "colour further from it, so nothing in the drawing looks like a mask"
                )


# --- reading the SVG ------------------------------------------------------------------------


def read_sheet(path: Path) -> Sheet:
    """The SVG's text and fills (the build has already checked that it is a readable SVG)."""
    try:
        data = read.read_bytes(path, limits.SVG)
    except read.NotReadable as exc:  # replaced since the build read it
        raise FactdeckError.at(Location(path), f"the drawing {exc}") from None
    root = safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    width = float(root.get("viewBox", "0 0 0 0").replace(",", " ").split()[2])
    runs: list[Run] = []
    fills: list[Fill] = []
    _walk(root, _Inherited(DEFAULT_FONT_SIZE, 1.0, 1.0, frozenset(), "svg"), runs, fills)
    return Sheet(width=width, runs=tuple(runs), fills=tuple(fills))


@dataclass(frozen=True, slots=True)
class _Inherited:
    font_size: float  # in the element's own user units
    scale: float  # user units -> viewBox units
    opacity: float
    ids: frozenset[str]
    owner: str


def _walk(node: XmlElement, up: _Inherited, runs: list[Run], fills: list[Fill]) -> None:
    tag = node.tag.removeprefix(SVG_NS)
    if tag in ("defs", "clipPath", "mask", "symbol", "title", "desc", "metadata"):
        return
    style = _style(node)
    node_id = node.get("id")
    here = _Inherited(
        font_size=_font_size(style.get("font-size"), up.font_size),
        scale=up.scale * _scale(node.get("transform")),
        opacity=up.opacity * _number(style.get("opacity"), 1.0),
        ids=up.ids | {node_id} if node_id else up.ids,
        owner=node_id or up.owner,
    )
    fill = style.get("fill")
    if fill and fill != "none" and not fill.startswith("url("):
        opacity = here.opacity * _number(style.get("fill-opacity"), 1.0)
        fills.append(Fill(here.owner, fill, opacity, "" if node_id else tag))
    if tag == "text":
        text = " ".join(" ".join(node.itertext()).split())
        if text:
            runs.append(Run(here.owner, text, here.font_size * here.scale, here.ids))
        return
    for child in node:
        _walk(child, here, runs, fills)


def _style(node: XmlElement) -> Mapping[str, str]:
    """Presentation attributes, overridden by the style attribute, as CSS does."""
    found = {
        key: node.get(key, "")
        for key in ("fill", "fill-opacity", "opacity", "font-size")
        if node.get(key) is not None
    }
    for declaration in (node.get("style") or "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip() in ("fill", "fill-opacity", "opacity", "font-size"):
            found[key.strip()] = value.strip()
    return {key: value.strip() for key, value in found.items()}


def _font_size(value: str | None, inherited: float) -> float:
    if not value:
        return inherited
    match = re.fullmatch(r"([0-9.]+)\s*(px|pt|em|rem|%)?", value)
    if not match:
        return inherited
    number, unit = float(match[1]), match[2]
    factor = {
        None: 1.0,
        "px": 1.0,
        "pt": 4 / 3,
        "em": inherited,
        "rem": DEFAULT_FONT_SIZE,
        "%": inherited / 100,
    }[unit]
    return number * factor


def _scale(transform: str | None) -> float:
    """How much a transform enlarges text: the square root of its area factor."""
    if not transform:
        return 1.0
    matrix = Matrix(transform)
    return math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))


def _number(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


def seen_over_white(value: str, opacity: float) -> Color | None:
    """The colour a fill shows on the white card, or None if it is not a plain colour."""
    try:
        colour = Color(value).convert("srgb")
    except (ValueError, TypeError):
        return None
    alpha = max(0.0, min(1.0, opacity * colour.alpha()))
    return Color("srgb", [alpha * c + (1 - alpha) for c in colour.coords()])


def _shared_clue(label: str, text: str) -> str | None:
    """How `text` gives `label` away: its whole phrase, or one of its distinctive words."""
    phrase = " ".join(_WORD.findall(_PARENS.sub(" ", label.lower())))
    seen = " ".join(_WORD.findall(text.lower()))
    if phrase and f" {phrase} " in f" {seen} ":
        return f"the whole label '{phrase}'"
    shown = {_stem(w) for w in seen.split()}
    for word in _distinctive(label):
        if _stem(word) in shown:
            return f"the word '{word}'"
    return None


def _distinctive(label: str) -> Iterable[str]:
    return (w for w in _WORD.findall(label.lower()) if w not in GENERIC_WORDS)


def _stem(word: str) -> str:
    """Plural and singular alike (nerves/nerve, rami/ramus is left to the phrase)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word
