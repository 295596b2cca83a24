"""Stable identities: the same names always give the same ids, whatever the wording or the time.

Anki matches decks and note types by id and notes by GUID on import, so these must
never depend on card text or on when the build ran.
"""

from __future__ import annotations

import hashlib

_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def _digest(*parts: str) -> int:
    joined = "\x1f".join(parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(joined).digest()[:8], "big")


def guid_for(deck_slug: str, fact_id: str, card_id: str) -> str:
    """A note's GUID, in the base-91 alphabet Anki itself uses for GUIDs."""
    number = _digest("note", deck_slug, fact_id, card_id)
    chars = []
    while number:
        number, rest = divmod(number, len(_BASE91))
        chars.append(_BASE91[rest])
    return "".join(reversed(chars)) or _BASE91[0]


def model_id(note_type_key: str) -> int:
    """A note type id in genanki's recommended range [2**30, 2**31)."""
    return (1 << 30) + _digest("note-type", note_type_key) % (1 << 30)


def deck_id(deck_slug: str, subdeck_key: str | None = None) -> int:
    """A deck id in the same range; sub-decks hash their key, not their display name."""
    return (1 << 30) + _digest("deck", deck_slug, subdeck_key or "") % (1 << 30)
