"""package: which cards each note gets must be exactly the cards Anki makes."""

from __future__ import annotations

from pathlib import Path

from factdeck.pipeline import build
from tests.support.decks import write_tree
from tests.support.engine import import_package, open_collection, render_all


def test_nested_clozes_make_a_card_each(mini_deck: Path, project: Path, tmp_path: Path) -> None:
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - id: nested
            kind: statement
            text: "The {{c1::superior {{c2::cluneal}} nerves}} cross the iliac crest."
            source: body
    """
        },
    )
    result = build(mini_deck, project / "dist")
    col = open_collection(tmp_path / "c")
    import_package(col, result.apkg)
    assert result.report.cards == col.card_count() == 2
    assert not col.get_empty_cards().notes
    col.close()


def test_a_template_whose_fields_are_empty_makes_no_card(
    mini_deck: Path, project: Path, tmp_path: Path
) -> None:
    note_types = project / "templates" / "note-types"
    write_tree(
        note_types,
        {
            "two-way.yaml": """
            name: Two-way
            fields: [Front, Back, Reverse]
            cards:
              - {name: Forward, front: two-way/front.html, back: two-way/back.html}
              - {name: Reverse, front: two-way/reverse.html, back: two-way/back.html}
            css: [../base.css]
            retired: {Front: "{{ text }}"}
        """,
            "two-way/front.html": "{{Front}}",
            "two-way/reverse.html": "{{Reverse}}",
            "two-way/back.html": "{{Front}} {{Back}} {{Reverse}}",
        },
    )
    write_tree(
        project / "templates" / "kinds",
        {
            "question.yaml": """
        notes:
          - id: qa
            note_type: two-way
            fields:
              Front: "{{ question }}"
              Back: "{{ answer }}"
              Reverse: "{% if extra %}{{ extra }}{% endif %}"
    """
        },
    )
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - {id: one-way, kind: question, question: Q1?, answer: A1, source: body}
          - {id: both, kind: question, question: Q2?, answer: A2, extra: A2 means?, source: body}
    """
        },
    )
    result = build(mini_deck, project / "dist")
    col = open_collection(tmp_path / "c")
    import_package(col, result.apkg)
    assert result.report.cards == col.card_count() == 3
    assert sorted(c.question.rsplit(">", 1)[-1] for c in render_all(col)) == [
        "A2 means?",
        "Q1?",
        "Q2?",
    ]
    col.close()
