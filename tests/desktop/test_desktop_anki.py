"""The real Anki desktop app (PyPI `aqt` + PyQt6-WebEngine, under Xvfb) reviewing the diagrams.

A fresh profile with an add-on (tests/desktop_addon) imports the built package and shows
every native image-occlusion card in Anki's own reviewer, question and answer, at a desktop
size and at a phone-like 400×800, in the light and the dark theme, grabbing the window each
time. The screenshots are checked here, pixel by pixel at each label's measured box: the
asked label is under the active mask, the other labels under inactive masks, the answer
shows the label; nothing was logged as a JavaScript error.

Needs `pip install -e ".[desktop]"` and Debian's xvfb; skipped with the reason otherwise,
except where FACTDECK_REQUIRE_DESKTOP=1 (.ci/run) makes it a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from factdeck.diagrams.measure import read_drawing
from factdeck.diagrams.occlusion import Mask, measure_masks
from factdeck.facts.model import Diagram
from factdeck.pipeline import BuildResult, expanded
from tests.support.decks import REAL_DECK

NATIVE = "factdeck Image Occlusion"
ACTIVE = (0xFF, 0x8E, 0x8E)
INACTIVE = (0xFF, 0xEB, 0xA2)
SIZES = [(1280, 1024), (400, 800)]  # a desktop window, and a phone-like one
THEMES = ["LIGHT", "DARK"]
PROFILE = "factdeck-test"
ADDON = Path(__file__).resolve().parent / "desktop_addon"
TIMEOUT = 900  # seconds for the whole run: 24 cards × 2 sides × 4 views on 2 shared cores


def missing() -> str | None:
    """Why the desktop app cannot run here, or None."""
    if (
        importlib.util.find_spec("aqt") is None
        or importlib.util.find_spec("PyQt6.QtWebEngineWidgets") is None
    ):
        return (
            "needs Anki desktop: PyPI aqt==26.9.3 and PyQt6-WebEngine (pip install -e '.[desktop]')"
        )
    if shutil.which("xvfb-run") is None:
        return "needs Xvfb to run Anki desktop headless (apt-get install -y xvfb xauth)"
    return None


@dataclass(frozen=True)
class Run:
    folder: Path
    shots: list[dict[str, Any]]
    console: list[dict[str, Any]]
    problems: list[str]
    stdout: str


def fresh_profile(base: Path) -> None:
    """prefs21.db as Anki writes it after its first run: no language dialog, no update check."""
    from aqt.profiles import metaConf, profileConf

    meta = {
        **metaConf,
        "firstRun": False,
        "defaultLang": "en_US",
        "check_for_updates": False,
        "last_loaded_profile_name": PROFILE,
    }
    db = sqlite3.connect(base / "prefs21.db")
    db.execute("create table profiles (name text primary key collate nocase, data blob not null)")
    db.execute("insert into profiles values ('_global', ?)", (pickle.dumps(meta, protocol=4),))
    db.execute(
        "insert into profiles values (?, ?)", (PROFILE, pickle.dumps(dict(profileConf), protocol=4))
    )
    db.commit()
    db.close()


def desktop_profile(folder: Path) -> tuple[Path, Path]:
    """(profile base, shots folder) in `folder`: a fresh profile with the test add-on, or the
    test skipped (failed where FACTDECK_REQUIRE_DESKTOP says the desktop must run)."""
    reason = missing()
    if reason:
        if os.environ.get("FACTDECK_REQUIRE_DESKTOP"):
            pytest.fail(reason)
        pytest.skip(reason)
    base, out = folder / "base", folder / "shots"
    (base / "addons21").mkdir(parents=True)
    out.mkdir()
    fresh_profile(base)
    shutil.copytree(ADDON, base / "addons21" / "factdeck_desktop_test")
    return base, out


def run_desktop(base: Path, job: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """Anki desktop under Xvfb on profile `base`, its add-on given `job`: software GL, no
    sandbox (root in CI), Qt's xcb platform; returns when the add-on has quit Anki."""
    env = {
        **os.environ,
        "FACTDECK_DESKTOP_JOB": str(job),
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "ANKI_SOFTWAREOPENGL": "1",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
        "QT_QPA_PLATFORM": "xcb",
    }
    start = "import sys, aqt; sys.argv = ['anki', '-b', sys.argv[1], '-p', sys.argv[2]]; aqt.run()"
    screen = ["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24"]
    return subprocess.run(
        [*screen, sys.executable, "-c", start, str(base), PROFILE],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def desktop(built_real_deck: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("desktop")
    base, out = desktop_profile(folder)
    job = folder / "job.json"
    job.write_text(
        json.dumps(
            {
                "apkg": str(built_real_deck.apkg),
                "out": str(out),
                "note_type": NATIVE,
                "deck": "Low Back Pain::Diagrams",
                "sizes": SIZES,
                "themes": THEMES,
            }
        ),
        encoding="utf-8",
    )
    began = time.monotonic()
    done = run_desktop(base, job, TIMEOUT)
    results = out / "results.json"
    assert results.exists(), (
        f"Anki desktop exited ({done.returncode}) after {time.monotonic() - began:.0f} s "
        f"without results:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    found = json.loads(results.read_text(encoding="utf-8"))
    return Run(out, found["shots"], found["console"], found["problems"], done.stdout)


@pytest.fixture(scope="module")
def masks() -> dict[str, tuple[Diagram, tuple[Mask, ...]]]:
    """Each shipped diagram's measured masks, by the native note's Header."""
    found = {}
    for entry in expanded(REAL_DECK).deck.entries:
        fact = entry.fact
        if isinstance(fact, Diagram):
            path = REAL_DECK / fact.image
            found[fact.header] = (
                fact,
                measure_masks(fact, read_drawing(path, entry.location), path.name, entry.location),
            )
    return found


def window_box(shot: dict[str, Any], box: Any) -> tuple[float, float, float, float]:
    """A mask's box (fractions of the image) in the screenshot's pixels."""
    x, y, w, h = shot["img"]
    ox, oy = shot["web_origin"]
    zoom, dpr = shot["zoom"], shot["dpr"]
    left = (ox + (x + box.left * w) * zoom) * dpr
    top = (oy + (y + box.top * h) * zoom) * dpr
    return left, top, box.width * w * zoom * dpr, box.height * h * zoom * dpr


def samples(box: tuple[float, float, float, float], inset: float = 3) -> list[tuple[int, int]]:
    x, y, w, h = box
    xs = [x + inset + (w - 2 * inset) * f / 4 for f in range(5)]
    ys = [y + inset + (h - 2 * inset) * f / 2 for f in range(3)]
    return [(round(px), round(py)) for px in xs for py in ys]


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], slack: int = 14) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=False))


def share(image: Image.Image, points: list[tuple[int, int]], colour: tuple[int, int, int]) -> float:
    return sum(near(image.getpixel(p), colour) for p in points) / len(points)


def shots_of(run: Run, side: str) -> Iterator[tuple[dict[str, Any], Image.Image]]:
    for shot in run.shots:
        if shot["side"] == side:
            yield shot, Image.open(run.folder / shot["file"]).convert("RGB")


def test_every_native_card_is_shown_at_every_size_and_theme(desktop: Run, masks: Any) -> None:
    assert desktop.problems == []
    cards = sum(len(found) for _, found in masks.values())
    assert cards == sum(1 for fact, _ in masks.values() for group in fact.masks if group) > 0
    assert len(desktop.shots) == cards * len(SIZES) * len(THEMES) * 2
    for shot in desktop.shots:
        assert shot["shapes"] > 0 and shot["err"] == ""
        assert ("nightMode" in shot["body"].split()) is (shot["theme"] == "DARK")


# Anki's reviewer page calls these into itself while it loads; under load it may call them
# before its own script has defined them (seen as `_anki/legacyPageData` errors).
ANKI_BOOTSTRAP = re.compile(
    r"Uncaught ReferenceError: _?(?:showQuestion|showAnswer|drawFlag|"
    r"drawMark|blockDefaultDragDropBehavior|updateQA) is not defined"
)


def test_no_javascript_errors(desktop: Run) -> None:
    """Nothing logged an error while the cards were shown, nor ever in the card's webview.

    Left out: Anki's own toolbar and bottom-bar pages while the test switches theme, size
    and screen faster than a person would (under load, Anki may then call into a page whose
    script is still loading); they do not involve the cards. For the same reason, while it
    navigates, the reviewer page itself may report Anki's own bootstrap functions as not yet
    defined: those are ignored by name; anything else there still fails the test.
    """
    check = {
        "level": "ErrorMessageLevel",
        "view": "reviewer",
        "message": "factdeck console hook check",
    }
    checks = [m for m in desktop.console if check.items() <= m.items()]
    assert len(checks) == len(SIZES) * len(THEMES)  # the hook does see the reviewer's errors
    errors = [
        m
        for m in desktop.console
        if "Error" in m["level"]
        and m not in checks
        and (m["phase"] == "cards" or m["view"] == "reviewer")
        and not (m["phase"] == "navigating" and ANKI_BOOTSTRAP.fullmatch(m["message"]))
    ]
    assert errors == []
    assert desktop.shots and all(shot["err"] == "" for shot in desktop.shots)


def test_the_active_mask_covers_the_asked_label_and_inactive_masks_the_others(
    desktop: Run, masks: Any
) -> None:
    checked = 0
    for shot, image in shots_of(desktop, "question"):
        fact, found = masks[shot["header"]]
        for mask in found:
            asked = mask.number == shot["ord"] + 1
            if not asked and fact.mode != "hide-all":
                continue
            for shape in mask.shapes:
                points = samples(window_box(shot, shape.box))
                colour = ACTIVE if asked else INACTIVE
                assert share(image, points, colour) >= 0.9, (shot["file"], shape.id, asked)
                checked += 1
    assert checked > 0


def test_the_answer_shows_the_label(desktop: Run, masks: Any) -> None:
    for shot, image in shots_of(desktop, "answer"):
        _, found = masks[shot["header"]]
        (mask,) = [m for m in found if m.number == shot["ord"] + 1]
        for shape in mask.shapes:
            points = samples(window_box(shot, shape.box))
            assert share(image, points, ACTIVE) < 0.2, (shot["file"], shape.id)
            assert share(image, points, INACTIVE) < 0.2, (shot["file"], shape.id)
            x, y, w, h = window_box(shot, shape.box)
            inside = image.crop((round(x) + 2, round(y) + 2, round(x + w) - 2, round(y + h) - 2))
            darkest, _ = inside.convert("L").getextrema()
            assert darkest < 90, (shot["file"], shape.id)  # the label's text is drawn


def test_labels_stay_phone_sized_in_the_phone_window(desktop: Run, masks: Any) -> None:
    """At 400×800 the image fits the window, and a 14-unit label is still ≥ 10 px."""
    for shot in desktop.shots:
        if shot["size"] != [400, 800]:
            continue
        width = shot["img"][2] * shot["zoom"]
        fact, _ = masks[shot["header"]]
        svg = (REAL_DECK / fact.image).read_text(encoding="utf-8")
        view_width = float(svg.split('viewBox="', 1)[1].split()[2])
        assert width <= 400
        assert 14 * width / view_width >= 10, shot["file"]
