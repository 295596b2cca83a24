"""What changed since a release, from the lock alone (no old package needed).

A note's state at a release is its lock entry if that release shipped it (`rel`), or the
`was` entry kept when it later changed; lockfile.Lock.state_at finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from factdeck.facts.model import NoteSpec
from factdeck.history.lockfile import Lock, LockedNote, Release
from factdeck.history.numbering import (
    answer_changed,
    items_added,
    items_changed,
    items_moved,
    masks_moved,
    replaced,
)


@dataclass(frozen=True, slots=True)
class Delta:
    guid: str
    before: LockedNote | None  # as the release shipped it
    after: LockedNote  # as it is now
    note: NoteSpec | None  # its current text (None: retired, or compared from the lock only)

    @property
    def corrected(self) -> bool:
        """The answer changed (both sides known): a correction, not a rewording. Diagram
        masks are guarded apart (masks_changed): an appended mask is a new card."""
        before = self.before
        return (
            before is not None
            and bool(before.answer)
            and bool(self.after.answer)
            and not before.masks
            and answer_changed(before, self.after.answer, self.after.items)
        )

    @property
    def moved(self) -> bool:
        before = self.before
        return before is not None and bool(before.answer) and before.deck != self.after.deck

    @property
    def tags_changed(self) -> bool:
        before = self.before
        return before is not None and bool(before.tags) and before.tags != self.after.tags

    @property
    def masks_added(self) -> int:
        """How many masks were appended to a diagram (new cards of the same note)."""
        before = self.before
        if before is None or not before.masks or self.masks_changed:
            return 0
        return len(self.after.masks) - len(before.masks)

    @property
    def cards_dropped(self) -> tuple[int, ...]:
        """Card numbers (ords) the note had at the release and no longer makes, e.g. a cloze
        number taken out of a sentence: Anki keeps such a card, empty, until Empty Cards."""
        before = self.before
        if before is None or self.after.retired is not None:
            return ()
        replaced = {number - 1 for number in self.replaced}  # the notes say why, apart
        return tuple(sorted(set(before.cards) - set(self.after.cards) - replaced))

    @property
    def cards_new(self) -> int:
        """Cards the earlier release's students get from this note as new: every card of an
        added note, a changed note's new numbers (an appended mask or item, a corrected
        answer's new card)."""
        before = self.before
        if self.after.retired is not None:
            return 0
        if before is None or before.retired is not None:
            return len(self.after.cards)
        return len(set(self.after.cards) - set(before.cards))

    @property
    def cards_had(self) -> int:
        """Cards the earlier release's students have of this note: each shows the change
        (a card the note no longer makes, its notice)."""
        before = self.before
        return 0 if before is None or before.retired is not None else len(before.cards)

    @property
    def renumbered(self) -> tuple[tuple[int, int], ...]:
        """(was, now) card numbers of cloze items that moved since the release (declared
        with `renumbered:`): each such card's history is now that of another item."""
        before = self.before
        if before is None or not before.items or self.after.retired is not None:
            return ()
        return items_moved(before.items, self.after.items)

    @property
    def replaced(self) -> tuple[int, ...]:
        """Card numbers whose answer was corrected onto a new card: each now shows a notice."""
        before = self.before
        if before is None or not before.items or self.after.retired is not None:
            return ()
        return replaced(before.items, self.after.items)

    @property
    def relearn(self) -> bool:
        """A corrected answer left on a card students had (not moved to a new card): only
        Forget makes them learn it again."""
        before = self.before
        if not self.corrected or before is None:
            return False
        if not (before.items and self.after.items):
            return True
        return not set(items_changed(before.items, self.after.items)) <= set(self.replaced)

    @property
    def items_added(self) -> int:
        """How many cloze numbers the note has now and had no card for: a new card each."""
        before = self.before
        if before is None or not before.items or self.after.retired is not None:
            return 0
        return len(items_added(before.items, self.after.items))

    @property
    def masks_changed(self) -> bool:
        before = self.before
        return (
            before is not None
            and bool(before.masks)
            and masks_moved(before.masks, self.after.masks)
        )


@dataclass(frozen=True, slots=True)
class ReleaseChanges:
    since: Release | None
    added: tuple[Delta, ...]
    changed: tuple[Delta, ...]
    retired: tuple[Delta, ...]
    note_types: tuple[str, ...]  # keys of note types whose layout or fields changed
    unchanged: int
    template_sets: tuple[tuple[str, str], ...] = ()  # (key, set that built it) of those
    unchanged_cards: int = 0

    @property
    def cards_added(self) -> int:
        """Cards students get as new, counted in cards as they study them (not notes)."""
        return sum(d.cards_new for d in (*self.added, *self.changed))

    @property
    def cards_changed(self) -> int:
        return sum(d.cards_had for d in self.changed)

    @property
    def cards_retired(self) -> int:
        return sum(d.cards_had for d in self.retired)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.note_types)

    @property
    def corrected(self) -> tuple[Delta, ...]:
        return tuple(d for d in self.changed if d.corrected)

    @property
    def masked_facts(self) -> frozenset[str]:
        """Facts whose added or changed notes carry masks: the notes name those masks."""
        return frozenset(d.after.fact for d in (*self.added, *self.changed) if d.after.masks)


def since_release(
    lock: Lock, notes: Mapping[str, NoteSpec], since: Release | None
) -> ReleaseChanges:
    """`lock` (just stamped) against what release `since` shipped; None: everything is new."""
    return between(lock, since, None, notes)


def between(
    lock: Lock,
    old: Release | None,
    new: Release | None,
    notes: Mapping[str, NoteSpec] | None = None,
) -> ReleaseChanges:
    """Release `old` against release `new` (None: the current lock)."""
    added, changed, retired = [], [], []
    unchanged = unchanged_cards = 0
    for guid in sorted(lock.notes, key=lambda g: (lock.notes[g].fact, lock.notes[g].card)):
        after = lock.notes[guid] if new is None else lock.state_at(guid, new.version)
        if after is None:
            continue
        before = lock.state_at(guid, old.version) if old is not None else None
        delta = Delta(guid, before, after, (notes or {}).get(guid))
        was_live = before is not None and before.retired is None
        if after.retired is not None:
            if was_live:
                retired.append(delta)
        elif not was_live:
            added.append(delta)
        elif before is not None and before.hash != after.hash:
            changed.append(delta)
        else:
            unchanged += 1
            unchanged_cards += len(after.cards)
    types_now = {k: t.hash for k, t in lock.note_types.items()} if new is None else dict(new.types)
    types_then = dict(old.types) if old is not None else {}
    note_types = tuple(k for k, h in sorted(types_now.items()) if types_then.get(k) != h)
    sets = tuple(
        (k, t.templates)
        for k in note_types
        if new is None and (t := lock.note_types.get(k)) is not None and t.templates
    )
    return ReleaseChanges(
        old,
        tuple(added),
        tuple(changed),
        tuple(retired),
        note_types,
        unchanged,
        sets,
        unchanged_cards,
    )
