"""The time the lock records (a note's change, a release's date), from the build's only clock:
`SOURCE_DATE_EPOCH` when set (reproducible builds), else now."""

from __future__ import annotations

import os
import re
import time

from factdeck.errors import FactdeckError
from factdeck.fs import limits


def now() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    # ASCII digits only (str.isdigit also takes '١٢'), and a date a lock and Anki can hold
    if not re.fullmatch("[0-9]{1,20}", value) or int(value) > limits.LATEST_TIME:
        raise FactdeckError.at(
            None,
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (0 to {limits.LATEST_TIME}, "
            f"the end of the year 9999), got '{value[:40]}'",
        )
    return int(value)
