"""`factdeck serve` without a browser: refusals, and the server on 127.0.0.1 spoken to with
http.client (tests/browser/test_serve_browser.py drives the page)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.cli.serve import EVENTS, LiveState, _server
from tests.support.decks import MINI_DECK, write_tree


def test_a_port_in_use_is_one_line(runner: CliRunner, mini_deck: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", str(mini_deck), "--port", str(port)])
    assert result.exit_code == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}" in result.output
    assert "pass another --port" in result.output and "Traceback" not in result.output


def test_without_a_deck_and_several_under_cards_it_asks_which(
    runner: CliRunner, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        project / "cards" / "other",
        {**MINI_DECK, "deck.yaml": MINI_DECK["deck.yaml"].replace("slug: mini", "slug: other")},
    )
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "which deck? name one (decks under cards/: cards/mini, cards/other)" in result.output


def test_a_build_published_right_after_the_first_event_is_sent_too() -> None:
    """The race that lost a reload: the first event and the version waited on were two
    reads, so a build published between them never reached that page."""
    state = LiveState()
    stream = state.stream()
    assert next(stream) == {"version": 0, "errors": []}
    state.publish(None, ("deck.yaml:1: broken",))
    assert next(stream) == {"version": 1, "errors": ["deck.yaml:1: broken"]}


@pytest.fixture
def live() -> Iterator[tuple[LiveState, int]]:
    """The preview server on 127.0.0.1 (a free port), in this process, and its state."""
    state = LiveState()
    server = _server(0, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state, server.server_address[1]
    state.stopping.set()
    with state.changed:
        state.changed.notify_all()
    server.shutdown()
    server.server_close()
    thread.join(5)


def _event(stream: HTTPResponse) -> dict[str, object]:
    line = stream.readline()
    assert stream.readline() == b"\n"
    assert line.startswith(b"data: "), line
    return dict(json.loads(line[len(b"data: ") :]))


def test_the_event_stream_sends_the_state_then_each_build(live: tuple[LiveState, int]) -> None:
    state, port = live
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", EVENTS)
    stream = connection.getresponse()
    assert stream.status == 200 and stream.getheader("Content-Type") == "text/event-stream"
    assert _event(stream) == {"version": 0, "errors": []}
    state.publish(None, ("cards/knee/deck.yaml:2: broken",))
    assert _event(stream) == {"version": 1, "errors": ["cards/knee/deck.yaml:2: broken"]}
    connection.close()


def test_no_file_served_is_cached(live: tuple[LiveState, int], tmp_path: Path) -> None:
    """A build rewrites the site's files under the same names: a reloaded page that reused
    a cached part showed the build before (the live browser test's failure, 1 run in 5)."""
    state, port = live
    site = write_tree(tmp_path / "site", {"index.html": "<body></body>", "parts/0001.js": "1;"})
    state.publish(site, ())
    for path in ("/", "/parts/0001.js", "/__factdeck/status", "/missing.js"):
        connection = HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.getheader("Cache-Control") == "no-store", path
