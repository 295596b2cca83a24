"""The shipped deck's preview in a real browser (Debian's headless Chromium), from file://.

Loads offline without errors, shows every card, filters and searches correctly, draws
diagrams with their masks (checked in a screenshot's pixels) and keeps card CSS inside
the cards. `FACTDECK_UPDATE_DOCS=1 pytest tests/test_preview_browser.py -k readme`
regenerates docs/preview.png for the docs (docs/preview.md).
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from factdeck.pipeline import BuildResult, expanded
from factdeck.preview.page import Preview, PreviewCard, build_preview, fact_sources, preview
from tests.support.decks import REPO

TARGET = (0xFF, 0x8E, 0x8E)  # Anki's active mask colour
OTHER = (0xFF, 0xEB, 0xA2)  # Anki's inactive mask colour
DOCS_SCREENSHOT = REPO / "docs" / "preview.png"
ALL = "document.querySelectorAll('article.pv-card').length"
VISIBLE = "[...document.querySelectorAll('article.pv-card')].filter(a => !a.hidden).length"


@dataclass
class Site:
    url: str
    preview: Preview
    build: BuildResult


@dataclass
class Page:
    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(built_real_deck: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The preview of the same deck copy the session built (its lock left as it is)."""
    deck_dir = built_real_deck.apkg.parent.parent / "cards" / "low-back-pain"
    result = preview(deck_dir, tmp_path_factory.mktemp("preview"))
    checked = expanded(deck_dir)
    built = build_preview(checked, fact_sources(checked.deck), result.index.parent)
    return Site(result.index.as_uri(), built, built_real_deck)


@pytest.fixture(scope="module")
def loaded(browser: Any, site: Site) -> Iterator[Page]:
    page = Page(browser.new_page(viewport={"width": 1280, "height": 900}))
    page.page.on("request", lambda request: page.requests.append(request.url))
    page.page.on("console", lambda message: page.console.append(f"{message.type}: {message.text}"))
    page.page.on("pageerror", lambda error: page.console.append(f"pageerror: {error}"))
    page.page.goto(site.url)
    page.page.wait_for_selector("body[data-ready]")
    yield page
    page.page.close()


def shown(card: PreviewCard) -> dict[str, Any]:
    """The card's record, as the page's data holds it."""
    return dict(json.loads(card.record))


def set_filters(page: Any, search: str = "", tag: str = "", subdeck: str = "*") -> int:
    page.fill("#pv-search", search)
    page.select_option("#pv-tag", tag)
    page.select_option("#pv-subdeck", subdeck)
    shown, total = page.evaluate(f"[{VISIBLE}, {ALL}]")
    assert page.inner_text("#pv-count") == f"{shown} of {total} cards"
    return shown


def test_loads_from_file_offline_without_console_errors(loaded: Page, site: Site) -> None:
    loaded.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    loaded.page.wait_for_timeout(100)
    assert loaded.requests, "the page made no request at all?"
    assert all(url.startswith("file://") for url in loaded.requests), loaded.requests
    assert loaded.console == []


def test_every_card_of_the_build_is_on_the_page(loaded: Page, site: Site) -> None:
    cards = site.build.report.cards
    assert loaded.page.locator("article.pv-card").count() == cards == len(site.preview.cards)
    assert loaded.page.inner_text("#pv-count") == f"{cards} of {cards} cards"


def test_filters_and_search_narrow_the_list(loaded: Page, site: Site) -> None:
    page, cards = loaded.page, site.preview.cards
    diagrams = sum(card.note.subdeck == "diagrams" for card in cards)
    assert 0 < set_filters(page, subdeck="diagrams") == diagrams < len(cards)

    pathology = [
        card
        for card in cards
        if any(t == "exam::pathology" or t.startswith("exam::pathology::") for t in card.note.tags)
    ]
    assert 0 < set_filters(page, tag="exam::pathology") == len(pathology) < len(cards)
    nerves = sum(any(t.startswith("lbp::nerves::") for t in card.note.tags) for card in cards)
    assert set_filters(page, tag="lbp::nerves") == nerves  # a level matches all below it

    found = [card for card in cards if "piriformis" in shown(card)["text"]]
    assert 0 < set_filters(page, search="PIRIFORMIS") == len(found) < len(cards)
    both = [card for card in found if card in pathology]
    assert set_filters(page, search="piriformis", tag="exam::pathology") == len(both)
    assert set_filters(page, search="piriformis nerve") == sum(
        "nerve" in shown(card)["text"] for card in found
    )
    assert set_filters(page, search="no such words anywhere") == 0
    assert page.is_visible("#pv-empty")
    assert set_filters(page) == len(cards)
    assert not page.is_visible("#pv-empty")


def test_opening_a_card_shows_its_yaml_location(loaded: Page, site: Site) -> None:
    page = loaded.page
    set_filters(page)
    card = next(c for c in site.preview.cards if c.note.fact_id == "superior-cluneal")
    article = page.locator(f"[id='{shown(card)['anchor']}']")
    article.scroll_into_view_if_needed()
    article.locator("summary").click()
    assert article.locator(".pv-location").inner_text() == shown(card)["location"]
    assert shown(card)["location"].startswith("cards/low-back-pain/cluneal-superior.yaml:")
    assert article.locator(".pv-yaml").inner_text().startswith("- id: superior-cluneal\n")
    assert article.locator(".pv-yaml").is_visible()


def screenshot(page: Any) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def relative(box: dict[str, float], origin: dict[str, float]) -> dict[str, float]:
    return {**box, "x": box["x"] - origin["x"], "y": box["y"] - origin["y"]}


def interior(box: dict[str, float], inset: float = 3) -> list[tuple[int, int]]:
    xs = [box["x"] + inset + (box["width"] - 2 * inset) * f for f in (0, 0.5, 1)]
    ys = [box["y"] + inset + (box["height"] - 2 * inset) * f for f in (0, 0.5, 1)]
    return [(round(x), round(y)) for x in xs for y in ys]


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], slack: int = 6) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=False))


# The shipped deck has native IO only (occlusion: native); the portable variant's masks, plain
# HTML in the card, are checked in a browser by test_occlusion_browser.py.
@pytest.mark.parametrize(
    ("note", "target", "other"),
    [
        ("occlusion", ".pv-io-active", ".pv-io-inactive"),  # native IO, masks drawn by preview.js
    ],
)
def test_a_diagram_shows_its_masks(
    loaded: Page, site: Site, note: str, target: str, other: str
) -> None:
    page = loaded.page
    set_filters(page, subdeck="diagrams")
    card = next(
        c
        for c in site.preview.cards
        if c.note.card_id.startswith(note) and c.note.fact_id == "figure-dorsal-rami"
    )
    front = page.locator(f"[id='{shown(card)['anchor']}'] .pv-host[data-side='front']")
    front.scroll_into_view_if_needed()
    page.wait_for_function(
        "id => document.getElementById(id).dataset.rendered", arg=shown(card)["anchor"]
    )
    front.locator("img").evaluate("img => img.decode()")
    front.scroll_into_view_if_needed()  # cards above may have grown as they were drawn
    shot = Image.open(io.BytesIO(front.screenshot())).convert("RGB")
    origin = front.bounding_box()
    targets = [relative(m.bounding_box(), origin) for m in front.locator(target).all()]
    others = [relative(m.bounding_box(), origin) for m in front.locator(other).all()]
    assert len(targets) == 1 and len(others) >= 4
    assert all(near(shot.getpixel(p), TARGET) for b in targets for p in interior(b))
    assert all(near(shot.getpixel(p), OTHER) for b in others for p in interior(b))
    set_filters(page)


def test_card_css_stays_inside_the_cards(loaded: Page) -> None:
    page = loaded.page
    set_filters(page)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "15px"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(238, 240, 243)"
    first = page.locator("article.pv-card").first
    first.scroll_into_view_if_needed()
    assert (
        first.locator(".pv-host .card").first.evaluate("el => getComputedStyle(el).fontSize")
        == "20px"
    )
    page.check("#pv-night")
    assert first.locator(".pv-host .card").first.evaluate(
        "el => el.classList.contains('nightMode')"
    )
    page.uncheck("#pv-night")


def test_readme_screenshot(loaded: Page, tmp_path: Path) -> None:
    """docs/preview.png: the filters and a diagram card with its masks, for docs/preview.md."""
    page = loaded.page
    assert set_filters(page, search="Image 4", subdeck="diagrams") > 0
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function(
        "[...document.querySelectorAll('article.pv-card')]"
        ".filter(a => !a.hidden).slice(0, 2)"
        ".every(a => a.dataset.rendered)"
    )
    page.evaluate(
        "Promise.all([...document.querySelectorAll('.pv-host')]"
        ".flatMap(h => h.shadowRoot ? [...h.shadowRoot.querySelectorAll('img')] : [])"
        ".map(img => img.decode()))"
    )
    dest = tmp_path / "preview.png"
    page.screenshot(path=str(dest))
    set_filters(page)
    with Image.open(dest) as image:
        assert image.size == (1280, 900)
    if os.environ.get("FACTDECK_UPDATE_DOCS"):
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(dest, DOCS_SCREENSHOT)
