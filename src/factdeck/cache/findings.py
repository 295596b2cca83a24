"""Lint through the cache: the one way into lint for a build, check or stats.

Each fact file's per-card lint is kept under the key of the results it was made from
(store.py, a row of its own beside the file's), so only edited files are linted card by
card; the cross-card rules read every file's index (each card's compared words, answer,
digests, cue) and make a cached card only when it can collide, with the last lint's
near-duplicate and asked-twice pairs, so only new cards are looked up; the diagram rules'
findings are kept with a digest of all they read (each diagram fact, its
drawing's bytes, the deck's nerve levels), so they are found again only when that changes.
Lint is entered here only, once the deck is expanded: expanding (and a preview) never lints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from factdeck.cache.incremental import FileNotes
from factdeck.cache.store import Store, seen_key
from factdeck.facts.model import Deck, Diagram
from factdeck.fs import limits, read
from factdeck.lint import engine
from factdeck.lint.rules import diagrams
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
    inputs = _drawn_inputs(deck)
    drawn = None if inputs is None else store.get_drawn(inputs)
    if drawn is None:
        drawn = engine.drawn_findings(deck)
        if inputs is not None:
            store.put_drawn(inputs, drawn)
    key = seen_key()
    result, seen = engine.lint_deck(deck, lints, store.get_seen(key), drawn)
    store.put_seen(key, seen)
    return result


def _drawn_inputs(deck: Deck) -> str | None:
    """A digest of all the diagram rules read: each diagram fact, where it is and the
    bytes of its drawing, and the deck's nerve levels. None when a drawing cannot be read
    (the rules then say why) or a fact is outside the deck folder."""
    digest = hashlib.sha256()
    for entry in deck.entries:
        fact = entry.fact
        if not isinstance(fact, Diagram):
            continue
        path = (deck.deck_dir / fact.image).resolve()
        try:
            where = entry.location.path.relative_to(deck.deck_dir).as_posix()
            drawing = hashlib.sha256(read.read_bytes(path, limits.INPUT_DIGEST)).hexdigest()
        except (ValueError, read.NotReadable):
            return None
        part = [where, entry.location.line, fact.model_dump_json(), path.name, drawing]
        digest.update(json.dumps(part).encode() + b"\0")
    levels = sorted((name, sorted(found)) for name, found in diagrams.nerve_levels(deck).items())
    digest.update(json.dumps(levels).encode())
    return digest.hexdigest()
