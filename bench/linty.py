"""The benchmark's second curriculum: wording like a real deck's first draft, so lint finds
hundreds of problems (issue 23). 60% question and 40% statement facts, 1,000 per file, over
a vocabulary of real words; about one fact in a hundred has a mistake an editor would mark
(a pronoun opening, a negative or vague question, a long or list answer, a British
spelling, a question asked twice, one answer to two facts). The other curriculum
(run.py's) has made-up words and no findings, which let lint's whole-deck rules look
cheaper than they are.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

FACTS_PER_FILE = 1_000
_VOCABULARY = (
    "lumbar sacral thoracic cervical fascia tendon ligament muscle nerve artery vein "
    "gluteal piriformis iliac crest spine vertebra disc facet joint capsule sheath "
    "tunnel foramen canal branch root ramus plexus trunk cord sensory motor reflex "
    "pain numbness tingling burning ache stiffness swelling tenderness weakness "
    "massage pressure stretch friction kneading glide release traction compression "
    "posterior anterior medial lateral superior inferior proximal distal deep "
    "superficial dorsal ventral upper lower left right outer inner short long "
    "client therapist session assessment palpation history posture gait sitting "
    "standing bending lifting twisting walking running sleeping breathing "
    "buttock thigh hip knee ankle heel shoulder elbow wrist neck scalp jaw rib "
    "abdomen pelvis groin flank waist skin fat tissue bone cartilage marrow blood "
    "entrapment irritation inflammation injury strain sprain tear rupture spasm "
    "contracture adhesion scar lesion cyst lipoma tumor fracture hernia stenosis "
    "referral contraindication indication precaution caution dosage duration "
    "frequency intensity angle position direction layer surface border edge "
    "origin insertion action supply course level segment zone region area site"
)
_WORDS = _VOCABULARY.split()
_DIRECTIONS = set(_WORDS[_WORDS.index("posterior") : _WORDS.index("client")])
# Cues and answers from disjoint words, so that only the planted mistakes are found.
_CUES = tuple(w for i, w in enumerate(_WORDS) if w in _DIRECTIONS or i % 2)
_ANSWERS = tuple(w for i, w in enumerate(_WORDS) if w not in _DIRECTIONS and not i % 2)
_TRIPS = (
    lambda q: "It " + q[0].lower() + q[1:],  # unnamed-subject
    lambda q: q.replace("What", "Which is not", 1),  # negative-question
    lambda q: q.replace("What", "Name one", 1),  # vague-question
    lambda q: q.replace("lumbar", "fibre") if "lumbar" in q else q + " fibre",  # spelling
)


def generate(deck_dir: Path, facts: int, deck: dict[str, object]) -> None:
    """`facts` facts in files of FACTS_PER_FILE, under `deck` (run.py's deck.yaml)."""
    rng = random.Random(facts * 7 + 1)
    deck_dir.mkdir(parents=True, exist_ok=True)
    (deck_dir / "deck.yaml").write_text(json.dumps(deck, indent=1))
    batch: list[dict[str, object]] = []
    made: list[dict[str, object]] = []
    for number in range(facts):
        fact = _statement(rng, number) if number % 5 >= 3 else _question(rng, number, made)
        fact.update(
            subdeck=f"unit-{number % 20}",
            source="s1",
            tags=[f"bench::unit-{number % 20}", "exam::anatomy-physiology"],
        )
        made.append(fact)
        batch.append(fact)
        if len(batch) == FACTS_PER_FILE or number == facts - 1:
            path = deck_dir / f"facts-{number // FACTS_PER_FILE:04d}.yaml"
            path.write_text(json.dumps({"facts": batch}, indent=1, ensure_ascii=False))
            batch = []


def _phrase(rng: random.Random, words: int, vocabulary: tuple[str, ...] = _CUES) -> str:
    return " ".join(rng.choices(vocabulary, k=words))


def _question(rng: random.Random, n: int, made: list[dict[str, object]]) -> dict[str, object]:
    question = f"What {_phrase(rng, 7)} in case {n}?"
    answer = _phrase(rng, rng.randint(2, 5), _ANSWERS)
    trip = rng.random()
    if trip < 0.004:
        question = _TRIPS[rng.randrange(len(_TRIPS))](question)
    elif trip < 0.006:
        answer = _phrase(rng, 14, _ANSWERS)  # long-answer
    elif trip < 0.008:
        answer = ", ".join(_phrase(rng, 1, _ANSWERS) for _ in range(3))  # list-answer
    elif trip < 0.009 and made:
        twin = rng.choice([f for f in made if f["kind"] == "question"] or [None])
        if twin:
            question = str(twin["question"])  # duplicate-question
    elif trip < 0.010 and made:
        twin = rng.choice([f for f in made if f["kind"] == "question"] or [None])
        if twin:
            answer = str(twin["answer"])  # same-answer
    return {"id": f"question-{n}", "kind": "question", "question": question, "answer": answer}


def _statement(rng: random.Random, n: int) -> dict[str, object]:
    hidden = _phrase(rng, 2, _ANSWERS)
    text = f"In case {n} {_phrase(rng, 4)} {{{{c1::{hidden}}}}} {_phrase(rng, 3)}."
    if rng.random() < 0.004:
        text = text.replace("In case", "In colour case", 1)  # spelling
    return {"id": f"statement-{n}", "kind": "statement", "text": text}
