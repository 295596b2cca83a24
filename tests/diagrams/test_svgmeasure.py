"""SVG geometry: element boxes with every transform, as fractions of the image."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.diagrams.measure import Box, inside_image, parse_drawing, read_drawing
from factdeck.errors import FactdeckError, Location

WHERE = Location(Path("figs.yaml"), 7)


def svg(body: str, root: str = 'viewBox="0 0 200 100"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {root}>{body}</svg>'.encode()


def box_of(data: bytes, element_id: str) -> tuple[float, ...]:
    box = parse_drawing(data, Path("fig.svg"), WHERE).elements[element_id].box
    assert box is not None
    return tuple(round(v, 6) for v in (box.left, box.top, box.width, box.height))


def error_of(data: bytes) -> str:
    with pytest.raises(FactdeckError) as caught:
        parse_drawing(data, Path("fig.svg"), WHERE)
    return str(caught.value)


def test_plain_rect_is_measured_in_fractions_of_the_viewbox() -> None:
    assert box_of(svg('<rect id="r" x="20" y="10" width="40" height="30"/>'), "r") == (
        0.1,
        0.1,
        0.2,
        0.3,
    )


def test_translate_moves_the_box() -> None:
    data = svg('<g transform="translate(100,50)"><rect id="r" width="20" height="10"/></g>')
    assert box_of(data, "r") == (0.5, 0.5, 0.1, 0.1)


def test_scale_and_nested_groups_compose() -> None:
    data = svg(
        '<g transform="translate(10,20)"><g transform="scale(2)">'
        '<g id="label-a"><rect x="5" y="5" width="10" height="5"/></g></g></g>'
    )
    # x: 10 + 2*5 = 20 .. 20 + 2*10 = 40; y: 20 + 2*5 = 30 .. 30 + 2*5 = 40
    assert box_of(data, "label-a") == (0.1, 0.3, 0.1, 0.1)


def test_path_box_covers_its_points_and_curves() -> None:
    data = svg(
        '<path id="p" d="M 20 10 L 60 10 L 60 50 Z"/><path id="c" d="M 100 50 Q 150 0 200 50"/>'
    )
    assert box_of(data, "p") == (0.1, 0.1, 0.2, 0.4)
    # the quadratic's apex is at y = 25 (halfway to its control point), not at 0
    assert box_of(data, "c") == (0.5, 0.25, 0.5, 0.25)


def test_viewbox_offset_and_scaling_to_width_and_height() -> None:
    data = svg(
        '<rect id="r" x="150" y="75" width="20" height="10"/>',
        root='viewBox="100 50 200 100" width="400" height="200"',
    )
    assert box_of(data, "r") == (0.25, 0.25, 0.1, 0.1)


def test_stroke_widens_the_box_by_half_its_width() -> None:
    data = svg(
        '<rect id="r" x="20" y="10" width="40" height="30" stroke="black" stroke-width="4"/>'
    )
    assert box_of(data, "r") == (0.09, 0.08, 0.22, 0.34)


def test_a_label_is_measured_by_its_box_and_keeps_its_words() -> None:
    data = svg(
        '<g id="label-a"><rect x="20" y="10" width="40" height="20"/>'
        '<text x="500" y="500">posterior femoral</text><text x="22" y="28">cutaneous'
        "  nerve</text></g>"
    )
    element = parse_drawing(data, Path("fig.svg"), WHERE).elements["label-a"]
    assert element.box == Box(0.1, 0.1, 0.2, 0.2)
    assert element.text == "posterior femoral cutaneous nerve"


def test_text_alone_has_no_box() -> None:
    data = svg('<g id="only-text"><text x="10" y="10">L1</text></g><text id="t">S1</text>')
    drawing = parse_drawing(data, Path("fig.svg"), WHERE)
    assert drawing.elements["only-text"].box is None
    assert drawing.elements["t"].box is None


def test_duplicate_ids_in_the_svg_are_recorded() -> None:
    data = svg(
        '<rect id="a" width="1" height="1"/><rect id="a" width="2" height="2"/>'
        '<rect id="b" width="1" height="1"/>'
    )
    assert parse_drawing(data, Path("fig.svg"), WHERE).duplicate_ids == frozenset({"a"})


def test_inside_image_clips_a_stroke_and_refuses_a_box_outside() -> None:
    assert inside_image(Box(-0.002, 0.5, 0.1, 0.501)) == Box(0.0, 0.5, 0.098, 0.5)
    assert inside_image(Box(0.95, 0.1, 0.1, 0.1)) is None
    assert inside_image(Box(0.1, -0.2, 0.1, 0.1)) is None


def test_doctype_and_entities_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&a;</text></svg>'
    )
    assert error_of(data) == (
        "figs.yaml:7: diagram image 'fig.svg' declares a DOCTYPE or entities, which factdeck "
        "refuses (they can expand without limit or read other files); remove the "
        "<!DOCTYPE ...> line"
    )


def test_not_xml() -> None:
    assert error_of(b"GIF89a not an svg") == (
        "figs.yaml:7: diagram image 'fig.svg' is not a readable SVG (XML error: syntax error: "
        "line 1, column 0)"
    )


def test_not_an_svg_root() -> None:
    assert error_of(b"<html><body/></html>") == (
        "figs.yaml:7: diagram image 'fig.svg' is not an SVG image (its root element is <html>, "
        "not <svg>)"
    )


def test_no_viewbox() -> None:
    assert error_of(svg('<rect id="r" width="1" height="1"/>', root='width="10" height="10"')) == (
        "figs.yaml:7: diagram image 'fig.svg' has no viewBox; add viewBox=\"0 0 WIDTH HEIGHT\" "
        "to its <svg> element so masks can be placed as fractions of the image"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FactdeckError) as caught:
        read_drawing(tmp_path / "gone.svg", WHERE)
    assert str(caught.value) == "figs.yaml:7: diagram image 'gone.svg' does not exist"
