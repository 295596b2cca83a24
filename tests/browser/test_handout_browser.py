"""The printable handout: `factdeck preview --pdf` run as an author runs it (its own process,
Debian's Chromium), and the print stylesheet seen in the browser with print media."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from factdeck.cli.main import main
from factdeck.pipeline import expanded
from factdeck.preview.page import text_of
from tests.support.browser import CHROMIUM
from tests.support.decks import TEMPLATES


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Path:
    """A new deck (every kind, a diagram) printed to PDF. `browser`: skip where no Chromium."""
    project = tmp_path_factory.mktemp("handout")
    (project / "templates").symlink_to(TEMPLATES)
    deck = project / "cards" / "knee"
    assert CliRunner().invoke(main, ["new", str(deck), "-q"]).exit_code == 0
    # Playwright and Chromium keep their working files beside the PDF: the system's
    # temporary folder and the home folder, empty, stay empty
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "tmp").mkdir()
    (elsewhere / "home").mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from factdeck.cli.main import main; main()",
            "preview",
            str(deck),
            "--pdf",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("XDG_CONFIG")},
            "FACTDECK_CHROMIUM": str(CHROMIUM),
            "NO_COLOR": "1",
            "TMPDIR": str(elsewhere / "tmp"),
            "HOME": str(elsewhere / "home"),
        },
    )
    assert done.returncode == 0, done.stderr
    assert "handout  dist/knee-handout.pdf" in done.stdout
    assert list((elsewhere / "home").iterdir()) == list((elsewhere / "tmp").iterdir()) == []
    assert list((project / "dist").glob(".*")) == []
    return project


def _pages(project: Path) -> list[str]:
    reader = PdfReader(project / "dist" / "knee-handout.pdf")
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_cards_are_packed_and_each_diagram_prints_once_on_its_own_page(handout: Path) -> None:
    """Page by page: the scaffold's diagram (3 masks, so 3 cards) is one sheet alone on the
    first page (after the title) with its labels listed; the other cards, several to a
    page, each whole (its head, FRONT, and its foot, Source:, on one page)."""
    pages = _pages(handout)
    checked = expanded(handout / "cards" / "knee")
    types = checked.templates.note_types
    made = sum(len(types[note.note_type].card_ords(note.fields)) for note in checked.notes)
    diagram_cards = sum(
        len(types[note.note_type].card_ords(note.fields))
        for note in checked.notes
        if note.note_type == "io-native"
    )
    assert diagram_cards == 3
    counts = [page.count("FRONT") for page in pages]
    assert counts[0] == 1 and "1. sciatic nerve 2. tibial nerve 3. fibular nerve" in pages[0]
    assert "factdeck Image Occlusion · 3 cards" in pages[0]
    assert sum(counts[1:]) == made - diagram_cards
    others = made - diagram_cards  # one card a page before packing
    assert len(pages) <= 1 + -(-others // 3), counts  # at least three cards a page
    assert all(count >= 3 for count in counts[1:-1]), counts  # only the last page part-full
    for page in pages:
        assert page.count("FRONT") == page.count("BACK") == page.count("Source:"), page
        assert "Toggle Masks" not in page
    qa = [note for note in checked.notes if note.note_type == "qa"]
    assert qa
    bare = ["".join(page.split()) for page in pages]  # lines may break after a dash
    for note in qa:
        question, answer = ("".join(text_of(field).split()) for field in note.fields[:2])
        # printed once: the answer side leaves out the question it repeats
        assert sum(page.count(question) for page in bare) == 1, question
        assert any(question in page and answer in page for page in bare), question
    assert not any("Night mode" in page or "all sub-decks" in page for page in pages)


def test_the_printed_sheet_numbers_every_mask_and_hides_the_rest(
    handout: Path, browser: Any
) -> None:
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto((handout / "dist" / "knee-preview" / "index.html").as_uri())
    page.wait_for_selector("body[data-ready]")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    printed = page.evaluate("""() => [...document.querySelectorAll('article.pv-card')]
        .filter(a => getComputedStyle(a).display !== 'none'
                     && a.querySelector('.pv-host').shadowRoot.querySelector('.pv-io-layer'))
        .map(a => a.id)""")
    assert printed == ["example-figure-leg--occlusion--1"]  # not its cards 2 and 3
    skipped = page.evaluate("""() => [...document.querySelectorAll('article.pv-print-skip')]
        .map(a => getComputedStyle(a).display)""")
    assert skipped == ["none", "none"]
    masks = page.evaluate("""() => [...document.querySelectorAll('.pv-sheet .pv-host')].map(h =>
        [h.dataset.side, [...h.shadowRoot.querySelectorAll('.pv-io-mask')].filter(m =>
          getComputedStyle(m).display !== 'none').map(m =>
            [m.dataset.n, getComputedStyle(m, '::after').content,
             getComputedStyle(m).backgroundColor])])""")
    yellow = "rgb(255, 235, 162)"  # one colour: no mask tells which card it was
    assert masks == [
        ["front", [["1", '"1"', yellow], ["2", '"2"', yellow], ["3", '"3"', yellow]]],
        ["back", []],
    ]
    labels = page.evaluate("""() => [...document.querySelectorAll('.pv-sheet .pv-labels li')]
        .map(li => [li.value, li.textContent])""")
    assert labels == [[1, "sciatic nerve"], [2, "tibial nerve"], [3, "fibular nerve"]]
    buttons = page.evaluate("""() => [...document.querySelectorAll('.pv-host')].flatMap(h =>
        [...h.shadowRoot.querySelectorAll('button')].map(b => getComputedStyle(b).display))""")
    assert buttons and set(buttons) == {"none"}
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.pv-card')).breakInside") == "avoid"
    )
    page.emulate_media(media="screen")  # the screen preview keeps every card and no list
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.pv-print-skip')).display")
        == "block"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('.pv-labels')).display") == "none"
    page.close()
