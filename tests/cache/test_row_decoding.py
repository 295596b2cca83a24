"""Reading a row back (cache/rows.py): any note and card, and any valid fact, of any kind and with any of its
optional fields, comes back from its row as the model its file validated to (the same
values, the same fields given, `~` placeholders in their places), though a row's facts
are read in one pass with only their types checked (SEALED)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from factdeck.cache import rows
from factdeck.errors import Location
from factdeck.facts.model import KINDS, Entry, Fact, Media, NoteSpec, item_numbers
from factdeck.lint.cards import Card, Choice
from factdeck.lint.engine import WRITTEN, FileLint, Finding, across
from factdeck.lint.rules import FileIndex

DECK = Path("deck")
SLUG = st.from_regex(r"[a-z][a-z0-9]{0,4}(-[a-z0-9]{1,3}){0,2}", fullmatch=True)
TAG = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,4}(::[a-z0-9]{1,3}){0,2}", fullmatch=True)
# text with the spaces pydantic strips, line breaks, and characters beyond ASCII
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | st.sampled_from(" \n\t"),
    min_size=1,
    max_size=12,
)
ITEMS = st.lists(st.none() | TEXT, min_size=1, max_size=4)  # None: a `~` placeholder
LISTED = TEXT | st.lists(TEXT, max_size=3)
DECLARED = st.lists(
    st.fixed_dictionaries({"in": st.sampled_from(["1.0.0", "2.1.0-rc.1"]), "why": TEXT}), max_size=2
)
COMMON: dict[str, Any] = {
    "tags": st.lists(TAG, max_size=3),
    "subdeck": SLUG,
    "extra": TEXT,
    "html": st.lists(st.sampled_from(["answer", "extra", "question"]), max_size=2),
    "lint": st.dictionaries(st.sampled_from(["long-answer", "spelling"]), TEXT, max_size=2),
    "revive": st.booleans(),
    "also_accept": TEXT | st.lists(TEXT, max_size=2),
    "standard": st.fixed_dictionaries(
        {"text": TEXT, "source": TEXT}, optional={"notes": st.lists(SLUG, max_size=2)}
    ),
    "correction": DECLARED,
    "reworded": DECLARED,
    "renumbered": DECLARED,
    "questions": st.dictionaries(SLUG, TEXT, max_size=2),
    "practice": st.booleans()
    | st.just("only")
    | st.dictionaries(SLUG, st.booleans() | st.sampled_from("ABCD"), max_size=2),
    "distractors": st.dictionaries(
        SLUG, st.lists(TEXT, max_size=3) | st.dictionaries(TEXT, TEXT, max_size=2), max_size=2
    ),
}
NAMED: dict[str, Any] = {"aka": TEXT | st.lists(TEXT, max_size=2), "plural": st.booleans()}
REQUIRED: dict[str, dict[str, Any]] = {
    "nerve": {"name": TEXT},
    "muscle": {"name": TEXT},
    "structure": {"name": TEXT},
    "condition": {"name": TEXT},
    "technique": {"name": TEXT},
    "statement": {"text": st.builds("In {{{{c1::{}}}}} {}.".format, TEXT, TEXT)},
    "question": {"question": TEXT, "answer": TEXT},
    "case": {"presentation": TEXT, "question": TEXT, "answer": TEXT, "why": TEXT},
    "diagram": {
        "image": TEXT,
        "header": TEXT,
        "masks": st.lists(
            st.none() | st.lists(SLUG, min_size=1, max_size=2), min_size=1, max_size=4
        ),
    },
}


@st.composite
def facts(draw: st.DrawFn) -> Fact:
    kind = draw(st.sampled_from(sorted(KINDS)))
    model = KINDS[kind]
    optional = {**COMMON, **(NAMED if "name" in REQUIRED[kind] else {})}
    for name, field in model.model_fields.items():  # the kind's own list and text fields
        if (
            name not in optional
            and name not in REQUIRED[kind]
            and name not in ("id", "kind", "source")
        ):
            placeholders = "_placeholders" in repr(field.metadata)  # an Items field
            optional[name] = ITEMS if placeholders else LISTED if field.default == () else TEXT
    data = draw(
        st.fixed_dictionaries(
            {
                "id": SLUG,
                "kind": st.just(kind),
                "source": SLUG
                | st.fixed_dictionaries(
                    {"section": SLUG},
                    optional={"refs": st.lists(SLUG, max_size=2), "refs_why": TEXT},
                ),
                **REQUIRED[kind],
            },
            optional=optional,
        )
    )
    try:
        return model.model_validate(data)  # type: ignore[return-value]
    except ValidationError:
        assume(False)
        raise


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.lists(facts(), min_size=1, max_size=4))
def test_any_fact_comes_back_from_its_row_as_validated(made: list[Fact]) -> None:
    entries = tuple(Entry(fact, Location(DECK / "a.yaml", n + 1)) for n, fact in enumerate(made))
    text = rows.file_row(DECK, entries, (), {})
    back, notes = rows.file_records(text.encode(), DECK, {})
    assert (back, notes) == (entries, ())
    for was, now in zip(made, (e.fact for e in back), strict=True):
        assert type(now) is type(was)
        assert now.model_fields_set == was.model_fields_set
        assert now.model_dump(mode="json", by_alias=True) == was.model_dump(
            mode="json", by_alias=True
        )
        for name in type(was).model_fields:
            assert item_numbers(getattr(now, name)) == item_numbers(getattr(was, name)), name


DRAWINGS = {"figures/a.svg": "a" * 64, "b.svg": "b" * 64}
NOTES = st.builds(
    NoteSpec,
    guid=TEXT,
    note_type=SLUG,
    fields=st.lists(st.text(max_size=8), max_size=4).map(tuple),
    tags=st.lists(TAG, max_size=3).map(tuple),
    subdeck=st.none() | SLUG,
    fact_id=SLUG,
    card_id=SLUG,
    location=st.builds(
        Location,
        st.sampled_from([DECK / "a.yaml", DECK / "b/c.yml"]),
        st.none() | st.integers(1, 10**6),
    ),
    media=st.lists(
        st.builds(Media, st.sampled_from(sorted(DRAWINGS)).map(lambda p: DECK.resolve() / p), SLUG),
        max_size=2,
    ).map(tuple),
)


@st.composite
def linted(draw: st.DrawFn) -> tuple[tuple[NoteSpec, ...], FileLint]:
    notes = tuple(draw(st.lists(NOTES, min_size=1, max_size=3)))
    words = st.lists(st.text(max_size=6), max_size=3).map(tuple)
    cards = draw(
        st.lists(
            st.builds(
                Card,
                st.sampled_from(notes),
                st.sampled_from(["qa", "cloze", "diagram", "mcq"]),
                *(st.text(max_size=8) for _ in range(6)),
                st.integers(0, 30),
                words,
                st.text(max_size=8),
                st.text(max_size=8),
                st.lists(
                    st.builds(
                        Choice, st.sampled_from("ABCD"), TEXT, st.booleans(), st.text(max_size=5)
                    ),
                    max_size=4,
                ).map(tuple),
            ),
            max_size=4,
        )
    )
    found = st.builds(
        Finding,
        st.builds(Location, st.just(DECK / "a.yaml"), st.none() | st.integers(1, 99)),
        SLUG,
        SLUG,
        TEXT,
    )
    n = len(cards)
    index = FileIndex(
        asked=tuple(draw(st.lists(st.tuples(TEXT, st.integers(0, n - 1), words), max_size=n)))
        if n
        else (),
        mcq=tuple(draw(st.lists(st.integers(0, n - 1), max_size=n))) if n else (),
        used=tuple(sorted(draw(st.dictionaries(TEXT, st.integers(1, 9), max_size=3)).items())),
        british=tuple(draw(st.lists(st.tuples(st.integers(0, n - 1), TEXT, TEXT), max_size=n)))
        if n
        else (),
    )
    asked = len(index.asked)
    index = dataclasses.replace(
        index,
        ids=tuple(draw(st.integers(0, 2**64 - 1)) for _ in index.asked),
        labels=tuple(draw(st.lists(st.integers(0, asked - 1), max_size=asked))) if asked else (),
    )
    lint = FileLint(
        tuple(across(card) for card in cards),
        tuple(draw(words) for _ in cards),
        tuple(draw(TEXT) for _ in cards),
        tuple(draw(st.lists(found, max_size=3))),
        index,
        written=tuple(i for i, card in enumerate(cards) if card.shape in WRITTEN),
        digests=tuple(draw(st.integers(0, 2**64 - 1)) for _ in cards),
        names=tuple(sorted(draw(st.sets(TEXT, max_size=3)))),
    )
    return notes, lint


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linted())
def test_any_note_and_card_comes_back_from_its_row(
    made: tuple[tuple[NoteSpec, ...], FileLint],
) -> None:
    notes, lint = made
    text = rows.file_row(DECK, (), notes, DRAWINGS)
    assert rows.file_records(text.encode(), DECK, DRAWINGS) == ((), notes)
    assert rows.lint_record(rows.lint_row(DECK, notes, lint).encode(), DECK, notes) == lint
