"""The analysis report of a simulated class (tests/support/classroom.py) in Chromium: it
renders without a console error, its four charts are drawn, and the hard rows stand out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.classroom import Classroom


def test_the_report_renders_in_chromium(
    browser: Any, simulated_class: Classroom, tmp_path: Path
) -> None:
    cards = simulated_class.project / "cards"
    args = ["analyze", *map(str, simulated_class.exports), "--cards", str(cards)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((tmp_path / "low-back-pain-analysis.html").as_uri())
        seen = page.evaluate("""() => ({
            charts: [...document.querySelectorAll('.charts svg')]
                .map(s => s.getBoundingClientRect().width > 300 && s.getBoundingClientRect().height > 100),
            hard: [...document.querySelectorAll('tr.hard .hard-mark')].length,
            links: [...document.querySelectorAll('tr.hard a')].map(a => a.textContent),
        })""")
    finally:
        page.close()
    assert errors == []
    assert seen["charts"] == [True] * 4
    assert seen["hard"] == 4
    assert all(link.startswith("cards/low-back-pain/") for link in seen["links"])
