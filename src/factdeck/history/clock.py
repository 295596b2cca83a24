"""The time the lock records (a note's change, a release's date), from the build's only clock:
`SOURCE_DATE_EPOCH` when set (reproducible builds), else now."""

from __future__ import annotations

import os
import time

from factdeck.errors import FactdeckError


def now() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    if not value.isdigit():
        raise FactdeckError.at(
            None, f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got '{value}'"
        )
    return int(value)
