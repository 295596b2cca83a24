"""`factdeck new`: a deck folder that builds, lints clean and imports into Anki at once,
with one example fact of every kind to copy from and an example diagram.

With an article (`--from`), its headings become the deck's source sections and each of
its sentences a draft claim with no card yet, so `factdeck stats` lists what is left to
card from the first minute. Every YAML file starts with the editor-schema line.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from factdeck.authoring import schema
from factdeck.authoring.article import Article, read_article, slugify
from factdeck.errors import FactdeckError, Location
from factdeck.facts.load import CLAIMS_FILE, DECK_FILE
from factdeck.facts.model import KINDS
from factdeck.fs import atomic
from factdeck.fs.names import GIT_IGNORED
from factdeck.render.project import project_root

SCHEMA_LINE = "# yaml-language-server: $schema={}\n"
EXAMPLE_FILE = "examples.yaml"
DIAGRAM_FILE = "diagrams.yaml"
EXAMPLE_SVG = "diagrams/example-leg.svg"
_NOT_IN_NAMES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # YAML refuses or breaks there


@dataclass(frozen=True, slots=True)
class Scaffold:
    deck_dir: Path
    files: tuple[Path, ...]
    sections: int
    claims: int


def new_deck(deck_dir: Path, article_path: Path | None = None) -> Scaffold:
    """Write a new deck into `deck_dir` (missing or empty), inside a factdeck project."""
    check_target(deck_dir)
    article = read_article(article_path) if article_path else None  # before anything is written
    project = project_root(deck_dir.parent if not deck_dir.exists() else deck_dir)
    schemas = schema.project_schemas(project)
    if not all((schemas / name).is_file() for name in schema.SCHEMAS):
        schema.write_schemas(schemas)
    files = render(deck_dir.resolve().name, article, os.path.relpath(schemas, deck_dir.absolute()))
    with atomic.new_folder(deck_dir) as folder:
        atomic.write_files(folder, files)
    return Scaffold(
        deck_dir,
        tuple(deck_dir / name for name in files),
        sections=len(yaml.safe_load(files[DECK_FILE])["source"]["sections"]),
        claims=len(yaml.safe_load(files[CLAIMS_FILE])["claims"]),
    )


def check_target(deck_dir: Path, example: str = "cards/knee") -> None:
    """A new deck (or course) goes in a missing or empty folder, never inside a deck, with a
    name its files can hold: deck.yaml (and a course's README) name it after its folder."""
    if bad := _NOT_IN_NAMES.search(deck_dir.resolve().name):
        raise FactdeckError.at(
            Location(deck_dir),
            f"the folder's name holds {bad.group()!r}, a control character or line break "
            "that the files named after it cannot hold; name it with letters, digits and '-', "
            f"e.g. {example}",
        )
    if deck_dir.exists() and (not deck_dir.is_dir() or any(deck_dir.iterdir())):
        raise FactdeckError.at(
            Location(deck_dir),
            f"already exists and is not empty; give a new folder, e.g. {example}",
        )
    for folder in deck_dir.resolve().parents:
        if (folder / DECK_FILE).is_file():
            raise FactdeckError.at(
                Location(folder / DECK_FILE),
                "a deck cannot hold another "
                "deck; put the new one beside it, e.g. "
                f"{folder.parent.name}/{deck_dir.name}",
            )


def render(folder_name: str, article: Article | None, schemas: str) -> dict[str, str]:
    """File name -> text of every file of the new deck (pure: nothing is written)."""
    slug = slugify(folder_name) if folder_name else "my-deck"
    if article:
        sections = {s.key: s.heading for s in article.sections}
        title = article.title
    else:
        sections = {"introduction": "Introduction"}
        title = "The article this deck teaches"
    section = next(iter(sections))
    line = {name: SCHEMA_LINE.format(Path(schemas, name).as_posix()) for name in schema.SCHEMAS}
    return {
        DECK_FILE: line[schema.DECK_SCHEMA] + _deck_yaml(folder_name, slug, title, sections),
        EXAMPLE_FILE: line[schema.FACTS_SCHEMA] + _examples(section),
        DIAGRAM_FILE: line[schema.FACTS_SCHEMA]
        + _DIAGRAMS.format(section=section, svg=EXAMPLE_SVG),
        CLAIMS_FILE: line[schema.CLAIMS_SCHEMA] + _claims_yaml(article, section),
        EXAMPLE_SVG: _SVG,
        ".gitignore": "# factdeck's own files while it builds: never commit them\n"
        + "".join(f"{name}\n" for name in GIT_IGNORED),
    }


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _deck_yaml(folder_name: str, slug: str, title: str, sections: dict[str, str]) -> str:
    name = folder_name.replace("-", " ").replace("_", " ").strip().title() or "My Deck"
    section_lines = "".join(f"    {key}: {_q(heading)}\n" for key, heading in sections.items())
    return f"""\
# The deck. Field reference: `factdeck kinds` or docs/kinds.md.
# Its name in Anki; sub-decks show as "{name}::<sub-deck>".
name: {_q(name)}
# Stable id: every card's identity derives from it. Never change it after a release.
slug: {slug}
# The content version: bump it for each release you give students.
version: "0.1.0"
description: >-
  What students learn from this deck, shown in Anki's deck overview.
# The article the deck teaches; every card's back names it and the section.
source:
  title: {_q(title)}
  # author: Who wrote it
  # url: https://example.org/where-to-read-it
  # Section key -> heading. A fact's `source:` names a key. Keys are yours to choose.
  sections:
{section_lines}  # Works the article cites (key -> {{short, full}}); a fact names keys in
  # `source: {{section: ..., refs: [...]}}`.
  references: {{}}
# Sub-deck key -> name in Anki. Keys are part of deck ids: never change a key once shipped
# (renaming the name is safe). A fact without `subdeck:` goes in the deck's top level.
subdecks:
  examples: Examples
  diagrams: Diagrams
# Exam content areas: every fact carries at least one as a tag `exam::<key>`.
exam_areas:
  anatomy: Anatomy & physiology
  pathology: Pathology
  techniques: Massage techniques
"""


_EXAMPLES_HEAD = """\
# One example fact of every kind: copy one, change it, delete the rest.
# `factdeck kinds KIND` lists a kind's fields and the questions each field makes.
defaults:
  source: {section}             # a section key from deck.yaml
  subdeck: examples             # a sub-deck key from deck.yaml
facts:
"""

# One example per kind (the diagram has its own file); a kind the build does not know yet
# is left out, and a test asks for an example of every kind it knows.
EXAMPLES = {
    "nerve": """\
  - id: example-sciatic-nerve   # stable: never change an id once shipped
    kind: nerve
    name: sciatic nerve
    # group: leg nerve          # the cue of reverse questions ("Which leg nerve ..."),
    #                           # singular or plural as the name is (`plural: true`)
    levels: L4–S3
    branches:                   # a list: one cloze per item
      - tibial nerve
      - common fibular nerve
    tags: [exam::anatomy]
""",
    "muscle": """\
  - id: example-tensor-fasciae-latae
    kind: muscle
    name: tensor fasciae latae
    origin: the anterior superior iliac spine
    insertion: the iliotibial tract
    actions: [abducts the hip]   # a list: one cloze per item
    innervation: the superior gluteal nerve (L4–S1)
    tags: [exam::anatomy]
""",
    "structure": """\
  - id: example-piriformis
    kind: structure
    name: piriformis
    is_a: a deep hip rotator muscle
    location: deep in the buttock, from the sacrum to the greater trochanter
    tags: [exam::anatomy]
""",
    "condition": """\
  - id: example-piriformis-syndrome
    kind: condition
    name: piriformis syndrome
    pain_felt_in: [the buttock, the back of the thigh]
    tags: [exam::pathology]
""",
    "technique": """\
  - id: example-effleurage
    kind: technique
    name: effleurage
    how: with long gliding strokes
    tags: [exam::techniques]
""",
    "statement": """\
  - id: example-sciatic-size
    kind: statement
    text: The sciatic nerve is the {{c1::largest}} nerve of the body.
    tags: [exam::anatomy]
""",
    "question": """\
  - id: example-sciatic-exit
    kind: question
    question: Which muscle does the sciatic nerve usually pass just below as it leaves the pelvis?
    answer: The piriformis
    tags: [exam::anatomy]
""",
    "case": """\
  - id: example-buttock-case
    kind: case
    presentation: >-
      A client has a deep ache in one buttock that grows worse after long sitting,
      while the low back feels fine.
    question: Which muscle is the first suspect?
    answer: The piriformis
    why: A tight piriformis can press on the sciatic nerve, which passes just below it.
    look_alikes: [example-sciatic-nerve]   # facts a student might confuse it with
    tags: [exam::pathology]
""",
}


def _examples(section: str) -> str:
    facts = [text for kind, text in EXAMPLES.items() if kind in KINDS]
    return _EXAMPLES_HEAD.format(section=section) + "\n".join(facts)


_DIAGRAMS = """\
# A diagram: each mask hides one label of the SVG (an element id), one card per mask.
# Draw your own SVG; put each label in a <g id="..."> with a <rect> box.
facts:
  - id: example-figure-leg      # stable: never change an id once shipped
    kind: diagram
    image: {svg}
    header: "Example figure: a nerve of the back of the thigh, and where it divides"
    source: {section}
    subdeck: diagrams
    masks:                      # add new masks at the end: a mask's position is its card
      - label-sciatic
      - label-tibial
      - label-fibular
    tags: [exam::anatomy]
"""

_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">
  <!-- An example figure for a new deck: a nerve that splits in two, with three labels. -->
  <rect width="400" height="300" fill="#fbfaf7"/>
  <path d="M200 30 L200 150 L140 270 M200 150 L260 270" fill="none" stroke="#c58a1b"
        stroke-width="8" stroke-linecap="round" stroke-linejoin="round"/>
  <g id="label-sciatic">
    <rect x="220" y="60" width="140" height="32" rx="5" fill="#fff" stroke="#333"/>
    <text x="232" y="82" font-family="sans-serif" font-size="17">sciatic nerve</text>
  </g>
  <g id="label-tibial">
    <rect x="20" y="210" width="110" height="32" rx="5" fill="#fff" stroke="#333"/>
    <text x="32" y="232" font-family="sans-serif" font-size="17">tibial nerve</text>
  </g>
  <g id="label-fibular">
    <rect x="250" y="210" width="140" height="32" rx="5" fill="#fff" stroke="#333"/>
    <text x="262" y="232" font-family="sans-serif" font-size="17">fibular nerve</text>
  </g>
</svg>
"""


def _claims_yaml(article: Article | None, section: str) -> str:
    head = (
        "# Every testable claim of the article, in its order, and the facts whose cards\n"
        "# state it (`covered_by`: fact ids, or fact-id/note-id). `factdeck stats` lists\n"
        "# the claims no card states yet.\n"
    )
    if article is None:
        return (
            head
            + f"""\
claims:
  - id: sciatic-levels
    section: {section}
    claim: The sciatic nerve arises from L4 to S3.
    covered_by: [example-sciatic-nerve]

  - id: sciatic-largest
    section: {section}
    claim: The sciatic nerve is the largest nerve of the body.
    covered_by: [example-sciatic-size]
"""
        )
    lines = [
        head + "# Drafted from the article, one claim per sentence: reword each in your "
        "own words,\n# delete what is not testable, and list the facts that state it.\n"
        "claims:\n"
    ]
    for part in article.sections:
        lines.append(f"  # --- {part.heading} ---\n")
        for number, sentence in enumerate(part.sentences, 1):
            lines.append(
                f"  - id: {part.key}-{number}\n    section: {part.key}\n"
                f"    claim: {_q(sentence)}\n    covered_by: []\n\n"
            )
    return "".join(lines).rstrip("\n") + "\n"
