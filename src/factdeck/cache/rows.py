"""A cache entry as plain data: the JSON schema of a fact file's results, and the two ways
between it and factdeck's records.

An entry holds values only (text, numbers, lists), never anything that names code, so
reading one can run nothing. Its shape is checked strictly on read (pydantic, closed
models), its facts by their own models in the same pass (their types: the values passed
when the row was written, SEALED): an entry of another shape or format is not factdeck's
and is rebuilt. Paths are kept relative to the deck folder and
joined to the folder being built, so a moved or copied project never points into another
copy; a diagram is kept with the digest of the drawing it was measured from, which must be
the drawing in the folder now.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from factdeck.errors import Location
from factdeck.facts.model import SEALED, Entry, Fact, Media, NoteSpec
from factdeck.lint.cards import Card, Choice, Shape
from factdeck.lint.engine import WRITTEN, FileLint, Finding, Seen
from factdeck.lint.rules import FileIndex
from factdeck.lint.rules.repeats import Asked

Format = Literal[10]  # every row's `format` (a bump is this line and FORMAT's)
FORMAT: Format = 10
# 10: a file's lint with its cards as read across cards, their near-duplicate and
# asked-twice digests and its facts' names, the last lint's asked-twice pairs; 9: notes
# and cards as lists of values; 8: facts read in the row's own pass; 7: each
# card's cue kept; 6: a file's lint in a row of its own; 5: with the content rules' index;
# 4: a card as lint/cards.Card (3: fewer fields; 1, 2: code objects)


class Unfit(Exception):
    """A record that cannot be kept as a row (a path outside the deck folder): not cached."""


class Foreign(Exception):
    """A row that is not one this code wrote for this deck folder: rebuilt."""


def _inside(value: str) -> str:
    """A relative path below the deck folder, in one spelling only."""
    posix = PurePosixPath(value)
    if (
        not value
        or posix.is_absolute()
        or PureWindowsPath(value).anchor
        or ".." in posix.parts
        or posix.as_posix() != value
        or "\0" in value
        or "\\" in value
    ):
        raise ValueError("not a relative path inside the deck folder")
    return value


Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


Line = Annotated[int, Field(ge=1)]
Place = Annotated[int, Field(ge=0)]


class LocationRow(_Row):
    path: str  # _inside, checked as it is joined to the deck folder
    line: Line | None


# Notes and cards, tens of thousands per deck, are rows of values in their records' field
# order (a list each, checked item by item as strictly): read without a model per row and
# without their field names repeated in every row.

# a medium: its path inside the deck (_inside, checked as it is joined to the deck folder),
# its name, the digest of the drawing the note was rendered from
MediaRow = tuple[str, str, Digest]
# a note (facts.model.NoteSpec): guid, note type, fields, tags, sub-deck, fact id, card id,
# its location's path (as LocationRow's) and line, media
NoteRow = tuple[
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    str | None,
    str,
    str,
    str,
    Line | None,
    tuple[MediaRow, ...],
]


class EntryRow(_Row):
    # validated by the fact's own model as the row is read, in the same pass (SEALED: the
    # types and shapes only, as facts/model.py says), never a dict validated again after
    fact: Annotated[Fact, Field(discriminator="kind")]
    location: LocationRow


ChoiceRow = tuple[str, str, bool, str]  # an option (lint.cards.Choice): letter, text, correct, why
# a card as the rules across cards read it (lint.engine.across), its note by its place in
# the file's notes: note, shape, question, answer, extra, number, choices
CardRow = tuple[Place, Shape, str, str, str, Place, tuple[ChoiceRow, ...]]


class FindingRow(_Row):
    location: LocationRow
    fact_id: str
    rule: str
    message: str


class IndexRow(_Row):
    """What the content rules across cards keep of a file (lint.rules.FileIndex), each card
    by its place in the file's cards."""

    asked: tuple[tuple[str, Place, tuple[str, ...]], ...]
    mcq: tuple[Place, ...]
    used: tuple[tuple[str, Annotated[int, Field(ge=1)]], ...]
    british: tuple[tuple[Place, str, str], ...]
    ids: tuple[int, ...]
    labels: tuple[Place, ...]


class FileRow(_Row):
    """What one fact file yields (store.FileResult)."""

    format: Format
    kind: Literal["file"]
    entries: tuple[EntryRow, ...]
    notes: tuple[NoteRow, ...]


class LintRow(_Row):
    """The per-card lint of one fact file's notes (lint.engine.FileLint), kept apart from
    the file's row: a build that does not lint never reads it."""

    format: Format
    kind: Literal["lint"]
    cards: tuple[CardRow, ...]
    keys: tuple[tuple[str, ...], ...]
    answers: tuple[str, ...]
    findings: tuple[FindingRow, ...]
    index: IndexRow
    digests: tuple[int, ...]
    names: tuple[str, ...]


class DrawnRow(_Row):
    """The diagram rules' findings (lint.rules.diagrams), with the digest of what they read."""

    format: Format
    kind: Literal["drawn"]
    inputs: Digest
    findings: tuple[FindingRow, ...]


class SeenRow(_Row):
    """The last lint's near-duplicate pairs (lint.engine.Seen)."""

    format: Format
    kind: Literal["seen"]
    cards: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]
    asked_cards: tuple[int, ...]
    asked_pairs: tuple[tuple[int, int], ...]


# --- records -> rows ------------------------------------------------------------------


def file_row(
    deck_dir: Path,
    entries: tuple[Entry, ...],
    notes: tuple[NoteSpec, ...],
    drawings: Mapping[str, str],
) -> str:
    """The JSON of one file's results; `drawings`: each deck file's digest by relative path."""
    row = FileRow(
        format=FORMAT,
        kind="file",
        entries=tuple(
            EntryRow(fact=e.fact, location=_location_row(deck_dir, e.location)) for e in entries
        ),
        notes=tuple(_note_row(deck_dir, n, drawings) for n in notes),
    )
    return row.model_dump_json(by_alias=True, exclude_unset=True)  # a fact as written


def lint_row(deck_dir: Path, notes: tuple[NoteSpec, ...], lint: FileLint) -> str:
    """The JSON of the lint of one file's `notes` (its cards name them by place)."""
    place = {id(note): i for i, note in enumerate(notes)}
    if any(id(card.note) not in place for card in lint.cards):
        raise Unfit("a card of another file's note")
    row = LintRow(
        format=FORMAT,
        kind="lint",
        cards=tuple(_card_row(place[id(c.note)], c) for c in lint.cards),
        keys=lint.keys,
        answers=lint.answers,
        findings=tuple(_finding_row(deck_dir, f) for f in lint.findings),
        index=IndexRow(
            asked=lint.index.asked,
            mcq=lint.index.mcq,
            used=lint.index.used,
            british=lint.index.british,
            ids=lint.index.ids,
            labels=lint.index.labels,
        ),
        digests=lint.digests,
        names=lint.names,
    )
    return row.model_dump_json()


def _card_row(note: int, card: Card) -> CardRow:
    return (
        note,
        card.shape,
        card.question,
        card.answer,
        card.extra,
        card.number,
        tuple((c.letter, c.text, c.correct, c.why) for c in card.choices),
    )


def drawn_row(deck_dir: Path, inputs: str, findings: tuple[Finding, ...]) -> str:
    return DrawnRow(
        format=FORMAT,
        kind="drawn",
        inputs=inputs,
        findings=tuple(_finding_row(deck_dir, f) for f in findings),
    ).model_dump_json()


def _finding_row(deck_dir: Path, finding: Finding) -> FindingRow:
    return FindingRow(
        location=_location_row(deck_dir, finding.location),
        fact_id=finding.fact_id,
        rule=finding.rule,
        message=finding.message,
    )


def seen_row(seen: Seen) -> str:
    return SeenRow(
        format=FORMAT,
        kind="seen",
        cards=tuple(sorted(seen.cards)),
        pairs=tuple(sorted(seen.pairs)),
        asked_cards=tuple(sorted(seen.asked.members)),
        asked_pairs=tuple(sorted(seen.asked.pairs)),
    ).model_dump_json()


def _relative(folder: Path, path: Path) -> str:
    try:
        return _inside(path.relative_to(folder).as_posix())
    except ValueError:
        raise Unfit(f"{path} is outside {folder}") from None


def _location_row(deck_dir: Path, location: Location) -> LocationRow:
    return LocationRow(path=_relative(deck_dir, location.path), line=location.line)


def _note_row(deck_dir: Path, note: NoteSpec, drawings: Mapping[str, str]) -> NoteRow:
    media = []
    for item in note.media:
        inside = _relative(deck_dir.resolve(), item.path)
        if inside not in drawings:
            raise Unfit(f"{inside} is not a file of the deck")
        media.append((inside, item.name, drawings[inside]))
    where = _location_row(deck_dir, note.location)
    return (
        note.guid,
        note.note_type,
        note.fields,
        note.tags,
        note.subdeck,
        note.fact_id,
        note.card_id,
        where.path,
        where.line,
        tuple(media),
    )


# --- rows -> records ------------------------------------------------------------------


def file_records(
    text: bytes, deck_dir: Path, drawings: Mapping[str, str]
) -> tuple[tuple[Entry, ...], tuple[NoteSpec, ...]]:
    """The records of a file row, for the deck folder being built; Foreign if it is not one."""
    # each distinct path is checked and joined once (a file's rows name a few, many times)
    joined: Callable[[str], Path] = functools.cache(lambda path: deck_dir / _inside(path))
    try:
        row = FileRow.model_validate_json(text, context=SEALED)
        entries = tuple(Entry(e.fact, _location(joined, e.location)) for e in row.entries)
        once: dict[str, str] = {}  # a text many notes repeat (a source line) held once
        notes = tuple(_note(deck_dir, joined, n, drawings, once) for n in row.notes)
    except (ValidationError, ValueError) as exc:
        raise Foreign(str(exc)) from None
    return entries, notes


def lint_record(text: bytes, deck_dir: Path, notes: tuple[NoteSpec, ...]) -> FileLint:
    """The lint of a lint row, its cards on `notes` (the file's, as read from its row)."""
    joined: Callable[[str], Path] = functools.cache(lambda path: deck_dir / _inside(path))
    try:
        row = LintRow.model_validate_json(text)
        findings = tuple(
            Finding(_location(joined, f.location), f.fact_id, f.rule, f.message)
            for f in row.findings
        )
    except (ValidationError, ValueError) as exc:
        raise Foreign(str(exc)) from None
    index = row.index
    places = (*(i for _, i, _ in index.asked), *index.mcq, *(i for i, _, _ in index.british))
    if (
        any(c[0] >= len(notes) for c in row.cards)
        or not (len(row.cards) == len(row.keys) == len(row.answers) == len(row.digests))
        or any(i >= len(row.cards) for i in places)
        or len(index.ids) != len(index.asked)
        or any(n >= len(index.asked) for n in index.labels)
        or any(a >= b for (a, _), (b, _) in zip(index.used, index.used[1:], strict=False))
        or any(a >= b for a, b in zip(row.names, row.names[1:], strict=False))
    ):
        raise Foreign("cards, keys, answers and index do not line up, or counts unsorted")
    kept = FileIndex(index.asked, index.mcq, index.used, index.british, index.ids, index.labels)
    written = tuple(i for i, c in enumerate(row.cards) if c[1] in WRITTEN)
    cards = _Cards(notes, row.cards)
    return FileLint(cards, row.keys, row.answers, findings, kept, written, row.digests, row.names)


class _Cards(Sequence[Card]):
    """A lint row's cards, each made as it is first asked for: the rules across cards read
    a few of a deck's cards (those that can collide), and the rest are never made."""

    def __init__(self, notes: tuple[NoteSpec, ...], rows: tuple[CardRow, ...]) -> None:
        self._notes = notes
        self._rows = rows
        self._made: dict[int, Card] = {}

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, at: int) -> Card: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[Card]: ...
    def __getitem__(self, at: int | slice) -> Card | Sequence[Card]:
        if isinstance(at, slice):
            return tuple(self[i] for i in range(len(self))[at])
        at = range(len(self))[at]  # IndexError past the end, as a tuple's
        if at not in self._made:
            self._made[at] = _card(self._notes[self._rows[at][0]], self._rows[at])
        return self._made[at]

    def __eq__(self, other: object) -> bool:
        """Equal to the cards they stand for, made or not (a tuple of them, say)."""
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # as a list's: compared by its cards


def drawn_record(text: bytes, deck_dir: Path, inputs: str) -> tuple[Finding, ...]:
    """The findings of a drawn row made from `inputs`; Foreign if it is not one."""
    joined: Callable[[str], Path] = functools.cache(lambda path: deck_dir / _inside(path))
    try:
        row = DrawnRow.model_validate_json(text)
        if row.inputs != inputs:
            raise Foreign("made from other diagrams")
        return tuple(
            Finding(_location(joined, f.location), f.fact_id, f.rule, f.message)
            for f in row.findings
        )
    except (ValidationError, ValueError) as exc:
        raise Foreign(str(exc)) from None


def seen_record(text: bytes) -> Seen:
    try:
        row = SeenRow.model_validate_json(text)
    except ValidationError as exc:
        raise Foreign(str(exc)) from None
    asked = Asked(frozenset(row.asked_cards), frozenset(row.asked_pairs))
    return Seen(cards=frozenset(row.cards), pairs=frozenset(row.pairs), asked=asked)


def _card(note: NoteSpec, row: CardRow) -> Card:
    _, shape, question, answer, extra, number, choices = row
    return Card(
        note,
        shape,
        question,
        answer,
        "",
        "",
        extra,
        "",
        number,
        choices=tuple(Choice(*choice) for choice in choices),
    )


def _location(joined: Callable[[str], Path], row: LocationRow) -> Location:
    return Location(joined(row.path), row.line)


def _note(
    deck_dir: Path,
    joined: Callable[[str], Path],
    row: NoteRow,
    drawings: Mapping[str, str],
    once: dict[str, str],
) -> NoteSpec:
    guid, note_type, fields, tags, subdeck, fact_id, card_id, path, line, media = row
    for inside, _, sha256 in media:
        if drawings.get(_inside(inside)) != sha256:
            raise Foreign(f"{inside} is not the drawing this entry was rendered from")
    return NoteSpec(
        guid,
        note_type,
        tuple(once.setdefault(field, field) for field in fields),
        tags,
        subdeck,
        fact_id,
        card_id,
        Location(joined(path), line),
        tuple(Media(deck_dir.resolve() / inside, name) for inside, name, _ in media),
    )
