"""Measurement: what becomes of retired notes in a student's Anki, per way of shipping them,
in the official engine (PyPI `anki`, newest and 23.10.1), including after Tools > Check
Database (`fix_integrity`). Issue 20, item 4; the figures are in docs/publishing.md.

    python bench/retired_cards.py [ENGINE_PYTHON]...   # default: this Python

The shipped deck is built as v1 (its live notes only) and as v2 with `look-alikes.yaml`
deleted (its notes retired, beside the 46 notes retired in 2.0.0). v2 with every tombstone
in it (as factdeck 2.0.0 shipped) is then rewritten for each option: tombstones without
cards, with their cards suspended, in a `Retired` sub-deck, both, with fields that render
nothing, or not shipped at all. A new student imports v2 and checks the database; a
reviewed student imports v1, reviews every card, imports v2 and checks the database. Last,
the choice: v2 without tombstones, and for the reviewed student (who had 2.0.0) also
v2's `retired-since-2.0.0` package. Works on copies; the repository is never
touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
PROBE = REPO / "tests" / "support" / "engine_probe.py"
RETIRED_TAG = " factdeck::retired "
RETIRED_DECK = 1_999_999_999_001  # a made-up id for the `Retired` sub-deck

Rows = list[tuple[object, ...]]


def main(engines: list[str]) -> None:
    from factdeck.pipeline import build

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "templates", root / "templates")
        deck = root / "cards" / DECK.name
        shutil.copytree(DECK, deck)
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1800000000")
        v1 = rewrite(build(deck, root / "v1").apkg, root / "v1.apkg", not_shipped)
        (deck / "look-alikes.yaml").unlink()
        os.environ["SOURCE_DATE_EPOCH"] = "1800086400"
        built = build(deck, root / "v2")
        since_first, since_last = built.retired  # since 1.0.0 (all 54), since 2.0.0 (4)
        v2 = rewrite(built.apkg, root / "legacy.apkg", lambda db: merge(db, since_first))
        lock = {
            json.loads(line)["note"]: json.loads(line)
            for line in (deck / "factdeck.lock").read_text().splitlines()
            if line.startswith('{"note"')
        }
        options: dict[str, Callable[[sqlite3.Connection, dict[str, dict]], None]] = {
            "no cards (2.0.0)": lambda db, lock: None,
            "cards suspended": lambda db, lock: add_cards(db, lock, queue=-1, retired_deck=False),
            "cards in Retired": lambda db, lock: add_cards(db, lock, queue=0, retired_deck=True),
            "suspended in Retired": lambda db, lock: add_cards(db, lock, -1, retired_deck=True),
            "empty-rendering": blank_fields,
            "not shipped": lambda db, lock: not_shipped(db),
        }
        for engine in engines:
            for number, (name, change) in enumerate(options.items()):
                package = rewrite(v2, root / f"option-{number}.apkg", change, lock)
                new = probe(engine, root / f"new-{number}-{len(engine)}", package)
                had = probe(engine, root / f"had-{number}-{len(engine)}", v1, package)
                print(report(new["version"], name, new, had))
            new = probe(engine, root / f"new-chosen-{len(engine)}", built.apkg)
            had = probe(engine, root / f"had-chosen-{len(engine)}", v1, built.apkg, since_last)
            print(report(new["version"], "chosen: a package per earlier release", new, had))


def rewrite(
    apkg: Path,
    dest: Path,
    change: Callable[..., None],
    lock: dict[str, dict] | None = None,
) -> Path:
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(apkg) as archive:
            archive.extractall(folder)
            names = archive.namelist()
        db = sqlite3.connect(Path(folder) / "collection.anki2")
        with db:
            if lock is None:
                change(db)
            else:
                change(db, lock)
        db.close()
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
            for name in names:
                out.write(Path(folder) / name, name)
    return dest


def merge(db: sqlite3.Connection, other: Path) -> None:
    """The notes and note types of package `other` added to this collection (the deck's
    package as factdeck 2.0.0 wrote it: live notes and tombstones in one)."""
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(other) as archive:
            archive.extract("collection.anki2", folder)
        extra = sqlite3.connect(Path(folder) / "collection.anki2")
        rows = extra.execute("SELECT * FROM notes").fetchall()
        (models,) = extra.execute("SELECT models FROM col").fetchone()
        extra.close()
    (mine,) = db.execute("SELECT models FROM col").fetchone()
    db.execute(
        "UPDATE col SET models = ?", (json.dumps({**json.loads(models), **json.loads(mine)}),)
    )
    db.executemany(f"INSERT INTO notes VALUES ({','.join('?' * len(rows[0]))})", rows)


def tombstones(db: sqlite3.Connection) -> Rows:
    return db.execute(
        "SELECT id, guid FROM notes WHERE tags LIKE ?", (f"%{RETIRED_TAG}%",)
    ).fetchall()


def add_cards(
    db: sqlite3.Connection, lock: dict[str, dict], queue: int, retired_deck: bool
) -> None:
    from factdeck.anki import ids

    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    if retired_deck:
        top = next(d for d in decks.values() if "::" not in d["name"] and d["id"] != 1)
        decks[str(RETIRED_DECK)] = {**top, "id": RETIRED_DECK, "name": f"{top['name']}::Retired"}
        db.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
    for note_id, guid in tombstones(db):
        entry = lock[guid]
        did = RETIRED_DECK if retired_deck else ids.deck_id("low-back-pain", entry.get("deck"))
        (fields,) = db.execute("SELECT flds FROM notes WHERE id = ?", (note_id,)).fetchone()
        numbers = {int(n) - 1 for n in re.findall(r"\{\{c(\d+)::", fields)}
        for ord_ in sorted(numbers) or [0]:  # one card per cloze the tombstone names
            db.execute(
                "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    note_id + ord_,
                    note_id,
                    did,
                    ord_,
                    0,
                    -1,
                    0,
                    queue,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    "",
                ),
            )


def blank_fields(db: sqlite3.Connection, lock: dict[str, dict]) -> None:
    for note_id, _ in tombstones(db):
        (fields,) = db.execute("SELECT flds FROM notes WHERE id = ?", (note_id,)).fetchone()
        blank = "\x1f".join("" for _ in fields.split("\x1f"))
        db.execute("UPDATE notes SET flds = ?, sfld = '' WHERE id = ?", (blank, note_id))


def not_shipped(db: sqlite3.Connection) -> None:
    for note_id, _ in tombstones(db):
        db.execute("DELETE FROM cards WHERE nid = ?", (note_id,))
        db.execute("DELETE FROM notes WHERE id = ?", (note_id,))


def probe(engine: str, folder: Path, *packages: Path) -> dict:
    """The probe's steps, one per import, and Check Database's after the last."""
    done = subprocess.run(
        [engine, str(PROBE), str(folder), *map(str, packages)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result = json.loads(done.stdout)
    result["steps"].append(result["checked"])
    return result


def report(version: str, name: str, new: dict, had: dict) -> str:
    imported, checked = new["steps"]
    first, *updates, after = had["steps"]

    def where(step: dict) -> str:
        stray = step["decks"].get("Default", 0)
        retired_deck = sum(n for d, n in step["decks"].items() if d.endswith("::Retired"))
        return (
            f"{step['cards']} cards ({step['retired']} retired, {step['suspended']} suspended, "
            f"{stray} in Default, {retired_deck} in Retired, {len(step['bad'])} blank/error)"
        )

    return (
        f"anki {version} | {name}\n"
        f"  new student:      import {where(imported)} -> check {where(checked)}\n"
        f"  reviewed student: v1 {first['cards']} cards -> import "
        f"{' -> import '.join(where(u) for u in updates)} -> check {where(after)}; "
        f"reviews {had['reviews']}"
    )


if __name__ == "__main__":
    main(sys.argv[1:] or [sys.executable])
