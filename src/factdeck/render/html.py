"""Fact text to card HTML (escaped, unless a fact opts into a small safe subset), and card
HTML back to the plain text a student reads (lint, the lock, release notes)."""

from __future__ import annotations

import html
import re

import nh3
from markupsafe import Markup

SHORT = 100
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"[<&]|\s\s|[\t\n\r]|^\s|\s$")
SAFE_TAGS = frozenset({"b", "strong", "i", "em", "sub", "sup", "br"})


def safe_html(text: str) -> Markup:
    """Keep only SAFE_TAGS (no attributes); drop scripts and styles with their content."""
    return Markup(nh3.clean(text, tags=set(SAFE_TAGS), attributes={}, link_rel=None))


def plain(text: str, limit: int | None = SHORT) -> str:
    """Card HTML as the student reads it, on one line: no tags, entities decoded, spaces
    collapsed; cut to `limit` characters (release notes, the lock) unless it is None."""
    if (limit is None or len(text) <= limit) and not _MARKUP.search(text):
        return text
    flat = _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
