"""The shipped deck as students get it: imported into the official Anki engine, every card
rendered, tagged, filed in a declared sub-deck, showing its source, counted as built."""

from __future__ import annotations

import re

import pytest
from anki.collection import Collection

from anki_engine import RenderedCard, render_all
from conftest import REAL_DECK
from factdeck.changes import RETIRED_TAG
from factdeck.lint import plain
from factdeck.model import EXAM_PREFIX
from factdeck.pipeline import BuildResult, Checked, expanded
from factdeck.practice import PRACTICE_TAG

_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)


@pytest.fixture(scope="module")
def shipped() -> Checked:
    return expanded(REAL_DECK)


@pytest.fixture(scope="module")
def cards(shipped_collection: Collection) -> list[RenderedCard]:
    return render_all(shipped_collection)


def test_counts_match_the_build_report(shipped_collection: Collection,
                                       built_real_deck: BuildResult) -> None:
    report = built_real_deck.report
    assert (shipped_collection.note_count(), shipped_collection.card_count()) == (
        report.notes + report.retired, report.cards)
    assert shipped_collection.get_empty_cards().notes == []


def shown(html: str) -> str:
    """What the student reads on a side: Anki puts the note type's CSS in a <style> first."""
    return plain(_STYLE.sub("", html))


def test_every_card_renders_a_front_and_a_back(cards: list[RenderedCard]) -> None:
    assert cards
    for card in cards:
        for side in (card.question, card.answer):
            assert shown(side) or "<img" in side, card
            assert "{{" not in side and "{%" not in side, card
        assert shown(card.answer) != shown(card.question), card


def test_every_note_has_a_topic_and_a_declared_exam_tag(shipped_collection: Collection,
                                                        shipped: Checked) -> None:
    areas = {f"{EXAM_PREFIX}{key}" for key in shipped.deck.spec.exam_areas} | {PRACTICE_TAG}
    for note_id in shipped_collection.find_notes(f"-tag:{RETIRED_TAG}"):
        tags = shipped_collection.get_note(note_id).tags
        exam = [t for t in tags if t.startswith(EXAM_PREFIX)]
        assert any(t.startswith("lbp::") for t in tags), tags
        assert exam and set(exam) <= areas, tags


def test_cards_are_filed_in_the_declared_sub_decks(cards: list[RenderedCard],
                                                   shipped: Checked) -> None:
    spec = shipped.deck.spec
    declared = {f"{spec.name}::{name}" for name in spec.subdecks.values()}
    assert {card.deck for card in cards} == declared


def test_every_back_shows_its_source_section(shipped_collection: Collection,
                                             cards: list[RenderedCard],
                                             shipped: Checked) -> None:
    sections = shipped.deck.spec.source.sections
    facts = {e.fact.id: e.fact for e in shipped.deck.entries}
    section_of = {n.guid: sections[facts[n.fact_id].source.section] for n in shipped.notes}
    for card in cards:
        guid = shipped_collection.get_note(card.note_id).guid
        assert f"{shipped.deck.spec.source.title} · {section_of[guid]}" in shown(card.answer)
