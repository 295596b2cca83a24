"""One commit point for a build's files: the package, the release notes and the lock become
visible together, or not at all.

Every new file is first written in full beside its destination (`.NAME.*.tmp`). Then a
journal naming every rename (`.factdeck-commit.json` in the deck folder) is renamed into
place: that is the commit point. The renames follow, the lock last; the journal goes.
An interrupted run leaves either no journal (nothing happened: the next run deletes the
temporaries) or a journal (the next run finishes the renames). `recover` does both, and
runs under the deck's build lock (fs/mutex.py) before anything else. File-system errors
propagate as OSError; the build and release turn them into messages (oserrors.py).

A journal is an instruction to rename and delete files, and one may arrive with a merge or
a copy. So it is obeyed only if it carries an HMAC under this machine's secret
(fs/secret.py) over its content and the deck folder it was written for, which no
planted, committed or copied journal can carry, and only for what factdeck itself does:
a temporary `.NAME.*.tmp` renamed onto NAME beside it, or a file deleted, directly in the
deck folder or in the output folder the journal names (the interrupted run's, whatever
folder the run that recovers it writes to). Anything else is refused with a message and
left in place, with everything it names, for the user.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location, shown_path
from factdeck.fs import atomic, faults, limits, read, secret
from factdeck.fs.names import JOURNAL

_FORMAT = 2  # 2: sealed, paths confined (1: plain paths, never obeyed again)
_PURPOSE = "commit journal"


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
        # each destination's sha256 as staged, None for a delete: what the early stop
        # checks the files against (cache/manifest.py), from the bytes written, not re-read
        self.written: dict[Path, str | None] = {}

    def add(self, *outputs: Output) -> None:
        """Write these outputs' temporaries now (a failure discards everything staged)."""
        for output in outputs:
            if output.write is None:
                self.deletes.append(output.dest)
                self.written[output.dest] = None
                continue
            tmp = atomic.temporary_beside(output.dest)
            self.moves.append((tmp, output.dest))
            faults.point("write", tmp)
            output.write(tmp)
            _sync(tmp)
            self.written[output.dest] = _sha256(tmp)

    def discard(self) -> None:
        for tmp, _ in self.moves:
            atomic.delete(tmp)


@contextlib.contextmanager
def transaction(deck_dir: Path, out_dir: Path) -> Iterator[Transaction]:
    """Stage outputs (in the deck folder and `out_dir`) inside the block; at its end they
    all become visible (the lock, staged last, replaced last), or, if the block fails,
    none do."""
    tx = Transaction()
    try:
        yield tx
        journal = _sealed(
            deck_dir,
            {
                "format": _FORMAT,
                "out": _absolute(out_dir),
                "moves": [[_absolute(t), _absolute(d)] for t, d in tx.moves],
                "deletes": [_absolute(d) for d in tx.deletes],
            },
        )
        pending = atomic.temporary_beside(deck_dir / JOURNAL)
        tx.moves.append((pending, deck_dir / JOURNAL))
        faults.point("write", pending)
        pending.write_text(journal, encoding="utf-8")
        _sync(pending)
        faults.point("rename", pending)
        os.replace(pending, deck_dir / JOURNAL)  # the commit point
        tx.moves.pop()
        _sync_dir(deck_dir)
    except BaseException:
        tx.discard()
        raise
    _apply(deck_dir, tx.moves, tx.deletes)


def recover(deck_dir: Path, out_dirs: Sequence[Path] = ()) -> tuple[Path, ...]:
    """Finish a committed but interrupted run; delete the temporaries of an uncommitted one
    (only names factdeck makes: `.factdeck*.tmp` in the deck, `.*.apkg.*.tmp` and
    `.*.md.*.tmp` in the output folders). A journal factdeck did not write here is refused.
    Returns the files a finished run's journal named (none if there was none), so that a
    command can say what the interrupted run had already done."""
    finished = _finish(deck_dir, out_dirs) if (deck_dir / JOURNAL).exists() else ()
    stale = [*deck_dir.glob(".factdeck*.tmp")]
    for folder in out_dirs:
        if folder.is_dir():
            stale += [*folder.glob(".*.apkg.*.tmp"), *folder.glob(".*.md.*.tmp")]
    for path in stale:
        if path.is_file():
            atomic.delete(path)
    return finished


def refused_journal(deck_dir: Path, out_dirs: Sequence[Path]) -> None:
    """Raise if the deck folder holds a journal that the next build would refuse, for its
    seal or for the names in it (`check` says so rather than leave it for `release`);
    `out_dirs` stand for the output folder of a journal that names none."""
    if (deck_dir / JOURNAL).exists() or (deck_dir / JOURNAL).is_symlink():
        _followable(deck_dir, out_dirs)


def _finish(deck_dir: Path, out_dirs: Sequence[Path]) -> tuple[Path, ...]:
    moves, deletes = _followable(deck_dir, out_dirs)
    _apply(deck_dir, moves, deletes)
    return (*(dest for _, dest in moves), *deletes)


def _followable(
    deck_dir: Path, out_dirs: Sequence[Path]
) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """The journal's moves and deletes, if factdeck sealed it here and it names only
    factdeck's own files directly in the deck folder or its output folder (`out_dirs` for
    one written before journals named it); else refused."""
    journal_path = deck_dir / JOURNAL
    moves, deletes, out = _journal(deck_dir)
    out_dirs = out_dirs if out is None else (out,)
    roots = {deck_dir.resolve(), *(folder.resolve() for folder in out_dirs)}
    outside = [
        path
        for path in (*deletes, *(p for move in moves for p in move))
        if path.parent.resolve() not in roots or path.name in ("", ".", "..")
    ]
    strange = [(t, d) for t, d in moves if not atomic.is_temporary_of(t, d)]
    if outside or strange:
        where = outside[0] if outside else strange[0][0]
        raise _refused(
            journal_path,
            f"it names '{shown_path(where)}', which is not factdeck's own file in this deck "
            f"folder or in the output folder ({', '.join(str(shown_path(f)) for f in out_dirs)})",
        )
    return moves, deletes


def _apply(deck_dir: Path, moves: Sequence[tuple[Path, Path]], deletes: Sequence[Path]) -> None:
    """The renames and deletes of a committed run, then the journal goes."""
    for path in deletes:
        atomic.delete(path)
    for tmp, dest in moves:
        if tmp.exists():
            os.chmod(tmp, 0o644)
            faults.point("rename", tmp)
            os.replace(tmp, dest)
            _sync_dir(dest.parent)
    atomic.delete(deck_dir / JOURNAL)
    _sync_dir(deck_dir)


def _sealed(deck_dir: Path, body: dict[str, object]) -> str:
    return json.dumps({**body, "mac": secret.seal(_PURPOSE, _signed(deck_dir, body), False)})


def _signed(deck_dir: Path, body: dict[str, object]) -> bytes:
    """What the seal covers: the journal's content and the deck folder it belongs to."""
    return json.dumps([str(deck_dir.resolve()), body], sort_keys=True).encode()


def _journal(deck_dir: Path) -> tuple[list[tuple[Path, Path]], list[Path], Path | None]:
    """The moves, deletes and output folder of the deck's journal, if factdeck wrote it
    here."""
    journal_path = deck_dir / JOURNAL
    try:
        journal = read.json_value(read.read_bytes(journal_path, limits.JOURNAL))
        mac = journal.pop("mac", None)
        if journal.get("format") == _FORMAT and secret.is_sealed(
            _PURPOSE, _signed(deck_dir, journal), mac
        ):
            out = journal.get("out")
            return (
                [(Path(t), Path(d)) for t, d in journal["moves"]],
                [Path(d) for d in journal["deletes"]],
                None if out is None else Path(out),
            )
    except (read.NotReadable, OSError, ValueError, TypeError, KeyError, AttributeError):
        pass  # a pipe, a folder, too big, not JSON, not a mapping: not one factdeck wrote
    raise _refused(
        journal_path,
        "it was not written by factdeck on this machine for this folder (it may have "
        "come with a merge, a copy or another checkout, or be damaged)",
    )


def _refused(journal_path: Path, why: str) -> FactdeckError:
    return FactdeckError.at(
        Location(journal_path),
        f"this commit journal was not followed: {why}. Nothing was moved or deleted, and "
        "it is left in place. If no build of this deck was interrupted, delete it and "
        "build again; if one was, restore factdeck.lock from version control, delete the "
        "journal and build again",
    )


def _absolute(path: Path) -> str:
    """`path` absolute and without `..`, as the temporaries beside it are named (mkstemp),
    so a run with `--out ../x` recognises its own `.NAME.*.tmp` beside NAME."""
    return os.path.abspath(path)


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _sync(path: Path) -> None:
    faults.point("fsync", path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    faults.point("fsync", folder)
    with contextlib.suppress(OSError):  # not every file system syncs folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
