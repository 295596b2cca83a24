"""Measurement: how to mend the tombstones release 2.0.0 shipped in the deck's package, their
card numbers as one cloze `{{c1,2::removed}}` (a cloze only from Anki 26.05 on), for its
students on every engine. Issue 21, item 5 and issue 20, item 4; the figures are in
history/retirements.py and docs/publishing.md.

    python bench/mended_tombstones.py [ENGINE_PYTHON]...   # default: this Python

The 2.0.0 package is built from the commit that released it (73d8d53), in a temporary copy.
Each mending package holds those four tombstones, newer, written one way: one cloze per
number in the field (as tombstones are written today); cloze 1 in the field and the other
numbers in `factdeck::removed::{{cN::N}}` tags; the same and the list again in an HTML
comment (the choice). "Without text": cards whose front shows only the CSS notice of an
empty cloze, which names nothing. Students: new to 2.0.0
with and without Check Database before the mending, one who had the cards (1.0.0), one who
deleted the retired notes; each imports the mending package, then Check Database.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASED = "73d8d53"  # the commit that released the shipped deck's 2.0.0
LISTED = re.compile(r"\{\{c(\d+(?:,\d+)+)::removed\}\}")


def build_200(tmp: Path) -> Path:
    tree = tmp / "tree"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", RELEASED], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    code = (  # the copy's factdeck, not an installed one
        "import sys; sys.path = [p for p in sys.path if '__editable__' not in p and 'src' not in p];"
        "sys.path.insert(0, 'src'); from factdeck.cli import main; sys.argv[0] = 'factdeck'; main()"
    )
    args = [sys.executable, "-c", code, "build", "cards/low-back-pain", "--out", str(tmp / "v2")]
    env = {"SOURCE_DATE_EPOCH": "1796000000", "PATH": "/usr/bin:/bin", "HOME": str(tmp)}
    subprocess.run(args, cwd=tree, env=env, capture_output=True, check=True)
    return next((tmp / "v2").glob("*.apkg"))


def mending(package: Path, dest: Path, tags: bool, comment: bool = False) -> Path:
    """The listed tombstones of `package`, newer, each number a cloze (tags: cloze 1 only;
    comment: the list again in an HTML comment)."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(tmp)
        db = sqlite3.connect(Path(tmp) / "collection.anki2")
        for note_id, fields, note_tags in db.execute("select id, flds, tags from notes").fetchall():
            found = LISTED.search(fields)
            if not found:
                db.execute("delete from notes where id = ?", (note_id,))
                continue
            numbers = [int(n) for n in found[1].split(",")]
            kept = [n for n in numbers if n == 1] if tags else numbers
            clozes = ", ".join(f"{{{{c{n}::removed}}}}" for n in kept) or "removed"
            rest = [n for n in sorted({1, *numbers}) if n not in kept] if tags else []
            extra = [f"factdeck::removed::{{{{c{n}::{n}}}}}" for n in rest]
            db.execute(
                "update notes set flds = ?, tags = ?, mod = ? where id = ?",
                (
                    LISTED.sub(clozes + (f"<!-- {found[0]} -->" if comment else ""), fields),
                    f" {' '.join([*note_tags.split(), *extra])} ",
                    int(time.time()) + 60,
                    note_id,
                ),
            )
        db.execute("delete from cards")
        db.commit()
        db.close()
        with zipfile.ZipFile(dest, "w") as archive:
            for member in sorted(Path(tmp).iterdir()):
                archive.write(member, member.name)
    return dest


STUDENT = r"""
import re, sys, tempfile
from anki.buildinfo import version
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
ERROR = re.compile("found on card|front of this card is blank")
v2, steps, mend = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
col = Collection(tempfile.mkdtemp() + "/collection.anki2")
def imp(path):
    request = ImportAnkiPackageRequest(package_path=path, options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log
def errors():
    cards = (col.get_card(c) for c in col.find_cards(""))
    return sum(bool(ERROR.search(c.question() + c.answer())) for c in cards)
def unnamed():  # a front without text: only the CSS notice of an empty cloze shows
    fronts = (col.get_card(c).question() for c in col.find_cards(""))
    return sum(not re.sub(r"(?s)<style>.*?</style>|<[^>]+>|\s", "", q) for q in fronts)
imp(v2)
for step in steps:
    if step == "check":
        col.fix_integrity()
    if step == "deleted":
        col.remove_notes(col.find_notes("tag:factdeck::retired"))
    if step == "had":  # the listed notes' cards 1 and 2, as a student of 1.0.0 had them
        for nid in col.find_notes("tag:factdeck::retired"):
            note = col.get_note(nid)
            found = re.search(r"\{\{c([\d,]+)::", note.fields[0])
            if found and "," in found[1]:
                text, mod = note.fields[0], note.mod
                note.fields[0] = "".join(f"{{{{c{n}::x}}}}" for n in found[1].split(","))
                col.update_note(note)
                col.db.execute("update notes set flds = ?, mod = ? where id = ?",
                               "\x1f".join([text, *note.fields[1:]]), mod, nid)
before, errors_before = col.card_count(), errors()
if mend != "-":
    log = imp(mend)
col.fix_integrity()
print(f"{version} {before} -> {col.card_count()} cards, {errors_before} -> {errors()} errors, "
      f"{unnamed()} without text")
"""

STUDENTS = {
    "new to 2.0.0, Check Database": "check",
    "new to 2.0.0, no Check Database": "",
    "had the cards (1.0.0)": "had",
    "deleted the retired notes": "check,deleted",
}


def main(pythons: list[str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        v2 = build_200(tmp)
        ways = {
            "not mended": "-",
            "one cloze per number": str(mending(v2, tmp / "each.apkg", tags=False)),
            "cloze 1, the rest in tags": str(mending(v2, tmp / "tags.apkg", tags=True)),
            "... and the list in a comment": str(
                mending(v2, tmp / "list.apkg", tags=True, comment=True)
            ),
        }
        for python in pythons:
            for student, steps in STUDENTS.items():
                for way, package in ways.items():
                    done = subprocess.run(
                        [python, "-c", STUDENT, str(v2), steps, package],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    print(f"{student:32} {way:29} {done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main(sys.argv[1:] or [sys.executable])
