"""`factdeck serve`: the preview on 127.0.0.1 (cli/live_server.py), rebuilt when a file
under cards/ or templates/ changes (watchfiles), and reloaded in the open page through
Server-Sent Events.

The written preview stays the same static site that works from file://: the server adds
its live-reload script only to the page it sends. A build error keeps the last good
cards on screen with the problems over them, as `file:line: message`, until a rebuild
succeeds and the page reloads.
"""

from __future__ import annotations

import threading
from pathlib import Path

import click

from factdeck.cli.live_server import LiveState, live_server
from factdeck.cli.terminal import echo, escaped, row, say
from factdeck.errors import FactdeckError, shown_path
from factdeck.render.layers import find_templates
from factdeck.render.project import one_deck, project_root

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


def serve(deck_dir: Path | None, port: int, out_dir: Path | None, open_page: bool) -> None:
    from watchfiles import watch

    deck = deck_dir or one_deck(Path.cwd())
    templates = find_templates(deck)
    out = out_dir or project_root(deck) / "dist"
    state = LiveState()
    _rebuild(deck, out, state)
    server = live_server(port, state)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    watched = [deck.parent if deck.parent.name == "cards" else deck, templates]
    say(f"{click.style('Serving', fg='green', bold=True)} {url}  (Ctrl-C to stop)")
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
            echo(click.style(f"Warning: {escaped(str(exc))}", fg="yellow"), err=True)
    try:  # the watch runs here, in the main thread, where Ctrl-C arrives
        for changes in watch(
            *watched, stop_event=state.stopping, debounce=200, watch_filter=_deck_file
        ):
            names = sorted({Path(path).name for _, path in changes})
            say(row("changed", ", ".join(names)))
            _rebuild(deck, out, state)
    except KeyboardInterrupt:
        say("Stopped.")
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


def _deck_file(change: object, path: str) -> bool:
    """Facts, diagrams and templates; not editors' swap and backup files."""
    return Path(path).suffix in _WATCHED_SUFFIXES


def _rebuild(deck: Path, out: Path, state: LiveState) -> None:
    from factdeck.preview.page import preview

    try:
        result = preview(deck, out)
    except FactdeckError as exc:
        errors = tuple(str(problem) for problem in exc.problems)
        for line in errors:
            echo(click.style(f"Error: {escaped(line)}", fg="red"), err=True)
        state.publish(None, errors)
        return
    say(row("built", f"{result.cards} cards, version {state.version + 1}"))
    state.publish(result.index.parent, ())
