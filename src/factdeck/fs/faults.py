"""A test hook, not a feature: every write, rename, delete and fsync that factdeck makes in a
project passes `point` first, so a test can kill a real build or release at each of them
in turn and check what the next run makes of it (tests/fs/test_kill_points.py).

`FACTDECK_FAULT_AT=N` makes the N-th point of the process kill it with SIGKILL, just before
that operation (as `kill -9` or a power cut would leave it); `FACTDECK_FAULT_AT=list`
prints each point on stderr as `factdeck fault point N: WHAT PATH`, to count them. Unset,
a point costs one comparison.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from factdeck.errors import FactdeckError

_AT = os.environ.get("FACTDECK_FAULT_AT") or None
_passed = 0


def point(what: str, path: Path | str) -> None:
    """Pass one write point: `what` is about to happen to `path`."""
    if _AT is None:
        return
    global _passed
    _passed += 1
    if _AT == "list":
        print(f"factdeck fault point {_passed}: {what} {path}", file=sys.stderr, flush=True)
    elif not _AT.isdecimal() or not _AT.isascii():
        raise FactdeckError.at(
            None, f"FACTDECK_FAULT_AT must be a number or 'list', got '{_AT}'; unset it"
        )
    elif _passed == int(_AT):
        os.kill(os.getpid(), signal.SIGKILL)
