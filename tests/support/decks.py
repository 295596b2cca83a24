"""Decks for tests: the project's own paths, the shipped deck, and small decks written inside
a test (`small_deck`: the mini deck with any file replaced or added), so no test pastes a
whole deck."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
REAL_DECK = REPO / "cards" / "low-back-pain"
# Every deck of the project: tests over DECKS cover a new deck without being touched.
DECKS = sorted(path.parent for path in (REPO / "cards").glob("*/deck.yaml"))
TEMPLATES = REPO / "templates"
EPOCH = 1_790_000_000  # a fixed "now" for reproducible builds in tests
# The fields every deck.yaml needs, one source section (`body`): deck_yaml adds the rest.
TINY_SOURCE: dict[str, object] = {"title": "A Source", "sections": {"body": "Body"}}
TINY_DECK: dict[str, object] = {
    "name": "Tiny",
    "slug": "tiny",
    "version": "1.0.0",
    "description": "A tiny deck.",
    "source": TINY_SOURCE,
}
SMITH = {"smith": {"short": "Smith 2019", "full": "Smith, A. 2019. A Paper."}}
# The mini deck: two sections, a reference, a sub-deck, and a fact of each of two kinds.
MINI: dict[str, object] = {
    "name": "Mini",
    "slug": "mini",
    "version": "1.0.0",
    "description": "A tiny deck for tests.",
    "source": {
        "title": "A Source",
        "sections": {"intro": "Introduction", "body": "Body"},
        "references": {"ref-one": {"short": "Ref 2000", "full": "Ref, A. 2000. A Paper."}},
    },
    "subdecks": {"part": "Part"},
}
NERVE_A: dict[str, object] = {
    "id": "nerve-a",
    "kind": "nerve",
    "name": "alpha nerves",
    "plural": True,
    "levels": "L1–L3",
    "source": "body",
    "tags": ["mini::nerves"],
}
FACT_B: dict[str, object] = {
    "id": "fact-b",
    "kind": "statement",
    "text": "The beta is {{c1::big}}.",
    "source": {"section": "intro", "refs": ["ref-one"], "refs_why": "Ref 2000 measured the beta."},
    "subdeck": "part",
}


Fact = Mapping[str, object]  # one fact of a facts file, as data


def question(fact_id: str, question: str, answer: str, **more: object) -> dict[str, object]:
    """A question fact of source section `body`, with `more` fields."""
    fact = {"id": fact_id, "kind": "question", "question": question, "answer": answer}
    return {**fact, "source": "body", **more}


def _json(value: object) -> str:
    """JSON, which is YAML, with every character YAML would not keep as written (controls,
    format characters, line separators: not str.isprintable) escaped, as a test means it."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\U{ord(c):08x}" for c in text)


def deck_yaml(
    references: Mapping[str, object] | None = None,
    *,
    base: Mapping[str, object] = TINY_DECK,
    **fields: object,
) -> str:
    """A deck.yaml: `base` (TINY_DECK, or MINI) with `fields` added or replaced, and
    `references` added to its source. One line a field, its value in JSON (which is YAML),
    so a field's line is its place: `version` is line 3."""
    deck = {**base, **fields}
    if references is not None:
        source = dict(deck["source"])  # type: ignore[call-overload]
        deck["source"] = {**source, "references": {**source.get("references", {}), **references}}
    return "".join(f"{key}: {_json(value)}\n" for key, value in deck.items())


def edit_deck(deck: Path, **fields: object) -> Path:
    """Change `fields` of the deck.yaml at `deck` (any deck, as its instructor would between
    releases), rewritten by deck_yaml; returns `deck`."""
    path = deck / "deck.yaml"
    path.write_text(deck_yaml(base=yaml.safe_load(path.read_text("utf-8")), **fields), "utf-8")
    return deck


def facts_yaml(*facts: Fact, defaults: Mapping[str, object] | None = None) -> str:
    """A facts file of `facts`, one line each (JSON, which is YAML) after `facts:` (and
    `defaults:` first when given), so the nth fact is at line n + 1 (n + 2 with defaults)."""
    head = f"defaults: {_json(defaults)}\n" if defaults is not None else ""
    return head + "facts:\n" + "".join(f"  - {_json(fact)}\n" for fact in facts)


MINI_DECK = {"deck.yaml": deck_yaml(base=MINI), "facts.yaml": facts_yaml(NERVE_A, FACT_B)}


# A deck with practice questions (multiple choice): nerves by levels, their own
# distractors, opt-outs, and cases with look-alikes; tests of multiple choice build it
# rather than depend on what the shipped deck asks.
# The practice deck's fields but `practice: true`, which PRACTICE_DECK adds.
PRACTICE = {
    **TINY_DECK,
    "name": "Practice",
    "slug": "practice",
    "description": "A deck for practice-question tests.",
}
PRACTICE_DECK = deck_yaml(base=PRACTICE, practice=True)
PRACTICE_FACTS = """
    defaults:
      source: body
      tags: [p::nerves]
    facts:
      - {id: alpha, kind: nerve, name: alpha nerves, aka: [first nerves], plural: true,
         levels: L1–L3, also_accept: [upper lumbar levels], extra: Alpha comes first.}
      - {id: beta, kind: nerve, name: beta nerves, plural: true, levels: L4–L5}
      - {id: gamma, kind: nerve, name: gamma nerves, plural: true, levels: S1–S3}
      - {id: delta, kind: nerve, name: delta nerves, plural: true, levels: T10–T12}
      - {id: epsilon, kind: nerve, name: epsilon nerves, plural: true, levels: C5–C7,
         practice: false}
      # the same subject as alpha under its other name: its levels may be right for alpha too
      - {id: first-again, kind: nerve, name: first nerves, plural: true, levels: T1–T2}
      # contains alpha's answer: partly right, never a wrong option for alpha
      - {id: zeta, kind: nerve, name: zeta nerves, plural: true, levels: L1–L3 and S1}
      # a synonym of alpha's answer (also_accept): never a wrong option for alpha
      - {id: theta, kind: nerve, name: theta nerves, plural: true, levels: upper lumbar levels}
      # far longer than any other: never the lone long option
      - {id: eta, kind: nerve, name: eta nerves, plural: true,
         levels: the lower thoracic and the upper lumbar segments of the cord}
      - {id: iota, kind: nerve, name: iota nerves, plural: true, levels: T6–T8,
         distractors: {levels: [T1–T3, T4–T5, C1–C3]}}
      - {id: kappa, kind: nerve, name: kappa nerves, plural: true, levels: C8–T1,
         practice: {levels: false}}
      - id: case-alpha
        kind: case
        presentation: A client has pain after lifting.
        question: Which nerves are most likely irritated?
        answer: The alpha nerves
        why: Their levels match the pain.
        look_alikes: [beta, gamma, delta, first-again]
      - id: case-alpha-short
        kind: case
        presentation: A client has pain after a fall.
        question: Which nerves are most likely irritated?
        answer: The alpha nerves
        why: Their levels match the pain.
        look_alikes: [beta, gamma, first-again]
"""


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path -> text, dedented) under `root`; return `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def small_deck(root: Path, facts: str | None = None, deck: str | None = None, **files: str) -> Path:
    """The mini deck at `root`, with its facts.yaml or deck.yaml replaced when given, and any
    other file (name with `__` for `/`, e.g. `diagrams__a.svg`) added; returns `root`."""
    tree = dict(MINI_DECK)
    if facts is not None:
        tree["facts.yaml"] = facts
    if deck is not None:
        tree["deck.yaml"] = deck
    tree.update({name.replace("__", "/"): text for name, text in files.items()})
    return write_tree(root, tree)


def practice_deck(root: Path) -> Path:
    """The practice deck (PRACTICE_DECK, PRACTICE_FACTS) at `root`; returns `root`."""
    return write_tree(root, {"deck.yaml": PRACTICE_DECK, "facts.yaml": PRACTICE_FACTS})
