"""The real `factdeck serve` in its own process, for tests that change the deck under it
(tests/cli/test_serve.py) or drive its page in Chromium (tests/browser/)."""

from __future__ import annotations

import json
import os
import pty
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

# How long a wait on the server may take at most: a ceiling, not a pause (each wait returns
# as soon as what it waits for is seen), generous because a loaded machine (2 CPUs, several
# suites) made a 20 s ceiling on stopping fail tests that pass alone.
PATIENCE = 120.0


class Server:
    """With `terminal`, it runs on a pseudo-terminal, in colour (no NO_COLOR): stdout and
    stderr are then one stream, which `stop` returns whole."""

    def __init__(self, project: Path, terminal: bool = False) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
        streams: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        self.terminal: TextIO | None = None
        if terminal:
            del env["NO_COLOR"]
            own, theirs = pty.openpty()
            streams = {"stdout": theirs, "stderr": theirs}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from factdeck.cli.main import main; main()",
                "serve",
                "--port",
                "0",
            ],
            cwd=project,
            env=env,
            text=True,
            **streams,
        )
        if terminal:
            os.close(theirs)
            self.terminal = open(own, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed by stop); CR LF read as LF
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.url = self._wait_for("Serving").split()[1]
        self.port = int(urlsplit(self.url).port or 0)

    def _read(self) -> None:
        stream = self.terminal or self.process.stdout
        assert stream is not None
        try:
            for line in stream:
                self.seen.append(line)
                self.lines.put(line)
        except OSError:  # a pseudo-terminal whose other side closed: the process ended
            pass

    def _wait_for(self, start: str) -> str:
        while True:
            line = self.lines.get(timeout=PATIENCE)
            if start in line:  # on a terminal after a colour code
                return line

    def status(self) -> dict[str, object]:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", "/__factdeck/status")
            return dict(json.loads(connection.getresponse().read()))
        finally:
            connection.close()

    def wait_until(
        self, holds: Callable[[dict[str, object]], bool], seconds: float = PATIENCE
    ) -> dict[str, object]:
        """The first status for which `holds` is true (the watcher debounces, then builds)."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.status()
            if holds(state):
                return state
            assert time.monotonic() < deadline, f"still {state}"
            time.sleep(0.1)

    def watching(self, file: Path) -> None:
        """Return once the watcher has started (it starts after "Serving" is printed): save
        `file` unchanged until a rebuild follows."""
        start = self.status()["version"]
        deadline = time.monotonic() + PATIENCE
        while self.status()["version"] == start:
            assert time.monotonic() < deadline, "the watcher never saw a save"
            file.write_bytes(file.read_bytes())
            time.sleep(0.5)
        self.wait_until(lambda state: not state["errors"])

    def threads(self) -> int:
        """The server process's threads, as Linux counts them."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        return int(next(line for line in status.splitlines() if line.startswith("Threads:"))[8:])

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=PATIENCE)
        if self.terminal is not None:
            self.reader.join(PATIENCE)
            self.terminal.close()
            return code, "".join(self.seen)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.terminal is not None and not self.terminal.closed:
            self.reader.join(PATIENCE)
            self.terminal.close()
