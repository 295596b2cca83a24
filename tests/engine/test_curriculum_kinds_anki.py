"""The curriculum kinds (muscle; structure's contents and borders; condition's signs,
symptoms, contraindications and cautions) as students get them: imported into the official
Anki engine, every note arrives with one card per question or cloze, each renders its
question on the front and its answer on the back, and no card is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.anki import ids
from factdeck.facts.model import cloze_numbers
from factdeck.pipeline import build, expanded
from tests.practice.test_muscle_kinds import FACTS
from tests.support.decks import PRACTICE_DECK as DECK
from tests.support.decks import write_tree
from tests.support.engine import import_package, open_collection, render_all, shown_text

pytestmark = pytest.mark.engine


def test_curriculum_kinds_render_in_the_engine(project: Path, tmp_path: Path) -> None:
    deck = write_tree(project / "cards" / "knee", {"deck.yaml": DECK, "facts.yaml": FACTS})
    notes = expanded(deck).notes
    expected = sum(len(cloze_numbers(n.fields[0])) if n.note_type == "cloze" else 1 for n in notes)
    result = build(deck, project / "dist")
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, result.apkg)
        cards = render_all(col)
        assert len(cards) == expected
        assert col.get_empty_cards().notes == []
        by_guid = {col.get_note(c.note_id).guid: c for c in cards if c.note_type.endswith("Q/A")}
        origin = by_guid[ids.guid_for("practice", "rf", "origin-reverse")]
        assert "Which quadriceps muscle originates from the anterior inferior iliac spine?" in (
            shown_text(origin.question)
        )
        assert "The rectus femoris" in shown_text(origin.answer)
        nerve = by_guid[ids.guid_for("practice", "sm", "innervation")]
        assert "Which nerve innervates the semimembranosus?" in shown_text(nerve.question)
        assert "The tibial nerve (L5–S2)" in shown_text(nerve.answer)
        contents = sorted(
            (c for c in cards if "Contents of the carpal tunnel" in shown_text(c.question)),
            key=lambda c: c.card_id,
        )
        assert len(contents) == 2
        fronts = [shown_text(c.question) for c in contents]
        assert "[...]" in fronts[0] and "the median nerve" not in fronts[0]
        assert "the flexor tendons" in fronts[0]
        assert "the median nerve" in shown_text(contents[0].answer)
        for field in ("Signs of", "Symptoms of", "Contraindicated in", "Cautions in"):
            (card,) = [c for c in cards if shown_text(c.question).startswith(field)]
            assert "[...]" in shown_text(card.question), card.question
        practice = [c for c in cards if c.note_type == "factdeck Multiple Choice"]
        assert {c.deck for c in practice} == {"Practice::Exam Practice"}
        assert all(shown_text(c.answer).count("✓ Answer") == 1 for c in practice)
    finally:
        col.close()
