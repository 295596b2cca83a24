"""A deck's long life (issue 20, item 7): ten releases by three instructors, each on a git
clone of their own of one bare origin, each release cut by `factdeck release` from a fresh
clone (a machine or CI that has no dist/), one release from a plain `git merge` of two
instructors' branches. A student imports every release into a collection where every card
is reviewed, with the retired-since file the notes name for their version, and runs Check
Database (`fix_integrity`); a new student imports each release alone. After every import,
in the official engine: every reviewed card keeps its reviews and scheduling, no note twice,
nothing conflicting, no card the student never had outside the deck nor a retired card for
the new student, corrected cards tagged, and the notes list exactly the cards whose
student-visible content changed, with before → after."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from anki.collection import Collection

from factdeck.history.lock import read
from tests.history.test_release import bump
from tests.support.decks import EPOCH, deck_yaml, write_tree
from tests.support.engine import ImportLog, import_package, open_collection, shown_text
from tests.support.git import clone, commit_and_push, course_repository, git, needs_git, origin_of

pytestmark = [pytest.mark.slow, needs_git]

DECK = {
    "deck.yaml": deck_yaml(
        name="Life",
        slug="life",
        description="A deck that lives through ten releases.",
        subdecks={"part": "Part"},
    ),
    # The facts and figures stay YAML as an instructor writes it: each step edits their text
    # (STEPS), and the 2.0.0 merge needs the two branches' edits on lines of their own.
    "facts.yaml": """
        facts:
          - {id: first, kind: question, question: First?, answer: Alpha, source: body}
          - id: second
            kind: question
            question: Second?
            answer: Beta
            source: body
            tags: [life::two]
          - id: colour
            kind: statement
            text: "The gamma is {{c1::big}} and {{c2::blue}}."
            source: body
            subdeck: part
          - id: nerve-a
            kind: nerve
            name: alpha nerves
            plural: true
            levels: L1–L3
            source: body
    """,
    "figures.yaml": """
        facts:
          - id: figure
            kind: diagram
            image: fig.svg
            header: "Image 1: a view"
            source: body
            masks:
              - label-a
              - label-b
    """,
    "fig.svg": """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 380 200" font-size="14">
          <g id="label-a"><rect x="200" y="10" width="120" height="20" fill="#fff"/>
            <text x="204" y="25">apple</text></g>
          <g id="label-b"><rect x="200" y="40" width="120" height="20" fill="#fff"/>
            <text x="204" y="55">banana</text></g>
          <g id="label-c"><rect x="200" y="70" width="120" height="20" fill="#fff"/>
            <text x="204" y="85">cherry</text></g>
        </svg>
    """,
}

Edit = tuple[str, str, str]  # (file in the deck, old text, new text)


@dataclass(frozen=True)
class Step:
    version: str
    who: str  # the instructor whose clone makes the edit
    edits: tuple[Edit, ...] = ()
    flags: tuple[str, ...] = ()  # for `factdeck release`
    merge: tuple[tuple[str, tuple[Edit, ...]], ...] = ()  # (instructor, edits) per branch
    expected: str = ""  # the students' part: counts, headings, card lines (`listed`)
    files: tuple[str, ...] = ()  # the releases with a retired-since file, for `{files}`


def files(version: str, *since: str) -> str:
    """The notes' list of retired-since files of release `version`."""
    return "\n".join(f"- version {w}: `life-{version}-retired-since-{w}.apkg`" for w in since)


UNTIL_1_4 = ("1.0.0", "1.0.1", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0")
THIRD = "  - {id: third, kind: question, question: Third?, answer: Gamma, source: body}\n"
STEPS = (
    Step(
        "1.0.0",
        "a",
        expected="""
        8 cards added, 0 changed, 0 retired; 0 unchanged.
        ### Added
        - Image 1: a view: masks 1. **apple**, 2. **banana**
        - First? → **Alpha**
        - Which spinal levels give rise to the alpha nerves? → **L1–L3**
        - Which nerves arise from L1–L3? → **The alpha nerves**
        - Second? → **Beta**
        - The gamma is **big** and **blue**.
        """,
    ),
    Step(
        "1.0.1",
        "b",
        (("facts.yaml", "First?", "Which comes first?"),),
        expected="""
        0 cards added, 1 changed, 0 retired since version 1.0.0; 7 unchanged.
        ### Changed
        - Which comes first? → **Alpha** (reworded)
          - before: First? → **Alpha**
        """,
    ),
    Step(
        "1.1.0",
        "c",
        (
            ("facts.yaml", "{{c1::big}}", "{{c1::small}}"),
            (
                "facts.yaml",
                "    subdeck: part\n",
                '    subdeck: part\n    correction: {in: "1.1.0", why: It was never big.}\n',
            ),
        ),
        expected="""
        1 card added, 2 changed, 0 retired since version 1.0.1; 6 unchanged.
        ### Corrections: new cards
        - The gamma is **small** and **blue**. (answer corrected: a new card asks it; card 1 shows a notice)
          - before: The gamma is **big** and **blue**.
          - why: It was never big.
        """,
    ),
    Step(
        "1.1.1",
        "a",
        (("facts.yaml", "tags: [life::two]", "tags: [life::two, life::extra]"),),
        expected="""
        0 cards added, 1 changed, 0 retired since version 1.1.0; 7 unchanged.
        ### Changed
        - Second? → **Beta** (tags changed)
        """,
    ),
    Step(
        "1.2.0",
        "b",
        (
            (
                "facts.yaml",
                "    tags: [life::two, life::extra]\n",
                "    subdeck: part\n    tags: [life::two, life::extra]\n",
            ),
        ),
        flags=("--allow-subdeck-move",),
        expected="""
        0 cards added, 1 changed, 0 retired since version 1.1.1; 7 unchanged.
        ### Changed
        - Second? → **Beta** (moved to another sub-deck)
        """,
    ),
    Step(
        "1.3.0",
        "c",
        (("figures.yaml", "      - label-b\n", "      - label-b\n      - label-c\n"),),
        expected="""
        1 card added, 2 changed, 0 retired since version 1.2.0; 6 unchanged.
        ### Changed
        - Image 1: a view: masks 1. **apple**, 2. **banana**, 3. **cherry** (1 new mask, a new card each)
          - before: Image 1: a view: masks 1. **apple**, 2. **banana**
        """,
    ),
    Step(
        "1.4.0",
        "a",
        (("figures.yaml", "      - label-b\n", "      - ~\n"),),
        expected="""
        0 cards added, 3 changed, 0 retired since version 1.3.0; 6 unchanged.
        ### Changed
        - Image 1: a view: masks 1. **apple**, 3. **cherry** (card 2 removed: Tools → Empty Cards deletes it)
          - before: Image 1: a view: masks 1. **apple**, 2. **banana**, 3. **cherry**
        """,
    ),
    Step(
        "1.5.0",
        "b",
        (
            (
                "facts.yaml",
                "  - id: nerve-a\n    kind: nerve\n    name: alpha nerves\n    plural: true\n"
                "    levels: L1–L3\n    source: body\n",
                THIRD,
            ),
        ),
        expected="""
        1 card added, 0 changed, 2 retired since version 1.4.0; 6 unchanged.
        {files}
        ### Added
        - Third? → **Gamma**
        ### Retired
        - Which spinal levels give rise to the alpha nerves? → **L1–L3**
        - Which nerves arise from L1–L3? → **The alpha nerves**
        """,
        files=UNTIL_1_4,
    ),
    Step(
        "2.0.0",
        "a",
        merge=(
            (
                "a",
                (
                    ("facts.yaml", "The gamma is", "Gamma is"),
                    (
                        "facts.yaml",
                        "facts:\n",
                        "facts:\n  - {id: fourth, kind: question, question: Fourth?, "
                        "answer: Delta, source: body}\n",
                    ),
                ),
            ),
            (
                "b",
                (
                    ("facts.yaml", "answer: Beta", "answer: Bravo"),
                    (
                        "facts.yaml",
                        "    tags: [life::two, life::extra]\n",
                        '    tags: [life::two, life::extra]\n    correction: {in: "2.0.0", '
                        "why: Beta was the old name.}\n",
                    ),
                ),
            ),
        ),
        expected="""
        1 card added, 3 changed, 0 retired since version 1.5.0; 4 unchanged.
        {files}
        ### Corrections: re-learn these
        - Second? → **Bravo** (answer corrected)
          - before: Second? → **Beta**
          - why: Beta was the old name.
        ### Added
        - Fourth? → **Delta**
        ### Changed
        - Gamma is **small** and **blue**. (reworded)
          - before: The gamma is **small** and **blue**.
        """,
        files=UNTIL_1_4,
    ),
    Step(
        "2.1.0",
        "c",
        (("facts.yaml", THIRD, ""), ("figures.yaml", "Image 1: a view", "Image 1: the view")),
        expected="""
        0 cards added, 2 changed, 1 retired since version 2.0.0; 5 unchanged.
        {files}
        ### Changed
        - Image 1: the view: masks 1. **apple**, 3. **cherry** (same answer, picture or wording updated)
          - before: Image 1: a view: masks 1. **apple**, 3. **cherry**
        ### Retired
        - Third? → **Gamma**
        """,
        files=(*UNTIL_1_4, "1.5.0", "2.0.0"),
    ),
)


def factdeck(repo: Path, *args: str, when: int) -> str:
    """The real CLI, in a process of its own, as an instructor runs it in `repo`."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(when)}
    done = subprocess.run(
        [sys.executable, "-m", "factdeck", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def edit(repo: Path, edits: tuple[Edit, ...]) -> None:
    deck = repo / "cards" / "life"
    for name, old, new in edits:
        path = deck / name
        text = path.read_text()
        assert text.count(old) == 1, (name, old)
        path.write_text(text.replace(old, new))


CORRECTED = {"1.1.0": "colour", "2.0.0": "second"}  # the fact each correction release fixed


def schedules(col: Collection) -> dict[int, tuple[object, ...]]:
    """Each card's scheduling and review log: what no import may change."""
    return {
        card_id: (
            card.type,
            card.queue,
            card.due,
            card.ivl,
            card.factor,
            card.reps,
            card.lapses,
            tuple(col.db.list("select id from revlog where cid = ? order by id", card_id)),
        )
        for card_id in col.find_cards("")
        for card in (col.get_card(card_id),)
    }


def seen(col: Collection) -> dict[str, tuple[object, ...]]:
    """What a student has of each note, by GUID: tags, fields (a native diagram's masks are
    drawn from them) and each card as rendered, with its deck."""
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        cards = tuple(
            (c.ord, shown_text(c.question()), shown_text(c.answer()), col.decks.name(c.did))
            for c in sorted(note.cards(), key=lambda c: c.ord)
        )
        found[note.guid] = (tuple(sorted(note.tags)), tuple(note.fields), cards)
    return found


def review_new(col: Collection) -> None:
    for card_id in col.find_cards("is:new"):
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)


def checked_import(col: Collection, apkg: Path) -> ImportLog:
    log = import_package(col, apkg)
    assert (log.conflicting, log.first_field_match) == (0, 0), log  # nothing skipped
    return log


def students_part(notes: str) -> str:
    return notes.split("## For students", 1)[1].split("## For instructors", 1)[0]


def listed(notes: str) -> list[str]:
    """The students' part as the test compares it: the count, headings, every card line."""
    part = students_part(notes).split("### What to do", 1)[0]
    keep = ("- ", "  - ", "### ")
    return [line for line in part.splitlines() if line.startswith(keep) or " added, " in line]


def note_ids(notes: str, heading: str) -> set[int]:
    """Note ids the instructors' part lists under `heading` (Added, Changed, Retired)."""
    part = notes.split("## For instructors", 1)[1]
    found = re.search(rf"### {heading}\n\n((?:- .*\n)+)", part)
    return {int(i) for i in re.findall(r"note id (\d+)", found[1])} if found else set()


def counts(notes: str) -> tuple[int, ...]:
    found = re.search(
        r"(\d+) cards? added, (\d+) changed, (\d+) retired(?: since version \S+)?; "
        r"(\d+) unchanged\.",
        notes,
    )
    assert found, notes
    return tuple(int(n) for n in found.groups())


def follow(col: Collection, notes: str) -> None:
    """The notes' steps for moved cards and removed ones, done as a student would."""
    for search, deck in re.findall(
        r"search `(nid:[\d,]+)`, select all, then Cards → Change Deck \(Ctrl\+D\) "
        r"and choose “([^”]+)”",
        notes,
    ):
        col.set_deck(col.find_cards(search), col.decks.id(deck))
    if "Tools → Empty Cards deletes exactly those cards" in notes:
        empty = [c for note in col.get_empty_cards().notes for c in note.card_ids]
        assert empty
        col.remove_cards_and_orphaned_notes(empty)


def test_ten_releases_by_three_instructors_reach_a_reviewed_student(
    project: Path, tmp_path: Path
) -> None:
    write_tree(project / "cards" / "life", DECK)
    origin = origin_of(course_repository(project), tmp_path / "origin.git")
    clones = {who: clone(origin, tmp_path / who) for who in "abc"}
    student = open_collection(tmp_path / "student")
    released: dict[str, str] = {}  # version -> its notes
    decks_then: dict[str, tuple[str, ...]] = {}  # a new student's decks per note, last release
    told: set[str] = set()  # every card line students were shown so far
    for n, step in enumerate(STEPS):
        when = EPOCH + n * 86_400
        fresh = cut(step, clones, origin, tmp_path, when)
        dist = fresh / "dist"
        notes = released[step.version] = (dist / f"life-{step.version}.md").read_text()
        expected = textwrap.dedent(step.expected).strip()
        expected = expected.replace("{files}", files(step.version, *step.files))
        assert listed(notes) == expected.splitlines(), notes

        # the student who had every release: the package, the retired-since file for the
        # version they had, then Check Database
        kept, before, had = schedules(student), seen(student), len(released) > 1
        checked_import(student, dist / f"life-{step.version}.apkg")
        previous = list(released)[-2] if had else None
        retired_file = re.search(rf"- version {re.escape(previous or '')}: `([^`]+)`", notes)
        if retired_file:
            assert checked_import(student, dist / retired_file[1]).new == 0
        cards = student.card_count()
        student.fix_integrity()
        assert student.card_count() == cards  # Check Database makes no card
        now = schedules(student)
        assert {c: now.get(c) for c in kept} == kept  # every reviewed card as it was

        # a student new to the deck: the package only
        newcomer = open_collection(tmp_path / f"new-{step.version}")
        checked_import(newcomer, dist / f"life-{step.version}.apkg")
        cards = newcomer.card_count()
        newcomer.fix_integrity()
        assert newcomer.card_count() == cards
        live = seen(newcomer)
        assert not newcomer.find_cards("tag:factdeck::retired")  # no retired card for them
        for _, _, shown in live.values():
            for _, question, answer, deck in shown:
                assert deck.split("::")[0] == "Life" and "No cloze" not in question + answer

        # nothing twice, no stray card: the student has the live notes and retired ones
        after = seen(student)
        retired = set(map(guid_of(student), student.find_notes("tag:factdeck::retired")))
        assert set(after) == set(live) | retired and not set(live) & retired
        for g in retired:  # each retired card names what it asked, as the notes did
            for _, question, answer, _ in after[g][2]:
                asked = question.split("Retired card: ", 1)[1]
                assert any(line.replace("**", "").startswith(asked) for line in told), asked
                assert "This card was removed from Life" in answer
        new_cards = set(now) - set(kept)
        for card_id in new_cards:  # a card the student never had is one the deck has
            card = student.get_card(card_id)
            assert card.note().guid in live and student.decks.name(card.did).startswith("Life")
            assert card.ord in {o for o, *_ in live[card.note().guid][2]}
        for version, fact in CORRECTED.items():  # corrected cards stay tagged
            if version in released:
                tagged = student.find_notes(f"tag:factdeck::corrected::{version}")
                assert {fact_of(fresh, guid_of(student)(t)) for t in tagged} == {fact}

        # the notes list exactly the notes whose cards a student sees differently (for a
        # moved note: where a new student's cards go), no other
        decks = {g: tuple(c[3] for c in shown) for g, (_, _, shown) in live.items()}
        visible = {
            g
            for g in before
            if before[g] != after[g] or (g in decks and decks[g] != decks_then.get(g))
        }
        guid = guid_of(student)
        assert {guid(i) for i in note_ids(notes, "Changed") | note_ids(notes, "Retired")} == (
            visible if had else set()
        )
        assert {guid(i) for i in note_ids(notes, "Added")} == set(after) - set(before)
        # ... counted in cards: new ones as the student got them, changed as they had them
        added, changed, gone, unchanged = counts(notes)
        assert added == len(new_cards)
        listed_had = note_ids(notes, "Changed"), note_ids(notes, "Retired")
        had_cards = [sum(len(before[guid(i)][2]) for i in ids) for ids in listed_had]
        assert [changed, gone] == had_cards
        quiet = set(live) - visible - (set(after) - set(before))
        assert unchanged == sum(len(live[g][2]) for g in quiet)
        # ... with before -> after: each "before" is a line students were shown
        for line in listed(notes):
            if line.startswith("  - before: "):
                assert line.removeprefix("  - before: ") in told, line
        told |= {
            re.sub(r" \([^()]*\)$", "", line[2:]) for line in listed(notes) if line.startswith("- ")
        }

        follow(student, notes)
        review_new(student)
        decks_then = decks
        newcomer.close()
    student.close()

    # from a third machine with none of the packages: diff by version says the same
    third = clone(origin, tmp_path / "third")
    versions = list(released)
    for old, new in pairwise(versions):
        shown = factdeck(third, "diff", old, new, when=EPOCH)
        assert students_part(shown) == students_part(released[new]), new


def cut(step: Step, clones: dict[str, Path], origin: Path, tmp_path: Path, when: int) -> Path:
    """The instructors' edits for `step` pushed to the origin, and its release cut from a
    fresh clone and pushed (lock and release record committed); returns that clone."""
    mine = clones[step.who]
    git(mine, "pull", "-q", "--ff-only")
    for who, edits in step.merge:  # branches of their own, built, committed, then merged
        theirs = clones[who]
        git(theirs, "pull", "-q", "--ff-only")
        git(theirs, "checkout", "-qb", f"work-{who}")
        edit(theirs, edits)
        factdeck(theirs, "build", when=when - 3600)
        commit_and_push(theirs, f"{who}: edits", branch=f"work-{who}")
    if step.merge:
        git(mine, "fetch", "-q")
        others = [f"origin/work-{w}" for w, _ in step.merge if w != step.who]
        git(mine, "merge", "-q", "--no-edit", *others)
    edit(mine, step.edits)
    bump(mine / "cards" / "life", step.version)
    commit_and_push(mine, f"{step.who}: for {step.version}")
    fresh = clone(origin, tmp_path / f"release-{step.version}")
    factdeck(fresh, "release", *step.flags, when=when)
    commit_and_push(fresh, f"release {step.version}")
    for clone_ in clones.values():
        git(clone_, "checkout", "-q", "main")
    return fresh


def guid_of(col: Collection) -> Callable[[int], str]:
    return lambda note_id: col.get_note(note_id).guid


def fact_of(repo: Path, guid: str) -> str:
    return read(repo / "cards" / "life").notes[guid].fact
