"""Instructors publish version 2; students re-import it over months of reviews (issue 5).

Everything here happens in the official Anki engine with its default import options.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.pipeline import build
from factdeck.release import release
from tests.support.decks import EPOCH, write_tree
from tests.support.engine import import_package, open_collection, render_all

V1 = """
    facts:
      - {id: keep, kind: question, question: Unchanged question?, answer: Same, source: body}
      - {id: edit, kind: question, question: Edited question?, answer: L1-L3, source: body}
      - {id: drop, kind: question, question: Retired question?, answer: Gone, source: body}
      - id: list
        kind: statement
        text: "Supplies {{c1::skin}} and {{c2::muscle}}."
        source: body
"""
V2 = """
    facts:
      - {id: keep, kind: question, question: Unchanged question?, answer: Same, source: body}
      - {id: edit, kind: question, question: Edited question?, answer: L1–L3 (fixed), source: body}
      - {id: new, kind: question, question: Brand new question?, answer: New, source: body}
      - id: list
        kind: statement
        text: "Supplies {{c1::skin}}, {{c2::muscle}} and {{c3::fascia}}."
        source: body
"""


def build_version(
    deck: Path, out: Path, facts: str, when: int, monkeypatch: pytest.MonkeyPatch
) -> Path:
    write_tree(deck, {"facts.yaml": facts})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(when))
    return build(deck, out).apkg


def test_version_two_updates_in_place_and_keeps_reviews(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "dist"
    write_tree(mini_deck, {"facts.yaml": V1})
    v1_copy = release(mini_deck, out).apkg  # release 1: what students have

    col = open_collection(tmp_path / "student")
    assert import_package(col, v1_copy).new == 4
    reviewed = {}
    col.decks.select(col.decks.id_for_name("Mini"))
    for _ in range(3):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
        reviewed[card.id] = col.get_card(card.id).ivl
    revlog_before = col.db.scalar("select count() from revlog")
    before = {c.card_id: c for c in render_all(col)}
    note_types_before = len(col.models.all_names_and_ids())

    css = project / "templates" / "base.css"
    css.write_text(css.read_text() + "\n.fd-question { letter-spacing: 0.01em; }\n")
    v2 = build_version(mini_deck, out, V2, EPOCH + 86_400, monkeypatch)
    log = import_package(col, v2)

    # Anki logs a matched note that is already up to date as "duplicate": only 'keep' is.
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (1, 2, 1, 0)
    # the retired note comes for release 1's students in its own package
    assert import_package(col, out / "mini-retired-since-1.0.0.apkg").updated == 1
    assert col.note_count() == 5  # keep, edit, list, new, and the retired note: none twice
    after = {c.card_id: c for c in render_all(col)}
    texts = [c.question for c in after.values()]
    assert sum("Edited question?" in t for t in texts) == 1
    edited = next(c for c in after.values() if "Edited question?" in c.question)
    assert "L1–L3 (fixed)" in edited.answer
    assert any("Brand new question?" in t for t in texts)
    # the list gained an item: a new card on the same note, the old cards kept
    assert (
        sum("fascia" in c.answer and c.note_type == "factdeck Cloze" for c in after.values()) == 3
    )
    retired = [c for c in after.values() if "factdeck::retired" in c.tags]
    # named by what it asked, as its students saw it (the release record), not its fact id
    assert len(retired) == 1 and "Retired card: Retired question?" in retired[0].question
    assert len(col.find_notes("tag:factdeck::retired")) == 1
    # unchanged notes untouched; no duplicated note types; CSS update applied in place
    keep = [c for c in after.values() if "Unchanged question?" in c.question]
    assert len(keep) == 1 and keep[0].card_id in before
    assert len(col.models.all_names_and_ids()) == note_types_before
    assert "letter-spacing: 0.01em" in keep[0].question
    # reviews and scheduling intact
    assert col.db.scalar("select count() from revlog") == revlog_before
    for card_id, ivl in reviewed.items():
        assert col.get_card(card_id).ivl == ivl
    col.close()


def test_reimporting_the_same_version_changes_nothing(
    mini_deck: Path, project: Path, tmp_path: Path
) -> None:
    apkg = build(mini_deck, project / "dist").apkg
    col = open_collection(tmp_path / "student")
    import_package(col, apkg)
    log = import_package(col, apkg)
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    assert log.duplicate == 3
    col.close()
