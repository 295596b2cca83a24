"""Per fact file, its validated facts and expanded notes, kept between builds.

A file's entry is keyed by a digest of everything its notes depend on: the file's bytes
and path, deck.yaml and every other non-YAML file of the deck (diagrams), every template
file, and factdeck's own version and code. An edit anywhere else cannot reach it, so a
rebuild after one edit parses, validates and renders one file. The cache lives in
`<deck>/.factdeck-cache/` (git-ignored); an entry that is missing, unreadable, corrupt,
from another version, or holds anything but factdeck's own records is ignored and
rebuilt, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdeck.cache.code import code_digest, version
from factdeck.errors import Location
from factdeck.fs import read
from factdeck.fs.names import CACHE_DIR, LOCK_NAME
from factdeck.lint.engine import Card, FileLint, Finding, Seen
from factdeck.model import Entry, Media, NoteSpec
from factdeck.render.layers import layers

FORMAT = b"factdeck-filecache-2\n"  # 2: modules moved into rooms (pickles name them)
# What a cache entry may contain: factdeck's records and the values inside them.
_ALLOWED_MODULES = (
    "factdeck.",
    "pathlib",
    "markupsafe",
    "pydantic",
    "pydantic_core",
    "copyreg",
    "collections",
)
_ALLOWED_BUILTINS = {
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "str",
    "int",
    "float",
    "bool",
    "object",
    "getattr",
}


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one fact file yields: its facts in order, their notes in order, and the per-card
    lint of those notes."""

    entries: tuple[Entry, ...]
    notes: tuple[NoteSpec, ...]
    lint: FileLint


_READ_LIMIT = 64 * 1024 * 1024  # larger inputs are left to the plain stages to refuse


def context_digest(deck_dir: Path, deck_file: Path, templates_root: Path) -> bytes:
    """Everything outside a fact file that its entries and notes depend on."""
    digest = hashlib.sha256(FORMAT)
    for part in (
        sys.version,
        version("factdeck"),
        version("pydantic"),
        version("jinja2"),
        str(deck_dir),
    ):
        digest.update(part.encode() + b"\0")
    extra = [
        p
        for p in _files(deck_dir)  # diagrams; not the lock nor the build's own files
        if p.suffix not in (".yaml", ".yml")
        and p.name != LOCK_NAME
        and not p.name.startswith(".factdeck")
    ]
    digest.update(code_digest())
    for path in (deck_file, *extra):
        digest.update(str(path.relative_to(deck_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(read.read_bytes(path, _READ_LIMIT)).digest())
    for relative, path in layers(templates_root).files().items():  # the files a build reads
        digest.update(f"{relative}\0{path}\0".encode())
        digest.update(hashlib.sha256(read.read_bytes(path, _READ_LIMIT)).digest())
    return digest.digest()


def seen_key() -> str:
    """The last lint's near-duplicate pairs depend only on the cards and on factdeck."""
    return hashlib.sha256(
        FORMAT + b"seen\0" + version("factdeck").encode() + code_digest()
    ).hexdigest()


def file_key(context: bytes, path: Path, data: bytes) -> str:
    return hashlib.sha256(context + str(path).encode() + b"\0" + data).hexdigest()


class Store:
    """The cache folder of one deck: get and put by key, forget what a build did not use."""

    def __init__(self, deck_dir: Path) -> None:
        self.folder = deck_dir / CACHE_DIR
        self.used: set[str] = set()

    def get(self, key: str) -> FileResult | None:
        found = self._get(key)
        return found if _well_formed(found) else None  # type: ignore[return-value]

    def get_seen(self, key: str) -> Seen | None:
        found = self._get(key)
        return found if isinstance(found, Seen) else None

    def _get(self, key: str) -> object:
        self.used.add(key)
        try:
            blob = (self.folder / f"{key}.pickle").read_bytes()
        except OSError:
            return None
        check, payload = blob[:32], blob[32:]
        if hashlib.sha256(key.encode() + payload).digest() != check:
            return None  # corrupt, truncated, or written for another key
        try:
            result = _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # any unreadable entry is rebuilt, whatever broke it
            return None
        return result

    def put(self, key: str, result: FileResult | Seen) -> None:
        self.used.add(key)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _DISPATCH
        pickler.dump(result)
        payload = buffer.getvalue()
        blob = hashlib.sha256(key.encode() + payload).digest() + payload
        try:
            self.folder.mkdir(exist_ok=True)
            _ignore_in_git(self.folder)
            tmp = self.folder / f"{key}.{os.getpid()}.tmp"
            tmp.write_bytes(blob)
            tmp.replace(self.folder / f"{key}.pickle")
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def prune(self) -> None:
        """Delete entries this build did not use (old versions of edited files)."""
        if not self.folder.is_dir():
            return
        keep = self.used | {seen_key()}
        for path in self.folder.glob("*.pickle"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)


def _by_constructor(record: Any) -> tuple[type, tuple[object, ...]]:
    """Pickle a frozen dataclass as its constructor's arguments: loading it then costs one
    call, not dataclasses' generic __setstate__ (most of the time of a cached build)."""
    kind = type(record)
    return kind, tuple(getattr(record, field.name) for field in dataclasses.fields(kind))


_DISPATCH: dict[type, Callable[[Any], Any]] = {
    kind: _by_constructor
    for kind in (NoteSpec, Entry, Media, Location, Card, Finding, FileLint, Seen)
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module == "builtins" and name in _ALLOWED_BUILTINS) or (
            module.startswith(_ALLOWED_MODULES)
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


def _well_formed(result: object) -> bool:
    return (
        isinstance(result, FileResult)
        and isinstance(result.entries, tuple)
        and isinstance(result.notes, tuple)
        and all(isinstance(e, Entry) for e in result.entries)
        and all(isinstance(n, NoteSpec) for n in result.notes)
        and isinstance(result.lint, FileLint)
    )


def _ignore_in_git(folder: Path) -> None:
    """The folder ignores itself, so no project needs a .gitignore line for it."""
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# factdeck's build cache: safe to delete\n*\n")


def _files(root: Path) -> list[Path]:
    """Every file but folders (a pipe or device too: reading it refuses, read.read_bytes)."""
    return sorted(
        p
        for p in root.rglob("*")
        if not p.is_dir() and CACHE_DIR not in p.parts and "__pycache__" not in p.parts
    )
