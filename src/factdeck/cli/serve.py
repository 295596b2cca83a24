"""`factdeck serve`: the preview on 127.0.0.1, rebuilt when a file under cards/ or templates/
changes (watchfiles), and reloaded in the open page through Server-Sent Events.

The written preview stays the same static site that works from file://: the server adds
its live-reload script only to the page it sends. A build error keeps the last good
cards on screen with the problems over them, as `file:line: message`, until a rebuild
succeeds and the page reloads.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from factdeck.cli.terminal import echo, escaped, row, say
from factdeck.errors import FactdeckError, shown_path
from factdeck.render.layers import find_templates
from factdeck.render.project import one_deck, project_root

EVENTS = "/__factdeck/events"
STATUS = "/__factdeck/status"
_HEARTBEAT_SECONDS = 15
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
_LIVE_SCRIPT = """<script>
/* factdeck serve: reload when the deck is rebuilt; show build errors over the page. */
(() => {
  const shown = %(version)d;
  function problems(errors) {
    let box = document.getElementById("fd-live-error");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "fd-live-error";
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:99;margin:0;" +
        "padding:1rem;max-height:45vh;overflow:auto;white-space:pre-wrap;background:#fff4f2;" +
        "color:#8a1c12;border:2px solid #c0392b;border-radius:8px;font:14px/1.4 monospace;";
      document.body.append(box);
    }
    box.textContent = "Build failed; fix the file and save:\\n" + errors.join("\\n");
  }
  function update(state) {
    if (state.version !== shown && !state.errors.length) location.reload();
    else problems(state.errors);
  }
  if (window.EventSource) {
    new EventSource("%(events)s").onmessage = (event) => update(JSON.parse(event.data));
  } else {
    setInterval(() => fetch("%(status)s").then((r) => r.json()).then(update), 1000);
  }
})();
</script>
"""


@dataclass
class LiveState:
    """The latest build, shared by the watcher (writes) and the page requests (read)."""

    version: int = 0
    errors: tuple[str, ...] = ()
    site: Path | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)

    def publish(self, site: Path | None, errors: tuple[str, ...]) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.site = site or self.site
            self.changed.notify_all()

    def snapshot(self) -> dict[str, object]:
        """The version and its errors, read together under the lock: one build's state."""
        with self.changed:
            return {"version": self.version, "errors": list(self.errors)}

    def stream(self) -> Iterator[dict[str, object] | None]:
        """The current state, then each newer one; None now and then, to keep the line alive.

        The first state and the version waited on are one snapshot, so a build published
        between sending it and waiting is sent too (reading the version twice lost it)."""
        first = self.snapshot()
        seen = int(first["version"])  # type: ignore[call-overload]
        yield first
        while not self.stopping.is_set():
            with self.changed:
                fresh = self.changed.wait_for(
                    lambda seen=seen: (
                        self.version != seen  # type: ignore[misc]
                        or self.stopping.is_set()
                    ),
                    _HEARTBEAT_SECONDS,
                )
                state = self.snapshot() if fresh and not self.stopping.is_set() else None
            if state is not None:
                seen = int(state["version"])  # type: ignore[call-overload]
            yield state


def serve(deck_dir: Path | None, port: int, out_dir: Path | None, open_page: bool) -> None:
    from watchfiles import watch

    deck = deck_dir or one_deck(Path.cwd())
    templates = find_templates(deck)
    out = out_dir or project_root(deck) / "dist"
    state = LiveState()
    _rebuild(deck, out, state)
    server = _server(port, state)
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
        state.stopping.set()
        with state.changed:
            state.changed.notify_all()
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


def _server(port: int, state: LiveState) -> ThreadingHTTPServer:
    handler = partial(_Handler, state=state)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise FactdeckError.at(
            None,
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}; "
            "pass another --port (0 picks a free one)",
        ) from None
    server.daemon_threads = True
    return server


class _Handler(SimpleHTTPRequestHandler):
    """The site's files, index.html with the live script, the status and its event stream."""

    def __init__(self, *args: object, state: LiveState, **kwargs: object) -> None:
        self.state = state
        super().__init__(*args, directory=str(state.site or "."), **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not requests."""

    def end_headers(self) -> None:
        """Nothing served is cached: every build rewrites the site's files under the same
        names (parts/NNNN.js), and a reloaded page that reused a cached part showed the
        build before (measured: 1 run in 5 of the live browser test)."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            self._events()
        elif path == STATUS:
            self._send(json.dumps(self.state.snapshot()).encode(), "application/json")
        elif path in ("/", "/index.html"):
            self._page()
        elif self.state.site is None:  # no good build yet: nothing else to serve
            self.send_error(HTTPStatus.NOT_FOUND)
        else:
            super().do_GET()

    def _page(self) -> None:
        state = self.state
        with state.changed:
            version, site = state.version, state.site
        if site is not None and (site / "index.html").is_file():
            page = (site / "index.html").read_text(encoding="utf-8")
        else:
            page = (
                "<!doctype html><meta charset='utf-8'><title>factdeck serve</title>"
                "<body><h1>The deck does not build yet</h1></body>"
            )
        script = _LIVE_SCRIPT % {"version": version, "events": EVENTS, "status": STATUS}
        head, _, tail = page.rpartition("</body>")
        body = f"{head}{script}</body>{tail}" if head else page + script
        self._send(body.encode("utf-8"), "text/html; charset=utf-8")

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        with contextlib.suppress(OSError):
            for update in self.state.stream():
                if update is None:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                else:
                    self._write_event(update)

    def _write_event(self, state: dict[str, object]) -> None:
        self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
        self.wfile.flush()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
