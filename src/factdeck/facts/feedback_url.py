"""The `feedback:` URL template of a deck: which placeholders exist, what a valid template
is, and the link it gives for one card. Pure: no files, no HTML.

A student's report must name the card exactly (deck, version, fact, note GUID, card number)
and nothing about the student, so the values are fixed here and every one is
percent-encoded: a GUID holds `&`, `#`, `+` and `%`, which would otherwise cut the URL.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

SCHEMES = ("https", "http", "mailto")
PLACEHOLDERS = {
    "title": "a one-line summary: deck, version, fact id and card number",
    "body": "the report's text: one 'Name: value' line each for deck, version, fact, note, card",
    "deck": "the deck's slug",
    "version": "the release that last changed this card (the lock's record of it)",
    "fact": "the fact id",
    "note": "the note's GUID (how Anki matches notes on import)",
    "card": "the card number (1 for a one-card note; the cloze or mask number otherwise)",
}
EXAMPLE = "https://github.com/ORG/COURSE/issues/new?title={title}&body={body}"


@dataclass(frozen=True, slots=True)
class CardRef:
    """What a report names: one card of one note, as shipped in `version`."""

    deck: str
    version: str
    fact: str
    note: str
    card: int

    @property
    def title(self) -> str:
        return f"{self.deck} {self.version}: {self.fact}, card {self.card}"

    def body(self, newline: str = "\n") -> str:
        lines = (
            f"Deck: {self.deck}",
            f"Version: {self.version}",
            f"Fact: {self.fact}",
            f"Note: {self.note}",
            f"Card: {self.card}",
            "",
            "What is wrong with this card?",
            "",
        )
        return newline.join(lines)


def problems(template: str) -> list[str]:
    """What is wrong with a URL template, each with how to fix it; [] when it is valid."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"{exc} (a literal brace is written {{{{ or }}}})"]
    found = []
    unknown = [
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        for _, name, spec, conversion in parsed
        if name is not None and (name not in PLACEHOLDERS or spec or conversion)
    ]
    if unknown:
        found.append(
            f"unknown placeholder {', '.join(repr(u) for u in unknown)}; the placeholders are "
            + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            + " (a literal brace is written {{ or }})"
        )
    names = {name for _, name, _, _ in parsed if name in PLACEHOLDERS}
    odd = sorted({c for text, *_ in parsed for c in text if c.isspace() or c in '"<>'})
    if odd:
        shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in odd)
        found.append(f"holds {shown}, which a URL cannot: percent-encode it (a space is %20)")
    scheme = template.split(":", 1)[0].lower() if ":" in template else ""
    if scheme not in SCHEMES:
        found.append(
            "must start with https://, http:// or mailto: (a link a phone opens: an issue "
            f"form or an e-mail), e.g. {EXAMPLE}"
        )
    elif scheme != "mailto":
        host = urlsplit(template).netloc
        if not host:
            found.append(f"names no host after {scheme}://, e.g. {EXAMPLE}")
        elif "{" in host:
            found.append("a placeholder cannot be part of the host; put it in the path or query")
    if not found and not {"body", "note"} & names:
        found.append(
            "names neither {body} nor {note}, so a report would not say which card it is "
            "about; add {title} and {body}, or {note} and {card}"
        )
    return found


def fill(template: str, card: CardRef) -> str:
    """The link for one card: every value percent-encoded (RFC 3986; mailto: RFC 6068,
    whose line breaks are CRLF)."""
    mailto = template.lower().startswith("mailto:")
    values = {
        "title": card.title,
        "body": card.body("\r\n" if mailto else "\n"),
        "deck": card.deck,
        "version": card.version,
        "fact": card.fact,
        "note": card.note,
        "card": str(card.card),
    }
    return template.format_map({name: _quoted(values[name]) for name in _names(template)})


_UNRESERVED = string.ascii_letters + string.digits + "_.-~"  # what quote(safe="") keeps
_ESCAPED = {c: f"%{c:02X}" for c in range(128) if chr(c) not in _UNRESERVED}


def _quoted(value: str) -> str:
    """quote(value, safe=""), through one str.translate for ASCII text (quote encodes byte by
    byte in Python: a report link's body, for every card at every build)."""
    return value.translate(_ESCAPED) if value.isascii() else quote(value, safe="")


@functools.lru_cache(maxsize=64)
def _names(template: str) -> frozenset[str]:
    """The placeholders a template uses: only those are encoded (a link per card per build)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True, slots=True)
class Reported:
    """What a pasted report says, as far as it says it (triage finds the rest)."""

    text: str  # the report as plain text (a link's values decoded)
    deck: str | None = None
    version: str | None = None
    fact: str | None = None
    note: str | None = None
    card: int | None = None


_LINE = re.compile(r"^\s*(Deck|Version|Fact|Note|Card):[ \t]*(\S.*?)\s*$", re.MULTILINE)
_TITLE = re.compile(
    r"(?P<deck>[a-z0-9-]+) (?P<version>\S+): (?P<fact>[a-z0-9-]+), card (?P<card>\d+)"
)


def read(report: str) -> Reported:
    """A report as pasted: the issue's or e-mail's text, or the link itself (its query
    values are decoded, so `{note}&{card}` templates read as well as `{body}`)."""
    text = report.strip()
    if _is_link(text):
        parts = urlsplit(text)
        values = [unquote(parts.path)] if parts.scheme.lower() == "mailto" else []
        values += [v for _, v in parse_qsl(parts.query, keep_blank_values=True)]
        text = "\n".join(values)
    found = {key.lower(): value for key, value in _LINE.findall(text)}
    title = _TITLE.search(text)
    if title:
        for key, value in title.groupdict().items():
            found.setdefault(key, value)
    card = found.get("card", "")
    return Reported(
        text=text,
        deck=found.get("deck"),
        version=found.get("version"),
        fact=found.get("fact"),
        note=found.get("note"),
        card=int(card) if card.isdigit() and len(card) < 6 else None,
    )


def _is_link(text: str) -> bool:
    return "\n" not in text and text.split(":", 1)[0].lower() in SCHEMES
