"""A deck's facts -> multiple-choice practice notes, and the facts that got none, with why.

Each kind template's practice questions (spec.py) are asked of every fact that has the
answer field; the wrong options are the same field's values on sibling facts (the same
question group), or the fact's own `distractors:`, or, for a case, its `look_alikes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from .. import ids
from ..errors import FactdeckError, Location, Problem
from ..expand import fact_context
from ..model import PRACTICE_SUBDECK, Deck, Entry, Fact, NoteSpec
from ..templates import FieldTemplate, NoteType, TemplateSet, and_list
from . import options, spec
from .options import Candidate

NOTE_TYPE = "mcq"  # templates/note-types/mcq.yaml
PRACTICE_TAG = "exam::practice"
QUESTION_FIELD = "Question"


@dataclass(frozen=True, slots=True)
class Skip:
    """A practice question a fact could have had, and why it was not made."""

    fact_id: str
    question: str
    location: Location
    reason: str


@dataclass(frozen=True, slots=True)
class Practice:
    notes: tuple[NoteSpec, ...]
    skipped: tuple[Skip, ...]


@dataclass(frozen=True, slots=True)
class _Asked:
    """One (fact, question) pair the deck could ask."""

    entry: Entry
    question: spec.QuestionSpec


def generate(deck: Deck, templates: TemplateSet) -> Practice:
    """Practice notes for a deck with `practice: true` (the sections are checked either way)."""
    kinds = spec.load(templates.root)
    if not deck.spec.practice:
        return Practice((), ())
    note_type = templates.note_types.get(NOTE_TYPE)
    if note_type is None:
        raise FactdeckError.at(Location(templates.root), f"deck.yaml sets practice: true, but "
                               f"there is no note type '{NOTE_TYPE}' "
                               f"({templates.root.name}/note-types/{NOTE_TYPE}.yaml)")
    return _Generator(deck, kinds, note_type).run()


class _Generator:
    def __init__(self, deck: Deck, kinds: Mapping[str, spec.KindPractice],
                 note_type: NoteType) -> None:
        self.deck, self.kinds, self.note_type = deck, kinds, note_type
        self.by_id = {entry.fact.id: entry for entry in deck.entries}
        self.contexts: dict[str, dict[str, Any]] = {}
        self.pools: dict[str, list[_Asked]] = defaultdict(list)
        self.asked: list[_Asked] = []
        # every name a named fact of the deck goes by -> all its names: an answer that is one
        # of them accepts the others ('first nerves' when the answer is 'the alpha nerves')
        self.names: dict[str, set[str]] = defaultdict(set)
        for entry in deck.entries:
            names = _accepted(entry.fact, "name")
            for name in names:
                self.names[options.normal(name)].update(names)
        for entry in deck.entries:
            kind = kinds.get(entry.fact.kind)
            for question in kind.questions if kind else ():
                if all(_present(getattr(entry.fact, name))
                       for name in (question.answer, *question.cue)):
                    asked = _Asked(entry, question)
                    self.asked.append(asked)
                    self.pools[question.group].append(asked)

    def run(self) -> Practice:
        problems: list[Problem] = [*self._unknown_keys()]
        notes: list[NoteSpec] = []
        skipped: list[Skip] = []
        for asked in self.asked:
            try:
                made = self._note(asked)
            except FactdeckError as exc:
                problems.extend(exc.problems)
                continue
            if isinstance(made, Skip):
                skipped.append(made)
            else:
                notes.append(made)
        if problems:
            raise FactdeckError(problems)
        return Practice(tuple(notes), tuple(skipped))

    def _unknown_keys(self) -> list[Problem]:
        problems = []
        for entry in self.deck.entries:
            fact = entry.fact
            kind = self.kinds.get(fact.kind)
            known = [q.id for q in kind.questions] if kind else []
            keys = [*fact.distractors, *(fact.practice if isinstance(fact.practice, dict) else ())]
            for key in keys:
                if key not in known:
                    problems.append(Problem(entry.location, f"fact '{fact.id}': no practice "
                                            f"question '{key}' for a {fact.kind}; its questions "
                                            f"are: {', '.join(known) or 'none'}"))
        return problems

    def _note(self, asked: _Asked) -> NoteSpec | Skip:
        fact, question = asked.entry.fact, asked.question
        guid = ids.guid_for(self.deck.spec.slug, fact.id, question.card_id)
        if not _wanted(fact, question.id):
            return self._skip(asked, "opted out (practice: false)")
        answer = _text(getattr(fact, question.answer))
        accepted = self._synonyms(_accepted(fact, question.answer))
        own = fact.distractors.get(question.id)
        if own is not None:
            wrong = self._own(asked, answer, accepted, own)
        else:
            candidates = (self._look_alikes(asked) if question.look_alikes
                          else self._siblings(asked))
            found = options.distinct(candidates)
            valid = [c for c in found if not options.conflict(accepted, c)]
            if len(valid) < options.CHOICES - 1:
                asked_by = question.cue if question.answer == "name" else (question.answer,)
                source = ("look-alikes" if question.look_alikes else
                          f"other facts with {' and '.join(asked_by)}")
                right = len(found) - len(valid)
                return self._skip(asked, f"{len(valid)} wrong option"
                                  f"{'' if len(valid) == 1 else 's'} from {source} "
                                  f"({len(found)} distinct, {right} also right); need "
                                  f"{options.CHOICES - 1}: add facts, or give this fact "
                                  f"`distractors: {{{question.id}: [...]}}`")
            wrong = options.choose(guid, answer, valid)
            if wrong is None:
                return self._skip(asked, "no three wrong options of a length comparable to the "
                                  f"answer ({len(answer)} characters)")
        context = {**self._context(fact), "options": options.arrange(guid, answer, wrong)}
        fields = tuple(
            self._render(question.question, asked, context) if name == QUESTION_FIELD
            else self._render(self.note_type.defaults[name], asked, context)
            if name in self.note_type.defaults else ""
            for name in self.note_type.field_names)
        return NoteSpec(guid=guid, note_type=self.note_type.key, fields=fields,
                        tags=(*fact.tags, PRACTICE_TAG) if PRACTICE_TAG not in fact.tags
                        else fact.tags,
                        subdeck=PRACTICE_SUBDECK, fact_id=fact.id, card_id=question.card_id,
                        location=asked.entry.location)

    def _own(self, asked: _Asked, answer: str, accepted: tuple[str, ...],
             given: tuple[str, ...]) -> tuple[Candidate, ...]:
        """The fact's own `distractors:` for this question: checked, never silently dropped."""
        fact, qid = asked.entry.fact, asked.question.id
        label = f"fact '{fact.id}': distractors for '{qid}'"
        wrong = options.distinct(Candidate(text) for text in given)
        problems = [f"{label}: {why}; remove it" for c in wrong
                    if (why := options.conflict(accepted, c))]
        if len(wrong) != len(given):
            problems.append(f"{label}: the same option is given twice")
        if len(wrong) < options.CHOICES - 1:
            problems.append(f"{label}: {len(wrong)} given, {options.CHOICES - 1} needed")
        if problems:
            raise FactdeckError(Problem(asked.entry.location, p) for p in problems)
        chosen = options.choose("", answer, wrong, ordered=True)
        if chosen is None:
            raise FactdeckError.at(asked.entry.location, f"{label}: one option is much longer "
                                   "than the others (a give-away); give options of comparable "
                                   f"length (the answer has {len(answer)} characters)")
        return chosen

    def _synonyms(self, accepted: tuple[str, ...]) -> tuple[str, ...]:
        more = sorted({n for text in accepted for n in self.names.get(options.normal(text), ())}
                      - set(accepted))
        return (*accepted, *more)

    def _siblings(self, asked: _Asked) -> list[Candidate]:
        fact, question = asked.entry.fact, asked.question
        cues = [text for name in question.cue for text in _accepted(fact, name)]
        out = []
        for other in self.pools[question.group]:
            sibling = other.entry.fact
            if sibling.id == fact.id or not all(
                    _present(getattr(sibling, name, None)) for name in question.cue) or any(
                    _normal_value(getattr(sibling, name, None))
                    != _normal_value(getattr(fact, name)) for name in question.same):
                continue
            if any(options.overlaps(mine, theirs) for name in question.cue
                   for theirs in _accepted(sibling, name) for mine in cues):
                continue  # the same subject (or a whole it belongs to): its answer may be right
            explain = self._render(other.question.explain or self.kinds[sibling.kind].label,
                                   other, self._context(sibling))
            out.append(Candidate(_text(getattr(sibling, other.question.answer)),
                                 _accepted(sibling, other.question.answer)[1:], explain))
        return out

    def _look_alikes(self, asked: _Asked) -> list[Candidate]:
        fact, field = asked.entry.fact, asked.question.look_alikes
        out = []
        for fact_id in getattr(fact, field or "") or ():
            entry = self.by_id.get(fact_id)
            name = getattr(entry.fact, "name", None) if entry else None
            if entry is None or name is None:
                what = "not a fact of this deck" if entry is None else "a fact without a name"
                raise FactdeckError.at(asked.entry.location, f"fact '{fact.id}': {field} "
                                       f"names '{fact_id}', which is {what}")
            kind = self.kinds.get(entry.fact.kind)
            summary = kind.summary if kind else None
            explain = (self._render(summary, asked, self._context(entry.fact))
                       if summary else "")
            out.append(Candidate(name, _accepted(entry.fact, "name")[1:], explain))
        return out

    def _context(self, fact: Fact) -> dict[str, Any]:
        if fact.id not in self.contexts:
            self.contexts[fact.id] = fact_context(fact, self.deck.spec)
        return self.contexts[fact.id]

    def _render(self, field: FieldTemplate, asked: _Asked, context: Mapping[str, Any]) -> str:
        try:
            return field.template.render(context).strip()
        except jinja2.UndefinedError as exc:
            reason = f"{exc.message}; the template names something this fact does not have"
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            reason = f"template failed: {exc}"
        raise FactdeckError.at(asked.entry.location, f"fact '{asked.entry.fact.id}': practice "
                               f"question '{asked.question.id}': {reason} ({field.location})")

    def _skip(self, asked: _Asked, reason: str) -> Skip:
        return Skip(asked.entry.fact.id, asked.question.id, asked.entry.location, reason)


def _wanted(fact: Fact, question_id: str) -> bool:
    if isinstance(fact.practice, bool):
        return fact.practice
    return fact.practice.get(question_id, True)


def _present(value: object) -> bool:
    return value is not None and value != () and value != ""


def _text(value: object) -> str:
    """A field's value as one option: a list reads as 'a, b and c'."""
    if isinstance(value, tuple):
        return str(and_list(value).unescape())
    return str(value)


def _normal_value(value: object) -> str:
    return options.normal(_text(value)) if _present(value) else ""


def _accepted(fact: Fact, field: str) -> tuple[str, ...]:
    """The field's value first, then what else counts as the same answer: each item of a
    list, the fact's other names (when the field is its name) and its `also_accept`."""
    value = getattr(fact, field, None)
    if not _present(value):
        return ()
    items = value if isinstance(value, tuple) else ()
    others = tuple(getattr(fact, "aka", ())) if field == "name" else ()
    return (_text(value), *items, *others, *tuple(getattr(fact, "also_accept", ()) or ()))
