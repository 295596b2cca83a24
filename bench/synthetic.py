"""The benchmark's first curriculum: every fact kind of the real schema, with made-up words
(syllables, so that questions rarely repeat), 200 facts per file, plus diagram facts over
the shipped deck's SVGs (one per 250 facts, at least one per shipped diagram)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
# Syllables for made-up words: a realistic curriculum rarely repeats a question, so the
# text must not come from a tiny vocabulary (lint would flag thousands of near-duplicates).
SYLLABLES = (
    "ra",
    "ti",
    "mo",
    "lu",
    "se",
    "fa",
    "cre",
    "lig",
    "glu",
    "dor",
    "ven",
    "me",
    "la",
    "spi",
    "fi",
    "mus",
    "tis",
    "pre",
    "ten",
    "gli",
)
FACTS_PER_FILE = 200


def deck_yaml(diagrams: bool) -> dict[str, object]:
    subdecks = {f"unit-{i}": f"Unit {i}" for i in range(20)}
    return {
        "name": "Benchmark Curriculum",
        "slug": "bench",
        "version": "1.0.0",
        "description": "Synthetic curriculum for the benchmark.",
        "source": {
            "title": "Synthetic",
            "sections": {"s1": "One", "s2": "Two"},
            "references": {"r1": {"short": "Ref 1", "full": "Ref, A. Paper."}},
        },
        "subdecks": {**subdecks, **({"diagrams": "Diagrams"} if diagrams else {})},
        "exam_areas": {"anatomy-physiology": "A&P", "pathology": "Pathology"},
    }


def generate(deck_dir: Path, facts: int) -> None:
    """`facts` facts of every kind in the real schema, plus diagram facts over real SVGs."""
    rng = random.Random(facts)
    deck_dir.mkdir(parents=True)
    shutil.copytree(DECK / "diagrams", deck_dir / "diagrams")
    (deck_dir / "deck.yaml").write_text(json.dumps(deck_yaml(diagrams=True), indent=1))
    diagrams = _diagram_facts(facts)
    makers = [_nerve, _structure, _condition, _technique, _statement, _question]
    batch: list[dict[str, object]] = []
    for number in range(facts - len(diagrams)):
        fact = makers[number % len(makers)](rng, number)
        fact.update(
            subdeck=f"unit-{number % 20}",
            source="s1",
            tags=[f"bench::unit-{number % 20}", "exam::anatomy-physiology"],
        )
        batch.append(fact)
        if len(batch) == FACTS_PER_FILE:
            _write_facts(deck_dir, batch)
            batch = []
    _write_facts(deck_dir, batch + diagrams)


def _write_facts(deck_dir: Path, facts: list[dict[str, object]]) -> None:
    if facts:
        path = deck_dir / f"facts-{len(list(deck_dir.glob('facts-*.yaml'))):04d}.yaml"
        path.write_text(json.dumps({"facts": facts}, indent=1, ensure_ascii=False))


def _diagram_facts(facts: int) -> list[dict[str, object]]:
    shipped = json.loads(json.dumps(_shipped_diagrams()))
    count = max(len(shipped), facts // 250)
    out = []
    for number in range(count):
        fact = dict(shipped[number % len(shipped)])
        fact["id"] = f"diagram-{number}"
        out.append(fact)
    return out


def _shipped_diagrams() -> list[dict[str, object]]:
    import yaml

    data = yaml.safe_load((DECK / "diagrams.yaml").read_text())
    defaults = data.get("defaults", {})
    return [
        {
            **defaults,
            **fact,
            "tags": ["bench::diagrams", "exam::anatomy-physiology"],
            "source": "s2",
        }
        for fact in data["facts"]
    ]


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(words))


def _items(rng: random.Random, count: int) -> list[str]:
    return [_phrase(rng, 3) for _ in range(count)]


def _nerve(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"nerve-{n}",
        "kind": "nerve",
        "name": f"{_phrase(rng, 2)} nerves {n}",
        "aka": [_phrase(rng, 2)],
        "fibres": "sensory",
        "levels": f"{_phrase(rng, 1)} L{n % 5 + 1}",
        "origin": f"posterior rami {n}",
        "sensory_supply": _items(rng, 2),
        "motor_supply": _items(rng, 2),
        "course": _items(rng, 3),
        "entrapment_sites": _items(rng, 2),
        "mistaken_for": [_phrase(rng, 3)],
    }


def _structure(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"structure-{n}",
        "kind": "structure",
        "name": f"{_phrase(rng, 2)} {n}",
        "is_a": _phrase(rng, 3),
        "location": _phrase(rng, 5),
        "nerves_at_risk": _items(rng, 2),
    }


def _condition(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"condition-{n}",
        "kind": "condition",
        "name": f"{_phrase(rng, 2)} {n}",
        "mistaken_for": [_phrase(rng, 3)],
        "pain_quality": _phrase(rng, 4),
        "causes": _items(rng, 2),
        "pain_felt_in": _items(rng, 2),
        "location": _phrase(rng, 4),
        "palpation": _phrase(rng, 4),
        "possible_cause": _phrase(rng, 6),
    }


def _technique(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"technique-{n}",
        "kind": "technique",
        "name": f"{_phrase(rng, 2)} {n}",
        "used_for": _phrase(rng, 3),
        "how": _phrase(rng, 5),
        "effects": _items(rng, 3),
        "mechanism": _phrase(rng, 8),
    }


def _statement(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"statement-{n}",
        "kind": "statement",
        "text": f"{_phrase(rng, 4)} {{{{c1::{_phrase(rng, 2)}}}}} {_phrase(rng, 3)} {n}.",
    }


def _question(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"question-{n}",
        "kind": "question",
        "question": f"What {_phrase(rng, 6)} {n}?",
        "answer": _phrase(rng, 4),
    }
