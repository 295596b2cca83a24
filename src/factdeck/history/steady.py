"""Notes that stamping leaves as their lock entries were, told apart without stamping them.

After one edit of a large deck nearly every note is steady: its lock entry comes out of
stamping as it went in (same content hash, corrected tags, items, moves and notices), the
identity guards find nothing, corrections plan no renumbering, and the note is shipped as
written plus the tags stamping adds and the report link of one version. Working that out
again per note (content and item digests, the guards, `_fixed`, `removed_cards.tagged`)
was most of stamping and of `check` after one edit (issue 23).

What stamping a note does depends on the note (which a fact file's cache key covers, with
deck.yaml, the templates and factdeck itself), on the note's own lock entries (its line
and its released states) and on a little of the lock as a whole (its releases) and of the
build (the overrides). So a note found steady once stays steady, with the same tags and
link, while those are the same: `Steady` is what stamping then adds, `deck_digest` the
deck-wide part, `lines_digest` a file's notes' entries. cache/stamp_memo.py keeps them per
fact file. Stamping for a release, or a lock whose ids clash or that was merged, uses none
(`usable`): those rewrite entries stamping otherwise keeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from factdeck.history.guards import Allow
from factdeck.history.lockfile import Lock

# What stamping adds to a steady note: its tags (corrected, removed) and the version its
# report link names (None: the deck has no link). A plain pair, not a dataclass: a build
# takes tens of thousands of them from the rows, and an object each was a tenth of a stamp.
Steady = tuple[tuple[str, ...], str | None]


def usable(old: Lock, releasing: bool) -> bool:
    """Whether steady notes may be taken as known for stamping against `old` (a merged
    lock is reconciled, a release restamps what it ships: neither is steady)."""
    return (
        not releasing
        and not old.merged
        and len({n.id for n in old.notes.values()}) == len(old.notes)
    )


def deck_digest(old: Lock, allow: Allow) -> str:
    """What of the lock and the build every note's stamping depends on besides its own
    entries: the releases (corrections' base, what was shipped) and the overrides."""
    return hashlib.sha256(repr((old.releases, allow)).encode()).hexdigest()


def lines_digest(old: Lock, guids: Iterable[str]) -> str | None:
    """A digest of the lock entries of `guids` as read: each live note's line (which names
    its GUID) and its released states; None when one has no line as read (new, retired,
    or rewritten)."""
    read = old.lines.notes
    guids = tuple(guids)
    try:
        text = "\n".join([read[guid][1] for guid in guids])
    except KeyError:
        return None
    digest = hashlib.sha256(text.encode())
    if old.was:
        for guid in guids:
            states = old.was_of(guid)
            if states:
                digest.update(f"\n{guid}\0{states!r}".encode())
    return digest.hexdigest()
