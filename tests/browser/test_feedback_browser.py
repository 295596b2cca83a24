"""The "Report a problem" link of a three-card cloze note, as Anki renders each back, laid out
by Chromium in the body Anki's reviewers give a card (`card cardN`): exactly one link shows,
the one naming card N."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from factdeck.pipeline import build
from tests.support.decks import small_deck
from tests.support.engine import import_package, open_collection

FACTS = """
    facts:
      - id: three
        kind: statement
        text: "The {{c1::alpha}}, the {{c2::beta}} and the {{c3::gamma}} are distinct."
        source: intro
"""


def test_each_back_shows_only_its_own_cards_link(
    browser: Any, project: Path, tmp_path: Path
) -> None:
    deck_dir = small_deck(project / "cards" / "mini", facts=FACTS)
    deck_yaml = (deck_dir / "deck.yaml").read_text("utf-8")
    (deck_dir / "deck.yaml").write_text(
        deck_yaml + 'feedback: "https://example.org/report?body={body}"\n', "utf-8"
    )
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, build(deck_dir, project / "dist").apkg)
        backs = {col.get_card(c).ord + 1: col.get_card(c).answer() for c in col.find_cards("")}
    finally:
        col.close()
    assert sorted(backs) == [1, 2, 3]
    page = browser.new_page(viewport={"width": 390, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for number, html in backs.items():
            path = tmp_path / f"back-{number}.html"
            path.write_text(
                '<!doctype html><html><head><meta charset="utf-8"></head>'
                f'<body class="card card{number}">{html}</body></html>',
                encoding="utf-8",
            )
            page.goto(path.as_uri())
            shown = page.evaluate("""() => [...document.querySelectorAll('a')]
                .filter(a => a.getBoundingClientRect().height > 0)
                .map(a => [a.innerText, a.href])""")
            [(text, href)] = shown
            assert text == "Report a problem with this card"
            body = parse_qs(urlsplit(href).query)["body"][0]
            assert f"\nCard: {number}\n" in body and "Fact: three\n" in body
    finally:
        page.close()
    assert errors == []
