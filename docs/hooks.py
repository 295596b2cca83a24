"""mkdocs hook: the shipped deck's drawing, shown on the diagrams page, is served from
cards/ where it lives, instead of a copy in docs/ that could drift from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_REPO = Path(__file__).resolve().parents[1]
_DRAWINGS = {"cluneal-nerves.svg": _REPO / "cards/low-back-pain/diagrams/cluneal-nerves.svg"}


def on_files(files: Files, config: Any) -> Files:
    for name, source in _DRAWINGS.items():
        files.append(File.generated(config, name, abs_src_path=str(source)))
    return files
