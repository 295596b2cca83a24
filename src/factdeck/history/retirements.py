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

Mended tombstones. Before these packages (factdeck 0.1.0, a release marked `tombstones`
in the lock: 2.0.0 of the shipped deck), the deck's package held every retired note,
its card numbers as one cloze, `{{c1,2::removed}}`. Anki reads that list as a cloze only
from 26.05 on; 23.10 and 24.11 (AnkiDroid's backend) show such a note's cards as "No
cloze 1 found on card", and Check Database gives the card-less copy of a student new to
that release card 1, which shows the same (4 cards of the shipped deck). So
`...-retired-since-W` of such a W also holds, mended, the tombstones W's package shipped
with more than one number (W's students have them; nobody else gets the file). Mended,
the field keeps cloze 1 only (when W had card 1), the other numbers go to the tags
`factdeck::removed::{{cN::N}}` (history/removed_cards.py: Anki renders card N from the
tags, but makes cards from the fields only), the list follows in an HTML comment, which
only Anki from 26.05 on reads (there card 2 keeps its named notice, not only the CSS one
of an empty cloze), and a release stamps them anew (lock.stamp): old clients give an
updated note the import time, and only a newer note replaces it. Measured
(bench/mended_tombstones.py, the real 2.0.0 package, after the import and Check
Database): one cloze per number in the field, as today's tombstones, mends the errors but
on 23.10.1 and 24.11 adds card 2 for the student who had card 1 only (152 -> 156 cards);
mended as here 152 -> 152, 0 errors, a student who had cards 1 and 2 keeps both (8 errors
-> 0; card 2 shows the CSS notice), and 26.9.3 shows every card as before. The cost: a
student who deleted them gets them back (the notes say so).
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
from factdeck.history.removed_cards import removed_tag
from factdeck.render.templates import NoteType


@dataclass(frozen=True, slots=True)
class Retirement:
    """The tombstones for students of release `since`."""

    since: str
    plan: PackagePlan
    mended: int = 0  # of them, tombstones `since`'s own package shipped (module docstring)

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
    """One package per recorded release that had notes retired since, or tombstones of its
    own to mend (in `lock`, stamped)."""
    stamped_types = {t.note_type.key: t for t in types}
    found = []
    for release in lock.releases:
        notes = []
        mended = set(listed(lock, release.version))
        for guid, note in sorted(lock.notes.items()):
            then = lock.state_at(guid, release.version) if note.retired is not None else None
            if then is None or (then.retired is not None and guid not in mended):
                continue
            # a state migrated from a format-1 lock never knew its cards: the latest known
            cards = then.cards if then.answer else tuple(sorted({*then.cards, *note.cards}))
            shown = dataclasses.replace(note, cards=cards)
            notes.append(
                StampedNote(
                    tombstone(
                        guid,
                        shown,
                        note_types[note.type],
                        deck,
                        guid in mended,
                        last_shown(lock, guid, release.version),
                    ),
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
            found.append(Retirement(release.version, plan, len(mended)))
    return tuple(found)


def last_shown(lock: Lock, guid: str, version: str) -> str | None:
    """The note's line in the release record as students last saw it up to release
    `version` (a tombstone that release shipped has none: the release before it)."""
    order = [r.version for r in lock.releases]
    for earlier in reversed(order[: order.index(version) + 1]):
        text = lock.text_at(guid, earlier)
        if text is not None:
            return text
    return None


def asked(shown: str | None) -> str | None:
    """What a card asked, from its students' line (plain text, the answer after ` → `, hidden
    words in bold): the question, without the bold marks. None where it would put cloze
    markup into a field."""
    if not shown or "{{" in shown or "}}" in shown:
        return None
    return shown.split(" → ", 1)[0].replace("**", "")


def files_at(lock: Lock, version: str) -> tuple[tuple[str, str, int], ...]:
    """(W, file name, mended) of the tombstone packages recorded release `version` came
    with, from the lock alone: one per earlier release W that had notes retired in
    `version`, or whose listed tombstones `version` stamped anew (`mended` of them)."""
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
    files = []
    for since in earlier:
        mended = [
            g for g in listed(lock, since) if lock.state_at(g, version) != lock.state_at(g, since)
        ]
        if mended or any(
            (then := lock.state_at(g, since)) is not None and then.retired is None for g in retired
        ):
            files.append((since, file_name(found.deck.slug, since, version), len(mended)))
    return tuple(files)


def listed(lock: Lock, since: str) -> tuple[str, ...]:
    """The tombstones release `since`'s own package held with their card numbers as one
    list, `{{c1,2::removed}}` (a release marked `tombstones`): to mend (module docstring)."""
    found = lock.release(since)
    if found is None or not found.tombstones:
        return ()
    return tuple(
        guid
        for guid in sorted(lock.notes)
        if (then := lock.state_at(guid, since)) is not None
        and then.retired is not None
        and len(then.cards) > 1
    )


def restamped(lock: Lock) -> set[str]:
    """The listed tombstones whose state is still the one a marked release shipped: a
    release stamps them anew, so that their mended copy replaces the student's."""
    return {
        guid
        for release in lock.releases
        for guid in listed(lock, release.version)
        if lock.state_at(guid, release.version) == lock.notes[guid]
    }


def tombstone(
    guid: str,
    locked: LockedNote,
    note_type: NoteType,
    deck: Deck,
    mended: bool = False,
    shown: str | None = None,
) -> NoteSpec:
    """A retired note as shipped: same GUID and type, a notice on every card it had, and a
    tag to find it by. `mended`: cloze 1 in the fields at most, the other numbers in tags,
    the list in a comment (module docstring). `shown`: its students' line in the release
    record, which names it by what it asked (else the fact id, in words)."""
    numbered = tuple(ord_ + 1 for ord_ in (locked.cards or (0,)))
    each = tuple(n for n in numbered if n == 1) if mended else numbered
    removed = sorted({1, *numbered} - set(each)) if mended else []
    numbers = ",".join(map(str, numbered))
    context = {
        "each": each,  # one cloze per number: Anki before 26.05 reads no `c1,2` list
        "text": asked(shown) or locked.fact.replace("-", " "),
        "deck": deck.spec,
        "tag": RETIRED_TAG,
        "fact": locked.fact,
        "numbers": numbers,
    }
    fields = _fields(note_type, context)
    if mended:  # the list again, where it was, in an HTML comment: Anki from 26.05 on
        # reads it and keeps its students' card 2 as it showed (named); older Anki sees
        # nothing, and so makes no card 2 on Check Database
        listed = f"<!-- {{{{c{numbers}::removed}}}} -->"
        bare = _fields(note_type, {**context, "each": ()})
        fields = tuple(f + listed if f != b else f for f, b in zip(fields, bare, strict=True))
    return NoteSpec(
        guid=guid,
        note_type=note_type.key,
        fields=fields,
        tags=(RETIRED_TAG, *map(removed_tag, removed)),
        subdeck=locked.deck,
        fact_id=locked.fact,
        card_id=locked.card,
        location=Location(deck.deck_dir / LOCK_NAME),
    )


def _fields(note_type: NoteType, context: dict[str, object]) -> tuple[str, ...]:
    return tuple(
        note_type.retired[name].template.render(context) if name in note_type.retired else ""
        for name in note_type.field_names
    )
