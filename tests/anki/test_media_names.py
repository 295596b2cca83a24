"""Media that Anki always accepts (issue 11, item 3): image paths resolved inside the deck
folder, media names free of folders and of characters Anki rewrites, and `verify` refusing a
package whose names Anki's importer would change. Checked against the official Anki engine."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.anki import media_names
from factdeck.cache.store import CACHE_DIR
from tests.support.decks import write_tree
from tests.support.engine import import_package, open_collection
from tests.support.hostile import DIAGRAM_FACTS, build_ok, refused, svg

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


def diagram_deck(deck: Path, image: str, folder: str = "figs") -> Path:
    facts = DIAGRAM_FACTS.replace("image: figs/figure.svg", f'image: "{image}"')
    return write_tree(deck, {f"{folder}/figure.svg": svg(""), "diagrams.yaml": facts})


def shipped_media(project: Path, tmp_path: Path) -> tuple[list[str], list[str], object]:
    """Import dist/mini.apkg into a fresh collection: its media files, image references, and
    Anki's own media check."""
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, project / "dist" / "mini.apkg")
        fields = [field for nid in col.find_notes("") for field in col.get_note(nid).fields]
        referenced = sorted({m for f in fields for m in re.findall(r'src="([^"]+)"', f)})
        files = sorted(p.name for p in Path(col.media.dir()).iterdir() if p.is_file())
        check = col.media.check()
        return files, referenced, check
    finally:
        col.close()


def test_an_absolute_path_inside_the_deck_works_in_anki(
    runner: CliRunner, project: Path, mini_deck: Path, tmp_path: Path
) -> None:
    diagram_deck(mini_deck, str((mini_deck / "figs" / "figure.svg").resolve()))
    build_ok(runner)
    files, referenced, check = shipped_media(project, tmp_path)
    assert len(files) == 1 and re.fullmatch(r"mini-figs-figure-[0-9a-f]{8}\.svg", files[0])
    assert referenced == files
    assert (list(check.missing), list(check.unused)) == ([], [])


def test_a_path_outside_the_deck_is_refused(
    runner: CliRunner, project: Path, mini_deck: Path
) -> None:
    build_ok(runner)
    outside = write_tree(project / "elsewhere", {"figure.svg": svg("")}) / "figure.svg"
    write_tree(
        mini_deck,
        {"diagrams.yaml": DIAGRAM_FACTS.replace("image: figs/figure.svg", f"image: {outside}")},
    )
    assert refused(runner, project, mini_deck) == (
        f"Error: cards/mini/diagrams.yaml:2: fact 'fig': image '{outside}' is outside the "
        "deck folder; keep diagrams inside it (e.g. diagrams/name.svg)\n"
    )


def test_awkward_folder_names_give_a_name_anki_keeps(
    runner: CliRunner, project: Path, mini_deck: Path, tmp_path: Path
) -> None:
    folder = "Fig [draft]: Ünïcode?"
    diagram_deck(mini_deck, f"{folder}/figure.svg", folder=folder)
    build_ok(runner)
    files, referenced, check = shipped_media(project, tmp_path)
    assert len(files) == 1 and re.fullmatch(
        r"mini-fig-draft-ünïcode-figure-[0-9a-f]{8}\.svg", files[0]
    )
    assert referenced == files
    assert (list(check.missing), list(check.unused)) == ([], [])


@pytest.mark.parametrize(
    "name",
    [
        "plain.svg",
        "fig[1].svg",
        "a:b.svg",
        "what?.svg",
        'quote".svg',
        "pipe|star*.svg",
        "caret^.svg",
        "tab\tname.svg",
        "no\xa0break.svg",
        "con.svg",
        "nul",
        "lpt1.txt",
        "trailing.",
        "trailing ",
        "e\u0301.svg",
        "unassigned\u0378.svg",
        "back\\slash.svg",
    ],
)
def test_our_reading_of_anki_names_matches_the_engine(tmp_path: Path, name: str) -> None:
    """(The engine's add-media path also lower-cases; factdeck's names are lower-case.)"""
    col = open_collection(tmp_path / "anki")
    try:
        assert col.media.write_data(name, name.encode()) == media_names.anki_normalized(name)
    finally:
        col.close()


def test_long_names_are_shortened_but_keep_their_digest() -> None:
    name = media_names.media_name("mini", ["figs", "x" * 300], "0123abcd", ".svg")
    assert len(name.encode()) == media_names.MAX_NAME_BYTES
    assert name.endswith("-0123abcd.svg") and media_names.rename_problem(name) is None


def test_verify_refuses_a_name_anki_would_change(
    runner: CliRunner, project: Path, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagram_deck(mini_deck, "figs/figure.svg")
    build_ok(runner)
    monkeypatch.setattr(media_names, "media_name", lambda *parts: "figs/figure[1].svg")
    shutil.rmtree(mini_deck / CACHE_DIR)  # the cache knows factdeck's code, not this patch
    assert refused(runner, project, mini_deck) == (
        "Error: cards/mini/diagrams.yaml:2: media file name 'figs/figure[1].svg' is one Anki "
        "would store as 'figsfigure1.svg', so cards would not find it; rename the image file\n"
    )
