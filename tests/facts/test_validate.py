"""validate: raw mappings -> typed facts, with every problem reported at once, at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.facts.load import load_deck
from factdeck.facts.model import Nerve, Statement
from factdeck.facts.validate import validate
from tests.support.decks import MINI_DECK, TINY_SOURCE, deck_yaml, facts_yaml, write_tree


@pytest.fixture
def deck_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_tree(tmp_path / "d", {"deck.yaml": MINI_DECK["deck.yaml"]})


def problems(deck_dir: Path, facts: str, **more: str) -> list[str]:
    write_tree(deck_dir, {"facts.yaml": facts, **more})
    with pytest.raises(FactdeckError) as caught:
        validate(load_deck(deck_dir))
    return [str(p) for p in caught.value.problems]


def test_valid_deck_gives_typed_frozen_facts(tmp_path: Path) -> None:
    deck = validate(load_deck(write_tree(tmp_path / "d", MINI_DECK)))
    nerve, statement = (e.fact for e in deck.entries)
    assert isinstance(nerve, Nerve) and isinstance(statement, Statement)
    assert (nerve.levels, statement.source.refs, deck.entries[0].location.line) == (
        "L1–L3",
        ("ref-one",),
        2,
    )
    with pytest.raises(ValueError, match="frozen"):
        nerve.name = "changed"  # type: ignore[misc]


def test_defaults_apply_and_tags_merge(deck_dir: Path) -> None:
    write_tree(
        deck_dir,
        {
            "facts.yaml": """
        defaults: {source: body, tags: [mini::a]}
        facts:
          - {id: x, kind: question, question: Q?, answer: A, tags: [mini::b]}
          - {id: y, kind: question, question: Q2?, answer: A, source: intro}
    """
        },
    )
    x, y = (e.fact for e in validate(load_deck(deck_dir)).entries)
    assert (x.tags, x.source.section, y.tags, y.source.section) == (
        ("mini::a", "mini::b"),
        "body",
        ("mini::a",),
        "intro",
    )


def test_unknown_field_suggests_the_nearest_name(deck_dir: Path) -> None:
    assert problems(
        deck_dir,
        """
        facts:
          - id: n
            kind: nerve
            name: a nerve
            orign: L1
            source: body
    """,
    ) == ["d/facts.yaml:5: fact 'n': unknown field 'orign' (did you mean 'origin'?)"]


def test_a_comma_in_flow_mapping_text_is_named_as_the_cause(deck_dir: Path) -> None:
    """`{in: "1.1.0", why: <why>}`, as messages and docs write it, cuts a why with a comma:
    the tail became a field, reported as `unknown field 'correction[1].named in full'`."""
    assert problems(
        deck_dir,
        """
        facts:
          - id: q
            kind: question
            question: Q?
            answer: A
            correction: {in: "1.1.0", why: the cuff holds the head, named in full}
            source: body
    """,
    ) == [
        "d/facts.yaml:6: fact 'q': unknown field 'correction[1].named in full': a comma inside "
        "{...} ends the text before it, so 'named in full' was read as a field; put that text "
        'in quotes ("..., named in full")'
    ]


def test_missing_field_wrong_type_and_unknown_kind_all_at_once(deck_dir: Path) -> None:
    assert problems(
        deck_dir,
        """
        facts:
          - id: n
            kind: nerve
            levels: 5
            source: body
          - id: m
            kind: nerv
            source: body
          - id: q
            source: body
    """,
    ) == [
        "d/facts.yaml:2: fact 'n': missing required field 'name'",
        "d/facts.yaml:4: fact 'n': field 'levels': YAML reads '5' as a number, not text; put it "
        'in quotes: levels: "5"',
        "d/facts.yaml:7: fact 'm': unknown kind 'nerv' (did you mean 'nerve'?); known kinds: "
        "case, condition, diagram, muscle, nerve, question, statement, structure, technique",
        "d/facts.yaml:9: fact 'q': missing required field 'kind' (one of: case, condition, "
        "diagram, muscle, nerve, question, statement, structure, technique)",
    ]


def test_duplicate_ids_within_and_across_files(deck_dir: Path) -> None:
    fact = "  - {id: same, kind: question, question: Q?, answer: A, source: body}\n"
    assert problems(deck_dir, "facts:\n" + fact + fact, **{"more.yaml": "facts:\n" + fact}) == [
        "d/facts.yaml:3: duplicate fact id 'same' (first used at d/facts.yaml:2); every fact "
        "in a deck needs its own id",
        "d/more.yaml:2: duplicate fact id 'same' (first used at d/facts.yaml:2); every fact in "
        "a deck needs its own id",
    ]


def test_references_to_the_deck_are_checked(deck_dir: Path) -> None:
    assert problems(
        deck_dir,
        """
        facts:
          - id: q
            kind: question
            question: Q?
            answer: A
            source: {section: bdy, refs: [ref-two]}
            subdeck: parts
            html: [answr]
    """,
    ) == [
        "d/facts.yaml:2: fact 'q': unknown subdeck 'parts' (did you mean 'part'?); declare it "
        "under 'subdecks' in deck.yaml (part)",
        "d/facts.yaml:2: fact 'q': unknown source section 'bdy' (did you mean 'body'?); "
        "deck.yaml lists: body, intro",
        "d/facts.yaml:2: fact 'q': unknown reference 'ref-two' (did you mean 'ref-one'?); "
        "deck.yaml lists: ref-one",
        "d/facts.yaml:2: fact 'q': 'html' names 'answr', which is not a text field of a "
        "question (did you mean 'answer'?)",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "id",
            "Bad_Id",
            "field 'id': 'Bad_Id' is not a valid id: use lowercase letters and digits "
            "joined by single hyphens, e.g. 'superior-cluneal-origin'",
        ),
        (
            "tags",
            "[has space]",
            "field 'tags[1]': 'has space' is not a valid tag: no spaces; "
            "letters, digits, '-', '_' and '.' in levels joined by '::', e.g. "
            "'lbp::nerves::cluneal::superior'",
        ),
        ("answer", "'   '", "field 'answer': String should have at least 1 character"),
        ("answer", "[a, b]", "field 'answer': Input should be a valid string (got a list)"),
        (
            "answer",
            '"a\\x1fb"',
            "field 'answer': contains the control character U+001F; remove it "
            "(only line breaks and tabs are allowed)",
        ),
    ],
)
def test_field_rules(deck_dir: Path, field: str, value: str, message: str) -> None:
    base = {"id": "q", "kind": "question", "question": "Q?", "answer": "A", "source": "body"}
    base[field] = value
    body = "\n".join(f"    {k}: {v}" for k, v in base.items())
    (found,) = problems(deck_dir, "facts:\n  -\n" + body + "\n")
    line = 3 + list(base).index(field)
    label = "fact 'Bad_Id'" if value == "Bad_Id" else "fact 'q'"
    assert found == f"d/facts.yaml:{line}: {label}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "No cloze here.",
            "a statement needs at least one cloze deletion, written {{c1::hidden words}}",
        ),
        (
            "A {{c0::zero}} {{c1::one}}.",
            "'{{c0::zero}}': c0 makes no card (cloze numbers start at 1); write {{c1::…}}",
        ),
        (
            "A {{c1::open}} and {{c2::shut}.",
            "'{{c2::shut}.': this cloze is never closed, so Anki drops it and its words from "
            "every card; end it with '}}'",
        ),
        (
            "{{c1::rheumatoid arthritis}}, {{c2:diabetes}} and {{c3::hypothyroidism}}",
            "'{{c2:diabetes}}': one colon after c2: Anki reads plain text here and makes no "
            "card 2; write {{c2::…}} with two colons",
        ),
        (
            "The {{c1::dorsal rami}}}} carry {{c2::}}.",
            "'{{c1::dorsal rami}}}}': '}}' closes no cloze, so students would see it; remove "
            "it, or open the cloze with {{c1::; '{{c2::}}': an empty cloze: its card would ask "
            "for nothing; put the hidden words inside, e.g. {{c1::posterior rami}}, or delete it",
        ),
        (
            "{{c1::a::hint {{c2::b}}}}",
            "'{{c1::a::hint {{c2::b}}}}': the hint must come last in its cloze (Anki takes the "
            "last piece after '::' as the hint and shows the rest as hidden words); put "
            "'::hint' just before the closing '}}'",
        ),
        (
            "{{c1,2::both}}",
            "'{{c1,2::both}}': one cloze for several cards works only from Anki 26.05 (older "
            "clients show the braces); write one cloze per number",
        ),
        (
            "{{C1::x}} and {{ c2::y}}",
            "'{{C1::x}}': not a cloze opening (students would see the braces); write {{c1::…}} "
            "exactly: lowercase c, no spaces, two colons; '{{ c2::y}}': not a cloze opening "
            "(students would see the braces); write {{c2::…}} exactly: lowercase c, no spaces, "
            "two colons",
        ),
    ],
)
def test_statement_cloze_rules(deck_dir: Path, text: str, message: str) -> None:
    assert problems(
        deck_dir,
        f"""
        facts:
          - id: s
            kind: statement
            text: "{text}"
            source: body
    """,
    ) == [f"d/facts.yaml:4: fact 's': field 'text': {message}"]


def test_deck_file_problems_point_into_deck_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path / "d",
        {
            # one line a field: slug is line 2, source line 5
            "deck.yaml": deck_yaml(slug="Not A Slug", source={**TINY_SOURCE, "refrences": {}}),
            "f.yaml": facts_yaml(
                {"id": "q", "kind": "question", "question": "Q", "answer": "A", "source": "body"}
            ),
        },
    )
    with pytest.raises(FactdeckError) as caught:
        validate(load_deck(tmp_path / "d"))
    assert [str(p) for p in caught.value.problems] == [
        "d/deck.yaml:2: deck: field 'slug': 'Not A Slug' is not a valid id: use lowercase "
        "letters and digits joined by single hyphens, e.g. 'superior-cluneal-origin'",
        "d/deck.yaml:5: deck: unknown field 'source.refrences' (did you mean 'references'?)",
    ]
