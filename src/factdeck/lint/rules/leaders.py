"""Leader lines, checked from the SVG's geometry (diagrams/measure.py: the build's own parse).

A leader is a straight line inside an element whose id is `leaders` or starts with
`leader`. Its start touches a label's box (`label-X`); it points at the element `X`.
- leader-off-target: it ends farther than END_PX (at the phone's card width) from X's
  drawn shape: the student is shown the wrong structure.
- leaders-cross: two leaders cross, or one runs within PASS_PX of another's end (its dot):
  which label points where can no longer be read.
A label whose structure has no id of its own (`X` missing) is not checked for its end.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

from factdeck.diagrams.measure import Drawing, Outline

RULES = {
    "leader-off-target": "a diagram leader line that ends away from the structure its label names",
    "leaders-cross": "diagram leader lines that cross, or run through another leader's end",
}

CARD_WIDTH = 380  # CSS px: the width a phone gives a card's image (as diagrams.py)
END_PX = 3.0  # a leader's end (its dot) may sit this far off the structure's edge
PASS_PX = 3.0  # a leader passing this close to another's end seems to end there too
TOUCH_PX = 3.0  # a leader starts at a label when it ends this close to the label's box

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Leader:
    label: str  # the label group's id
    start: Point  # at the label
    end: Point  # at the structure


def check(drawing: Drawing) -> Iterator[tuple[str, str]]:
    """(rule, message) for every leader problem of the drawing."""
    px = CARD_WIDTH / drawing.width  # drawing units -> phone px
    leaders = sorted(find_leaders(drawing, TOUCH_PX / px), key=lambda a: (a.label, a.start))
    for leader in leaders:
        target = leader.label.removeprefix("label-")
        shapes = drawing.outlines(target) if target in drawing.elements else ()
        if not shapes:
            continue
        off = min(distance_to(leader.end, shape) for shape in shapes) * px
        if off > END_PX:
            yield (
                "leader-off-target",
                f"the leader of '{leader.label}' ends {off:.0f} px (at a {CARD_WIDTH} px card) "
                f"from '{target}', the structure it names; end it on '{target}'",
            )
    for i, a in enumerate(leaders):
        for b in leaders[i + 1 :]:
            if crosses(a.start, a.end, b.start, b.end):
                yield (
                    "leaders-cross",
                    f"the leaders of '{a.label}' and '{b.label}' cross; reorder the labels "
                    "so that each leader runs clear of the others",
                )
                continue
            for this, other in ((a, b), (b, a)):
                if _segment_distance(other.end, this.start, this.end) * px < PASS_PX:
                    yield (
                        "leaders-cross",
                        f"the leader of '{this.label}' runs through the end of the leader of "
                        f"'{other.label}', so it seems to point there too; route it clear",
                    )


def find_leaders(drawing: Drawing, touch: float) -> Iterator[Leader]:
    """Each straight leader line of the drawing, with the label whose box it starts at."""
    boxes = {
        i: box
        for i in drawing.elements
        if i.startswith("label-") and (box := _bounds(drawing.outlines(i))) is not None
    }
    if not boxes:
        return
    groups = [i for i in drawing.elements if i == "leaders" or i.startswith("leader")]
    lines = {
        (shape.points[0], shape.points[-1])
        for group in groups
        for shape in drawing.outlines(group)
        if len(shape.points) == 2 and not shape.closed
    }
    for p, q in sorted(lines):
        ends = [
            (_box_distance(point, box), label, point, other)
            for label, box in boxes.items()
            for point, other in ((p, q), (q, p))
        ]
        gap, label, start, end = min(ends)
        if gap <= touch:
            yield Leader(label, start, end)


def distance_to(point: Point, shape: Outline) -> float:
    """From a point to a drawn shape: 0 inside a filled one, else to its outline, less half
    its stroke (a stroke is drawn around the outline)."""
    if shape.filled and shape.closed and _inside(point, shape.points):
        return 0.0
    ring = shape.points + ((shape.points[0],) if shape.closed else ())
    edge = min(_segment_distance(point, a, b) for a, b in itertools.pairwise(ring))
    return max(0.0, edge - shape.stroke / 2)


def crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Do segments ab and cd cross (each passes strictly between the other's ends)?"""

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def _inside(p: Point, ring: tuple[Point, ...]) -> bool:
    """Even-odd rule, as a ray to the right crosses the outline."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > p[1]) != (y2 > p[1]) and p[0] < x1 + (p[1] - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _bounds(shapes: tuple[Outline, ...]) -> tuple[float, float, float, float] | None:
    """A label's box (left, top, right, bottom) from its outlines: cheaper than
    svgelements' exact bounding box, and as good for telling which label a leader leaves."""
    points = [p for shape in shapes for p in shape.points]
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _box_distance(p: Point, box: tuple[float, float, float, float]) -> float:
    """From a point to a label's box, in the drawing's units."""
    left, top, right, bottom = box
    dx = max(left - p[0], 0.0, p[0] - right)
    dy = max(top - p[1], 0.0, p[1] - bottom)
    return math.hypot(dx, dy)
