"""What the project knows of every card a student may hold: for each (GUID, card number)
its fact, file and line, sub-deck, exam areas, lint rules and front, from the deck's
current build and its lock (which remembers retired notes too)."""

from __future__ import annotations

import re
from collections import defaultdict

from factdeck.analyze.stats import CardInfo
from factdeck.errors import Location
from factdeck.facts.model import EXAM_PREFIX
from factdeck.history.lockfile import Lock
from factdeck.lint.engine import Finding, plain
from factdeck.pipeline import Checked
from factdeck.preview.card_templates import compile_note_type, render_note
from factdeck.render.templates import NOTE_TYPES_DIR

NOTE_PREFIX = "note '"
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def known_cards(checked: Checked, lock: Lock) -> dict[tuple[str, int], CardInfo]:
    deck, note_types = checked.deck, checked.templates.note_types
    spec = deck.spec
    facts = {e.fact.id: e for e in deck.entries}
    rules = _rules(checked.findings())
    compiled = {
        key: compile_note_type(
            note_types[key], Location(checked.templates.root / NOTE_TYPES_DIR / f"{key}.yaml")
        )
        for key in {n.note_type for n in checked.notes}
    }
    known: dict[tuple[str, int], CardInfo] = {}
    for note in checked.notes:
        entry = facts.get(note.fact_id)
        for face in render_note(compiled[note.note_type], note):
            known[(note.guid, face.ord)] = CardInfo(
                guid=note.guid,
                ord=face.ord,
                fact=note.fact_id,
                note=note.card_id,
                subdeck=spec.subdecks.get(note.subdeck, spec.name) if note.subdeck else spec.name,
                areas=tuple(
                    t.removeprefix(EXAM_PREFIX) for t in note.tags if t.startswith(EXAM_PREFIX)
                ),
                location=entry.location if entry else note.location,
                rules=tuple(
                    sorted(set(rules[(note.fact_id, note.card_id)] + rules[(note.fact_id, "")]))
                ),
                text=plain(_CODE.sub(" ", face.front)),  # an IO card's script is no text
            )
    for guid, locked in lock.notes.items():
        for ord_ in locked.cards:
            if (guid, ord_) not in known:
                known[(guid, ord_)] = CardInfo(
                    guid=guid,
                    ord=ord_,
                    fact=locked.fact,
                    note=locked.card,
                    subdeck=spec.subdecks.get(locked.deck or "", spec.name),
                    areas=(),
                    location=facts[locked.fact].location if locked.fact in facts else None,
                    rules=(),
                    text="",
                    retired=True,
                )
    return known


def _rules(findings: tuple[Finding, ...]) -> dict[tuple[str, str], tuple[str, ...]]:
    """Lint rules per (fact, note id); a finding that names no note is the whole fact's."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        note = ""
        if finding.message.startswith(NOTE_PREFIX):
            note = finding.message[len(NOTE_PREFIX) :].split("'", 1)[0]
        found[(finding.fact_id, note)].append(finding.rule)
    return defaultdict(tuple, {k: tuple(v) for k, v in found.items()})
