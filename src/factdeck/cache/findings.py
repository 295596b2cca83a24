"""Lint through the cache: the one way into lint for a build, check or stats.

Each fact file's per-card lint is kept under the key of the results it was made from
(store.py, a row of its own beside the file's), so only edited files are linted card by
card; the cross-card rules run over every card, with the last lint's near-duplicate pairs.
Lint is entered here only, once the deck is expanded: expanding (and a preview) never lints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from factdeck.cache.incremental import FileNotes
from factdeck.cache.store import Store, seen_key
from factdeck.facts.model import Deck
from factdeck.lint import engine
from factdeck.render.templates import NoteType


def findings(
    deck: Deck, files: Iterable[FileNotes], note_types: Mapping[str, NoteType]
) -> tuple[engine.Finding, ...]:
    """Every finding of the deck whose fact files' notes are `files` (practice notes too, as
    a file without a key), as engine.lint would find them without the cache."""
    store = Store(deck.deck_dir)
    lints = []
    for file in files:
        found = None if file.key is None else store.get_lint(file.key, file.notes)
        if found is None:
            found = engine.file_lint(deck, file.notes, note_types, file.entries)
            if file.key is not None and file.settled:
                store.put_lint(file.key, file.notes, found)
            elif file.key is not None:  # an unsound row: made again by the next build
                store.forget_lint(file.key)
        lints.append(found)
    key = seen_key()
    result, seen = engine.lint_deck(deck, lints, store.get_seen(key))
    store.put_seen(key, seen)
    return result
