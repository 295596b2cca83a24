"""The removal notice as students see it in a browser (issue 21): a student of 2.0.0 imports
the deck's next release (2.1.0, as built today), a student of a course imports the release
that takes a list item out.
Anki renders each card of the notes concerned; Chromium shows it with Anki's own reviewer
script (the desktop's `reviewer.js`, which draws image occlusion, as AnkiDroid's copy does)
in the body Anki gives a card. A card taken out shows the notice in the window, and
nothing else does; no script error."""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.engine import import_package, open_collection
from tests.support.notices import (
    RELEASE_2_0_0,
    SEARCH,
    course_releases,
    next_shipped_release,
    removed_numbers,
)

NOTICE = "This card was removed from the deck"


@dataclass(frozen=True)
class Shown:
    removed: bool
    note_type: str
    side: str
    notice: str  # the ::after text on the card's empty cloze, or ""
    inside: bool  # the notice's box is in the window
    text: str  # what the page says, as text
    errors: tuple[str, ...]


def reviewer_script() -> Path:
    """The reviewer script of the installed Anki desktop (PyPI aqt keeps it in `_aqt`)."""
    spec = importlib.util.find_spec("_aqt")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        script = Path(folder) / "data" / "web" / "js" / "reviewer.js"
        if script.is_file():
            return script
    reason = "needs Anki desktop's reviewer script: PyPI aqt (pip install -e '.[desktop]')"
    if os.environ.get("FACTDECK_REQUIRE_DESKTOP"):
        pytest.fail(reason)
    pytest.skip(reason)


_STATE = """() => {
  const el = document.querySelector(".fd-cloze") || document.getElementById("err");
  const r = el.getBoundingClientRect();
  const notice = getComputedStyle(el, "::after").content;
  return {notice: notice === "none" ? "" : notice, inside: r.height > 0 && r.bottom <= innerHeight,
          text: document.body.innerText};
}"""


@pytest.fixture(scope="module")
def shown(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> list[Shown]:
    script = reviewer_script()
    v1, v2 = course_releases(tmp_path_factory.mktemp("course"))
    shipped = next_shipped_release(tmp_path_factory.mktemp("shipped"))
    col = open_collection(tmp_path_factory.mktemp("student"))
    try:
        for apkg in (RELEASE_2_0_0, shipped, v1, v2):
            import_package(col, apkg)
        cards = [
            (card.ord + 1 in removed_numbers(note.tags), card, note)
            for note_id in col.find_notes(SEARCH)
            for note in (col.get_note(note_id),)
            for card in note.cards()
        ]
        sides = [
            (removed, card.ord + 1, note.note_type()["name"], side, getattr(card, side)())
            for removed, card, note in cards
            for side in ("question", "answer")
        ]
        media = Path(col.media.dir())
    finally:
        col.close()
    shutil.copy(script, media / "_reviewer.js")
    page = browser.new_page(viewport={"width": 400, "height": 800})
    found = []
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for removed, number, note_type, side, html in sides:
            errors.clear()
            path = media / "_card.html"
            path.write_text(
                '<!doctype html><html><head><meta charset="utf-8">'
                '<script src="_reviewer.js"></script></head>'
                f'<body class="card card{number}"><div id="qa">{html}</div></body></html>',
                encoding="utf-8",
            )
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            state = page.evaluate(_STATE)
            text = " ".join(state["text"].split())
            found.append(
                Shown(
                    removed, note_type, side, state["notice"], state["inside"], text, tuple(errors)
                )
            )
    finally:
        page.close()
    return found


def test_every_card_taken_out_shows_the_notice_in_the_window(shown: list[Shown]) -> None:
    removed = [s for s in shown if s.removed]
    kinds = {s.note_type for s in removed}
    assert kinds == {"factdeck Cloze", "factdeck Image Occlusion"}
    assert len(removed) >= 2 * 8  # 6 masks and corrected answers of the shipped deck, 1 item
    for s in removed:
        assert s.notice.startswith(f'"{NOTICE}') and s.inside, s
        assert "Error" not in s.text and "No cloze" not in s.text, s


def test_no_other_card_shows_it(shown: list[Shown]) -> None:
    others = [s for s in shown if not s.removed]
    assert others
    assert all(s.notice == "" and NOTICE not in s.text for s in others)


def test_no_script_error(shown: list[Shown]) -> None:
    assert [s for s in shown if s.errors] == []
