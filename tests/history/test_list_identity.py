"""List items keep their card (issue 21, item 3): an item's card number is its place in the
list as written, so items append, a removed one stays as `~`, and an insert, a removal
without `~` or a reorder is refused at check and build unless declared `renumbered:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.facts.model import Nerve
from factdeck.history.lock import read
from factdeck.history.numbering import items_added, items_changed, items_moved
from factdeck.pipeline import build, check, expanded
from tests.history.test_release import bump, publish
from tests.support.decks import write_tree

COURSE = """
    facts:
      - id: nerve-a
        kind: nerve
        name: alpha nerve
        course: [{items}]
        source: body
"""


def course(items: str, extra: str = "") -> str:
    return COURSE.replace("{items}", items) + (f"        {extra}\n" if extra else "")


def course_text(deck: Path) -> str:
    build(deck, deck.parent.parent / "dist")  # the build refuses what check would
    return next(n.fields[0] for n in expanded(deck).notes if n.card_id == "course")


# --- the rules on card numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "moved", "changed", "added"),
    [
        (("a", "b", "c"), ("a", "b", "c", "d"), (), (), (4,)),  # appended
        (("a", "b", "c"), ("a", "", "c"), (), (), ()),  # removed as ~
        (("a", "b", "c"), ("a", "B", "c"), (), (2,), ()),  # reworded in place
        (("a", "b", "c"), ("a", "x", "b", "c"), ((2, 3), (3, 4)), (), (4,)),  # inserted
        (("a", "b", "c"), ("a", "c"), ((3, 2),), (), ()),  # removed without ~
        (("a", "b", "c"), ("c", "a", "b"), ((1, 2), (2, 3), (3, 1)), (), ()),  # reordered
        (("a", "", "c"), ("a", "b", "c"), (), (), (2,)),  # a kept number used again
    ],
)
def test_moves_tell_apart_rewordings_appends_and_placeholders(
    before: tuple[str, ...],
    after: tuple[str, ...],
    moved: tuple[tuple[int, int], ...],
    changed: tuple[int, ...],
    added: tuple[int, ...],
) -> None:
    assert items_moved(before, after) == moved
    assert items_changed(before, after) == changed
    assert items_added(before, after) == added


def test_a_placeholder_keeps_its_number_and_every_stage_reads_the_live_items() -> None:
    fact = Nerve(id="n", kind="nerve", name="N", source="s", course=["a", None, "c"])
    assert fact.course == ("a", "c") and fact.course.numbers == (1, 3)  # type: ignore[attr-defined]
    again = Nerve.model_validate(fact.model_dump(mode="json"))  # as a cache row keeps it
    assert again.course.numbers == (1, 3)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"every item is retired \(~\)"):
        Nerve(id="n", kind="nerve", name="N", source="s", course=[None])


# --- through check and build ---------------------------------------------------------------


def test_appending_and_removing_as_placeholder_keep_every_card(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest, to the skin"))
    publish(mini_deck, project, "1.1.0", course("in the fascia, over the crest, to the skin, deep"))
    assert course_text(mini_deck) == (
        "Course of the alpha nerve: {{c1::in the fascia}}, {{c2::over the crest}}, "
        "{{c3::to the skin}} and {{c4::deep}}."
    )
    bump(mini_deck, "1.2.0")
    (mini_deck / "facts.yaml").write_text(
        (mini_deck / "facts.yaml").read_text().replace("over the crest", "~")
    )
    assert course_text(mini_deck) == (
        "Course of the alpha nerve: {{c1::in the fascia}}, {{c3::to the skin}} and {{c4::deep}}."
    )
    items = next(n.items for n in read(mini_deck).notes.values() if n.card == "course")
    assert items[1] == "" and len(items) == 4
    # the build cache keeps the placeholder: a cached fact renders the same numbers
    build(mini_deck, project / "dist")
    fact = expanded(mini_deck).deck.entries[0].fact
    assert isinstance(fact, Nerve) and fact.course.numbers == (1, 3, 4)  # type: ignore[attr-defined]


def test_an_insert_in_the_middle_is_refused_with_what_moved_and_the_fix(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest, to the skin"))
    lock = (mini_deck / "factdeck.lock").read_bytes()
    bump(mini_deck, "1.1.0")
    write_tree(
        mini_deck,
        {"facts.yaml": course("in the fascia, under the muscle, over the crest, to the skin")},
    )
    expected = (
        f"{mini_deck / 'facts.yaml'}:2: fact 'nerve-a', note 'course': 'over the crest' was "
        "card 2 and is now card 3; 'to the skin' was card 3 and is now card 4. A card's "
        "review history belongs to its number, so students' history of these cards would go "
        "to other words. Add new items at the end, and write a removed item as `~` (it keeps "
        "its number, so the items after it keep theirs); or, to renumber on purpose, declare "
        'it on the fact: `renumbered: {in: "1.1.0", why: <why>}` (the release notes then tell '
        "students which cards to reset)"
    )
    for stage in (check, lambda deck: build(deck, project / "dist")):
        with pytest.raises(FactdeckError) as caught:
            stage(mini_deck)
        assert [str(p) for p in caught.value.problems] == [expected]
    assert (mini_deck / "factdeck.lock").read_bytes() == lock


def test_an_insert_before_the_bump_names_the_next_version_not_the_released_one(
    mini_deck: Path, project: Path
) -> None:
    """Editing comes before bumping (docs/publishing.md): the message once said `renumbered:
    {in: "1.0.0"}`, the version already released, and the build took that declaration, so
    1.1.0 shipped the renumbering recorded under 1.0.0."""
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest"))
    inserted = "in the fascia, under the muscle, over the crest"
    write_tree(mini_deck, {"facts.yaml": course(inserted)})
    with pytest.raises(FactdeckError) as caught:
        check(mini_deck)
    (problem,) = caught.value.problems
    assert str(problem).endswith(
        'declare it on the fact: `renumbered: {in: "1.1.0", why: <why>}` and bump `version` '
        'in deck.yaml to "1.1.0" (the release notes then tell students which cards to reset)'
    )
    stale = course(inserted, 'renumbered: {in: "1.0.0", why: the old advice}')
    write_tree(mini_deck, {"facts.yaml": stale})
    with pytest.raises(FactdeckError, match="'over the crest' was card 2 and is now card 3"):
        build(mini_deck, project / "dist")


def test_renumbered_clozes_of_a_statement_are_refused_with_the_statements_fix(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0")
    bump(mini_deck, "1.1.0")
    path = mini_deck / "facts.yaml"
    path.write_text(path.read_text().replace("{{c1::big}}", "{{c2::big}}"))
    with pytest.raises(FactdeckError, match="'big' was card 1 and is now card 2") as caught:
        check(mini_deck)
    assert "Keep each cloze's number (c1 stays c1)" in str(caught.value)


def test_a_declared_reorder_ships_with_the_cards_to_reset(mini_deck: Path, project: Path) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest, to the skin"))
    why = "why: the path runs from the skin inward"
    reordered = course(
        "to the skin, over the crest, in the fascia", 'renumbered: {in: "1.1.0", ' + why + "}"
    )
    publish(mini_deck, project, "1.1.0", reordered)
    note = next(n for n in read(mini_deck).notes.values() if n.card == "course")
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "(renumbered: reset card 1, 3)" in notes
    assert "  - why renumbered: the path runs from the skin inward" in notes
    assert f"search `(nid:{note.id} (card:1 or card:3))`" in notes
    assert f"`nerve-a/course` cloze, note id {note.id}" in notes and "[renumbered]" in notes
    # the declaration is the fact's history: the next release ignores it
    bump(mini_deck, "1.2.0")
    check(mini_deck)


def test_a_renumbered_declaration_that_renumbers_nothing_is_refused(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest"))
    idle = course("in the fascia, over the crest, deep", 'renumbered: {in: "1.1.0", why: tidy}')
    with pytest.raises(FactdeckError, match=r"declares `renumbered:` for 1\.1\.0, but none of its"):
        publish(mini_deck, project, "1.1.0", idle)


def test_an_appended_item_is_a_new_card_not_a_correction(mini_deck: Path, project: Path) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia"))
    publish(mini_deck, project, "1.1.0", course("in the fascia, over the crest"))
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "(1 new card)" in notes and "Corrections" not in notes


def test_a_gap_no_release_shipped_as_a_card_gets_no_notice_tag(
    mini_deck: Path, project: Path
) -> None:
    """A number left unused between items (`~` before any release had it) is no student's
    card: it gets no removed tag, so the build after the release that shipped the gap
    changes nothing (it tagged the gap once a later release had a higher number)."""
    publish(mini_deck, project, "1.0.0", course("in the fascia"))
    publish(mini_deck, project, "1.1.0", course("~, ~, to the skin"))
    bump(mini_deck, "1.2.0")
    assert build(mini_deck, project / "dist").changes.empty
