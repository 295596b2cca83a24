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
_IMAGE = re.compile(r"<img", re.IGNORECASE)
# _leftover's screen: a field it does not match has only `{{`s that open a cloze whose first
# number has at most four digits (openings with numbers, as cloze.markers reads them), so
# _leftover would find nothing there. Most cloze text passes; reading its markers was half
# of verify's time (tests/apkg/test_verify.py holds the screen to _leftover).
_TEMPLATE_SCREEN = re.compile(r"\{%|%\}|\{#|#\}|\{\{(?!c[0-9]{1,4}(?:,[0-9,]*)?::)")
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
    expected_cards = sum(map(len, plan.card_ords))
    packed = _written(apkg)
    problems = _media_problems(tuple(packed.media.values()), plan)
    if problems:
        raise FactdeckError(problems)
    expected = {"collection.anki2", "media", *(str(i) for i in range(len(media_names)))}
    if set(packed.entries) != expected or len(packed.entries) != len(expected):
        raise AssertionError(f"package entries {packed.entries} do not match {sorted(expected)}")
    if set(packed.media.values()) != media_names:
        raise AssertionError(f"package media {sorted(packed.media.values())} are not {media_names}")
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


def _written(apkg: Path) -> read.Tally:
    """What Anki will find in the package, counted by the one reader (apkg/read.py)."""
    try:
        packed = read.tally(apkg)
    except FactdeckError as exc:  # factdeck wrote this file: unreadable is a bug, not input
        raise AssertionError(f"{apkg.name}: {exc}") from None
    numbered = list(packed.media)
    if sorted(numbered, key=lambda k: (len(k), k)) != [str(i) for i in range(len(numbered))]:
        raise AssertionError(f"media entries are not numbered 0..{len(numbered) - 1}")
    if packed.bad_values:
        raise AssertionError(
            f"{packed.bad_values} notes hold a value of a type Anki does not write"
        )
    return packed


def _field_problems(
    fields: tuple[str, ...], media: set[str], location: Location | None
) -> list[Problem]:
    problems: list[Problem] = []
    for value in fields:
        if _IMAGE.search(value):
            problems.extend(
                Problem(location, f"card shows image '{name}', which is not in the package's media")
                for name in _MEDIA_REF.findall(value)
                if name not in media
            )
        if not ("{" in value or "}" in value) or not _TEMPLATE_SCREEN.search(value):
            continue
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
