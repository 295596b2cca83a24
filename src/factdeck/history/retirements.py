"""Retired notes reach only the students who had them: one small package per earlier
release, `<slug>-<version>-retired-since-<W>.apkg`, beside the deck's package, which holds
live notes only.

Why apart: Anki's importer adds every note whose GUID is new, and Tools > Check Database
gives every note without cards a card (rslib dbcheck.rs -> cardgen.rs, `ensure_not_empty`:
card 1, in the last deck used or Default). A tombstone in the deck's package therefore
becomes a stray card for every student who never had the note; measured on the shipped
deck in anki 23.10.1 and 26.9 (bench/retired_cards.py): 101 -> 155 cards. Cards shipped
with the tombstone, suspended or in a `Retired` sub-deck, are studied as new (the importer
resets scheduling, suspension included). So the deck's package ships no tombstone, and a
student who had release W imports `...-retired-since-W.apkg`: the tombstones of exactly
the notes W had that are retired now, each with the card numbers W had (a cloze number
the student never had would be made by Check Database), without cards (the student's
own cards turn into the notice; none is added).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from factdeck.apkg.write import PackagePlan, StampedNote, StampedNoteType
from factdeck.errors import Location
from factdeck.facts.model import Deck, NoteSpec
from factdeck.fs.names import LOCK_NAME
from factdeck.history.apkg_diff import RETIRED_TAG
from factdeck.history.lockfile import Lock, LockedNote
from factdeck.render.templates import NoteType


@dataclass(frozen=True, slots=True)
class Retirement:
    """The tombstones for students of release `since`."""

    since: str
    plan: PackagePlan

    def file_name(self, slug: str, version: str | None = None) -> str:
        return file_name(slug, self.since, version)


def file_name(slug: str, since: str, version: str | None = None) -> str:
    """`<slug>-<version>-retired-since-<W>.apkg` (a build: no version)."""
    made = f"{slug}-{version}" if version else slug
    return f"{made}-retired-since-{since}.apkg"


def retirements(
    lock: Lock,
    deck: Deck,
    note_types: Mapping[str, NoteType],
    types: tuple[StampedNoteType, ...],
    description: str,
) -> tuple[Retirement, ...]:
    """One package per recorded release that had notes retired since (in `lock`, stamped)."""
    stamped_types = {t.note_type.key: t for t in types}
    found = []
    for release in lock.releases:
        notes = []
        for guid, note in sorted(lock.notes.items()):
            then = lock.state_at(guid, release.version) if note.retired is not None else None
            if then is None or then.retired is not None:
                continue
            # a state migrated from a format-1 lock never knew its cards: the latest known
            cards = then.cards if then.answer else tuple(sorted({*then.cards, *note.cards}))
            shown = dataclasses.replace(note, cards=cards)
            notes.append(
                StampedNote(
                    tombstone(guid, shown, note_types[note.type], deck),
                    note.id,
                    note.changed,
                    retired=True,
                )
            )
        if notes:
            used = sorted({n.note.note_type for n in notes})
            plan = PackagePlan(
                deck=deck.spec,
                description=description,
                note_types=tuple(stamped_types[k] for k in used),
                notes=tuple(notes),
            )
            found.append(Retirement(release.version, plan))
    return tuple(found)


def files_at(lock: Lock, version: str) -> tuple[tuple[str, str], ...]:
    """(W, file name) of the tombstone packages recorded release `version` came with, from
    the lock alone: one per earlier release W that had notes retired in `version`."""
    found = lock.release(version)
    if found is None:
        return ()
    order = [r.version for r in lock.releases]
    earlier = order[: order.index(version)]
    retired = [
        g
        for g in lock.notes
        if (state := lock.state_at(g, version)) is not None and state.retired is not None
    ]
    return tuple(
        (since, file_name(found.deck.slug, since, version))
        for since in earlier
        if any(
            (then := lock.state_at(g, since)) is not None and then.retired is None for g in retired
        )
    )


def tombstone(guid: str, locked: LockedNote, note_type: NoteType, deck: Deck) -> NoteSpec:
    """A retired note as shipped: same GUID and type, a notice on every card it had, and a
    tag to find it by. The text names the fact, so it never cuts through markup."""
    each = tuple(ord_ + 1 for ord_ in (locked.cards or (0,)))
    numbers = ",".join(map(str, each))
    context = {
        "each": each,  # one cloze per number: Anki before 26.05 reads no `c1,2` list
        "text": locked.fact.replace("-", " "),
        "deck": deck.spec,
        "tag": RETIRED_TAG,
        "fact": locked.fact,
        "numbers": numbers,
    }
    fields = tuple(
        note_type.retired[name].template.render(context) if name in note_type.retired else ""
        for name in note_type.field_names
    )
    return NoteSpec(
        guid=guid,
        note_type=note_type.key,
        fields=fields,
        tags=(RETIRED_TAG,),
        subdeck=locked.deck,
        fact_id=locked.fact,
        card_id=locked.card,
        location=Location(deck.deck_dir / LOCK_NAME),
    )
