"""A plain-text (or Markdown) article -> its title, sections and sentences: the first draft
of a deck's `source.sections` and claim inventory (`factdeck new --from`).

Plain text has no markup, so a heading is a line that stands alone between blank lines,
is short and does not end like a sentence; Markdown `#` headings are taken as they are.
The reference list at the end (Notes, References) is left out: it is no claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location

_MARKDOWN_HEADING = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_NOT_A_HEADING_END = (".", "!", "?", ",", ";", ":")
_MAX_HEADING_WORDS = 12
_MIN_CLAIM_WORDS = 4
_BACK_MATTER = {"notes", "references", "bibliography", "sources", "footnotes", "further reading"}


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    sections: tuple[Section, ...]


def read_article(path: Path) -> Article:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactdeckError.at(
            Location(path), f"cannot read the article: {exc}; give a UTF-8 text or Markdown file"
        ) from None
    article = parse(text)
    if not article.sections:
        raise FactdeckError.at(
            Location(path),
            "found no sentences in the article; give its plain text (headings on their own lines)",
        )
    return article


def parse(text: str) -> Article:
    blocks = _blocks(text)
    title = _heading(blocks[0][0]) if blocks and len(blocks[0]) == 1 else None
    if title is not None:
        blocks = blocks[1:]
    sections: list[tuple[str, list[str]]] = []
    for block in blocks:
        heading = _heading(block[0]) if len(block) == 1 else None
        if heading is not None:
            sections.append((heading, []))
            continue
        if not sections:
            sections.append(("Introduction", []))
        sections[-1][1].extend(_sentences(" ".join(block)))
    keys: set[str] = set()
    kept = []
    for heading, sentences in sections:
        if heading.lower() in _BACK_MATTER or not sentences:
            continue
        key = _unique(slugify(heading), keys)
        kept.append(Section(key, heading, tuple(sentences)))
    return Article(title or "Untitled article", tuple(kept))


def slugify(text: str, limit: int = 40) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit and slug:
            break
        slug = candidate
    return slug or "section"


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines (a line of spaces, non-breaking ones too, is blank)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _heading(line: str) -> str | None:
    markdown = _MARKDOWN_HEADING.fullmatch(line)
    if markdown:
        return markdown.group(1)
    words = line.split()
    if (
        len(words) > _MAX_HEADING_WORDS
        or line.endswith(_NOT_A_HEADING_END)
        or not line[0].isupper()
        or re.match(r"\d+[.)]\s", line)
    ):
        return None
    return line


def _sentences(paragraph: str) -> list[str]:
    if re.match(r"\d+[.)]\s", paragraph):  # a numbered reference
        return []
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.split()) >= _MIN_CLAIM_WORDS]


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}-{number}", number + 1
    taken.add(candidate)
    return candidate
