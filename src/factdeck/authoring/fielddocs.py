"""What each input field is for: the one source of the field reference (`factdeck kinds`,
docs/kinds.md) and of the JSON Schemas' descriptions.

Kept beside the models rather than in them, keyed by model and field, so facts/model.py stays
about validation. A test demands a description for every field of every model an author
writes (deck.yaml, each fact kind, claims.yaml): a new field fails until it is documented
here. A field inherited from a base model is looked up under the base's name. Fields that
work in progress adds to the models (also_accept, standard, the case kind, occlusion,
practice...) are described here already; one for a field that does not exist is unused.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

from pydantic import BaseModel

# every list whose items become one card each: how an item keeps its card
KEEP = " Add new items at the end; write a removed one as ~ (the items after it keep their cards)."

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "DeckSpec": {
        "name": "The deck's name in Anki (a sub-deck shows as 'Name::Sub-deck').",
        "slug": "Stable id of the deck: every id derives from it, so never change it after "
        "release; also the file name of dist/<slug>.apkg.",
        "version": "The content version, a semantic version MAJOR.MINOR.PATCH with an optional "
        'pre-release ("1.0.0", "2.1.0-rc.1"), shown in the preview and release notes; bump it '
        'for each release (quote it: "1.0.0").',
        "description": "Shown in Anki's deck overview.",
        "source": "The article the deck teaches: title, author, url, its sections and the "
        "works it cites.",
        "subdecks": "Sub-deck key -> name in Anki. Keys are part of deck ids: never change a "
        "key; renaming the name is safe.",
        "exam_areas": "Exam content area key -> its name, or {name, weight}: the weight is the "
        "area's percent of the exam's questions (stats and analyze compare it with the "
        "deck's cards and study time); facts tag themselves 'exam::<key>'.",
        "occlusion": "How diagrams ship: native (Anki's own image occlusion, Anki 23.10+ and "
        "AnkiDroid 2.17+) or portable (plain HTML masks, every client).",
        "practice": "true: also make multiple-choice practice questions, in their own sub-deck.",
        "feedback": "A 'Report a problem' link on every card back: a URL template of the "
        "course's issue form or a mailto:, with {title} and {body} (or {deck}, {version}, "
        "{fact}, {note}, {card}), e.g. "
        "https://github.com/ORG/COURSE/issues/new?title={title}&body={body}. "
        "Nothing about the student is sent.",
    },
    "ArticleSource": {
        "title": "The article's title, shown on every card's back.",
        "author": "Who wrote or published it.",
        "url": "Where students can read it.",
        "sections": "Section key -> heading; a fact's `source` names one key.",
        "references": "Key -> a work the article cites; a fact's `source.refs` names keys.",
    },
    "ExamArea": {
        "name": "The content area's name, as the exam's outline gives it.",
        "weight": "Its percent of the exam's questions (the published outline), e.g. 11.",
    },
    "Reference": {
        "short": "Short citation shown on cards, e.g. 'Aota 2016'.",
        "full": "Full citation.",
    },
    "SourceRef": {
        "section": "A section key from deck.yaml's source.sections.",
        "refs": "Reference keys from deck.yaml's source.references that back this fact.",
        "refs_why": "Why these references support the fact.",
    },
    "StandardView": {
        "text": "How standard anatomy describes it, where that differs from the article.",
        "source": "Where that standard view comes from (an anatomy text, an atlas).",
        "notes": "The ids of the notes whose answer it qualifies; empty: every note of the fact.",
    },
    "AnswerChange": {
        "version": 'Written `in`: the release that ships this answer change, e.g. "2.1.0" '
        "(the deck's version when it is released; quote it).",
        "why": "What changed and why, in a sentence: the release notes show it to students.",
    },
    "FactBase": {
        "id": "Stable id (lowercase words joined by hyphens): part of every note's identity, "
        "never change it once shipped.",
        "kind": "Which kind of fact this is: decides its fields and the notes it yields.",
        "tags": "Anki tags, hierarchical with '::' (e.g. 'lbp::nerves', 'exam::pathology').",
        "source": "Where the fact comes from: a section key, or {section, refs}.",
        "subdeck": "A sub-deck key from deck.yaml; the deck's top level when left out.",
        "extra": "A short note shown on the back of every card of this fact.",
        "html": "Names of text fields that may use a small safe HTML subset (b, i, em, "
        "strong, sub, sup, br).",
        "lint": 'Justified exceptions to lint rules: {rule: "why this is fine"}.',
        "revive": "Bring back a fact that was retired (deleted) in an earlier release.",
        "also_accept": "Other answers an exam accepts (synonyms), shown with the answer.",
        "standard": "Where standard anatomy differs from the article: {text, source}, shown "
        "on the back.",
        "correction": '{in: "<version>", why: ...} (or a list of them): the release that '
        "corrected this fact's answer and why (shown to students, who re-learn it); kept as "
        "history, later releases ignore it.",
        "reworded": '{in: "<version>", why: ...} (or a list): the release in which the '
        "answer's words changed while a student's old answer is still right (spelling, "
        "fuller wording), so no re-learning is asked for; kept as history.",
        "renumbered": '{in: "<version>", why: ...} (or a list): the release in which '
        "list items, clozes or masks moved to other card numbers on purpose; the release "
        "notes tell students which cards to reset. Kept as history.",
        "questions": "Note id -> this fact's own wording of that note's question.",
        "practice": "false: no multiple-choice questions from this fact; only (or {only: "
        "true, ...}): multiple choice and no other card (refused if no question of it can "
        "be made); {note id: false}: none from that note; {note id: C}: that question's "
        "key at C.",
        "distractors": "Note id -> wrong options for that note's multiple-choice question: a "
        "list, or a mapping of option: what it belongs to (shown on the back).",
    },
    "Named": {
        "name": "What the fact is about, as questions name it ('superior cluneal nerves').",
        "aka": "Other names for it; cards show them with the name.",
        "plural": "The name is plural ('dorsal rami'): questions say 'are', not 'is'.",
    },
    "Nerve": {
        "group": "The family name used as the cue in reverse questions ('cluneal nerves': "
        "'Which cluneal nerves arise from L1–L3?').",
        "fibers": "What kind of fibers it carries (sensory, motor, mixed); the former "
        "spelling `fibres` is still accepted.",
        "origin": "What it arises from.",
        "levels": "The spinal levels it arises from ('L1–L3').",
        "branches": "Its branches, one cloze each." + KEEP,
        "motor_supply": "Muscles it supplies with motor fibers, one cloze each." + KEEP,
        "sensory_supply": "Skin areas or tissues it gives sensation to, one cloze each." + KEEP,
        "course": "Steps of its path, in order, one cloze each." + KEEP,
        "entrapment_sites": "Where it can be entrapped, one cloze each." + KEEP,
        "mistaken_for": "Conditions its entrapment is mistaken for.",
        "forms": "What its branches join to form ('the lumbar plexus').",
    },
    "Structure": {
        "is_a": "What kind of tissue or structure it is.",
        "location": "Where it is.",
        "nerves_at_risk": "Nerves that can be entrapped at it, one cloze each." + KEEP,
        "contents": "What passes through it or lies in it (a tunnel's tendons and nerve), "
        "one cloze each." + KEEP,
        "borders": "What bounds it ('roof: the flexor retinaculum'), one cloze each." + KEEP,
    },
    "Muscle": {
        "group": "The family name used as the cue in reverse questions ('quadriceps "
        "muscle': 'Which quadriceps muscle originates from the anterior inferior iliac "
        "spine?'); in the fact's number.",
        "origin": "Where it attaches proximally (its fixed end), e.g. 'the anterior "
        "inferior iliac spine'; also asked in reverse, so give an origin no other muscle "
        "of the deck shares.",
        "insertion": "Where it attaches distally (its moving end), e.g. 'the tibial "
        "tuberosity via the patellar ligament'.",
        "actions": "What it does, one cloze each ('extends the knee', 'flexes the hip')." + KEEP,
        "innervation": "The nerve that supplies it, with its spinal levels if the source "
        "gives them, e.g. 'the femoral nerve (L2–L4)'.",
        "blood_supply": "The artery that supplies it.",
    },
    "Condition": {
        "first_suspect_for": "The complaint in which this condition is usually suspected first.",
        "mistaken_for": "What it is often mistaken for.",
        "causes": "What causes it, one cloze each." + KEEP,
        "pain_quality": "How its pain typically feels.",
        "pain_felt_in": "Where its pain can be felt, one cloze each." + KEEP,
        "location": "Where it is commonly found.",
        "palpation": "What it feels like under the hands during massage.",
        "possible_cause": "One possible cause of it.",
        "signs": "What a therapist observes or tests (a positive Phalen's test), one cloze "
        "each." + KEEP,
        "symptoms": "What the client reports (numbness of the thumb), one cloze each." + KEEP,
        "contraindications": "What massage must not do with it, one cloze each." + KEEP,
        "cautions": "What massage may do only with care, and how, one cloze each." + KEEP,
    },
    "Technique": {
        "used_for": "What massage therapists address with it.",
        "how": "How it is applied.",
        "effects": "Its effects, one cloze each." + KEEP,
        "mechanism": "How it relieves pain.",
        "targets": "The nerves it works on, one cloze each." + KEEP,
    },
    "Statement": {
        "text": "Free text with at least one cloze deletion: {{c1::hidden words}}.",
    },
    "Question": {
        "question": "The question, as the front of the card.",
        "answer": "The answer, as the back of the card.",
    },
    "Case": {
        "presentation": "A short clinical presentation: what the client reports and shows.",
        "question": "What the student is asked about the presentation.",
        "answer": "The answer, short.",
        "why": "Why that is the answer (shown on the back).",
        "look_alikes": "Ids of facts about what a student might confuse the answer with; "
        "multiple-choice distractors come from them.",
    },
    "Diagram": {
        "image": "The SVG, relative to the deck folder ('diagrams/knee.svg').",
        "header": "Shown above the image ('Figure 1: the knee').",
        "mode": "hide-all: every label is masked; hide-one: only the asked label.",
        "masks": "Element ids of the SVG to hide, one card each; a list of ids is one card. "
        "Add new masks at the end.",
    },
    "ClaimSchema": {
        "id": "Stable id of the claim.",
        "section": "The section key (deck.yaml's source.sections) the claim is made in.",
        "claim": "The claim, in your own words.",
        "covered_by": "Facts whose cards state the claim: fact ids, or 'fact-id/note-id' for "
        "one note; empty while no card states it yet.",
        "not_carded": "Why no card states this claim, on purpose (instead of covered_by).",
    },
}


def describe(model: type[BaseModel], field: str) -> str | None:
    """The description of `model.field`, found under the model or the base that declares it."""
    for cls in model.__mro__:
        text = DESCRIPTIONS.get(cls.__name__, {}).get(field)
        if text:
            return text
    return None


def models_in(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """`model` and every model its fields hold, each once (what an author writes)."""
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for field in current.model_fields.values():
            todo.extend(_models(field.annotation))


def _models(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        if isinstance(arg, type | types.GenericAlias | types.UnionType) or typing.get_args(arg):
            yield from _models(arg)


def undocumented(roots: tuple[type[BaseModel], ...]) -> list[str]:
    """'Model.field' for every field under `roots` that has no description."""
    return sorted(
        {
            f"{model.__name__}.{name}"
            for root in roots
            for model in models_in(root)
            for name in model.model_fields
            if not describe(model, name)
        }
    )
