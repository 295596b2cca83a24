"""Card numbers and what each asks: a card's review history belongs to its number in its
note (cloze N, mask N), never to the words it asks, so an edit that gives a number other
words hands its history to them. These rules tell such a move from a rewording in place.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Collection

from factdeck.anki import cloze
from factdeck.facts.model import NoteSpec
from factdeck.history.lockfile import Lock, LockedNote
from factdeck.render.html import plain
from factdeck.render.templates import NoteType


def crc(text: str) -> str:
    return f"{zlib.crc32(text.encode()):08x}"


Hidden = tuple[tuple[int, str], ...]  # (card number, plain words) per cloze deletion


def hidden(note: NoteSpec, note_type: NoteType) -> list[tuple[int, str]]:
    """(card number, plain words) of every cloze deletion of a cloze note, in reading order."""
    return list(hidden_in(cloze_text(note, note_type)))


def cloze_text(note: NoteSpec, note_type: NoteType) -> str:
    """The field whose clozes make the note's cards."""
    return note.fields[cloze_field(note_type)]


def cloze_field(note_type: NoteType) -> int:
    """Where a cloze note type's cards read their clozes: the first field its front asks."""
    return note_type.asked[0][0] if note_type.asked[0] else 0


def hidden_in(text: str) -> Hidden:
    """The words of `text`'s clozes: as the build cache kept them for it (`remember`), or
    parsed and flattened."""
    known = _known.get(text)
    return _hidden_in(text) if known is None else known


_known: dict[str, Hidden] = {}


def remember(known: dict[str, Hidden]) -> None:
    """What hidden_in gives for these texts, as cache/cloze_words.py kept it under the key
    of the notes they are from (a build parses no unchanged file's clozes), and so their
    cloze numbers (cloze.ordinals: the same deletions' numbers but 0); replaces what an
    earlier build of this process remembered."""
    _known.clear()
    _known.update(known)
    cloze.remember({text: frozenset(n for n, _ in words if n) for text, words in known.items()})


@functools.lru_cache(maxsize=1 << 17)
def _hidden_in(text: str) -> Hidden:
    """Remembered by text: a build asks it of every cloze note in its identity guards, in
    stamping (answer and item digests) and more, each time parsing and flattening again."""
    return tuple((n, plain(c.text, None)) for c in cloze.deletions(text) for n in c.ordinals)


NOTICE = "~"  # the digest of a card that shows the "replaced" notice: it asks nothing


def item_digests(
    note: NoteSpec, note_type: NoteType, notices: Collection[int] = ()
) -> tuple[str, ...]:
    """A cloze note's cards by number (from 1): a digest of the words each hides, "" for a
    number it has no card for (a gap kept for a removed item), NOTICE for a card replaced
    by a correction (history/corrections.py)."""
    if not note_type.cloze or note_type.native_occlusion:
        return ()
    by_number: dict[int, list[str]] = {}
    for number, words in hidden(note, note_type):
        by_number.setdefault(number, []).append(words)
    return tuple(
        NOTICE if n in notices else crc(" | ".join(by_number[n])) if n in by_number else ""
        for n in range(1, max(by_number, default=0) + 1)
    )


def masks_moved(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """Whether a native occlusion card number now shows another label (its review history
    would follow the number, not the label). Appending masks and retiring one as `~` ("")
    move nothing: the retired number's card is merely left empty."""
    return len(after) < len(before) or any(
        a and a != b for b, a in zip(before, after[: len(before)], strict=True)
    )


def items_moved(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(was, now) card numbers of cloze items another number now asks. Rewording an item
    in place, appending items, or taking one out with its number left unused (`~`) moves
    nothing."""
    where: dict[str, int] = {}
    for number, digest in enumerate(after, 1):
        if digest not in ("", NOTICE):
            where.setdefault(digest, number)
    return tuple(
        (number, where[digest])
        for number, digest in enumerate(before, 1)
        if digest in where and (number > len(after) or after[number - 1] != digest)
    )


def items_changed(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[int, ...]:
    """Card numbers that ask other words in place: not moved there from another number."""
    moved = {was for was, _ in items_moved(before, after)}
    return tuple(
        n
        for n, (b, a) in enumerate(zip(before, after, strict=False), 1)
        if b and a and b != a and n not in moved and (a == NOTICE or a not in before)
    )


def items_added(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[int, ...]:
    """Card numbers a note has now and had no card for (a new card each on import)."""
    return tuple(
        n
        for n, a in enumerate(after, 1)
        if a not in ("", NOTICE) and (n > len(before) or not before[n - 1])
    )


def replaced(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[int, ...]:
    """Card numbers that asked something and now show the "replaced" notice."""
    return tuple(
        n for n, (b, a) in enumerate(zip(before, after, strict=False), 1) if a == NOTICE != b and b
    )


def answer_changed(before: LockedNote, answer: str, items: tuple[str, ...]) -> bool:
    """Whether what students must answer changed on a card they already had: with item
    digests on both sides, only cards reworded in place count (an appended item is a new
    card, a moved one is a renumbering); otherwise the whole answer's digest decides."""
    if before.items and items:
        return bool(items_changed(before.items, items))
    return before.answer != answer


def shipped_numbers(old: Lock, guid: str) -> frozenset[int]:
    """The card numbers (from 1) some release shipped the note with: its cards, and every
    item number that asked something. A gap (an item number left unused, "") is no card, so
    no student has it, however high the numbers around it."""
    found: set[int] = set()
    for release in old.releases:
        state = old.state_at(guid, release.version)
        if state is not None and state.retired is None:
            found.update(ord_ + 1 for ord_ in state.cards)
            found.update(n for n, digest in enumerate(state.items, 1) if digest)
    return frozenset(found)


def highest_number(old: Lock, guid: str) -> int:
    """The highest card number the note ever had in a release or a build."""
    states = [old.state_at(guid, r.version) for r in old.releases]
    states.append(old.notes.get(guid))
    return max(
        (max(len(s.items), max(s.cards, default=-1) + 1) for s in states if s is not None),
        default=0,
    )
