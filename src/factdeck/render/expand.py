"""Facts x templates -> fully rendered notes (NoteSpecs). Pure: reads no files itself.

Kinds that need more than their own fields (a diagram needs its masks measured)
get it from a context provider passed in by the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import escape

from factdeck.anki import ids
from factdeck.errors import FactdeckError, Problem, did_you_mean
from factdeck.facts.model import Deck, DeckSpec, Entry, Fact, Listed, Media, NoteSpec, SourceRef
from factdeck.render.html import safe_html
from factdeck.render.templates import FieldTemplate, NoteTemplate, NoteType, TemplateSet


@dataclass(frozen=True, slots=True)
class Extension:
    """What a context provider adds for one fact: template variables and media files."""

    context: Mapping[str, Any]
    media: tuple[Media, ...] = ()


Provider = Callable[[Entry, Deck], Extension]


@dataclass(frozen=True, slots=True)
class SourceView:
    """The source as templates see it: `{{ source.section }}`, `{{ source.refs }}`."""

    title: str
    section: str
    refs: tuple[str, ...]
    references: tuple[str, ...]
    author: str | None
    url: str | None


def expand(
    deck: Deck, templates: TemplateSet, providers: Mapping[str, Provider] | None = None
) -> tuple[NoteSpec, ...]:
    problems: list[Problem] = []
    notes: list[NoteSpec] = []
    for entry in deck.entries:
        try:
            notes.extend(_notes_for(entry, deck, templates, providers or {}))
        except FactdeckError as exc:
            problems.extend(exc.problems)
    if problems:
        raise FactdeckError(problems)
    return tuple(notes)


def _notes_for(
    entry: Entry, deck: Deck, templates: TemplateSet, providers: Mapping[str, Provider]
) -> list[NoteSpec]:
    fact = entry.fact
    if fact.practice_only:  # its notes are multiple choice (practice/generate.py)
        return []
    label = f"fact '{fact.id}'"
    note_templates = templates.kinds.get(fact.kind)
    if note_templates is None:
        raise FactdeckError.at(
            entry.location,
            f"{label}: no templates for kind '{fact.kind}'; "
            f"add templates/kinds/{fact.kind}.yaml (`factdeck templates eject` copies a built-in one)",
        )
    context = fact_context(fact, deck.spec)
    media: tuple[Media, ...] = ()
    if fact.kind in providers:
        extension = providers[fact.kind](entry, deck)
        context.update(extension.context)
        media = extension.media
    notes = []
    # defaults depend on the fact (and whether its standard line applies) only: render once
    shared: dict[bool, dict[tuple[str, str], str]] = {True: {}, False: {}}
    for template in note_templates:
        if not all(_present(getattr(fact, name)) for name in template.requires):
            continue
        if template.when and not render_field(
            template.when, context, entry, _where(template, "when")
        ):
            continue
        note_type = templates.note_types[template.note_type]
        standard = standard_applies(fact, template.id)
        note_context = context if standard else {**context, "standard": None}
        for card_id, item_context in _instances(template, note_context, entry):
            fields = (
                _render_fields(template, note_type, {**note_context, **item_context}, entry, {})
                if item_context
                else _render_fields(template, note_type, note_context, entry, shared[standard])
            )
            if template.id in fact.questions:
                fields = _reworded(fields, note_type, template, entry)
            _check_question(fields, note_type, template, entry)
            notes.append(
                NoteSpec(
                    guid=ids.guid_for(deck.spec.slug, fact.id, card_id),
                    note_type=note_type.key,
                    fields=fields,
                    tags=fact.tags,
                    subdeck=fact.subdeck,
                    fact_id=fact.id,
                    card_id=card_id,
                    location=entry.location,
                    media=media,
                )
            )
    made = {n.card_id.split("/")[0] for n in notes}
    _check_rewordings(entry, note_templates, made)
    _check_standard_notes(entry, note_templates, made)
    if not notes:
        optional = sorted({r for t in note_templates for r in t.requires})
        raise FactdeckError.at(
            entry.location,
            f"{label}: yields no cards; fill in at least one of: {', '.join(optional)}",
        )
    return notes


def _instances(
    template: NoteTemplate, context: Mapping[str, Any], entry: Entry
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One note, or (with `each:`) one note per item, each item keyed for a stable GUID."""
    if template.each is None:
        yield template.id, {}
        return
    items = context.get(template.each)
    if items is None:
        raise FactdeckError.at(
            entry.location,
            f"fact '{entry.fact.id}': template note "
            f"'{template.id}' iterates over '{template.each}', which this "
            f"{entry.fact.kind} does not provide ({template.location})",
        )
    for item in items:
        yield f"{template.id}/{item.key}", {"item": item}


def fact_context(fact: Fact, spec: DeckSpec) -> dict[str, Any]:
    """The fact's fields as template variables; `html`-enabled ones are sanitised Markup."""
    context: dict[str, Any] = {}
    for name in type(fact).model_fields:
        value = getattr(fact, name)
        if name in fact.html:
            value = (
                Listed((safe_html(v) for v in value), value.numbers)
                if isinstance(value, Listed)
                else tuple(safe_html(v) for v in value)
                if isinstance(value, tuple)
                else safe_html(value)
                if isinstance(value, str)
                else value
            )
        context[name] = value
    context["source"] = source_view(fact.source, spec)
    context["deck"] = spec
    return context


def source_view(ref: SourceRef, spec: DeckSpec) -> SourceView:
    source = spec.source
    return SourceView(
        title=source.title,
        section=source.sections[ref.section],
        refs=tuple(source.references[r].short for r in ref.refs),
        references=tuple(source.references[r].full for r in ref.refs),
        author=source.author,
        url=source.url,
    )


def _render_fields(
    template: NoteTemplate,
    note_type: NoteType,
    context: Mapping[str, Any],
    entry: Entry,
    shared: dict[tuple[str, str], str],
) -> tuple[str, ...]:
    values = []
    for name in note_type.field_names:
        field = template.fields.get(name)
        if field is not None:
            values.append(render_field(field, context, entry, _where(template, name)))
            continue
        default = note_type.defaults.get(name)
        key = (note_type.key, name)
        if default is not None and key not in shared:
            shared[key] = render_field(default, context, entry, _where(template, name))
        values.append(shared.get(key, ""))
    return tuple(values)


def _where(template: NoteTemplate, name: str) -> str:
    return f"note '{template.id}', field '{name}'"


def render_field(field: FieldTemplate, context: Mapping[str, Any], entry: Entry, where: str) -> str:
    """One template field for one fact; a failure names the fact, `where` in the templates
    (e.g. "note 'qa', field 'Back'") and the template's file and line."""
    try:
        return field.template.render(context).strip()
    except jinja2.UndefinedError as exc:
        reason = f"{exc.message}; the template names something a {entry.fact.kind} does not have"
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        reason = f"template failed: {exc}"
    raise FactdeckError.at(
        entry.location, f"fact '{entry.fact.id}': {reason} ({where}, {field.location})"
    )


def _check_question(
    fields: tuple[str, ...], note_type: NoteType, template: NoteTemplate, entry: Entry
) -> None:
    """Refuse a note whose question side would be empty in Anki (no card, or a blank one)."""
    if not note_type.card_ords(fields):
        need = (
            "at least one {{c1::...}} cloze"
            if note_type.cloze
            else f"text in {' or '.join(note_type.question_fields)}"
        )
        raise FactdeckError.at(
            entry.location,
            f"fact '{entry.fact.id}': note '{template.id}' "
            f"renders with an empty question; it needs {need} "
            f"({template.location})",
        )


def _reworded(
    fields: tuple[str, ...], note_type: NoteType, template: NoteTemplate, entry: Entry
) -> tuple[str, ...]:
    """The note with its question field replaced by the fact's own wording (`questions:`)."""
    asked = note_type.asked[0] if len(note_type.asked) == 1 else ()
    if template.each is not None or len(asked) != 1:
        raise FactdeckError.at(
            entry.location,
            f"fact '{entry.fact.id}': 'questions' cannot "
            f"reword note '{template.id}': its question is not one text "
            f"field ({template.location})",
        )
    text = str(escape(entry.fact.questions[template.id]))
    return tuple(text if i == asked[0] else value for i, value in enumerate(fields))


def _check_rewordings(
    entry: Entry, note_templates: tuple[NoteTemplate, ...], made: set[str]
) -> None:
    """A `questions:` key must name a note this fact makes, or the wording is silently lost."""
    fact = entry.fact
    known = {t.id: t for t in note_templates}
    problems = []
    for note_id in fact.questions:
        template = known.get(note_id)
        if template is None:
            problems.append(
                f"'questions' names note '{note_id}', which a {fact.kind} does not "
                f"make{did_you_mean(note_id, known)}; its notes: {', '.join(known)}"
            )
        elif note_id not in made:
            problems.append(
                f"'questions' rewords note '{note_id}', which this fact does not "
                f"make: fill in {', '.join(template.requires)}"
            )
    if problems:
        raise FactdeckError([Problem(entry.location, f"fact '{fact.id}': {p}") for p in problems])


def standard_applies(fact: Fact, note_id: str) -> bool:
    """Whether the fact's standard-anatomy line goes on this note (`standard.notes`)."""
    return fact.standard is not None and (not fact.standard.notes or note_id in fact.standard.notes)


def _check_standard_notes(
    entry: Entry, note_templates: tuple[NoteTemplate, ...], made: set[str]
) -> None:
    """A `standard.notes` id must name a note this fact makes, or the line is silently lost."""
    fact = entry.fact
    if fact.standard is None:
        return
    known = {t.id for t in note_templates}
    problems = [
        f"'standard.notes' names note '{note_id}', which this fact does not make"
        f"{did_you_mean(note_id, known)}; its notes: {', '.join(sorted(made))}"
        for note_id in fact.standard.notes
        if note_id not in made
    ]
    if problems:
        raise FactdeckError([Problem(entry.location, f"fact '{fact.id}': {p}") for p in problems])


def _present(value: object) -> bool:
    return value is not None and value != () and value != ""


def describe(deck: Deck, templates: TemplateSet) -> str:
    """The deck description Anki shows in the deck overview (HTML)."""
    spec = deck.spec
    if templates.deck_description is None:
        return str(escape(spec.description))
    try:
        return templates.deck_description.template.render(deck=spec, facts=len(deck.entries))
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        raise FactdeckError.at(
            templates.deck_description.location, f"deck description template failed: {exc}"
        ) from None
