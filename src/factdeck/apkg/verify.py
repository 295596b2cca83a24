"""Check a written package as Anki will read it, before it replaces the old one.

This is the build's own safety net (no Anki needed); the test suite goes further and
imports every package into the official Anki engine.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from factdeck.anki import cloze, media_names
from factdeck.apkg import read
from factdeck.apkg.write import PackagePlan
from factdeck.errors import FactdeckError, Location, Problem

_MEDIA_REF = re.compile(r"""<img[^>]*\bsrc=["']([^"']+)["']""", re.IGNORECASE)
_SUSPECT = re.compile(r"<img|[{}]", re.IGNORECASE)
_LEFTOVER = re.compile(r"\{%|%\}|\{#|#\}|\{\{")


@dataclass(frozen=True, slots=True)
class PackageReport:
    notes: int
    retired: int
    cards: int
    media: int
    notes_by_type: tuple[tuple[str, int], ...]


def verify(apkg: Path, plan: PackagePlan) -> PackageReport:
    """The cards' text is checked as planned (what was written); the written file is
    checked as Anki opens it, by SQLite itself: entries, the collection's integrity, and
    the count of notes, cards, GUIDs and each note's fields."""
    types = {s.note_type.key: s.note_type for s in plan.note_types}
    media_names = {m.name for m in plan.media}
    problems = [
        problem
        for s in plan.notes
        for problem in _field_problems(s.note.fields, media_names, s.note.location)
    ]
    if problems:
        raise FactdeckError(problems)
    expected_cards = sum(
        len(types[s.note.note_type].card_ords(s.note.fields)) for s in plan.notes if not s.retired
    )
    packed = _written(apkg)
    problems = _media_problems(packed.media, plan)
    if problems:
        raise FactdeckError(problems)
    expected = {"collection.anki2", "media", *(str(i) for i in range(len(media_names)))}
    if set(packed.entries) != expected or len(packed.entries) != len(expected):
        raise AssertionError(f"package entries {packed.entries} do not match {sorted(expected)}")
    if set(packed.media) != media_names:
        raise AssertionError(f"package media {sorted(packed.media)} are not {media_names}")
    if packed.bad_fields:
        raise AssertionError(
            f"{packed.bad_fields} notes have a field count their type does not expect"
        )
    if (packed.notes, packed.guids, packed.cards) != (
        len(plan.notes),
        len(plan.notes),
        expected_cards,
    ):
        raise AssertionError(
            f"package holds {packed.notes} notes ({packed.guids} GUIDs) / "
            f"{packed.cards} cards, expected {len(plan.notes)} / "
            f"{expected_cards}"
        )
    by_type = Counter(types[s.note.note_type].name for s in plan.notes if not s.retired)
    retired = sum(s.retired for s in plan.notes)
    return PackageReport(
        notes=packed.notes - retired,
        retired=retired,
        cards=packed.cards,
        media=len(media_names),
        notes_by_type=tuple(sorted(by_type.items())),
    )


@dataclass(frozen=True, slots=True)
class _Written:
    entries: tuple[str, ...]
    media: tuple[str, ...]
    notes: int
    guids: int
    cards: int
    bad_fields: int  # notes whose field count is not their note type's


def _written(apkg: Path) -> _Written:
    """What Anki will find in the package, read back by the one reader (apkg/read.py)."""
    try:
        packed = read.unpack(apkg, check=True)
    except FactdeckError as exc:  # factdeck wrote this file: unreadable is a bug, not input
        raise AssertionError(f"{apkg.name}: {exc}") from None
    numbered = list(packed.media)
    if sorted(numbered, key=lambda k: (len(k), k)) != [str(i) for i in range(len(numbered))]:
        raise AssertionError(f"media entries are not numbered 0..{len(numbered) - 1}")
    fields = {mid: len(model["flds"]) for mid, model in packed.models.items()}
    return _Written(
        entries=packed.entries,
        media=tuple(packed.media.values()),
        notes=len(packed.notes),
        guids=len({n.guid for n in packed.notes}),
        cards=packed.cards,
        bad_fields=sum(fields.get(n.model_id) != len(n.fields) for n in packed.notes),
    )


def _field_problems(
    fields: tuple[str, ...], media: set[str], location: Location | None
) -> list[Problem]:
    problems = []
    for value in fields:
        if not _SUSPECT.search(value):  # most fields: one cheap scan instead of two
            continue
        for name in _MEDIA_REF.findall(value):
            if name not in media:
                problems.append(
                    Problem(
                        location, f"card shows image '{name}', which is not in the package's media"
                    )
                )
        leftover = _leftover(value)
        if leftover:
            snippet = value[max(0, leftover.start() - 20) : leftover.end() + 20]
            problems.append(
                Problem(
                    location,
                    f"card text contains template syntax "
                    f"'{leftover.group()}' (…{snippet}…); write "
                    "braces in facts only as {{c1::cloze}}",
                )
            )
    return problems


def _leftover(value: str) -> re.Match[str] | None:
    """Template syntax left in a field: Jinja's, or a `{{` that opens no cloze as Anki
    reads it (a tombstone's `c1,2::` opening is one)."""
    openings = {m.start for m in cloze.markers(value) if m.ordinals}
    return next(
        (m for m in _LEFTOVER.finditer(value) if m.group() != "{{" or m.start() not in openings),
        None,
    )


def _media_problems(media: tuple[str, ...], plan: PackagePlan) -> list[Problem]:
    """Media names as Anki's importer reads them: names it keeps as they are, each once."""
    if len(set(media)) != len(media):
        raise AssertionError(f"two media entries share a name: {media}")
    used_at = {m.name: s.note.location for s in plan.notes for m in s.note.media}
    problems = []
    for name in sorted(media):
        why = media_names.rename_problem(name)
        if why:
            problems.append(
                Problem(used_at.get(name), f"media file name '{name}' {why}; rename the image file")
            )
    return problems
