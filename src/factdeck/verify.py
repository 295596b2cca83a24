"""Re-open a written package and check it as Anki will read it, before it replaces the old one.

This is the build's own safety net (no Anki needed); the test suite goes further and
imports every package into the official Anki engine.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import FactdeckError, Location, Problem
from .package import PackagePlan, card_ords

_MEDIA_REF = re.compile(r"""<img[^>]*\bsrc=["']([^"']+)["']""", re.IGNORECASE)
_LEFTOVER = re.compile(r"\{%|%\}|\{#|#\}|\{\{(?!c\d+::)")


@dataclass(frozen=True, slots=True)
class PackageReport:
    notes: int
    cards: int
    media: int
    notes_by_type: tuple[tuple[str, int], ...]


def verify(apkg: Path, plan: PackagePlan) -> PackageReport:
    where = {s.note.guid: s.note.location for s in plan.notes}
    types = {s.note_type.key: s.note_type for s in plan.note_types}
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        names = archive.namelist()
        media = json.loads(archive.read("media"))
        expected = {"collection.anki2", "media", *media}
        if set(names) != expected or len(names) != len(expected):
            raise AssertionError(f"package entries {names} do not match {sorted(expected)}")
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(archive.read("collection.anki2"))
        db = sqlite3.connect(db_path)
        try:
            rows = db.execute("SELECT guid, mid, flds FROM notes").fetchall()
            (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
            (models,) = db.execute("SELECT models FROM col").fetchone()
        finally:
            db.close()
    field_counts = {int(k): len(v["flds"]) for k, v in json.loads(models).items()}
    media_names = set(media.values())
    problems = []
    for guid, mid, flds in rows:
        fields = flds.split("\x1f")
        location = where.get(guid)
        if len(fields) != field_counts.get(mid):
            raise AssertionError(f"note {guid} has {len(fields)} fields, its type expects "
                                 f"{field_counts.get(mid)}")
        problems.extend(_field_problems(fields, media_names, location))
    if problems:
        raise FactdeckError(problems)
    expected_cards = sum(len(card_ords(s.note, types[s.note.note_type]))
                         for s in plan.notes if not s.retired)
    if len(rows) != len(plan.notes) or cards != expected_cards:
        raise AssertionError(f"package holds {len(rows)} notes / {cards} cards, expected "
                             f"{len(plan.notes)} / {expected_cards}")
    by_type = Counter(types[s.note.note_type].name for s in plan.notes)
    return PackageReport(notes=len(rows), cards=cards, media=len(media_names),
                         notes_by_type=tuple(sorted(by_type.items())))


def _field_problems(fields: list[str], media: set[str], location: Location | None
                    ) -> list[Problem]:
    problems = []
    for value in fields:
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
