"""`factdeck serve` as an author uses it: the real command in its own process, the page in
Debian's Chromium. Editing a fact updates the open page within seconds, without a reload
(its cards patched in place: tests/browser/test_serve_patch_browser.py); a broken fact
shows its error in the page, and fixing it clears the error; Ctrl-C stops the server
cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.serving import Server

UPDATE_MS = 30_000  # generous on a busy 2-core machine; a rebuild takes well under a second
# The cards' text as drawn (the page loads them from parts/*.js and draws the cards in view
# into shadow roots; TALL makes every card of the small test deck be in view).
TALL = {"width": 1280, "height": 40_000}
DATA = (
    "[...document.querySelectorAll('.pv-host')]"
    ".map(h => h.shadowRoot ? h.shadowRoot.textContent : '').join(' ')"
)


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    result = CliRunner().invoke(main, ["new", str(project / "cards" / "knee"), "-q"])
    assert result.exit_code == 0, result.output
    running = Server(project)
    yield running
    running.kill()


def test_the_page_follows_edits_errors_and_fixes(
    server: Server, browser: Any, project: Path
) -> None:
    facts = project / "cards" / "knee" / "examples.yaml"
    good = facts.read_text(encoding="utf-8")
    page = browser.new_page(viewport=TALL)
    page.goto(server.url)
    page.wait_for_selector("body[data-ready]")
    page.wait_for_function(f"{DATA}.includes('largest')", timeout=UPDATE_MS)  # drawn in view
    page.evaluate("window.notReloaded = true")

    facts.write_text(good.replace("{{c1::largest}}", "{{c1::widest}}"), encoding="utf-8")
    page.wait_for_function(f"{DATA}.includes('widest')", timeout=UPDATE_MS)
    assert page.locator("#fd-live-error").count() == 0
    assert page.evaluate("window.notReloaded")  # its cards patched in place

    broken = good.replace("    name: piriformis\n", "    name: piriformis\n    colour: red\n")
    facts.write_text(broken, encoding="utf-8")
    error = page.wait_for_selector("#fd-live-error", timeout=UPDATE_MS)
    line = broken.splitlines().index("    colour: red") + 1
    assert (
        f"cards/knee/examples.yaml:{line}: fact 'example-piriformis': unknown field 'colour'"
    ) in error.inner_text()
    assert page.evaluate("window.notReloaded")  # the last good cards stay on screen

    facts.write_text(good.replace("{{c1::largest}}", "{{c1::thickest}}"), encoding="utf-8")
    page.wait_for_function(f"{DATA}.includes('thickest')", timeout=UPDATE_MS)
    assert page.locator("#fd-live-error").count() == 0
    assert page.evaluate("window.notReloaded")
    page.close()

    code, errors = server.stop()
    assert code == 0 and "Traceback" not in errors, errors


def test_the_written_preview_has_no_live_script(server: Server, project: Path) -> None:
    """The files on disk stay the static, file:// preview; only the served page is live."""
    written = (project / "dist" / "knee-preview" / "index.html").read_text(encoding="utf-8")
    assert "__factdeck" not in written and 'id="pv-data"' in written
    server.stop()


def test_a_deck_that_does_not_build_yet_shows_why_then_its_cards(
    project: Path, browser: Any
) -> None:
    result = CliRunner().invoke(main, ["new", str(project / "cards" / "knee"), "-q"])
    assert result.exit_code == 0, result.output
    deck = project / "cards" / "knee" / "deck.yaml"
    good = deck.read_text(encoding="utf-8")
    deck.write_text(good.replace("slug: knee", "slug: Knee Deck"), encoding="utf-8")
    server = Server(project)
    try:
        page = browser.new_page(viewport=TALL)
        page.goto(server.url)
        error = page.wait_for_selector("#fd-live-error", timeout=UPDATE_MS)
        assert "cards/knee/deck.yaml:" in error.inner_text()
        assert "'Knee Deck' is not a valid id" in error.inner_text()
        deck.write_text(good, encoding="utf-8")
        page.wait_for_selector("body[data-ready]", timeout=UPDATE_MS)
        page.wait_for_function(f"{DATA}.includes('largest')", timeout=UPDATE_MS)
        assert page.locator("#fd-live-error").count() == 0
        page.close()
    finally:
        code, errors = server.stop()
    assert code == 0 and "Traceback" not in errors, errors


def test_the_page_says_what_happened_to_the_deck_folder(
    server: Server, browser: Any, project: Path
) -> None:
    """A deck.yaml made a folder, then the deck folder renamed away: each shows in the page
    as the file and what is wrong; put back, the cards come back. The server lives on."""
    deck = project / "cards" / "knee"
    deck_file = deck / "deck.yaml"
    text = deck_file.read_text(encoding="utf-8")
    server.watching(deck / "examples.yaml")
    page = browser.new_page(viewport=TALL)
    page.goto(server.url)
    page.wait_for_function(f"{DATA}.includes('largest')", timeout=UPDATE_MS)
    shown = "(document.getElementById('fd-live-error') || {}).textContent || ''"

    deck_file.unlink()
    deck_file.mkdir()
    page.wait_for_function(
        f"{shown}.includes('cards/knee/deck.yaml: is a folder, not a file')", timeout=UPDATE_MS
    )
    deck_file.rmdir()
    deck_file.write_text(text, encoding="utf-8")
    page.wait_for_function(f"!{shown} && {DATA}.includes('largest')", timeout=UPDATE_MS)

    deck.rename(project / "cards" / "knee-old")
    page.wait_for_function(
        f'{shown}.includes("cards/knee: the deck\'s folder is gone")', timeout=UPDATE_MS
    )
    (project / "cards" / "knee-old").rename(deck)
    page.wait_for_function(f"!{shown} && {DATA}.includes('largest')", timeout=UPDATE_MS)
    page.close()

    code, errors = server.stop()
    assert code == 0 and "Traceback" not in errors, errors
