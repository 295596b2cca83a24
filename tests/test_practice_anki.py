"""Practice questions as students get them: imported into the official Anki engine, every
practice card shows four lettered options on the front and marks exactly one on the back,
the right one, with no JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

from anki_engine import import_package, open_collection, render_all
from conftest import write_tree
from factdeck.pipeline import build, expanded
from factdeck.practice import PRACTICE_TAG
from test_practice import DECK, FACTS, options_of, practice_notes

_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_FRONT_OPTION = re.compile(r'<li class="fd-mcq-option"><span class="fd-mcq-letter">([A-D])\.')
_CORRECT = re.compile(r'fd-mcq-correct"><span class="fd-mcq-letter">([A-D])\.</span> '
                      r'<span class="fd-mcq-text">([^<]*)</span> <span class="fd-mcq-mark">'
                      r'✓ Answer')


def test_every_practice_card_renders_four_options_and_marks_exactly_the_right_one(
        project: Path, tmp_path: Path) -> None:
    deck = write_tree(project / "cards" / "practice", {"deck.yaml": DECK, "facts.yaml": FACTS})
    result = build(deck, project / "dist")
    answers = {note.guid: next(text for _, text, mark in options_of(note) if mark == "correct")
               for note in practice_notes(expanded(deck)).values()}
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, result.apkg)
        cards = [c for c in render_all(col) if c.note_type == "factdeck Multiple Choice"]
        assert len(cards) == len(answers) == 9
        for card in cards:
            note = col.get_note(card.note_id)
            front, back = _STYLE.sub("", card.question), _STYLE.sub("", card.answer)
            assert card.deck == "Practice::Exam Practice" and PRACTICE_TAG in card.tags
            assert "<script" not in front and "<script" not in back
            assert _FRONT_OPTION.findall(front) == ["A", "B", "C", "D"], front
            assert "fd-mcq-correct" not in front and "✓" not in front
            marked = _CORRECT.findall(back)
            assert len(marked) == 1, back
            assert back.count("fd-mcq-wrong") == 3
            assert marked[0][1] == answers[note.guid]
            assert note["Answer"] == f"{marked[0][0]}. {answers[note.guid]}"
        assert col.get_empty_cards().notes == []
    finally:
        col.close()
