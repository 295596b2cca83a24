"""The docs site builds with `mkdocs build --strict` (a broken link, a missing page in
the nav or a dead anchor fails), and the README points only at pages that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_site_builds_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "commands" / "index.html").is_file()
    assert (tmp_path / "cluneal-nerves.svg").is_file()  # the hook's drawing, from cards/


def test_every_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f": {page.name}\n" in nav, f"docs/{page.name} is not in mkdocs.yml's nav"


def test_readme_links_to_every_page() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", readme))
    assert linked, "the README links no docs page"
    for link in linked:
        assert (REPO / link).is_file(), link
    pages = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")}
    assert pages <= linked, f"not linked from the README: {sorted(pages - linked)}"
