"""The benchmark's `serve` row: an author saves a fact file, how long until the open page
shows the edit (issue 23: ≤ 1 s at 5,000 notes).

The real `factdeck serve` in its own process on the generated deck, its page in Debian's
Chromium (playwright), as tests/browser/test_serve_browser.py drives it. Each timed save
appends a marker to one fact's answer; the clock stops when that fact's card, drawn in
the page, holds the marker (on the server's event stream the page fetches the parts that
changed and replaces their cards, or reloads when its shell changed; the card is scrolled
to once its part is there). The server's own lines give the split: save → "changed" (the
watcher's debounce), → "built" (the preview rebuilt), → drawn (the parts fetched and
drawn, or the reload); "reloads" counts the saves that reloaded the page.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# True once the fact's card shows the marker in one of its faces; scrolls to the card when
# its part has arrived undrawn.
_SHOWN = """([fact, marker]) => {
  const card = document.querySelector(`article[id^="${fact}--"]`);
  if (!card) return false;
  if (!card.dataset.rendered) { card.scrollIntoView(); return false; }
  return [...card.querySelectorAll(".pv-host")].some(
    (host) => host.shadowRoot && host.shadowRoot.textContent.includes(marker));
}"""


class Late(Exception):
    """What was waited for did not come within the limit."""


class Served:
    """`factdeck serve DECK --port 0 --out OUT`, its stdout lines timestamped as they come."""

    def __init__(self, exe: Path, deck_dir: Path, out: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(exe), "serve", str(deck_dir), "--port", "0", "--out", str(out)],
            cwd=deck_dir.parent.parent,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line))
        self.lines.put((time.perf_counter(), ""))  # the end of the output

    def wait_for(self, word: str, limit: float) -> tuple[float, str]:
        """When the next line holding `word` came, and the line (Late past `limit`)."""
        deadline = time.perf_counter() + limit
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise Late(f"the server's {word!r} line, past {limit:.0f} s") from None
            if not line:
                raise SystemExit(f"serve ended before {word!r}")
            if "Error:" in line:
                raise SystemExit(f"serve: {line.strip()}")
            if word in line:
                return at, line

    def stop(self) -> float:
        """Ctrl-C (killed if it has not ended a minute later); the server's peak memory (MB)
        over its whole run."""
        self.process.send_signal(signal.SIGINT)
        killer = threading.Timer(60, self.process.kill)
        killer.start()
        _, _, usage = os.wait4(self.process.pid, 0)
        killer.cancel()
        return usage.ru_maxrss / 1024


def measure(
    exe: Path,
    deck_dir: Path,
    out: Path,
    env: dict[str, str],
    edit: Callable[[Path, str], str],
    saves: int,
    limit: float,
) -> dict[str, Any]:
    """Seconds from each of `saves` saves to the page showing it: the median, and its split
    (or {"stopped": limit} when a wait takes longer than `limit`)."""
    from playwright.sync_api import TimeoutError, sync_playwright

    served = Served(exe, deck_dir, out, env)
    try:
        _, line = served.wait_for("Serving", limit)
        url = line.split()[1]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page()
            page.set_default_timeout(limit * 1000)  # not playwright's 30 s
            # Not until "load": the page's parts are scripts it adds, and it loads them all.
            page.goto(url, wait_until="commit")
            page.wait_for_selector("body[data-ready]")
            # The watcher starts after "Serving": a first save, untimed, shows it is on.
            page.evaluate("window.notReloaded = true")
            fact = edit(deck_dir, "servewarm")
            served.wait_for("built", limit)
            page.wait_for_function(_SHOWN, arg=[fact, "servewarm"])
            _settled(page)
            timed = [_save(served, page, deck_dir, edit, n, limit) for n in range(saves)]
            browser.close()
    except (Late, TimeoutError) as late:
        return {"stopped": limit, "waiting for": str(late).splitlines()[0]}
    finally:
        peak_mb = served.stop()
    reloads = sum(split.pop("reloaded") for split in timed)
    timed.sort(key=lambda split: split["seconds"])
    return {**timed[len(timed) // 2], "saves": saves, "reloads": reloads, "peak_mb": peak_mb}


def _save(
    served: Served,
    page: Any,
    deck_dir: Path,
    edit: Callable[[Path, str], str],
    n: int,
    limit: float,
) -> dict[str, float]:
    page.evaluate("window.notReloaded = true")
    marker = f"servesave{n}x"
    start = time.perf_counter()
    fact = edit(deck_dir, marker)
    changed, _ = served.wait_for("changed", limit)
    built, _ = served.wait_for("built", limit)
    page.wait_for_function(_SHOWN, arg=[fact, marker])
    drawn = time.perf_counter()
    _settled(page)
    return {
        "seconds": drawn - start,
        "watch": changed - start,
        "rebuild": built - changed,
        "page": drawn - built,
        "reloaded": int(page.evaluate("!window.notReloaded")),
    }


def _settled(page: Any) -> None:
    """Until the page (reloaded or not) has all its parts."""
    page.wait_for_function("document.body.dataset.ready")
