"""A plain-text (or Markdown) article -> its title, sections and sentences: the first draft
of a deck's `source.sections` and claim inventory (`factdeck new --from`).

Plain text has no markup, so a heading is a line that stands alone between blank lines,
is short and does not end like a sentence (a question may: "What are the cluneal
nerves?"); Markdown `#` and underlined headings are taken as they are. A list item
(`-`, `*`, `+`, `•`, `1.`) is a claim of its own, never merged with the next line; an
item after a lead-in ending in ":" is drafted with it ("Signs include: numbness"). The
reference list at the end (Notes, References) is left out, and so is a numbered citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location
from factdeck.fs import limits, read

_MARKDOWN_HEADING = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_NOT_A_HEADING_END = (".", "!", ",", ";", ":")
_SETEXT_UNDERLINE = re.compile(r"=+|-+")
_LIST_ITEM = re.compile(r"(?:[-*+•]|\d+[.)])\s+(.*)")
_CITATION = re.compile(r"\d+[.)]\s.*\b(?:1[5-9]|20)\d\d[a-z]?\.")  # "1. Mixter, W J. 1934. ..."
_MAX_HEADING_WORDS = 12
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # not tab, line breaks, form feed
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
    """The article at `path`: a plain UTF-8 file within limits.ARTICLE, without control
    characters (they would land in the deck's YAML, which cannot hold them)."""
    try:
        data = read.read_bytes(path, limits.ARTICLE)
    except read.NotReadable as exc:
        raise FactdeckError.at(
            Location(path), f"cannot read the article: it {exc}; give a UTF-8 text or Markdown file"
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactdeckError.at(
            Location(path, data[: exc.start].count(b"\n") + 1),
            f"the article is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8 "
            "text or Markdown",
        ) from None
    if control := _CONTROL.search(text):
        raise FactdeckError.at(
            Location(path, text.count("\n", 0, control.start()) + 1),
            f"the article holds a control character (U+{ord(control.group()):04X}); save it "
            "as plain text (a text editor's 'plain text' export drops them)",
        )
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
    sections: list[tuple[str, list[list[str]]]] = []  # heading, paragraphs (lines)
    for block in blocks:
        heading, lines = _split_heading(block)
        if heading is not None:
            sections.append((heading, []))
        if lines:
            if not sections:
                sections.append(("Introduction", []))
            sections[-1][1].append(lines)
    keys: set[str] = set()
    kept = []
    for heading, paragraphs in sections:
        claims = _claims(paragraphs)
        if heading.lower() in _BACK_MATTER or not claims:
            continue
        key = _unique(slugify(heading), keys)
        kept.append(Section(key, heading, tuple(claims)))
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


def _split_heading(block: list[str]) -> tuple[str | None, list[str]]:
    """A block's heading, if it opens with one, and its other lines. Plain text has a
    heading alone in its block; Markdown's may run straight into the text below it."""
    if len(block) == 1:
        heading = _heading(block[0])
        return heading, [] if heading else block
    if _SETEXT_UNDERLINE.fullmatch(block[1]) and not _LIST_ITEM.fullmatch(block[0]):
        return block[0], block[2:]
    markdown = _MARKDOWN_HEADING.fullmatch(block[0])
    if markdown:
        return markdown.group(1), block[1:]
    return None, block


def _heading(line: str) -> str | None:
    markdown = _MARKDOWN_HEADING.fullmatch(line)
    if markdown:
        return markdown.group(1)
    words = line.split()
    if (
        len(words) > _MAX_HEADING_WORDS
        or line.endswith(_NOT_A_HEADING_END)
        or not line[0].isupper()
        or _LIST_ITEM.fullmatch(line)
    ):
        return None
    return line


def _claims(paragraphs: list[list[str]]) -> list[str]:
    """A section's paragraphs -> its draft claims: a paragraph's sentences, and each list
    item as one claim (a line after an item continues it, as in Markdown). An item that is
    no sentence of its own, after a lead-in ending in ":", is drafted with the lead-in
    (which then is no claim by itself)."""
    claims: list[str] = []
    lead = ""
    for is_item, text in (unit for lines in paragraphs for unit in _units(lines)):
        if _CITATION.match(text):
            continue
        if is_item:
            item = _LIST_ITEM.sub(r"\1", text, count=1)
            if lead and not (item[0].isupper() and item.endswith((".", "!", "?"))):
                if claims and claims[-1] == lead:  # the lead-in is in its items' claims
                    claims.pop()
                claims.append(f"{lead} {item}")
            else:
                claims += [s.strip() for s in _SENTENCE_END.split(item)]
            continue
        sentences = [s.strip() for s in _SENTENCE_END.split(text)]
        lead = sentences[-1] if sentences[-1].endswith(":") else ""
        claims += [s for s in sentences if len(s.split()) >= _MIN_CLAIM_WORDS]
    return claims


def _units(lines: list[str]) -> list[tuple[bool, str]]:
    """A paragraph's lines -> (is a list item, its text with the item's mark): the lines
    before a first item are one paragraph, each item with the lines after it one unit."""
    units: list[tuple[bool, str]] = []
    for line in lines:
        if _LIST_ITEM.fullmatch(line):
            units.append((True, line))
        elif units:
            units[-1] = (units[-1][0], f"{units[-1][1]} {line}")
        else:
            units.append((False, line))
    return units


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}-{number}", number + 1
    taken.add(candidate)
    return candidate
