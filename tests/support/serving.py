"""The real `factdeck serve` in its own process, for tests that change the deck under it
(tests/cli/test_serve.py) or drive its page in Chromium (tests/browser/)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

# How long a wait on the server may take at most: a ceiling, not a pause (each wait returns
# as soon as what it waits for is seen), generous because a loaded machine (2 CPUs, several
# suites) made a 20 s ceiling on stopping fail tests that pass alone.
PATIENCE = 120.0


class Server:
    def __init__(self, project: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
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
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for("Serving ").split()[1]
        self.port = int(urlsplit(self.url).port or 0)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _wait_for(self, start: str) -> str:
        while True:
            line = self.lines.get(timeout=PATIENCE)
            if line.startswith(start):
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
        assert self.process.stderr is not None
        return code, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
