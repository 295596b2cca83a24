"""Finding and reading the author's files without hanging, ballooning or skipping silently.

A deck folder is the author's working folder: editors leave lock and backup files
in it, a fact file may be a named pipe or a link to a device, a folder may be
unreadable. Fact files are found whatever the case of their extension; editor
droppings are skipped by name; anything that is not a plain file is refused by
name before it is opened for reading; sizes are bounded before reading.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from factdeck.errors import FactdeckError, Location, Problem
from factdeck.fs import limits
from factdeck.fs.names import CACHE_DIR, LOCK_NAME, RECORD_NAME

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
NO_LINKS = (
    "factdeck ships only plain files of the deck folder, so that a link cannot put a file "
    "from elsewhere (another project, your home folder) into the package or the preview: "
    "replace the link with a copy of what it points to"
)


def is_editor_file(name: str) -> bool:
    """Emacs locks (.#x.yaml) and autosaves (#x.yaml#), backups (x.yaml~), vim swap files."""
    return (
        name.startswith((".#", "#"))
        or name.endswith("~")
        or name.rsplit(".", 1)[-1].lower() in {"swp", "swo", "swx"}
    )


def yaml_files(root: Path) -> list[Path]:
    """Every *.yaml / *.yml below `root` (any case), sorted; an unreadable folder, a folder
    named like one and a symbolic link named like one are errors."""
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        folder = Path(exc.filename) if exc.filename else root
        problems.append(
            Problem(
                Location(folder),
                f"cannot read this folder ({exc.strerror}); "
                "fix its permissions or move it out of "
                "the deck folder",
            )
        )

    found = []
    for folder, dirs, names in os.walk(root, onerror=unreadable):
        for name in sorted(filter(is_yaml_name, (*dirs, *names))):
            path = Path(folder) / name  # a linked fact file would ship its target's facts
            if path.is_symlink():
                problems.append(
                    Problem(
                        Location(path), f"is a symbolic link (to {os.readlink(path)}); {NO_LINKS}"
                    )
                )
        for name in sorted(dirs):  # a folder `diagrams.yaml` would retire its facts unseen
            if is_yaml_name(name) and not os.path.islink(os.path.join(folder, name)):
                problems.append(
                    Problem(
                        Location(Path(folder) / name),
                        "is a folder, named like a fact file; factdeck reads fact files "
                        "only: rename the folder (without .yaml) or move it out of the deck",
                    )
                )
        found += [Path(folder) / name for name in names if is_yaml_name(name)]
    if problems:
        raise FactdeckError(problems)
    return sorted(found)


SKIPPED_LINK = (
    "factdeck reads only plain files and folders of the deck folder, so it skipped this link "
    "and what it points to (fact files too) was left out unseen: replace the link with a "
    "copy of what it points to, or delete it"
)


def refuse_skipped_links(root: Path, media: Iterable[Path]) -> None:
    """Refuse every symbolic link below `root` that no other check has refused: the walk for
    fact files does not follow links, so a linked folder's facts were left out silently.
    Asked once the deck is read, after a fact file's own refusal; a link on the way to a
    diagram in `media` is left to the diagram's (it names the fact; the copy refuses it)."""
    shipped = {link_below(root, path) for path in media}
    problems = [
        Problem(Location(path), f"is a symbolic link (to {os.readlink(path)}); {SKIPPED_LINK}")
        for folder, dirs, names in os.walk(root)
        for path in (Path(folder) / name for name in sorted((*dirs, *names)))
        if path.is_symlink()
        and not is_editor_file(path.name)  # an Emacs lock is a link to nowhere
        and Path(os.path.abspath(path)) not in shipped
    ]
    if problems:
        raise FactdeckError(problems)


def is_yaml_name(name: str) -> bool:
    """A fact file's name (any case), not an editor's lock or backup file."""
    return Path(name).suffix.lower() in YAML_SUFFIXES and not is_editor_file(name)


class NotReadable(Exception):
    """Why a file was not read, worded to follow its name ("'x.yaml' is a named pipe ...")."""


class TooBig(NotReadable):
    """The file is over the size limit (the caller knows how to split it)."""


def read_bytes(path: Path, limit: int, links: bool = True) -> bytes:
    """The bytes of a plain file of at most `limit` bytes, else NotReadable saying why.

    Opened without blocking (a FIFO would wait for a writer forever) and checked to be
    a regular file of a bounded size before a byte is read (a link to /dev/zero never ends).
    With `links=False` a symbolic link is refused, not followed (media: see `link_below`).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if not links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise NotReadable("does not exist") from None
    except OSError as exc:
        if not links and exc.errno == errno.ELOOP:
            raise NotReadable(f"is a symbolic link; {NO_LINKS}") from None
        hint = "; fix its permissions (chmod u+r)" if isinstance(exc, PermissionError) else ""
        raise NotReadable(f"cannot be read ({exc.strerror}){hint}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # checked before fdopen, which refuses a folder
            raise NotReadable(
                f"is {file_kind(info.st_mode)}, not a regular file; factdeck "
                "opens only plain files: replace it with one or delete it"
            )
        if info.st_size > limit:
            raise TooBig(f"is {info.st_size:,} bytes, over the {limit:,}-byte limit")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew while we looked
        raise TooBig(f"is over the {limit:,}-byte limit")
    return data


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, by its mode: "a named pipe (FIFO)"..."""
    kinds = (
        (stat.S_ISDIR(mode), "a folder"),
        (stat.S_ISFIFO(mode), "a named pipe (FIFO)"),
        (stat.S_ISCHR(mode), "a character device"),
        (stat.S_ISBLK(mode), "a block device"),
        (stat.S_ISSOCK(mode), "a socket"),
    )
    return next((name for match, name in kinds if match), "a special file")


def json_value(text: str | bytes) -> Any:
    """`json.loads`, with nesting deeper than Python's recursion limit (about 1,000; the lock
    nests 3 deep) a ValueError saying so instead of a RecursionError from inside json."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply, over about 1,000 levels") from None


def xml_line_ends(data: bytes) -> bytes:
    """An SVG's bytes with its line ends as every XML reader sees them (XML 1.0 section 2.11:
    CRLF and a lone CR are LF), so a Windows (CRLF) checkout measures, names and ships the
    same drawing as the LF one instead of a "changed" diagram on every note."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def media_bytes(path: Path) -> bytes:
    """A diagram as the package and the preview ship it: bounded, line ends as XML reads them;
    `path` is the resolved one the build measured, so a link found on it now was put there
    since (or came with a cached entry): refused, never followed."""
    try:
        if Path(os.path.realpath(path)) != path:
            raise NotReadable(f"lies behind a symbolic link; {NO_LINKS}")
        return xml_line_ends(read_bytes(path, limits.SVG, links=False))
    except NotReadable as exc:  # replaced since the build measured it
        raise FactdeckError.at(Location(path), f"the drawing {exc}") from None


def link_below(root: Path, path: Path) -> Path | None:
    """The first symbolic link on the way from `root` down to `path` (`path` itself included),
    or None; for a `path` written outside `root` (an absolute one), only `path` itself."""
    lexical, top = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    if not lexical.is_relative_to(top):
        return lexical if lexical.is_symlink() else None
    for part in (*reversed(lexical.relative_to(top).parents[:-1]), lexical.relative_to(top)):
        if (top / part).is_symlink():
            return top / part
    return None


def refuse_linked_deck(deck_dir: Path) -> None:
    """Refuse a deck folder that is a symbolic link, or lies in a `cards/` that is one (a
    repository can commit either): the build would read facts from where it points and
    write the lock, the cache and dist/ there, outside the project. So is a cache folder
    that is a link: the build writes its entries there and deletes old ones; and a lock or
    release record that is one: the deck's history would be read from where it points."""
    refuse_link(
        deck_dir / CACHE_DIR,
        "factdeck keeps its build cache here, and writes and deletes files in it: delete the "
        "link (a build makes the folder again)",
    )
    folder = Path(os.path.abspath(deck_dir))
    for link in (folder, folder.parent) if folder.parent.name == "cards" else (folder,):
        if link.is_symlink():
            what = "the deck folder is" if link == folder else "the deck lies in"
            raise FactdeckError.at(
                Location(link),
                f"{what} a symbolic link (to {os.readlink(link)}); factdeck reads and writes "
                "only inside the project, and through a link the facts, the lock, the cache "
                "and dist/ would be where it points: replace the link with a copy of the deck",
            )
    for name in (LOCK_NAME, RECORD_NAME):
        refuse_link(
            deck_dir / name,
            "factdeck reads the deck's note identities and releases from this file, so through "
            "a link they would come from where it points: replace the link with the file "
            "itself (git checkout -- it, or a copy of what it points to)",
        )


def refuse_link(path: Path, why: str) -> None:
    """Refuse `path`, a file or folder factdeck writes in under a fixed name, when it is a
    symbolic link: a repository can commit one, and the writes would land where it points."""
    if path.is_symlink():
        raise FactdeckError.at(
            Location(path), f"is a symbolic link (to {os.readlink(path)}); {why}"
        )
