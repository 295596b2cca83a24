"""templates + expand: facts x Jinja2 templates -> rendered notes; template mistakes are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.anki import ids
from factdeck.errors import FactdeckError
from factdeck.pipeline import expanded
from factdeck.render.templates import and_list, cloze, clozes, load_templates, with_aka
from tests.support.decks import write_tree

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def notes_of(mini_deck: Path) -> dict[str, tuple[str, ...]]:
    return {f"{n.fact_id}/{n.card_id}": n.fields for n in expanded(mini_deck).notes}


def add_facts(deck: Path, text: str) -> Path:
    write_tree(deck, {"facts.yaml": text})
    return deck


def error_lines(deck: Path, templates: Path | None = None) -> list[str]:
    with pytest.raises(FactdeckError) as caught:
        expanded(deck, templates)
    return [str(p) for p in caught.value.problems]


def test_each_kind_yields_its_notes_with_stable_guids(mini_deck: Path) -> None:
    notes = expanded(mini_deck).notes
    assert [(n.fact_id, n.card_id, n.note_type) for n in notes] == [
        ("nerve-a", "levels", "qa"),
        ("nerve-a", "levels-reverse", "qa"),
        ("fact-b", "text", "cloze"),
    ]
    assert notes[0].guid == ids.guid_for("mini", "nerve-a", "levels")
    assert notes[0].fields == (
        "Which spinal levels give rise to the alpha nerves?",
        "L1–L3",
        "",
        '<span class="fd-source-title">A Source</span> · '
        '<span class="fd-source-section">Body</span>',
    )
    assert notes[2].fields[2].endswith('<span class="fd-source-refs">Ref 2000</span>')


def test_fact_text_is_escaped(mini_deck: Path) -> None:
    add_facts(
        mini_deck,
        """
        facts:
          - id: q
            kind: question
            question: "Is 1 < 2 & <script>alert(1)</script>?"
            answer: "<b>yes</b>"
            source: body
    """,
    )
    front, back, *_ = notes_of(mini_deck)["q/qa"]
    assert front == "Is 1 &lt; 2 &amp; &lt;script&gt;alert(1)&lt;/script&gt;?"
    assert back == "&lt;b&gt;yes&lt;/b&gt;"


def test_html_opt_in_keeps_only_the_safe_subset(mini_deck: Path) -> None:
    add_facts(
        mini_deck,
        """
        facts:
          - id: q
            kind: question
            question: "H<sub>2</sub>O <script>alert(1)</script><i onclick='x()'>now</i>?"
            answer: "<b>yes</b><br><img src=x onerror=alert(1)>"
            html: [question, answer]
            source: body
    """,
    )
    front, back, *_ = notes_of(mini_deck)["q/qa"]
    assert (front, back) == ("H<sub>2</sub>O <i>now</i>?", "<b>yes</b><br>")


def test_optional_fields_make_their_notes_only_when_present(mini_deck: Path) -> None:
    add_facts(
        mini_deck,
        """
        facts:
          - {id: n, kind: nerve, name: gamma nerves, fibers: sensory, source: body}
    """,
    )
    assert list(notes_of(mini_deck)) == ["n/fibres"]


def test_a_former_british_field_name_builds_the_same_note(mini_deck: Path) -> None:
    """`fibres` (before the fields went US) still validates, into the same GUID and text."""
    fact = "facts:\n  - {{id: n, kind: nerve, name: gamma nerves, plural: true, {}: sensory, source: body}}\n"
    us = {(n.guid, n.fields) for n in expanded(add_facts(mini_deck, fact.format("fibers"))).notes}
    old = {(n.guid, n.fields) for n in expanded(add_facts(mini_deck, fact.format("fibres"))).notes}
    assert old == us
    assert us == {
        (
            ids.guid_for("mini", "n", "fibres"),
            ("What kind of fibers do the gamma nerves carry?", "Sensory", *next(iter(us))[1][2:]),
        )
    }


def test_a_fact_that_yields_nothing_is_an_error(mini_deck: Path) -> None:
    add_facts(mini_deck, "facts:\n  - {id: n, kind: nerve, name: gamma nerves, source: body}\n")
    (message,) = error_lines(mini_deck)
    assert message.startswith(
        "cards/mini/facts.yaml:2: fact 'n': yields no cards; fill in at least one of: "
    )
    assert "levels" in message and "name" not in message.split("one of:")[1]


def test_template_naming_a_missing_field_is_an_error(mini_deck: Path, project: Path) -> None:
    kind = project / "templates" / "kinds" / "question.yaml"
    kind.write_text(
        "notes:\n  - id: qa\n    note_type: qa\n    fields:\n"
        "      Front: '{{ question }}'\n      Back: '{{ answr }}'\n"
    )
    add_facts(
        mini_deck, "facts:\n  - {id: q, kind: question, question: Q, answer: A, source: body}\n"
    )
    assert error_lines(mini_deck) == [
        "cards/mini/facts.yaml:2: fact 'q': 'answr' is undefined; the template names something "
        "a question does not have (note 'qa', field 'Back', templates/kinds/question.yaml:6)"
    ]


def test_template_syntax_error_names_file_and_line(project: Path) -> None:
    kind = project / "templates" / "kinds" / "question.yaml"
    kind.write_text(
        "notes:\n  - id: qa\n    note_type: qa\n    fields:\n      Front: '{{ question }'\n"
    )
    with pytest.raises(FactdeckError) as caught:
        load_templates(project / "templates")
    assert [str(p) for p in caught.value.problems] == [
        "templates/kinds/question.yaml:5: template syntax error: unexpected '}'"
    ]


def test_template_field_and_note_type_names_are_checked(project: Path) -> None:
    kind = project / "templates" / "kinds" / "question.yaml"
    kind.write_text(
        "notes:\n  - id: qa\n    note_type: qa\n    requires: [anser]\n"
        "    fields: {Frnt: x}\n  - id: b\n    note_type: basic\n    fields: {}\n"
    )
    with pytest.raises(FactdeckError) as caught:
        load_templates(project / "templates")
    assert [str(p) for p in caught.value.problems] == [
        "templates/kinds/question.yaml:2: note 'qa': requires 'anser', which a question does "
        "not have (did you mean 'answer'?)",
        "templates/kinds/question.yaml:5: note 'qa': note type 'qa' has no field 'Frnt' (did "
        "you mean 'Front'?); its fields are Front, Back, Extra, Source",
        "templates/kinds/question.yaml:6: note 'b': unknown note_type 'basic'",
    ]


def test_empty_question_is_refused(mini_deck: Path, project: Path) -> None:
    kind = project / "templates" / "kinds" / "question.yaml"
    kind.write_text(
        "notes:\n  - id: qa\n    note_type: qa\n    fields:\n"
        "      Front: '{% if false %}x{% endif %}'\n      Back: '{{ answer }}'\n"
    )
    add_facts(
        mini_deck, "facts:\n  - {id: q, kind: question, question: Q, answer: A, source: body}\n"
    )
    assert error_lines(mini_deck) == [
        "cards/mini/facts.yaml:2: fact 'q': note 'qa' renders with an empty question; it needs "
        "text in Front (templates/kinds/question.yaml:2)"
    ]


def test_filters() -> None:
    assert cloze("L1–L3", 2) == "{{c2::L1–L3}}"
    assert cloze("a<b", 1, hint="x&y") == "{{c1::a&lt;b::x&amp;y}}"
    assert clozes(["a", "b", "c"]) == "{{c1::a}}, {{c2::b}} and {{c3::c}}"
    assert and_list(["x"]) == "x" and and_list([]) == ""
    assert with_aka("medial cluneal nerves", ["middle cluneal nerves"]) == (
        "medial cluneal nerves (middle cluneal nerves)"
    )
