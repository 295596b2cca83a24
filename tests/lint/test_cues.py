"""cue-shares-answer (lint/rules/cues.py): a cue that shows a word or stem of its answer, on
small decks built through the real pipeline."""

from __future__ import annotations

from pathlib import Path

from tests.support.decks import MINI_DECK, small_deck
from tests.support.findings import linted

HEAD = "facts:\n"


def found(
    tmp_path: Path, facts: str, rule: str = "cue-shares-answer", deck: str | None = None
) -> list[str]:
    deck_dir = small_deck(tmp_path / "deck", facts=HEAD + facts, deck=deck)
    return [f"{f.fact_id}: {f.message}" for f in linted(deck_dir) if f.rule == rule]


def qa(fact_id: str, question: str, answer: str) -> str:
    return (
        f'  - {{id: {fact_id}, kind: question, question: "{question}", answer: "{answer}", '
        "source: body}\n"
    )


def test_a_question_showing_the_answers_word(tmp_path: Path) -> None:
    facts = qa(
        "middle",
        "Which cluneal nerves carry sensation from the middle buttock?",
        "The medial cluneal nerves (middle cluneal nerves)",
    )
    assert found(tmp_path, facts) == [
        "middle: note 'qa': the cue shows 'middle', a word of the answer 'The medial cluneal "
        "nerves (middle cluneal nerves)': 'Which cluneal nerves carry sensation from the middle "
        "buttock?'; ask without naming part of the answer"
    ]


def test_a_shared_stem_counts(tmp_path: Path) -> None:
    facts = qa("fibres", "Which fibers carry sensation from the skin?", "Sensory fibers")
    assert ["'sensation'" in m for m in found(tmp_path, facts)] == [True]


def test_a_bracketed_other_name_is_part_of_the_answer(tmp_path: Path) -> None:
    facts = (
        "  - {id: case-one, kind: case, presentation: Pain over the middle buttock.,\n"
        "     question: Which cluneal nerves are entrapped?,\n"
        "     answer: The medial (middle) cluneal nerves, why: They supply the skin there.,\n"
        "     source: body}\n"
    )
    assert ["'middle'" in m for m in found(tmp_path, facts)] == [True]


def test_what_the_question_asks_for_and_notes_in_brackets_are_fine(tmp_path: Path) -> None:
    facts = (
        qa("asks", "Which cluneal nerves arise from S1–S3?", "The medial cluneal nerves")
        + qa(
            "note",
            "What do the dorsal rami (posterior rami) arise from?",
            "The spinal nerve (the article: the posterior aspect of its root)",
        )
        + qa("generic", "Which nerves supply the buttock skin?", "The cluneal nerves")
        + qa("choice", "Which are mixed: the dorsal rami or the cluneal nerves?", "The dorsal rami")
        + qa("neighbour", "Where is the long sacroiliac ligament?", "Over the sacrum")
    )
    assert found(tmp_path, facts) == []


def test_the_decks_topic_gives_nothing_away(tmp_path: Path) -> None:
    facts = qa("topic", "What are pea-like lumps in the low back?", "Lipomas (back mice)")
    assert ["'back'" in m for m in found(tmp_path, facts)] == [True]
    deck = MINI_DECK["deck.yaml"].replace("name: Mini", "name: Low Back Pain")
    assert found(tmp_path, facts, deck=deck) == []


def test_an_answer_wholly_in_its_question_is_the_other_rules(tmp_path: Path) -> None:
    facts = qa("whole", "Is the sacroiliac joint a joint of the sacrum?", "The sacroiliac joint")
    assert found(tmp_path, facts) == []
    assert found(tmp_path, facts, "answer-in-question") != []


def test_a_cloze_whose_visible_text_shows_its_answer(tmp_path: Path) -> None:
    facts = (
        '  - {id: supply, kind: statement, text: "The middle cluneal nerves supply '
        '{{c1::the middle buttock}}.", source: body}\n'
    )
    assert ["'middle'" in m for m in found(tmp_path, facts)] == [True]
