"""Issue 10's "done when": in the official Anki engine, starting from a reviewed v1, each
kind of release reaches students exactly as its release notes say, with 0 duplicated
notes, 0 conflicting and the review history kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from factdeck.errors import FactdeckError
from factdeck.history.lock import LOCK_NAME, Allow, read
from factdeck.pipeline import build, check
from factdeck.release import release
from tests.history.test_release import FACTS, bump, next_release
from tests.support.decks import EPOCH, write_tree
from tests.support.engine import (
    ImportLog,
    import_package,
    open_collection,
    render_all,
    shown_text,
)
from tests.support.git import course_repository, git

RETIRED_NOTICE = "This card was removed from"


class Student:
    """A student's collection: v1 imported and every card reviewed once."""

    def __init__(self, folder: Path, v1: Path) -> None:
        self.col = open_collection(folder)
        self.first = import_package(self.col, v1)
        for card_id in self.col.find_cards(""):
            card = self.col.get_card(card_id)
            card.start_timer()
            self.col.sched.answerCard(card, 3)
        self.revlog = self.col.db.scalar("select count() from revlog")
        self.cards = {c.card_id: c for c in render_all(self.col)}
        self.notes = self.col.note_count()
        self.retired = len(self.col.find_notes("tag:factdeck::retired"))
        assert self.revlog == len(self.cards) > 0

    def update(self, apkg: Path) -> ImportLog:
        log = import_package(self.col, apkg)
        assert log.conflicting == 0
        assert self.col.db.scalar("select count() from revlog") == self.revlog
        for card_id in self.cards:  # every card kept its history
            assert self.col.get_card(card_id).reps == 1
        return log

    def close(self) -> None:
        self.col.close()


def publish(
    deck: Path,
    project: Path,
    version: str,
    facts: str | None,
    when: int,
    monkeypatch: pytest.MonkeyPatch,
    **flags: bool,
) -> Path:
    if facts is not None:
        write_tree(deck, {"facts.yaml": facts})
    bump(deck, version)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(when))
    return release(deck, project / "dist", allow=Allow(**flags)).apkg


@pytest.fixture
def student(mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    reviewed = Student(tmp_path / "student", v1)
    yield reviewed
    reviewed.close()


def notes_of(project: Path, version: str) -> str:
    return (project / "dist" / f"mini-{version}.md").read_text()


def test_rewording_updates_in_place(
    student: Student, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apkg = publish(
        mini_deck,
        project,
        "1.0.1",
        FACTS.replace("First?", "Which is first?"),
        EPOCH + 86_400,
        monkeypatch,
    )
    log = student.update(apkg)
    assert (log.new, log.updated) == (0, 1) and student.col.note_count() == student.notes
    assert sum("Which is first?" in c.question for c in render_all(student.col)) == 1
    assert "Which is first? → **Alpha** (reworded)" in notes_of(project, "1.0.1")


def test_answer_correction_is_tagged_for_forgetting(
    student: Student, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corrected = FACTS.replace("{{c1::big}}", "{{c1::small}}").replace(
        "subdeck: part", 'subdeck: part\n        correction: {in: "1.1.0", why: It was never big.}'
    )
    apkg = publish(mini_deck, project, "1.1.0", corrected, EPOCH + 86_400, monkeypatch)
    log = student.update(apkg)
    assert (log.new, log.updated) == (0, 1)
    notes = notes_of(project, "1.1.0")
    search = re.search(r"search `(tag:factdeck::corrected::1\.1\.0)`", notes)
    assert search is not None
    found = student.col.find_cards(search[1])
    # the fallback: every card of the note (the corrected answer arrived as a third card;
    # the old answer's card shows the removal notice on its empty cloze)
    assert len(found) == 3 and log.new == 0
    answers = [student.col.get_card(c).answer() for c in found]
    assert sorted("small" in a for a in answers) == [False, True, True]
    assert sum('<div class="fd-cloze"></div>' in a for a in answers) == 1
    student.col.sched.schedule_cards_as_new(found, restore_position=True, reset_counts=True)
    assert {student.col.get_card(c).type for c in found} == {0}  # the advice works: new again


def test_tag_change_updates_tags(
    student: Student, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagged = FACTS.replace(
        "answer: Alpha, source: body}", "answer: Alpha, source: body, tags: [mini::first]}"
    )
    apkg = publish(mini_deck, project, "1.0.1", tagged, EPOCH + 86_400, monkeypatch)
    log = student.update(apkg)
    assert (log.new, log.updated) == (0, 1)
    assert len(student.col.find_notes("tag:mini::first")) == 1
    assert "(tags changed)" in notes_of(project, "1.0.1")


def test_subdeck_move_reaches_students_through_the_notes_steps(
    student: Student, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = FACTS.replace("        subdeck: part\n", "")
    apkg = publish(
        mini_deck, project, "2.0.0", moved, EPOCH + 86_400, monkeypatch, subdeck_move=True
    )
    log = student.update(apkg)
    assert log.new == 0
    col = student.col
    notes = notes_of(project, "2.0.0")
    step = re.search(
        r"search `(nid:[\d,]+)`, select all, then Cards → Change Deck \(Ctrl\+D\) "
        r"and choose “([^”]+)”",
        notes,
    )
    assert step is not None
    cards = col.find_cards(step[1])
    assert len(cards) == 2 and {col.decks.name(col.get_card(c).did) for c in cards} == {
        "Mini::Part"
    }  # Anki did not move them: the notes are right to say so
    col.set_deck(cards, col.decks.id(step[2]))
    assert {col.decks.name(col.get_card(c).did) for c in cards} == {"Mini"}


def _unused_label(deck: Path, fact_id: str, masks: tuple[str, ...]) -> str:
    """A label of the fact's drawing that no mask asks yet (drawn into it if there is none)."""
    text = (deck / "diagrams.yaml").read_text()
    image = re.search(rf"id: {fact_id}\n\s+image: (\S+)", text)
    assert image is not None
    svg = deck / image[1]
    ids = re.findall(r'id="(label-[^"]+)"', svg.read_text())
    unused = [i for i in ids if i not in masks]
    if unused:
        return unused[0]
    added = (
        '<g id="label-added"><rect x="4" y="4" width="80" height="24" fill="#ffffff" '
        'stroke="#222222"/><text x="10" y="21" font-size="14">added</text></g></svg>'
    )
    svg.write_text(svg.read_text().replace("</svg>", added))
    return "label-added"


def _last_release(deck: Path, out: Path, when: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package students of the deck's last release have: its build when nothing changed
    since (the same notes), else a release of the edits first (the repository's deck may hold
    unreleased changes of its own, which no release shipped)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(when))
    built = build(deck, out)
    if built.changes.empty:
        return built.apkg
    next_release(deck)
    return release(deck, out).apkg


def test_mask_appended_adds_one_card_and_keeps_the_others(
    real_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = 1_800_000_000  # after the shipped releases
    v1 = _last_release(real_deck, project / "v1", later, monkeypatch)
    student = Student(tmp_path / "student", v1)
    lock = read(real_deck)
    fact_id = "figure-dorsal-rami"
    native = next(n for n in lock.notes.values() if n.fact == fact_id and n.masks)
    label = _unused_label(real_deck, fact_id, native.masks)
    path = real_deck / "diagrams.yaml"
    text = path.read_text()
    # appended after the figure's last mask (a `~` perhaps), before the fact's next field
    start = text.index(f"  - id: {fact_id}\n")
    end = text.index("\n    tags:", start) + 1
    path.write_text(f"{text[:end]}      - {label}\n{text[end:]}")
    next_release(real_deck)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later + 86_400))
    done = release(real_deck, project / "dist")
    log = student.update(done.apkg)
    assert student.col.note_count() == student.notes + (log.new)
    note_id = native.id
    cards = student.col.find_cards(f"nid:{note_id}")
    live = len([m for m in native.masks if m])  # a mask written `~` has no card
    assert len(cards) == live + 1
    assert set(student.cards) <= set(student.col.find_cards(""))
    notes = done.notes.read_text()
    assert "masks changed" not in notes and "(1 new mask, a new card each)" in notes
    # listed after the others, numbered after every mask (a `~` keeps its number)
    assert re.search(rf"{len(native.masks) + 1}\. \*\*[^*]+\*\*", notes), notes
    student.close()


def test_every_fact_retired_shows_the_notice_on_every_card(
    real_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the student has the last release (unreleased edits shipped no note, so none retires)
    later = 1_800_000_000  # after the shipped releases
    v1 = _last_release(real_deck, project / "v1", later, monkeypatch)
    earlier = [r.version for r in read(real_deck).releases]
    student = Student(tmp_path / "student", v1)
    for path in real_deck.glob("*.yaml"):
        if path.name not in ("deck.yaml", "claims.yaml"):
            path.unlink()
    write_tree(
        real_deck,
        {
            "new.yaml": """
        facts:
          - id: brand-new-fact
            kind: question
            question: What replaced the old cards?
            answer: This one
            source: introduction
            tags: [exam::assessment]
    """
        },
    )
    version = next_release(real_deck)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later + 86_400))
    done = release(real_deck, project / "dist")
    assert len(earlier) >= 3  # 1.0.0, 2.0.0 and 2.1.0 at least: one retired package each
    assert [p.name for p in done.retired] == [
        f"low-back-pain-{version}-retired-since-{since}.apkg" for since in earlier
    ]
    log = student.update(done.apkg)
    assert (log.new, log.updated, log.duplicate) == (1, 0, 0) and student.retired == 0
    log = student.update(done.retired[-1])  # the student had the last release (v1)
    assert (log.new, log.updated, log.duplicate) == (0, student.notes, 0)
    student.col.fix_integrity()  # Tools > Check Database makes no card
    assert student.col.card_count() == len(student.cards) + 1
    retired = [c for c in render_all(student.col) if "factdeck::retired" in c.tags]
    assert {c.card_id for c in retired} == set(student.cards)  # every card it had
    for card in retired:
        shown = (card.note_type, shown_text(card.question), shown_text(card.answer))
        assert "Retired card" in shown[1] or RETIRED_NOTICE in shown[1], shown
        assert RETIRED_NOTICE in shown[2], shown
        assert "No cloze" not in shown[1] + shown[2], shown
    assert len(done.changes.retired) == student.notes
    notes = done.notes.read_text()
    assert "tag:factdeck::retired" in notes
    had = earlier[-1]
    assert f"- version {had}: `low-back-pain-{version}-retired-since-{had}.apkg`" in notes
    student.close()


BRANCH_A = """
    facts:
      - {id: alpha, kind: question, question: Added on branch A?, answer: Yes A, source: body}
      - {id: alpha-two, kind: question, question: Also on A?, answer: A2, source: body}
"""
BRANCH_B = """
    facts:
      - {id: beta, kind: question, question: Added on branch B?, answer: Yes B, source: body}
"""


def test_two_instructors_branches_merge_with_plain_git_merge(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    student = Student(tmp_path / "student", v1)
    repo = course_repository(project)

    git(repo, "checkout", "-qb", "a")
    write_tree(mini_deck, {"facts-a.yaml": BRANCH_A})
    facts = mini_deck / "facts.yaml"
    facts.write_text(facts.read_text().replace("First?", "First of all?"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 100))
    build(mini_deck, project / "dist")
    git(repo, "commit", "-qam", "A: edits and additions")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "A: new file")

    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "b")
    write_tree(mini_deck, {"facts-b.yaml": BRANCH_B})
    facts.write_text(facts.read_text().replace("and {{c2::blue}}", "and also {{c2::blue}}"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 200))
    build(mini_deck, project / "dist")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "B: edits and additions")

    git(repo, "checkout", "-q", "a")
    git(repo, "merge", "-q", "--no-edit", "b")  # plain git merge: no conflict
    assert "<<<<<<<" not in (mini_deck / LOCK_NAME).read_text()
    check(mini_deck)  # the merged lock is valid
    merged = read(mini_deck)
    assert len({n.id for n in merged.notes.values()}) == len(merged.notes) == 5

    apkg = publish(mini_deck, project, "1.1.0", None, EPOCH + 300, monkeypatch)
    log = student.update(apkg)
    assert (log.new, log.updated, log.conflicting) == (3, 2, 0)
    assert student.col.note_count() == student.notes + 3  # nothing twice
    texts = " ".join(c.question for c in render_all(student.col))
    assert "First of all?" in texts and "also" in texts
    assert all(q in texts for q in ("Added on branch A?", "Also on A?", "Added on branch B?"))
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "3 cards added, 3 changed, 0 retired since version 1.0.0" in notes  # in cards
    student.close()


def test_a_removed_mask_is_shipped_with_the_steps_that_clean_up_after_it(
    real_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = 1_800_000_000  # after the shipped releases
    v1 = _last_release(real_deck, project / "v1", later, monkeypatch)
    student = Student(tmp_path / "student", v1)
    fact_id = "figure-dorsal-rami"
    native = next(n for n in read(real_deck).notes.values() if n.fact == fact_id and n.masks)
    path = real_deck / "diagrams.yaml"
    last = f"      - {[m for m in native.masks if m][-1]}\n"  # the last mask with a card
    assert last in path.read_text()
    path.write_text(path.read_text().replace(last, "", 1))
    next_release(real_deck)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later + 86_400))
    with pytest.raises(FactdeckError, match="--allow-mask-change"):
        release(real_deck, project / "dist")
    done = release(real_deck, project / "dist", allow=Allow(mask_change=True))
    notes = done.notes.read_text()
    assert "Tools → Empty Cards deletes the card of a removed mask" in notes
    log = student.update(done.apkg)
    assert log.new == 0
    col = student.col
    # from the last release, the removed mask's card is the only one left empty
    empty = {note.note_id: list(note.card_ids) for note in col.get_empty_cards().notes}
    assert [(nid, len(cards)) for nid, cards in empty.items()] == [(native.id, 1)]
    col.remove_cards_and_orphaned_notes(empty[native.id])
    live = len([m for m in native.masks if m])  # a mask written `~` has no card
    assert len(col.find_cards(f"nid:{native.id}")) == live - 1
    # a native-only deck has no portable copy of the mask to retire: nothing else changed
    assert not [c for c in render_all(col) if "factdeck::retired" in c.tags]
    student.close()
