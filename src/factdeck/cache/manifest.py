"""What the last build read and wrote, so a rebuild with nothing changed stops early.

Each build takes a digest of every input (the deck folder, the templates, factdeck's own
code, the options) before it reads any of them, and checks it again at its commit point
(pipeline.py): an input edited while the build ran means the build runs again, so a package
never mixes an old and a new file. After a successful build, `<deck>/.factdeck-cache/
manifest.json` records that digest as taken at the start, the sha256 of every file the
build wrote as it wrote it (the package, the tombstones, the lock), None for those it
deleted (a stale changes file: one come back means a full build), with the summary the
command printed (the counts since the last release among it), sealed with this machine's
secret (fs/secret.py: a planted or copied manifest is ignored). When the inputs
and every output still match, rebuilding would write the same files and report no
changes: the command says so without importing the pipeline. Any doubt (a missing or
unreadable manifest, a different digest, an output changed, deleted or come back) means a
full build. The lock is an output here: the build rewrites it, and one edited by hand
differs from the one recorded.

Light on purpose: only the standard library, so the early stop costs milliseconds.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck import installed_version
from factdeck.cache.code import CODE_ROOT
from factdeck.fs import atomic, limits, read, secret
from factdeck.fs.names import CACHE_DIR, JOURNAL, LOCK_NAME, MUTEX_FILE, RECORD_NAME
from factdeck.render.layers import find_templates, layers

MANIFEST = "manifest.json"
FORMAT = 5  # 5: counts since the last release, no release notes (4: every output's digest)
_PURPOSE = "build manifest"


@dataclass(frozen=True, slots=True)
class Summary:
    """What `factdeck build` prints about one deck."""

    name: str
    apkg: Path
    size: int
    notes: int
    retired_notes: int
    cards: int
    media: int
    notes_by_type: tuple[tuple[str, int], ...]
    added: int
    changed: int
    corrected: int  # of `changed`, as `release` counts them
    retired: int
    unchanged: int
    note_types: int  # note types whose layout or fields changed
    since: str | None  # the last release's version the counts are since; None: never released
    facts: int
    findings: tuple[str, ...]
    template_updates: tuple[str, ...] = ()  # said by the build that made them, not again
    retired_files: tuple[Path, ...] = ()  # the tombstone packages beside `apkg`


def options(flags: Mapping[str, bool]) -> str:
    """The build's override flags (release.guards.Allow), as recorded."""
    return ",".join(f"{name}={bool(value)}" for name, value in sorted(flags.items()))


def unchanged(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None, options: str
) -> Summary | None:
    """The summary of the last build if nothing it read or wrote has changed since."""
    if (
        (deck_dir / JOURNAL).exists()
        or any(deck_dir.glob(".factdeck*.tmp"))
        or any(out_dir.glob(".*.tmp"))
    ):
        return None  # an interrupted build: the full build recovers it (commit.py)
    try:
        blob = read.read_bytes(deck_dir / CACHE_DIR / MANIFEST, limits.CACHE_ENTRY)
        mac, _, payload = blob.partition(b"\n")
        if not secret.is_sealed(_PURPOSE, payload, mac.decode("ascii", "replace")):
            return None  # not written by this machine's factdeck (planted, copied, damaged)
        saved = json.loads(payload)
        if saved.get("format") != FORMAT:
            return None
        digest = inputs_digest(deck_dir, out_dir, templates_dir, options)
        if digest is None or saved["inputs"] != digest:
            return None
        outputs = saved["outputs"]
        if not isinstance(outputs, dict) or not all(
            file_digest(Path(path)) == expected for path, expected in outputs.items()
        ):
            return None
        return _summary(saved["summary"])
    except (read.NotReadable, OSError, ValueError, KeyError, TypeError):
        return None


def record(
    deck_dir: Path, inputs: str | None, outputs: Mapping[Path, str | None], summary: Summary
) -> None:
    """Remember a successful build for the next one (after its outputs are in place):
    `inputs` as digested before the build read them, `outputs` each file's sha256 as the
    build wrote it (None: deleted)."""
    folder = deck_dir / CACHE_DIR
    try:
        if inputs is None:
            atomic.delete(folder / MANIFEST)
            return
        folder.mkdir(exist_ok=True)
        data = {
            "format": FORMAT,
            "inputs": inputs,
            "outputs": {str(path.absolute()): digest for path, digest in outputs.items()},
            "summary": _plain(dataclasses.replace(summary, template_updates=())),
        }
        payload = json.dumps(data).encode()
        mac = secret.seal(_PURPOSE, payload)
        if mac is None:
            return
        with atomic.replacing(folder / MANIFEST) as tmp:
            tmp.write_bytes(mac.encode() + b"\n" + payload)
    except OSError:
        pass  # no manifest only means the next rebuild does the full work


def inputs_digest(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None, options: str
) -> str | None:
    """Every file a build reads but does not write, by path and content, and where and how
    it builds; None when a file is odd or unreadable (the full build says what it is)."""
    templates = templates_dir or find_templates(deck_dir)
    code = _code_digest()
    if code is None:
        return None
    digest = hashlib.sha256(
        f"{FORMAT}\0{installed_version()}\0{deck_dir}\0{out_dir.resolve()}\0"
        f"{templates.resolve()}\0{options}\0{Path.cwd()}\0".encode()
        + code
    )
    for root in (deck_dir, *layers(templates).folders):
        if not _digest_files(digest, root, out_dir.resolve(), links=False):
            return None
    return digest.hexdigest()


@functools.cache
def _code_digest() -> bytes | None:
    """factdeck's own files, once per process: the code running is the code first read (a
    build sees a change of it by the next run, as the manifest keeps the digest)."""
    digest = hashlib.sha256()
    return digest.digest() if _digest_files(digest, CODE_ROOT, None) else None


def _digest_files(digest: Any, root: Path, out_dir: Path | None, links: bool = True) -> bool:
    paths = _plain_files(root, out_dir, links)
    if paths is None:
        return False
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(read.read_bytes(path, limits.INPUT_DIGEST)).digest())
        except read.NotReadable:
            return False
    return True


def _plain_files(root: Path, out_dir: Path | None, links: bool) -> list[Path] | None:
    """Every file below `root` that a build may read but does not write, or None when
    anything is odd (an unreadable folder, a pipe, a device, a socket; without `links`, a
    symbolic link, which a diagram must not be): the full build then says what it is. Not the lock, nor the output folder when it is inside: outputs, which
    the manifest records as written; nor factdeck's own files while a build runs."""
    found: list[Path] = []
    odd: list[OSError] = []
    for folder, dirs, names in os.walk(root, onerror=odd.append):
        if any(read.is_yaml_name(d) for d in dirs):
            return None  # a folder named like a fact file: the full build refuses it
        if not links and any(os.path.islink(os.path.join(folder, n)) for n in (*dirs, *names)):
            return None
        dirs[:] = [
            d
            for d in dirs
            if d not in (CACHE_DIR, "__pycache__")
            and not (out_dir and d == out_dir.name and (Path(folder) / d).resolve() == out_dir)
        ]
        for name in names:
            path = Path(folder) / name
            if name in (MUTEX_FILE, JOURNAL) or (
                name.startswith(".factdeck") and name.endswith(".tmp")
            ):
                continue
            if name in (LOCK_NAME, RECORD_NAME) and Path(folder) == root:
                continue
            try:
                if not stat.S_ISREG(path.stat().st_mode):
                    return None
            except OSError:
                return None  # a dangling link, or one that cannot be followed
            found.append(path)
    return None if odd else sorted(found)


def file_digest(path: Path) -> str | None:
    """The sha256 of a plain file, None when nothing is there; anything else in its place (a
    folder, a pipe, a dangling link) matches neither."""
    if not os.path.lexists(path):
        return None
    try:  # opened without blocking: a pipe in its place must not hang the early stop
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "not a plain file"
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return "not readable"


def _plain(summary: Summary) -> dict[str, Any]:
    data = dataclasses.asdict(summary)
    data["apkg"] = str(summary.apkg)
    data["retired_files"] = [str(p) for p in summary.retired_files]
    return data


def _summary(data: dict[str, Any]) -> Summary:
    return Summary(
        **{
            **data,
            "apkg": Path(data["apkg"]),
            "notes_by_type": tuple(tuple(pair) for pair in data["notes_by_type"]),
            "findings": tuple(data["findings"]),
            "template_updates": tuple(data.get("template_updates", ())),
            "retired_files": tuple(Path(p) for p in data.get("retired_files", ())),
        }
    )
