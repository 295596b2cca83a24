"""factdeck's own code, which every cache key and the early-stop manifest
include: a build by other code (another release, an edited checkout, a moved module) must
never reuse what this code wrote.

Light on purpose: only the standard library, as the early stop imports it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

CODE_ROOT = Path(__file__).resolve().parent.parent  # the factdeck package, every room of it


def code_files() -> list[Path]:
    """Every module of the package, subpackages included, in a stable order."""
    return sorted(p for p in CODE_ROOT.rglob("*.py") if "__pycache__" not in p.parts)


@functools.cache
def code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(str(path.relative_to(CODE_ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()
