"""load → validate → expand, reusing each unchanged fact file's results (cache/store.py).

Only files whose key missed are read, validated and rendered; the others come from the
cache, and the deck is put back together in file order, so the notes are the same objects,
in the same order, as a full run would make (tests/test_incremental.py checks the
packages are byte-identical). Anything wrong in the input raises: the pipeline then runs
the plain stages, so problems are reported exactly as without a cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from factdeck.cache.store import Context, FileResult, Store, context, file_key
from factdeck.errors import FactdeckError, Location
from factdeck.facts import load, validate
from factdeck.facts.model import Deck, Entry, NoteSpec
from factdeck.fs import read
from factdeck.lint import engine
from factdeck.render import expand
from factdeck.render.expand import Provider
from factdeck.render.templates import TemplateSet, load_templates
from factdeck.stages import Watch


def expanded(
    deck_dir: Path, templates_root: Path, providers: Mapping[str, Provider], watch: Watch
) -> tuple[Deck, TemplateSet, tuple[NoteSpec, ...], tuple[engine.FileLint, ...]]:
    with watch("load"):
        deck_path = deck_dir / load.DECK_FILE
        if not deck_path.is_file():
            raise FactdeckError.at(Location(deck_dir), "no deck.yaml")
        try:
            inputs = context(deck_dir, deck_path, templates_root)
            paths = load.fact_paths(deck_dir)
            data = {path: read.read_bytes(path, load.MAX_FILE_BYTES) for path in paths}
        except read.NotReadable:  # the plain stages say which file and why
            raise FactdeckError.at(Location(deck_dir), "a file cannot be read") from None
        keys = [file_key(inputs, deck_dir, path, data[path]) for path in paths]
        store = Store(deck_dir, inputs.drawings)
        found = {path: store.get(key) for path, key in zip(paths, keys, strict=True)}
        missed = [path for path, result in found.items() if result is None]
        raw = load.RawDeck(
            deck_dir=deck_dir,
            deck_path=deck_path,
            deck=load.read_mapping(deck_path),
            files=tuple(load.load_fact_file(p, data[p]) for p in missed),  # the bytes keyed
        )
    with watch("validate"):
        fresh_deck = validate.validate(raw)  # the spec, and the missed files' facts
    with watch("templates"):
        templates = load_templates(templates_root)
    with watch("expand"):
        fresh_notes = expand.expand(fresh_deck, templates, providers)
        entries = _by_file(fresh_deck.entries)
        notes = _by_file(fresh_notes)
        # deck.yaml, the drawings and the templates were read again by the stages: kept
        # only if they are still what the key says (an edit saved meanwhile is not cached)
        keep = bool(missed) and _still(inputs, deck_dir, deck_path, templates_root)
        for path, key in zip(paths, keys, strict=True):
            if found[path] is None:
                own = tuple(notes.get(path, ()))
                found[path] = FileResult(
                    entries=tuple(entries.get(path, ())),
                    notes=own,
                    lint=engine.file_lint(fresh_deck, own, templates.note_types),
                )
                if keep:
                    store.put(key, found[path])  # type: ignore[arg-type]
        store.prune()
    results = [found[path] for path in paths]
    all_entries = tuple(e for r in results if r for e in r.entries)
    if len({e.fact.id for e in all_entries}) != len(all_entries):
        raise FactdeckError.at(None, "duplicate fact ids")  # reported in full by validate
    deck = Deck(spec=fresh_deck.spec, deck_dir=deck_dir, entries=all_entries)
    return (
        deck,
        templates,
        tuple(n for r in results if r for n in r.notes),
        tuple(r.lint for r in results if r),
    )


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
