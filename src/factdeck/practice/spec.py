"""The `practice:` section of a kind template: which fields of a kind are asked as multiple choice.

```yaml
practice:
  label: "{{ name|with_aka(aka) }}"   # names the fact a wrong option belongs to
  questions:
    - id: levels                        # GUID part (practice/levels): never rename it
      answer: levels                    # the field whose value is the right option
      question: "Which spinal levels give rise to the {{ name|with_aka(aka) }}?"
```
Read apart from templates.py (which only lets the section through) so the feature stays in
one package; compiled once, with the same Jinja environment as the cards.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2
from pydantic import ValidationError

from factdeck.errors import FactdeckError, Location, Problem, collect, did_you_mean
from factdeck.facts.load import LineMap, read_yaml
from factdeck.facts.model import KINDS, Slug, Strict
from factdeck.facts.validate import pydantic_problems
from factdeck.render.layers import Layers
from factdeck.render.templates import KINDS_DIR, FieldTemplate, make_environment

DEFAULT_LABEL = "{{ name|with_aka(aka) }}"


class QuestionSchema(Strict):
    id: Slug
    answer: str
    question: str
    # fields naming what is asked about: a sibling sharing one is no distractor (its answer
    # may be right too). Default: `name` where the kind has one.
    cue: tuple[str, ...] | None = None
    # the pool of wrong options: every fact whose kind declares a question of this group
    group: str | None = None
    # siblings must have the same value in these fields (e.g. [group]: only cluneal nerves)
    same: tuple[str, ...] = ()
    # a field listing fact ids: the wrong options are those facts' names (case look-alikes)
    look_alikes: str | None = None
    # on the back, what a wrong option really is, rendered on its own fact; default `label`
    explain: str | None = None


class PracticeSchema(Strict):
    label: str = DEFAULT_LABEL
    summary: str | None = None  # one line a case's wrong option is explained by
    questions: tuple[QuestionSchema, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    kind: str
    id: str
    answer: str
    question: FieldTemplate
    cue: tuple[str, ...]
    group: str
    same: tuple[str, ...]
    look_alikes: str | None
    explain: FieldTemplate | None
    location: Location

    @property
    def card_id(self) -> str:
        return f"practice/{self.id}"


@dataclass(frozen=True, slots=True)
class KindPractice:
    label: FieldTemplate
    summary: FieldTemplate | None
    questions: tuple[QuestionSpec, ...]


def load(folders: Layers) -> dict[str, KindPractice]:
    """Every kind's practice section (kinds/, the project's files first), all problems
    reported at once."""
    env = make_environment(folders)
    problems: list[Problem] = []
    kinds: dict[str, KindPractice] = {}
    for name in folders.names(KINDS_DIR, ".yaml"):
        path = folders.find(f"{KINDS_DIR}/{name}.yaml")
        if path is None or path.stem not in KINDS:
            continue  # templates.py reports it
        found = collect(problems, functools.partial(_kind, env, path))
        if found is not None:
            kinds[path.stem] = found
    if problems:
        raise FactdeckError(problems)
    return kinds


def _kind(env: jinja2.Environment, path: Path) -> KindPractice | None:
    data = read_yaml(path)
    if not isinstance(data, LineMap) or not isinstance(data.get("practice"), LineMap):
        return None
    raw = data["practice"]
    try:
        spec = PracticeSchema.model_validate(dict(raw))
    except ValidationError as exc:
        raise FactdeckError(
            pydantic_problems(exc, PracticeSchema, raw, path, "practice section")
        ) from None
    kind = path.stem
    fields = KINDS[kind].model_fields
    problems: list[Problem] = []

    def compiled(source: str, line: int) -> FieldTemplate:
        where = Location(path, line)
        try:
            return FieldTemplate(env.from_string(source), where)
        except Exception as exc:  # jinja2.TemplateSyntaxError
            raise FactdeckError.at(where, f"template syntax error: {exc}") from None

    questions = []
    for number, question in enumerate(spec.questions):
        item = raw["questions"][number]
        where = Location(path, item.line)
        label = f"practice question '{question.id}'"
        names = (
            question.answer,
            *(question.cue or ()),
            *question.same,
            *((question.look_alikes,) if question.look_alikes else ()),
        )
        for name in names:
            if name not in fields:
                problems.append(
                    Problem(
                        where,
                        f"{label}: a {kind} has no field '{name}'{did_you_mean(name, fields)}",
                    )
                )
        question_template = collect(
            problems, functools.partial(compiled, question.question, item.line_of("question"))
        )
        explain = (
            collect(
                problems,
                functools.partial(compiled, question.explain or "", item.line_of("explain")),
            )
            if question.explain
            else None
        )
        if question_template is None:
            continue
        questions.append(
            QuestionSpec(
                kind=kind,
                id=question.id,
                answer=question.answer,
                question=question_template,
                cue=question.cue
                if question.cue is not None
                else (("name",) if "name" in fields else ()),
                group=question.group or f"{kind}.{question.answer}",
                same=question.same,
                look_alikes=question.look_alikes,
                explain=explain,
                location=where,
            )
        )
    ids = [q.id for q in spec.questions]
    problems.extend(
        Problem(
            Location(path, raw.line),
            f"practice question id '{i}' is used twice; ids must be unique",
        )
        for i in sorted({i for i in ids if ids.count(i) > 1})
    )
    label_template = collect(problems, lambda: compiled(spec.label, raw.line_of("label")))
    summary = (
        collect(problems, lambda: compiled(spec.summary or "", raw.line_of("summary")))
        if spec.summary
        else None
    )
    if problems or label_template is None:
        raise FactdeckError(problems)
    return KindPractice(label=label_template, summary=summary, questions=tuple(questions))
