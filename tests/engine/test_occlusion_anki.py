"""Image occlusion in the official Anki engine: the stock note type, cards, shapes and media."""

from __future__ import annotations

import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection

from factdeck.diagrams.measure import read_drawing
from factdeck.diagrams.occlusion import media_name
from factdeck.errors import Location
from factdeck.facts.model import Diagram
from factdeck.pipeline import BuildResult, build, expanded
from tests.support.decks import REAL_DECK
from tests.support.engine import import_package, open_collection

NATIVE = "factdeck Image Occlusion"
PORTABLE = "factdeck Image Occlusion (portable)"


class _Rendered(HTMLParser):
    """What Anki rendered: (class, ordinal) of each occlusion shape, and the images."""

    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[tuple[str, int]] = []
        self.images: list[str] = []
        self.ids: set[str] = set()
        self.classes: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-shape" in found:
            self.shapes.append((found.get("class") or "", int(found.get("data-ordinal") or 0)))
        if tag == "img":
            self.images.append(found.get("src") or "")
        if found.get("id"):
            self.ids.add(found["id"] or "")
        self.classes.update((found.get("class") or "").split())


def rendered(html: str) -> _Rendered:
    parser = _Rendered()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Anki's own Image Occlusion note type, read from a fresh shipped_collection."""
    col = open_collection(tmp_path_factory.mktemp("anki-stock"))
    try:
        return dict(col.models.by_name("Image Occlusion") or {})
    finally:
        col.close()


@pytest.fixture(scope="module")
def figures() -> dict[str, Diagram]:
    """The shipped diagram facts, by header (the native note's Header field)."""
    deck = expanded(REAL_DECK).deck
    return {e.fact.header: e.fact for e in deck.entries if isinstance(e.fact, Diagram)}


def shipped_name(fact: Diagram) -> str:
    return media_name(
        "low-back-pain", fact.image, read_drawing(REAL_DECK / fact.image, Location(REAL_DECK))
    )


def notes_of(col: Collection, note_type: str) -> list[Any]:
    return [col.get_note(nid) for nid in col.find_notes(f'"note:{note_type}"')]


def test_the_native_note_type_is_anki_stock_image_occlusion(
    shipped_collection: Collection, stock: dict[str, Any]
) -> None:
    ours = shipped_collection.models.by_name(NATIVE)
    assert ours is not None and stock
    assert ours["name"] != stock["name"]
    assert ours["type"] == stock["type"] == 1
    assert ours["originalStockKind"] == stock["originalStockKind"] == 6

    def fields(model: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (f["name"], f["ord"], f.get("tag"), f.get("preventDeletion", False))
            for f in model["flds"]
        ]

    # One difference: Comments is undeletable too, so Check Database leaves the note type's
    # time alone and later layouts arrive (note-types/io-native.yaml says why).
    assert fields(stock)[4] == ("Comments", 4, 4, False)
    assert fields(ours) == [*fields(stock)[:4], ("Comments", 4, 4, True)]
    assert [f[0] for f in fields(ours)] == [
        "Occlusion",
        "Image",
        "Header",
        "Back Extra",
        "Comments",
    ]
    # The reviewer-script contract is stock; only the header and Back Extra carry our classes.
    styled = {
        "<div>{{Header}}</div>": '<div class="fd-io-header">{{Header}}</div>',
        "<div>{{Back Extra}}</div>": '<div class="fd-io-back">{{Back Extra}}</div>',
    }

    def ours_from(html: str) -> str:
        for plain, classed in styled.items():
            html = html.replace(plain, classed)
        return html

    assert [(t["name"], t["qfmt"], t["afmt"]) for t in ours["tmpls"]] == [
        (t["name"], ours_from(t["qfmt"]), ours_from(t["afmt"])) for t in stock["tmpls"]
    ]
    canvas = re.search(r"#image-occlusion-canvas \{[^}]*\}", stock["css"])
    assert canvas and canvas.group() in ours["css"]


def test_native_back_is_styled_in_light_and_night_mode(shipped_collection: Collection) -> None:
    css = shipped_collection.models.by_name(NATIVE)["css"]
    assert ".fd-source" in css and ".fd-extra" in css and ".nightMode" in css
    assert "color: black" not in css  # night mode's colours come from base.css's variables
    (card_id, *_) = shipped_collection.find_cards(f'"note:{NATIVE}"')
    answer = shipped_collection.get_card(card_id).answer()
    assert '<div class="fd-io-back">' in answer and 'class="fd-source"' in answer


def test_each_native_note_has_one_card_per_mask_group(
    shipped_collection: Collection, figures: dict[str, Diagram]
) -> None:
    notes = notes_of(shipped_collection, NATIVE)
    assert sorted(n["Header"] for n in notes) == sorted(figures)
    for note in notes:
        fact = figures[note["Header"]]
        assert len(fact.masks) >= 3
        # a retired mask (~) keeps its number: no card, and the ones after it keep theirs
        assert sorted(c.ord for c in note.cards()) == [
            ord_ for ord_, group in enumerate(fact.masks) if group
        ]


def test_each_native_card_asks_exactly_one_group_over_the_image(
    shipped_collection: Collection, figures: dict[str, Diagram]
) -> None:
    checked = 0
    for note in notes_of(shipped_collection, NATIVE):
        fact = figures[note["Header"]]
        sizes = [len(group) if group else 0 for group in fact.masks]
        for card in note.cards():
            question = rendered(card.question())
            number = card.ord + 1
            active = [ordinal for cls, ordinal in question.shapes if cls == "cloze"]
            inactive = Counter(
                ordinal for cls, ordinal in question.shapes if cls == "cloze-inactive"
            )
            assert set(active) == {number}
            assert len(active) == sizes[card.ord]
            assert sum(inactive.values()) == sum(sizes) - sizes[card.ord]
            assert question.images == [shipped_name(fact)]
            assert {"image-occlusion-container", "image-occlusion-canvas"} <= question.ids
            answer = rendered(card.answer())
            assert {"toggle", "image-occlusion-canvas"} <= answer.ids
            assert "Low Back Pain: Hidden Causes" in card.answer()
            checked += 1
    assert checked == sum(len([g for g in f.masks if g]) for f in figures.values())


def test_hide_all_and_hide_one_reach_anki(
    shipped_collection: Collection, figures: dict[str, Diagram]
) -> None:
    for note in notes_of(shipped_collection, NATIVE):
        html = note.cards()[0].question()
        expected = figures[note["Header"]].mode == "hide-all"
        assert ('data-occludeInactive="1"' in html) is expected


def test_the_shipped_deck_asks_each_label_once(shipped_collection: Collection) -> None:
    """Native only: portable notes shipped before come back retired, with no cards to study."""
    assert notes_of(shipped_collection, NATIVE)
    for note in notes_of(shipped_collection, PORTABLE):
        assert note.tags == ["factdeck::retired"] and note.cards() == []
    assert shipped_collection.find_cards(f'"note:{PORTABLE}"') == []


def test_portable_notes_one_per_group_with_a_card_each(
    built_portable_deck: BuildResult, figures: dict[str, Diagram], tmp_path: Path
) -> None:
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, built_portable_deck.apkg)
        for native in notes_of(col, NATIVE):  # shipped before: now retired, nothing to study
            assert native.tags == ["factdeck::retired"] and native.cards() == []
        notes = [n for n in notes_of(col, PORTABLE) if "factdeck::retired" not in n.tags]
        assert Counter(n["Header"] for n in notes) == {
            header: len([g for g in fact.masks if g]) for header, fact in figures.items()
        }
        for note in notes:
            fact = figures[note["Header"]]
            groups = [g for g in fact.masks if g]
            (card,) = note.cards()
            question, answer = rendered(card.question()), rendered(card.answer())
            targets = question.classes["fd-io-target"]
            group = next(g for g in groups if targets == len(g))
            others = sum(len(g) for g in groups) - len(group) if fact.mode == "hide-all" else 0
            assert targets >= 1
            assert question.classes["fd-io-other"] == answer.classes["fd-io-other"] == others
            assert answer.classes["fd-io-revealed"] == targets
            assert question.classes["fd-io-revealed"] == answer.classes["fd-io-target"] == 0
            assert question.images == answer.images == [shipped_name(fact)]
            assert note["Answer"] and note["Answer"] in card.answer()
            assert "Low Back Pain: Hidden Causes" in card.answer()
    finally:
        col.close()


def test_media_are_all_present_and_used(
    shipped_collection: Collection, figures: dict[str, Diagram]
) -> None:
    check = shipped_collection.media.check()
    assert list(check.missing) == []
    assert list(check.unused) == []
    media = Path(shipped_collection.media.dir())
    for fact in figures.values():
        assert (media / shipped_name(fact)).read_bytes() == (REAL_DECK / fact.image).read_bytes()


def test_a_redrawn_diagram_reaches_students_who_imported_it_before(
    real_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki keeps a media file it already has, so a new drawing must come under a new name."""
    col = open_collection(tmp_path / "student")
    try:
        first = build(real_deck, tmp_path / "v1")
        import_package(col, first.apkg)
        svg = real_deck / "diagrams" / "dorsal-rami.svg"
        svg.write_text(
            svg.read_text(encoding="utf-8").replace("#d49a00", "#00aa00"), encoding="utf-8"
        )
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(os.environ["SOURCE_DATE_EPOCH"]) + 86400))
        log = import_package(col, build(real_deck, tmp_path / "v2").apkg)
        figure = next(f for f in diagrams_in(real_deck) if f.image.endswith("dorsal-rami.svg"))
        assert log.updated == 1  # the native note; its Image field names the new file
        name = media_name("low-back-pain", figure.image, read_drawing(svg, Location(svg)))
        assert (Path(col.media.dir()) / name).read_bytes() == svg.read_bytes()
        shown = {
            src
            for card_id in col.find_cards('"Header:Image 1*"')
            for src in rendered(col.get_card(card_id).question()).images
        }
        assert shown == {name}
    finally:
        col.close()


def diagrams_in(deck_dir: Path) -> list[Diagram]:
    return [e.fact for e in expanded(deck_dir).deck.entries if isinstance(e.fact, Diagram)]
