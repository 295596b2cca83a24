"""Benchmark: how long an author waits. (a) `factdeck serve`: from saving a fact to the open
page showing it (the real command, Debian's Chromium); (b) `factdeck preview --pdf`: the
shipped deck printed as a handout.

    python bench/authoring.py            # 5 edits of the shipped deck, then one PDF

Needs Chromium (/usr/bin/chromium or FACTDECK_CHROMIUM) and the test extras (playwright,
pypdf). Works on a copy of the shipped deck; the repository is never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
CHROMIUM = os.environ.get("FACTDECK_CHROMIUM", "/usr/bin/chromium")
FACTDECK = [sys.executable, "-c", "from factdeck.cli.main import main; main()"]
EDITS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        shutil.copytree(REPO / "templates", project / "templates")
        shutil.copytree(DECK, project / "cards" / DECK.name)
        waits = serve_latency(project)
        print(
            f"serve: save -> page updated, {EDITS} edits of the shipped deck: median "
            f"{statistics.median(waits):.2f} s (min {min(waits):.2f}, max {max(waits):.2f})"
        )
        started = time.perf_counter()
        subprocess.run(
            [*FACTDECK, "preview", "-q", "--pdf"],
            cwd=project,
            check=True,
            env={**os.environ, "FACTDECK_CHROMIUM": CHROMIUM},
        )
        seconds = time.perf_counter() - started
        pdf = project / "dist" / f"{DECK.name}-handout.pdf"
        pages = len(PdfReader(pdf).pages)
        print(
            f"preview --pdf: {seconds:.1f} s for the whole command, {pages} pages, "
            f"{pdf.stat().st_size / 1e6:.1f} MB"
        )


def serve_latency(project: Path) -> list[float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    server = subprocess.Popen(
        [*FACTDECK, "serve", "--port", "0"], cwd=project, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = next(line for line in server.stdout if line.startswith("Serving ")).split()[1]
        facts = project / "cards" / DECK.name / "introduction.yaml"
        original = facts.read_text(encoding="utf-8")
        waits = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-ready]")
            for number in range(EDITS):
                marker = f"benchmark{number}"
                page.evaluate("window.notReloaded = true")
                started = time.perf_counter()
                facts.write_text(original.replace("extensive", marker, 1), encoding="utf-8")
                page.wait_for_function(
                    "!window.notReloaded && document.body.dataset.ready && "
                    f"document.getElementById('pv-data').textContent.includes('{marker}')",
                    timeout=60_000,
                )
                waits.append(time.perf_counter() - started)
            browser.close()
        return waits
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
