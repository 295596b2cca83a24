"""Re-open a written package and check it as Anki will read it, before it replaces the old one.

This is the build's own safety net (no Anki needed); the test suite goes further and
imports every package into the official Anki engine.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import medianame
from .errors import FactdeckError, Location, Problem
from .package import PackagePlan
from .unpack import unpack

_MEDIA_REF = re.compile(r"""<img[^>]*\bsrc=["']([^"']+)["']""", re.IGNORECASE)
_SUSPECT = re.compile(r"<img|[{}]", re.IGNORECASE)
_LEFTOVER = re.compile(r"\{%|%\}|\{#|#\}|\{\{(?!c\d+(?:,\d+)*::)")  # c1,2:: tombstones


@dataclass(frozen=True, slots=True)
class PackageReport:
    notes: int
    retired: int
    cards: int
    media: int
    notes_by_type: tuple[tuple[str, int], ...]


def verify(apkg: Path, plan: PackagePlan) -> PackageReport:
    where = {s.note.guid: s.note.location for s in plan.notes}
    types = {s.note_type.key: s.note_type for s in plan.note_types}
    packed = unpack(apkg)
    expected = {"collection.anki2", "media", *packed.media}
    if set(packed.entries) != expected or len(packed.entries) != len(expected):
        raise AssertionError(f"package entries {packed.entries} do not match {sorted(expected)}")
    field_counts = {mid: len(model["flds"]) for mid, model in packed.models.items()}
    media_names = set(packed.media.values())
    problems = _media_problems(packed.media, plan)
    for note in packed.notes:
        if len(note.fields) != field_counts.get(note.model_id):
            raise AssertionError(f"note {note.guid} has {len(note.fields)} fields, its type "
                                 f"expects {field_counts.get(note.model_id)}")
        problems.extend(_field_problems(note.fields, media_names, where.get(note.guid)))
    if problems:
        raise FactdeckError(problems)
    expected_cards = sum(len(types[s.note.note_type].card_ords(s.note.fields))
                         for s in plan.notes if not s.retired)
    if len(packed.notes) != len(plan.notes) or packed.cards != expected_cards:
        raise AssertionError(f"package holds {len(packed.notes)} notes / {packed.cards} cards, "
                             f"expected {len(plan.notes)} / {expected_cards}")
    by_type = Counter(types[s.note.note_type].name for s in plan.notes if not s.retired)
    retired = sum(s.retired for s in plan.notes)
    return PackageReport(notes=len(packed.notes) - retired, retired=retired, cards=packed.cards,
                         media=len(media_names), notes_by_type=tuple(sorted(by_type.items())))


def _media_problems(media: dict[str, str], plan: PackagePlan) -> list[Problem]:
    """Media names as Anki's importer reads them: numbered entries, names it keeps as they are."""
    if sorted(media, key=lambda k: (len(k), k)) != [str(i) for i in range(len(media))]:
        raise AssertionError(f"media entries are not numbered 0..{len(media) - 1}: {media}")
    used_at = {m.name: s.note.location for s in plan.notes for m in s.note.media}
    problems = []
    for name in sorted(set(media.values())):
        why = medianame.rename_problem(name)
        if why:
            problems.append(Problem(used_at.get(name), f"media file name '{name}' {why}; "
                                                       "rename the image file"))
    if len(set(media.values())) != len(media):
        raise AssertionError(f"two media entries share a name: {media}")
    return problems


def _field_problems(fields: tuple[str, ...], media: set[str], location: Location | None
                    ) -> list[Problem]:
    problems = []
    for value in fields:
        if not _SUSPECT.search(value):  # most fields: one cheap scan instead of two
            continue
        for name in _MEDIA_REF.findall(value):
            if name not in media:
                problems.append(Problem(location, f"card shows image '{name}', which is not "
                                                  "in the package's media"))
        leftover = _LEFTOVER.search(value)
        if leftover:
            snippet = value[max(0, leftover.start() - 20): leftover.end() + 20]
            problems.append(Problem(location, f"card text contains template syntax "
                                              f"'{leftover.group()}' (…{snippet}…); write "
                                              "braces in facts only as {{c1::cloze}}"))
    return problems
