"""`factdeck serve` without a browser: refusals, the server on 127.0.0.1 spoken to with
http.client (what it serves and refuses, its bound on connections), and the real command
in its own process while its deck folder changes (tests/browser/test_serve_browser.py
drives the page)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.live_server import (
    CONNECTIONS,
    EVENTS,
    STATUS,
    LiveState,
    live_server,
    own_hosts,
)
from factdeck.cli.main import main
from factdeck.cli.serve import site_digests
from tests.support.decks import MINI, MINI_DECK, deck_yaml, write_tree
from tests.support.serving import PATIENCE, Server

NO_SITE = {"shell": None, "parts": {}}  # no good build yet: no digests


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
        {**MINI_DECK, "deck.yaml": deck_yaml(base=MINI, slug="other")},
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
    assert next(stream) == {"version": 0, "errors": [], **NO_SITE}
    state.publish(None, ("deck.yaml:1: broken",))
    assert next(stream) == {"version": 1, "errors": ["deck.yaml:1: broken"], **NO_SITE}


@pytest.fixture
def live() -> Iterator[tuple[LiveState, int]]:
    """The preview server on 127.0.0.1 (a free port), in this process, and its state."""
    state = LiveState()
    server = live_server(0, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state, server.server_address[1]
    state.stop()
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
    assert _event(stream) == {"version": 0, "errors": [], **NO_SITE}
    state.publish(None, ("cards/knee/deck.yaml:2: broken",))
    assert _event(stream) == {
        "version": 1,
        "errors": ["cards/knee/deck.yaml:2: broken"],
        **NO_SITE,
    }
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


def test_each_part_has_its_digest_and_the_rest_one_for_the_shell(tmp_path: Path) -> None:
    """A part rewritten changes its own digest only; the page or an image changes the
    shell's (the page reloads); a hidden temporary is no file of the site."""
    site = write_tree(
        tmp_path / "site",
        {
            "index.html": "<body></body>",
            "leg.svg": "<svg/>",
            "parts/0001.js": "one;",
            "parts/0002.js": "two;",
            "parts/.0003.js.tmp": "half-written",
        },
    )
    known: dict[Path, tuple[tuple[int, int, int], str]] = {}
    first = site_digests(site, known)
    assert sorted(first.parts) == ["parts/0001.js", "parts/0002.js"]
    (site / "parts" / "0002.js").write_text("two, edited;", encoding="utf-8")
    edited = site_digests(site, known)
    assert edited.shell == first.shell
    assert edited.parts["parts/0001.js"] == first.parts["parts/0001.js"]
    assert edited.parts["parts/0002.js"] != first.parts["parts/0002.js"]
    (site / "leg.svg").write_text("<svg></svg>", encoding="utf-8")
    assert site_digests(site, known).shell != first.shell
    (site / "leg.svg").write_text("<svg/>", encoding="utf-8")
    assert site_digests(site, known).shell == first.shell  # by bytes, not by time
    (site / "parts" / "0002.js").unlink()
    assert list(site_digests(site, known).parts) == ["parts/0001.js"]


def test_the_page_carries_its_build_s_digests(live: tuple[LiveState, int], tmp_path: Path) -> None:
    """The page compares each event with the digests it was served with: inline, with no
    `<` that could end its script."""
    state, port = live
    site = write_tree(tmp_path / "site", {"index.html": "<body></body>", "parts/0001.js": "1;"})
    state.publish(site, (), site_digests(site, {}))
    code, body = _get(port, "/")
    inline = body.decode().split("let known = ", 1)[1].split(";\n", 1)[0]
    assert code == 200 and "<" not in inline
    assert json.loads(inline) == {**state.snapshot(), "errors": []}
    assert list(json.loads(inline)["parts"]) == ["parts/0001.js"]


def _get(
    port: int, target: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


SECRET = "not for the page"


@pytest.fixture
def site(live: tuple[LiveState, int], tmp_path: Path) -> Path:
    """A built preview published to the live server, with a secret file beside it and
    symlinks planted in it: out to the secret, inside to a part, and a loop."""
    write_tree(tmp_path, {"secret.txt": SECRET})
    site = write_tree(
        tmp_path / "site",
        {"index.html": "<body>cards</body>", "parts/0001.js": "1;", ".part.js.tmp": SECRET},
    )
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "parts" / "up").symlink_to(tmp_path)
    (site / "same.js").symlink_to(site / "parts" / "0001.js")
    (site / "loop").symlink_to(site / "loop")
    live[0].publish(site, ())
    return site


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/parts/0001.js", 200),
        ("/same.js", 200),  # a symlink that stays inside the preview
        ("/parts/0001.js?v=2", 200),
        ("/%00", 400),
        ("/parts/0001.js%00.png", 400),
        ("/../secret.txt", 400),
        ("/..%2fsecret.txt", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/parts/%2E%2E/%2e%2e/secret.txt", 400),
        ("/parts/%5c..%5c..%5csecret.txt", 400),
        ("//secret.txt", 404),  # http.server makes it /secret.txt
        ("/parts//0001.js", 400),
        ("/parts/./0001.js", 400),
        ("/%ff%fe", 400),
        ("/%0a", 400),
        ("http://127.0.0.1/secret.txt", 400),
        ("/leak.txt", 404),  # a symlink out of the preview
        ("/parts/up/secret.txt", 404),
        ("/loop", 404),
        ("/parts", 404),
        ("/parts/", 404),
        ("/.part.js.tmp", 404),
        ("/missing.js", 404),
        ("/" + "a" * 5000, 404),
    ],
)
def test_only_files_of_the_preview_are_served(
    site: Path,
    live: tuple[LiveState, int],
    target: str,
    status: int,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for method in ("GET", "HEAD"):
        host = {"Host": f"127.0.0.1:{live[1]}"}  # not http.client's for an absolute URL
        code, body = _get(live[1], target, host, method=method)
        assert code == status, (method, target)
        assert SECRET.encode() not in body
    assert "Traceback" not in capfd.readouterr().err


def test_a_page_that_links_out_of_the_preview_is_not_served(
    live: tuple[LiveState, int], tmp_path: Path
) -> None:
    write_tree(tmp_path, {"secret.txt": f"<body>{SECRET}</body>"})
    site = write_tree(tmp_path / "site", {"parts/0001.js": "1;"})
    (site / "index.html").symlink_to(tmp_path / "secret.txt")
    live[0].publish(site, ())
    for target in ("/", "/index.html"):
        code, page = _get(live[1], target)
        assert code == 200 and b"The deck does not build yet" in page, target
        assert SECRET.encode() not in page


def test_before_the_first_build_only_the_page_is_served(
    live: tuple[LiveState, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD used to serve the current folder's files until a build had succeeded."""
    write_tree(tmp_path, {"secret.txt": SECRET})
    monkeypatch.chdir(tmp_path)
    for method in ("GET", "HEAD"):
        code, body = _get(live[1], "/secret.txt", method=method)
        assert code == 404 and SECRET.encode() not in body, method
    code, page = _get(live[1], "/")
    assert code == 200 and b"The deck does not build yet" in page


def test_only_requests_for_our_own_address_are_answered(
    site: Path, live: tuple[LiveState, int]
) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: its Host is refused."""
    port = live[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        for target in ("/", "/parts/0001.js", STATUS):
            assert _get(port, target, {"Host": host})[0] == 200, (host, target)
    for host in (f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", "localhost", ""):
        for target in ("/", "/parts/0001.js", STATUS, EVENTS):
            code, body = _get(port, target, {"Host": host})
            assert code == 403 and b"serving only 127.0.0.1" in body, (host, target)
    for skip_host, hosts in ((True, []), (False, [f"127.0.0.1:{port}"])):
        connection = HTTPConnection("127.0.0.1", port, timeout=5)
        connection.putrequest("GET", "/", skip_host=skip_host)
        for host in hosts:  # a second Host beside http.client's own
            connection.putheader("Host", host)
        connection.endheaders()
        assert connection.getresponse().status == 403
        connection.close()


def test_at_port_80_the_host_may_come_without_it() -> None:
    """Browsers leave the default port out of Host: `serve --port 80` answered nothing."""
    assert own_hosts(80) == {
        *("127.0.0.1:80", "localhost:80", "[::1]:80"),
        *("127.0.0.1", "localhost", "[::1]"),
    }
    assert "127.0.0.1" not in own_hosts(8000)


def test_the_event_stream_refuses_other_origins(live: tuple[LiveState, int]) -> None:
    port = live[1]
    for origin in (
        "http://evil.example",
        "null",
        f"http://127.0.0.1:{port + 1}",
        f"https://localhost:{port}",
    ):
        assert _get(port, EVENTS, {"Origin": origin})[0] == 403, origin
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", EVENTS, headers={"Origin": f"http://localhost:{port}"})
    stream = connection.getresponse()
    assert stream.status == 200 and _event(stream) == {"version": 0, "errors": [], **NO_SITE}
    connection.close()


def _streams(port: int, count: int) -> list[HTTPConnection]:
    """`count` event streams, each having had its first event."""
    opened = []
    for _ in range(count):
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", EVENTS)
        _event(connection.getresponse())
        opened.append(connection)
    return opened


def _eventually(holds: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not holds():
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.fixture
def served(mini_deck: Path, project: Path) -> Iterator[Server]:
    """The real `factdeck serve` of the mini deck, in its own process."""
    running = Server(project)
    running.watching(mini_deck / "facts.yaml")
    yield running
    running.kill()


def test_dropped_event_streams_leave_no_threads_behind(served: Server) -> None:
    """Each disconnected event-stream client kept its thread (3 -> 63 after 60 dropped
    pages); a stream now sees within a second that its client closed."""
    before = served.threads()
    for _ in range(4):
        for connection in _streams(served.port, CONNECTIONS - 2):
            connection.close()
        _eventually(lambda: served.threads() <= before)
    assert served.status()["errors"] == []


def test_connections_beyond_the_bound_are_told_to_wait(served: Server) -> None:
    held = _streams(served.port, CONNECTIONS)
    code, body = _get(served.port, "/")
    assert code == 503 and body == b"factdeck serve: too many connections; try again\n"
    held.pop().close()
    _eventually(lambda: _get(served.port, "/")[0] == 200)
    for connection in held:
        connection.close()
    code, errors = served.stop()
    assert code == 0 and "Traceback" not in errors, errors


def _fails(text: str) -> Callable[[dict[str, object]], bool]:
    return lambda state: any(text in str(error) for error in state["errors"])  # type: ignore[attr-defined]


def _builds(after: int) -> Callable[[dict[str, object]], bool]:
    return lambda state: int(state["version"]) > after and not state["errors"]  # type: ignore[call-overload]


def test_serve_lives_through_every_change_of_its_deck_folder(
    served: Server, project: Path, mini_deck: Path
) -> None:
    """Each change shows what is wrong (file, message) in the status the page reads, and
    the next good state builds again; the server never stops."""
    cards, facts, deck_file = project / "cards", mini_deck / "facts.yaml", mini_deck / "deck.yaml"
    good = facts.read_text(encoding="utf-8")
    deck_text = deck_file.read_text(encoding="utf-8")
    kept = project / "kept"

    deck_file.unlink()
    deck_file.mkdir()
    served.wait_until(_fails("cards/mini/deck.yaml: is a folder, not a file"))
    deck_file.rmdir()
    deck_file.write_text(deck_text, encoding="utf-8")
    version = int(served.wait_until(_builds(0))["version"])  # type: ignore[call-overload]

    facts.write_text("facts: [\n", encoding="utf-8")
    served.wait_until(_fails("cards/mini/facts.yaml:2: invalid YAML"))
    facts.write_text(good, encoding="utf-8")
    version = int(served.wait_until(_builds(version))["version"])  # type: ignore[call-overload]

    facts.unlink()
    facts.symlink_to(mini_deck / "nowhere.yaml")
    served.wait_until(_fails("cards/mini/facts.yaml: is a symbolic link (to "))
    facts.unlink()
    facts.write_text(good, encoding="utf-8")
    version = int(served.wait_until(_builds(version))["version"])  # type: ignore[call-overload]

    loop = mini_deck / "loop.yaml"
    loop.symlink_to(loop.name)  # naming it in the message raised again: serve ended
    served.wait_until(_fails("cards/mini/loop.yaml: is a symbolic link (to loop.yaml)"))
    loop.unlink()
    version = int(served.wait_until(_builds(version))["version"])  # type: ignore[call-overload]

    mini_deck.rename(project / "cards" / "mini-old")  # nothing changes inside the folder
    served.wait_until(_fails("cards/mini: the deck's folder is gone"))
    (project / "cards" / "mini-old").rename(mini_deck)
    version = int(served.wait_until(_builds(version))["version"])  # type: ignore[call-overload]

    shutil.copytree(cards, kept)
    shutil.rmtree(cards)  # the watched folder itself: a watcher would go on watching it
    served.wait_until(_fails("cards/mini: the deck's folder is gone"))
    shutil.copytree(kept, cards)
    version = int(served.wait_until(_builds(version))["version"])  # type: ignore[call-overload]
    facts.write_text(good.replace("{{c1::big}}", "{{c1::large}}"), encoding="utf-8")
    served.wait_until(_builds(version))  # the new cards/ is watched

    code, errors = served.stop()
    assert code == 0 and "Traceback" not in errors, errors


def test_serve_run_in_a_deck_folder_deleted_and_made_again(mini_deck: Path, project: Path) -> None:
    """Its working folder gone, every message naming a file raised (Path.cwd())."""
    served = Server(mini_deck)
    try:
        served.watching(mini_deck / "facts.yaml")
        version = int(served.status()["version"])  # type: ignore[call-overload]
        shutil.copytree(mini_deck, project / "kept")
        shutil.rmtree(mini_deck)
        served.wait_until(_fails("cards/mini: the deck's folder is gone"))
        shutil.copytree(project / "kept", mini_deck)
        served.wait_until(_builds(version))
        code, errors = served.stop()
    finally:
        served.kill()
    assert code == 0 and "Traceback" not in errors, errors


def test_a_fact_file_in_capitals_is_watched(served: Server, mini_deck: Path) -> None:
    """A build reads .YAML and .Yml as fact files; the watch looked at lower-case endings
    only, so a change to one was never shown."""
    version = int(served.status()["version"])  # type: ignore[call-overload]
    shouting = mini_deck / "MORE.YAML"
    shouting.write_text("facts: [\n", encoding="utf-8")
    served.wait_until(_fails("cards/mini/MORE.YAML:2: invalid YAML"), seconds=10)
    shouting.unlink()
    served.wait_until(_builds(version))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_said_and_then_read_again(served: Server, mini_deck: Path) -> None:
    facts = mini_deck / "facts.yaml"
    version = int(served.status()["version"])  # type: ignore[call-overload]
    facts.chmod(0)
    try:
        served.wait_until(_fails("cards/mini/facts.yaml"))
    finally:
        facts.chmod(0o644)
    served.wait_until(_builds(version))
    code, errors = served.stop()
    assert code == 0 and "Traceback" not in errors, errors
