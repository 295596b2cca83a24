"""verify: a package whose collection Anki would refuse stops the build and never replaces
the previous good write."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdeck import pipeline
from factdeck.apkg import read, verify, write
from factdeck.errors import FactdeckError, shown_path
from factdeck.pipeline import build


def rewrite_collection(apkg: Path, sql: str) -> None:
    """Run `sql` on the package's collection, as a broken writer might have left it."""
    with zipfile.ZipFile(apkg) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    db_path = apkg.with_suffix(".sqlite")
    db_path.write_bytes(entries["collection.anki2"])
    db = sqlite3.connect(db_path)
    db.execute(sql)
    db.commit()
    db.close()
    entries["collection.anki2"] = db_path.read_bytes()
    with zipfile.ZipFile(apkg, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes SET flds = replace(flds, char(31), '') WHERE id = (SELECT min(id) FROM notes)",
        "DELETE FROM cards WHERE id = (SELECT min(id) FROM cards)",
        "UPDATE notes SET guid = (SELECT max(guid) FROM notes)",
        "UPDATE notes SET mod = 'now' WHERE id = (SELECT min(id) FROM notes)",
    ],
)
def test_a_package_anki_would_refuse_never_replaces_a_good_one(
    mini_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    good = build(mini_deck, tmp_path).apkg.read_bytes()
    real_write = write.write_package

    def broken_write(plan: write.PackagePlan, dest: Path) -> None:
        real_write(plan, dest)
        rewrite_collection(dest, sql)

    monkeypatch.setattr(pipeline.apkg_write, "write_package", broken_write)
    (mini_deck / "facts.yaml").write_text(
        (mini_deck / "facts.yaml").read_text().replace("big", "large")
    )
    with pytest.raises(AssertionError):
        build(mini_deck, tmp_path)
    assert (tmp_path / "mini.apkg").read_bytes() == good


def test_the_one_reader_refuses_a_corrupt_collection_with_the_package_named(
    mini_deck: Path, tmp_path: Path
) -> None:
    apkg = build(mini_deck, tmp_path).apkg
    with zipfile.ZipFile(apkg) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    collection = bytearray(entries["collection.anki2"])
    page = 4096  # SQLite's page size here: the second page holds a table's b-tree
    collection[page : page + 16] = b"\xff" * 16
    entries["collection.anki2"] = bytes(collection)
    with zipfile.ZipFile(apkg, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    with pytest.raises(FactdeckError) as caught:
        read.tally(apkg)
    assert str(caught.value).startswith(f"{shown_path(apkg)}: not a readable Anki package: ")
    assert "malformed" in str(caught.value) or "corrupt" in str(caught.value)


def test_a_collection_damaged_in_the_zip_is_refused_by_its_crc(
    mini_deck: Path, tmp_path: Path
) -> None:
    """verify inflates the collection once: its CRC is checked as it is read."""
    apkg = build(mini_deck, tmp_path).apkg
    with zipfile.ZipFile(apkg) as archive:
        info = archive.getinfo("collection.anki2")
    data = bytearray(apkg.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    apkg.write_bytes(bytes(data))
    with pytest.raises(FactdeckError) as caught:
        read.tally(apkg)
    assert str(caught.value) == (
        f"{shown_path(apkg)}: not a readable Anki package: zip entry 'collection.anki2' is corrupt"
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["{{", "{{c", "c", "::", ":", "}}", "{", "}", "%", "#", "1", "0", "99999", ","]
        ),
        max_size=12,
    ).map("".join)
)
def test_the_template_screen_passes_no_field_with_template_syntax(text: str) -> None:
    """verify reads a field's cloze markers only when the screen stops it: the screen must
    stop every field in which they show template syntax."""
    leftover = verify._leftover(text)
    problems = verify._field_problems((text,), set(), None)
    assert bool(problems) == (leftover is not None)
    if leftover is None:
        return
    assert verify._TEMPLATE_SCREEN.search(text)
