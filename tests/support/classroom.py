"""A simulated class in the official Anki engine: each student imports the deck into a
collection of their own, studies it with the engine's v3 scheduler (col.sched.getCard /
answerCard) over several days, and exports it with scheduling, the way a student sends an
instructor their deck. Some cards are hard on purpose: most students fail them."""

from __future__ import annotations

import random
import time
from collections.abc import Collection as Cards
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

from factdeck.history import lock
from factdeck.pipeline import BuildResult
from tests.support.decks import REAL_DECK
from tests.support.engine import import_package, open_collection

AGAIN, GOOD = 1, 3
HARD_SECONDS, EASY_SECONDS = 20, 5


@dataclass(frozen=True)
class Student:
    name: str  # the export's file name: a report must never show it
    fails_hard: bool = True  # fails the hard cards (one student does not)
    fsrs: bool = False
    colpkg: bool = False  # exports the whole collection, with a deck of their own in it
    slip: float = 0.04  # chance of an Again on any other card


def study(
    apkg: Path,
    deck_name: str,
    hard: Cards[tuple[str, int]],
    student: Student,
    folder: Path,
    days: int = 3,
) -> Path:
    """Import, learn every card, review it on `days` more days; export. Returns the export."""
    col = open_collection(folder / student.name)
    try:
        import_package(col, apkg)
        if student.fsrs:
            col.set_config("fsrs", True)
        if student.colpkg:
            _own_deck(col)
        did = col.decks.id_for_name(deck_name)
        assert did
        config = col.decks.config_dict_for_deck_id(did)
        config["new"]["perDay"] = 9999
        config["rev"]["perDay"] = 9999
        col.decks.update_config(config)
        col.decks.select(did)
        chance = random.Random(student.name)
        _session(col, hard, student, chance)
        for _ in range(days):
            due = col.find_cards(f'"deck:{deck_name}" is:review -is:suspended')
            col.sched.set_due_date(due, "0")  # the next day (a manual entry, not an answer)
            _session(col, hard, student, chance)
        out = folder / f"{student.name}.{'colpkg' if student.colpkg else 'apkg'}"
        if student.colpkg:
            col.export_collection_package(str(out), include_media=False, legacy=False)
        else:
            col.export_anki_package(
                out_path=str(out),
                options=ExportAnkiPackageOptions(
                    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
                ),
                limit=DeckIdLimit(did),
            )
        return out
    finally:
        col.close()


def _session(
    col: Collection, hard: Cards[tuple[str, int]], student: Student, chance: random.Random
) -> None:
    failed: dict[int, int] = {}
    while (card := col.sched.getCard()) is not None:
        key = (card.note().guid, card.ord)
        is_hard = key in hard and student.fails_hard
        # a hard card's lapses are exactly the failing students' (no slip on it besides)
        again = (is_hard and failed.get(card.id, 0) < 2) or (
            key not in hard and not failed.get(card.id) and chance.random() < student.slip
        )
        if again:
            failed[card.id] = failed.get(card.id, 0) + 1
        card.timer_started = time.time() - (HARD_SECONDS if key in hard else EASY_SECONDS)
        col.sched.answerCard(card, AGAIN if again else GOOD)


def _own_deck(col: Collection) -> None:
    """A student's own deck: foreign cards the analysis must skip and count."""
    basic = col.models.by_name("Basic")
    assert basic is not None
    did = col.decks.id("Spanish")
    for word in ("perro", "gato", "casa"):
        note = col.new_note(basic)
        note["Front"], note["Back"] = word, f"{word} (en)"
        col.add_note(note, did)


STUDENTS = (
    Student("alice-mbeki"),
    Student("bob-okafor", fsrs=True),
    Student("carol-lindqvist", colpkg=True),
    Student("dan-haraldsen", fails_hard=False),
    Student("eve-tanaka"),
)


@dataclass(frozen=True)
class Classroom:
    project: Path  # a project holding the deck as built (its lock as the build left it)
    exports: tuple[Path, ...]
    hard: frozenset[tuple[str, int]]  # (GUID, card ord)


def simulate(built: BuildResult, folder: Path) -> Classroom:
    """The hard cards: one of each note type the deck's cards come in (Q/A, cloze card 2 of
    a multi-card note, a native occlusion mask, multiple choice)."""
    project = built.apkg.parent.parent
    live = {
        g: n
        for g, n in lock.read(project / "cards" / REAL_DECK.name).notes.items()
        if n.retired is None
    }
    by_type: dict[str, list[tuple[str, int]]] = {}
    for guid, note in sorted(live.items()):
        for ord_ in note.cards:
            by_type.setdefault(note.type, []).append((guid, ord_))
    multi = next(g for g, n in sorted(live.items()) if n.type == "cloze" and len(n.cards) > 1)
    hard = frozenset(
        {
            by_type["qa"][0],
            by_type["io-native"][2],
            # multiple choice where the deck has it (a Q/A card in its place otherwise)
            by_type["mcq"][0] if "mcq" in by_type else by_type["qa"][1],
            (multi, live[multi].cards[1]),
        }
    )
    exports = tuple(
        study(built.apkg, built.deck.name, hard, student, folder) for student in STUDENTS
    )
    return Classroom(project, exports, hard)
