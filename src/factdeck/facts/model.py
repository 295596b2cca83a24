"""The data: fact kinds and deck metadata (validated input), and the records the build makes.

Facts are pydantic models, frozen and closed (`extra="forbid"`), so a typo in a
field name is an error and nothing mutates a fact after validation.
Records the code builds itself are frozen dataclasses of tuples.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
    model_validator,
)

from factdeck.anki import cloze, cloze_syntax
from factdeck.errors import Location
from factdeck.facts import feedback_url, semver

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?:::[A-Za-z0-9][A-Za-z0-9_.-]*)*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


SEALED = {"sealed": True}  # validation context of a cache row this code wrote and sealed


def _sealed(info: ValidationInfo) -> bool:
    """Values read back from a sealed cache row (cache/rows.py) passed the checks below when
    the row was written from them, by this code (the row's key digests it): only their
    shape is checked again, by pydantic's types, which is what makes reading one cheap."""
    return info.context is SEALED


def _slug(value: str, info: ValidationInfo) -> str:
    if _sealed(info):
        return value
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lowercase letters and digits joined by "
            "single hyphens, e.g. 'superior-cluneal-origin'"
        )
    return value


def _tag(value: str, info: ValidationInfo) -> str:
    if _sealed(info):
        return value
    if not _TAG.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid tag: no spaces; letters, digits, '-', '_' and '.' "
            "in levels joined by '::', e.g. 'lbp::nerves::cluneal::superior'"
        )
    return value


def _cloze_text(value: str, info: ValidationInfo) -> str:
    """Cloze text as Anki will read it: every misreading refused here, so check, lint,
    preview, serve and build all refuse it alike, each with the fragment and the fix."""
    if _sealed(info):
        return value
    wrong = cloze_syntax.malformed(value)
    if wrong:
        raise ValueError("; ".join(f"'{m.fragment}': {m.message}" for m in wrong))
    if not cloze.ordinals(value):
        raise ValueError(
            "a statement needs at least one cloze deletion, written {{c1::hidden words}}"
        )
    return value


def _one_item_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _list_only(value: object) -> object:
    """A list field whose items become one cloze or answer each: a bare string here is
    almost always a list typed as text ("superior, medial and inferior"), one blob card."""
    if isinstance(value, str):
        raise ValueError(
            f"expects a list, got the text '{value}': write one item per line "
            "with '- ', or [first, second]; a single item is written [item]"
        )
    return value


def former_names(model: type[BaseModel]) -> dict[str, str]:
    """A model's former field names (see `renamed`) -> the field's name now."""
    return {
        str(old): name
        for name, info in model.model_fields.items()
        if isinstance(info.validation_alias, AliasChoices)
        for old in info.validation_alias.choices[1:]
    }


def _feedback(value: str) -> str:
    wrong = feedback_url.problems(value)
    if wrong:
        raise ValueError("; ".join(wrong))
    return value


class Listed(tuple[str, ...]):
    """A list field's items with `~` placeholders left out, as every stage reads them;
    `numbers` keeps each item's place in the list as written, which is its card number
    when the items become clozes (so the items after a removed one keep their cards)."""

    numbers: tuple[int, ...]

    def __new__(cls, items: Iterable[str], numbers: tuple[int, ...]) -> Listed:
        listed = super().__new__(cls, items)
        listed.numbers = numbers
        return listed

    def __getnewargs__(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return tuple(self), self.numbers


def item_numbers(items: object) -> tuple[int, ...]:
    """Each item's card number: its place in the list as written (`~` placeholders count)."""
    if isinstance(items, Listed):
        return items.numbers
    return tuple(range(1, len(items) + 1)) if isinstance(items, tuple | list) else ()


def _as_written(items: tuple[str, ...]) -> list[str | None]:
    """The list as its author wrote it, `~` (None) back in place: what a cache row keeps."""
    numbers = item_numbers(items)
    at = dict(zip(numbers, items, strict=True))
    return [at.get(n) for n in range(1, max(numbers, default=0) + 1)]


def _placeholders(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """`~` in a list field: an item taken out that keeps its place, so the items after it
    keep their card numbers (as a diagram's retired masks do)."""
    value = _list_only(value)
    if not isinstance(value, list | tuple) or None not in value:
        return handler(value)
    numbers = tuple(n for n, item in enumerate(value, 1) if item is not None)
    if not numbers:
        raise ValueError(
            "every item is retired (~): keep at least one, or remove the field to retire its note"
        )
    checked = handler(["~" if item is None else item for item in value])  # errors keep their index
    return Listed((checked[n - 1] for n in numbers), numbers)


def _version(value: str) -> str:
    wrong = semver.problem(value)
    if wrong:
        raise ValueError(wrong)
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Version = Annotated[  # names files and orders releases
    str, Field(json_schema_extra={"pattern": semver.PATTERN}), AfterValidator(_version)
]
Tag = Annotated[str, AfterValidator(_tag)]


def _printable(value: str, info: ValidationInfo) -> str:
    """Anki separates fields with \\x1f: a control character in text would corrupt the note."""
    if _sealed(info):
        return value
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}; remove it "
            "(only line breaks and tabs are allowed)"
        )
    return value


Text = Annotated[str, Field(min_length=1), AfterValidator(_printable)]
Options = Annotated[tuple[Text, ...], BeforeValidator(_list_only)]
# A list whose items become one cloze or answer each; `~` keeps a removed item's place.
Items = Annotated[
    tuple[Text, ...],
    WrapValidator(_placeholders),
    PlainSerializer(_as_written),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]},
        }
    ),
]
OneOrMore = Annotated[tuple[Text, ...], BeforeValidator(_one_item_list)]  # a string is one item
ClozeText = Annotated[str, AfterValidator(_cloze_text), AfterValidator(_printable)]


def renamed(name: str, *old: str) -> Any:
    """A field's default (None) that also accepts its former names (British spellings
    before the deck went US): decks written with them validate, and every stage reads the
    field under its one name, so nothing an old name built (a GUID, a card) changes."""
    return Field(default=None, validation_alias=AliasChoices(name, *old))


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --- deck metadata -----------------------------------------------------------------


class Reference(Strict):
    short: Text
    full: Text


class ArticleSource(Strict):
    title: Text
    author: Text | None = None
    url: Text | None = None
    sections: dict[Slug, Text]
    references: dict[Slug, Reference] = {}


def _area_shorthand(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


class ExamArea(Strict):
    """An exam content area: its name, and optionally the exam's published weight (the
    percent of the exam's questions it accounts for), which `stats` and `analyze` compare
    with the deck's cards and the class's study time."""

    name: Text
    weight: Annotated[float, Field(gt=0, le=100)] | None = None

    def __str__(self) -> str:  # templates that print an area print its name
        return self.name


ExamAreaSpec = Annotated[ExamArea, BeforeValidator(_area_shorthand)]


def _weights(areas: dict[str, ExamArea]) -> dict[str, ExamArea]:
    total = sum(a.weight or 0 for a in areas.values())
    if total > 100:
        raise ValueError(
            f"the weights add up to {total:g}%, more than the whole exam; give each area's "
            "share of the exam in percent (an area the deck does not serve is left out)"
        )
    return areas


PRACTICE_SUBDECK = "exam-practice"  # sub-deck key of practice questions (never rename it)
EXAM_PREFIX = "exam::"  # tags `exam::<area>`, one of the deck's `exam_areas`


class DeckSpec(Strict):
    name: Text
    slug: Slug
    version: Version
    description: Text
    source: ArticleSource
    subdecks: dict[Slug, Text] = {}
    exam_areas: Annotated[
        dict[Slug, ExamAreaSpec], AfterValidator(_weights)
    ] = {}  # name|{name, weight}
    # Which image occlusion diagrams ship as (never both: each label is asked once).
    # native: Anki's own (desktop 23.10+, AnkiDroid 2.17+, AnkiMobile 23.10+); portable: plain
    # HTML masks for older clients. Switching retires the other variant's notes.
    occlusion: Literal["native", "portable"] = "native"
    # multiple-choice practice questions (practice/), in the sub-deck PRACTICE_SUBDECK
    practice: bool = False
    # "Report a problem" on every card back: a URL template (facts/feedback_url.py), off when absent
    feedback: Annotated[str, AfterValidator(_feedback)] | None = None

    @model_validator(mode="after")
    def _practice_subdeck(self) -> DeckSpec:
        """Practice on: its sub-deck exists, under the deck's own name for it if it gives one."""
        if self.practice and PRACTICE_SUBDECK not in self.subdecks:
            subdecks = {**self.subdecks, PRACTICE_SUBDECK: "Exam Practice"}
            object.__setattr__(self, "subdecks", subdecks)
        return self


# --- facts --------------------------------------------------------------------------


class SourceRef(Strict):
    section: Slug
    refs: tuple[Slug, ...] = ()
    refs_why: Text | None = None  # why these references support this claim (lint asks for it)


def _source_shorthand(value: object) -> object:
    return {"section": value} if isinstance(value, str) else value


class StandardView(Strict):
    """Where standard anatomy differs from the article: the standard view and its source.
    `notes`: the ids of the notes whose answer it qualifies (all the fact's notes if empty),
    so a line about one field does not lengthen the backs of cards that ask another."""

    text: Text
    source: Text
    notes: tuple[Slug, ...] = ()


def _declarations(value: object) -> object:
    """One declaration (a mapping) or a list of them; the old bare text names no release."""
    if isinstance(value, str):
        raise ValueError(
            "names no release: an answer change is declared for the version that ships it, "
            'e.g. {in: "2.1.0", why: "..."} (it then stays as the fact\'s history)'
        )
    return [value] if isinstance(value, dict) else value


class AnswerChange(Strict):
    """An answer change declared once, for the release that ships it (`in`), and kept in
    the fact file as its history: later releases ignore it (the lock records its tags)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, populate_by_name=True
    )
    version: Version = Field(alias="in")
    why: Text


Declarations = Annotated[tuple[AnswerChange, ...], BeforeValidator(_declarations)]
PRACTICE_ONLY = "only"  # `practice: only`; in the mapping form a key, never a question id
ANSWER_MARKERS = ("correction", "reworded")
DECLARATIONS = (*ANSWER_MARKERS, "renumbered")  # every marker a fact declares per release


def _none_given() -> Any:
    """A dict field's default, `{}` in the schema, made by a factory: pydantic deep-copies
    a `{}` default for each fact, 150,000 copies for a deck of 50,000 read from the cache."""
    return Field(default_factory=dict, json_schema_extra={"default": {}})


class FactBase(Strict):
    id: Slug
    tags: tuple[Tag, ...] = ()
    source: Annotated[SourceRef, BeforeValidator(_source_shorthand)]
    subdeck: Slug | None = None
    extra: Text | None = None
    html: tuple[str, ...] = ()
    lint: dict[str, Text] = _none_given()
    revive: bool = False
    also_accept: OneOrMore = ()  # synonyms an exam uses for the answer, shown on the back
    standard: StandardView | None = None
    # answer changes, each for the release that ships it: `correction` (the old answer was
    # wrong: students re-learn) or `reworded` (the words changed, old answers stand)
    correction: Declarations = ()
    reworded: Declarations = ()
    # cloze items or masks moved to other card numbers on purpose, for the release that
    # ships it: the guard lets it through and the release notes say which cards to reset
    renumbered: Declarations = ()
    # template note id -> this fact's wording of its question
    questions: dict[Slug, Text] = _none_given()
    # multiple choice (practice/): `practice: false` opts the fact out, `{levels: false}` one
    # question, `{levels: C}` puts that question's key at C (the place is otherwise the
    # GUID's hash: a deck evens out its keys this way without moving any other question's);
    # `distractors: {levels: [...]}` gives a question's wrong options itself, or
    # `{levels: {S2–S4: the pudendal nerve}}` each with what it belongs to (shown on the back).
    # `practice: only` (or `{only: true, case: C}` to place its key too): asked as multiple
    # choice and nothing else (a recall card of the same question would ask it twice); a
    # question of it must be made, else the fact is refused
    practice: bool | Literal["only"] | dict[Slug, bool | Literal["A", "B", "C", "D"]] = True
    distractors: dict[Slug, Options | dict[Text, Text]] = _none_given()

    @field_validator("practice")
    @classmethod
    def _only_is_true_or_false(cls, practice: object) -> object:
        """`{only: C}` read as 'not only' and gave the fact its recall cards back, silently."""
        only = practice.get(PRACTICE_ONLY) if isinstance(practice, dict) else None
        if only is not None and not isinstance(only, bool):
            raise ValueError(
                f"'{PRACTICE_ONLY}: {only}' takes true or false (true: asked as multiple "
                "choice only); a question's key goes under that question's id: "
                f"{{{PRACTICE_ONLY}: true, <question>: {only}}}"
            )
        return practice

    @property
    def practice_only(self) -> bool:
        """Multiple choice and no recall card (`practice: only` or `{only: true, ...}`)."""
        if isinstance(self.practice, dict):
            return self.practice.get(PRACTICE_ONLY) is True
        return self.practice == PRACTICE_ONLY

    def declared(self, version: str) -> tuple[tuple[str, AnswerChange], ...]:
        """The answer changes this fact declares for release `version`, as (marker, it)."""
        return tuple(
            (marker, change)
            for marker in DECLARATIONS
            for change in getattr(self, marker)
            if change.version == version
        )

    def text_fields(self) -> tuple[str, ...]:
        """Names of the fields that hold card text (where `html` may opt in)."""
        return _text_fields(type(self))


@functools.cache  # asked of every fact by validation and text safety: once per kind
def _text_fields(model: type[FactBase]) -> tuple[str, ...]:
    skip = {
        "id",
        "kind",
        "tags",
        "source",
        "subdeck",
        "html",
        "lint",
        "revive",
        "plural",
        "standard",
        "questions",
        "look_alikes",
        "practice",
        "distractors",
    }
    return tuple(name for name in model.model_fields if name not in skip)


class Named(FactBase):
    """A fact about one named thing. `aka`: other names for it (cards show both);
    `plural`: the name is plural ("dorsal rami"), so questions say "are", not "is"."""

    name: Text
    aka: OneOrMore = ()
    plural: bool = False


class Nerve(Named):
    kind: Literal["nerve"]
    group: Text | None = None  # "cluneal nerves": the context cue of reverse questions
    fibers: Text | None = renamed("fibers", "fibres")
    origin: Text | None = None
    levels: Text | None = None
    forms: Text | None = None  # what its branches join to form ("the lumbar plexus")
    branches: Items = ()
    motor_supply: Items = ()
    sensory_supply: Items = ()
    course: Items = ()
    entrapment_sites: Items = ()
    mistaken_for: OneOrMore = ()


class Structure(Named):
    kind: Literal["structure"]
    is_a: Text | None = None
    location: Text | None = None
    nerves_at_risk: Items = ()
    contents: Items = ()  # what passes through or lies in it (a tunnel, a compartment)
    borders: Items = ()


class Muscle(Named):
    """A muscle: its attachments, what it does and what supplies it (kinesiology)."""

    kind: Literal["muscle"]
    group: Text | None = None  # "quadriceps muscle": the context cue of reverse questions
    origin: Text | None = None
    insertion: Text | None = None
    actions: Items = ()
    innervation: Text | None = None
    blood_supply: Text | None = None


class Condition(Named):
    kind: Literal["condition"]
    first_suspect_for: Text | None = None
    mistaken_for: OneOrMore = ()
    causes: Items = ()
    pain_quality: Text | None = None
    pain_felt_in: Items = ()
    location: Text | None = None
    palpation: Text | None = None
    possible_cause: Text | None = None
    signs: Items = ()  # what a therapist observes or tests
    symptoms: Items = ()  # what the client reports
    contraindications: Items = ()  # what massage must not do with it
    cautions: Items = ()  # what massage may do only with care


class Technique(Named):
    kind: Literal["technique"]
    used_for: Text | None = None
    how: Text | None = None
    effects: Items = ()
    mechanism: Text | None = None
    targets: Items = ()  # the nerves it works on


class Statement(FactBase):
    kind: Literal["statement"]
    text: ClozeText


class Question(FactBase):
    kind: Literal["question"]
    question: Text
    answer: Text


class Case(FactBase):
    """A short clinical case: presentation and question on the front; answer and why on the
    back. `look_alikes`: ids of facts about what a student might confuse the answer with."""

    kind: Literal["case"]
    presentation: Text
    question: Text
    answer: Text
    why: Text
    look_alikes: Annotated[tuple[Slug, ...], BeforeValidator(_one_item_list)] = ()


def _distinct_mask_ids(
    masks: tuple[tuple[str, ...] | None, ...],
) -> tuple[tuple[str, ...] | None, ...]:
    if all(group is None for group in masks):
        raise ValueError("every mask is retired (~); a diagram needs at least one mask")
    ids = [element_id for group in masks if group for element_id in group]
    twice = sorted({element_id for element_id in ids if ids.count(element_id) > 1})
    if twice:
        raise ValueError(
            f"element id '{twice[0]}' appears twice in masks; each "
            "element can be hidden by one mask only"
        )
    return masks


def _not_empty(group: tuple[str, ...]) -> tuple[str, ...]:
    if not group:
        raise ValueError("a mask needs at least one element id")
    return group


MaskGroup = Annotated[tuple[Text, ...], BeforeValidator(_one_item_list), AfterValidator(_not_empty)]


class Diagram(FactBase):
    """A labelled SVG whose named elements become image-occlusion masks.

    `masks` lists element ids of the SVG (usually label boxes); a list of ids is one
    group, hidden and asked together. Keep the order: the position of a group is its
    card number in the native note, so add new masks at the end. A removed group stays
    as `~` (None), holding its number so that the groups after it keep theirs.
    """

    kind: Literal["diagram"]
    image: Text
    header: Text
    mode: Literal["hide-all", "hide-one"] = "hide-all"
    masks: Annotated[
        tuple[MaskGroup | None, ...], Field(min_length=1), AfterValidator(_distinct_mask_ids)
    ]

    @property
    def mask_ids(self) -> tuple[str, ...]:
        """Each card number's mask by its first element id; "" where a mask is retired."""
        return tuple(group[0] if group else "" for group in self.masks)


Fact = Nerve | Muscle | Structure | Condition | Technique | Statement | Question | Case | Diagram
KINDS: dict[str, type[FactBase]] = {
    cls.model_fields["kind"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (Nerve, Muscle, Structure, Condition, Technique, Statement, Question, Case, Diagram)
}


# --- what the build makes -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A validated fact and where it was written."""

    fact: Fact
    location: Location


@dataclass(frozen=True, slots=True)
class Deck:
    """A validated deck: its metadata and its facts, in file order."""

    spec: DeckSpec
    deck_dir: Path
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Media:
    """A file shipped in the package: where it is, and the bare name cards use for it."""

    path: Path
    name: str


@dataclass(frozen=True, slots=True)
class NoteSpec:
    """One Anki note, fully rendered; its identity is (deck slug, fact id, card id)."""

    guid: str
    note_type: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    subdeck: str | None
    fact_id: str
    card_id: str
    location: Location
    media: tuple[Media, ...] = ()


def cloze_numbers(text: str) -> frozenset[int]:
    """The cloze numbers used in `text` (each is one card), found as Anki finds them."""
    return cloze.ordinals(text)
