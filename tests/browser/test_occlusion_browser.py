"""The portable image occlusion in a real browser (Debian's headless Chromium).

Cards are rendered by the Anki engine, shown in Chromium next to their media file and
screenshotted: the target must be covered on the front and visible on the back. The
mask geometry itself is checked against Chromium's own layout of each SVG label.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from factdeck.diagrams.measure import read_drawing
from factdeck.diagrams.occlusion import measure_masks
from factdeck.facts.model import Diagram
from factdeck.pipeline import BuildResult, build, expanded
from tests.support.decks import EPOCH, REAL_DECK, TEMPLATES
from tests.support.engine import import_package, open_collection

TARGET = (0xFF, 0x8E, 0x8E)
OTHER = (0xFF, 0xEB, 0xA2)
PORTABLE = "factdeck Image Occlusion (portable)"


@dataclass(frozen=True)
class Card:
    header: str
    answer_text: str
    question: str
    answer: str


def portable_cards(apkg: Path, folder: Path) -> tuple[Path, list[Card]]:
    """The portable cards of a package as Anki renders them, and the media folder beside them."""
    col = open_collection(folder)
    try:
        import_package(col, apkg)
        found = []
        for note_id in col.find_notes(f'"note:{PORTABLE}" -tag:factdeck::retired'):
            note = col.get_note(note_id)
            (card,) = note.cards()
            found.append(Card(note["Header"], note["Answer"], card.question(), card.answer()))
        return Path(col.media.dir()), found
    finally:
        col.close()


@pytest.fixture(scope="module")
def cards(
    built_portable_deck: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Card]]:
    """The shipped deck with `occlusion: portable`."""
    return portable_cards(built_portable_deck.apkg, tmp_path_factory.mktemp("anki-portable"))


@pytest.fixture(scope="module")
def hide_one_cards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Card]]:
    """The same, with Image 3 in hide-one mode (the shipped figures all hide every label)."""
    root = tmp_path_factory.mktemp("hide-one")
    shutil.copytree(TEMPLATES, root / "templates")
    deck_dir = shutil.copytree(REAL_DECK, root / "cards" / REAL_DECK.name)
    with (deck_dir / "deck.yaml").open("a", encoding="utf-8") as deck_yaml:
        deck_yaml.write("occlusion: portable\n")
    diagrams = deck_dir / "diagrams.yaml"
    text = diagrams.read_text(encoding="utf-8")
    diagrams.write_text(
        re.sub(r'(?m)^(    header: "Image 3:.*)$', r"\1\n    mode: hide-one", text),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        apkg = build(deck_dir, root / "dist").apkg
    return portable_cards(apkg, root / "anki")


def card(cards: tuple[Path, list[Card]], header: str, answer: str) -> Card:
    return next(c for c in cards[1] if c.header.startswith(header) and c.answer_text == answer)


def show(browser: Any, media: Path, html: str, width: int = 800, night: bool = False) -> Any:
    """A page showing one card side as Anki's reviewer would: body.card, media beside it."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    body_class = "card nightMode" if night else "card"
    path = media / f"card-{width}-{int(night)}.html"
    path.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width"></head><body class="{body_class}">{html}'
        "</body></html>",
        encoding="utf-8",
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def screenshot(page: Any) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")


def boxes(page: Any, selector: str) -> list[tuple[float, float, float, float]]:
    return [
        tuple(b)
        for b in page.eval_on_selector_all(
            selector,
            "els => els.map(e => { const r = e.getBoundingClientRect(); "
            "return [r.x, r.y, r.width, r.height]; })",
        )
    ]


def interior(box: tuple[float, float, float, float], inset: float = 4) -> list[tuple[int, int]]:
    """A 4x4 grid of points inside a box, `inset` pixels clear of its (3px) border."""
    x, y, w, h = box
    xs = [x + inset + (w - 2 * inset) * f for f in (0, 1 / 3, 2 / 3, 1)]
    ys = [y + inset + (h - 2 * inset) * f for f in (0, 1 / 3, 2 / 3, 1)]
    return [(round(px), round(py)) for px in xs for py in ys]


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], slack: int = 6) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=False))


@pytest.mark.parametrize(("width", "night"), [(800, False), (390, False), (390, True)])
def test_hide_all_front_covers_the_target_and_back_reveals_it(
    browser: Any, cards: tuple[Path, list[Card]], width: int, night: bool
) -> None:
    media = cards[0]
    asked = card(cards, "Image 4", "thoracolumbar fascia")
    front = show(browser, media, asked.question, width, night)
    targets, others = boxes(front, ".fd-io-target"), boxes(front, ".fd-io-other")
    assert len(targets) == 1 and len(others) == 1  # Image 4's other mask, hidden too
    shot = screenshot(front)
    assert all(near(shot.getpixel(p), TARGET) for b in targets for p in interior(b))
    assert all(near(shot.getpixel(p), OTHER) for b in others for p in interior(b))

    back = show(browser, media, asked.answer, width, night)
    revealed = boxes(back, ".fd-io-revealed")
    assert revealed == targets  # same layout above the answer line
    shot = screenshot(back)
    assert not any(
        near(shot.getpixel(p), TARGET) or near(shot.getpixel(p), OTHER)
        for b in revealed
        for p in interior(b)
    )
    assert all(near(shot.getpixel(p), OTHER) for b in others for p in interior(b))
    back.add_style_tag(content=".fd-io-layer { display: none; }")
    bare = screenshot(back)
    assert all(shot.getpixel(p) == bare.getpixel(p) for b in revealed for p in interior(b))
    front.close()
    back.close()


def test_hide_one_front_covers_only_the_target(
    browser: Any, hide_one_cards: tuple[Path, list[Card]]
) -> None:
    media = hide_one_cards[0]
    joint = card(hide_one_cards, "Image 3", "sacroiliac joint")
    page = show(browser, media, joint.question)
    (target,) = boxes(page, ".fd-io-target")
    assert boxes(page, ".fd-io-other") == []
    shot = screenshot(page)
    assert all(near(shot.getpixel(p), TARGET) for p in interior(target))
    page.add_style_tag(content=".fd-io-layer { display: none; }")
    bare = screenshot(page)
    assert not any(near(bare.getpixel(p), TARGET) for p in interior(target))
    page.close()


def test_masks_cover_each_label_as_chromium_lays_it_out(browser: Any) -> None:
    """Our geometry (svgelements) against the browser's: transforms, and text inside boxes."""
    deck = expanded(REAL_DECK).deck
    page = browser.new_page(viewport={"width": 800, "height": 600})
    checked = 0
    for entry in deck.entries:
        fact = entry.fact
        if not isinstance(fact, Diagram):
            continue
        path = REAL_DECK / fact.image
        drawing = read_drawing(path, entry.location)
        svg_text = re.sub(r"<\?xml[^>]*\?>", "", path.read_text(encoding="utf-8"))
        page.set_content(f'<html><body style="margin:0">{svg_text}</body></html>')
        size = page.eval_on_selector(
            "svg", "s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height]"
        )
        for mask in measure_masks(fact, drawing, path.name, entry.location):
            for shape in mask.shapes:
                x, y, w, h = page.eval_on_selector(
                    f"#{shape.id}",
                    "e => { const r = e.getBoundingClientRect(); "
                    "return [r.x, r.y, r.width, r.height]; }",
                )
                ours = (
                    shape.box.left * size[0],
                    shape.box.top * size[1],
                    shape.box.right * size[0],
                    shape.box.bottom * size[1],
                )
                theirs = (x, y, x + w, y + h)
                # ours includes the box's stroke (about 1px); Chromium's includes the text
                assert all(abs(a - b) <= 2 for a, b in zip(ours, theirs, strict=True)), (
                    fact.id,
                    shape.id,
                    ours,
                    theirs,
                )
                checked += 1
    page.close()
    assert checked >= 12
