"""`factdeck serve` patching the open page (issue 23): a saved edit replaces only the cards
of the parts whose bytes changed, in place (no reload: a marker set on `window` survives;
the search, filters and scroll stay), and the page drawn so equals a fresh load of the same
build; a change to the page's shell (here a tag, so the tag filter's list) reloads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.serving import Server

UPDATE_MS = 30_000  # generous on a busy 2-core machine
EXTRA = 150  # statements added to the example deck: more than the first part's 100 cards
# Every card's anchor and drawn faces, in page order (beforeprint draws every card).
CARDS = """() => {
  window.dispatchEvent(new Event("beforeprint"));
  return [...document.querySelectorAll("article.pv-card")].map((card) => [
    card.id,
    card.className,
    [...card.querySelectorAll(".pv-host")].map((h) => h.shadowRoot.textContent).join("|"),
    card.querySelector(".pv-card-foot").textContent,
  ]);
}"""
# The scroll position, once it has not moved for a tenth of a second (cards drawn near the
# screen take their size, and the browser keeps what is on screen in place).
STILL = """async () => {
  for (let last = -1; ; last = window.scrollY) {
    await new Promise((done) => setTimeout(done, 100));
    if (window.scrollY === last) return last;
  }
}"""
SHOWN = "(words) => document.getElementById('pv-cards').textContent.includes(words[0])"
DRAWN = """(words) => [...document.querySelectorAll(".pv-host")].some(
  (host) => host.shadowRoot && host.shadowRoot.textContent.includes(words))"""


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    result = CliRunner().invoke(main, ["new", str(project / "cards" / "knee"), "-q"])
    assert result.exit_code == 0, result.output
    facts = project / "cards" / "knee" / "examples.yaml"
    extra = "".join(
        f"\n  - id: example-count-{n}\n    kind: statement\n"
        f"    text: Statement number {n} says {{{{c1::word{n}}}}} here.\n"
        "    tags: [exam::anatomy]\n"
        for n in range(EXTRA)
    )
    facts.write_text(facts.read_text(encoding="utf-8") + extra, encoding="utf-8")
    running = Server(project)
    yield running
    running.kill()


def _open(browser: Any, server: Server, height: int = 800) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": height})
    page.goto(server.url)
    page.wait_for_selector("body[data-ready]")
    return page


def _save(facts: Path, old: str, new: str) -> None:
    text = facts.read_text(encoding="utf-8")
    assert old in text
    facts.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_is_patched_in_keeping_search_filters_and_scroll(
    server: Server, browser: Any, project: Path
) -> None:
    facts = project / "cards" / "knee" / "examples.yaml"
    page = _open(browser, server, height=600)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.evaluate("window.notReloaded = true")
    page.fill("#pv-search", "statement number")
    page.select_option("#pv-type", index=1)  # the statements' note type, the first listed
    chosen = page.input_value("#pv-type")
    shown = page.inner_text("#pv-count")
    page.evaluate("document.querySelector('article[id^=\"example-count-120--\"]').scrollIntoView()")
    page.wait_for_function(DRAWN, arg="word120")
    scrolled = page.evaluate(STILL)
    assert scrolled > 0

    _save(facts, "{{c1::word120}}", "{{c1::changed120}}")
    page.wait_for_function(DRAWN, arg="changed120", timeout=UPDATE_MS)

    assert page.evaluate("window.notReloaded")  # patched, not reloaded
    assert page.input_value("#pv-search") == "statement number"
    assert page.input_value("#pv-type") == chosen
    assert page.inner_text("#pv-count") == shown
    assert page.evaluate(STILL) == scrolled
    assert page.locator("#fd-live-error").count() == 0
    # the filters still apply to the replaced cards: the search hides the others
    visible = page.evaluate(
        "[...document.querySelectorAll('article.pv-card')].filter((card) => !card.hidden)"
        ".map((card) => card.id.split('--')[0])"
    )
    assert visible == [f"example-count-{n}" for n in range(EXTRA)]
    # only the part holding the edited card was fetched again (the page itself was not)
    assert [url.rsplit("/", 2)[-2:] for url in fetched] == [["parts", "0002.js"]]
    page.close()
    code, errors = server.stop()
    assert code == 0 and "Traceback" not in errors, errors


def test_the_page_patched_equals_a_fresh_load(server: Server, browser: Any, project: Path) -> None:
    facts = project / "cards" / "knee" / "examples.yaml"
    page = _open(browser, server)
    page.evaluate("window.notReloaded = true")
    _save(facts, "{{c1::largest}}", "{{c1::widest}}")
    _save(facts, "{{c1::word3}}", "{{c1::third}}")  # the first part, and the second:
    _save(facts, "{{c1::word140}}", "{{c1::last}}")  # saved apart, or as one batch
    every = (
        f"(words) => {{ window.dispatchEvent(new Event('beforeprint')); return ({DRAWN})(words); }}"
    )
    page.wait_for_function(every, arg="last", timeout=UPDATE_MS)
    page.wait_for_function(every, arg="third", timeout=UPDATE_MS)
    page.wait_for_function(every, arg="widest", timeout=UPDATE_MS)
    patched = page.evaluate(CARDS)
    assert page.evaluate("window.notReloaded")
    fresh = _open(browser, server)
    assert patched == fresh.evaluate(CARDS)
    assert "widest" in str(patched) and "largest" not in str(patched)
    page.close()
    fresh.close()
    server.stop()


def test_a_changed_shell_reloads_the_page(server: Server, browser: Any, project: Path) -> None:
    """A tag changed changes the tag filter's counts, which are in the page, not a part."""
    facts = project / "cards" / "knee" / "examples.yaml"
    page = _open(browser, server)
    page.evaluate("window.notReloaded = true")
    text = facts.read_text(encoding="utf-8")
    start = text.index("  - id: example-sciatic-size")
    edited = text[start:].replace("tags: [exam::anatomy]", "tags: [exam::pathology]", 1)
    facts.write_text(text[:start] + edited, encoding="utf-8")
    page.wait_for_function(
        "!window.notReloaded && document.body.dataset.ready"
        " && document.getElementById('pv-tag').textContent.includes('pathology (4)')",
        timeout=UPDATE_MS,
    )
    page.close()
    server.stop()
