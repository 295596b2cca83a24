"""Corrections students relearn without doing anything (issue 21, item 4), in the official
engine over a reviewed collection: the corrected cloze answer arrives as a new card, the
card of the old answer keeps its reviews and shows only the removal notice (its number in
the note's tags, history/removed_cards.py), no card is blank or an error (also after Check
Database), and later releases keep the numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.history.lock import read
from factdeck.history.removed_cards import REMOVED_TAG
from tests.engine.test_list_identity_anki import course_cards, history
from tests.engine.test_release_anki import publish
from tests.history.test_release import FACTS
from tests.support.decks import EPOCH
from tests.support.engine import import_package, open_collection

DAY = 86_400
CORRECTED = '\n        correction: {in: "1.1.0", why: it was measured wrongly}'


def test_a_corrected_cloze_answer_arrives_as_a_new_card(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = open_collection(tmp_path / "student")
    import_package(col, publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch))
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    note_id = next(n.id for n in read(mini_deck).notes.values() if n.fact == "two")
    first = course_cards(col, note_id)
    kept = {card_id: history(col, card_id) for card_id in col.find_cards("")}

    corrected = FACTS.replace("{{c1::big}}", "{{c1::huge}}").replace(
        "subdeck: part", "subdeck: part" + CORRECTED, 1
    )
    v2 = publish(mini_deck, project, "1.1.0", corrected, EPOCH + DAY, monkeypatch)
    log = import_package(col, v2)
    assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
    now = course_cards(col, note_id)
    assert now[1][0] == first[1][0] and now[2] == first[2]  # same cards, same numbers
    assert now[3][1] == "huge" and col.get_card(now[3][0]).type == 0  # the new card
    assert {c: history(col, c) for c in kept} == kept  # no review moved or lost
    old = col.get_card(first[1][0])
    assert f"{REMOVED_TAG}{{{{c1::1}}}}" in old.note().tags
    for side in (old.question(), old.answer()):  # its cloze empty: the CSS notice goes there
        assert '<div class="fd-cloze"></div>' in side and "The beta" not in side
    for number in (2, 3):
        assert "The beta is" in col.get_card(now[number][0]).question()
    assert [list(n.card_ids) for n in col.get_empty_cards().notes] == [[first[1][0]]]
    col.fix_integrity()  # Check Database adds, empties and moves nothing
    assert sorted(col.find_cards("")) == sorted(c for c, _ in now.values()) + [
        c for c in kept if c not in {c for c, _ in now.values()}
    ]
    assert {c: history(col, c) for c in kept} == kept

    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "### Corrections: new cards" in notes and "re-learn these" not in notes
    assert "(answer corrected: a new card asks it; card 1 shows a notice)" in notes
    assert "card 1 removed" not in notes and "Some notes ask fewer questions" not in notes
    assert "  - why: it was measured wrongly" in notes

    # the next release keeps the numbers: nothing new, nothing moved
    v3 = publish(
        mini_deck,
        project,
        "1.1.1",
        corrected.replace("First?", "Which first?"),
        EPOCH + 2 * DAY,
        monkeypatch,
    )
    log = import_package(col, v3)
    assert (log.new, log.conflicting) == (0, 0)
    assert course_cards(col, note_id) == now
    col.close()
