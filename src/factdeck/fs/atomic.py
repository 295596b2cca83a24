"""Write-then-rename, so a failed build never leaves a half-written file where a good one was,
nor a failed `new` a half-written folder; deletes; and scratch folders beside what a command
writes, never in the system's temporary folder. Each write is a point of faults.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from factdeck.fs import faults


@contextlib.contextmanager
def replacing(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it replaces `dest`, else it is removed."""
    tmp = temporary_beside(dest)
    try:
        faults.point("write", tmp)
        yield tmp
        os.chmod(tmp, 0o644)
        faults.point("rename", tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def new_folder(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside `dest` (missing or empty) to fill; on success
    it is renamed to `dest` in one step, else removed with everything in it and any parent
    folder made for it, so a failed `factdeck new` leaves no half-written deck."""
    made = [p for p in (dest.parent, *dest.parent.parents) if not p.exists()]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if dest.is_dir():
            dest.rmdir()  # empty (checked by the caller): the rename takes its place
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


@contextlib.contextmanager
def scratch_folder(folder: Path, purpose: str) -> Iterator[Path]:
    """Yield a new private folder `.factdeck-PURPOSE.*.tmp` in `folder` (git-ignored as
    `.factdeck*.tmp`) for files a library needs on disk; when the block ends, however it
    ends (an error, Ctrl-C), it goes with everything in it, links removed, never followed,
    and so does `folder` if it was made for it and is left empty."""
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".factdeck-{purpose}.", suffix=".tmp", dir=folder))
    try:
        faults.point("write", tmp)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for parent in made:  # innermost first
            with contextlib.suppress(OSError):
                parent.rmdir()


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write each relative path's text under `root`, making folders as needed."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def delete(path: Path) -> None:
    """Delete the file at `path`, if there is one."""
    if path.exists() or path.is_symlink():
        faults.point("delete", path)
        path.unlink(missing_ok=True)


def temporary_beside(dest: Path) -> Path:
    """A new empty file `.NAME.*.tmp` beside `dest` (NAME without a second leading dot, so
    `.factdeck-commit.json`'s is `.factdeck*.tmp`, as recovery and .gitignore expect)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=_prefix(dest.name), suffix=".tmp", dir=dest.parent)
    os.close(fd)
    return Path(name)


def is_temporary_of(tmp: Path, dest: Path) -> bool:
    """Whether `tmp` is a name `temporary_beside(dest)` makes."""
    return (
        tmp.parent == dest.parent
        and tmp.name.startswith(_prefix(dest.name))
        and tmp.name.endswith(".tmp")
        and "/" not in tmp.name
    )


def _prefix(name: str) -> str:
    return f"{name}." if name.startswith(".") else f".{name}."
