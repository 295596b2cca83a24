"""List items keep their card, in the official engine (issue 21, item 3): over a reviewed
collection, an appended item arrives as one new card, an item removed as `~` empties only
its own card, and a declared reorder ships the search that resets exactly the cards whose
item changed; every other card keeps its own review log and due date throughout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection

from factdeck.errors import FactdeckError
from factdeck.history.lock import read
from factdeck.history.removed_cards import REMOVED_TAG
from tests.engine.test_release_anki import publish
from tests.history.test_list_identity import course
from tests.support.decks import EPOCH
from tests.support.engine import import_package, open_collection

DAY = 86_400
_ASKED = re.compile(r'<span class="cloze"[^>]*>(.*?)</span>', re.DOTALL)


@dataclass(frozen=True)
class History:
    """One card's scheduling as Anki keeps it: what a re-import must never touch."""

    revlog: tuple[int, ...]
    due: int
    ivl: int
    queue: int


def history(col: Collection, card_id: int) -> History:
    card = col.get_card(card_id)
    revlog = col.db.list("select id from revlog where cid = ? order by id", card_id)
    return History(tuple(revlog), card.due, card.ivl, card.queue)


def course_cards(col: Collection, note_id: int) -> dict[int, tuple[int, str]]:
    """Card number -> (card id, the item its answer reveals)."""
    cards = {}
    for card_id in col.find_cards(f"nid:{note_id}"):
        card = col.get_card(card_id)
        found = _ASKED.search(card.answer())
        cards[card.ord + 1] = (card_id, found.group(1) if found else "")
    return cards


def test_items_append_retire_and_reorder_with_each_cards_history(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def release(version: str, items: str, days: int, extra: str = "") -> Path:
        facts = course(items, extra)
        return publish(mini_deck, project, version, facts, EPOCH + days * DAY, monkeypatch)

    v1 = release("1.0.0", "in the fascia, over the crest, to the skin", 0)
    col = open_collection(tmp_path / "student")
    import_package(col, v1)
    for card_id in col.find_cards(""):  # every card reviewed once (Good)
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    note_id = next(n.id for n in read(mini_deck).notes.values() if n.card == "course")
    first = course_cards(col, note_id)
    assert {n: item for n, (_, item) in first.items()} == {
        1: "in the fascia",
        2: "over the crest",
        3: "to the skin",
    }
    kept = {card_id: history(col, card_id) for card_id, _ in first.values()}
    assert all(len(h.revlog) == 1 for h in kept.values()), kept

    # append: one new card; the three reviewed ones untouched
    log = import_package(
        col, release("1.1.0", "in the fascia, over the crest, to the skin, deep", 1)
    )
    assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
    now = course_cards(col, note_id)
    assert now[4][1] == "deep" and col.get_card(now[4][0]).type == 0  # new
    assert {n: now[n] for n in (1, 2, 3)} == first
    assert {card_id: history(col, card_id) for card_id in kept} == kept

    # an item taken out as ~: only its own card is emptied, the others keep their items
    v3 = release("1.2.0", "in the fascia, ~, to the skin, deep", 2)
    log = import_package(col, v3)
    assert (log.updated, log.conflicting) == (1, 0)
    gone = col.get_card(first[2][0])  # renders the notice, not Anki's "No cloze 2 found"
    assert history(col, gone.id) == kept[gone.id]
    for side in (gone.question(), gone.answer()):
        assert '<div class="fd-cloze"></div>' in side and ".fd-cloze:empty::after" in side
        assert "No cloze" not in side
    assert f"{REMOVED_TAG}{{{{c2::2}}}}" in gone.note().tags
    col.fix_integrity()  # Check Database keeps it and adds nothing
    assert sorted(col.find_cards(f"nid:{note_id}")) == sorted(c for c, _ in now.values())
    newcomer = open_collection(tmp_path / "newcomer")  # a student new to the deck: no card 2
    import_package(newcomer, v3)
    newcomer.fix_integrity()
    (new_note,) = newcomer.find_notes(f"nid:{note_id}")
    assert sorted(c.ord + 1 for c in newcomer.get_note(new_note).cards()) == [1, 3, 4]
    newcomer.close()
    empty = col.get_empty_cards()  # Tools → Empty Cards offers it to delete
    assert [list(n.card_ids) for n in empty.notes] == [[first[2][0]]]
    col.remove_cards_and_orphaned_notes(list(empty.notes[0].card_ids))  # Tools → Empty Cards
    now = course_cards(col, note_id)
    assert {n: item for n, (_, item) in now.items()} == {
        1: "in the fascia",
        3: "to the skin",
        4: "deep",
    }
    assert {now[1][0], now[3][0]} <= kept.keys()
    assert all(history(col, c) == kept[c] for c in (now[1][0], now[3][0]))

    # an undeclared reorder is refused; a declared one ships the cards to reset
    with pytest.raises(FactdeckError, match="'deep' was card 4 and is now card 1"):
        release("1.3.0", "deep, ~, to the skin, in the fascia", 3)
    why = 'renumbered: {in: "1.3.0", why: the course runs from the surface inward}'
    apkg = release("1.3.0", "deep, ~, to the skin, in the fascia", 3, why)
    notes = (project / "dist" / "mini-1.3.0.md").read_text()
    search = f"(nid:{note_id} (card:1 or card:4))"
    assert f"search `{search}`" in notes and "(renumbered: reset card 1, 4)" in notes
    before = {c: history(col, c) for c, _ in course_cards(col, note_id).values()}
    log = import_package(col, apkg)
    assert (log.updated, log.conflicting) == (1, 0)
    now = course_cards(col, note_id)
    assert {n: item for n, (_, item) in now.items()} == {
        1: "deep",
        3: "to the skin",
        4: "in the fascia",
    }
    assert {c: history(col, c) for c, _ in now.values()} == before  # the import moves nothing
    # the students' step, as the notes give it: exactly the renumbered cards are reset
    found = sorted(col.find_cards(search))
    assert found == sorted((now[1][0], now[4][0]))
    col.sched.schedule_cards_as_new(found, restore_position=True, reset_counts=True)
    assert all(col.get_card(c).type == 0 for c in found)
    assert history(col, now[3][0]) == kept[now[3][0]]  # 'to the skin' kept its reviews
    col.close()
