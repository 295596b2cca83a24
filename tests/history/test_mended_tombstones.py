"""Tombstones a release's own package held, card numbers as one list, are mended in the file
for its students (history/retirements.py; in the engines: tests/engine/
test_engine_matrix_anki.py). From the lock alone: which release is marked, what the mended
note holds, that one release stamps it anew and later ones keep that time, and that diff
names the file as release did."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.apkg.read import unpack
from factdeck.history.lock import read
from factdeck.release import diff_versions
from tests.history.test_release import FACTS, publish
from tests.support.decks import EPOCH

ONE = FACTS[: FACTS.index("      - id: two")]


def marked(deck: Path, version: str) -> None:
    """Release `version` marked in the lock as one whose package held its tombstones."""
    lock = deck / "factdeck.lock"
    start = f'{{"release":"{version}",'
    lines = [
        line[:-1] + ',"tombstones":true}' if line.startswith(start) else line
        for line in lock.read_text(encoding="utf-8").splitlines()
    ]
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")


def marks(deck: Path, version: str) -> dict[str, bool]:
    return {r.version: r.tombstones for r in read(deck, version).releases}


def two(package: Path) -> tuple[int, tuple[str, ...], str]:
    (note,) = [n for n in unpack(package).notes if "removed" in n.fields[0]]
    return note.mod, note.tags, note.fields[0]


def test_a_marked_release_has_its_listed_tombstones_mended_once(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(mini_deck, project, "1.0.0", FACTS, monkeypatch, EPOCH)
    publish(mini_deck, project, "1.1.0", ONE, monkeypatch, EPOCH + 10)
    dist = project / "dist"
    marked(mini_deck, "1.1.0")
    assert marks(mini_deck, "1.1.0") == {"1.0.0": False, "1.1.0": True}

    publish(mini_deck, project, "1.2.0", ONE.replace("First?", "Which?"), monkeypatch, EPOCH + 20)
    mod, tags, text = two(dist / "mini-1.2.0-retired-since-1.1.0.apkg")
    assert mod == EPOCH + 20  # newer than any import of 1.1.0 before this release
    assert "factdeck::removed::{{c2::2}}" in tags and "factdeck::retired" in tags
    assert "{{c1::removed}}" in text and "<!-- {{c1,2::removed}} -->" in text
    assert "{{c2::" not in text  # a client before 26.05 makes no card 2 on Check Database
    assert marks(mini_deck, "1.2.0") == {"1.0.0": False, "1.1.0": True, "1.2.0": False}
    notes = (dist / "mini-1.2.0.md").read_text()
    line = next(line for line in notes.splitlines() if "retired-since-1.1.0" in line)
    assert "mends the retired cards of 1 note" in line
    assert line in diff_versions("1.1.0", "1.2.0", mini_deck, project / "cards")

    publish(mini_deck, project, "1.3.0", ONE.replace("First?", "Who?"), monkeypatch, EPOCH + 30)
    assert two(dist / "mini-1.3.0-retired-since-1.1.0.apkg") == (mod, tags, text)
    assert "mends" in (dist / "mini-1.3.0.md").read_text()


def test_an_unmarked_release_ships_no_tombstone_to_its_students(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its package held none: a student new to it never had the note, so no file for it."""
    publish(mini_deck, project, "1.0.0", FACTS, monkeypatch, EPOCH)
    publish(mini_deck, project, "1.1.0", ONE, monkeypatch, EPOCH + 10)
    publish(mini_deck, project, "1.2.0", ONE.replace("First?", "Which?"), monkeypatch, EPOCH + 20)
    assert not (project / "dist" / "mini-1.2.0-retired-since-1.1.0.apkg").exists()
    assert "mends" not in (project / "dist" / "mini-1.2.0.md").read_text()
