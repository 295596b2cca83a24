"""The back of a card with synonyms and a standard-anatomy line, as Anki renders it, laid out
by Chromium in light and night mode: the lines show, styled from the theme's colours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from factdeck.pipeline import build
from tests.facts.test_exam_fields import FACTS
from tests.support.decks import write_tree
from tests.support.engine import imported_cards

LIGHT = {"accent": "rgb(31, 95, 174)", "standard": "rgb(178, 107, 0)", "bg": "rgb(255, 255, 255)"}
NIGHT = {"accent": "rgb(138, 180, 248)", "standard": "rgb(240, 180, 90)", "bg": "rgb(31, 32, 35)"}


@pytest.fixture
def backs(mini_deck: Path, project: Path, tmp_path: Path) -> dict[str, str]:
    write_tree(mini_deck, {"facts.yaml": FACTS})
    result = build(mini_deck, project / "dist")
    cards = imported_cards(result.apkg, tmp_path / "anki")
    return {
        "ligament": next(c.answer for c in cards if "article gives" in c.question),
        "case": next(c.answer for c in cards if "long drives" in c.question),
    }


def styles(browser: Any, tmp_path: Path, html: str, night: bool) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    body = "card nightMode" if night else "card"
    path = tmp_path / f"back-{int(night)}.html"
    path.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"></head>'
        f'<body class="{body}">{html}</body></html>',
        encoding="utf-8",
    )
    page.goto(path.as_uri())
    try:
        return page.evaluate("""() => {
            const get = s => document.querySelector(s);
            const css = e => e && getComputedStyle(e);
            const shown = e => !!e && e.getBoundingClientRect().height > 0;
            return {
              accept: get('.fd-also-accept')?.innerText, acceptShown: shown(get('.fd-also-accept')),
              acceptColour: css(get('.fd-also-accept'))?.color,
              standard: get('.fd-standard')?.innerText, standardShown: shown(get('.fd-standard')),
              rule: css(get('.fd-standard'))?.borderLeftColor,
              background: css(document.body).backgroundColor,
              why: get('.fd-case-why')?.innerText,
            };
        }""")
    finally:
        page.close()


@pytest.mark.parametrize("night", [False, True])
def test_synonyms_and_standard_anatomy_show_in_both_themes(
    browser: Any, backs: dict[str, str], tmp_path: Path, night: bool
) -> None:
    theme = NIGHT if night else LIGHT
    seen = styles(browser, tmp_path, backs["ligament"], night)
    assert seen["accept"] == "Also accepted: PLL" and seen["acceptShown"]
    assert seen["standard"].startswith("Standard anatomy: the sinuvertebral nerve")
    assert seen["standard"].endswith("(Gray's Anatomy)") and seen["standardShown"]
    assert seen["acceptColour"] == theme["accent"]
    assert seen["rule"] == theme["standard"]
    assert seen["background"] == theme["bg"]


def test_a_case_back_shows_why(browser: Any, backs: dict[str, str], tmp_path: Path) -> None:
    seen = styles(browser, tmp_path, backs["case"], False)
    assert seen["why"] == "They cross the iliac crest through tight fascial tunnels."
