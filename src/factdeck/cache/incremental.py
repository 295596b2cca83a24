"""load → validate → expand, reusing each unchanged fact file's results (cache/store.py).

Only files whose key missed are read, validated and rendered; the others come from the
cache, and the deck is put back together in file order, so the notes are the same objects,
in the same order, as a full run would make (tests/cache/test_incremental.py checks the
packages are byte-identical). The stages are the same with or without a cache: the
missed files are loaded with every problem collected, and validated together with the
cached files' facts, so a problem is reported as without a cache, in one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from factdeck.cache.store import Context, FileResult, Store, context, file_key
from factdeck.facts import load, validate
from factdeck.facts.model import Deck, Entry, NoteSpec
from factdeck.fs import read
from factdeck.render import expand
from factdeck.render.expand import Provider
from factdeck.render.templates import TemplateSet, load_templates
from factdeck.stages import Watch


@dataclass(frozen=True, slots=True)
class FileNotes:
    """One fact file's facts and notes, with the cache key they are the results of (None
    when they are not: no cache, or an input edited while the build read it), under which
    their lint is kept too (cache/findings.py); `settled`: the inputs were the key's all
    through the stages, so lint made from them now may be kept under it."""

    entries: tuple[Entry, ...]
    notes: tuple[NoteSpec, ...]
    key: str | None
    settled: bool = False


def expanded(
    deck_dir: Path, templates_root: Path, providers: Mapping[str, Provider], watch: Watch
) -> tuple[Deck, TemplateSet, tuple[FileNotes, ...]]:
    with watch("load"):
        deck_path = load.deck_file(deck_dir)
        paths = load.fact_paths(deck_dir)
        try:
            inputs: Context | None = context(deck_dir, deck_path, templates_root)
        except read.NotReadable:  # no cache this time: the stages say which file and why
            inputs = None
        data = {path: _bytes(path) for path in paths}
        keys = {
            path: file_key(inputs, deck_dir, path, got)
            for path, got in data.items()
            if inputs is not None and got is not None
        }
        store = Store(deck_dir, inputs.drawings if inputs else None)
        found = {path: store.get(key) for path, key in keys.items()}
        missed = {path: data[path] for path in paths if found.get(path) is None}
        raw = load.load_deck(deck_dir, paths, missed)  # the missed from the bytes keyed
    with watch("validate"):
        deck = validate.validate(raw, {p: r.entries for p, r in found.items() if r})
    with watch("templates"):
        templates = load_templates(templates_root)
    with watch("expand"):
        fresh = Deck(
            deck.spec, deck_dir, tuple(e for e in deck.entries if e.location.path in missed)
        )
        entries = _by_file(fresh.entries)
        notes = _by_file(expand.expand(fresh, templates, providers))
        # deck.yaml, the drawings and the templates were read again by the stages: a file's
        # results, or its lint, are kept only if they are still what the key says (an edit
        # saved meanwhile is not cached); asked only when something is to be kept
        settled = (
            inputs is not None
            and (bool(missed) or not all(store.has_lint(key) for key in keys.values()))
            and _still(inputs, deck_dir, deck_path, templates_root)
        )
        for path in missed:
            found[path] = FileResult(tuple(entries.get(path, ())), tuple(notes.get(path, ())))
            if settled and path in keys:
                store.put(keys[path], found[path])  # type: ignore[arg-type]
            else:
                keys.pop(path, None)  # not the results of its key: not linted under it
        if inputs is not None:
            store.prune()
    return (
        deck,
        templates,
        tuple(
            FileNotes(r.entries, r.notes, keys.get(path), settled)
            for path in paths
            if (r := found[path])
        ),
    )


def _bytes(path: Path) -> bytes | None:
    """A fact file's bytes, or None when they cannot be read (load says why)."""
    try:
        return read.read_bytes(path, load.MAX_FILE_BYTES)
    except read.NotReadable:
        return None


def _still(inputs: Context, deck_dir: Path, deck_path: Path, templates_root: Path) -> bool:
    try:
        return context(deck_dir, deck_path, templates_root) == inputs
    except read.NotReadable:
        return False


def _by_file(items: tuple[Entry, ...] | tuple[NoteSpec, ...]) -> dict[Path, list]:
    out: dict[Path, list] = {}
    for item in items:
        out.setdefault(item.location.path, []).append(item)
    return out
