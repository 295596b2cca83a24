"""Diagram facts -> measured masks -> native and portable image-occlusion notes."""

from __future__ import annotations

import hashlib
import re
import textwrap
from pathlib import Path

import pytest

from factdeck.anki import ids
from factdeck.diagrams.measure import parse_drawing
from factdeck.diagrams.occlusion import fraction, media_name, percent
from factdeck.errors import FactdeckError, Location
from factdeck.pipeline import expanded
from tests.support.decks import write_tree

FIGURE = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">
      <rect id="background" width="200" height="100" fill="#fff"/>
      <path id="nerve" d="M 60 50 L 140 50" stroke="#e0a800" stroke-width="4"/>
      <g id="label-a"><rect x="10" y="10" width="40" height="20"/><text>alpha</text></g>
      <g transform="translate(100,0)">
        <g id="label-b"><rect x="50" y="10" width="40" height="20"/><text>beta</text></g>
        <g transform="scale(2)" id="scaled">
          <g id="label-c"><rect x="25" y="30" width="20" height="10"/><text>gamma</text></g>
        </g>
      </g>
      <text id="title" x="100" y="95">A figure</text>
      <g id="label-out"><rect x="190" y="10" width="40" height="20"/></g>
    </svg>
"""

DIAGRAMS = """
    defaults:
      kind: diagram
      source: body
    facts:
      - id: fig
        image: figs/figure.svg
        header: "Figure 1: a test"
        masks: [label-a, [label-b, label-c]]
        tags: [mini::diagrams]
"""

FIGURE_BYTES = textwrap.dedent(FIGURE).lstrip("\n").encode()
MEDIA = f"mini-figs-figure-{hashlib.sha256(FIGURE_BYTES).hexdigest()[:8]}.svg"
HIDE_ONE = DIAGRAMS.replace("masks:", "mode: hide-one\n        masks:")


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def deck(mini_deck: Path) -> Path:
    return write_tree(mini_deck, {"figs/figure.svg": FIGURE, "diagrams.yaml": DIAGRAMS})


@pytest.fixture
def portable(deck: Path) -> Path:
    """The same deck, shipping the portable variant instead of Anki's native one."""
    with (deck / "deck.yaml").open("a", encoding="utf-8") as deck_yaml:
        deck_yaml.write("occlusion: portable\n")
    return deck


def with_fact(deck: Path, **changes: str) -> Path:
    text = DIAGRAMS
    for key, value in changes.items():
        text = re.sub(rf"(?m)^(\s+){key}: .*$", rf"\g<1>{key}: {value}", text)
    write_tree(deck, {"diagrams.yaml": text})
    return deck


def errors(deck: Path) -> list[str]:
    with pytest.raises(FactdeckError) as caught:
        expanded(deck)
    return [str(p) for p in caught.value.problems]


def diagram_notes(deck: Path) -> dict[str, dict[str, str]]:
    checked = expanded(deck)
    types = checked.templates.note_types
    return {
        n.card_id: dict(zip(types[n.note_type].field_names, n.fields, strict=True))
        for n in checked.notes
        if n.fact_id == "fig"
    }


def test_numbers_are_compact_and_deterministic() -> None:
    assert [fraction(v) for v in (0.0, 0.25, 1.0, 0.123456, 0.00004, -0.0, 0.99996)] == [
        "0",
        ".25",
        "1",
        ".1235",
        "0",
        "0",
        "1",
    ]
    assert [percent(v) for v in (0.0, 0.25, 0.123456, 1.0)] == ["0%", "25%", "12.35%", "100%"]


def test_media_names_carry_the_deck_slug_the_image_path_and_its_content() -> None:
    drawing = parse_drawing(FIGURE_BYTES, Path("figure.svg"), Location(Path("f.yaml")))
    redrawn = parse_drawing(
        FIGURE_BYTES.replace(b"#e0a800", b"#00aa00"), Path("figure.svg"), Location(Path("f.yaml"))
    )
    digest = hashlib.sha256(FIGURE_BYTES).hexdigest()[:8]
    assert media_name("low-back-pain", "diagrams/dorsal-rami.svg", drawing) == (
        f"low-back-pain-diagrams-dorsal-rami-{digest}.svg"
    )
    assert media_name("mini", "figs/figure.svg", drawing) == MEDIA
    assert media_name("mini", "figs/figure.svg", redrawn) != MEDIA


def test_a_diagram_yields_one_native_note_by_default(deck: Path) -> None:
    notes = [n for n in expanded(deck).notes if n.fact_id == "fig"]
    assert [(n.note_type, n.card_id) for n in notes] == [("io-native", "occlusion")]
    assert notes[0].guid == ids.guid_for("mini", "fig", "occlusion")
    assert {m.name for m in notes[0].media} == {MEDIA}
    assert notes[0].tags == ("mini::diagrams",)


def test_occlusion_portable_yields_one_portable_note_per_group_instead(portable: Path) -> None:
    notes = [n for n in expanded(portable).notes if n.fact_id == "fig"]
    assert [(n.note_type, n.card_id) for n in notes] == [
        ("io-portable", "mask/label-a"),
        ("io-portable", "mask/label-b"),
    ]
    assert notes[0].guid == ids.guid_for("mini", "fig", "mask/label-a")
    assert {m.name for n in notes for m in n.media} == {MEDIA}


def test_an_unknown_occlusion_option_is_refused(deck: Path) -> None:
    with (deck / "deck.yaml").open("a", encoding="utf-8") as deck_yaml:
        deck_yaml.write("occlusion: both\n")
    (problem,) = errors(deck)
    assert problem.startswith("cards/mini/deck.yaml")
    assert "occlusion" in problem and "'native'" in problem and "'portable'" in problem


def test_a_retired_mask_keeps_the_numbers_of_the_masks_after_it(deck: Path) -> None:
    with_fact(deck, masks="[~, [label-b, label-c]]")
    assert diagram_notes(deck)["occlusion"]["Occlusion"] == (
        "{{c2::image-occlusion:rect:left=.75:top=.1:width=.2:height=.2:oi=1}}<br>"
        "{{c2::image-occlusion:rect:left=.75:top=.6:width=.2:height=.2:oi=1}}<br>"
    )


def test_a_retired_mask_makes_no_portable_note(portable: Path) -> None:
    with_fact(portable, masks="[~, [label-b, label-c]]")
    notes = diagram_notes(portable)
    assert list(notes) == ["mask/label-b"]
    assert notes["mask/label-b"]["Front Masks"].count("fd-io-target") == 2
    assert "fd-io-other" not in notes["mask/label-b"]["Front Masks"]


def test_every_mask_retired_is_refused(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[~, ~]")) == [
        "cards/mini/diagrams.yaml:8: fact 'fig': field 'masks': every mask is retired (~); a "
        "diagram needs at least one mask"
    ]


def test_native_occlusion_field_as_anki_writes_it(deck: Path) -> None:
    native = diagram_notes(deck)["occlusion"]
    # label-a: rect 10,10 40x20 in 200x100; label-b: +100 translate; label-c: translate+scale(2)
    assert native["Occlusion"] == (
        "{{c1::image-occlusion:rect:left=.05:top=.1:width=.2:height=.2:oi=1}}<br>"
        "{{c2::image-occlusion:rect:left=.75:top=.1:width=.2:height=.2:oi=1}}<br>"
        "{{c2::image-occlusion:rect:left=.75:top=.6:width=.2:height=.2:oi=1}}<br>"
    )
    assert native["Image"] == f'<img src="{MEDIA}">'
    assert native["Header"] == "Figure 1: a test"
    assert native["Back Extra"] == (
        '<div class="fd-source"><span class="fd-source-title">A Source</span> · '
        '<span class="fd-source-section">Body</span></div>'
    )
    assert native["Comments"] == ""


def test_hide_one_mode_drops_oi(deck: Path) -> None:
    write_tree(deck, {"diagrams.yaml": HIDE_ONE})
    occlusion = diagram_notes(deck)["occlusion"]["Occlusion"]
    assert ":oi=1" not in occlusion
    assert occlusion.startswith("{{c1::image-occlusion:rect:left=.05:top=.1:width=.2:height=.2}}")


def test_a_structure_path_is_measured_with_its_stroke(deck: Path) -> None:
    with_fact(deck, masks="[nerve]")
    assert diagram_notes(deck)["occlusion"]["Occlusion"] == (
        "{{c1::image-occlusion:rect:left=.29:top=.48:width=.42:height=.04:oi=1}}<br>"
    )


def test_portable_front_hides_all_and_back_outlines_the_target(portable: Path) -> None:
    notes = diagram_notes(portable)
    first, grouped = notes["mask/label-a"], notes["mask/label-b"]
    assert first["Front Masks"] == (
        '<div class="fd-io-mask fd-io-target" style="left:5%;top:10%;width:20%;height:20%">'
        "</div>\n"
        '<div class="fd-io-mask fd-io-other" style="left:75%;top:10%;width:20%;height:20%">'
        "</div>\n"
        '<div class="fd-io-mask fd-io-other" style="left:75%;top:60%;width:20%;height:20%">'
        "</div>"
    )
    assert first["Back Masks"] == first["Front Masks"].replace("fd-io-target", "fd-io-revealed")
    assert grouped["Front Masks"].count("fd-io-target") == 2
    assert grouped["Back Masks"].count("fd-io-revealed") == 2
    assert grouped["Back Masks"].count("fd-io-other") == 1
    assert first["Answer"] == "alpha"
    assert grouped["Answer"] == "beta / gamma"
    assert first["Header"] == "Figure 1: a test"
    assert first["Image"] == f'<img src="{MEDIA}">'


def test_portable_hide_one_shows_only_the_target(portable: Path) -> None:
    write_tree(portable, {"diagrams.yaml": HIDE_ONE})
    notes = diagram_notes(portable)
    assert notes["mask/label-a"]["Front Masks"] == (
        '<div class="fd-io-mask fd-io-target" style="left:5%;top:10%;width:20%;height:20%"></div>'
    )
    assert "fd-io-other" not in notes["mask/label-b"]["Back Masks"]


# --- errors: every one names the fact's file and line -------------------------------------

WHERE = "cards/mini/diagrams.yaml:5: fact 'fig'"


def test_unknown_id_suggests_a_near_one(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[label-aa, label-bb, label-a]")) == [
        f"{WHERE}: mask 'label-aa' is not an element id in 'figure.svg' (did you mean 'label-a'?)",
        f"{WHERE}: mask 'label-bb' is not an element id in 'figure.svg' (did you mean 'label-b'?)",
    ]


def test_text_only_element_cannot_be_measured(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[title]")) == [
        f"{WHERE}: mask 'title' has no shape to measure in 'figure.svg' (text alone has no "
        "reliable size without the reader's fonts); draw a <rect> box around the label in the "
        "same <g> and name the <g>"
    ]


def test_mask_outside_the_image(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[label-out]")) == [
        f"{WHERE}: mask 'label-out' reaches outside the image in 'figure.svg' (it spans "
        "95%–115% across and 10%–30% down); move it inside the viewBox"
    ]


def test_duplicate_ids_in_masks(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[label-a, [label-b, label-a]]")) == [
        "cards/mini/diagrams.yaml:8: fact 'fig': field 'masks': element id 'label-a' appears "
        "twice in masks; each element can be hidden by one mask only"
    ]


def test_empty_mask_group(deck: Path) -> None:
    assert errors(with_fact(deck, masks="[label-a, []]")) == [
        "cards/mini/diagrams.yaml:8: fact 'fig': field 'masks[2]': a mask needs at least one "
        "element id"
    ]


def test_duplicate_ids_in_the_svg(deck: Path) -> None:
    write_tree(deck, {"figs/figure.svg": FIGURE.replace('id="scaled"', 'id="label-a"')})
    assert errors(deck) == [
        f"{WHERE}: mask 'label-a' names several elements in 'figure.svg'; give each element "
        "its own id"
    ]


def test_missing_image(deck: Path) -> None:
    assert errors(with_fact(deck, image="figs/gone.svg")) == [
        f"{WHERE}: image 'figs/gone.svg' does not exist (looked for gone.svg in "
        f"{(deck / 'figs').resolve()})"
    ]


def test_image_outside_the_deck_folder(deck: Path) -> None:
    write_tree(deck.parent, {"elsewhere.svg": FIGURE})
    assert errors(with_fact(deck, image="../elsewhere.svg")) == [
        f"{WHERE}: image '../elsewhere.svg' is outside the deck folder; keep diagrams inside "
        "it (e.g. diagrams/name.svg)"
    ]


def test_image_that_is_not_svg(deck: Path) -> None:
    write_tree(deck, {"figs/figure.png": "not really"})
    assert errors(with_fact(deck, image="figs/figure.png")) == [
        f"{WHERE}: image 'figs/figure.png' is not an .svg file; masks are measured from an "
        "SVG's element ids"
    ]


def test_unreadable_svg(deck: Path) -> None:
    write_tree(deck, {"figs/figure.svg": "<svg><rect></svg>"})
    assert errors(deck) == [
        "cards/mini/diagrams.yaml:5: diagram image 'figure.svg' is not a readable SVG (XML "
        "error: mismatched tag: line 1, column 13)"
    ]


def test_a_broken_when_test_is_refused_with_its_line(deck: Path, project: Path) -> None:
    kind = project / "templates" / "kinds" / "diagram.yaml"
    text = kind.read_text(encoding="utf-8")
    kind.write_text(
        text.replace("when: deck.occlusion == 'native'", "when: deck.occlusion =="),
        encoding="utf-8",
    )
    line = text.splitlines().index("    when: deck.occlusion == 'native'") + 1
    (problem,) = errors(deck)
    assert problem.startswith(f"templates/kinds/diagram.yaml:{line}: template syntax error: ")
