"""Read an SVG safely and measure its elements as fractions of the image.

Image-occlusion masks are placed in fractions (0–1) of the image's width and height,
so an author names an element id and never types a coordinate. The XML is first
parsed with defusedxml (no DOCTYPE, no entities), which also gives ids and label
words; geometry, with every ancestor transform and the viewBox mapping, comes from
svgelements. Text has no reliable box without the reader's fonts, so only shapes
(a label's box, a nerve's path) are measured.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from svgelements import SVG, Close, Move, Shape, SVGElement
from svgelements import Path as SvgPath

from factdeck.diagrams import safety
from factdeck.errors import FactdeckError, Location
from factdeck.fs import limits
from factdeck.fs.read import NotReadable, read_bytes, xml_line_ends

MAX_SVG_BYTES = limits.SVG
SVG_NS = "{http://www.w3.org/2000/svg}"
EDGE_TOLERANCE = 0.005  # a box's stroke may poke this far out of the image; it is clipped


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in fractions (0–1) of the image's width and height."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True, slots=True)
class Element:
    """One element with an id: its measured box (None: nothing to measure) and its words."""

    id: str
    box: Box | None
    text: str


@dataclass(frozen=True, slots=True)
class Outline:
    """One drawn shape as lint sees it: its outline as points in the drawing's units (the
    same as Drawing.width and height; curves sampled), whether it is closed and filled,
    and its stroke width."""

    points: tuple[tuple[float, float], ...]
    closed: bool
    filled: bool
    stroke: float


@dataclass(frozen=True, slots=True)
class Drawing:
    """A parsed SVG reduced to what masks need: every id'd element, measured."""

    width: float
    height: float
    elements: Mapping[str, Element]
    duplicate_ids: frozenset[str]
    digest: str  # of the file's bytes: a redrawn image must reach students under a new name

    def outlines(self, element_id: str) -> tuple[Outline, ...]:
        """The shapes of an id'd element (a group: all of its shapes), for lint's geometry
        (leader lines); () for an unknown id."""
        measured = self.elements
        return measured.outlines(element_id) if isinstance(measured, _Measured) else ()


def read_drawing(path: Path, where: Location) -> Drawing:
    """Read and measure the SVG at `path`; problems are reported at `where` (the fact)."""
    try:
        data = read_bytes(path, MAX_SVG_BYTES, links=False)
    except NotReadable as exc:
        raise _error(where, path, str(exc)) from None
    return parse_drawing(data, path, where)


def parse_drawing(data: bytes, path: Path, where: Location) -> Drawing:
    """Parse (once per distinct content and name) and measure lazily: masks need few ids."""
    try:
        return _parsed(data, path)
    except (_Unreadable, safety.UnsafeSvg) as exc:
        raise _error(where, path, str(exc)) from None


class _Unreadable(Exception):
    """What is wrong with an SVG, before it is known which fact asked for it."""


@functools.lru_cache(maxsize=64)
def _parsed(data: bytes, path: Path) -> Drawing:
    root = _safe_root(data)
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise _Unreadable(
            f"is not an SVG image (its root element is <{_local(root.tag)}>, not <svg>)"
        )
    if not root.get("viewBox"):
        raise _Unreadable(
            'has no viewBox; add viewBox="0 0 WIDTH HEIGHT" to its <svg> '
            "element so masks can be placed as fractions of the image"
        )
    safety.view_box(root)
    safety.check(root, data)  # also bounds the depth svgelements recurses into
    try:
        svg = SVG.parse(io.BytesIO(data), reify=True)
    except (ValueError, IndexError, TypeError) as exc:
        raise _Unreadable(f"is not a readable SVG ({exc})") from None
    width, height = float(svg.width), float(svg.height)
    if width <= 0 or height <= 0:
        raise _Unreadable("has an empty viewBox (zero width or height)")
    ids = [(el.get("id") or "", el) for el in root.iter()]
    counts = Counter(i for i, _ in ids if i)
    texts = {i: _words(el.itertext()) for i, el in ids if i}
    nodes: dict[str, SVGElement] = {}
    for node in svg.elements():
        if node.id and node.id not in nodes and not isinstance(node, SVG):
            nodes[node.id] = node
    elements = _Measured(nodes, texts, width, height)
    duplicates = frozenset(i for i, n in counts.items() if n > 1)
    return Drawing(
        width=width,
        height=height,
        elements=elements,
        duplicate_ids=duplicates,
        digest=hashlib.sha256(xml_line_ends(data)).hexdigest(),
    )


class _Measured(Mapping[str, Element]):
    """Every id of the drawing; an element's box is measured the first time it is asked for."""

    def __init__(
        self, nodes: dict[str, SVGElement], texts: dict[str, str], width: float, height: float
    ) -> None:
        self._nodes, self._texts, self._size = nodes, texts, (width, height)
        self._done: dict[str, Element] = {}

    def __getitem__(self, element_id: str) -> Element:
        if element_id not in self._done:
            text = self._texts[element_id]  # KeyError for an unknown id, as a Mapping should
            node = self._nodes.get(element_id)
            box = _union(_shape_boxes(node)) if node is not None else None
            self._done[element_id] = Element(element_id, _to_fractions(box, *self._size), text)
        return self._done[element_id]

    def outlines(self, element_id: str) -> tuple[Outline, ...]:
        node = self._nodes.get(element_id)
        if node is None:
            return ()
        members = node.select() if hasattr(node, "select") else (node,)
        return tuple(o for m in members if isinstance(m, Shape) for o in _outlines(m))

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def _safe_root(data: bytes) -> XmlElement:
    try:
        return safe_xml.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise _Unreadable(
            "declares a DOCTYPE or entities, which factdeck refuses (they can "
            "expand without limit or read other files); remove the "
            "<!DOCTYPE ...> line"
        ) from None
    except ParseError as exc:
        raise _Unreadable(f"is not a readable SVG (XML error: {exc})") from None


def _shape_boxes(element: SVGElement) -> Iterable[tuple[float, float, float, float]]:
    members = element.select() if hasattr(element, "select") else (element,)
    for member in members:
        if isinstance(member, Shape):
            box = member.bbox(with_stroke=True)
            if box is not None:
                yield box


CURVE_POINTS = 12  # points a curved segment is sampled at: a few tenths of a px off


def _outlines(shape: Shape) -> Iterator[Outline]:
    """Each subpath of a shape, as points (transforms already applied by reify)."""
    filled = shape.fill is not None and shape.fill.value is not None
    stroked = shape.stroke is not None and shape.stroke.value is not None
    stroke = float(shape.stroke_width or 0.0) if stroked else 0.0
    points: list[tuple[float, float]] = []
    for segment in SvgPath(shape).segments():
        if isinstance(segment, Move):
            if len(points) > 1:
                yield Outline(tuple(points), False, filled, stroke)
            points = [(float(segment.end.x), float(segment.end.y))]
            continue
        if isinstance(segment, Close):
            if len(points) > 1:
                yield Outline(tuple(points), True, filled, stroke)
            points = []
            continue
        steps = 1 if type(segment).__name__ == "Line" else CURVE_POINTS
        for x, y in segment.npoint([i / steps for i in range(1, steps + 1)]):
            points.append((float(x), float(y)))  # npoint: one call per segment, not per point
    if len(points) > 1:
        yield Outline(tuple(points), filled and len(points) > 2, filled, stroke)


def _union(
    boxes: Iterable[tuple[float, float, float, float]],
) -> tuple[float, float, float, float] | None:
    found = list(boxes)
    if not found:
        return None
    return (
        min(b[0] for b in found),
        min(b[1] for b in found),
        max(b[2] for b in found),
        max(b[3] for b in found),
    )


def _to_fractions(
    box: tuple[float, float, float, float] | None, width: float, height: float
) -> Box | None:
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return Box(left=x0 / width, top=y0 / height, width=(x1 - x0) / width, height=(y1 - y0) / height)


def inside_image(box: Box) -> Box | None:
    """`box` clipped to the image when it pokes out by at most a stroke's width, else None."""
    if (
        box.left < -EDGE_TOLERANCE
        or box.top < -EDGE_TOLERANCE
        or box.right > 1 + EDGE_TOLERANCE
        or box.bottom > 1 + EDGE_TOLERANCE
    ):
        return None
    left, top = max(box.left, 0.0), max(box.top, 0.0)
    right, bottom = min(box.right, 1.0), min(box.bottom, 1.0)
    return Box(left=left, top=top, width=right - left, height=bottom - top)


def _words(parts: Iterable[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _error(where: Location, path: Path, message: str) -> FactdeckError:
    return FactdeckError.at(where, f"diagram image '{path.name}' {message}")
