"""Diagram facts -> image-occlusion masks, and what the diagram templates render from them.

The author names SVG element ids; this module measures them (through diagrams/measure.py),
numbers the groups and writes the occlusion text Anki's native image occlusion reads.
The portable note type draws the same masks with plain HTML (templates/partials).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from markupsafe import Markup

from factdeck.anki import media_names
from factdeck.diagrams.measure import Box, Drawing, inside_image, read_drawing
from factdeck.errors import FactdeckError, Location, Problem, did_you_mean
from factdeck.facts.model import Deck, Diagram, Entry, Media
from factdeck.fs import read
from factdeck.render.expand import Extension

Mode = Literal["hide-all", "hide-one"]


@dataclass(frozen=True, slots=True)
class MaskShape:
    """One hidden element: where it is, and the words it shows (a label's text)."""

    id: str
    box: Box
    words: str

    @property
    def css(self) -> str:
        """Its place over the image as CSS percentages, for the portable note type."""
        box = self.box
        return (
            f"left:{percent(box.left)};top:{percent(box.top)};"
            f"width:{percent(box.width)};height:{percent(box.height)}"
        )


@dataclass(frozen=True, slots=True)
class Mask:
    """One occlusion group: hidden and asked together, one card."""

    key: str  # the group's first element id: part of the portable note's GUID
    number: int  # its position, from 1: the cloze number in the native note
    shapes: tuple[MaskShape, ...]

    @property
    def answer(self) -> str:
        """The hidden words, for the portable card's answer line."""
        return " / ".join(shape.words or shape.id for shape in self.shapes)


@dataclass(frozen=True, slots=True)
class Occlusion:
    """A diagram fact, measured: its media file and its masks."""

    media: Media
    mode: Mode
    masks: tuple[Mask, ...]


def provider(entry: Entry, deck: Deck) -> Extension:
    """The expand stage's hook for diagram facts: measure the SVG, add masks and media."""
    fact, where = entry.fact, entry.location
    assert isinstance(fact, Diagram)
    path = image_path(fact, deck.deck_dir, where)
    drawing = read_drawing(path, where)
    inside = path.relative_to(deck.deck_dir.resolve())
    occlusion = Occlusion(
        media=Media(path, media_name(deck.spec.slug, inside, drawing)),
        mode=fact.mode,
        masks=measure_masks(fact, drawing, path.name, where),
    )
    return Extension(context=template_context(occlusion), media=(occlusion.media,))


def template_context(occlusion: Occlusion) -> dict[str, object]:
    """What templates/kinds/diagram.yaml and the io-* partials can use."""
    return {
        "image_name": occlusion.media.name,
        "masks": occlusion.masks,
        "hide_all": occlusion.mode == "hide-all",
        "occlusion": native_occlusion(occlusion.masks, occlusion.mode),
    }


def image_path(fact: Diagram, deck_dir: Path, where: Location) -> Path:
    """The fact's image, which must be an SVG inside the deck folder (relative to it, or an
    absolute path that leads into it), reached without a symbolic link: the package and the
    preview copy its bytes, and a link (committed, or planted by a merge) could ship any file."""
    label = f"fact '{fact.id}': image '{fact.image}'"
    link = read.link_below(deck_dir, deck_dir / fact.image)
    if link is not None:
        to = f"a symbolic link (to {os.readlink(link)}); {read.NO_LINKS}"
        if link == Path(os.path.abspath(deck_dir / fact.image)):
            raise FactdeckError.at(where, f"{label} is {to}")
        folder = link.relative_to(os.path.abspath(deck_dir)).as_posix()
        raise FactdeckError.at(where, f"{label} lies in '{folder}', {to}")
    path = (deck_dir / fact.image).resolve()
    if not path.is_relative_to(deck_dir.resolve()):
        raise FactdeckError.at(
            where,
            f"{label} is outside the deck folder; keep diagrams inside it (e.g. diagrams/name.svg)",
        )
    if path.suffix.lower() != ".svg":
        raise FactdeckError.at(
            where, f"{label} is not an .svg file; masks are measured from an SVG's element ids"
        )
    if not path.is_file():
        raise FactdeckError.at(
            where, f"{label} does not exist (looked for {path.name} in {path.parent})"
        )
    return path


def media_name(deck_slug: str, image: str | Path, drawing: Drawing) -> str:
    """A file name unique across a student's decks, and new whenever the drawing changes.

    Anki never overwrites a media file it already has, so a redrawn diagram under the
    same name would never reach students; a new name also changes the notes' Image
    field, so they count as updated on re-import and bring the new file with them.
    `image` is relative to the deck folder: folders become part of the name, never a path.
    """
    return media_names.media_name(
        deck_slug, Path(image).with_suffix("").parts, drawing.digest[:8], ".svg"
    )


def measure_masks(
    fact: Diagram, drawing: Drawing, file_name: str, where: Location
) -> tuple[Mask, ...]:
    """Each mask group of the fact, measured; every problem is reported at once."""
    problems: list[Problem] = []
    masks = []
    for number, group in enumerate(fact.masks, 1):
        if group is None:  # a retired mask keeps its number, so the ones after it keep theirs
            continue
        shapes = []
        for element_id in group:
            shape = _shape(drawing, element_id, file_name)
            if isinstance(shape, str):
                problems.append(Problem(where, f"fact '{fact.id}': {shape}"))
            else:
                shapes.append(shape)
        masks.append(Mask(key=group[0], number=number, shapes=tuple(shapes)))
    if problems:
        raise FactdeckError(problems)
    return tuple(masks)


def _shape(drawing: Drawing, element_id: str, file_name: str) -> MaskShape | str:
    """The measured element, or what is wrong with it."""
    element = drawing.elements.get(element_id)
    if element is None:
        return (
            f"mask '{element_id}' is not an element id in '{file_name}'"
            f"{did_you_mean(element_id, drawing.elements)}"
        )
    if element_id in drawing.duplicate_ids:
        return (
            f"mask '{element_id}' names several elements in '{file_name}'; give each "
            "element its own id"
        )
    box = element.box
    if box is None or box.width <= 0 or box.height <= 0:
        return (
            f"mask '{element_id}' has no shape to measure in '{file_name}' (text alone "
            "has no reliable size without the reader's fonts); draw a <rect> box around "
            "the label in the same <g> and name the <g>"
        )
    clipped = inside_image(box)
    if clipped is None:
        return (
            f"mask '{element_id}' reaches outside the image in '{file_name}' (it spans "
            f"{percent(box.left)}–{percent(box.right)} across and {percent(box.top)}–"
            f"{percent(box.bottom)} down); move it inside the viewBox"
        )
    return MaskShape(id=element_id, box=clipped, words=element.text)


def native_occlusion(masks: tuple[Mask, ...], mode: Mode) -> Markup:
    """The Occlusion field as Anki 23.10+ writes it: one rect cloze per shape, groups share N."""
    tail = ":oi=1" if mode == "hide-all" else ""
    return Markup("").join(
        Markup("{{c%d::image-occlusion:rect:left=%s:top=%s:width=%s:height=%s%s}}<br>")
        % (
            mask.number,
            fraction(shape.box.left),
            fraction(shape.box.top),
            fraction(shape.box.width),
            fraction(shape.box.height),
            tail,
        )
        for mask in masks
        for shape in mask.shapes
    )


def fraction(value: float) -> str:
    """Compact and deterministic, as Anki writes it: 4 decimals, no padding (.25, 0, 1)."""
    if abs(value) < 0.00005:
        return "0"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.removeprefix("0") if text.startswith("0.") else text


def percent(value: float) -> str:
    if abs(value) < 0.00005:
        return "0%"
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text or '0'}%"


def mask_labels(deck: Deck, facts: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Each diagram fact's mask labels by card number, card N's at N - 1 ("" where a
    retired mask keeps its number), of `facts` only when given: a native occlusion note
    asks them all from one note, so lint and the release notes read them from the
    drawing, not from the note's fields."""
    found = {}
    for fact, labels in numbered_labels(deck, facts).items():
        at = dict(labels)
        found[fact] = tuple(at.get(n, "") for n in range(1, max(at, default=0) + 1))
    return found


def numbered_labels(
    deck: Deck, facts: Collection[str] | None = None
) -> dict[str, tuple[tuple[int, str], ...]]:
    """As mask_labels, each with its mask's number (a retired mask leaves a gap), which the
    printed handout writes on the mask and before the label."""
    return {
        e.fact.id: tuple((m.number, m.answer) for m in provider(e, deck).context["masks"])
        for e in deck.entries
        if isinstance(e.fact, Diagram) and (facts is None or e.fact.id in facts)
    }
