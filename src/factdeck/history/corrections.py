"""Corrections students relearn without doing anything.

A corrected cloze answer moves to a card number its note never had. Every client creates
the card for a new number on import, as new, so students learn the corrected answer from
scratch; the card that asked the old answer keeps its reviews (they were reviews of the old
answer) and shows the notice of a card taken out (history/removed_cards.py: its number goes
into the note's tags, not its fields), never an empty or an error card; a student new to
the deck never gets it, Check Database included. Measured in the engines 23.10.1, 24.11 and
26.09 (tests/engine/test_engine_matrix_anki.py, tests/engine/test_corrections_anki.py).

The lock keeps each move with the release that shipped it, so every later build ships the
same numbers. The moves of the version being built are worked out afresh at each build, so
a correction taken back before the release moves nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from factdeck.anki import cloze
from factdeck.facts.model import Deck, NoteSpec
from factdeck.history.lockfile import Lock, LockedNote, Release
from factdeck.history.numbering import (
    cloze_field,
    cloze_text,
    highest_number,
    item_digests,
    items_changed,
)
from factdeck.render.templates import NoteType

# How factdeck once wrote a replaced card's notice, around the Text (a cloze of the old
# number in the field, so new students got that card too): release records may hold it.
WAS, REPLACED = "fd-was", "fd-replaced"


@dataclass(frozen=True, slots=True)
class Numbering:
    """A cloze note's numbers as shipped: (written, shipped, release) moves and the
    (number, release) cards that show the notice."""

    moves: tuple[tuple[int, int, str], ...] = ()
    notices: tuple[tuple[int, str], ...] = ()

    @property
    def mapping(self) -> dict[int, int]:
        return {written: shipped for written, shipped, _ in self.moves}

    @property
    def notice_numbers(self) -> frozenset[int]:
        return frozenset(number for number, _ in self.notices)


NONE = Numbering()


def corrections_base(old: Lock, version: str) -> Release | None:
    """The release this version's corrections are measured against: the last one, or, while
    the deck is still at the version just released, the one before it (so a rebuild after a
    release keeps that release's corrected tags instead of shipping their removal)."""
    releases = old.releases
    if releases and releases[-1].version == version:
        return releases[-2] if len(releases) > 1 else None
    return releases[-1] if releases else None


def shipped(
    deck: Deck,
    notes: tuple[NoteSpec, ...],
    note_types: Mapping[str, NoteType],
    old: Lock,
    steady: Collection[str] = (),
) -> tuple[tuple[NoteSpec, ...], dict[str, Numbering]]:
    """The notes as students get them: cloze numbers moved by earlier releases' corrections
    kept, and this version's corrected cloze answers moved to new numbers. The notes of
    the GUIDs `steady` (history/steady.py) were found shipped as written before."""
    version = deck.spec.version
    recorded = {r.version for r in old.releases}
    last = corrections_base(old, version)
    # facts correcting this version: the only ones whose numbers can move now
    correcting = (
        set()
        if version in recorded or last is None
        else {
            e.fact.id
            for e in deck.entries
            if {m for m, _ in e.fact.declared(version)} == {"correction"}
        }
    )
    out, numbering = [], {}
    for note in notes:
        note_type = note_types.get(note.note_type)
        before = old.notes.get(note.guid)
        if (
            note_type is None
            or not note_type.cloze
            or note_type.native_occlusion
            or not before
            or note.guid in steady
        ):
            out.append(note)
            continue
        kept = Numbering(
            tuple(m for m in before.moves if m[2] in recorded),
            tuple(n for n in before.notices if n[1] in recorded),
        )
        shipped_state = (
            old.state_at(note.guid, last.version)
            if last is not None and note.fact_id in correcting
            else None
        )
        if kept == NONE and shipped_state is None:
            out.append(note)  # nothing moved, nothing to correct: _plan would keep it as written
            continue
        planned = _plan(
            note, note_type, kept, highest_number(old, note.guid), shipped_state, version
        )
        if planned != NONE:
            numbering[note.guid] = planned
            note = render(note, note_type, planned)
        out.append(note)
    return tuple(out), numbering


def _plan(
    note: NoteSpec,
    note_type: NoteType,
    kept: Numbering,
    top: int,
    shipped_state: LockedNote | None,
    version: str,
) -> Numbering:
    written = sorted(cloze.ordinals(cloze_text(note, note_type)))
    mapping, notices = kept.mapping, set(kept.notice_numbers)
    moves, noticed = list(kept.moves), list(kept.notices)

    def free() -> int:  # above every number students ever had a card for
        return max([top, *written, *mapping.values(), *notices]) + 1

    for number in written:  # a written number that collides with a shipped one moves on
        if number not in mapping and number in {*mapping.values(), *notices}:
            mapping[number] = free()
            moves.append((number, mapping[number], version))
    if shipped_state is not None and shipped_state.items and shipped_state.retired is None:
        so_far = Numbering(tuple(moves), tuple(noticed))
        now = item_digests(render(note, note_type, so_far), note_type, so_far.notice_numbers)
        for number in items_changed(shipped_state.items, now):
            written_as = next(w for w in written if mapping.get(w, w) == number)
            mapping[written_as] = free()
            moves = [m for m in moves if m[0] != written_as]
            moves.append((written_as, mapping[written_as], version))
            notices.add(number)
            noticed.append((number, version))
    return Numbering(tuple(sorted(moves)), tuple(sorted(noticed)))


def render(note: NoteSpec, note_type: NoteType, numbering: Numbering) -> NoteSpec:
    """The note's Text with its numbers as shipped. A replaced number is one the note no
    longer asks, so removed_cards.tagged gives it the notice."""
    index = cloze_field(note_type)
    fields = list(note.fields)
    fields[index] = cloze.renumber(note.fields[index], numbering.mapping)
    return dataclasses.replace(note, fields=tuple(fields))


def as_written(text: str) -> str:
    """A cloze Text without the wrapper earlier releases put around it for replaced cards:
    the text every card of the note shows, as the notes quote it."""
    head = f'<span class="{WAS}">'
    if not text.startswith(head):
        return text
    return text[len(head) :].split(f'<span class="{REPLACED}">', 1)[0].removesuffix("</span>")
