"""One commit point for a build's files: the package, the release notes and the lock become
visible together, or not at all.

Every new file is first written in full beside its destination (`.NAME.*.tmp`). Then a
journal naming every rename (`.factdeck-commit.json` in the deck folder) is renamed into
place: that is the commit point. The renames follow, the lock last; the journal goes.
An interrupted run leaves either no journal (nothing happened: the next run deletes the
temporaries) or a journal (the next run finishes the renames). `recover` does both, and
runs under the deck's build lock (fs/mutex.py) before anything else. File-system errors
propagate as OSError; the build and release turn them into messages (oserrors.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location
from factdeck.fs.names import JOURNAL


@dataclass(frozen=True, slots=True)
class Output:
    """A file of the set: `write` fills a temporary path; None deletes `dest` instead."""

    dest: Path
    write: Callable[[Path], object] | None  # what it returns is ignored


class Transaction:
    """Outputs staged so far; `transaction` publishes them all at its end, or none."""

    def __init__(self) -> None:
        self.moves: list[tuple[Path, Path]] = []
        self.deletes: list[Path] = []

    def add(self, *outputs: Output) -> None:
        """Write these outputs' temporaries now (a failure discards everything staged)."""
        for output in outputs:
            if output.write is None:
                self.deletes.append(output.dest)
                continue
            tmp = _temp_beside(output.dest)
            self.moves.append((tmp, output.dest))
            output.write(tmp)
            _sync(tmp)

    def discard(self) -> None:
        for tmp, _ in self.moves:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def transaction(deck_dir: Path) -> Iterator[Transaction]:
    """Stage outputs inside the block; at its end they all become visible (the lock, staged
    last, replaced last), or, if the block fails, none do."""
    tx = Transaction()
    try:
        yield tx
        journal = {
            "moves": [[str(t), str(d)] for t, d in tx.moves],
            "deletes": [str(d) for d in tx.deletes],
        }
        pending = _temp_beside(deck_dir / JOURNAL)
        tx.moves.append((pending, deck_dir / JOURNAL))
        pending.write_text(json.dumps(journal), encoding="utf-8")
        _sync(pending)
        os.replace(pending, deck_dir / JOURNAL)  # the commit point
        tx.moves.pop()
        _sync_dir(deck_dir)
    except BaseException:
        tx.discard()
        raise
    _finish(deck_dir)


def recover(deck_dir: Path, out_dirs: Sequence[Path] = ()) -> None:
    """Finish a committed but interrupted run; delete the temporaries of an uncommitted one
    (only names factdeck makes: `.factdeck*.tmp` in the deck, `.*.apkg.*.tmp` and
    `.*.md.*.tmp` in the output folders)."""
    if (deck_dir / JOURNAL).exists():
        _finish(deck_dir)
    stale = [*deck_dir.glob(".factdeck*.tmp")]
    for folder in out_dirs:
        if folder.is_dir():
            stale += [*folder.glob(".*.apkg.*.tmp"), *folder.glob(".*.md.*.tmp")]
    for path in stale:
        if path.is_file():
            path.unlink(missing_ok=True)


def _finish(deck_dir: Path) -> None:
    journal_path = deck_dir / JOURNAL
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        moves = [(Path(t), Path(d)) for t, d in journal["moves"]]
        deletes = [Path(d) for d in journal["deletes"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise FactdeckError.at(
            Location(journal_path),
            (
                f"an interrupted build left a damaged journal ({exc}); delete it, restore "
                "factdeck.lock from version control and build again"
            ),
        ) from None
    for path in deletes:
        path.unlink(missing_ok=True)
    for tmp, dest in moves:
        if tmp.exists():
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            _sync_dir(dest.parent)
    journal_path.unlink(missing_ok=True)
    _sync_dir(deck_dir)


def _temp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    return Path(name)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system syncs folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
