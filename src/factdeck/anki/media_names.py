"""Media file names Anki keeps exactly as written.

Anki's importer stores a media file under a normalised name (rslib
media/files.rs, `normalize_filename`): NFC form; `[ ] < > : " / ? * ^ \\ |`,
control and unassigned characters removed; no-break spaces made plain; Windows
device names (CON, NUL, COM1...) given a `_`; a trailing space or dot given a `_`;
at most 120 bytes. A name it would change means cards that point at a file that
is not there (and a name with folders is refused outright), so factdeck makes
names that are already normal and `verify` checks every name in the package again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_BYTES = 120  # rslib sync/media MAX_MEDIA_FILENAME_LENGTH
_DISALLOWED = re.compile(r'[\[\]<>:"/?*^\\|\x00-\x1f\x7f]')
_DEVICE = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\.|$)", re.IGNORECASE)
_UNSAFE_RUN = re.compile(r"[^\w-]+")


def anki_normalized(name: str) -> str:
    """The name Anki would store a media file under (without its 120-byte truncation)."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(c for c in _DISALLOWED.sub("", text) if unicodedata.category(c) != "Cn")
    text = _DEVICE.sub(r"\1_\2", text.replace("\xa0", " "))
    return text + "_" if text.endswith((" ", ".")) else text


def rename_problem(name: str) -> str | None:
    """Why Anki would not keep `name` as it is, or None when it would."""
    if not name:
        return "is empty"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is over {MAX_NAME_BYTES} bytes, and Anki would cut it short"
    normal = anki_normalized(name)
    if normal != name:
        return f"is one Anki would store as '{normal}', so cards would not find it"
    return None


def media_name(prefix: str, parts: Iterable[str], digest: str, suffix: str) -> str:
    """`prefix-part-part-digest.suffix`, each part reduced to lower-case letters, digits, '-'
    and '_' (Anki's add-media path lower-cases names), shortened (never the digest) to fit
    Anki's length limit."""
    cleaned = [
        _UNSAFE_RUN.sub("-", unicodedata.normalize("NFC", p).lower()).strip("-") for p in parts
    ]
    middle = "-".join(p for p in cleaned if p)
    fixed = f"{prefix}--{digest}{suffix}"
    room = MAX_NAME_BYTES - len(fixed.encode("utf-8"))
    middle = middle.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore").strip("-")
    return f"{prefix}-{middle}-{digest}{suffix}" if middle else f"{prefix}-{digest}{suffix}"
