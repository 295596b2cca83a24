"""Per fact file, its validated facts and expanded notes, kept between builds.

A file's entry is keyed by a digest of everything its notes depend on, by content: the
file's bytes and its path inside the deck, deck.yaml and every other non-YAML file of the
deck (diagrams), every template file (which layer it is in, and its bytes), and factdeck's
own version and code. No absolute path is part of a key or an entry, so a moved project
keeps its cache and a copied one can only reuse what its own files would make. An edit
anywhere else cannot reach an entry, so a rebuild after one edit parses, validates and
renders one file.

The cache lives in `<deck>/.factdeck-cache/` (git-ignored), one JSON row per entry
(rows.py), sealed with this machine's secret (fs/secret.py): an entry that is missing,
unreadable, unsealed or sealed elsewhere (a planted or committed file, another machine's),
of another shape or format, or naming a drawing that is not the one in the folder now, is
ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from factdeck import installed_version
from factdeck.cache import rows
from factdeck.cache.code import code_digest
from factdeck.facts.model import Entry, NoteSpec
from factdeck.fs import atomic, limits, read, secret
from factdeck.fs.names import CACHE_DIR, LOCK_NAME, RECORD_NAME
from factdeck.lint.engine import FileLint, Finding, Seen
from factdeck.render.layers import is_builtin, layers

FORMAT = f"factdeck-filecache-{rows.FORMAT}\n".encode()
_PURPOSE = "build cache entry"
_ENTRY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one fact file yields: its facts in order and their notes in order."""

    entries: tuple[Entry, ...]
    notes: tuple[NoteSpec, ...]


@dataclass(frozen=True, slots=True)
class Context:
    """What every fact file's entry depends on besides the file: its digest, and the digest
    of each of the deck's other files (diagrams) by path inside the deck."""

    digest: bytes
    drawings: dict[str, str]


def context(deck_dir: Path, deck_file: Path, templates_root: Path) -> Context:
    """Everything outside a fact file that its entries and notes depend on, by content."""
    digest = hashlib.sha256(FORMAT)
    digest.update(_made_by())
    drawings = {}
    for path in (deck_file, *_files(deck_dir)):
        inside = path.relative_to(deck_dir).as_posix()
        drawings[inside] = hashlib.sha256(read.read_bytes(path, limits.INPUT_DIGEST)).hexdigest()
        digest.update(f"{inside}\0{drawings[inside]}\0".encode())
    found = layers(templates_root)
    for relative, path in found.files().items():  # the files a build reads
        layer = "factdeck" if is_builtin(path) else "project"
        file_digest = hashlib.sha256(read.read_bytes(path, limits.INPUT_DIGEST)).hexdigest()
        digest.update(f"{relative}\0{layer}\0{file_digest}\0".encode())
    return Context(digest.digest(), drawings)


def seen_key(kind: str = "seen") -> str:
    """The key of a deck's one row of `kind`: the last lint's near-duplicate pairs ("seen",
    which depend only on the cards and on factdeck) or its diagram findings ("drawn", with
    the digest of what they were made from inside)."""
    return hashlib.sha256(FORMAT + kind.encode() + b"\0" + _made_by()).hexdigest()


# The libraries whose behaviour a row's contents follow: reading YAML, validation,
# rendering and cleaning HTML, the lint rules' stemming and the diagrams' parsing, geometry
# and colours. Another version of one is another cache.
_LIBRARIES = (
    "factdeck",
    "PyYAML",
    "pydantic",
    "jinja2",
    "markupsafe",
    "nh3",
    "snowballstemmer",
    "svgelements",
    "coloraide",
    "defusedxml",
)


@functools.cache
def _made_by() -> bytes:
    """Python, the libraries' versions and factdeck's own code, as bytes to digest (once a
    process: reading a package's version scans the installed packages, tens of ms)."""
    # PyYAML reads with libyaml when it was built with it (facts/load.py): which one is
    # an accident of the installation, so it is named too
    versions = (sys.version, *map(installed_version, _LIBRARIES), hasattr(yaml, "CSafeLoader"))
    return "".join(f"{part}\0" for part in versions).encode() + code_digest()


MEMOS = ("seen", "drawn")  # the deck's own rows, kept by prune


def file_key(context: Context, deck_dir: Path, path: Path, data: bytes) -> str:
    inside = path.relative_to(deck_dir).as_posix()
    return hashlib.sha256(context.digest + inside.encode() + b"\0" + data).hexdigest()


_LINT = ".lint"  # a file's lint row: `<key>.lint.json` beside its file row `<key>.json`
_WORDS = ".words"  # its cloze notes' words (cloze_words.py): `<key>.words.json`
_STAMP = ".stamp"  # its steady notes (stamp_memo.py): `<key>.stamp.json`
_PREVIEW = ".preview"  # its preview cards (preview_cards.py): `<key>.preview.json`


class Store:
    """The cache folder of one deck: get and put by key, forget what a build did not use.

    Under one file key are five rows: the file's results and, once it is linted, stamped
    or previewed, its lint, its cloze notes' words, its steady notes and its preview cards
    (made from those results, so the same key covers them)."""

    def __init__(self, deck_dir: Path, drawings: dict[str, str] | None = None) -> None:
        self.deck_dir = deck_dir
        self.folder = deck_dir / CACHE_DIR
        self.drawings = drawings or {}
        self.used: set[str] = set()

    def get(self, key: str) -> FileResult | None:
        found = self._get(key)
        if found is None:
            return None
        try:
            return FileResult(*rows.file_records(found, self.deck_dir, self.drawings))
        except rows.Foreign:
            return None

    def get_lint(self, key: str, notes: tuple[NoteSpec, ...]) -> FileLint | None:
        """The lint of the file whose results `key` gave: `notes`."""
        found = self._get(key, _LINT)
        if found is None:
            return None
        try:
            return rows.lint_record(found, self.deck_dir, notes)
        except rows.Foreign:
            return None

    def get_seen(self, key: str) -> Seen | None:
        found = self._get(key)
        if found is None:
            return None
        try:
            return rows.seen_record(found)
        except rows.Foreign:
            return None

    def get_drawn(self, inputs: str) -> tuple[Finding, ...] | None:
        """The diagram findings last made from `inputs` (a digest of all they read)."""
        found = self._get(seen_key("drawn"))
        if found is None:
            return None
        try:
            return rows.drawn_record(found, self.deck_dir, inputs)
        except rows.Foreign:
            return None

    def put_drawn(self, inputs: str, findings: tuple[Finding, ...]) -> None:
        try:
            self._put(seen_key("drawn"), rows.drawn_row(self.deck_dir, inputs, findings))
        except rows.Unfit:
            return

    def has_lint(self, key: str) -> bool:
        """Whether a lint row is there for `key` (not whether it is sound: get_lint says)."""
        return (self.folder / f"{key}{_LINT}.json").is_file()

    def forget_lint(self, key: str) -> None:
        """Delete `key`'s lint row, so that the next build makes it again."""
        atomic.delete(self.folder / f"{key}{_LINT}.json")

    def put(self, key: str, result: FileResult) -> None:
        try:
            text = rows.file_row(self.deck_dir, result.entries, result.notes, self.drawings)
        except rows.Unfit:
            return  # kept out of the cache: built each time
        self._put(key, text)

    def put_lint(self, key: str, notes: tuple[NoteSpec, ...], lint: FileLint) -> None:
        try:
            text = rows.lint_row(self.deck_dir, notes, lint)
        except rows.Unfit:
            return
        self._put(key, text, _LINT)

    def get_cloze_words(self, key: str) -> bytes | None:
        """The sealed words row of `key` (cloze_words.py checks its shape)."""
        return self._get(key, _WORDS)

    def put_cloze_words(self, key: str, text: str) -> None:
        self._put(key, text, _WORDS)

    def get_stamp(self, key: str) -> bytes | None:
        """The sealed steady-notes row of `key` (stamp_memo.py checks its shape)."""
        return self._get(key, _STAMP)

    def put_stamp(self, key: str, text: str) -> None:
        self._put(key, text, _STAMP)

    def get_preview(self, key: str) -> bytes | None:
        """The sealed preview row of `key` (preview_cards.py checks its shape)."""
        return self._get(key, _PREVIEW)

    def put_preview(self, key: str, text: str) -> None:
        self._put(key, text, _PREVIEW)

    def put_seen(self, key: str, seen: Seen) -> None:
        self._put(key, rows.seen_row(seen))

    def _get(self, key: str, row: str = "") -> bytes | None:
        """The `row` ('' or _LINT) of a sealed entry for `key`, or None."""
        self.used.add(key)
        name = f"{key}{row}"
        try:
            blob = read.read_bytes(self.folder / f"{name}.json", limits.CACHE_ENTRY)
        except read.NotReadable:
            return None
        mac, _, payload = blob.partition(b"\n")
        if not secret.is_sealed(
            _PURPOSE, name.encode() + b"\0" + payload, mac.decode("ascii", "replace")
        ):
            return None  # planted, copied from another machine, corrupt, or for another key
        return payload

    def _put(self, key: str, text: str, row: str = "") -> None:
        self.used.add(key)
        name = f"{key}{row}"
        payload = text.encode()
        mac = secret.seal(_PURPOSE, name.encode() + b"\0" + payload)
        if mac is None:
            return  # no secret on this machine: nothing is cached, nothing trusted
        try:
            self.folder.mkdir(exist_ok=True)
            _ignore_in_git(self.folder)
            with atomic.replacing(self.folder / f"{name}.json") as tmp:
                tmp.write_bytes(mac.encode() + b"\n" + payload)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def prune(self) -> None:
        """Delete entries this build did not use (old versions of edited files), and entries
        of earlier formats, and temporaries a killed build left behind. A used key keeps
        all its rows: a file's lint, cloze words, steady notes and preview cards are read
        after the build has pruned."""
        if not self.folder.is_dir():
            return
        rows = ("", _LINT, _WORDS, _STAMP, _PREVIEW)
        own = {seen_key(kind) for kind in MEMOS}
        keep = {f"{key}{row}.json" for key in self.used | own for row in rows}
        for path in self.folder.iterdir():
            if path.name.endswith(".tmp") or (
                _ENTRY.fullmatch(path.name.partition(".")[0]) and path.name not in keep
            ):
                atomic.delete(path)


def _ignore_in_git(folder: Path) -> None:
    """The folder ignores itself, so no project needs a .gitignore line for it."""
    marker = folder / ".gitignore"
    if not marker.exists():  # written whole, or a kill would leave it empty for good
        with atomic.replacing(marker) as tmp:
            tmp.write_text("# factdeck's build cache: safe to delete\n*\n")


def _files(root: Path) -> list[Path]:
    """The deck's files a fact file's notes may depend on (diagrams): not its YAML, nor the
    lock nor the build's own files; every file but folders (a pipe or device too: reading
    it refuses, read.read_bytes)."""
    return sorted(
        p
        for p in root.rglob("*")
        if not p.is_dir()
        and CACHE_DIR not in p.parts
        and "__pycache__" not in p.parts
        and p.suffix not in (".yaml", ".yml")
        and p.name not in (LOCK_NAME, RECORD_NAME)
        and not p.name.startswith(".factdeck")
    )
