"""What the last build read and reported, so a rebuild with nothing changed stops early.

After each successful build, `<deck>/.factdeck-cache/manifest.json` records a digest of
every input (the deck folder with its lock, the templates, factdeck's own code, the
options) and of the package it wrote, with the summary the command printed, sealed with
this machine's secret (fs/secret.py: a planted or copied manifest is ignored). When all of
them still match, rebuilding would write the same package and lock and report no changes:
the command says so without importing the pipeline. Any doubt (a missing or unreadable
manifest, a different digest, a package changed or gone) means a full build.

Light on purpose: only the standard library, so the early stop costs milliseconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck.cache.code import CODE_ROOT, version
from factdeck.fs import read, secret
from factdeck.fs.names import CACHE_DIR, JOURNAL, MUTEX_FILE
from factdeck.render.layers import find_templates, layers

MANIFEST = "manifest.json"
FORMAT = 3  # 3: sealed with the machine's secret
_PURPOSE = "build manifest"
_READ_LIMIT = 64 * 1024 * 1024  # larger inputs are left to the full build to refuse


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
    retired: int
    unchanged: int
    since: str  # "unreleased changes since 1.0.0", or "changes (never released)"
    release_notes: Path | None
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
        mac, _, payload = (deck_dir / CACHE_DIR / MANIFEST).read_bytes().partition(b"\n")
        if not secret.is_sealed(_PURPOSE, payload, mac.decode("ascii", "replace")):
            return None  # not written by this machine's factdeck (planted, copied, damaged)
        saved = json.loads(payload)
        if saved.get("format") != FORMAT:
            return None
        digest = inputs_digest(deck_dir, out_dir, templates_dir, options)
        summary = _summary(saved["summary"])
        if (
            digest is None
            or saved["inputs"] != digest
            or saved["package"] != _file_digest(summary.apkg)
            or not all(p.is_file() for p in summary.retired_files)
        ):
            return None
        return summary
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None, options: str, summary: Summary
) -> None:
    """Remember a successful build for the next one (after its outputs are in place)."""
    folder = deck_dir / CACHE_DIR
    digest = inputs_digest(deck_dir, out_dir, templates_dir, options)
    try:
        if digest is None:
            (folder / MANIFEST).unlink(missing_ok=True)
            return
        folder.mkdir(exist_ok=True)
        data = {
            "format": FORMAT,
            "inputs": digest,
            "package": _file_digest(summary.apkg),
            "summary": _plain(dataclasses.replace(summary, template_updates=())),
        }
        payload = json.dumps(data).encode()
        mac = secret.seal(_PURPOSE, payload)
        if mac is None:
            return
        tmp = folder / f"{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_bytes(mac.encode() + b"\n" + payload)
        tmp.replace(folder / MANIFEST)
    except OSError:
        pass  # no manifest only means the next rebuild does the full work


def inputs_digest(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None, options: str
) -> str | None:
    templates = templates_dir or find_templates(deck_dir)
    digest = hashlib.sha256(
        f"{FORMAT}\0{version()}\0{deck_dir}\0{out_dir.resolve()}\0"
        f"{templates.resolve()}\0{options}\0{Path.cwd()}\0".encode()
    )
    for root in (CODE_ROOT, deck_dir, *layers(templates).folders):
        paths = _plain_files(root)
        if paths is None:
            return None
        for path in paths:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            try:
                digest.update(hashlib.sha256(read.read_bytes(path, _READ_LIMIT)).digest())
            except read.NotReadable:
                return None
    return digest.hexdigest()


def _plain_files(root: Path) -> list[Path] | None:
    """Every file below `root` that a build may read, or None when anything is odd (an
    unreadable folder, a pipe, a device, a socket): the full build then says what it is."""
    found: list[Path] = []
    odd: list[OSError] = []
    for folder, dirs, names in os.walk(root, onerror=odd.append):
        dirs[:] = [d for d in dirs if d not in (CACHE_DIR, "__pycache__")]
        for name in names:
            path = Path(folder) / name
            if name == MUTEX_FILE:
                continue
            try:
                if not stat.S_ISREG(path.stat().st_mode):
                    return None
            except OSError:
                return None  # a dangling link, or one that cannot be followed
            found.append(path)
    return None if odd else sorted(found)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain(summary: Summary) -> dict[str, Any]:
    data = dataclasses.asdict(summary)
    data["apkg"] = str(summary.apkg)
    data["release_notes"] = str(summary.release_notes) if summary.release_notes else None
    data["retired_files"] = [str(p) for p in summary.retired_files]
    return data


def _summary(data: dict[str, Any]) -> Summary:
    return Summary(
        **{
            **data,
            "apkg": Path(data["apkg"]),
            "notes_by_type": tuple(tuple(pair) for pair in data["notes_by_type"]),
            "release_notes": data["release_notes"] and Path(data["release_notes"]),
            "findings": tuple(data["findings"]),
            "template_updates": tuple(data.get("template_updates", ())),
            "retired_files": tuple(Path(p) for p in data.get("retired_files", ())),
        }
    )
