"""Corrections as new cards (issue 21, item 4): a corrected cloze answer ships under a
number its note never had, the old number shows the notice; the lock keeps the numbers for
later releases; a one-card note keeps its card and the Forget advice."""

from __future__ import annotations

from pathlib import Path

from factdeck.apkg.read import unpack
from factdeck.history.lock import read
from factdeck.history.removed_cards import REMOVED_TAG
from factdeck.pipeline import build
from tests.history.test_list_identity import course
from tests.history.test_release import FACTS, bump, mark, next_release, publish
from tests.support.decks import write_tree


def text_of(apkg: Path, fact_words: str) -> str:
    return next(n.fields[0] for n in unpack(apkg).notes if fact_words in n.fields[0])


def removed_of(apkg: Path, fact_words: str) -> tuple[str, ...]:
    """The note's tags for card numbers it no longer asks: where a replaced card's notice is."""
    (note,) = [n for n in unpack(apkg).notes if fact_words in n.fields[0]]
    return tuple(t for t in note.tags if t.startswith(REMOVED_TAG))


def test_a_correction_taken_back_before_the_release_moves_nothing(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", FACTS)
    bump(mini_deck, "1.1.0")
    fixed = mark(FACTS.replace("{{c1::big}}", "{{c1::huge}}"), "correction", "1.1.0", "Wrong.")
    write_tree(mini_deck, {"facts.yaml": fixed})
    built = build(mini_deck, project / "dist")
    assert text_of(built.apkg, "beta") == "The beta is {{c3::huge}} and {{c2::blue}}."
    assert removed_of(built.apkg, "beta") == (f"{REMOVED_TAG}{{{{c1::1}}}}",)
    write_tree(mini_deck, {"facts.yaml": FACTS})  # taken back
    built = build(mini_deck, project / "dist")
    assert text_of(built.apkg, "beta") == "The beta is {{c1::big}} and {{c2::blue}}."
    assert built.changes.empty
    note = next(n for n in read(mini_deck).notes.values() if n.fact == "two")
    assert (note.moves, note.notices) == ((), ())


def test_a_number_taken_by_a_correction_moves_a_later_item_on(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest"))
    why = 'correction: {in: "1.1.0", why: it runs under the crest}'
    publish(mini_deck, project, "1.1.0", course("in the fascia, under the crest", why))
    apkg = publish(mini_deck, project, "1.2.0", course("in the fascia, under the crest, deep", why))
    text = text_of(apkg, "Course")
    assert "{{c1::in the fascia}}, {{c3::under the crest}} and {{c4::deep}}" in text
    assert removed_of(apkg, "Course") == (f"{REMOVED_TAG}{{{{c2::2}}}}",)
    notes = (project / "dist" / "mini-1.2.0.md").read_text()
    assert "(1 new card)" in notes and "Corrections" not in notes


def test_a_one_card_note_keeps_its_card_and_the_forget_advice(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", FACTS)
    one = FACTS.replace("answer: Alpha", "answer: Omega").replace(
        "body}", 'body, correction: {in: "1.1.0", why: it is the last}}', 1
    )
    publish(mini_deck, project, "1.1.0", one)
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "### Corrections: re-learn these" in notes and "new cards" not in notes
    assert "search `tag:factdeck::corrected::1.1.0`" in notes


def test_the_shipped_decks_next_release_moves_its_pending_correction(
    real_deck: Path, project: Path
) -> None:
    """cluneal-medial.yaml's same-level-spillover declares a correction of card 1 for the
        next release: its corrected answer ships as card 3 and card 1 shows the notice (its number
    in the tags), without
        the guard taking the move for a renumbering."""
    next_release(real_deck)
    built = build(real_deck, project / "dist")
    text = text_of(built.apkg, "spills over")
    assert "{{c3::referred pain}}" in text and "{{c1::" not in text
    assert "{{c2::same spinal level}}" in text
    assert removed_of(built.apkg, "spills over") == (f"{REMOVED_TAG}{{{{c1::1}}}}",)
