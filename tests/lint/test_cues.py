"""cue-shares-answer (lint/rules/cues.py): a cue that shows a word or stem of its answer, on
small decks built through the real pipeline."""

from __future__ import annotations

from pathlib import Path

from tests.support.decks import MINI, Fact, deck_yaml, facts_yaml, question, small_deck
from tests.support.findings import linted


def found(
    tmp_path: Path, facts: list[Fact], rule: str = "cue-shares-answer", deck: str | None = None
) -> list[str]:
    deck_dir = small_deck(tmp_path / "deck", facts=facts_yaml(*facts), deck=deck)
    return [f"{f.fact_id}: {f.message}" for f in linted(deck_dir) if f.rule == rule]


def test_a_question_showing_the_answers_word(tmp_path: Path) -> None:
    facts = [
        question(
            "middle",
            "Which cluneal nerves carry sensation from the middle buttock?",
            "The medial cluneal nerves (middle cluneal nerves)",
        )
    ]
    assert found(tmp_path, facts) == [
        "middle: note 'qa': the cue shows 'middle', a word of the answer 'The medial cluneal "
        "nerves (middle cluneal nerves)': 'Which cluneal nerves carry sensation from the middle "
        "buttock?'; ask without naming part of the answer"
    ]


def test_a_shared_stem_counts(tmp_path: Path) -> None:
    facts = [question("fibres", "Which fibers carry sensation from the skin?", "Sensory fibers")]
    assert ["'sensation'" in m for m in found(tmp_path, facts)] == [True]


def test_a_bracketed_other_name_is_part_of_the_answer(tmp_path: Path) -> None:
    case = {
        "id": "case-one",
        "kind": "case",
        "presentation": "Pain over the middle buttock.",
        "question": "Which cluneal nerves are entrapped?",
        "answer": "The medial (middle) cluneal nerves",
        "why": "They supply the skin there.",
        "source": "body",
    }
    facts = [case]
    assert ["'middle'" in m for m in found(tmp_path, facts)] == [True]


def test_what_the_question_asks_for_and_notes_in_brackets_are_fine(tmp_path: Path) -> None:
    facts = [
        question("asks", "Which cluneal nerves arise from S1–S3?", "The medial cluneal nerves"),
        question(
            "note",
            "What do the dorsal rami (posterior rami) arise from?",
            "The spinal nerve (the article: the posterior aspect of its root)",
        ),
        question("generic", "Which nerves supply the buttock skin?", "The cluneal nerves"),
        question(
            "choice", "Which are mixed: the dorsal rami or the cluneal nerves?", "The dorsal rami"
        ),
        question("neighbour", "Where is the long sacroiliac ligament?", "Over the sacrum"),
    ]
    assert found(tmp_path, facts) == []


def test_the_decks_topic_gives_nothing_away(tmp_path: Path) -> None:
    facts = [question("topic", "What are pea-like lumps in the low back?", "Lipomas (back mice)")]
    assert ["'back'" in m for m in found(tmp_path, facts)] == [True]
    deck = deck_yaml(base=MINI, name="Low Back Pain")
    assert found(tmp_path, facts, deck=deck) == []


def test_an_answer_wholly_in_its_question_is_the_other_rules(tmp_path: Path) -> None:
    facts = [
        question("whole", "Is the sacroiliac joint a joint of the sacrum?", "The sacroiliac joint")
    ]
    assert found(tmp_path, facts) == []
    assert found(tmp_path, facts, "answer-in-question") != []


def test_a_cloze_whose_visible_text_shows_its_answer(tmp_path: Path) -> None:
    text = "The middle cluneal nerves supply {{c1::the middle buttock}}."
    facts = [{"id": "supply", "kind": "statement", "text": text, "source": "body"}]
    assert ["'middle'" in m for m in found(tmp_path, facts)] == [True]
