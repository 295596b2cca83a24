"""Read `templates/`: note types (fields, card HTML, CSS) and, per fact kind, the notes it yields.

Every Jinja2 string is compiled once here, with autoescape on and StrictUndefined,
so a template that names a missing field fails the build instead of making an empty card.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape
from pydantic import ValidationError

from factdeck.errors import FactdeckError, Location, Problem, collect, did_you_mean
from factdeck.facts.load import LineMap, read_yaml
from factdeck.facts.model import KINDS, Listed, Slug, Strict, cloze_numbers, item_numbers
from factdeck.facts.validate import pydantic_problems
from factdeck.render.layers import PROJECT, Layers, builtin_set, is_builtin, layers

NOTE_TYPES_DIR = "note-types"
NATIVE_OCCLUSION = 6  # Anki's stock kind for image occlusion (`originalStockKind`)
_FIELD_REF = re.compile(r"\{\{(?![#/^!])([^}]+)\}\}")
KINDS_DIR = "kinds"
DECK_DESCRIPTION = "deck-description.html"


# --- the files' schema ----------------------------------------------------------------


class FieldSchema(Strict):
    name: str
    tag: int | None = None
    prevent_deletion: bool = False


class CardSchema(Strict):
    name: str
    front: str
    back: str


class NoteTypeSchema(Strict):
    name: str
    cloze: bool = False
    stock_kind: int | None = None
    fields: tuple[FieldSchema | str, ...]
    cards: tuple[CardSchema, ...]
    css: tuple[str, ...] = ()
    defaults: dict[str, str] = {}
    retired: dict[str, str]
    report: str | None = None  # the back's field that a deck's `feedback:` link is added to


class NoteSchema(Strict):
    id: Slug
    note_type: str
    requires: tuple[str, ...] = ()
    each: str | None = None
    when: str | None = None  # a Jinja test, e.g. "deck.occlusion == 'native'"
    fields: dict[str, str]


class KindSchema(Strict):
    notes: tuple[NoteSchema, ...]
    practice: object = None  # multiple-choice questions: read and checked by practice/spec.py


# --- what the build uses ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldTemplate:
    """One compiled Jinja2 string and where it was written (for error messages)."""

    template: jinja2.Template
    location: Location


@dataclass(frozen=True, slots=True)
class CardTemplate:
    name: str
    front: str
    back: str


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    tag: int | None
    prevent_deletion: bool


@dataclass(frozen=True, slots=True)
class NoteType:
    key: str
    name: str
    cloze: bool
    stock_kind: int | None
    fields: tuple[FieldDef, ...]
    cards: tuple[CardTemplate, ...]
    css: str
    defaults: dict[str, FieldTemplate]
    retired: dict[str, FieldTemplate]
    field_names: tuple[str, ...]
    asked: tuple[tuple[int, ...], ...]  # per card template: positions of the fields its front shows
    template_set: str = PROJECT  # "factdeck X.Y.Z" when built from the built-in files only
    report: str | None = None  # the field a deck's "Report a problem" link is added to

    @property
    def native_occlusion(self) -> bool:
        """Anki's own image-occlusion kind: its cards are drawn by Anki's reviewer script."""
        return self.stock_kind == NATIVE_OCCLUSION

    @property
    def question_fields(self) -> tuple[str, ...]:
        """Fields that some card front shows: if all are empty, Anki makes no card."""
        shown = {i for fields in self.asked for i in fields}
        return tuple(name for i, name in enumerate(self.field_names) if i in shown)

    def card_ords(self, fields: tuple[str, ...]) -> tuple[int, ...]:
        """The cards Anki makes for a note with these fields: one per cloze number, or one
        per card template whose front shows a non-empty field."""
        if self.cloze:
            numbers = set().union(*(cloze_numbers(fields[i]) for i in self.asked[0]))
            return tuple(sorted(n - 1 for n in numbers))
        return tuple(card for card, shown in enumerate(self.asked) if any(fields[i] for i in shown))


@dataclass(frozen=True, slots=True)
class NoteTemplate:
    id: str
    note_type: str
    requires: tuple[str, ...]
    each: str | None
    fields: dict[str, FieldTemplate]
    location: Location
    when: FieldTemplate | None = None  # renders non-empty when the note is made


@dataclass(frozen=True, slots=True)
class TemplateSet:
    layers: Layers
    note_types: dict[str, NoteType]
    kinds: dict[str, tuple[NoteTemplate, ...]]
    deck_description: FieldTemplate | None

    @property
    def root(self) -> Path:
        """The project's templates folder, or the built-in set when the project has none."""
        return self.layers.top


_NO_LINKS = (
    "factdeck reads only plain files of the templates folder, so that a link cannot put a "
    "file from elsewhere (another project, your home folder) into the package or the "
    "preview: replace the link with a copy of what it points to"
)


def refuse_links(found: Layers) -> None:
    """Every symbolic link in the project's templates folders, refused (Layers.links)."""
    linked = [
        Problem(Location(link), f"a symbolic link (to {os.readlink(link)}); {_NO_LINKS}")
        for link in found.links()
    ]
    if linked:
        raise FactdeckError(linked)


def load_templates(root: Path) -> TemplateSet:
    """Read and compile every template, `root` (a project's templates/) shadowing the
    built-in set file by file; all problems reported at once."""
    found = layers(root)
    refuse_links(found)
    env = make_environment(found)
    problems: list[Problem] = []
    note_types = {}
    for name in found.names(NOTE_TYPES_DIR, ".yaml"):
        path = found.find(f"{NOTE_TYPES_DIR}/{name}.yaml")
        assert path is not None
        note_type = collect(problems, functools.partial(_note_type, env, found, path))
        if note_type:
            note_types[note_type.key] = note_type
    kinds = {}
    for name in found.names(KINDS_DIR, ".yaml"):
        path = found.find(f"{KINDS_DIR}/{name}.yaml")
        assert path is not None
        notes = collect(problems, functools.partial(_kind, env, path, note_types))
        if notes is not None:
            kinds[path.stem] = notes
    description_path = found.find(DECK_DESCRIPTION)
    description = None
    if description_path is not None:
        source = _read(description_path, description_path)
        description = collect(problems, lambda: _compile(env, source, Location(description_path)))
    if problems:
        raise FactdeckError(problems)
    return TemplateSet(
        layers=found, note_types=note_types, kinds=kinds, deck_description=description
    )


def _parse(schema: type[Strict], path: Path) -> tuple[Strict, LineMap]:
    data = read_yaml(path)
    if not isinstance(data, LineMap):
        raise FactdeckError.at(Location(path, 1), "expected a mapping at the top of the file")
    try:
        return schema.model_validate(dict(data)), data
    except ValidationError as exc:
        raise FactdeckError(pydantic_problems(exc, schema, data, path, "template")) from None


def _note_type(env: jinja2.Environment, found: Layers, path: Path) -> NoteType:
    spec, data = _parse(NoteTypeSchema, path)
    assert isinstance(spec, NoteTypeSchema)
    fields = tuple(
        FieldDef(f, None, False)
        if isinstance(f, str)
        else FieldDef(f.name, f.tag, f.prevent_deletion)
        for f in spec.fields
    )
    names = [f.name for f in fields]
    problems = [
        Problem(
            Location(path, data.line_of(section)),
            f"'{section}' sets unknown field '{name}'{did_you_mean(name, names)}",
        )
        for section, values in (("defaults", spec.defaults), ("retired", spec.retired))
        for name in values
        if name not in names
    ]
    if spec.report is not None and spec.report not in names:
        problems.append(
            Problem(
                Location(path, data.line_of("report")),
                f"'report' names unknown field '{spec.report}'{did_you_mean(spec.report, names)}; "
                f"its fields are {', '.join(names)}",
            )
        )
    elif spec.report is not None and any(
        names.index(spec.report) in _shown_fields(card_text, names)
        for card_text in (_read(_referenced(found, c.front, path), path) for c in spec.cards)
    ):
        problems.append(
            Problem(
                Location(path, data.line_of("report")),
                f"'report' names '{spec.report}', which a card's front shows; name a field "
                "only the back shows (the link would give the answer's card away)",
            )
        )
    if problems:
        raise FactdeckError(problems)
    sources = [path]

    def read(name: str) -> str:
        source = _referenced(found, name, path)
        sources.append(source)
        return _read(source, path)

    cards = tuple(CardTemplate(c.name, read(c.front), read(c.back)) for c in spec.cards)
    css = "\n".join(read(name) for name in spec.css)
    defaults, retired = (
        {
            name: _compile(env, source, Location(path, data[section].line_of(name)))
            for name, source in values.items()
        }
        for section, values in (("defaults", spec.defaults), ("retired", spec.retired))
    )
    return NoteType(
        key=path.stem,
        name=spec.name,
        cloze=spec.cloze,
        stock_kind=spec.stock_kind,
        fields=fields,
        cards=cards,
        css=css,
        defaults=defaults,
        retired=retired,
        field_names=tuple(names),
        asked=tuple(_shown_fields(card.front, names) for card in cards),
        template_set=builtin_set() if all(map(is_builtin, sources)) else PROJECT,
        report=spec.report,
    )


def _shown_fields(front: str, names: list[str]) -> tuple[int, ...]:
    shown = {m.rsplit(":", 1)[-1].strip() for m in _FIELD_REF.findall(front)}
    return tuple(i for i, name in enumerate(names) if name in shown)


def _kind(
    env: jinja2.Environment, path: Path, note_types: dict[str, NoteType]
) -> tuple[NoteTemplate, ...]:
    kind = path.stem
    if kind not in KINDS:
        raise FactdeckError.at(
            Location(path),
            f"templates for unknown kind '{kind}'"
            f"{did_you_mean(kind, KINDS)}; known kinds: {', '.join(KINDS)}",
        )
    spec, data = _parse(KindSchema, path)
    assert isinstance(spec, KindSchema)
    fact_fields = KINDS[kind].model_fields
    problems: list[Problem] = []
    notes = []
    raw_notes = data["notes"]
    for number, note in enumerate(spec.notes):
        raw = raw_notes[number]
        where = Location(path, raw.line)
        label = f"note '{note.id}'"
        note_type = note_types.get(note.note_type)
        if note_type is None:
            problems.append(
                Problem(
                    where,
                    f"{label}: unknown note_type '{note.note_type}'"
                    f"{did_you_mean(note.note_type, note_types)}",
                )
            )
            continue
        for name in note.requires:
            if name not in fact_fields:
                problems.append(
                    Problem(
                        where,
                        f"{label}: requires '{name}', which a {kind} does "
                        f"not have{did_you_mean(name, fact_fields)}",
                    )
                )
        for name in note.fields:
            if name not in note_type.field_names:
                problems.append(
                    Problem(
                        Location(path, raw["fields"].line_of(name)),
                        f"{label}: note type '{note_type.key}' has no field '{name}'"
                        f"{did_you_mean(name, note_type.field_names)}; "
                        f"its fields are {', '.join(note_type.field_names)}",
                    )
                )
        fields = {}
        for name, source in note.fields.items():
            try:
                fields[name] = _compile(env, source, Location(path, raw["fields"].line_of(name)))
            except FactdeckError as exc:
                problems.extend(exc.problems)
        when = None
        if note.when is not None:
            try:
                when = _compile(
                    env,
                    f"{{% if {note.when} %}}yes{{% endif %}}",
                    Location(path, raw.line_of("when")),
                )
            except FactdeckError as exc:
                problems.extend(exc.problems)
        notes.append(
            NoteTemplate(
                id=note.id,
                note_type=note.note_type,
                requires=note.requires,
                each=note.each,
                fields=fields,
                location=where,
                when=when,
            )
        )
    ids = [n.id for n in notes]
    problems.extend(
        Problem(Location(path), f"note id '{i}' is used twice; ids must be unique")
        for i in sorted({i for i in ids if ids.count(i) > 1})
    )
    if problems:
        raise FactdeckError(problems)
    return tuple(notes)


def _compile(env: jinja2.Environment, source: str, where: Location) -> FieldTemplate:
    try:
        return FieldTemplate(env.from_string(source), where)
    except jinja2.TemplateSyntaxError as exc:
        raise FactdeckError.at(where, f"template syntax error: {exc.message}") from None


def _referenced(found: Layers, name: str, referrer: Path) -> Path:
    """The file a note type names, relative to note-types/, looked up layer by layer."""
    relative = posixpath.normpath(posixpath.join(NOTE_TYPES_DIR, name))
    if relative.startswith("../") or posixpath.isabs(name):
        raise FactdeckError.at(Location(referrer), f"'{name}' is outside the templates folder")
    path = found.find(relative)
    if path is not None and not any(
        path.resolve().is_relative_to(folder.resolve()) for folder in found.folders
    ):
        raise FactdeckError.at(Location(referrer), f"'{name}' is outside the templates folder")
    if path is None:
        raise FactdeckError.at(
            Location(referrer),
            f"cannot read '{posixpath.basename(name)}': no {relative} in "
            f"{' or '.join(str(f) for f in found.folders)}",
        )
    return path


def _read(path: Path, referrer: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactdeckError.at(Location(referrer), f"cannot read '{path.name}': {exc}") from None


# --- the Jinja2 environment and its filters --------------------------------------------


def make_environment(root: Path | Layers) -> jinja2.Environment:
    """Autoescaping, strict, and able to `{% include %}` partials from the templates folders
    (the project's first).

    No Jinja globals (range, namespace, ...): card templates only format a fact's fields,
    and Jinja copies the globals into every render (a fifth of the expand stage).
    """
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(
            list((root if isinstance(root, Layers) else layers(root)).folders)
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters.update(
        cloze=cloze, clozes=clozes, and_list=and_list, with_aka=with_aka, first_upper=first_upper
    )
    return env


def cloze(value: str, number: int = 1, hint: str | None = None) -> Markup:
    """`{{ levels|cloze(2) }}` -> {{c2::L1–L3}}: a cloze without writing braces in Jinja."""
    tail = Markup("::") + escape(hint) if hint else Markup("")
    return Markup("{{c%d::") % number + escape(value) + tail + Markup("}}")


def clozes(items: Iterable[str], start: int = 1) -> Markup:
    """One cloze per item (one card per item), joined as a sentence: 'a, b and c'. An
    item's number is its place in the list as written, so a removed item (`~`) leaves its
    number unused and the items after it keep their cards."""
    listed = tuple(items)
    numbers = item_numbers(items if isinstance(items, Listed) else listed)
    return and_list(cloze(item, start - 1 + n) for n, item in zip(numbers, listed, strict=True))


def and_list(items: Iterable[str]) -> Markup:
    parts = [escape(item) for item in items]
    if len(parts) <= 1:
        return Markup("").join(parts)
    return Markup(", ").join(parts[:-1]) + Markup(" and ") + parts[-1]


def with_aka(name: str, aka: Iterable[str]) -> Markup:
    """'medial cluneal nerves (middle cluneal nerves)': both names where anatomy texts differ."""
    others = list(aka)
    if not others:
        return escape(name)
    return escape(name) + Markup(" (") + Markup(" / ").join(escape(a) for a in others) + Markup(")")


def first_upper(text: str) -> str:
    """Capitalise the first letter only (Jinja's `capitalize` would turn 'SIJ' into 'Sij')."""
    return text[:1].upper() + text[1:]
