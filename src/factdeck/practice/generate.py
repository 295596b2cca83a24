"""A deck's facts -> multiple-choice practice notes, and the facts that got none, with why.

Each kind template's practice questions (spec.py) are asked of every fact that has the
answer field; the wrong options are the same field's values on sibling facts (the same
question group), or the fact's own `distractors:`, or, for a case, its `look_alikes`.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from factdeck.anki import ids
from factdeck.errors import FactdeckError, Location, Problem
from factdeck.facts.model import PRACTICE_ONLY, PRACTICE_SUBDECK, Deck, Entry, Fact, NoteSpec
from factdeck.practice import options, spec
from factdeck.practice.options import Candidate
from factdeck.render.expand import fact_context, render_field, standard_applies
from factdeck.render.templates import FieldTemplate, NoteType, TemplateSet, and_list

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
    kinds = spec.load(templates.layers)
    if not deck.spec.practice:
        only = [e for e in deck.entries if e.fact.practice_only]
        if only:
            raise FactdeckError(
                [
                    Problem(
                        e.location,
                        f"fact '{e.fact.id}' sets practice: only, but deck.yaml does not "
                        "set practice: true: set it, or give the fact practice: false",
                    )
                    for e in only
                ]
            )
        return Practice((), ())
    note_type = templates.note_types.get(NOTE_TYPE)
    if note_type is None:
        raise FactdeckError.at(
            Location(templates.root),
            f"deck.yaml sets practice: true, but "
            f"there is no note type '{NOTE_TYPE}' "
            f"(templates/note-types/{NOTE_TYPE}.yaml)",
        )
    return _Generator(deck, kinds, note_type).run()


class _Generator:
    def __init__(
        self, deck: Deck, kinds: Mapping[str, spec.KindPractice], note_type: NoteType
    ) -> None:
        self.deck, self.kinds, self.note_type = deck, kinds, note_type
        self.by_id = {entry.fact.id: entry for entry in deck.entries}
        self.contexts: dict[str, dict[str, Any]] = {}
        self.pools: dict[str, list[_Asked]] = defaultdict(list)
        self.asked: list[_Asked] = []
        self.rings: dict[str, tuple[list[list[_Asked]], list[bytes]]] = {}
        self.cue_texts: dict[tuple[str, str], tuple[str, ...]] = {}
        self.explains: dict[tuple[str, str], str] = {}
        self.accepted: dict[tuple[str, str], tuple[str, ...]] = {}
        # every name a named fact of the deck goes by -> all its names: an answer that is one
        # of them accepts the others ('first nerves' when the answer is 'the alpha nerves')
        self.names: dict[str, set[str]] = defaultdict(set)
        self.named: dict[str, list[Entry]] = defaultdict(list)  # a name -> the facts it names
        for entry in deck.entries:
            names = _accepted(entry.fact, "name")
            for name in names:
                self.names[options.normal(name)].update(names)
                self.named[options.normal(name)].append(entry)
        for entry in deck.entries:
            kind = kinds.get(entry.fact.kind)
            for question in kind.questions if kind else ():
                if all(
                    _present(getattr(entry.fact, name)) for name in (question.answer, *question.cue)
                ):
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
        problems += _unmade(self.deck, notes, skipped)
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
            keys = [key for key in keys if key != PRACTICE_ONLY]
            for key in keys:
                if key not in known:
                    problems.append(
                        Problem(
                            entry.location,
                            f"fact '{fact.id}': no practice "
                            f"question '{key}' for a {fact.kind}; its questions "
                            f"are: {', '.join(known) or 'none'}",
                        )
                    )
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
            unnamed: list[str] = []
            kinds: set[str] = set()
            if question.look_alikes:
                named, unnamed = self._look_alikes(asked)
                kinds = self._kinds_named(accepted)
                unnamed += [c.text for c in named if kinds and c.kind not in kinds]
                alike = options.distinct(c for c in named if not kinds or c.kind in kinds)
                valid = [c for c in alike if not options.conflict(accepted, c)]
                found, right = len(alike), len(alike) - len(valid)
                valid.sort(key=lambda c: options.rank(guid, c.text))
            else:
                valid, found, right = self._siblings(asked, accepted, guid)
            if len(valid) < options.CHOICES - 1:
                asked_by = question.cue if question.answer == "name" else (question.answer,)
                source = (
                    "look-alikes"
                    if question.look_alikes
                    else f"other facts with {' and '.join(asked_by)}"
                )
                return self._skip(
                    asked,
                    f"{len(valid)} wrong option"
                    f"{'' if len(valid) == 1 else 's'} from {source} "
                    f"({found} distinct, {right} also right); need "
                    f"{options.CHOICES - 1}: add facts, or give this fact "
                    f"`distractors: {{{question.id}: [...]}}`"
                    + (
                        f" (look-alikes left out, without a name or not a "
                        f"{' or '.join(sorted(kinds)) or 'named fact'} like the "
                        f"answer: {', '.join(unnamed)})"
                        if unnamed
                        else ""
                    ),
                )
            chosen = options.choose(guid, answer, valid, ordered=True)
            if chosen is None:
                return self._skip(
                    asked,
                    "no three wrong options of a length comparable to the "
                    f"answer ({len(answer)} characters)",
                )
            wrong = chosen
        context = {
            **self._context(fact),
            "options": options.arrange(guid, answer, wrong, _letter(fact, question.id)),
        }
        if not standard_applies(fact, question.id):
            context["standard"] = None
        fields = tuple(
            self._render(question.question, asked.entry, f"question '{question.id}'", context)
            if name == QUESTION_FIELD
            else self._render(
                self.note_type.defaults[name], asked.entry, f"question '{question.id}'", context
            )
            if name in self.note_type.defaults
            else ""
            for name in self.note_type.field_names
        )
        return NoteSpec(
            guid=guid,
            note_type=self.note_type.key,
            fields=fields,
            tags=(*fact.tags, PRACTICE_TAG) if PRACTICE_TAG not in fact.tags else fact.tags,
            subdeck=PRACTICE_SUBDECK,
            fact_id=fact.id,
            card_id=question.card_id,
            location=asked.entry.location,
        )

    def _own(
        self,
        asked: _Asked,
        answer: str,
        accepted: tuple[str, ...],
        given: tuple[str, ...] | Mapping[str, str],
    ) -> tuple[Candidate, ...]:
        """The fact's own `distractors:` for this question: checked, never silently dropped.
        Each is explained by what the fact says it belongs to, else by the deck's fact of
        that name."""
        fact, qid = asked.entry.fact, asked.question.id
        label = f"fact '{fact.id}': distractors for '{qid}'"
        said = given if isinstance(given, Mapping) else {}
        wrong = options.distinct(
            Candidate(text, (), said.get(text) or self._summary_of(text)) for text in given
        )
        problems = [
            f"{label}: {why}; remove it" for c in wrong if (why := options.conflict(accepted, c))
        ]
        problems += [
            f"{label}: '{c.text}' points at the other options; give a wrong answer of its own"
            for c in wrong
            if options.ABOVE.search(c.text)
        ]
        if len(wrong) != len(given):
            problems.append(f"{label}: the same option is given twice")
        if len(wrong) < options.CHOICES - 1:
            problems.append(f"{label}: {len(wrong)} given, {options.CHOICES - 1} needed")
        if problems:
            raise FactdeckError(Problem(asked.entry.location, p) for p in problems)
        chosen = options.choose("", answer, wrong, ordered=True)
        if chosen is None:
            raise FactdeckError.at(
                asked.entry.location,
                f"{label}: one option is much longer "
                "than the others (a give-away); give options of comparable "
                f"length (the answer has {len(answer)} characters)",
            )
        return chosen

    def _synonyms(self, accepted: tuple[str, ...]) -> tuple[str, ...]:
        more = sorted(
            {
                n
                for text in accepted
                for variant in options.variants(text)
                for n in self.names.get(options.normal(variant), ())
            }
            - set(accepted)
        )
        return (*accepted, *more)

    def _summary_of(self, text: str) -> str:
        """What a fact of the deck named `text` is (its kind's summary), or ''."""
        for entry in (
            e
            for variant in options.variants(text)
            for e in self.named.get(options.normal(variant), ())
        ):
            kind = self.kinds.get(entry.fact.kind)
            if kind and kind.summary:
                return self._render(kind.summary, entry, "summary", self._context(entry.fact))
        return ""

    def _kinds_named(self, texts: tuple[str, ...]) -> set[str]:
        """The kinds of the deck's facts that these texts name ('nerve' for 'the superior
        cluneal nerves'): a case's wrong options must be things of the same kind."""
        return {
            entry.fact.kind
            for text in texts
            for variant in options.variants(text)
            for entry in self.named.get(options.normal(variant), ())
        }

    def _siblings(
        self, asked: _Asked, accepted: tuple[str, ...], guid: str
    ) -> tuple[list[Candidate], int, int]:
        """Up to options.SEARCH valid wrong options from the question's group, and (after a
        full scan) how many distinct values there were and how many were also right.

        The group's distinct values sit on a ring ordered by a hash of their text; each
        question starts at its GUID's hash and walks on. So a question looks at a few values,
        not the whole group, and a new value only changes the questions it lands next to."""
        fact, question = asked.entry.fact, asked.question
        values, ranks = self._ring(question.group)
        start = bisect.bisect_left(ranks, hashlib.sha256(guid.encode()).digest())
        cues = {options.normal(t) for name in question.cue for t in _accepted(fact, name)}
        same = {name: _normal_value(getattr(fact, name)) for name in question.same}
        valid: list[Candidate] = []
        found = right = 0
        for step in range(len(values)):
            owners = [o for o in values[(start + step) % len(values)] if o.entry.fact.id != fact.id]
            if not owners or any(
                self._same_subject(o.entry.fact, question.cue, cues) for o in owners
            ):
                continue  # its own value, or held by the same subject: it may be right
            eligible = [
                o
                for o in owners
                if all(
                    options.normal((self._accepted(o.entry.fact, name) or ("",))[0]) == value
                    for name, value in same.items()
                )
            ]
            if not eligible:
                continue
            found += 1
            first = eligible[0]
            synonyms = sorted(
                {t for o in owners for t in self._accepted(o.entry.fact, o.question.answer)[1:]}
            )
            candidate = Candidate(
                self._accepted(first.entry.fact, first.question.answer)[0], tuple(synonyms)
            )
            if options.conflict(accepted, candidate):
                right += 1
                continue
            valid.append(
                Candidate(
                    candidate.text,
                    candidate.synonyms,
                    "; ".join(sorted({self._explain(o) for o in eligible})),
                )
            )
            if len(valid) == options.SEARCH:
                break
        return valid, found, right

    def _accepted(self, fact: Fact, field: str) -> tuple[str, ...]:
        """`_accepted`, computed once per fact and field."""
        key = (fact.id, field)
        if key not in self.accepted:
            self.accepted[key] = _accepted(fact, field)
        return self.accepted[key]

    def _explain(self, owner: _Asked) -> str:
        """What a wrong option held by `owner` really is (rendered once per fact and question)."""
        key = (owner.entry.fact.id, owner.question.id)
        if key not in self.explains:
            fact = owner.entry.fact
            template = owner.question.explain or self.kinds[fact.kind].label
            self.explains[key] = self._render(
                template, owner.entry, f"question '{owner.question.id}'", self._context(fact)
            )
        return self.explains[key]

    def _ring(self, group: str) -> tuple[list[list[_Asked]], list[bytes]]:
        """The group's distinct values (each with the facts that hold it), in hash order."""
        if group not in self.rings:
            held: dict[str, list[_Asked]] = defaultdict(list)
            for asked in self.pools[group]:
                key = options.normal(self._accepted(asked.entry.fact, asked.question.answer)[0])
                held[key].append(asked)
            ordered = sorted(held, key=lambda key: options.rank(group, key))
            self.rings[group] = (
                [held[key] for key in ordered],
                [options.rank(group, key) for key in ordered],
            )
        return self.rings[group]

    def _same_subject(self, other: Fact, cue: tuple[str, ...], mine: set[str]) -> bool:
        """Does `other` name the same subject as the asked fact (or a whole it belongs to)?"""
        for name in cue:
            key = (other.id, name)
            if key not in self.cue_texts:
                self.cue_texts[key] = tuple(options.normal(t) for t in self._accepted(other, name))
            if any(options.overlaps_normal(a, b) for a in mine for b in self.cue_texts[key]):
                return True
        return False

    def _look_alikes(self, asked: _Asked) -> tuple[list[Candidate], list[str]]:
        """A case's look-alikes as wrong options (their names), and the ids of those that
        have no name to show (a statement or question is a look-alike for recall only)."""
        fact, field = asked.entry.fact, asked.question.look_alikes
        out, unnamed = [], []
        for fact_id in getattr(fact, field or "") or ():
            entry = self.by_id.get(fact_id)
            if entry is None:
                raise FactdeckError.at(
                    asked.entry.location,
                    f"fact '{fact.id}': {field} "
                    f"names '{fact_id}', which is not a fact of this deck",
                )
            name = getattr(entry.fact, "name", None)
            if name is None:
                unnamed.append(fact_id)
                continue
            kind = self.kinds.get(entry.fact.kind)
            summary = kind.summary if kind else None
            explain = (
                self._render(summary, entry, "summary", self._context(entry.fact))
                if summary
                else ""
            )
            out.append(Candidate(name, _accepted(entry.fact, "name")[1:], explain, entry.fact.kind))
        return out, unnamed

    def _context(self, fact: Fact) -> dict[str, Any]:
        if fact.id not in self.contexts:
            self.contexts[fact.id] = fact_context(fact, self.deck.spec)
        return self.contexts[fact.id]

    def _render(
        self, field: FieldTemplate, entry: Entry, what: str, context: Mapping[str, Any]
    ) -> str:
        return render_field(field, context, entry, f"practice {what}")

    def _skip(self, asked: _Asked, reason: str) -> Skip:
        return Skip(asked.entry.fact.id, asked.question.id, asked.entry.location, reason)


def _unmade(deck: Deck, notes: list[NoteSpec], skipped: list[Skip]) -> list[Problem]:
    """A `practice: only` fact none of whose questions was made would have no card at all."""
    made = {note.fact_id for note in notes}
    why: dict[str, list[str]] = defaultdict(list)
    for skip in skipped:
        why[skip.fact_id].append(f"{skip.question}: {skip.reason}")
    return [
        Problem(
            entry.location,
            f"fact '{entry.fact.id}' sets practice: only, but no multiple-choice question "
            f"of it was made ({'; '.join(why[entry.fact.id]) or 'its kind asks none'}); "
            "fix that, or give the fact its recall cards back (remove practice: only)",
        )
        for entry in deck.entries
        if entry.fact.practice_only and entry.fact.id not in made
    ]


def _wanted(fact: Fact, question_id: str) -> bool:
    if isinstance(fact.practice, bool):
        return fact.practice
    if isinstance(fact.practice, str):  # practice: only
        return True
    return fact.practice.get(question_id, True) is not False


def _letter(fact: Fact, question_id: str) -> str | None:
    """The key's place the fact sets for this question (`practice: {levels: C}`), if any."""
    chosen = fact.practice.get(question_id) if isinstance(fact.practice, dict) else None
    return chosen if isinstance(chosen, str) else None


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
