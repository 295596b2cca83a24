"""Open a page in the user's browser, or say in one line why not (no helper's noise)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from factdeck.errors import FactdeckError

_OPENERS = {"darwin": "open", "linux": "xdg-open"}
_TIMEOUT_SECONDS = 20


def open_url(url: str) -> None:
    """Hand `url` (http:// or file://) to the desktop's opener; its output is swallowed, and
    a missing opener or a failure is one FactdeckError line that names the page."""
    if sys.platform == "win32":  # pragma: no cover - no Windows here
        os.startfile(url)  # type: ignore[attr-defined]
        return
    opener = shutil.which(_OPENERS.get(sys.platform, "xdg-open"))
    if opener is None:
        raise FactdeckError.at(
            None,
            f"cannot open a browser here (no "
            f"{_OPENERS.get(sys.platform, 'xdg-open')}); open "
            f"{url} yourself",
        )
    try:
        done = subprocess.run(
            [opener, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FactdeckError.at(
            None, f"cannot open a browser ({exc}); open {url} yourself"
        ) from None
    if done.returncode != 0:
        raise FactdeckError.at(
            None,
            f"cannot open a browser ({os.path.basename(opener)} "
            f"exited with {done.returncode}: no browser set up?); "
            f"open {url} yourself",
        )
