"""Decks for tests: the project's own paths, the shipped deck, and small decks written inside
a test (`small_deck`: the mini deck with any file replaced or added), so no test pastes a
whole deck."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REAL_DECK = REPO / "cards" / "low-back-pain"
# Every deck of the project: tests over DECKS cover a new deck without being touched.
DECKS = sorted(path.parent for path in (REPO / "cards").glob("*/deck.yaml"))
TEMPLATES = REPO / "templates"
EPOCH = 1_790_000_000  # a fixed "now" for reproducible builds in tests
MINI_DECK = {
    "deck.yaml": """
        name: Mini
        slug: mini
        version: "1.0.0"
        description: A tiny deck for tests.
        source:
          title: A Source
          sections: {intro: Introduction, body: Body}
          references: {ref-one: {short: Ref 2000, full: "Ref, A. 2000. A Paper."}}
        subdecks: {part: Part}
    """,
    "facts.yaml": """
        facts:
          - id: nerve-a
            kind: nerve
            name: alpha nerves
            plural: true
            levels: L1–L3
            source: body
            tags: [mini::nerves]
          - id: fact-b
            kind: statement
            text: "The beta is {{c1::big}}."
            source: {section: intro, refs: [ref-one], refs_why: Ref 2000 measured the beta.}
            subdeck: part
    """,
}


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
