"""`factdeck serve`: the preview on 127.0.0.1 (cli/live_server.py), rebuilt when a file
under cards/ or templates/ changes (watchfiles), and updated in the open page through
Server-Sent Events: each event names the digests of the site's files, so the page fetches
only the parts whose bytes changed and replaces their cards in place (a changed shell,
index.html or media, reloads it).

The written preview stays the same static site that works from file://: the server adds
its live script only to the page it sends. A build error keeps the last good cards on
screen with the problems over them, as `file:line: message`, until a rebuild succeeds and
the page is updated. Whatever happens to the deck's folder while it runs (a file made a
folder or unreadable, the folder renamed, deleted and made again) is such an error, never
the end of the server.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from factdeck.cli.decks import dist_dir
from factdeck.cli.live_server import LiveState, SiteDigests, live_server
from factdeck.cli.terminal import error, row, say, success, warning
from factdeck.errors import FactdeckError, Location, Problem, shown_path
from factdeck.render.layers import find_templates
from factdeck.render.project import one_deck

_WATCHED_SUFFIXES = {
    ".yaml",
    ".yml",
    ".svg",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".html",
    ".css",
    ".js",
    ".j2",
}
_RECHECK_MS = 1000  # how often the watch looks whether a watched folder was replaced
_QUIET_MS = 20  # a save is its files written within this: then the rebuild starts
_PARTS = "parts"  # the preview's parts/NNNN.js (preview/page.py)
_Known = dict[Path, tuple[tuple[int, int, int], str]]  # file -> (inode, size, mtime), digest


def serve(deck_dir: Path | None, port: int, out_dir: Path | None, open_page: bool) -> None:
    deck = deck_dir or one_deck(Path.cwd())
    templates = find_templates(deck)
    out = out_dir or dist_dir(deck)
    state = LiveState()
    digests: _Known = {}
    _rebuild(deck, out, state, digests)
    server = live_server(port, state)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    watched = [deck.parent if deck.parent.name == "cards" else deck, templates]
    say(success("Serving"), f" {url}  (Ctrl-C to stop)")
    say(row("watching", ", ".join(str(shown_path(p)) for p in watched)))

    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.2},
        name="factdeck-serve",
        daemon=True,
    ).start()
    if open_page:
        from factdeck.cli.browser import open_url

        try:
            open_url(url)
        except FactdeckError as exc:  # the server is fine: say so and go on serving
            warning(str(exc))
    try:  # the watch runs here, in the main thread, where Ctrl-C arrives
        for names in _changes(watched, state.stopping):
            say(row("changed", ", ".join(names)))
            _rebuild(deck, out, state, digests)
    except KeyboardInterrupt:
        say("Stopped.")
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


def _changes(roots: list[Path], stop: threading.Event) -> Iterator[list[str]]:
    """The names changed under `roots`, a batch at a time, until `stop`.

    A root deleted or replaced (renamed away, removed and made again) is a change too, and
    is watched again once it is back: a watcher keeps watching the folder it started on,
    so a cards/ made again was never seen."""
    from watchfiles import watch

    while not stop.is_set():
        known = _identities(roots)
        present = [root for root in roots if root in known]
        try:
            for changes in watch(
                *present,
                stop_event=stop,
                debounce=200,
                step=_QUIET_MS,
                watch_filter=_deck_file,
                rust_timeout=_RECHECK_MS,
                yield_on_timeout=True,
            ):
                names = {Path(path).name for _, path in changes}
                now = _identities(roots)
                names |= {root.name for root in roots if now.get(root) != known.get(root)}
                if names:
                    yield sorted(names)
                if now != known:
                    break
        except FileNotFoundError:  # a root went between looking and watching: look again
            stop.wait(_RECHECK_MS / 1000)


def _identities(roots: list[Path]) -> dict[Path, tuple[int, int]]:
    """Each folder of `roots` there now, by device and inode: a folder made again differs."""
    found = {}
    for root in roots:
        try:
            info = os.stat(root)
        except OSError:
            continue
        if os.path.isdir(root):
            found[root] = (info.st_dev, info.st_ino)
    return found


def _deck_file(change: object, path: str) -> bool:
    """Facts, diagrams and templates, and folders (a deck renamed, a diagrams/ folder moved
    away: nothing changes inside them); not editors' swap and backup files."""
    shown = Path(path)
    if shown.name.startswith((".", "#")) or shown.name.endswith("~"):
        return False
    return (
        shown.suffix.lower() in _WATCHED_SUFFIXES
        or shown.is_dir()
        or (not shown.suffix and not shown.exists())
    )


def _rebuild(deck: Path, out: Path, state: LiveState, known: _Known) -> None:
    from factdeck.preview.page import preview

    try:
        if not deck.is_dir():
            raise FactdeckError.at(
                Location(deck), "the deck's folder is gone (renamed or deleted?); put it back"
            )
        result = preview(deck, out)
        digests = site_digests(result.index.parent, known)
    except FactdeckError as exc:
        errors = tuple(str(problem) for problem in exc.problems)
    except OSError as exc:  # the folder changed under the build: one more thing to fix
        errors = (str(_problem(exc)),)
    else:
        say(row("built", f"{result.cards} cards, version {state.version + 1}"))
        state.publish(result.index.parent, (), digests)
        return
    for line in errors:
        error(line)
    state.publish(None, errors)


def _problem(exc: OSError) -> Problem:
    named = isinstance(exc.filename, str | bytes | os.PathLike)
    where = Location(Path(os.fsdecode(exc.filename))) if named else None
    return Problem(where, f"cannot read ({exc.strerror or exc}); fix it and save again")


def site_digests(site: Path, known: _Known) -> SiteDigests:
    """Each part's digest, and one of everything else (the page, the media): a file is read
    again only when its inode, size or time changed (a rebuild rewrites only the parts
    whose bytes changed, each replaced whole), so a save at 50,000 notes hashes one part,
    not the whole site."""
    files = sorted(
        path
        for path in [*site.iterdir(), *(site / _PARTS).glob("*")]
        if not path.name.startswith(".") and path.is_file()
    )
    digests = {}
    for path in files:
        info = path.stat()
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        if path not in known or known[path][0] != stamp:
            known[path] = (stamp, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
        digests[path.relative_to(site).as_posix()] = known[path][1]
    for gone in set(known) - set(files):
        del known[gone]
    prefix = f"{_PARTS}/"
    shell = hashlib.blake2b(
        "\n".join(
            f"{name} {digest}" for name, digest in digests.items() if not name.startswith(prefix)
        ).encode(),
        digest_size=16,
    )
    return SiteDigests(
        shell=shell.hexdigest(),
        parts={name: digest for name, digest in digests.items() if name.startswith(prefix)},
    )
