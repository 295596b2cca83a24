"""factdeck's one cloze reader (anki/cloze.py) against the official engine, on generated text.

Hypothesis writes thousands of fields from the grammar's own pieces (openings valid and
not, closings, `::` hints, commas, c0, numbers past u16, HTML, entities, occlusion shapes,
nesting past Anki's depth limit) and the engine renders each: the card numbers, both
sides of every card, the `cloze-only` filter and the type-in answer must be Anki's, byte
for byte. A second property holds the syntax check (anki/cloze_syntax.py) to the engine:
text it accepts shows no stray braces on any card and makes one card per number written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from anki.notes import Note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factdeck.anki import cloze, cloze_syntax
from tests.support.engine import open_collection

EXAMPLES = 2500
_PIECES = [
    "{{c1::",
    "{{c2::",
    "{{c3::",
    "{{c0::",
    "{{c12::",
    "{{c1,2::",
    "{{c2,1,2::",
    "{{c,::",
    "{{c70000::",
    "{{c1,70000::",
    "{{c::",
    "{{c1:",
    "{{C1::",
    "{{ c1::",
    "{{c1 ::",
    "}}",
    "}",
    "{",
    "::",
    ":",
    "a",
    "dorsal rami",
    " ",
    "\n",
    "<b>",
    "</b>",
    '<span class="x">',
    "</span>",
    "&amp;",
    "&nbsp;",
    "<",
    ">",
    '"',
    "'",
    "é",
    "–",
    "L1",
    ",",
    "image-occlusion:rect:left=.1:top=.2:width=.3:height=.4:oi=1",
    "image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=0",
]
_WORDS = st.sampled_from(["a", "dorsal rami", "<i>L1</i>", "&amp; é", "x y", " "])


@st.composite
def nested(draw: st.DrawFn, depth: int = 0) -> str:
    """A well-formed cloze, nested up to twelve deep (past Anki's limit of ten)."""
    number = draw(st.integers(1, 4))
    parts = draw(st.lists(_WORDS, min_size=1, max_size=3))
    if depth < 12 and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), draw(nested(depth + 1)))
    hint = draw(st.none() | _WORDS)
    return f"{{{{c{number}::{''.join(parts)}{'' if hint is None else '::' + hint}}}}}"


TEXTS = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=25).map("".join),
    st.lists(st.one_of(nested(), _WORDS, st.sampled_from(_PIECES)), max_size=6).map("".join),
    st.text(alphabet="{}c0123:,ab <>&;", max_size=30),
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Collection, Any]]:
    col = open_collection(Path(tmp_path_factory.mktemp("cloze-grammar")))
    models = col.models
    model = models.new("Cloze probe")
    model["type"] = 1  # cloze
    model["css"] = ""
    models.add_field(model, models.new_field("Text"))
    template = models.new_template("Cloze")
    template["qfmt"] = template["afmt"] = "{{cloze:Text}}"
    models.add_template(model, template)
    models.add(model)
    try:
        yield col, models.by_name("Cloze probe")
    finally:
        col.close()


def _note(engine: tuple[Collection, Any], text: str) -> Note:
    col, model = engine
    note = col.new_note(model)
    note["Text"] = text
    return note


PROPERTY = settings(  # every property here: repeatable, thousands of texts, one engine
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ONLY = {"qfmt": "{{cloze-only:Text}}", "afmt": "{{cloze-only:Text}}", "name": "Only"}


@PROPERTY
@given(text=TEXTS)
def test_our_reading_of_cloze_text_is_ankis(engine: tuple[Collection, Any], text: str) -> None:
    col = engine[0]
    note = _note(engine, text)
    numbers = cloze.ordinals(text)
    assert numbers == set(note.cloze_numbers_in_fields())
    for number in sorted(numbers)[:4]:
        card = note.ephemeral_card(number - 1)
        assert card.question() == "<style></style>" + cloze.reveal(text, number, True)
        assert card.answer() == "<style></style>" + cloze.reveal(text, number, False)
        only = note.ephemeral_card(number - 1, custom_template=dict(_ONLY))
        assert only.question() == "<style></style>" + cloze.reveal_only(text, number, True)
        assert only.answer() == "<style></style>" + cloze.reveal_only(text, number, False)
        assert cloze.for_typing(text, number) == col.extract_cloze_for_typing(text, number)


_TAG = re.compile(r"<[^>]*>")
_WRITTEN = re.compile(r"\{\{c(\d+)::")


@PROPERTY
@given(text=TEXTS)
def test_text_the_syntax_check_accepts_reads_as_written(
    engine: tuple[Collection, Any], text: str
) -> None:
    if cloze_syntax.malformed(text):
        return
    note = _note(engine, text)
    written = {int(n) for n in _WRITTEN.findall(text)}
    assert set(note.cloze_numbers_in_fields()) == written
    for number in written:
        card = note.ephemeral_card(number - 1)
        for side in (card.question(), card.answer()):
            shown = _TAG.sub("", side)
            assert "{{" not in shown
            assert "}}" not in shown


def _plain_sides(note: Note, number: int) -> tuple[str, str]:
    card = note.ephemeral_card(number - 1)
    return _TAG.sub("", card.question()), _TAG.sub("", card.answer())


# Each refused text, and what the engine does with it that its author did not mean.
MISREAD = {
    "{{c1::rheumatoid arthritis}}, {{c2:diabetes}} and {{c3::hypothyroidism}}": (
        lambda note, col: (
            set(note.cloze_numbers_in_fields()) == {1, 3}
            and "{{c2:diabetes}}" in _plain_sides(note, 1)[1]
        )
    ),
    "{{c1::open": lambda note, col: not note.cloze_numbers_in_fields(),
    "closed}} {{c1::x}}": lambda note, col: "}}" in _plain_sides(note, 1)[0],
    "{{c0::zero}} {{c1::one}}": lambda note, col: note.cloze_numbers_in_fields() == [1],
    "{{c1::}} {{c2::x}}": lambda note, col: col.extract_cloze_for_typing("{{c1::}}", 1) == "",
    "{{c1::a::hint {{c2::b}}}}": lambda note, col: _plain_sides(note, 1) == ("[hint ]", "ab"),
    "{{C1::x}}": lambda note, col: not note.cloze_numbers_in_fields(),
    "{{c70000::x}} {{c1::y}}": lambda note, col: "{{c70000::x" in _plain_sides(note, 1)[0],
    "{{c1::" * 11 + "deep" + "}}" * 11: lambda note, col: "}}" in _plain_sides(note, 1)[1],
}


@pytest.mark.parametrize("text", sorted(MISREAD))
def test_each_refused_text_is_misread_by_anki(engine: tuple[Collection, Any], text: str) -> None:
    """Every refusal is real: the engine shows braces, drops words, makes a card for nothing
    or none for a number written, or files hidden words under a hint."""
    assert cloze_syntax.malformed(text)
    assert MISREAD[text](_note(engine, text), engine[0]), text
