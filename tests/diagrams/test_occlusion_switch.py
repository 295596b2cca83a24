"""One image-occlusion variant per package: students who had both keep their history.

Version 1.0 shipped every diagram label twice (a native note and its portable copies). The
deck now ships native only; re-importing it in the official Anki engine must keep the
native cards and their reviews, and turn the portable cards into the retirement notice.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factdeck.apkg.read import unpack
from factdeck.pipeline import build
from tests.support.engine import import_package, open_collection

NATIVE = "factdeck Image Occlusion"
PORTABLE = "factdeck Image Occlusion (portable)"
RETIRED = "factdeck::retired"


def ship_both(templates: Path) -> None:
    """The templates as version 1.0 had them: both variants from every diagram."""
    kind = templates / "kinds" / "diagram.yaml"
    text = kind.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.strip().startswith("when:")]
    assert len(lines) == len(text.splitlines()) - 2
    kind.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_student_with_both_variants_keeps_native_history_and_sees_portable_retired(
    real_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = project / "templates"
    original = (templates / "kinds" / "diagram.yaml").read_text(encoding="utf-8")
    ship_both(templates)
    col = open_collection(tmp_path / "student")
    try:
        import_package(col, build(real_deck, tmp_path / "v1").apkg)
        native_cards = sorted(col.find_cards(f'"note:{NATIVE}"'))
        portable_cards = sorted(col.find_cards(f'"note:{PORTABLE}"'))
        assert native_cards and portable_cards
        col.decks.select(col.decks.id_for_name("Low Back Pain::Diagrams"))
        for card_id in native_cards + portable_cards:  # one review each: history to keep
            card = col.get_card(card_id)
            card.start_timer()
            col.sched.answerCard(card, 3)
        reviews = {cid: col.get_card(cid).reps for cid in native_cards}
        assert set(reviews.values()) == {1}

        (templates / "kinds" / "diagram.yaml").write_text(original, encoding="utf-8")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(os.environ["SOURCE_DATE_EPOCH"]) + 86400))
        v2 = build(real_deck, tmp_path / "v2")
        log = import_package(col, v2.apkg)
        assert log.conflicting == 0 and log.new == 0
        # the portable notes, live in 1.0, reach its students in the file for them
        assert v2.retired[0].name == "low-back-pain-retired-since-1.0.0.apkg"
        log = import_package(col, v2.retired[0])
        # (new: the notes 1.0.0 had that 2.0.0 retired, which this student, built from
        # today's facts, never had: a real 1.0.0 student has them)
        assert log.conflicting == 0
        # one portable note (a mask added after 1.0.0) was never released: no student
        # has it, so it gets no tombstone; this student had it from a build
        shipped = {n.guid for n in unpack(v2.retired[0]).notes}
        portable_cards = [c for c in portable_cards if col.get_card(c).note().guid in shipped]
        assert log.updated == len(portable_cards) > 0

        # native: the same cards, reviews kept (the notes update in place)
        assert sorted(col.find_cards(f'"note:{NATIVE}"')) == native_cards
        assert {cid: col.get_card(cid).reps for cid in native_cards} == reviews
        assert col.db.scalar(
            f"select count() from revlog where cid in ({','.join(map(str, native_cards))})"
        ) == len(native_cards)
        # portable: never deleted by Anki; every released one now says it was retired
        assert sorted(col.find_cards(f'"note:{PORTABLE}" tag:{RETIRED}')) == portable_cards
        for card_id in portable_cards:
            question = col.get_card(card_id).question()
            assert "This card was removed from <b>Low Back Pain</b>" in question
            assert f"tag:{RETIRED}" in question
            assert "<img" not in question
        assert not col.find_cards(f'"note:{NATIVE}" tag:{RETIRED}')
    finally:
        col.close()
