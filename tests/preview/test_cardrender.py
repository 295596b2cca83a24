"""The preview's card renderer against the official Anki engine: the same HTML, card by card.

Anki's `card.question()` is `<style>{note type CSS}</style>` followed by the rendered
template; ours must be byte-identical for every card of the shipped deck and of a
deck written to exercise sections, FrontSide, hints, entities and HTML fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from factdeck.anki.cloze import encode_attribute, reveal
from factdeck.errors import FactdeckError, Location
from factdeck.facts.model import NoteSpec
from factdeck.history.guards import NO_OVERRIDES
from factdeck.pipeline import BuildResult, Checked, build, expanded, stamped
from factdeck.preview.card_templates import (
    Replacement,
    Section,
    TemplateSyntaxError,
    Text,
    compile_note_type,
    parse,
    render_note,
)
from factdeck.stages import unwatched
from tests.support.decks import DECKS, write_tree
from tests.support.engine import import_package, open_collection

Sides = dict[tuple[str, int], tuple[str, str]]


def anki_sides(apkg: Path, folder: Path) -> Sides:
    col = open_collection(folder)
    try:
        import_package(col, apkg)
        sides = {}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            sides[(card.note().guid, card.ord)] = (card.question(), card.answer())
        return sides
    finally:
        col.close()


def our_sides(checked: Checked, notes: Iterable[NoteSpec] | None = None) -> Sides:
    """Our sides of `notes`, the deck's own by default."""
    types = checked.templates.note_types
    compiled = {key: compile_note_type(t, Location(Path(key))) for key, t in types.items()}
    sides = {}
    for note in checked.notes if notes is None else notes:
        style = f"<style>{types[note.note_type].css}</style>"
        for faces in render_note(compiled[note.note_type], note):
            sides[(note.guid, faces.ord)] = (style + faces.front, style + faces.back)
    return sides


def assert_same(ours: Sides, anki: Sides) -> None:
    assert sorted(ours) == sorted(anki)
    for key, (question, answer) in anki.items():
        assert ours[key][0] == question, key
        assert ours[key][1] == answer, key


@pytest.mark.parametrize("deck", DECKS, ids=lambda deck: deck.name)
def test_every_card_of_every_deck_renders_as_in_anki(
    deck: Path, deck_builder: Callable[[Path], BuildResult], tmp_path: Path
) -> None:
    built = deck_builder(deck)
    # the notes as the package ships them: stamped against the lock, so a cloze corrected
    # onto a new card keeps the card numbers its releases gave it
    done = stamped(built.apkg.parent.parent / "cards" / deck.name, None, NO_OVERRIDES, unwatched)
    ours = our_sides(done.checked, [n.note for n in done.stamping.plan.notes])
    assert len(ours) == built.report.cards
    assert_same(ours, anki_sides(built.apkg, tmp_path / "anki"))


TRICKY_BACK = """\
{{FrontSide}}
<hr id="answer">
{{Back}}
{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}
{{^Extra}}<div class="none">no extra</div>{{/Extra}}
{{ #Source }}<small>{{ Source }}</small>{{/Source}}
"""


def test_sections_front_side_hints_and_entities_render_as_in_anki(
    mini_deck: Path, tmp_path: Path
) -> None:
    templates = mini_deck.parent.parent / "templates"
    (templates / "note-types" / "qa" / "back.html").write_text(TRICKY_BACK)
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - {id: with-extra, kind: question, question: "Q & <A>?", answer: "A",
             extra: "more", source: body}
          - {id: no-extra, kind: question, question: "Q2?", answer: "B", source: body}
          - id: clozes
            kind: statement
            text: "Tom & Jerry: {{c1::a \\"quoted\\" é, 1.5}} then {{c2::b::a hint}} {{c1::c}}"
            source: intro
          - id: html
            kind: statement
            text: "An <b>{{c1::bold}}</b> <i>word</i>"
            html: [text]
            source: intro
    """
        },
    )
    result = build(mini_deck, tmp_path / "dist")
    ours = our_sides(expanded(mini_deck))
    anki = anki_sides(result.apkg, tmp_path / "anki")
    assert_same(ours, anki)
    assert len(anki) == 5
    answers = " ".join(answer for _, answer in anki.values())
    assert "no extra" in answers and '<div class="extra">more</div>' in answers


def test_cloze_front_hides_the_active_cloze_and_back_shows_it() -> None:
    text = "A {{c1::b&amp;c <i>d</i> é – 1,2.}} e {{c2::f::hint here}}"
    assert reveal(text, 1, question=True) == (
        'A <span class="cloze" data-cloze="b&amp;amp&#x3B;c&#x20;&lt;i&gt;d&lt;&#x2F;i&gt;'
        '&#x20;&#xE9;&#x20;–&#x20;1&#x2C;2&#x2E;" data-ordinal="1">[...]</span> e '
        '<span class="cloze-inactive" data-ordinal="2">f</span>'
    )
    assert reveal(text, 1, question=False) == (
        'A <span class="cloze" data-ordinal="1">b&amp;c <i>d</i> é – 1,2.</span> e '
        '<span class="cloze-inactive" data-ordinal="2">f</span>'
    )
    assert reveal(text, 2, question=True).endswith(
        '<span class="cloze" data-cloze="f" data-ordinal="2">[hint here]</span>'
    )
    assert reveal(text, 3, question=True) == ""


def test_nested_clozes_and_stray_markers_follow_anki() -> None:
    """Outputs recorded from Anki 26.9 (rslib cloze.rs) for the same inputs."""
    nested = "{{c1::outer {{c2::inner}} tail}} and {{c3::x::h1::h2}}"
    assert reveal(nested, 2, question=True) == (
        '<span class="cloze-inactive" data-ordinal="1">outer <span class="cloze" '
        'data-cloze="inner" data-ordinal="2">[...]</span> tail</span> and '
        '<span class="cloze-inactive" data-ordinal="3">x</span>'
    )
    assert reveal(nested, 3, question=True).endswith('data-ordinal="3">[h1::h2]</span>')
    assert reveal("stray }} and {{c1::ok}} {{c99999::big}}", 1, question=False) == (
        'stray }} and <span class="cloze" data-ordinal="1">ok</span> {{c99999::big}}'
    )


def test_image_occlusion_clozes_become_shape_data() -> None:
    text = (
        "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=0:oi=1}}"
        "{{c2::image-occlusion:rect:left=.5:top=.5:width=.1:height=.1}}"
    )
    assert reveal(text, 1, question=True) == (
        '<div class="cloze" data-ordinal="1" data-shape="rect" data-left=".1" data-top=".2" '
        'data-width=".3" data-occludeInactive="1" ></div>'
        '<div class="cloze-inactive" data-ordinal="2" data-shape="rect" data-left=".5" '
        'data-top=".5" data-width=".1" data-height=".1" ></div>'
    )
    assert reveal(text, 1, question=False).startswith('<div class="cloze-highlight"')


def test_attribute_encoding_is_anki_s() -> None:
    assert encode_attribute('"No", he said.') == "&quot;No&quot;&#x2C;&#x20;he&#x20;said&#x2E;"
    assert encode_attribute("x'y–z") == "x&#x27;y–z"
    specials = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    for code in range(0x300):  # each character as Rust's htmlescape writes it in an attribute
        char = chr(code)
        kept = code >= 256 or (char.isascii() and char.isalnum())
        expected = specials.get(char, char if kept else f"&#x{code:02X};")
        assert encode_attribute(f"a{char}\U0001f600") == f"a{expected}\U0001f600"


def test_parse_builds_a_tree() -> None:
    assert parse("a {{#X}}b {{cloze:Y}}{{/X}}{{^X}}{{ Z }}{{/X}}") == (
        Text("a "),
        Section("X", False, (Text("b "), Replacement("Y", ("cloze",)))),
        Section("X", True, (Replacement("Z", ()),)),
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{#A}}x", "{{#A}} is never closed with {{/A}}"),
        ("{{#A}}x{{/B}}", "{{/B}} closes no open section while {{#A}} is open"),
        ("x{{/B}}", "{{/B}} closes no open section"),
        ("x {{Front", "'{{' without its '}}': '{{Front'"),
    ],
)
def test_template_syntax_errors(source: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        parse(source)
    assert str(caught.value) == message


def test_unknown_fields_and_filters_are_refused_with_the_template_named(mini_deck: Path) -> None:
    templates = mini_deck.parent.parent / "templates"
    (templates / "note-types" / "qa" / "front.html").write_text(
        "{{Front}} {{hint:Back}} {{#Nope}}{{/Nope}} {{Tags}}"
    )
    qa = expanded(mini_deck).templates.note_types["qa"]
    with pytest.raises(FactdeckError) as caught:
        compile_note_type(qa, Location(templates / "note-types" / "qa.yaml"))
    assert {p.location for p in caught.value.problems} == {
        Location(templates / "note-types" / "qa.yaml")
    }
    assert [p.message for p in caught.value.problems] == [
        "note type 'qa', card 'Card 1' front: filter 'hint:' is not previewed (supported: cloze)",
        "note type 'qa', card 'Card 1' front: {{#Nope}} names no field of the note type",
        "note type 'qa', card 'Card 1' front: {{Tags}} names no "
        "field of the note type (fields: Front, Back, Extra, Source; special fields other "
        "than FrontSide are not previewed)",
    ]
