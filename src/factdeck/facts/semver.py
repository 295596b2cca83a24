"""A deck's version: a semantic version (semver.org 2.0.0), MAJOR.MINOR.PATCH with an
optional pre-release, and ordered as semver orders them (2.1.0-rc.1 < 2.1.0 < 2.1.1).

A version names files (`dist/<slug>-<version>.apkg`) and orders releases, so anything else
is refused: a path ("../../x", "/"), spaces, control characters, digits that only look like
ASCII ones (full-width "１"), leading zeros, and build metadata ("+build"), which semver
leaves out of the order, so two releases could not be told apart.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER = re.compile(rf"({_NUMBER})\.({_NUMBER})\.({_NUMBER})(?:-({_PRE}(?:\.{_PRE})*))?")
PATTERN = f"^{_SEMVER.pattern}$"  # the same, for JSON Schema (editors mark a wrong version)
_DIGITS = re.compile(r"[0-9]+")
EXAMPLE = '"1.0.0", or "2.1.0-rc.1" before it is final'


def is_version(text: str) -> bool:
    return _SEMVER.fullmatch(text) is not None


def problem(text: str) -> str | None:
    """Why `text` is not a version this tool accepts, with the fix; None if it is one."""
    if is_version(text):
        return None
    shown = _shown(text)
    if any(c.isdigit() and not c.isascii() for c in text):
        why = "it has digits that are not plain ASCII 0-9"
    elif "+" in text:
        why = "build metadata ('+...') does not order releases; leave it out"
    elif any(not (c.isascii() and (c.isalnum() or c in ".-")) for c in text):
        why = "only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear"
    elif re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        why = "it needs three numbers, MAJOR.MINOR.PATCH"
    else:
        why = "it is not MAJOR.MINOR.PATCH with an optional -pre-release, without leading zeros"
    return f"{shown} is not a semantic version: {why}; write e.g. {EXAMPLE}"


@functools.lru_cache(maxsize=256)  # a deck has a few versions, asked per note of the lock
def key(text: str) -> tuple[Any, ...]:
    """Sort key in semver precedence: numbers numerically, a pre-release before its release,
    pre-release fields numeric before alphanumeric, fewer fields first. Text that is not a
    version (only a damaged lock holds one) sorts before every version, never raises."""
    found = _SEMVER.fullmatch(text)
    if found is None:
        return (-1, text)
    major, minor, patch, pre = found.groups()
    fields = tuple(
        (0, int(part), "") if _DIGITS.fullmatch(part) else (1, 0, part)
        for part in (pre.split(".") if pre else ())
    )
    return (int(major), int(minor), int(patch), 0 if pre else 1, fields)


def numbers(text: str) -> tuple[int, int, int] | None:
    """MAJOR, MINOR and PATCH of a version, or None when `text` is not one."""
    found = _SEMVER.fullmatch(text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def _shown(text: str) -> str:
    """The value quoted, with invisible and control characters written as escapes."""
    escaped = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:80]
    )
    return f"'{escaped}{'...' if len(text) > 80 else ''}'"
