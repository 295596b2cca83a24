"""Practice questions as students get them: imported into the official Anki engine, every
practice card shows four lettered options on the front and marks exactly one on the back,
the right one, with no JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

from anki.collection import Collection

from factdeck.pipeline import BuildResult, build, expanded
from factdeck.practice import PRACTICE_TAG
from tests.practice.test_practice import options_of, practice_notes
from tests.support.decks import REAL_DECK, practice_deck
from tests.support.engine import import_package, open_collection, render_all

_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_FRONT_OPTION = re.compile(r'<li class="fd-mcq-option"><span class="fd-mcq-letter">([A-D])\.')
_CORRECT = re.compile(
    r'fd-mcq-correct"><span class="fd-mcq-letter">([A-D])\.</span> '
    r'<span class="fd-mcq-text">([^<]*)</span> <span class="fd-mcq-mark">'
    r"✓ Answer"
)


def test_every_practice_card_renders_four_options_and_marks_exactly_the_right_one(
    project: Path, tmp_path: Path
) -> None:
    deck = practice_deck(project / "cards" / "practice")
    result = build(deck, project / "dist")
    answers = {
        note.guid: next(text for _, text, mark in options_of(note) if mark == "correct")
        for note in practice_notes(expanded(deck)).values()
    }
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


def _bare(text: str) -> str:
    """Lowercase words, brackets and articles out: an independent reading of 'the same'."""
    text = re.sub(r"\([^)]*\)|\b(?:the|a|an)\b|[^\w\s]", " ", text.lower())
    return " ".join(text.split())


def test_the_shipped_deck_s_practice_cards_in_the_anki_engine(
    shipped_collection: Collection, built_real_deck: BuildResult
) -> None:
    """However many practice questions the deck asks (the rendering itself is tested on the
    practice deck above): each one in the engine is its note, in the practice sub-deck, with
    no wrong option that is also right."""
    checked = expanded(REAL_DECK)
    notes = {n.guid: n for n in checked.notes if PRACTICE_TAG in n.tags}
    facts = {e.fact.id: e.fact for e in checked.deck.entries}
    cards = [c for c in render_all(shipped_collection) if c.note_type == "factdeck Multiple Choice"]
    assert len(cards) == len(notes)
    for card in cards:
        note = shipped_collection.get_note(card.note_id)
        spec = notes[note.guid]
        assert card.deck == "Low Back Pain::Exam Practice"
        front, back = _STYLE.sub("", card.question), _STYLE.sub("", card.answer)
        assert _FRONT_OPTION.findall(front) == ["A", "B", "C", "D"]
        (marked,) = _CORRECT.findall(back)
        assert note["Answer"] == f"{marked[0]}. {marked[1]}"
        # no wrong option is the answer, one of its synonyms, or contains / is inside one
        fact = facts[spec.fact_id]
        right = {_bare(t) for t in (marked[1], *getattr(fact, "aka", ()), *fact.also_accept)}
        for _, text, mark in options_of(spec):
            if mark == "wrong":
                assert all(_bare(text) not in r and r not in _bare(text) for r in right), (
                    spec.fact_id,
                    text,
                )
