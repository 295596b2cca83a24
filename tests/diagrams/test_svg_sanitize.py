"""Catalogue of hostile SVGs (issue 11, item 5): active content, outside references and
stylesheets refused with the element named; invalid viewBoxes refused; deep nesting bounded;
many ids handled (their speed is measured in bench/svg_ids.py, not asserted here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.diagrams.measure import parse_drawing
from factdeck.diagrams.safety import MAX_DEPTH
from factdeck.errors import Location
from tests.support.decks import write_tree
from tests.support.hostile import DIAGRAM_FACTS, build_ok, refused, svg

WHERE = "Error: cards/mini/diagrams.yaml:2: diagram image 'figure.svg'"
OWN_IDS = "a diagram may only refer to its own ids"


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def built(runner: CliRunner, mini_deck: Path) -> Path:
    """A deck with a clean diagram, built: dist/ and the lock hold a good release."""
    write_tree(mini_deck, {"figs/figure.svg": svg(""), "diagrams.yaml": DIAGRAM_FACTS})
    build_ok(runner)
    return mini_deck


def redrawn(runner: CliRunner, project: Path, deck: Path, drawing: str) -> str:
    (deck / "figs" / "figure.svg").write_text(drawing, encoding="utf-8")
    return refused(runner, project, deck)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<script>alert(1)</script>",
            "at line 3 has a <script> element, which can run code or show web content; remove it "
            "(a diagram must be a plain drawing)",
        ),
        (
            '<foreignObject id="web" width="10" height="10"><p>hi</p></foreignObject>',
            'at line 3 has a <foreignObject id="web"> element, which can run code or show web '
            "content; remove it (a diagram must be a plain drawing)",
        ),
        (
            '<iframe src="https://example.org"/>',
            "at line 3 has an <iframe> element, which can run code or show web content; remove it "
            "(a diagram must be a plain drawing)",
        ),
    ],
)
def test_active_elements(
    runner: CliRunner, project: Path, built: Path, body: str, message: str
) -> None:
    assert redrawn(runner, project, built, svg(body)) == f"{WHERE} {message}\n"


def test_event_attribute(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg('<rect id="r" width="5" height="5"\n  onclick="steal()"/>')
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} at line 4 has an event attribute 'onclick' on <rect id=\"r\">, which runs "
        "code; remove it\n"
    )


def test_event_attribute_on_the_root(runner: CliRunner, project: Path, built: Path) -> None:
    assert redrawn(runner, project, built, svg("", attributes=' onload="go()"')) == (
        f"{WHERE} at line 1 has an event attribute 'onload' on <svg>, which runs code; remove it\n"
    )


@pytest.mark.parametrize(
    ("body", "target", "line"),
    [
        (
            '<image href="https://example.org/x.png" width="5" height="5"/>',
            "https://example.org/x.png",
            3,
        ),
        ('<use xlink:href="file:///etc/passwd#x"/>', "file:///etc/passwd#x", 3),
        ('<a href="javascript:go()"><rect width="5" height="5"/></a>', "javascript:go()", 3),
    ],
)
def test_outside_references(
    runner: CliRunner, project: Path, built: Path, body: str, target: str, line: int
) -> None:
    element = body[1 : body.index(" ")]
    assert redrawn(runner, project, built, svg(body)) == (
        f"{WHERE} at line {line} has <{element}> linking to '{target}'; {OWN_IDS} "
        '(href="#id"): draw or embed the content in the file instead\n'
    )


def test_url_to_outside_in_an_attribute(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg('<rect width="5" height="5" fill="url(https://example.org/p.svg#g)"/>')
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} at line 3 refers to 'https://example.org/p.svg#g' (url(...) in 'fill' of "
        f"<rect>); {OWN_IDS} (url(#id))\n"
    )


def test_own_references_are_fine(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg(
        '<defs><linearGradient id="g"/></defs>'
        '<rect width="5" height="5" fill="url(#g)" style="stroke: url(\'#g\')"/>'
        '<use href="#label-a"/>'
    )
    (built / "figs" / "figure.svg").write_text(drawing, encoding="utf-8")
    build_ok(runner)


def test_external_stylesheet_import(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg('<style>\n@import url("https://example.org/s.css");\n</style>')
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} at line 4 imports a stylesheet (@import in <style>); put the styles in the "
        "file itself (1 more problem like it in the file)\n"
    )


def test_stylesheet_processing_instruction(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = '<?xml-stylesheet href="https://example.org/s.css"?>\n' + svg("")
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} at line 1 links an external stylesheet (<?xml-stylesheet ...?>); remove "
        "it and style the drawing inline\n"
    )


def test_animation_that_rewrites_a_link(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg('<a href="#label-a"><set attributeName="href" to="javascript:go()"/></a>')
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} has a <set> element that changes 'href'; remove it\n"
    )


@pytest.mark.parametrize(
    "view_box", ["0 0 NaN 600", "0 0 200", "0 0 -200 100", "0 0 200 0", "0 0 inf 100", "a b c d"]
)
def test_invalid_view_box(runner: CliRunner, project: Path, built: Path, view_box: str) -> None:
    assert redrawn(runner, project, built, svg("", view_box=view_box)) == (
        f'{WHERE} has an invalid viewBox "{view_box}": it needs four numbers "MIN-X MIN-Y '
        'WIDTH HEIGHT" with a positive width and height, e.g. viewBox="0 0 800 600"\n'
    )


def test_twenty_thousand_nested_groups(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg("<g>" * 20_000 + "</g>" * 20_000)
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} nests elements more than {MAX_DEPTH} deep; flatten its groups\n"
    )


def test_thousands_of_ids_are_all_found() -> None:
    body = "".join(f'<rect id="r{i}" x="1" y="1" width="5" height="5"/>' for i in range(5_000))
    data = svg(body + '<rect id="r7" width="1" height="1"/>').encode()
    drawing = parse_drawing(data, Path("many.svg"), Location(Path("f.yaml")))
    assert len(drawing.elements) == 5_001  # label-a and r0..r4999 (r7, drawn twice, is one id)
    assert drawing.duplicate_ids == frozenset({"r7"})


LOADS = (
    "which can load or run something outside the file; remove it (fill and stroke take "
    "url(#id) of the file's own gradients and patterns)"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (  # a CSS escape spells url( (the catalogue's case)
            "<style>rect { fill: \\75 rl(https://example.org/p.svg#g) }</style>",
            f"refers to 'https://example.org/p.svg#g' (url(...) in <style>); {OWN_IDS} (url(#id))",
        ),
        (
            '<rect width="5" height="5" style="fill: u\\72l(&quot;//example.org/x&quot;)"/>',
            f"refers to '//example.org/x' (url(...) in 'style' of <rect>); {OWN_IDS} (url(#id))",
        ),
        (
            "<style>rect { fill: URL(https://example.org/a</style>",  # left open
            f"refers to 'https://example.org/a' (url(...) in <style>); {OWN_IDS} (url(#id))",
        ),
        (
            "<style>rect { fill: ur/**/l(https://example.org/c) }</style>",
            f"refers to 'https://example.org/c' (url(...) in <style>); {OWN_IDS} (url(#id))",
        ),
        (
            "<style>@\\69mport 'https://example.org/s.css';</style>",
            "imports a stylesheet (@import in <style>); put the styles in the file itself",
        ),
        (
            "<style>@font-face { font-family: x }</style>",
            "loads a font (@font-face in <style>); use the reader's fonts",
        ),
        (
            "<style>rect { fill: image-set('https://example.org/i.png' 1x) }</style>",
            f"uses image-set in <style>, {LOADS}",
        ),
        (
            '<rect width="5" height="5" style="-moz-binding: x"/>',
            f"uses -moz-binding in 'style' of <rect>, {LOADS}",
        ),
    ],
)
def test_css_in_any_spelling(
    runner: CliRunner, project: Path, built: Path, body: str, message: str
) -> None:
    found = redrawn(runner, project, built, svg(body))
    assert found.startswith(f"{WHERE} "), found
    assert found.split("'figure.svg' ", 1)[1].removeprefix("at line 3 ") in (
        f"{message}\n",
        f"{message} (1 more problem like it in the file)\n",
    ), found


@pytest.mark.parametrize(
    "animation",
    [
        '<animate attributeName="xlink:href" values="javascript:go()"/>',  # the catalogue's
        '<set attributeName=" HREF " to="javascript:go()"/>',
        '<animate attributeName="onbegin" to="go()"/>',
        '<animateColor attributeName="onclick" to="go()"/>',
    ],
)
def test_an_animation_of_a_link_or_handler_in_any_spelling(
    runner: CliRunner, project: Path, built: Path, animation: str
) -> None:
    drawing = svg(f'<a href="#label-a">{animation}</a>')
    element = animation[1 : animation.index(" ")]
    target = "href" if "href" in animation.lower() else animation.split('"')[1].lower()
    assert redrawn(runner, project, built, drawing) == (
        f"{WHERE} has a <{element}> element that changes '{target}'; remove it\n"
    )


def test_plain_styles_and_labels_are_fine(runner: CliRunner, project: Path, built: Path) -> None:
    drawing = svg(
        "<style>/* labels */ text { font: 12px sans-serif; fill: url(#g) } "
        "rect { stroke: \\23 333 }</style>"
        '<defs><linearGradient id="g"/></defs>'
        '<text aria-label="an image (left) behavior: calm">image(1)</text>'
        '<animate attributeName="opacity" values="0;1" dur="1s"/>'
    )
    (built / "figs" / "figure.svg").write_text(drawing, encoding="utf-8")
    build_ok(runner)
