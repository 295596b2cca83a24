"""`factdeck preview --pdf`: the preview printed to PDF by Chromium (through Playwright), as
a handout: the page's print stylesheet puts each card's question and answer side by side
and keeps a card on one page.

The browser is the system's Chromium (Debian's `chromium`, or FACTDECK_CHROMIUM); nothing
is downloaded. Playwright is an optional dependency (`pip install 'factdeck[pdf]'`).
Playwright's and Chromium's working files (a profile, artifacts, crash reports) go to a
scratch folder beside the PDF, not the system's temporary folder or the home folder;
only Chromium's socket stays in the system's, for the length of its path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from factdeck.errors import FactdeckError
from factdeck.fs import atomic

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_TIMEOUT_MS = 120_000
# Every card drawn (the page draws them lazily, and on `beforeprint`) with its images decoded.
_ALL_DRAWN = """async () => {
  window.dispatchEvent(new Event("beforeprint"));
  const hosts = [...document.querySelectorAll(".pv-host")];
  await Promise.all(hosts.flatMap((h) => h.shadowRoot ? [...h.shadowRoot.querySelectorAll("img")]
                                                     : []).map((img) => img.decode()));
  return [...document.querySelectorAll("article.pv-card")].every((a) => a.dataset.rendered);
}"""


def chromium() -> Path:
    """The browser to print with: FACTDECK_CHROMIUM, else chromium on the PATH."""
    named = os.environ.get("FACTDECK_CHROMIUM")
    found = (
        Path(named)
        if named
        else next((Path(p) for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    )
    if found is None or not found.is_file():
        raise FactdeckError.at(
            None,
            "printing to PDF needs Chromium: install it (Debian: "
            "apt-get install chromium) or set FACTDECK_CHROMIUM to "
            "its path",
        )
    return found


def print_pdf(index: Path, pdf: Path) -> int:
    """Print the preview page `index` to `pdf`; return the PDF's size in bytes."""
    browser_path = chromium()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ModuleNotFoundError:
        raise FactdeckError.at(
            None, "printing to PDF needs Playwright: pip install 'factdeck[pdf]'"
        ) from None
    try:
        with (
            atomic.scratch_folder(pdf.parent, "pdf") as scratch,
            _working_files_in(scratch) as env,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=str(browser_path), args=list(CHROMIUM_ARGS), env=env
            )
            try:
                page = browser.new_page()
                page.set_default_timeout(_TIMEOUT_MS)
                page.goto(index.resolve().as_uri())
                page.wait_for_selector("body[data-ready]")
                if not page.evaluate(_ALL_DRAWN):
                    raise FactdeckError.at(
                        None, f"{index}: the preview did not draw every card; rebuild it"
                    )
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    outline=True,
                    tagged=True,
                )
            finally:
                browser.close()
    except Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FactdeckError.at(None, f"Chromium could not print the preview: {first}") from None
    with atomic.replacing(pdf) as tmp:
        tmp.write_bytes(data)
    return len(data)


@contextlib.contextmanager
def _working_files_in(folder: Path) -> Iterator[dict[str, str | float | bool]]:
    """Yield Chromium's environment, its config and cache folders (crash reports: they
    stayed in ~/.config/chromium) in `folder`; meanwhile this process's TMPDIR is `folder`,
    for the Playwright driver it starts (its artifacts and Chromium's profile go there).
    Chromium keeps the system's TMPDIR: its socket's path must be short (108 bytes), and
    a project's folder may be deeper."""
    env: dict[str, str | float | bool] = {
        **os.environ,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield env
    finally:
        if before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = before
