"""Exam fields on every kind (`also_accept`, `standard`, `questions`, `correction`) and the
`case` kind, through the build and the official Anki engine: what the student sees."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.pipeline import build, expanded
from tests.support.decks import facts_yaml, write_tree
from tests.support.engine import imported_cards

FACTS = """
    facts:
      - id: gliding
        kind: question
        question: Which stroke glides along the length of the paraspinal muscles?
        answer: Long gliding strokes
        also_accept: [effleurage, gliding strokes]
        source: body
        correction: {in: "1.1.0", why: The answer now names the exam's term.}
      - id: ligament
        kind: statement
        text: "The article gives the {{c1::posterior longitudinal ligament}} to the dorsal rami."
        also_accept: PLL
        standard:
          text: the sinuvertebral nerve supplies the posterior longitudinal ligament
          source: Gray's Anatomy
        source: body
      - id: gluteal
        kind: nerve
        name: superior gluteal nerve
        levels: L4–S1
        source: body
        questions:
          levels: From which spinal levels does the superior gluteal nerve arise?
      - id: rami
        kind: nerve
        name: dorsal rami
        plural: true
        forms: nothing else
        source: body
      - id: case-cluneal
        kind: case
        presentation: A client has burning pain over the iliac crest after long drives.
        question: Which nerves are most likely irritated?
        answer: The superior cluneal nerves
        why: They cross the iliac crest through tight fascial tunnels.
        look_alikes: gluteal
        source: body
"""


@pytest.fixture
def deck(mini_deck: Path) -> Path:
    return write_tree(mini_deck, {"facts.yaml": FACTS})


def test_the_back_shows_synonyms_and_the_standard_view_in_anki(
    deck: Path, project: Path, tmp_path: Path
) -> None:
    result = build(deck, project / "dist")
    cards = imported_cards(result.apkg, tmp_path / "anki")
    by_front = {c.question.rsplit("</style>", 1)[-1]: c for c in cards}

    gliding = next(c for f, c in by_front.items() if "glides along" in f)
    assert "Also accepted: effleurage, gliding strokes" in gliding.answer
    assert "Also accepted" not in gliding.question
    assert "correction" not in gliding.answer.lower()  # the releases' notes show it, not cards

    ligament = next(c for f, c in by_front.items() if "article gives" in f)
    assert "Also accepted: PLL" in ligament.answer
    assert (
        "Standard anatomy: the sinuvertebral nerve supplies the posterior longitudinal ligament"
    ) in ligament.answer
    assert "(Gray's Anatomy)" in html.unescape(ligament.answer)
    assert "Standard anatomy" not in ligament.question

    case = next(c for f, c in by_front.items() if "iliac crest after long drives" in f)
    assert "Which nerves are most likely irritated?" in case.question
    assert "The superior cluneal nerves" in case.answer
    assert "tight fascial tunnels" in case.answer and "tight fascial tunnels" not in case.question
    assert "Body" in case.answer  # the source section

    fronts = " | ".join(by_front)
    assert "From which spinal levels does the superior gluteal nerve arise?" in fronts
    assert "Which spinal levels give rise to the superior gluteal nerve?" not in fronts


def test_reverse_questions_agree_in_number(deck: Path) -> None:
    fronts = {f"{n.fact_id}/{n.card_id}": n.fields[0] for n in expanded(deck).notes}
    assert fronts["gluteal/levels-reverse"] == "Which nerve arises from L4–S1?"
    assert fronts["rami/forms"] == "What do the dorsal rami form?"
    assert fronts["rami/forms-reverse"] == "Which nerves form nothing else?"


def test_every_kind_accepts_the_common_fields(deck: Path) -> None:
    checked = expanded(deck)
    kinds = {e.fact.kind for e in checked.deck.entries}
    assert {"question", "statement", "nerve", "case"} <= kinds
    ligament = next(e.fact for e in checked.deck.entries if e.fact.id == "ligament")
    assert ligament.also_accept == ("PLL",)  # one synonym may be written without a list


def errors(deck: Path, text: str) -> list[str]:
    write_tree(deck, {"facts.yaml": text})
    with pytest.raises(FactdeckError) as caught:
        expanded(deck)
    return [str(p) for p in caught.value.problems]


def test_a_rewording_of_an_unknown_or_unmade_note_is_an_error(mini_deck: Path) -> None:
    lines = errors(
        mini_deck,
        """
        facts:
          - id: n
            kind: nerve
            name: alpha nerves
            levels: L1
            source: body
            questions: {levles: "Where?", origin: "From what do the alpha nerves arise?"}
    """,
    )
    assert any(
        "facts.yaml:2:" in line
        and "'questions' names note 'levles'" in line
        and "did you mean 'levels'" in line
        for line in lines
    ), lines
    assert any(
        "rewords note 'origin', which this fact does not make: fill in origin" in line
        for line in lines
    ), lines


def test_a_case_needs_its_parts_and_known_look_alikes(mini_deck: Path) -> None:
    case = {
        "id": "c",
        "kind": "case",
        "presentation": "Pain over the crest.",
        "question": "Which nerve?",
        "answer": "The superior cluneal nerves",
        "look_alikes": ["nerve-x"],
        "source": "body",
    }
    lines = errors(mini_deck, facts_yaml(case))
    assert any("missing required field 'why'" in line for line in lines), lines
    whole = case | {
        "question": "Which nerve is irritated?",
        "why": "They cross the crest.",
        "look_alikes": ["c", "nerve-x"],
    }
    alpha = {"id": "nerve-a", "kind": "nerve", "name": "alpha nerves", "levels": "L1"}
    lines = errors(mini_deck, facts_yaml(whole, alpha | {"source": "body"}))
    assert any("'look_alikes' names unknown fact 'nerve-x'" in line for line in lines), lines
    assert any("'look_alikes' names the case itself" in line for line in lines), lines


def test_standard_needs_its_source(mini_deck: Path) -> None:
    lines = errors(
        mini_deck,
        """
        facts:
          - id: s
            kind: statement
            text: "The {{c1::beta}} is big."
            standard: {text: the standard view}
            source: body
    """,
    )
    assert any("missing required field 'standard.source'" in line for line in lines), lines


def test_a_string_in_a_list_field_is_an_error_unless_one_item_is_allowed(mini_deck: Path) -> None:
    lines = errors(
        mini_deck,
        """
        facts:
          - id: n
            kind: nerve
            name: cluneal nerves
            plural: true
            branches: superior, medial and inferior
            source: body
    """,
    )
    assert [line.split("cards/mini/", 1)[1] for line in lines] == [
        "facts.yaml:6: fact 'n': field 'branches': expects a list, got the text 'superior, "
        "medial and inferior': write one item per line with '- ', or [first, second]; a single "
        "item is written [item]"
    ]
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - id: n
            kind: nerve
            name: medial cluneal nerves
            aka: middle cluneal nerves
            plural: true
            mistaken_for: sacroiliac joint dysfunction
            also_accept: middle clunial nerves
            source: body
    """
        },
    )
    fact = expanded(mini_deck).deck.entries[0].fact
    assert (fact.aka, fact.mistaken_for, fact.also_accept) == (
        ("middle cluneal nerves",),
        ("sacroiliac joint dysfunction",),
        ("middle clunial nerves",),
    )


def test_a_standard_line_goes_only_on_the_notes_it_names(mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - id: n
            kind: nerve
            name: alpha nerves
            plural: true
            levels: L1–L3
            fibers: sensory
            standard: {text: the beta view, source: Gray's Anatomy, notes: [levels]}
            source: body
    """
        },
    )
    backs = {
        note.card_id: " ".join(note.fields)
        for note in expanded(mini_deck).notes
        if note.fact_id == "n"
    }
    assert {"levels", "levels-reverse", "fibres"} <= set(backs), backs
    assert "Standard anatomy: the beta view" in backs["levels"]
    assert "Standard anatomy" not in backs["levels-reverse"]
    assert "Standard anatomy" not in backs["fibres"]


def test_a_standard_line_for_an_unmade_note_is_an_error(mini_deck: Path) -> None:
    lines = errors(
        mini_deck,
        """
        facts:
          - id: n
            kind: nerve
            name: alpha nerves
            levels: L1
            standard: {text: the beta view, source: Gray's Anatomy, notes: [levles]}
            source: body
    """,
    )
    assert any(
        "facts.yaml:2:" in line
        and "'standard.notes' names note 'levles'" in line
        and "did you mean 'levels'" in line
        for line in lines
    ), lines
