"""Every Anki a student uses (issue 21, item 5): the oldest engine with native image occlusion
(PyPI `anki` 23.10.1, the backend of AnkiDroid's current release), 24.11 and the newest.

Each older engine lives in its own venv, `/work/venvs/anki-<version>` (or under
FACTDECK_ENGINE_VENVS), and runs tests/support/engine_probe.py: a student imports release
1, reviews every card, imports release 2 over it; every card must render without blank or
error, no review may be lost and no note conflict. A missing venv skips, unless
FACTDECK_REQUIRE_MATRIX=1 (CI sets it after creating them).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from factdeck.history.notes import LAYOUT_ADVICE
from factdeck.pipeline import build
from factdeck.release import release
from factdeck.render.layers import BUILTIN
from tests.history.test_list_identity import course
from tests.history.test_mended_tombstones import marked
from tests.history.test_release import FACTS, bump
from tests.support.decks import EPOCH, REAL_DECK, write_tree
from tests.support.hostile import DIAGRAM_FACTS, svg

PROBE = Path(__file__).parent.parent / "support" / "engine_probe.py"
VERSIONS = ("23.10.1", "24.11", "current")
VENVS = Path(os.environ.get("FACTDECK_ENGINE_VENVS", "/work/venvs"))


def engine_python(version: str) -> str:
    if version == "current":
        return sys.executable
    python = VENVS / f"anki-{version}" / "bin" / "python"
    if not python.exists():
        if os.environ.get("FACTDECK_REQUIRE_MATRIX"):
            pytest.fail(f"no venv with anki {version} at {python.parent.parent}")
        pytest.skip(f"no venv with anki {version} at {python.parent.parent}")
    return str(python)


def probe(version: str, folder: Path, *packages: Path) -> dict[str, Any]:
    done = subprocess.run(
        [engine_python(version), str(PROBE), str(folder), *map(str, packages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The probe's answer is its last line: an old engine may print its own warnings first
    # (24.11: "blocked main thread for 225ms:" and a stack, on a loaded machine).
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def publish(deck: Path, project: Path, version: str, facts: str, when: int, patch: Any) -> Path:
    (deck / "facts.yaml").write_text(facts, encoding="utf-8")
    bump(deck, version)
    patch.setenv("SOURCE_DATE_EPOCH", str(when))
    return release(deck, project / "dist").apkg


@pytest.mark.parametrize("version", VERSIONS)
def test_the_shipped_deck_imports_and_renders_in_every_engine(
    version: str, deck_builder: Any, tmp_path: Path
) -> None:
    built = deck_builder(REAL_DECK)
    result = probe(version, tmp_path / "student", built.apkg)
    (step,) = result["steps"]
    assert step["cards"] == built.report.cards
    assert step["bad"] == []
    assert step["log"]["conflicting"] == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_an_update_over_a_reviewed_collection_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Release 2 rewords one note and retires the two-card cloze note: the reworded text
    arrives; the retired note's cards show its notice (no blank or error card) once the
    student imports the package for release 1's students, and Check Database adds none."""
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2_facts = FACTS.replace("First?", "Which is first?")
    v2_facts = v2_facts[: v2_facts.index("      - id: two")]
    v2 = publish(mini_deck, project, "1.1.0", v2_facts, EPOCH + 86_400, monkeypatch)
    retired = project / "dist" / "mini-1.1.0-retired-since-1.0.0.apkg"
    result = probe(version, tmp_path / "student", v1, v2, retired)
    first, second, third = result["steps"]
    checked = result["checked"]
    assert all(step["bad"] == [] for step in (*result["steps"], checked))
    assert (second["log"]["updated"], third["log"]["updated"]) == (1, 1)
    assert second["log"]["conflicting"] == third["log"]["conflicting"] == 0
    assert checked["cards"] == first["cards"] == result["reviews"] == 3
    assert checked["history_kept"] and checked["new_cards"] == []
    assert (checked["retired"], checked["notices"], checked["suspended"]) == (2, 2, 0)
    assert "Default" not in checked["decks"]
    assert any("Which is first?" in text for text in second["fields"].values())


@pytest.mark.parametrize("version", VERSIONS)
def test_a_new_student_never_gets_a_retired_card_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 20, item 4: the deck's package holds no tombstone, so Tools > Check Database
    (which makes a card for every note without one) has nothing to make."""
    publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2 = publish(
        mini_deck, project, "1.1.0", FACTS[: FACTS.index("      - id: two")], EPOCH + 9, monkeypatch
    )
    result = probe(version, tmp_path / "new", v2)
    (imported,), checked = result["steps"], result["checked"]
    assert imported["cards"] == checked["cards"] == imported["notes"] == checked["notes"] == 1
    assert checked["retired"] == 0 and "Default" not in checked["decks"]


CORRECTED = '\n        correction: {in: "1.1.0", why: it is huge}'
CORRECTIONS = {  # how a corrected answer (big -> huge) can reach a reviewed collection
    # factdeck's default: c1's corrected answer ships as a new number, card 1 a notice
    "corrected": FACTS.replace("{{c1::big}}", "{{c1::huge}}").replace(
        "subdeck: part", "subdeck: part" + CORRECTED, 1
    ),
    # a new cloze number written by hand, the old one dropped
    "dropped": FACTS.replace("{{c1::big}}", "{{c3::huge}}"),
    # a one-card note: the corrected answer as a new note, the old note retired
    "new-note": FACTS.replace("id: one,", "id: one-corrected,").replace("Alpha", "Omega"),
}


@pytest.mark.parametrize("variant", CORRECTIONS)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_corrected_answer_as_a_new_card_in_every_engine(
    version: str, variant: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 21, item 4, measured: a corrected answer that takes a new card number (or a
    new note) arrives as a new card over a reviewed collection in every engine, and no card
    loses or gains reviews. The old number's card, factdeck's correction or a number dropped
    by hand alike, shows the removal notice (history/removed_cards.py), not Anki's 'No cloze
    1 found', until Empty Cards; a retired note's card keeps its tombstone's cloze."""
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2 = publish(mini_deck, project, "1.1.0", CORRECTIONS[variant], EPOCH + 86_400, monkeypatch)
    result = probe(version, tmp_path / "student", v1, v2)
    _, second = result["steps"]
    checked = result["checked"]
    assert second["log"]["conflicting"] == 0
    assert second["history_kept"] and checked["history_kept"]
    assert checked["new_cards"] == second["new_cards"]  # Check Database adds no card
    assert len(second["new_cards"]) == 1
    if variant in ("corrected", "dropped"):
        assert second["bad"] == checked["bad"] == []
        assert len(second["removed_notices"]) == len(checked["removed_notices"]) == 1
        assert len(second["empty_cards"]) == 1
    else:
        assert second["bad"] == checked["bad"] == []
        assert second["empty_cards"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_new_student_never_gets_the_card_a_correction_replaced_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The replaced card's notice reaches only students who had the card: one new to the
    deck gets the corrected note's two asked cards (and the Q/A card), none after Check
    Database either."""
    publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2 = publish(mini_deck, project, "1.1.0", CORRECTIONS["corrected"], EPOCH + 86_400, monkeypatch)
    result = probe(version, tmp_path / "new", v2)
    (imported,), checked = result["steps"], result["checked"]
    assert imported["cards"] == checked["cards"] == 3
    assert imported["removed_notices"] == checked["removed_notices"] == []
    assert checked["bad"] == [] and checked["empty_cards"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_an_item_taken_out_shows_a_notice_and_reaches_no_new_student_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 21, item 3: a list item taken out as `~` leaves the student who had its card
    a notice (not Anki's 'No cloze 2 found'), its reviews kept, also after Check Database;
    a student new to the deck never gets the card, Check Database included
    (history/removed_cards.py)."""
    v1 = publish(mini_deck, project, "1.0.0", course("a, b, c"), EPOCH, monkeypatch)
    v2 = publish(mini_deck, project, "1.1.0", course("a, ~, c"), EPOCH + 86_400, monkeypatch)
    had = probe(version, tmp_path / "had", v1, v2)
    (_, second), checked = had["steps"], had["checked"]
    assert second["bad"] == checked["bad"] == []
    assert second["history_kept"] and checked["history_kept"]
    assert second["new_cards"] == checked["new_cards"] == []
    assert len(second["removed_notices"]) == len(checked["removed_notices"]) == 1
    new = probe(version, tmp_path / "new", v2)
    (imported,), checked = new["steps"], new["checked"]
    assert imported["cards"] == checked["cards"] == second["cards"] - 1
    assert checked["bad"] == [] and checked["removed_notices"] == []


WITH_DIAGRAM = FACTS + DIAGRAM_FACTS.split("facts:\n", 1)[1]
IO = "factdeck Image Occlusion"


def restyle(project: Path, *names: str) -> None:
    """The project's own copy of each note type's CSS and front template, one rule and one
    element added: a new layout for every student (render/layers.py)."""
    for name in names:
        for file, added in (("style.css", ".fd-new { color: red; }"), ("front.html", "<i></i>")):
            path = project / "templates" / "note-types" / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text((BUILTIN / "note-types" / name / file).read_text() + added + "\n")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_new_layout_reaches_a_student_who_ran_check_database_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 21: Check Database stamps an image-occlusion note type with a deletable field
    as just edited (rslib dbcheck.rs, add_missing_field_tags), and "Update note types: If
    newer" then keeps that copy. factdeck's has none, so after release 1, Check Database and
    release 2, the student holds both note types' new CSS and templates, as a new student."""
    write_tree(mini_deck, {"figs/figure.svg": svg("")})
    v1 = publish(mini_deck, project, "1.0.0", WITH_DIAGRAM, EPOCH, monkeypatch)
    restyle(project, "cloze", "io-native")
    v2 = publish(mini_deck, project, "1.1.0", WITH_DIAGRAM, EPOCH + 86_400, monkeypatch)
    first, second = probe(version, tmp_path / "had", v1, "check", v2)["steps"]
    (new,) = probe(version, tmp_path / "new", v2)["steps"]
    for name in ("factdeck Cloze", IO):
        assert first["note_types"][name] != new["note_types"][name]
        assert second["note_types"][name] == new["note_types"][name]
    assert second["bad"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_layout_kept_by_check_database_arrives_as_the_notes_say_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A student whose image-occlusion note type came with a deletable Comments field (2.0.0
    shipped it so, as Anki's stock type has it) and who ran Check Database keeps its old
    layout on a plain import, in every engine: nothing in the package can change that. The
    release notes say to import with "Update note types: Always", which brings it."""
    write_tree(mini_deck, {"figs/figure.svg": svg("")})
    old_type = project / "templates" / "note-types" / "io-native.yaml"
    old_type.parent.mkdir(parents=True, exist_ok=True)
    old_type.write_text(
        (BUILTIN / "note-types" / "io-native.yaml")
        .read_text()
        .replace("{name: Comments, tag: 4, prevent_deletion: true}", "{name: Comments, tag: 4}")
    )
    v1 = publish(mini_deck, project, "1.0.0", WITH_DIAGRAM, EPOCH, monkeypatch)
    old_type.unlink()
    restyle(project, "io-native")
    v2 = publish(mini_deck, project, "1.1.0", WITH_DIAGRAM, EPOCH + 86_400, monkeypatch)
    assert LAYOUT_ADVICE in (project / "dist" / "mini-1.1.0.md").read_text()
    first, kept, always = probe(version, tmp_path / "had", v1, "check", v2, f"always:{v2}")["steps"]
    (new,) = probe(version, tmp_path / "new", v2)["steps"]
    assert first["note_types"][IO] != new["note_types"][IO]
    assert kept["note_types"][IO] == first["note_types"][IO]
    assert always["note_types"][IO] == new["note_types"][IO]
    assert kept["log"]["updated"] == 0 and always["bad"] == []


def as_listed(apkg: Path, dest: Path) -> Path:
    """The tombstones of `apkg` as factdeck 0.1.0 wrote them into the deck's package (2.0.0 of
    the shipped deck): their card numbers as one cloze, `{{c1,2::removed}}`."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(apkg) as archive:
            archive.extractall(tmp)
        db = sqlite3.connect(Path(tmp) / "collection.anki2")
        for note_id, fields in db.execute("select id, flds from notes").fetchall():
            numbers = re.findall(r"\{\{c(\d+)::removed\}\}", fields)
            listed = "{{c" + ",".join(numbers) + "::removed}}"
            written = re.sub(r"\{\{c\d+::removed\}\}(, \{\{c\d+::removed\}\})*", listed, fields)
            db.execute("update notes set flds = ? where id = ?", (written, note_id))
        db.commit()
        db.close()
        with zipfile.ZipFile(dest, "w") as archive:
            for member in sorted(Path(tmp).iterdir()):
                archive.write(member, member.name)
    return dest


@pytest.mark.parametrize("version", VERSIONS)
def test_tombstones_an_old_package_listed_are_mended_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 21, item 5 and issue 20, item 4: a release whose package held its tombstones,
    card numbers as one list (`{{c1,2::removed}}`, which Anki reads only from 26.05 on),
    left students of 23.10 and 24.11 'No cloze 1 found' cards: Check Database gives the new
    student's card-less note card 1, and the reviewed student's cards lose their cloze. The
    next release's file for that release's students mends them (history/retirements.py):
    0 error cards after Check Database in every engine, no card a student never had, and a
    student new to the next release never gets the tombstone."""
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2 = publish(
        mini_deck,
        project,
        "1.1.0",
        FACTS[: FACTS.index("      - id: two")],
        EPOCH + 86_400,
        monkeypatch,
    )
    dist = project / "dist"
    tombstones = as_listed(dist / "mini-1.1.0-retired-since-1.0.0.apkg", tmp_path / "old.apkg")
    marked(mini_deck, "1.1.0")  # with `tombstones`, this is how 1.1.0 shipped
    # after the students' imports: old engines stamp an updated note with the import time
    later = int(time.time()) + 86_400
    v3_facts = FACTS[: FACTS.index("      - id: two")].replace("First?", "Which is first?")
    v3 = publish(mini_deck, project, "1.2.0", v3_facts, later, monkeypatch)
    mending = dist / "mini-1.2.0-retired-since-1.1.0.apkg"
    assert "mini-1.2.0-retired-since-1.1.0.apkg" in (dist / "mini-1.2.0.md").read_text()

    new = probe(version, tmp_path / "new", v2, tombstones, "check", v3, mending)
    _, _, checked_once, mended = new["steps"]
    checked = new["checked"]
    assert mended["log"]["updated"] == 1 and mended["log"]["new"] == 0
    assert mended["bad"] == checked["bad"] == []
    assert checked["new_cards"] == checked_once["new_cards"]  # no card since the first check
    assert checked["notices"] == checked["retired"] == checked_once["retired"]

    had = probe(version, tmp_path / "had", v1, v2, tombstones, v3, mending)
    checked = had["steps"][-1], had["checked"]
    assert all(step["bad"] == [] and step["history_kept"] for step in checked)
    assert all(step["new_cards"] == [] for step in checked)
    assert [step["notices"] for step in checked] == [2, 2]

    fresh = probe(version, tmp_path / "fresh", v3)
    assert fresh["checked"]["retired"] == 0 and fresh["checked"]["cards"] == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_an_edit_built_before_the_students_import_reaches_them_in_every_engine(
    version: str, mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Issue 21, item 5 (older clients skip updates): 23.10 and 24.11 give a note they update
    the import time, so an edit an instructor's build stamped before the student imported
    release 2, shipped in release 3, looked older and was skipped as a duplicate. A release
    gives what it is the first to ship its own time (history/lock.py, stamp)."""
    v1 = publish(mini_deck, project, "1.0.0", FACTS, EPOCH, monkeypatch)
    v2 = publish(
        mini_deck, project, "1.1.0", FACTS.replace("First?", "Which?"), EPOCH + 86_400, monkeypatch
    )
    edited = FACTS.replace("First?", "Which comes first?")
    (mini_deck / "facts.yaml").write_text(edited, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 2 * 86_400))
    build(mini_deck, project / "dist")  # the edit stamped, before the students' imports
    v3 = publish(mini_deck, project, "1.2.0", edited, int(time.time()) + 86_400, monkeypatch)
    result = probe(version, tmp_path / "student", v1, v2, v3)
    _, second, third = result["steps"]
    assert second["log"]["updated"] == third["log"]["updated"] == 1
    assert any("Which comes first?" in text for text in third["fields"].values())
    assert third["history_kept"] and third["bad"] == []
