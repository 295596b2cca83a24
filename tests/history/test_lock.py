"""lock + package: per-note change tracking, reproducible bytes, identity guards."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.fs.names import RECORD_NAME
from factdeck.history.lock import LOCK_NAME, Allow, read
from factdeck.pipeline import build
from tests.support.decks import EPOCH, REPO, write_tree
from tests.support.engine import import_package, open_collection, render_all

FACTS = """
    facts:
      - {id: one, kind: question, question: First?, answer: A, source: body}
      - {id: two, kind: question, question: Second?, answer: B, source: body}
"""


def rebuild(
    deck: Path,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    when: int,
    facts: str | None = None,
    **options: bool,
) -> Path:
    """Build the deck at time `when`; `options` name the guards to override (lock.Allow)."""
    if facts is not None:
        write_tree(deck, {"facts.yaml": facts})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(when))
    return build(deck, out, allow=Allow(**options)).apkg


def test_same_input_and_lock_give_identical_bytes(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = rebuild(mini_deck, project / "a", monkeypatch, EPOCH).read_bytes()
    lock = (mini_deck / LOCK_NAME).read_bytes()
    second = rebuild(mini_deck, project / "b", monkeypatch, EPOCH + 999).read_bytes()
    assert first == second
    assert (mini_deck / LOCK_NAME).read_bytes() == lock


def test_package_is_deflated_with_fixed_dates_and_order(mini_deck: Path, project: Path) -> None:
    apkg = build(mini_deck, project / "dist").apkg
    with zipfile.ZipFile(apkg) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["collection.anki2", "media"]
    assert {(i.compress_type, i.date_time) for i in infos} == {
        (zipfile.ZIP_DEFLATED, (1980, 1, 1, 0, 0, 0))
    }


def test_only_edited_notes_get_a_newer_time(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS)
    before = read(mini_deck).notes
    rebuild(
        mini_deck,
        project / "dist",
        monkeypatch,
        EPOCH + 50,
        FACTS.replace("answer: B", "answer: B2"),
    )
    after = read(mini_deck).notes
    changed = {after[g].fact: after[g].changed for g in after if after[g] != before.get(g)}
    assert changed == {"two": EPOCH + 50}
    assert {n.id for n in after.values()} == {n.id for n in before.values()}


def test_times_move_forward_even_if_the_clock_goes_back(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS)
    rebuild(
        mini_deck,
        project / "dist",
        monkeypatch,
        EPOCH - 1000,
        FACTS.replace("answer: B", "answer: B2"),
    )
    assert max(n.changed for n in read(mini_deck).notes.values()) == EPOCH + 1


def test_retired_notes_are_remembered_and_never_reach_a_new_student(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS)
    only_one = "facts:\n  - {id: one, kind: question, question: First?, answer: A, source: body}\n"
    apkg = rebuild(mini_deck, project / "dist", monkeypatch, EPOCH + 10, only_one)
    lock = read(mini_deck)
    assert lock.facts["two"].retired == EPOCH + 10
    assert [n.fact for n in lock.notes.values() if n.retired] == ["two"]
    # The deck's package has no tombstone (history/retirements.py): a new student gets
    # nothing of the retired note, even after Tools > Check Database.
    col = open_collection(tmp_path / "fresh")
    import_package(col, apkg)
    col.fix_integrity()
    assert (col.note_count(), col.card_count()) == (1, 1)
    assert not col.find_notes("tag:factdeck::retired")
    col.close()
    assert not list((project / "dist").glob("*retired*"))  # never released: nobody had it


def test_a_retired_cloze_quotes_its_text_without_asking_it(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock keeps 60 characters of text, which can cut a cloze in half ("{{c1…")."""
    cloze = (
        "      - {id: c, kind: statement, source: body, text: 'A sentence long enough "
        "that the lock cuts it at its gap {{c1::hidden words}}.'}\n"
    )
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS + cloze)
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH + 10, FACTS)
    (tombstone,) = [n for n in read(mini_deck).notes.values() if n.retired]
    assert tombstone.fact == "c"


def test_a_retired_id_cannot_be_reused_unless_revived(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS)
    only_one = "facts:\n  - {id: one, kind: question, question: First?, answer: A, source: body}\n"
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH + 10, only_one)
    monkeypatch.chdir(project)
    reused = only_one + "  - {id: two, kind: question, question: Other?, answer: C, source: body}\n"
    with pytest.raises(FactdeckError) as caught:
        rebuild(mini_deck, project / "dist", monkeypatch, EPOCH + 20, reused)
    assert [str(p) for p in caught.value.problems] == [
        "cards/mini/facts.yaml:3: fact id 'two' was retired earlier; students may still have "
        "its old cards, so reusing the id would turn them into a different fact. Give this fact "
        "a new id, or, if it really is the same fact coming back, add 'revive: true' to it"
    ]
    rebuild(
        mini_deck,
        project / "dist",
        monkeypatch,
        EPOCH + 20,
        reused.replace("source: body}\n", "source: body, revive: true}\n"),
    )
    assert read(mini_deck).facts["two"].retired is None


def test_a_fact_id_cannot_change_kind(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(mini_deck, project / "dist", monkeypatch, EPOCH, FACTS)
    monkeypatch.chdir(project)
    with pytest.raises(
        FactdeckError,
        match="fact id 'two' was a question and is now a "
        "statement; a different fact needs a new id",
    ):
        rebuild(
            mini_deck,
            project / "dist",
            monkeypatch,
            EPOCH + 1,
            FACTS.replace(
                "{id: two, kind: question, question: Second?, answer: B,",
                "{id: two, kind: statement, text: '{{c1::B}}',",
            ),
        )


def test_note_type_schema_change_is_explained_and_can_be_shipped_for_merging(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = rebuild(mini_deck, project / "v1", monkeypatch, EPOCH, FACTS)
    note_type = project / "templates" / "note-types" / "qa.yaml"
    note_type.write_text(
        note_type.read_text().replace(
            "[Front, Back, Extra, Source]", "[Front, Back, Extra, Source, Hint]"
        )
    )
    lock_before = (mini_deck / LOCK_NAME).read_bytes()
    with pytest.raises(FactdeckError) as caught:
        rebuild(mini_deck, project / "v2", monkeypatch, EPOCH + 10)
    (message,) = [str(p) for p in caught.value.problems]
    assert message.startswith(
        "note type 'factdeck Q/A' changed its fields or card types "
        "(Front, Back, Extra, Source / Card 1 -> Front, Back, Extra, "
        "Source, Hint / Card 1)."
    )
    assert message.endswith(
        "rebuild with --allow-note-type-change and tell students to "
        "import with “Merge note types” ticked and “Update notes” set to "
        "“Always” in Anki's import dialog (Anki 23.10 or newer) (the release "
        "notes say so)"
    )
    assert (mini_deck / LOCK_NAME).read_bytes() == lock_before
    assert not (project / "v2").exists()

    edited = FACTS.replace("answer: B", "answer: B2")
    v2 = rebuild(mini_deck, project / "v2", monkeypatch, EPOCH + 10, edited, note_type_change=True)
    merging = open_collection(tmp_path / "merging")
    import_package(merging, v1)
    log = import_package(merging, v2, merge_notetypes=True, always_update_notes=True)
    assert (log.updated, log.conflicting) == (2, 0)
    assert any("B2" in card.answer for card in render_all(merging))
    assert merging.models.by_name("factdeck Q/A")["flds"][4]["name"] == "Hint"
    assert merging.note_count() == 2 and len(merging.models.all_names_and_ids()) == 7
    merging.close()
    # What the message warns about, when students don't merge:
    plain = open_collection(tmp_path / "plain")
    import_package(plain, v1)
    assert import_package(plain, v2).conflicting == 2
    assert len(plain.models.all_names_and_ids()) == 8  # a second "factdeck Q/A"
    plain.close()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"format": 1,\n "notes": [}',
            "lock:2: lock file is corrupt (invalid JSON: Expecting value at line 2 column 12)",
        ),
        ('{"format": 7}', "lock file is corrupt (format 7 is not one factdeck knows"),
        (b"\xff\xfe", "lock file is corrupt (Invalid JSON: not UTF-8 text)"),
        (
            '{"factdeck-lock": 2}\n{"note": "x", "id": "one"}\n',
            "lock:2: lock file is corrupt (at 'id': Input should be a valid integer",
        ),
        (
            '{"factdeck-lock": 2}\n{"colour": 1}\n',
            "lock:2: lock file is corrupt (an entry of unknown kind",
        ),
        (
            '{"fact": "a", "kind": "question"}\n',
            'lock:1: lock file is corrupt (no {"factdeck-lock": 3} line)',
        ),
        ('{"factdeck-lock": 2}\n<<<<<<< HEAD\n', "lock:2: git left a merge conflict in the lock"),
    ],
)
def test_corrupt_lock_is_refused(
    mini_deck: Path,
    project: Path,
    content: str | bytes,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(project)
    path = mini_deck / LOCK_NAME
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(FactdeckError) as caught:
        build(mini_deck, project / "dist")
    (message,) = [str(p) for p in caught.value.problems]
    assert message.startswith("cards/mini/factdeck.lock") and expected in message
    assert "restore it from version control" in message or "merge=union" in message
    assert not (project / "dist").exists()


def test_lock_is_one_json_entry_per_line_sorted_by_key(mini_deck: Path, project: Path) -> None:
    build(mini_deck, project / "dist")
    lines = (mini_deck / LOCK_NAME).read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries[0] == {"factdeck-lock": 3}
    keys = [(next(iter(e)), next(iter(e.values()))) for e in entries[1:]]
    assert [k for k, _ in keys] == ["deck", "fact", "fact", "note", "note", "note", "type", "type"]
    assert keys == sorted(keys)
    repo_attributes = (REPO / ".gitattributes").read_text()
    assert "factdeck.lock merge=union" in repo_attributes
    assert "factdeck.releases merge=union" in repo_attributes


def test_the_shipped_lock_is_current(real_deck: Path, project: Path) -> None:
    """Facts edited without rebuilding and committing the lock would ship new times to
    students on someone else's machine: the committed lock must match the facts."""
    lock_before = (real_deck / LOCK_NAME).read_bytes()
    record_before = (real_deck / RECORD_NAME).read_bytes()
    build(real_deck, project / "dist")
    # unreleased changes since the last release are fine; a lock the facts would rewrite is not
    assert (real_deck / LOCK_NAME).read_bytes() == lock_before, (
        "run `python build.py` and commit cards/*/factdeck.lock"
    )
    assert (real_deck / RECORD_NAME).read_bytes() == record_before
