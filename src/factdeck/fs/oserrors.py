"""Environment failures while writing (read-only folders, a full disk, a file where a folder
should be) as messages that say what to do, instead of tracebacks.

The build writes every file to a temporary name first and replaces the old one only
when it is complete, so when this reports a failure the previous files are intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from factdeck.errors import FactdeckError, Location

# What a failed build or release leaves: the commit point (commit.py) publishes all or none.
BUILD_KEPT = "nothing was changed: the previous package, release notes and lock are as they were"

_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space and build again",
    errno.EDQUOT: "your disk quota is used up; free some space and build again",
    errno.EROFS: "it is on a read-only file system; build with --out DIR somewhere writable",
    errno.EACCES: "you may not write there; make it writable (chmod u+w) or build with "
    "--out DIR somewhere else",
    errno.EPERM: "you may not write there; make it writable (chmod u+w) or build with "
    "--out DIR somewhere else",
    errno.ENOTDIR: "part of that path is a file, not a folder; choose another --out folder",
    errno.EEXIST: "a file is in the way of a folder; choose another --out folder",
}


_ABOUT_THE_FOLDER = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


@contextlib.contextmanager
def reported(what: str = "cannot write", kept: str = "nothing was replaced") -> Iterator[None]:
    """Turn an OSError from the file system into a FactdeckError naming the path and saying
    what was left as it was (`kept`)."""
    try:
        yield
    except FactdeckError:
        raise
    except OSError as exc:
        named = exc.filename and isinstance(exc.filename, str | bytes | os.PathLike)  # not an fd
        where = Location(_shown(Path(os.fsdecode(exc.filename)), exc.errno)) if named else None
        advice = _ADVICE.get(exc.errno or 0, "check the folder and try again")
        reason = exc.strerror or str(exc)
        raise FactdeckError.at(where, f"{what} ({reason}): {advice}; {kept}") from None


def _shown(path: Path, code: int | None) -> Path:
    """The folder to fix, not the temporary file that could not be made in it."""
    return path.parent if code in _ABOUT_THE_FOLDER and not path.is_dir() else path
