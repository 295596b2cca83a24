"""A corrected cloze answer's notice as students see it (issue 21, item 4): Anki renders each
card of the corrected note, Chromium lays it out in the body Anki's reviewers give a card
(`card cardN`). The replaced card shows only the removal notice (the note type's CSS on its
empty cloze); the other cards never show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.engine.test_release_anki import publish
from tests.history.test_release import FACTS
from tests.support.decks import EPOCH
from tests.support.engine import import_package, open_collection

CORRECTED = FACTS.replace("{{c1::big}}", "{{c1::huge}}").replace(
    "subdeck: part", 'subdeck: part\n        correction: {in: "1.1.0", why: Wrong.}', 1
)


NOTICE = "This card was removed from the deck: what it asked was taken out, or corrected"
SHOWN = """() => {  // the text, and the CSS notice on an empty cloze
  const cloze = getComputedStyle(document.querySelector(".fd-cloze"), "::after").content;
  return (cloze === "none" ? "" : cloze.slice(1, -1) + " ") + document.body.innerText;
}"""


def test_the_replaced_card_shows_only_its_notice(
    browser: Any, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch))
        v2 = publish(mini_deck, project, "1.1.0", CORRECTED, EPOCH + 86_400, monkeypatch)
        import_package(col, v2)
        sides = {
            (card.ord + 1, side): getattr(card, side)()
            for card_id in col.find_cards("beta")
            for card in (col.get_card(card_id),)
            for side in ("question", "answer")
        }
    finally:
        col.close()
    page = browser.new_page(viewport={"width": 390, "height": 900})
    shown = {}
    try:
        for (number, side), html in sides.items():
            path = tmp_path / f"{number}-{side}.html"
            path.write_text(
                '<!doctype html><html><head><meta charset="utf-8"></head>'
                f'<body class="card card{number}">{html}</body></html>',
                encoding="utf-8",
            )
            page.goto(path.as_uri())
            shown[number, side] = " ".join(page.evaluate(SHOWN).split())
    finally:
        page.close()
    assert shown[1, "question"].startswith(NOTICE) and "beta" not in shown[1, "question"]
    assert shown[1, "answer"].startswith(NOTICE) and "huge" not in shown[1, "answer"]
    assert shown[3, "question"].startswith("The beta is [...] and blue.")
    assert shown[3, "answer"].startswith("The beta is huge and blue.")
    assert shown[2, "question"].startswith("The beta is huge and [...].")
    assert not any(NOTICE in shown[n, s] for n in (2, 3) for s in ("question", "answer"))
