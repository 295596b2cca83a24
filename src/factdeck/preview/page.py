"""`factdeck preview`: every card of a deck on one static page, rendered as Anki renders it.

Cards come from the same note-type templates and CSS as the package (preview/card_templates.py,
checked against the Anki engine). The page (templates/preview/) shows each face in a
shadow root holding its note type's CSS, so a card looks as in Anki and cannot restyle
the page; native image occlusion is drawn by a small stand-in for Anki's reviewer
script, as HTML boxes like the portable note type's. The site is an index.html, its
cards in parts/ (loaded one after another, so a big deck opens at once) and the deck's
media: it works from a file:// URL, offline, in any browser.
The preview reads the deck and writes only under OUT, and its cards' records in the deck's
cache (cache/preview_cards.py: a preview renders only the fact files edited since the last
one, and writes the same site as without it); the lock is never touched.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import jinja2
import jinja2.sandbox

from factdeck.cache import preview_cards
from factdeck.cache.made_with import made_with
from factdeck.cache.store import Store
from factdeck.diagrams.occlusion import numbered_labels
from factdeck.errors import FactdeckError, Location
from factdeck.facts.model import Deck, DeckSpec, Entry, Media, NoteSpec
from factdeck.fs import atomic, oserrors, read
from factdeck.pipeline import Checked, expanded
from factdeck.preview.card_templates import CompiledNoteType, compile_note_type, render_note
from factdeck.render.expand import source_view
from factdeck.render.layers import Layers
from factdeck.render.project import project_root
from factdeck.render.templates import NOTE_TYPES_DIR, NoteType
from factdeck.stages import Watch, unwatched

PREVIEW_DIR = "preview"
PARTS_DIR = "parts"
PART_CARDS = 1000  # cards per data file; the first part is drawn while the rest load
FIRST_PART_CARDS = 100  # a small first part: the first screen of cards, at once
_HIDDEN = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
PAGE = "index.html.j2"
PREVIEW_CARDS = "factdeck-preview-cards-1"  # a bump when a record's JSON changes shape
ASSETS = ("preview.css", "preview.js")


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One card as the page's data holds it: its record (faces, search text, origin) as
    JSON text, and its note, which the filters count."""

    note: NoteSpec
    record: str  # a JSON object (_records), kept between previews (cache/preview_cards.py)


@dataclass(frozen=True, slots=True)
class TagOption:
    tag: str  # a tag or an ancestor of tags ("lbp::nerves")
    depth: int
    cards: int


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the page shows."""

    deck: DeckSpec
    cards: tuple[PreviewCard, ...]
    notes: int
    styles: Mapping[str, str]  # note type key -> its CSS
    media: tuple[Media, ...]
    facts: Mapping[str, str]  # fact id -> its YAML text
    tags: tuple[TagOption, ...]
    subdecks: tuple[tuple[str, str, int], ...]  # (key, display name, cards)
    note_types: tuple[tuple[str, str, int], ...]  # (key, display name, cards)


@dataclass(frozen=True, slots=True)
class PreviewResult:
    deck: DeckSpec
    index: Path
    notes: int
    cards: int
    media: int
    size: int  # bytes of index.html and media together


def preview(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None = None, watch: Watch = unwatched
) -> PreviewResult:
    """Write OUT/<slug>-preview/index.html (and the deck's media beside it)."""
    checked = expanded(deck_dir, templates_dir, watch)
    site = out_dir / f"{checked.deck.spec.slug}-preview"
    with watch("render"):
        built = build_preview(checked, fact_sources(checked.deck), site)
        rendered = render_page(built, _page_environment(checked.templates.layers))
    with watch("write"), oserrors.reported():
        return write_site(site, rendered, built)


def build_preview(checked: Checked, facts: Mapping[str, str], site: Path) -> Preview:
    """The cards of every note, front and back, with their origin and search text, linked
    from the page at `site`: an unchanged fact file's as the last preview made them
    (cache/preview_cards.py), the others rendered."""
    templates, spec = checked.templates, checked.deck.spec
    compiled = {
        key: compile_note_type(note_type, Location(templates.root / NOTE_TYPES_DIR / f"{key}.yaml"))
        for key, note_type in templates.note_types.items()
        if any(note.note_type == key for note in checked.notes)
    }
    entries = {entry.fact.id: entry for entry in checked.deck.entries}
    places = _Places(project_root(checked.deck.deck_dir), site)
    labels = numbered_labels(checked.deck)
    inputs = _inputs(spec, templates.note_types)
    store = Store(checked.deck.deck_dir)
    source = functools.cache(lambda fact_id: _source(spec, entries[fact_id]))  # per fact
    cards: list[PreviewCard] = []
    for file in checked.files:
        depends = _depends(inputs, places, file.notes)
        records = (
            None if file.key is None else preview_cards.get(store, file.key, depends, file.notes)
        )
        if records is None:
            records = tuple(
                _records(note, compiled[note.note_type], spec, source(note.fact_id), places)
                for note in file.notes
            )
            if file.key is not None:
                preview_cards.put(store, file.key, depends, records)
        for note, made in zip(file.notes, records, strict=True):
            shown = labels.get(note.fact_id)
            cards.extend(PreviewCard(note, _labelled(record, shown)) for record in made)
    media = {m.name: m for note in checked.notes for m in note.media}
    return Preview(
        deck=spec,
        cards=tuple(cards),
        notes=len(checked.notes),
        styles={key: c.note_type.css for key, c in compiled.items()},
        media=tuple(media[name] for name in sorted(media)),
        facts=facts,
        tags=tag_options(card.note.tags for card in cards),
        subdecks=_subdecks(spec, cards),
        note_types=tuple(
            (key, c.note_type.name, sum(card.note.note_type == key for card in cards))
            for key, c in compiled.items()
        ),
    )


def _records(
    note: NoteSpec, compiled: CompiledNoteType, spec: DeckSpec, source: str, places: _Places
) -> tuple[str, ...]:
    """The records of the note's cards, as the page's data holds them (JSON objects; a
    diagram's mask labels are added to them afterwards, _labelled)."""
    name = compiled.note_type.name
    deck = spec.name if note.subdeck is None else f"{spec.name}::{spec.subdecks[note.subdeck]}"
    location = places.shown(note.location)
    href = places.href(note.location.path)
    records = []
    for faces in render_note(compiled, note):
        words = (
            text_of(faces.front),
            text_of(faces.back),
            *note.tags,
            note.fact_id,
            note.card_id,
            location,
            deck,
            name,
            source,
        )
        record = {
            "type": note.note_type,
            "front": faces.front,
            "back": faces.back,
            "text": " ".join(words).lower(),
            "anchor": f"{note.fact_id}--{note.card_id}--{faces.ord + 1}",
            "subdeck": note.subdeck or "",
            "tags": note.tags,
            "kind": f"{name} · {faces.name}",
            "deck": deck,
            "source": source,
            "location": location,
            "ids": f"{note.fact_id}/{note.card_id}",
            "fact": note.fact_id,
            "href": href,
            "file": location.rsplit(":", 1)[0],
            "line": note.location.line,
        }
        records.append(json.dumps(record))
    return tuple(records)


def _labelled(record: str, labels: tuple[tuple[int, str], ...] | None) -> str:
    """A diagram prints once, as a sheet: its masks numbered, its labels listed. Added last,
    as json.dumps would write the key (labels are drawn from the drawing as it is now)."""
    if labels is None:
        return record
    return f'{record[:-1]}, "labels": {json.dumps(labels)}}}'


def _inputs(spec: DeckSpec, note_types: Mapping[str, NoteType]) -> bytes:
    """What every card's record is made from besides its notes and places: the deck and
    the note types as loaded (cache/made_with.py)."""
    return PREVIEW_CARDS.encode() + b"\0" + made_with(spec, note_types)


def _depends(inputs: bytes, places: _Places, notes: tuple[NoteSpec, ...]) -> str:
    """A file's records depend on `inputs` and on where its notes' files are shown from and
    linked to (the project's and the page's folders)."""
    paths = dict.fromkeys(note.location.path for note in notes)
    where = [[places.shown(Location(path)), places.href(path)] for path in paths]
    return hashlib.sha256(inputs + json.dumps(where).encode()).hexdigest()


class _Places:
    """Each fact file as the page shows it (from the project folder, whatever the current
    directory) and links to it (relative, so the page names no home folder), worked out
    once a file: resolving paths was a third of rendering the cards."""

    def __init__(self, project: Path, site: Path) -> None:
        self._project = project.resolve()
        self._site = site.resolve()
        self._shown: dict[Path, str | None] = {}
        self._href: dict[Path, str] = {}

    def shown(self, location: Location) -> str:
        """file:line relative to the project folder (as an error names it, outside)."""
        path = location.path
        if path not in self._shown:
            try:
                self._shown[path] = path.resolve().relative_to(self._project).as_posix()
            except ValueError:
                self._shown[path] = None
        inside = self._shown[path]
        if inside is None:
            return str(location)
        return f"{inside}:{location.line}" if location.line else inside

    def href(self, path: Path) -> str:
        if path not in self._href:
            try:
                self._href[path] = Path(os.path.relpath(path.resolve(), self._site)).as_posix()
            except ValueError:  # another drive (Windows): no relative path exists
                self._href[path] = path.resolve().as_uri()
        return self._href[path]


def tag_options(card_tags: Iterable[tuple[str, ...]]) -> tuple[TagOption, ...]:
    """Every tag and each of its ancestors, with how many cards carry it or a descendant."""
    counts: Counter[str] = Counter()
    for tags, cards in Counter(card_tags).items():  # a deck's cards share a few tag sets
        prefixes = {
            "::".join(tag.split("::")[:depth])
            for tag in tags
            for depth in range(1, tag.count("::") + 2)
        }
        for prefix in prefixes:
            counts[prefix] += cards
    return tuple(
        TagOption(tag, tag.count("::"), counts[tag])
        for tag in sorted(counts, key=lambda t: t.split("::"))
    )


def fact_sources(deck: Deck) -> dict[str, str]:
    """Each fact's YAML as written: from its line to the next fact's, comments that
    introduce the next fact left out."""
    by_file: dict[Path, list[Entry]] = {}
    for entry in deck.entries:
        by_file.setdefault(entry.location.path, []).append(entry)
    sources = {}
    for path, entries in by_file.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = sorted((e.location.line or 1, e.fact.id) for e in entries)
        for (start, fact_id), (end, _) in zip(
            starts, [*starts[1:], (len(lines) + 1, "")], strict=True
        ):
            chunk = lines[start - 1 : end - 1]
            while chunk and (not chunk[-1].strip() or chunk[-1].lstrip().startswith("#")):
                chunk.pop()
            sources[fact_id] = _dedent(chunk)
    return sources


@dataclass(frozen=True, slots=True)
class Site:
    """The files of the preview: the page, and its cards in parts loaded one after another."""

    page: str
    parts: tuple[str, ...]  # parts/NNNN.js, in order


def render_page(built: Preview, env: jinja2.Environment) -> Site:
    """index.html: the deck's filters and a loader; the cards, faces and origin, travel as
    JSON in parts/NNNN.js files of PART_CARDS cards each, which preview.js adds one after
    another (script tags, so it works from file://): the first cards show at once,
    however big the deck."""
    parts = []
    cards = built.cards
    starts = [0, *range(min(FIRST_PART_CARDS, PART_CARDS), len(cards), PART_CARDS)]
    for start, end in zip(starts, [*starts[1:], len(cards)], strict=True):
        chunk = cards[start:end]
        facts = {c.note.fact_id: built.facts.get(c.note.fact_id, "") for c in chunk}
        records = ", ".join(c.record for c in chunk)  # json.dumps's own separators
        parts.append(
            f'factdeckPreview.add({{"cards": [{records}], "facts": {json.dumps(facts)}}});\n'
        )
    data = {
        "styles": built.styles,
        "parts": [_part_name(n) for n in range(len(parts))],
        "cards": len(cards),
    }
    assets = {
        name.split(".")[-1]: env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        for name in ASSETS
    }
    template = env.get_template(PAGE)
    try:
        page = template.render(preview=built, data=data, css=assets["css"], js=assets["js"])
    except jinja2.TemplateError as exc:  # a project's page (the sandbox refuses code too)
        raise FactdeckError.at(
            Location(Path(template.filename or PAGE)), f"the preview page's template failed: {exc}"
        ) from None
    return Site(page=page, parts=tuple(parts))


def write_site(site: Path, rendered: Site, built: Preview) -> PreviewResult:
    """Media and parts first, index.html last, each file replaced atomically; then stale
    files go."""
    site.mkdir(parents=True, exist_ok=True)
    size = 0
    for name, data in [
        *((item.name, read.media_bytes(item.path)) for item in built.media),
        *((_part_name(n), part.encode("utf-8")) for n, part in enumerate(rendered.parts)),
    ]:
        size += len(data)
        dest = site / name
        if not dest.is_file() or dest.read_bytes() != data:
            dest.parent.mkdir(exist_ok=True)
            with atomic.replacing(dest) as tmp:
                tmp.write_bytes(data)
    index = site / "index.html"
    encoded = rendered.page.encode("utf-8")
    with atomic.replacing(index) as tmp:
        tmp.write_bytes(encoded)
    keep = {
        index.name,
        *(item.name for item in built.media),
        *(_part_name(n) for n in range(len(rendered.parts))),
    }
    for stale in [*site.iterdir(), *site.glob(f"{PARTS_DIR}/*")]:
        name = stale.relative_to(site).as_posix()
        if stale.is_file() and name not in keep and not stale.name.startswith("."):
            stale.unlink()
    return PreviewResult(
        deck=built.deck,
        index=index,
        notes=built.notes,
        cards=len(built.cards),
        media=len(built.media),
        size=size + len(encoded),
    )


def _part_name(number: int) -> str:
    return f"{PARTS_DIR}/{number + 1:04d}.js"


def text_of(html: str) -> str:
    """The words a reader sees in an HTML fragment (no tags, styles or scripts)."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    text = _TAG.sub(" ", _HIDDEN.sub(" ", html))
    return " ".join(unescape(text).split())


def _page_environment(found: Layers) -> jinja2.Environment:
    folders = [folder / PREVIEW_DIR for folder in found.folders]
    missing = [name for name in (PAGE, *ASSETS) if found.find(f"{PREVIEW_DIR}/{name}") is None]
    if missing:
        raise FactdeckError.at(
            Location(folders[0]), f"the preview page's templates are missing: {', '.join(missing)}"
        )
    return jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _source(spec: DeckSpec, entry: Entry) -> str:
    view = source_view(entry.fact.source, spec)
    return " · ".join([view.section, *view.refs])


def _subdecks(spec: DeckSpec, cards: list[PreviewCard]) -> tuple[tuple[str, str, int], ...]:
    counts = Counter(card.note.subdeck or "" for card in cards)
    named = [("", f"{spec.name} (top level)"), *spec.subdecks.items()]
    return tuple((key, name, counts[key]) for key, name in named if counts[key])


def _dedent(lines: list[str]) -> str:
    """A fact's lines without the list indentation they share ('  - id: x' -> '- id: x')."""
    indent = min((len(line) - len(rest) for line in lines if (rest := line.lstrip())), default=0)
    return "\n".join([line[indent:] for line in lines] if indent else lines)
