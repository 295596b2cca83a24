"""The removal notice in the real Anki desktop app (issue 21): a student of 2.0.0 imports the
deck's next release (2.1.0, as built today), a student of a course the release that takes
a list item out (one profile).
The add-on (tests/desktop/desktop_addon) shows every card of the notes concerned in Anki's
own reviewer, question and answer, in a phone-sized window: a card taken out shows the
notice inside the window and no error, the others never show it; nothing logs an error.

Needs what tests/desktop/test_desktop_anki.py needs; skipped or failed the same way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.desktop.test_desktop_anki import desktop_profile, run_desktop
from tests.support.notices import (
    RELEASE_2_0_0,
    SEARCH,
    course_releases,
    next_shipped_release,
    removed_numbers,
)

NOTICE = "This card was removed from the deck"


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("desktop-notices")
    base, out = desktop_profile(folder)
    v1, v2 = course_releases(folder / "course")
    job = folder / "job.json"
    apkgs = [RELEASE_2_0_0, next_shipped_release(folder / "shipped"), v1, v2]
    job.write_text(
        json.dumps(
            {
                "apkgs": [str(p) for p in apkgs],
                "search": SEARCH,
                "out": str(out),
                "note_type": "",
                "sizes": [[400, 800]],
            }
        ),
        encoding="utf-8",
    )
    done = run_desktop(base, job, 600)
    results = out / "results.json"
    assert results.exists(), f"Anki exited ({done.returncode}):\n{done.stderr[-3000:]}"
    found: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    return found


def test_every_card_taken_out_shows_the_notice_in_the_window(shown: dict[str, Any]) -> None:
    assert shown["problems"] == []
    removed = [s for s in shown["shots"] if s["ord"] + 1 in removed_numbers(s["tags"])]
    assert {s["note_type"] for s in removed} == {"factdeck Cloze", "factdeck Image Occlusion"}
    assert len(removed) >= 2 * 8  # 6 masks and corrected answers of the shipped deck, 1 item
    for s in removed:
        top, height = s["box"]
        assert s["notice"].startswith(f'"{NOTICE}'), s
        assert height > 0 and top + height <= s["window"], s
        assert s["err"] == "" and "No cloze" not in s["text"], s


def test_no_other_card_shows_it(shown: dict[str, Any]) -> None:
    others = [s for s in shown["shots"] if s["ord"] + 1 not in removed_numbers(s["tags"])]
    assert others
    assert all(s["notice"] == "none" and NOTICE not in s["text"] for s in others)


def test_no_javascript_errors_on_the_cards(shown: dict[str, Any]) -> None:
    errors = [
        m
        for m in shown["console"]
        if "Error" in m["level"] and m["phase"] == "cards" and m["view"] == "reviewer"
    ]
    assert errors == []
