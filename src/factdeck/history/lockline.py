"""One entry of the lock or the release record as a line, and whether a line read is
exactly that line: a build changes a few entries of tens of thousands, so it writes the
others as they were read instead of serialising each again (issue 23), and that is only
right for a line that is byte for byte what `line` writes for what it holds."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# what other line readers (editors, diff tools, str.splitlines) take for a line end
_BREAKS = ("\u2028", "\u2029", "\x85")
_ESCAPED = str.maketrans({c: f"\\u{ord(c):04x}" for c in _BREAKS})


def line(data: dict[str, Any]) -> str:
    text = _ENCODER.encode(data)
    if _BREAKS[0] in text or _BREAKS[1] in text or _BREAKS[2] in text:
        return text.translate(_ESCAPED)
    return text  # translate reads every character: most lines have no break to escape


def as_written(text: str, keys: int) -> bool:
    """Whether `text`, a line read as a JSON object of `keys` keys holding no object and no
    number but integers (what the lock's validation lets through), is what `line` writes
    for that object with its keys in the order read: no escape (each string as is: `line`
    escapes only quotes, backslashes, control characters and line breaks), no space
    between the strings, no "-0", and no key twice."""
    if "\\" in text or _BREAKS[0] in text or _BREAKS[1] in text or _BREAKS[2] in text:
        return False
    # Without an escape no string holds a '"'. With no space at all, each key ends in '":'
    # (so do strings that start with ':'), and a sign follows ':', '[' or ','.
    spaced = " " in text or "\t" in text or "\r" in text
    signed = ":-" in text or "[-" in text or ",-" in text
    if not spaced and not signed and text.count('":') == keys:
        return True
    between = "".join(text.split('"')[::2])  # every '"' opens or closes a string
    return between.count(":") == keys and not (
        " " in between or "\t" in between or "\r" in between or "-" in between
    )


@lru_cache(maxsize=256)
def in_order(keys: tuple[str, ...], order: tuple[str, ...]) -> bool:
    """Whether `keys` are some of `order`, in its order: as a row built in that order has
    them (a merge or a hand edit may reorder a line's keys)."""
    at = 0
    for key in keys:
        try:
            at = order.index(key, at) + 1
        except ValueError:
            return False
    return True
