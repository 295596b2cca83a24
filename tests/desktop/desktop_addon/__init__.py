"""An add-on that runs inside Anki desktop (PyPI `aqt`) for tests/test_desktop_anki.py.

The test copies this folder into BASE/addons21/ of a fresh profile and starts Anki with
FACTDECK_DESKTOP_JOB naming a JSON job: the package to import, where to write, the window
sizes. Once the profile is open it imports the package, then shows every native
image-occlusion card in the real reviewer, question and answer, at every size, in the light
and the dark theme; it grabs the window (mw.grab()) each time, records where the image sits
and what the webviews logged to the console, writes results.json and quits.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Generator
from pathlib import Path
from typing import Any

from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from aqt import gui_hooks, mw
from aqt.qt import QPoint, QTimer
from aqt.theme import Theme, theme_manager
from aqt.webview import AnkiWebPage

JOB = json.loads(Path(os.environ["FACTDECK_DESKTOP_JOB"]).read_text(encoding="utf-8"))
OUT = Path(JOB["out"])
NATIVE = JOB["note_type"]
console: list[dict[str, Any]] = []
phase = {"now": "navigating"}  # "cards" while a card is on screen
ACTIVE_RGB = 0xFF8E8E  # Anki's active mask colour (io-native/style.css)
shots: list[dict[str, Any]] = []
problems: list[str] = []

_logged = AnkiWebPage.javaScriptConsoleMessage


def _record_console(
    self: AnkiWebPage, level: Any, message: str | None, line: int, source: str | None
) -> None:
    view = (
        "reviewer"
        if mw.reviewer.web and self is mw.reviewer.web.page()
        else "bottom bar"
        if mw.reviewer.bottom.web and self is mw.reviewer.bottom.web.page()
        else "other"
    )
    console.append(
        {
            "level": getattr(level, "name", str(level)),
            "message": message or "",
            "line": line,
            "source": (source or "")[:120],
            "view": view,
            "after_shots": len(shots),
            "phase": phase["now"],
        }
    )
    _logged(self, level, message, line, source)


AnkiWebPage.javaScriptConsoleMessage = _record_console  # type: ignore[method-assign]

# Ready once the image occlusion script has sized its canvas over the loaded image; returns
# where the image is (CSS px of the reviewer's page) and what the card's error box says.
_STATE = """(() => {
  const canvas = document.getElementById("image-occlusion-canvas");
  const img = document.querySelector("#image-occlusion-container img");
  const err = document.getElementById("err");
  if (!canvas || !img || !img.complete || !img.naturalWidth || !canvas.width) return null;
  if (img.getBoundingClientRect().bottom > innerHeight) img.scrollIntoView({block: "start"});
  const r = img.getBoundingClientRect();
  const asked = document.querySelector('[data-shape][data-ordinal="ORDINAL"]');
  const box = asked ? ["left", "top", "width", "height"].map(k => +asked.dataset[k]) : null;
  return {img: [r.x, r.y, r.width, r.height], asked: box, err: err ? err.innerText : "",
          body: document.body.className, viewport: [innerWidth, innerHeight],
          shapes: document.querySelectorAll("[data-shape]").length};
})()"""


def _plan() -> Generator[Any, Any, None]:
    col = mw.col
    request = ImportAnkiPackageRequest(package_path=JOB["apkg"], options=ImportAnkiPackageOptions())
    col.import_anki_package(request)
    cards = sorted(col.find_cards(f'"note:{NATIVE}"'))
    col.decks.select(col.decks.id_for_name(JOB["deck"]))
    for theme_name in JOB["themes"]:
        mw.set_theme(Theme[theme_name])
        for width, height in JOB["sizes"]:
            mw.showNormal()
            mw.resize(width, height)
            mw.moveToState("deckBrowser")
            yield 300
            mw.moveToState("review")
            for _ in range(100):  # until both reviewer pages have loaded their scripts
                yield 100
                ready = yield ("js", "typeof _showQuestion === 'function'")
                bottom = yield ("bottom-js", "typeof showQuestion === 'function'")
                if ready and bottom:
                    break
            yield 500
            phase["now"] = "hook check"  # proves that console errors reach the test
            yield ("js", "console.error('factdeck console hook check'); true")
            yield 100
            phase["now"] = "cards"
            for card_id in cards:
                card = col.get_card(card_id)
                mw.reviewer.card = card
                card.start_timer()
                mw.reviewer._showQuestion()
                yield from _shoot(theme_name, width, height, card, "question")
                mw.reviewer._showAnswer()
                yield from _shoot(theme_name, width, height, card, "answer")
            phase["now"] = "navigating"


# What a card shows where a notice may be: the ::after text that factdeck's CSS puts on an
# empty cloze (`.fd-cloze`, or image occlusion's `#err` after its empty hidden cloze), the
# box it takes in the page and the window's height, what the card's error box says.
_NOTICE = """(() => {
  const el = document.querySelector(".fd-cloze") || document.getElementById("err");
  if (!el || document.readyState !== "complete") return null;
  const r = el.getBoundingClientRect();
  const err = document.getElementById("err");
  return {notice: getComputedStyle(el, "::after").content, box: [r.top, r.height],
          window: innerHeight, err: err ? err.innerText : "", text: document.body.innerText};
})()"""


def _notices() -> Generator[Any, Any, None]:
    """Import each package in turn, as a student did over the releases, then show every card
    of JOB["search"] in the reviewer, question and answer: what it says, and a grab."""
    col = mw.col
    for apkg in JOB["apkgs"]:
        request = ImportAnkiPackageRequest(package_path=apkg, options=ImportAnkiPackageOptions())
        col.import_anki_package(request)
    cards = sorted(col.find_cards(JOB["search"]))
    col.decks.select(col.get_card(cards[0]).did)  # a deck with cards to review
    mw.showNormal()
    mw.resize(*JOB["sizes"][0])
    mw.moveToState("deckBrowser")
    yield 300
    mw.moveToState("review")
    for _ in range(100):
        yield 100
        if (yield ("js", "typeof _showQuestion === 'function'")):
            break
    phase["now"] = "cards"
    for card_id in cards:
        card = col.get_card(card_id)
        mw.reviewer.card = card
        card.start_timer()
        for side, show in (
            ("question", mw.reviewer._showQuestion),
            ("answer", mw.reviewer._showAnswer),
        ):
            yield ("js", "document.getElementById('qa').textContent = ''; true")
            show()  # the state below is read only once this card's page is in
            state = None
            for _ in range(30):
                yield 200
                state = yield ("js", _NOTICE)
                if state:
                    break
            yield 600  # Anki's image occlusion script runs after the page has loaded
            state = yield ("js", _NOTICE)
            name = f"{card.nid}-{card.ord + 1}-{side}.png"
            mw.grab().save(str(OUT / name))
            note = card.note()
            shots.append(
                {
                    "file": name,
                    "card": card.id,
                    "ord": card.ord,
                    "side": side,
                    "tags": note.tags,
                    "note_type": note.note_type()["name"],
                    **(state or {}),
                }
            )
    phase["now"] = "navigating"


def _shoot(theme: str, width: int, height: int, card: Any, side: str) -> Generator[Any, Any, None]:
    state = None
    for _ in range(60):  # up to 6 s for the image and the canvas
        yield 100
        state = yield ("js", _STATE.replace("ORDINAL", str(card.ord + 1)))
        if state:
            break
    if not state:
        problems.append(f"card {card.id} {side}: the image occlusion canvas was never drawn")
        return
    web = mw.reviewer.web
    for _ in range(40):  # a busy machine may lay out, paint or composite late: wait until the
        yield 300  # image has stopped moving and the grab shows it with its masks
        before, state = state, (yield ("js", _STATE.replace("ORDINAL", str(card.ord + 1))))
        origin = web.mapTo(mw, QPoint(0, 0))
        pixmap = mw.grab()
        if (
            state
            and state == before
            and _painted(pixmap, state, origin, web.zoomFactor(), side == "question")
        ):
            break
    else:
        problems.append(f"card {card.id} {side}: the window never showed the image")
        return
    name = f"{theme.lower()}-{width}x{height}-{card.nid}-{card.ord + 1}-{side}.png"
    pixmap.save(str(OUT / name))
    shots.append(
        {
            "file": name,
            "theme": theme,
            "size": [width, height],
            "window": [mw.width(), mw.height()],
            "card": card.id,
            "note": card.nid,
            "ord": card.ord,
            "side": side,
            "header": card.note()["Header"],
            "web_origin": [origin.x(), origin.y()],
            "zoom": web.zoomFactor(),
            "dpr": pixmap.devicePixelRatio(),
            "night": theme_manager.night_mode,
            **state,
        }
    )


def _painted(pixmap: Any, state: dict[str, Any], origin: Any, zoom: float, question: bool) -> bool:
    """Whether the grab shows this card: the drawing where the image is (not one flat colour)
    and, at the asked shape's centre, the active mask on the question and not on the answer."""
    image = pixmap.toImage()
    dpr = pixmap.devicePixelRatio()
    x, y, w, h = state["img"]

    def pixel(fx: float, fy: float) -> int:
        px = round((origin.x() + (x + w * fx) * zoom) * dpr)
        py = round((origin.y() + (y + h * fy) * zoom) * dpr)
        inside = 0 <= px < image.width() and 0 <= py < image.height()
        return image.pixel(px, py) & 0xFFFFFF if inside else -1

    colours = {pixel(i / 8, j / 8) for i in range(1, 8) for j in range(1, 8)}
    if len(colours) <= 3 or not state["asked"]:
        return False
    left, top, width, height = state["asked"]
    centre = pixel(left + width / 2, top + height / 2)
    return (centre == ACTIVE_RGB) is question


def _drive(plan: Generator[Any, Any, None], sent: Any = None) -> None:
    try:
        step = plan.send(sent)
    except StopIteration:
        _finish()
        return
    except Exception:
        problems.append(traceback.format_exc())
        _finish()
        return
    if isinstance(step, tuple):
        web = mw.reviewer.web if step[0] == "js" else mw.reviewer.bottom.web
        web.evalWithCallback(step[1], lambda value: _drive(plan, value))
    else:
        QTimer.singleShot(step, lambda: _drive(plan))


def _finish() -> None:
    (OUT / "results.json").write_text(
        json.dumps({"shots": shots, "console": console, "problems": problems}, indent=1),
        encoding="utf-8",
    )
    QTimer.singleShot(200, mw.unloadProfileAndExit)


def _start() -> None:
    plan = _notices() if JOB.get("apkgs") else _plan()
    QTimer.singleShot(500, lambda: _drive(plan))


gui_hooks.profile_did_open.append(_start)
