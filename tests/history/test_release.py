"""Releases (issue 10): the lock format and its migration, `factdeck release`, corrections,
identity guards, reading merged locks, `diff` by version."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdeck.apkg.read import unpack
from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.fs.names import RECORD_NAME
from factdeck.history.lock import LOCK_NAME, Allow, read
from factdeck.history.lockfile import MIGRATED_NOTE
from factdeck.pipeline import build, check
from factdeck.release import release
from tests.support.decks import EPOCH, REAL_DECK, edit_deck, practice_deck, write_tree
from tests.support.hostile import deny

DATA = Path(__file__).resolve().parents[1] / "data"
FACTS = """
    facts:
      - {id: one, kind: question, question: First?, answer: Alpha, source: body}
      - id: two
        kind: statement
        text: "The beta is {{c1::big}} and {{c2::blue}}."
        source: body
        subdeck: part
"""


def bump(deck: Path, version: str) -> None:
    path = deck / "deck.yaml"
    text = path.read_text()
    start = text.index("version: ")
    end = text.index("\n", start)
    path.write_text(f'{text[:start]}version: "{version}"{text[end:]}')


def next_release(deck: Path) -> str:
    """Ready a copy of a released deck for its next release, as its instructor would: drop
    bump the minor version. Markers of earlier releases stay: they are the facts' history."""
    last = read(deck).last_release
    major, minor = (int(p) for p in last.version.split(".")[:2]) if last else (0, 0)
    version = f"{major}.{minor + 1}.0"
    bump(deck, version)
    return version


def publish(
    deck: Path,
    project: Path,
    version: str,
    facts: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
    when: int = EPOCH,
    **flags: bool,
) -> Path:
    if facts is not None:
        write_tree(deck, {"facts.yaml": facts})
    bump(deck, version)
    if monkeypatch is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(when))
    return release(deck, project / "dist", allow=Allow(**flags)).apkg


def messages(caught: pytest.ExceptionInfo[FactdeckError]) -> list[str]:
    return [str(p) for p in caught.value.problems]


# --- the lock format ---------------------------------------------------------------------


def test_committed_lock_of_release_1_0_0_migrates_losslessly(
    real_deck: Path, project: Path
) -> None:
    """The format-1 lock students' 1.0.0 was built from: same GUIDs, ids and times, and
    1.0.0 recorded as the last release (digest unknown)."""
    v1 = json.loads((DATA / "low-back-pain-1.0.0.lock").read_text())
    (real_deck / LOCK_NAME).write_text((DATA / "low-back-pain-1.0.0.lock").read_text())
    bump(real_deck, "1.0.0")  # a format-1 lock is migrated as the version deck.yaml names
    lock = read(real_deck, "1.0.0")
    assert {
        g: (n.id, n.changed, n.hash, n.fact, n.card, n.type) for g, n in lock.notes.items()
    } == {
        g: (n["id"], n["changed"], n["hash"], n["fact"], n["card"], n["type"])
        for g, n in v1["notes"].items()
    }
    assert [(r.version, r.package, r.note) for r in lock.releases] == [
        ("1.0.0", None, MIGRATED_NOTE)
    ]
    # Built over the migrated lock, every 1.0.0 note keeps its GUID and id, and a note whose
    # content is as 1.0.0 shipped it keeps its 1.0.0 time: students see no update for it.
    result = build(real_deck, project / "dist")
    assert result.changes.since is not None and result.changes.since.version == "1.0.0"
    migrated = read(real_deck)
    assert {g: migrated.notes[g].id for g in v1["notes"]} == {
        g: n["id"] for g, n in v1["notes"].items()
    }
    same = {
        g
        for g, n in v1["notes"].items()
        if migrated.notes[g].hash == n["hash"] and migrated.notes[g].retired is None
    }
    assert same  # the current deck still ships some notes exactly as 1.0.0 did
    (retired,) = result.retired  # the 1.0.0 notes retired since, for 1.0.0's students
    assert retired.name == "low-back-pain-retired-since-1.0.0.apkg"
    packed = {n.guid: n.mod for n in (*unpack(result.apkg).notes, *unpack(retired).notes)}
    assert {g: packed[g] for g in same} == {g: v1["notes"][g]["changed"] for g in same}
    assert all(packed[g] > v1["notes"][g]["changed"] for g in v1["notes"] if g not in same)


def test_the_repository_lock_holds_the_migrated_1_0_0_and_the_releases_since() -> None:
    """1.0.0 (migrated), 2.0.0 and whatever was released after, each newer than the last."""
    assert (REAL_DECK / LOCK_NAME).read_text().startswith('{"factdeck-lock": 3}\n')
    versions = [r.version for r in read(REAL_DECK).releases]
    assert versions[:2] == ["1.0.0", "2.0.0"]
    numbers = [tuple(int(p) for p in v.split(".")) for v in versions]
    assert numbers == sorted(set(numbers))


def test_lock_size_per_note(real_deck: Path) -> None:
    """The lock holds what the next build needs, at most 250 bytes a note (format 2 took
    566, most of it `was` lines); what each release shipped is in the release record, one
    entry per note and release that changed it."""
    lines = (REAL_DECK / LOCK_NAME).read_text().splitlines()
    notes = [line for line in lines if line.startswith('{"note"')]
    assert len("\n".join(lines)) / len(notes) <= 250
    history = (REAL_DECK / RECORD_NAME).read_text().splitlines()[1:]
    releases = [line for line in lines if line.startswith('{"release"')]
    assert len(history) <= len(notes) * len(releases)  # at most one per note and release


def test_note_ids_come_from_the_guid_not_the_clock(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(mini_deck, project / "a")
    first = {g: n.id for g, n in read(mini_deck).notes.items()}
    (mini_deck / LOCK_NAME).unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 12345))
    build(mini_deck, project / "b")
    assert {g: n.id for g, n in read(mini_deck).notes.items()} == first


# --- release -----------------------------------------------------------------------------


def test_release_publishes_versioned_package_notes_and_record(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    apkg = publish(mini_deck, project, "1.0.0", FACTS)
    assert apkg == project / "dist" / "mini-1.0.0.apkg"
    notes = (project / "dist" / "mini-1.0.0.md").read_text()
    assert notes.startswith("# Mini, version 1.0.0: release notes")
    lock = read(mini_deck)
    (record,) = lock.releases
    assert record.package == "sha256:" + hashlib.sha256(apkg.read_bytes()).hexdigest()
    assert {n.rel for n in lock.notes.values()} == {"1.0.0"}

    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.0.1")
    assert messages(caught) == [
        "cards/mini/deck.yaml: nothing changed since release 1.0.0; there is nothing to "
        "publish (edit facts, then release with a new version)"
    ]
    reworded = FACTS.replace("The beta is", "Beta is")
    lock_before = (mini_deck / LOCK_NAME).read_bytes()
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.0.0", reworded)
    assert messages(caught) == [
        "cards/mini/deck.yaml: version '1.0.0' is already released (factdeck.lock records it), "
        "and a released version never changes; set `version:` in deck.yaml to a higher one, "
        'e.g. "1.0.1"'
    ]
    assert (mini_deck / LOCK_NAME).read_bytes() == lock_before
    assert sorted(p.name for p in (project / "dist").iterdir()) == [
        "mini-1.0.0.apkg",
        "mini-1.0.0.md",
    ]
    lines_before = set(lock_before.decode().splitlines())
    record_before = (mini_deck / RECORD_NAME).read_text().splitlines()
    publish(mini_deck, project, "1.0.1", monkeypatch=monkeypatch, when=EPOCH + 10)
    lines_after = set((mini_deck / LOCK_NAME).read_text().splitlines())
    # growth is proportional to what changed: the edited note, the release; in the release
    # record, the edited note as 1.0.1 ships it, appended
    assert sorted(line.split('"')[1] for line in lines_after - lines_before) == [
        "note",
        "release",
    ]
    assert [line.split('"')[1] for line in lines_before - lines_after] == ["note"]
    record_after = (mini_deck / RECORD_NAME).read_text().splitlines()
    assert record_after[: len(record_before)] == record_before
    (added,) = record_after[len(record_before) :]
    assert json.loads(added)["in"] == "1.0.1"
    assert json.loads(added)["text"] == "Beta is **big** and **blue**."
    notes = (project / "dist" / "mini-1.0.1.md").read_text()
    assert (
        "- Beta is **big** and **blue**. (reworded)\n"
        "  - before: The beta is **big** and **blue**." in notes
    )  # from the release record
    lock = read(mini_deck)
    assert [r.version for r in lock.releases] == ["1.0.0", "1.0.1"]
    two = [g for g, n in lock.notes.items() if n.fact == "two"]
    assert [lock.notes[g].rel for g in two] == ["1.0.1"]
    assert lock.state_at(two[0], "1.0.0") is not None
    assert lock.state_at(two[0], "1.0.0").hash != lock.notes[two[0]].hash


def test_release_notes_count_cards_not_notes(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a student counts: a note with two clozes is two cards, an item appended one."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    notes = (project / "dist" / "mini-1.0.0.md").read_text()
    assert "3 cards added, 0 changed, 0 retired; 0 unchanged." in notes
    more = FACTS.replace("and {{c2::blue}}", "{{c2::blue}} and {{c3::round}}")
    publish(mini_deck, project, "1.1.0", more, monkeypatch, EPOCH + 10)
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "1 card added, 2 changed, 0 retired since version 1.0.0; 1 unchanged." in notes


def test_release_notes_tell_students_behind_to_import_the_newest_only(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Older clients skip a change to a card an earlier release, imported late, touched
    (docs/students.md): a release after the first says to import it alone."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    behind = "**Several versions behind?** Import this version only"
    assert behind not in (project / "dist" / "mini-1.0.0.md").read_text()
    more = FACTS.replace("and {{c2::blue}}", "{{c2::blue}} and {{c3::round}}")
    publish(mini_deck, project, "1.1.0", more, monkeypatch, EPOCH + 10)
    students = (project / "dist" / "mini-1.1.0.md").read_text().split("## For instructors")[0]
    assert behind in students


def test_release_refuses_when_check_fails(mini_deck: Path, project: Path) -> None:
    write_tree(mini_deck, {"facts.yaml": "facts:\n  - {id: x, kind: question}\n"})
    with pytest.raises(FactdeckError):
        release(mini_deck, project / "dist")
    assert not (project / "dist").exists() and not (mini_deck / LOCK_NAME).exists()


def mark(facts: str, marker: str, version: str, why: str) -> str:
    """The fact `two` of FACTS (or its edit) with an answer change declared for `version`."""
    return facts.replace(
        "subdeck: part",
        f'subdeck: part\n        {marker}: {{in: "{version}", why: {why}}}',
        1,
    )


def test_an_answer_change_needs_a_correction(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    changed = FACTS.replace("{{c1::big}}", "{{c1::huge}}")
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.1.0", changed)
    assert messages(caught) == [
        "cards/mini/facts.yaml:3: fact 'two': what students must answer changed since "
        "release 1.0.0. If the old answer was wrong, add "
        '`correction: {in: "1.1.0", why: <why it changed>}` to the fact: students then '
        "relearn it (a cloze answer as a new card). If a student's old answer is still right (spelling, "
        'fuller wording), add `reworded: {in: "1.1.0", why: <what changed>}`; or keep the '
        "answer's words as they were"
    ]
    marked = mark(changed, "correction", "1.1.0", "The beta was measured wrongly.")
    apkg = publish(mini_deck, project, "1.1.0", marked)
    tags = {n.fields[0]: n.tags for n in unpack(apkg).notes}
    corrected = [t for t in tags.values() if "factdeck::corrected::1.1.0" in t]
    assert len(corrected) == 1
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert notes.index("### Corrections") < notes.index("## For instructors")
    assert "`tag:factdeck::corrected::1.1.0`" in notes and "Forget" in notes
    assert "The beta is **huge** and **blue**." in notes
    assert "why: The beta was measured wrongly." in notes
    # the marker stays as history: a rewording around the hidden words needs only the bump
    publish(mini_deck, project, "1.1.1", marked.replace("The beta is", "Beta is"))
    # a declaration for this version with no answer change is refused
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.1.2", mark(marked, "reworded", "1.1.2", "Nothing."))
    assert messages(caught) == [
        "cards/mini/facts.yaml:3: fact 'two' declares a `reworded:` for 1.1.2, but its "
        "answer did not change since release 1.1.1; remove that declaration (or, if it "
        "belongs to an earlier release, set `in:` to that release)"
    ]
    assert sorted(p.name for p in (project / "dist").iterdir()) == [
        "mini-1.0.0.apkg",
        "mini-1.0.0.md",
        "mini-1.1.0.apkg",
        "mini-1.1.0.md",
        "mini-1.1.1.apkg",
        "mini-1.1.1.md",
    ]


def test_a_declaration_names_this_release_or_a_recorded_one(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    changed = FACTS.replace("{{c1::big}}", "{{c1::huge}}")
    lock = (mini_deck / LOCK_NAME).read_bytes()
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.1.0", mark(changed, "correction", "1.2.0", "Wrong."))
    assert messages(caught) == [
        "cards/mini/facts.yaml:3: fact 'two': `correction: {in: \"1.2.0\"}` names a version "
        "that is neither this release (1.1.0) nor a recorded one (1.0.0); set "
        '`in: "1.1.0"` if this release ships the change',
        "cards/mini/facts.yaml:3: fact 'two': what students must answer changed since "
        "release 1.0.0. If the old answer was wrong, add "
        '`correction: {in: "1.1.0", why: <why it changed>}` to the fact: students then '
        "relearn it (a cloze answer as a new card). If a student's old answer is still right (spelling, "
        'fuller wording), add `reworded: {in: "1.1.0", why: <what changed>}`; or keep the '
        "answer's words as they were",
    ]
    assert (mini_deck / LOCK_NAME).read_bytes() == lock
    assert not (project / "dist" / "mini-1.1.0.apkg").exists()


def test_the_old_bare_marker_is_refused_with_the_new_form(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    write_tree(
        mini_deck,
        {"facts.yaml": FACTS.replace("subdeck: part", "subdeck: part\n        correction: Why.")},
    )
    with pytest.raises(FactdeckError) as caught:
        check(mini_deck)
    assert messages(caught) == [
        "cards/mini/facts.yaml:8: fact 'two': field 'correction': names no release: an "
        'answer change is declared for the version that ships it, e.g. {in: "2.1.0", '
        'why: "..."} (it then stays as the fact\'s history)'
    ]


def test_markers_stay_as_history_and_students_see_nothing_of_them(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correction released once: the next release needs only the edit and the bump;
    keeping, ageing or deleting the marker changes no note (its tag is in the lock)."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    fixed = mark(
        FACTS.replace("{{c1::big}}", "{{c1::huge}}"), "correction", "1.1.0", "Measured wrongly."
    )
    publish(mini_deck, project, "1.1.0", fixed)
    # the next release: one unrelated edit and the bump, the marker still in place
    edited = fixed.replace("First?", "Which is first?")
    apkg = publish(mini_deck, project, "1.1.1", edited, monkeypatch, EPOCH + 10)
    done = read(mini_deck)
    assert next(d for d in done.notes.values() if d.fact == "two").rel == "1.1.0"
    notes = (project / "dist" / "mini-1.1.1.md").read_text()
    # counted in cards: the corrected note's two it asks (not the replaced one), not one note
    assert "0 cards added, 1 changed, 0 retired since version 1.1.0; 2 unchanged." in notes
    tagged = {n.fields[0]: n.tags for n in unpack(apkg).notes}
    assert any("factdeck::corrected::1.1.0" in t for t in tagged.values())
    # the marker goes (or is kept, or another release passes): no note changes
    bump(mini_deck, "1.2.0")
    for facts in (
        edited.replace('        correction: {in: "1.1.0", why: Measured wrongly.}\n', ""),
        edited,
    ):
        write_tree(mini_deck, {"facts.yaml": facts})
        assert build(mini_deck, project / "dist").changes.empty
    # a second correction of the same fact, declared as a list: both tags
    again = edited.replace("{{c1::huge}}", "{{c1::vast}}").replace(
        'correction: {in: "1.1.0", why: Measured wrongly.}',
        'correction: [{in: "1.1.0", why: Measured wrongly.}, {in: "1.2.0", why: Again.}]',
    )
    apkg = publish(mini_deck, project, "1.2.0", again)
    (two,) = [n for n in unpack(apkg).notes if "vast" in n.fields[0]]
    assert {"factdeck::corrected::1.1.0", "factdeck::corrected::1.2.0"} <= set(two.tags)


def test_an_answer_reworded_keeps_students_progress(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spelling fix in a hidden word changes the answer's words, not what is right:
    `reworded:` ships it without the corrected tag or the advice to re-learn."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    respelled = FACTS.replace("{{c1::big}}", "{{c1::big (large)}}")
    with pytest.raises(
        FactdeckError, match=re.escape('reworded: {in: "1.0.1", why: <what changed>}')
    ):
        publish(mini_deck, project, "1.0.1", respelled)
    marked = mark(respelled, "reworded", "1.0.1", "The answer also gives the synonym.")
    both = mark(marked, "correction", "1.0.1", "Wrong.")
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.0.1", both)
    assert messages(caught) == [
        "cards/mini/facts.yaml:3: fact 'two' declares 2 answer changes for 1.0.1 "
        "(correction, reworded); keep the one that is true: was the old answer wrong "
        "(correction) or only worded differently (reworded)?"
    ]
    apkg = publish(mini_deck, project, "1.0.1", marked)
    assert not [n for n in unpack(apkg).notes if any("corrected" in t for t in n.tags)]
    notes = (project / "dist" / "mini-1.0.1.md").read_text()
    assert "### Corrections" not in notes and "Forget" not in notes
    assert "answer reworded: your answer still counts" in notes
    assert "why: The answer also gives the synonym." in notes


def test_build_reports_everything_since_the_last_release(
    mini_deck: Path, project: Path, runner: CliRunner
) -> None:
    publish(mini_deck, project, "1.0.0", FACTS)
    write_tree(mini_deck, {"facts.yaml": FACTS.replace("First?", "First one?")})
    build(mini_deck, project / "dist")
    write_tree(
        mini_deck,
        {"facts.yaml": FACTS.replace("First?", "First one?").replace("The beta is", "Beta is")},
    )
    result = build(mini_deck, project / "dist")
    assert result.changes.since is not None and result.changes.since.version == "1.0.0"
    assert len(result.changes.changed) == 2  # both edits, not only the last build's
    shown = runner.invoke(main, ["diff", "1.0.0", "current", "--deck", str(mini_deck)])
    assert shown.exit_code == 0, shown.output  # the command build names for the notes
    assert shown.stdout.startswith("# Mini: changes from 1.0.0 to current")
    assert "First one? → **Alpha**" in shown.stdout
    assert "Beta is **big** and **blue**." in shown.stdout
    write_tree(mini_deck, {"facts.yaml": FACTS})  # back to what 1.0.0 shipped
    assert build(mini_deck, project / "dist").changes.empty


def test_diff_by_version_from_the_lock(
    mini_deck: Path, project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(mini_deck, project, "1.0.0", FACTS)
    publish(
        mini_deck,
        project,
        "1.1.0",
        FACTS.replace("First?", "First one?").replace(
            "  - id: two",
            "  - {id: three, kind: question, question: Third?, answer: C, "
            "source: body}\n      - id: two",
        ),
    )
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["diff", "1.0.0", "1.1.0"])
    assert result.exit_code == 0, result.output
    assert "1 card added, 1 changed, 0 retired since version 1.0.0" in result.stdout
    assert "`one/qa` qa" in result.stdout and "`three/qa` qa" in result.stdout
    result = runner.invoke(main, ["diff", "1.1.0", "current"])
    assert result.exit_code == 0 and "No changes." in result.stdout
    result = runner.invoke(main, ["diff", "1.0.0", "current", "--deck", "cards/mini"])
    assert "First one? → **Alpha**" in result.stdout  # with the current text
    result = runner.invoke(main, ["diff", "1.0.0", "2.0.0"])
    assert result.exit_code == 1
    assert "no release '2.0.0' in the lock (releases: 1.0.0, 1.1.0)" in result.stderr
    apkgs = ["dist/mini-1.0.0.apkg", "dist/mini-1.1.0.apkg"]
    result = runner.invoke(main, ["diff", *apkgs])
    assert result.exit_code == 0 and "1 added, 1 changed" in result.stdout


def test_release_cli(
    mini_deck: Path, project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["release"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Released Mini 1.0.0 -> dist/mini-1.0.0.apkg")
    result = runner.invoke(main, ["release"])
    assert result.exit_code == 1 and "nothing changed since release 1" in result.stderr
    assert "Traceback" not in result.output


# --- identity guards ---------------------------------------------------------------------


def test_slug_change_is_refused_unless_allowed(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    edit_deck(mini_deck, slug="mini-two")
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "2.0.0")
    (message,) = messages(caught)
    assert message.startswith(
        "cards/mini/deck.yaml: the deck's slug changed from 'mini' to 'mini-two'"
    )
    assert "--allow-slug-change" in message
    publish(mini_deck, project, "2.0.0", slug_change=True)
    notes = (project / "dist" / "mini-two-2.0.0.md").read_text()
    assert "every card arrives as new" in notes and "tag:factdeck::retired" in notes


def test_deck_and_subdeck_renames_are_refused_unless_allowed(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    edit_deck(mini_deck, name="Mini Deck", subdecks={"part": "Parts"})
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "2.0.0", FACTS.replace("First?", "First one?"))
    (message,) = messages(caught)
    assert (
        "renaming the deck 'Mini' to 'Mini Deck'; the sub-deck 'Part' (part) to 'Parts'" in message
        and "--allow-deck-rename" in message
    )
    publish(mini_deck, project, "2.0.0", deck_rename=True)
    notes = (project / "dist" / "mini-2.0.0.md").read_text()
    assert "rename your “Mini” deck to “Mini Deck”" in notes
    assert "rename “Mini Deck::Part” to “Mini Deck::Parts”" in notes


def test_subdeck_move_is_refused_unless_allowed_and_then_explained(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    moved = FACTS.replace("        subdeck: part\n", "")
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "2.0.0", moved)
    assert messages(caught) == [
        "cards/mini/facts.yaml:3: fact 'two' moved from sub-deck 'part' to (the top-level "
        "deck): Anki never moves cards students already have, so their cards would stay where "
        "they are and only new students would see the move. Move it back, or rebuild with "
        "--allow-subdeck-move (the release notes then give students the search and the "
        "Change Deck steps)"
    ]
    publish(mini_deck, project, "2.0.0", moved, subdeck_move=True)
    note_id = next(n.id for n in read(mini_deck).notes.values() if n.fact == "two")
    notes = (project / "dist" / "mini-2.0.0.md").read_text()
    assert (
        f"search `nid:{note_id}`, select all, then Cards → Change Deck (Ctrl+D) and "
        "choose “Mini”" in notes
    )


DIAGRAM = "figure-dorsal-rami"


def _masks(deck: Path) -> tuple[Path, str]:
    path = deck / "diagrams.yaml"
    return path, path.read_text()


def test_mask_reorder_is_refused_and_appending_is_not(
    real_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    build(real_deck, project / "dist")
    lock = read(real_deck)
    native = next(n for n in lock.notes.values() if n.fact == DIAGRAM and n.masks)
    path, text = _masks(real_deck)
    first, second = native.masks[:2]
    swapped = (
        text.replace(f"- {first}\n", "- @@\n", 1)
        .replace(f"- {second}\n", f"- {first}\n", 1)
        .replace("- @@\n", f"- {second}\n", 1)
    )
    assert swapped != text, "the masks are listed one per line"
    path.write_text(swapped)
    with pytest.raises(FactdeckError) as caught:
        build(real_deck, project / "dist")
    (message,) = messages(caught)
    assert f"fact '{DIAGRAM}': the masks were {', '.join(native.masks)}" in message
    assert "--allow-mask-change" in message
    build(real_deck, project / "dist", allow=Allow(mask_change=True))
    changed = read(real_deck).notes
    assert next(n for n in changed.values() if n.fact == DIAGRAM and n.masks).masks[:2] == (
        second,
        first,
    )


def test_two_decks_sharing_a_slug_or_a_name_are_refused(
    mini_deck: Path, project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    shutil.copytree(mini_deck, project / "cards" / "copy")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1 and not Path("dist").exists()
    assert result.stderr.splitlines() == [
        "Error: cards/mini/deck.yaml: this deck's slug 'mini' is also the slug of "
        "cards/copy/deck.yaml: both would be written to the same package, one over the "
        "other; give one of them another slug",
        "Error: cards/mini/deck.yaml: this deck's name 'Mini' is also the name of "
        "cards/copy/deck.yaml: Anki would file both decks' cards into one deck; give one of "
        "them another name",
    ]


# --- reading locks -----------------------------------------------------------------------


def test_a_lock_that_is_a_folder_is_refused(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (mini_deck / LOCK_NAME).mkdir()
    with pytest.raises(FactdeckError) as caught:
        build(mini_deck, project / "dist")
    assert messages(caught)[0].startswith(
        "cards/mini/factdeck.lock: the lock is a folder, "
        "not a file; restore it from version control"
    )


def test_merged_lock_problems_are_reported_by_check(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    path = mini_deck / LOCK_NAME
    lines = path.read_text().splitlines()
    notes = [json.loads(line) for line in lines if line.startswith('{"note"')]
    notes[0]["id"] = read(mini_deck).notes[notes[0]["note"]].id
    same_id = [
        json.dumps({**notes[1], "id": notes[0]["id"]})
        if line.startswith('{"note":"' + notes[1]["note"])
        else line
        for line in lines
    ]
    path.write_text("\n".join(same_id) + "\n")
    with pytest.raises(
        FactdeckError, match=f"share the id {notes[0]['id']} and each was already released"
    ):
        check(mini_deck)
    no_type = [line for line in lines if not line.startswith('{"type":"qa"')]
    path.write_text("\n".join(no_type) + "\n")
    with pytest.raises(FactdeckError, match="is of note type 'qa', which has no 'type' entry"):
        check(mini_deck)
    no_fact = [line for line in lines if not line.startswith('{"fact":"one"')]
    path.write_text("\n".join(no_fact) + "\n")
    with pytest.raises(FactdeckError, match="belongs to fact 'one', which has no 'fact' entry"):
        check(mini_deck)


def test_one_release_recorded_twice_differently_is_refused(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    path = mini_deck / LOCK_NAME
    lines = path.read_text().splitlines()
    (record,) = [line for line in lines if line.startswith('{"release"')]
    other = json.dumps({**json.loads(record), "date": EPOCH + 5})
    path.write_text("\n".join([*lines, other]) + "\n")
    with pytest.raises(
        FactdeckError, match=r"release 1\.0\.0 is recorded twice with different contents"
    ):
        check(mini_deck)


def test_entries_both_branches_changed_are_reconciled(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A union merge keeps both sides' lines for one note (and may give two new notes one
    id): the build keeps one entry per note, newer than either side, and distinct ids."""
    publish(mini_deck, project, "1.0.0", FACTS)
    path = mini_deck / LOCK_NAME
    lines = path.read_text().splitlines()
    notes = {json.loads(line)["fact"]: line for line in lines if line.startswith('{"note"')}
    one = {**json.loads(notes["one"]), "id": 0}
    one["id"] = read(mini_deck).notes[one["note"]].id
    side_a = json.dumps({**one, "hash": "a" * 16, "changed": EPOCH + 50, "rel": None})
    side_b = json.dumps({**one, "hash": "b" * 16, "changed": EPOCH + 70, "rel": None})
    two = json.loads(notes["two"])
    two["id"] = read(mini_deck).notes[two["note"]].id  # the id its GUID gives: not written
    clash = json.dumps({**two, "note": "zzzzzzzzzz", "rel": None})  # an unreleased note
    path.write_text("\n".join([*lines, side_a, side_b, clash]) + "\n")
    lock = read(mini_deck)
    assert lock.merged and lock.notes[one["note"]].changed == EPOCH + 70
    assert lock.state_at(one["note"], "1.0.0").hash == one["hash"]  # what release 1 shipped
    check(mini_deck)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 60))
    build(mini_deck, project / "dist")
    after = read(mini_deck)
    assert after.notes[one["note"]].changed == EPOCH + 71  # newer than both sides
    assert after.notes[two["note"]].id == two["id"]  # the released note keeps its id
    assert len({n.id for n in after.notes.values()}) == len(after.notes)


def test_an_unreadable_lock_is_refused(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a lock without read permission does (the tests run as root, where chmod cannot)."""
    build(mini_deck, project / "dist")
    deny(monkeypatch, mini_deck / LOCK_NAME)
    monkeypatch.chdir(project)
    with pytest.raises(FactdeckError) as caught:
        check(mini_deck)
    assert messages(caught) == [
        "cards/mini/factdeck.lock: the lock cannot be read (Permission denied); fix its "
        "permissions (chmod u+r)"
    ]


def test_a_cloze_taken_out_of_a_sentence_tells_students_to_run_empty_cards(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    # no answer of a card students keep changed, so nothing is declared (issue 21)
    publish(mini_deck, project, "1.1.0", FACTS.replace("{{c1::big}}", "big"))  # a minor version
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    # the card shows a notice (history/removed_cards.py); nothing else changed for students
    assert (
        "- The beta is big and **blue**. (card 1 removed: Tools → Empty Cards deletes it)\n"
        in notes
    )
    assert "the card that asked it now shows a notice saying so. Tools → Empty Cards" in notes


def test_a_rebuild_after_a_release_keeps_its_corrected_tags(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until the version is bumped, a build is the release again: same tags, same lock."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    marked = mark(
        FACTS.replace("{{c1::big}}", "{{c1::huge}}"), "correction", "1.1.0", "Measured wrongly."
    )
    released = publish(mini_deck, project, "1.1.0", marked).read_bytes()
    lock = (mini_deck / LOCK_NAME).read_bytes()
    again = build(mini_deck, project / "dist")
    assert again.changes.empty and (mini_deck / LOCK_NAME).read_bytes() == lock
    assert again.apkg.read_bytes() == released


def test_a_multiple_choice_card_reads_as_its_question_options_and_key(tmp_path: Path) -> None:
    """The notes quote a practice question as students see it, not its Answer field alone."""
    from factdeck.history.notes import student_text
    from factdeck.pipeline import expanded

    checked = expanded(practice_deck(tmp_path / "cards" / "practice"))
    note = next(n for n in checked.notes if n.note_type == "mcq")
    line = student_text(note.fields, checked.templates.note_types["mcq"])
    question, _, key = line.partition(" → ")
    assert " A. " in question and " B. " in question and " D. " in question
    assert key.startswith("**") and key.endswith("**") and key[2] in "ABCD"
    assert not line.startswith(":")


def test_diff_by_version_quotes_cards_from_the_release_record_alone(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a clone without dist/: a changed card before -> after, a retired one by what it
    asked, as the release's own notes say."""
    from factdeck.release import diff_versions

    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    two_only = "facts:\n" + FACTS.split("\n", 3)[3].replace("The beta is", "Beta is")
    publish(mini_deck, project, "1.1.0", two_only, monkeypatch=monkeypatch, when=EPOCH + 10)
    released = (project / "dist" / "mini-1.1.0.md").read_text()
    shutil.rmtree(project / "dist")  # a fresh clone: the lock and the record, no packages
    text = diff_versions("1.0.0", "1.1.0", mini_deck, project / "cards")
    students = text.split("## For instructors")[0]
    assert (
        "- Beta is **big** and **blue**. (reworded)\n  - before: The beta is **big** and **blue**."
        in students
    )
    assert "### Retired" in students and "- First? → **Alpha**" in students
    cards = [line for line in students.splitlines() if line.startswith(("- ", "  - "))]
    quoted = released.split("## For instructors")[0].splitlines()
    assert cards == [line for line in quoted if line.startswith(("- ", "  - "))]


def test_a_native_diagram_reads_as_its_header_and_mask_labels() -> None:
    """One note asks every mask: the notes name the picture and each label by its card's
    number (a mask taken out as `~` keeps its number, so the ones after it keep theirs)."""
    from factdeck.diagrams.occlusion import mask_labels, numbered_labels
    from factdeck.history.notes import student_text
    from factdeck.pipeline import expanded
    from factdeck.render.html import plain

    checked = expanded(REAL_DECK)
    numbered = numbered_labels(checked.deck)
    gaps = {
        f
        for f, labels in numbered.items()
        if [n for n, _ in labels] != list(range(1, len(labels) + 1))
    }
    note = next(n for n in checked.notes if n.note_type == "io-native" and n.fact_id in gaps)
    note_type = checked.templates.note_types["io-native"]
    labels = mask_labels(checked.deck, {note.fact_id})[note.fact_id]
    header = plain(dict(zip(note_type.field_names, note.fields, strict=True))["Header"], None)
    assert header and "<" not in header
    shown = ", ".join(f"{n}. **{label}**" for n, label in numbered[note.fact_id])
    assert student_text(note.fields, note_type, labels) == f"{header}: masks {shown}"
    masks = len(numbered[note.fact_id])
    assert student_text(note.fields, note_type) == f"{header} (diagram, {masks} masks)"


def test_a_retired_cloze_is_named_by_its_sentence_not_its_fact_id(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release that retires it and diff from a clone without dist/ say what it asked."""
    from factdeck.release import diff_versions

    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    one_only = FACTS.split("      - id: two")[0]
    publish(mini_deck, project, "1.1.0", one_only, monkeypatch=monkeypatch, when=EPOCH + 10)
    released = (project / "dist" / "mini-1.1.0.md").read_text().split("## For instructors")[0]
    shutil.rmtree(project / "dist")
    students = diff_versions("1.0.0", "1.1.0", mini_deck, project / "cards")
    for text in (released, students.split("## For instructors")[0]):
        retired = text.split("### Retired")[1]
        assert "- The beta is **big** and **blue**." in retired
        assert "- two" not in retired


def test_a_retired_card_is_named_by_what_it_asked(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tombstone a student who had the card imports reads as the card did (from the
    release record), not as its fact id."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    other = "facts:\n  - {id: three, kind: question, question: Third?, answer: C, source: body}\n"
    publish(mini_deck, project, "1.1.0", other, monkeypatch=monkeypatch, when=EPOCH + 10)
    tombstones = unpack(project / "dist" / "mini-1.1.0-retired-since-1.0.0.apkg").notes
    assert sorted(n.fields[0] for n in tombstones) == [
        "Retired card: First?",
        "Retired card: The beta is big and blue. ({{c1::removed}}, {{c2::removed}})",
    ]


def test_diff_of_the_shipped_releases_quotes_cards() -> None:
    """1.0.0 and 2.0.0 of the shipped deck, from the repository's lock and record alone:
    every card as its students saw it, none by its fact id (the record's texts of those
    releases were rebuilt from their commits, issue 20)."""
    from factdeck.release import diff_versions

    students = diff_versions("1.0.0", "2.0.0", REAL_DECK, REAL_DECK.parent)
    students = students.split("## For instructors")[0]
    lock = (REAL_DECK / LOCK_NAME).read_text().splitlines()
    facts = {json.loads(line)["fact"] for line in lock if line.startswith('{"fact"')}
    named = {f.replace("-", " ") for f in facts} | facts
    cards = [line[2:] for line in students.splitlines() if line.startswith("- ")]
    cards = [re.sub(r" \([^()]*\)$", "", c) for c in cards if not c.startswith("version ")]
    assert len(cards) > 100 and not [c for c in cards if c in named]
    assert all("**" in c for c in cards)  # quoted as shown: what is asked in bold
    assert students.count("  - before: ") >= 40


def test_the_shipped_deck_tombstones_name_what_their_cards_asked(built_real_deck: Any) -> None:
    """Those of 2.0.0's own tombstones too (mended, history/retirements.py), which 2.0.0
    shipped retired: named by the line 1.0.0's students saw."""
    lock = read(REAL_DECK)
    assert [p.name.rsplit("-", 1)[1] for p in built_real_deck.retired] == [
        "1.0.0.apkg",
        "2.0.0.apkg",
    ]
    for package in built_real_deck.retired:
        for note in unpack(package).notes:
            words = lock.notes[note.guid].fact.replace("-", " ")
            (named,) = [f for f in note.fields if f.startswith("Retired card: ")]
            assert not named.startswith(f"Retired card: {words}"), named
