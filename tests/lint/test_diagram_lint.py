"""Diagram lint: giveaways, phone-size text and mask-like fills, from the SVG and the fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.cli.main import main
from factdeck.errors import Location
from factdeck.facts.model import Diagram
from factdeck.lint.cards import segments
from factdeck.lint.engine import RULES, TRIAL
from factdeck.lint.rules.diagrams import (
    MIN_MASK_DISTANCE,
    check,
    findings,
    read_sheet,
    seen_over_white,
)
from factdeck.pipeline import expanded
from tests.support.decks import REAL_DECK, write_tree

# 380 units wide: one unit is one CSS px at a phone's card width.
CLEAN = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 380 200" font-size="12">
      <rect id="background" width="380" height="200" fill="#ffffff"/>
      <path id="bone" d="M 10 10 L 100 10 L 100 100 Z" fill="#e6e2da"/>
      <g id="label-a" font-size="14"><rect x="200" y="10" width="90" height="20" fill="#fff"/>
        <text x="204" y="25">dorsal ramus</text></g>
      <g id="label-b" font-size="14"><rect x="200" y="40" width="90" height="20" fill="#fff"/>
        <text x="204" y="55">ventral ramus</text></g>
      <text id="caption" x="10" y="190">back ↓</text>
    </svg>
"""


def fact(
    masks: list[str] | None = None, header: str = "Figure 1: a view", mode: str = "hide-all"
) -> Diagram:
    return Diagram(
        id="fig",
        kind="diagram",
        image="figure.svg",
        header=header,
        mode=mode,
        source="body",
        masks=masks or ["label-a", "label-b"],
    )


def lint_svg(
    tmp_path: Path, svg: str, levels: dict[str, str] | None = None, **fact_fields: object
) -> list[tuple[str, str]]:
    path = write_tree(tmp_path, {"figure.svg": svg}) / "figure.svg"
    known = {name: segments(text) for name, text in (levels or {}).items()}
    found = check(fact(**fact_fields), read_sheet(path), "figure.svg", Location(path), known)
    return [(f.rule, f.message) for f in found]


def test_a_clean_diagram_has_no_findings(tmp_path: Path) -> None:
    assert lint_svg(tmp_path, CLEAN) == []


def test_the_rules_are_lint_rules() -> None:
    assert {
        "diagram-giveaway",
        "diagram-composed",
        "diagram-small-text",
        "diagram-mask-colour",
    } <= RULES.keys()


# --- giveaways ---------------------------------------------------------------------------------


def test_a_header_naming_a_masked_label(tmp_path: Path) -> None:
    assert lint_svg(tmp_path, CLEAN, header="Image 1: dorsal rami nerves") == [
        (
            "diagram-giveaway",
            "diagram 'figure.svg': masked label 'label-a' ('dorsal ramus') is given away by the "
            "header, which shows the word 'dorsal' ('Image 1: dorsal rami nerves'); reword or "
            "remove that text (a header names the view, not a hidden label), or mask it too",
        )
    ]


def test_a_legend_or_title_repeating_a_label(tmp_path: Path) -> None:
    svg = CLEAN.replace(
        '<text id="caption" x="10" y="190">back ↓</text>',
        '<g id="legend"><text x="10" y="190">Ventral Ramus</text></g>',
    )
    advice = (
        "; reword or remove that text (a header names the view, not a hidden label), or mask it too"
    )
    assert lint_svg(tmp_path, svg) == [
        (
            "diagram-giveaway",
            "diagram 'figure.svg': masked label 'label-a' ('dorsal ramus') is given away by "
            f"'legend', which shows the word 'ramus' ('Ventral Ramus'){advice}",
        ),
        (
            "diagram-giveaway",
            "diagram 'figure.svg': masked label 'label-b' ('ventral ramus') is given away by "
            f"'legend', which shows the whole label 'ventral ramus' ('Ventral Ramus'){advice}",
        ),
    ]


def test_hide_one_shows_the_other_labels_so_shared_words_give_away(tmp_path: Path) -> None:
    assert lint_svg(tmp_path, CLEAN) == []  # hide-all: the other label is masked too
    found = lint_svg(tmp_path, CLEAN, mode="hide-one")
    assert [
        (rule, message.split(" is given away by ")[1].split(",")[0]) for rule, message in found
    ] == [("diagram-giveaway", "'label-b'"), ("diagram-giveaway", "'label-a'")]
    assert "shows the word 'ramus'" in found[0][1]


def test_an_unmasked_label_sharing_a_word_and_plurals(tmp_path: Path) -> None:
    ((rule, message),) = lint_svg(tmp_path, CLEAN, masks=["label-a"])
    assert rule == "diagram-giveaway"
    assert "by 'label-b', which shows the word 'ramus'" in message  # the unmasked label
    svg = CLEAN.replace("back ↓", "two spinal nerves")
    svg = svg.replace("ventral ramus", "spinal nerve")
    assert [m for _, m in lint_svg(tmp_path, svg)] == [
        "diagram 'figure.svg': masked label 'label-b' ('spinal nerve') is given away by "
        "'caption', which shows the word 'spinal' ('two spinal nerves'); reword or remove that "
        "text (a header names the view, not a hidden label), or mask it too"
    ]


def test_generic_words_give_nothing_away(tmp_path: Path) -> None:
    svg = CLEAN.replace("back ↓", "nerve of the ligament")
    assert lint_svg(tmp_path, svg.replace("ventral ramus", "spinal nerve")) == []


def test_visible_words_that_compose_a_hidden_label(tmp_path: Path) -> None:
    svg = CLEAN.replace("dorsal ramus", "sacroiliac joint").replace("ventral ramus", "ilium")
    assert lint_svg(tmp_path, svg, masks=["label-a"], header="Image 3: the sacrum") == [
        (
            "diagram-composed",
            "diagram 'figure.svg': masked label 'label-a' ('sacroiliac joint') is spelled by "
            "visible text: 'sacroiliac' from 'sacrum' + 'ilium' (the header, 'label-b'); reword "
            "or remove that text, or mask it too",
        )
    ]
    assert lint_svg(tmp_path, svg, header="Image 3: the sacrum") == []  # both hidden: fine
    stems = CLEAN.replace("dorsal ramus", "sacrum").replace("back ↓", "sacral levels")
    assert [r for r, _ in lint_svg(tmp_path, stems, masks=["label-a"])] == ["diagram-composed"]
    start = CLEAN.replace("dorsal ramus", "iliac crest").replace("back ↓", "ilium")
    assert lint_svg(tmp_path, start, masks=["label-a"]) == []  # a shared start is not a stem


def test_level_captions_name_a_hidden_nerve(tmp_path: Path) -> None:
    captions = '<text x="10" y="150">L1</text><text x="10" y="170">L2</text>'
    svg = CLEAN.replace('<text id="caption"', captions + '<text id="caption"')
    levels = {"dorsal ramus": "L1–L2"}
    assert lint_svg(tmp_path, svg, levels) == [
        (
            "diagram-composed",
            "diagram 'figure.svg': masked label 'label-a' ('dorsal ramus') is named by its "
            "levels: the deck gives it L1–L2, and the card shows 'L1', 'L2'; remove those "
            "captions or mask them with the label",
        )
    ]
    assert lint_svg(tmp_path, svg, {"dorsal ramus": "L1–L3"}) == []  # L3 is not shown
    assert lint_svg(tmp_path, CLEAN, levels) == []


# --- text size ---------------------------------------------------------------------------------


def test_small_labels_and_small_text_at_phone_width(tmp_path: Path) -> None:
    wide = CLEAN.replace('viewBox="0 0 380 200"', 'viewBox="0 0 760 400"')
    assert lint_svg(tmp_path, wide) == [
        (
            "diagram-small-text",
            "diagram 'figure.svg': label 'dorsal ramus' in 'label-a' is 7.0 px at a 380 px card "
            "width (font-size 14 in a 760-wide viewBox); a label needs 10 px: use font-size ≥ "
            "20.0, a narrower viewBox, or fewer words",
        ),
        (
            "diagram-small-text",
            "diagram 'figure.svg': label 'ventral ramus' in 'label-b' is 7.0 px at a 380 px card "
            "width (font-size 14 in a 760-wide viewBox); a label needs 10 px: use font-size ≥ "
            "20.0, a narrower viewBox, or fewer words",
        ),
        (
            "diagram-small-text",
            "diagram 'figure.svg': text 'back ↓' in 'caption' is 6.0 px at a 380 px card width "
            "(font-size 12 in a 760-wide viewBox); a text needs 8 px: use font-size ≥ 16.0, a "
            "narrower viewBox, or fewer words",
        ),
    ]


def test_transforms_and_units_scale_text(tmp_path: Path) -> None:
    scaled = CLEAN.replace(
        '<text id="caption" x="10" y="190">back ↓</text>',
        '<g transform="scale(0.5)"><text id="caption" style="font-size: 1.2em"'
        ' x="10" y="190">back ↓</text></g>',
    )
    ((rule, message),) = lint_svg(tmp_path, scaled)
    assert rule == "diagram-small-text"
    assert "text 'back ↓' in 'caption' is 7.2 px" in message  # 12 × 1.2 × 0.5


def test_label_size_applies_to_unmasked_label_groups_too(tmp_path: Path) -> None:
    svg = CLEAN.replace(
        '<text id="caption" x="10" y="190">back ↓</text>',
        '<g id="label-c" font-size="9"><text x="10" y="190">psoas</text></g>',
    )
    ((rule, message),) = lint_svg(tmp_path, svg)
    assert rule == "diagram-small-text" and "label 'psoas' in 'label-c' is 9.0 px" in message


# --- mask colours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fill", "mask", "distance"),
    [
        ("#f6e7a1", "inactive mask #ffeba2", "1.8"),  # the old fat colour
        ("#dc8f84", "active mask #ff8e8e", "7.1"),  # the old muscle colour
        ("rgb(255, 235, 162)", "inactive mask #ffeba2", "0.0"),
    ],
)
def test_fills_near_the_mask_colours(tmp_path: Path, fill: str, mask: str, distance: str) -> None:
    svg = CLEAN.replace('fill="#e6e2da"', f'fill="{fill}"')
    assert lint_svg(tmp_path, svg) == [
        (
            "diagram-mask-colour",
            f"diagram 'figure.svg': fill {fill} of 'bone' looks like Anki's {mask} (CIEDE2000 "
            f"{distance}, needs ≥ {MIN_MASK_DISTANCE:g}); pick a colour further from it, so "
            "nothing in the drawing looks like a mask",
        )
    ]


def test_a_fill_without_an_id_is_named_by_its_element(tmp_path: Path) -> None:
    """An ellipse without an id was reported as "fill #dc8f84 of 'svg'", the whole drawing."""
    svg = CLEAN.replace("</svg>", '<ellipse cx="9" cy="9" rx="5" ry="5" fill="#dc8f84"/></svg>')
    ((rule, message),) = lint_svg(tmp_path, svg)
    assert rule == "diagram-mask-colour"
    assert message.startswith("diagram 'figure.svg': fill #dc8f84 of the <ellipse> in 'svg' ")


def test_opacity_is_seen_over_the_white_card(tmp_path: Path) -> None:
    # A strong orange at low opacity becomes a pale yellow-orange: mask-like on the card.
    faint = CLEAN.replace('fill="#e6e2da"', 'fill="#ffb000" fill-opacity="0.35"')
    ((rule, message),) = lint_svg(tmp_path, faint)
    assert rule == "diagram-mask-colour" and "inactive mask" in message
    assert lint_svg(tmp_path, CLEAN.replace('fill="#e6e2da"', 'fill="#ffb000"')) == []
    assert seen_over_white("none", 1.0) is None
    assert seen_over_white("url(#gradient)", 1.0) is None


def test_style_attribute_overrides_the_presentation_attribute(tmp_path: Path) -> None:
    svg = CLEAN.replace('fill="#e6e2da"', 'fill="#e6e2da" style="fill: #ff8f8f"')
    ((rule, message),) = lint_svg(tmp_path, svg)
    assert rule == "diagram-mask-colour" and "fill #ff8f8f of 'bone'" in message


# --- in the build's lint -----------------------------------------------------------------------


GIVEAWAY = """
    facts:
      - id: fig
        kind: diagram
        image: figure.svg
        header: "The ventral ramus"
        source: body
        masks: [label-a, label-b]
"""


def test_findings_reach_factdeck_lint_with_the_fact_location(
    mini_deck: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_deck.parent.parent)
    write_tree(mini_deck, {"figure.svg": CLEAN, "diagrams.yaml": GIVEAWAY})
    result = runner.invoke(main, ["lint", "cards/mini"])
    assert result.exit_code == 1
    assert (
        "cards/mini/diagrams.yaml:2: fact 'fig': [diagram-giveaway] diagram 'figure.svg': "
        "masked label 'label-b' ('ventral ramus') is given away by the header, which shows "
        "the whole label 'ventral ramus' ('The ventral ramus')"
    ) in result.output


def test_a_lint_exception_silences_a_diagram_rule(mini_deck: Path) -> None:
    excused = GIVEAWAY + (
        '        lint: {diagram-giveaway: "the header is the figure\'s own title in the exam book"}\n'
    )
    write_tree(mini_deck, {"figure.svg": CLEAN, "diagrams.yaml": excused})
    checked = expanded(mini_deck)
    assert [f.rule for f in checked.findings() if f.fact_id == "fig"] == []


def test_the_shipped_diagrams_are_clean() -> None:
    deck = expanded(REAL_DECK).deck
    assert [f.message for f in findings(deck) if f.rule not in TRIAL] == []
