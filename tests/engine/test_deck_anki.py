"""Every deck under cards/ as students get it: imported into the official Anki engine, every
card rendered as our preview renders it, filed in a declared sub-deck, showing its source,
tagged with declared exam areas, counted as built, and clean of lint findings. Decks are
found, not listed: a new deck is covered without touching this file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from anki.collection import Collection

from factdeck.facts.model import EXAM_PREFIX
from factdeck.history.apkg_diff import RETIRED_TAG
from factdeck.lint.engine import TRIAL, plain
from factdeck.pipeline import BuildResult, Checked, expanded
from factdeck.practice import PRACTICE_TAG
from tests.support.decks import DECKS
from tests.support.engine import RenderedCard, import_package, open_collection, render_all

_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)


@pytest.fixture(scope="module", params=DECKS, ids=lambda deck: deck.name)
def deck(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture(scope="module")
def built(deck: Path, deck_builder: Callable[[Path], BuildResult]) -> BuildResult:
    return deck_builder(deck)


@pytest.fixture(scope="module")
def checked(deck: Path, built: BuildResult) -> Checked:
    """The built copy, expanded again (its lock as the build left it)."""
    return expanded(built.apkg.parent.parent / "cards" / deck.name)


@pytest.fixture(scope="module")
def collection(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Collection]:
    col = open_collection(tmp_path_factory.mktemp("anki"))
    import_package(col, built.apkg)
    yield col
    col.close()


@pytest.fixture(scope="module")
def cards(collection: Collection) -> list[RenderedCard]:
    return render_all(collection)


def test_counts_match_the_build_report(collection: Collection, built: BuildResult) -> None:
    report = built.report
    assert (collection.note_count(), collection.card_count()) == (
        report.notes + report.retired,
        report.cards,
    )
    assert collection.get_empty_cards().notes == []


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


def test_every_note_has_a_declared_exam_tag(collection: Collection, checked: Checked) -> None:
    areas = {f"{EXAM_PREFIX}{key}" for key in checked.deck.spec.exam_areas} | {PRACTICE_TAG}
    for note_id in collection.find_notes(f"-tag:{RETIRED_TAG}"):
        exam = [t for t in collection.get_note(note_id).tags if t.startswith(EXAM_PREFIX)]
        assert set(exam) <= areas, exam
        assert exam or not checked.deck.spec.exam_areas


def test_cards_are_filed_in_the_declared_sub_decks(
    cards: list[RenderedCard], checked: Checked
) -> None:
    spec = checked.deck.spec
    used = {note.subdeck for note in checked.notes}
    declared = {spec.name if key is None else f"{spec.name}::{spec.subdecks[key]}" for key in used}
    assert {card.deck for card in cards} == declared


def test_every_back_shows_its_source_section(
    collection: Collection, cards: list[RenderedCard], checked: Checked
) -> None:
    sections = checked.deck.spec.source.sections
    facts = {e.fact.id: e.fact for e in checked.deck.entries}
    section_of = {n.guid: sections[facts[n.fact_id].source.section] for n in checked.notes}
    for card in cards:
        guid = collection.get_note(card.note_id).guid
        assert f"{checked.deck.spec.source.title} · {section_of[guid]}" in shown(card.answer)


def test_the_deck_lints_clean(checked: Checked) -> None:
    """Rules on trial (lint.engine.TRIAL) are landed while the deck is fixed for them."""
    assert [str(f) for f in checked.findings() if f.rule not in TRIAL] == []


def test_the_shipped_deck_tags_every_note_with_a_topic(shipped_collection: Collection) -> None:
    for note_id in shipped_collection.find_notes(f"-tag:{RETIRED_TAG}"):
        assert any(t.startswith("lbp::") for t in shipped_collection.get_note(note_id).tags)
