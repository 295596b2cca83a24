"""One build of a deck at a time: an inter-process lock on the deck folder.

A second build waits a little (`FACTDECK_LOCK_WAIT` seconds, default 10), then refuses:
two builds interleaving could leave the lock one edit ahead of the package, and a
package that reuses a note's modification time is one Anki skips as "up to date".
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path

from factdeck.errors import FactdeckError, Location
from factdeck.fs import faults, limits, read
from factdeck.fs.names import MUTEX_FILE

DEFAULT_WAIT = 10.0


@contextlib.contextmanager
def holding(deck_dir: Path) -> Iterator[None]:
    read.refuse_linked_deck(deck_dir)  # before the first write, which would land there
    path = deck_dir / MUTEX_FILE
    try:  # not through a link: a merge can commit one, and it would truncate its target
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FactdeckError.at(
                Location(path),
                f"is a symbolic link (to {os.readlink(path)}); factdeck writes its build lock "
                "here and would overwrite what it points to: delete the link",
            ) from None
        raise FactdeckError.at(
            Location(path),
            f"cannot create the build lock ({exc.strerror}); check the deck folder's permissions",
        ) from None
    try:
        _acquire(fd, path, _wait())
        faults.point("write", path)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _wait() -> float:
    value = os.environ.get("FACTDECK_LOCK_WAIT", "")
    try:
        wait = float(value) if value else DEFAULT_WAIT
    except ValueError:
        wait = math.nan
    if not 0 <= wait <= limits.LOCK_WAIT:  # nan and inf too: a build never waits forever
        raise FactdeckError.at(
            None,
            f"FACTDECK_LOCK_WAIT must be a number of seconds from 0 to {limits.LOCK_WAIT:g}, "
            f"got '{value[:40]}'",
        )
    return wait


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "?"
            raise FactdeckError.at(
                Location(path.parent),
                (
                    f"another factdeck build or release of this deck is running (process "
                    f"{holder}); waited {wait:g} s. Let it finish and run again (set "
                    "FACTDECK_LOCK_WAIT to wait longer)"
                ),
            )
        time.sleep(0.05)
