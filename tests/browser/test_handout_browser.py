"""The printable handout: `factdeck preview --pdf` run as an author runs it (its own process,
Debian's Chromium), and the print stylesheet seen in the browser with print media."""

from __future__ import annotations

import os
import re
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
        env={**os.environ, "FACTDECK_CHROMIUM": str(CHROMIUM), "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "handout  dist/knee-handout.pdf" in done.stdout
    return project


def _pages(project: Path) -> list[str]:
    reader = PdfReader(project / "dist" / "knee-handout.pdf")
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_every_card_is_printed_whole_with_its_question_and_answer(handout: Path) -> None:
    pages = _pages(handout)
    checked = expanded(handout / "cards" / "knee")
    cards = sum(1 for page in pages for _ in re.finditer(r"\bFRONT\b", page))
    types = checked.templates.note_types
    made = sum(len(types[note.note_type].card_ords(note.fields)) for note in checked.notes)
    assert len(pages) >= 2 and made > len(checked.notes) and cards == made
    for page in pages:  # a card's head (FRONT) and foot (Source:) on the same page
        assert page.count("FRONT") == page.count("BACK") == page.count("Source:"), page
    qa = [note for note in checked.notes if note.note_type == "qa"]
    assert qa
    bare = ["".join(page.split()) for page in pages]  # lines may break after a dash
    for note in qa:
        question, answer = ("".join(text_of(field).split()) for field in note.fields[:2])
        assert any(question in page and answer in page for page in bare), question
    assert not any("Night mode" in page or "all sub-decks" in page for page in pages)


def test_printed_answers_show_the_diagram_with_its_labels(handout: Path, browser: Any) -> None:
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto((handout / "dist" / "knee-preview" / "index.html").as_uri())
    page.wait_for_selector("body[data-ready]")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    shown = page.evaluate("""() => [...document.querySelectorAll('.pv-host')].flatMap(h =>
        [...h.shadowRoot.querySelectorAll('.fd-io-other, .pv-io-inactive')].map(m =>
          [h.dataset.side, getComputedStyle(m).display !== 'none']))""")
    assert {side for side, _ in shown} == {"front", "back"}
    assert all(visible == (side == "front") for side, visible in shown), shown
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.pv-card')).breakInside") == "avoid"
    )
    page.close()
