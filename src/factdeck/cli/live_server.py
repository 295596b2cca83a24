"""The HTTP side of `factdeck serve`: the written preview's files, its page with the
live script, the build status and its event stream, on 127.0.0.1 only.

Each good build's event names the digest of every part of the site (parts/NNNN.js) and of
its shell (index.html, with the styles, scripts and filter lists, and the media): the open
page fetches only the parts whose digest changed and replaces their cards in place,
keeping its scroll, search and filters (preview.js `replace`); a changed shell, or a part
whose cards no longer fit its place, reloads the page.

It is a local tool, so it answers only requests addressed to itself: a `Host` other than
127.0.0.1:PORT, localhost:PORT or [::1]:PORT (a DNS-rebinding page's) and an `Origin`
other than ours are refused (403). At most `CONNECTIONS` requests are served at once
(beyond: 503, so a page that opens streams without end cannot exhaust the threads); an
event stream notices within a second that its client has gone and ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import stat
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from mimetypes import guess_type
from pathlib import Path

from factdeck.errors import FactdeckError
from factdeck.preview.site_files import Refusal, site_file

EVENTS = "/__factdeck/events"
STATUS = "/__factdeck/status"
CONNECTIONS = 32  # the browser opens 6 per page, and one stream per open tab
_HEARTBEAT_SECONDS = 15  # a comment on an idle stream, so a dead client's write fails
_CHECK_SECONDS = 1.0  # how often an idle stream looks whether its client closed
_IDLE_SECONDS = 10  # a client that sends no request, or reads nothing, for this long is dropped
_LIVE_SCRIPT = """<script>
/* factdeck serve: patch the parts a rebuild changed (reload if the shell did); show build
   errors over the page. */
(() => {
  let known = %(state)s;
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
  const settled = () => new Promise((done) => {
    const look = () => (document.body.dataset.ready ? done() : setTimeout(look, 50));
    look();
  });
  async function part(name) {
    const answer = await fetch(name, { cache: "no-store" });
    if (!answer.ok) throw new Error(name);
    const text = await answer.text();  /* factdeckPreview.add({...});  read, not run */
    return JSON.parse(text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")));
  }
  async function patch(state) {
    const preview = window.factdeckPreview;
    if (!preview || !preview.replace || state.shell !== known.shell) return false;
    await settled();
    for (const [number, name] of preview.parts.entries()) {
      const digest = state.parts[name];
      if (digest === undefined) return false;
      if (digest === known.parts[name]) continue;
      if (!preview.replace(number, await part(name))) return false;
      known.parts[name] = digest;
    }
    return true;
  }
  async function update(state) {
    if (state.errors.length) { problems(state.errors); return; }
    if (state.version === known.version) { problems([]); return; }
    let patched = false;
    try { patched = await patch(state); } catch (error) { patched = false; }
    if (!patched) { location.reload(); return; }
    known = state;
    problems([]);
  }
  let queue = Promise.resolve();  /* one update at a time, in order */
  const later = (state) => { queue = queue.then(() => update(state)); };
  if (window.EventSource) {
    new EventSource("%(events)s").onmessage = (event) => later(JSON.parse(event.data));
  } else {
    setInterval(() => fetch("%(status)s").then((r) => r.json()).then(later), 1000);
  }
})();
</script>
"""
_NOT_BUILT = (
    "<!doctype html><meta charset='utf-8'><title>factdeck serve</title>"
    "<body><h1>The deck does not build yet</h1></body>"
)


@dataclass(frozen=True, slots=True)
class SiteDigests:
    """What the page compares to know what a build changed."""

    shell: str  # the page, its styles, scripts and filter lists, and the media: reload
    parts: Mapping[str, str]  # parts/NNNN.js -> its digest: replace that part's cards


@dataclass
class LiveState:
    """The latest build, shared by the watcher (writes) and the page requests (read)."""

    version: int = 0
    errors: tuple[str, ...] = ()
    site: Path | None = None
    digests: SiteDigests | None = None  # the last good build's, kept through errors
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)

    def publish(
        self, site: Path | None, errors: tuple[str, ...], digests: SiteDigests | None = None
    ) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.site = site or self.site
            self.digests = digests or self.digests
            self.changed.notify_all()

    def snapshot(self) -> dict[str, object]:
        """The version, its errors and the site's digests, read together under the lock:
        one build's state."""
        with self.changed:
            digests = self.digests
            return {
                "version": self.version,
                "errors": list(self.errors),
                "shell": digests.shell if digests else None,
                "parts": dict(digests.parts) if digests else {},
            }

    def stop(self) -> None:
        """End every event stream now."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()

    def stream(self, wait: float = _HEARTBEAT_SECONDS) -> Iterator[dict[str, object] | None]:
        """The current state, then each newer one; None after `wait` seconds without one.

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
                    wait,
                )
                state = self.snapshot() if fresh and not self.stopping.is_set() else None
            if state is not None:
                seen = int(state["version"])  # type: ignore[call-overload]
            yield state


def live_server(port: int, state: LiveState) -> LiveServer:
    try:
        return LiveServer(("127.0.0.1", port), _Handler, state)
    except OSError as exc:
        raise FactdeckError.at(
            None,
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}; "
            "pass another --port (0 picks a free one)",
        ) from None


def own_hosts(port: int) -> frozenset[str]:
    """What a browser sends as Host for this server (without the port when it is 80)."""
    names = ("127.0.0.1", "localhost", "[::1]")
    return frozenset({f"{name}:{port}" for name in names} | (set(names) if port == 80 else set()))


class LiveServer(ThreadingHTTPServer):
    """A thread per request, at most CONNECTIONS at once; its own names for Host and Origin."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], state: LiveState) -> None:
        super().__init__(address, handler)
        self.state = state
        self.slots = threading.BoundedSemaphore(CONNECTIONS)
        self.hosts = own_hosts(self.server_address[1])
        self.origins = {f"http://{host}" for host in self.hosts}

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if not self.slots.acquire(blocking=False):
            _busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away or stalled is no error; anything else is a bug: shown."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _busy(request: socket.socket) -> None:
    """Answer 503 without a thread: read what the client sent (so closing does not reset
    the connection before it reads the answer), send, close."""
    body = b"factdeck serve: too many connections; try again\n"
    head = (
        "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nCache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        with contextlib.suppress(BlockingIOError):
            request.recv(65536, socket.MSG_DONTWAIT)
        request.settimeout(1)
        request.sendall(head.encode("ascii") + body)


class _Handler(BaseHTTPRequestHandler):
    """The site's files, index.html with the live script, the status and its event stream."""

    server: LiveServer
    timeout = _IDLE_SECONDS
    server_version = "factdeck-serve"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not requests."""

    def end_headers(self) -> None:
        """Nothing served is cached: every build rewrites the site's files under the same
        names (parts/NNNN.js), and a reloaded page that reused a cached part showed the
        build before (measured: 1 run in 5 of the live browser test)."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        refused = self._foreign()
        if refused:
            self.send_error(HTTPStatus.FORBIDDEN, refused)
            return
        path = self.path.split("?", 1)[0]
        state = self.server.state
        if path == EVENTS:
            self._events(body)
        elif path == STATUS:
            self._send(json.dumps(state.snapshot()).encode(), "application/json", body)
        elif path in ("/", "/index.html"):
            self._page(body)
        else:
            with state.changed:
                site = state.site
            found = site_file(site, self.path)
            if isinstance(found, Refusal):
                self.send_error(found.status, found.reason)
            else:
                self._file(found, body)

    def _foreign(self) -> str | None:
        """Why this request is not for us (None when it is): DNS rebinding sends our address
        under another name in Host; a page elsewhere sends its own Origin."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.server.hosts:
            return "serving only 127.0.0.1, localhost and [::1] at this port"
        origins = self.headers.get_all("Origin") or []
        if any(origin.strip().lower() not in self.server.origins for origin in origins):
            return "not for pages from another origin"
        return None

    def _page(self, body: bool) -> None:
        state = self.server.state
        with state.changed:
            known, site = state.snapshot(), state.site
        known["errors"] = []  # the page shows them from the stream; only digests go inline
        found = site_file(site, "/index.html")  # the page too: not through a link out
        try:
            page = found.read_text(encoding="utf-8") if isinstance(found, Path) else _NOT_BUILT
        except (OSError, UnicodeDecodeError):  # dist/ removed or rewritten by hand
            page = _NOT_BUILT
        inline = json.dumps(known).replace("<", "\\u003c")  # never a </script> in it
        script = _LIVE_SCRIPT % {"state": inline, "events": EVENTS, "status": STATUS}
        head, _, tail = page.rpartition("</body>")
        html = f"{head}{script}</body>{tail}" if head else page + script
        self._send(html.encode("utf-8"), "text/html; charset=utf-8", body)

    def _file(self, path: Path, body: bool) -> None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:  # replaced or removed by a rebuild since it was found
            self.send_error(HTTPStatus.NOT_FOUND, "no such file in the preview")
            return
        with open(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                self.send_error(HTTPStatus.NOT_FOUND, "not a file")
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", guess_type(path.name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(info.st_size))
            self.end_headers()
            if body:
                shutil.copyfileobj(file, self.wfile)

    def _events(self, body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if not body:
            return
        written = time.monotonic()
        for update in self.server.state.stream(_CHECK_SECONDS):
            if update is not None:
                self.wfile.write(f"data: {json.dumps(update)}\n\n".encode())
            elif self._client_gone():
                return
            elif time.monotonic() - written >= _HEARTBEAT_SECONDS:
                self.wfile.write(b": keep-alive\n\n")
            else:
                continue
            self.wfile.flush()
            written = time.monotonic()

    def _client_gone(self) -> bool:
        """An event-stream client sends nothing after its request: the socket becomes
        readable only when it closes (or sends what it should not)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable)

    def _send(self, data: bytes, content_type: str, body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)
