"""Debian's Chromium for the browser tier (playwright drives it; no browser is downloaded)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("FACTDECK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
