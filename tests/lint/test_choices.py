"""Multiple-choice lint (lint/rules/choices.py) on small practice decks built through the real
pipeline, and the keys' spread on cards read by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.errors import Location
from factdeck.facts.model import Deck, NoteSpec
from factdeck.lint.cards import Card, Choice, read_choices
from factdeck.lint.engine import lint
from factdeck.lint.rules import choices
from factdeck.pipeline import expanded
from tests.support.decks import MINI, deck_yaml, small_deck, write_tree

PRACTICE_DECK = deck_yaml(base=MINI, practice=True)
# Four nerves of one group: each levels question has three siblings' levels as wrong
# options, each with its owner on the back.
NERVES = """facts:
  - {id: alpha, kind: nerve, name: alpha nerves, plural: true, group: test nerves,
     levels: L1–L3, source: body}
  - {id: beta, kind: nerve, name: beta nerves, plural: true, group: test nerves,
     levels: L4–L5, source: body}
  - {id: gamma, kind: nerve, name: gamma nerves, plural: true, group: test nerves,
     levels: S1–S3, source: body}
  - {id: delta, kind: nerve, name: delta nerves, plural: true, group: test nerves,
     levels: T10–T12, source: body}
"""
MCQ_RULES = set(choices.RULES) - {"key-position"}


def findings(
    tmp_path: Path, more: str = "", facts: str = NERVES, templates: Path | None = None
) -> list[str]:
    deck = small_deck(tmp_path / "deck", facts=facts + more, deck=PRACTICE_DECK)
    checked = expanded(deck, templates)
    assert any(n.note_type == "mcq" for n in checked.notes)
    return [
        f"{f.fact_id} [{f.rule}] {f.message}"
        for f in lint(checked.deck, checked.notes, checked.templates.note_types)
        if f.rule in MCQ_RULES
    ]


def test_a_clean_practice_deck(tmp_path: Path) -> None:
    assert findings(tmp_path) == []


def test_a_wrong_option_without_its_owner(tmp_path: Path) -> None:
    facts = NERVES.replace(
        "levels: T10–T12, source: body}",
        "levels: T10–T12, source: body, distractors: {levels: [C1–C2, C3–C4, C5–C6]}}",
    )
    found = findings(tmp_path, facts=facts)
    assert len(found) == 3 and all(m.startswith("delta [no-belongs-to]") for m in found), found
    assert "wrong option" in found[0] and "'C1–C2' does not say what it belongs to" in " ".join(
        found
    )


def test_levels_inside_the_key(tmp_path: Path) -> None:
    facts = NERVES.replace(
        "levels: L1–L3, source: body}",
        "levels: L1–L3, source: body, distractors: {levels: [L2, S4–S5, C1–C2]}}",
    )
    found = [m for m in findings(tmp_path, facts=facts) if "[distractor-overlaps-key]" in m]
    assert len(found) == 1 and "'L2' is levels inside the key's" in found[0], found


CASE = """
  - {{id: case, kind: case, presentation: Pain over the upper buttock., question: Which nerves
     are irritated?, answer: {answer}, why: They supply it., look_alikes: {alikes},
     source: body{more}}}
"""


def test_a_distractor_that_is_part_of_the_key(tmp_path: Path) -> None:
    whole = "  - {id: all, kind: nerve, name: test nerves, plural: true, fibres: sensory, source: body}\n"
    case = CASE.format(answer="The test nerves", alikes="[alpha, beta, gamma]", more="")
    found = [m for m in findings(tmp_path, whole + case) if "[distractor-overlaps-key]" in m]
    assert len(found) == 3, found
    assert "part of the key (the facts make 'beta' part of 'all')" in found[0]


def test_options_of_different_kinds(tmp_path: Path) -> None:
    other = (
        "  - {id: eps, kind: nerve, name: eps nerves, plural: true, group: other nerves, "
        "levels: C1–C2, source: body}\n"
    )
    case = CASE.format(answer="The alpha nerves", alikes="[beta, gamma, eps]", more="")
    found = [m for m in findings(tmp_path, other + case) if "[mixed-options]" in m]
    assert len(found) == 1 and "nerve: other nerves" in found[0], found
    same = CASE.format(answer="The alpha nerves", alikes="[beta, gamma, delta]", more="")
    assert [m for m in findings(tmp_path, same) if "[mixed-options]" in m] == []


def test_also_accepted_on_a_multiple_choice_back(tmp_path: Path) -> None:
    case = CASE.format(
        answer="The alpha nerves",
        alikes="[beta, gamma, delta]",
        more=", also_accept: [first nerves]",
    )
    assert [m for m in findings(tmp_path, case) if "[misplaced-field]" in m] == []
    # a project's own layout that shows the synonyms on the multiple-choice back
    shows = "{% include 'partials/accepted.html' %}"
    write_tree(tmp_path / "templates" / "partials", {"mcq-extra.html": shows})
    found = [
        m
        for m in findings(tmp_path / "again", case, templates=tmp_path / "templates")
        if "[misplaced-field]" in m
    ]
    assert found == [
        "case [misplaced-field] note 'practice/case': the back shows 'Also accepted: first "
        "nerves', which means nothing on multiple choice (its options are fixed); leave "
        "also_accept off the multiple-choice back (templates/partials/mcq-extra.html)"
    ]


# --- the keys' spread, on cards read by hand -----------------------------------------------


def question(number: int, key: str) -> Card:
    note = NoteSpec(
        guid=str(number),
        note_type="mcq",
        fields=(),
        tags=(),
        subdeck=None,
        fact_id=f"q{number}",
        card_id="practice/levels",
        location=Location(Path("facts.yaml"), number),
    )
    options = tuple(Choice(x, x * 3, x == key, "" if x == key else "x") for x in "ABCD")
    return Card(note, "mcq", "Which?", key * 3, key * 3, "", "", "", choices=options)


@pytest.mark.parametrize(
    ("keys", "fires"),
    [("ABCDDCB", False), ("ABBBBDD", True), ("ABBDDAA", True), ("ABC", False), ("AB" * 8, True)],
)
def test_keys_spread_across_the_deck(keys: str, fires: bool) -> None:
    deck = Deck(spec=None, deck_dir=Path("."), entries=())  # type: ignore[arg-type]
    found = list(choices.check(deck, tuple(question(i, k) for i, k in enumerate(keys))))
    assert [h.rule for h in found] == (["key-position"] if fires else []), found


def test_the_spread_says_which_keys_to_pin() -> None:
    deck = Deck(spec=None, deck_dir=Path("."), entries=())  # type: ignore[arg-type]
    (hit,) = choices.check(deck, tuple(question(i, k) for i, k in enumerate("ABBBBDD")))
    assert hit.message == (
        "note 'practice/levels': across the deck's 7 multiple-choice questions the key is "
        "A 1, B 4, C 0, D 2 (an even share is 1.75 each, ±1): a test-wise student learns the "
        "letter; pin a few keys, e.g. fact 'q4' practice: {levels: C}, fact 'q3' practice: "
        "{levels: A}"
    )


def test_the_keys_of_a_back_are_read_from_its_html() -> None:
    back = (
        '<ol><li class="fd-mcq-option fd-mcq-wrong"><span class="fd-mcq-letter">A.</span> '
        '<span class="fd-mcq-text">L1–L3<span class="fd-mcq-why">: alpha nerves</span></span> '
        '<span class="fd-mcq-mark">✗</span></li><li class="fd-mcq-option fd-mcq-correct">'
        '<span class="fd-mcq-letter">B.</span> <span class="fd-mcq-text">S1&ndash;S3<br>'
        "</span></li></ol>"
    )
    assert read_choices(back) == (
        Choice("A", "L1–L3", False, "alpha nerves"),
        Choice("B", "S1–S3", True, ""),
    )
