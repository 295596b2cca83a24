"""The "Report a problem" link as students get it: the shipped deck opted in, imported into
the official Anki engine, every card back rendered; each back holds the link of its own card
(parsed: deck, version, fact, note GUID, card number), no front holds one, and a deck that
does not opt in has none."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from anki.collection import Collection

from factdeck.history.apkg_diff import RETIRED_TAG
from factdeck.pipeline import BuildResult, build, expanded
from factdeck.release import release
from tests.history.test_release import next_release
from tests.support.decks import EPOCH, REAL_DECK, TEMPLATES, small_deck
from tests.support.engine import import_package, open_collection

GITHUB = "https://github.com/org/course/issues/new?title={title}&body={body}"


class _Links(HTMLParser):
    """Every <a> of a card side: (class, href), hrefs unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            named = dict(attrs)
            self.found.append((named.get("class") or "", named.get("href") or ""))


def links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def report(href: str) -> dict[str, str]:
    """The 'Name: value' lines of a GitHub link's body, after checking where it goes."""
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == ("https", "github.com", "/org/course/issues/new")
    query = parse_qs(url.query, strict_parsing=True)
    assert sorted(query) == ["body", "title"]
    lines = query["body"][0].split("\n")
    assert lines[5:] == ["", "What is wrong with this card?", ""]
    fields = dict(line.split(": ", 1) for line in lines[:5])
    assert query["title"] == [
        f"{fields['Deck']} {fields['Version']}: {fields['Fact']}, card {fields['Card']}"
    ]
    return fields


def _opted_in(root: Path, template: str) -> Path:
    shutil.copytree(TEMPLATES, root / "templates")
    deck_dir = root / "cards" / REAL_DECK.name
    shutil.copytree(REAL_DECK, deck_dir)
    with (deck_dir / "deck.yaml").open("a", encoding="utf-8") as deck_yaml:
        deck_yaml.write(f'feedback: "{template}"\n')
    return deck_dir


@pytest.fixture(scope="module")
def opted_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuildResult, Path]]:
    deck_dir = _opted_in(tmp_path_factory.mktemp("feedback"), GITHUB)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        yield build(deck_dir, deck_dir.parent.parent / "dist"), deck_dir


@pytest.fixture(scope="module")
def collection(
    opted_in: tuple[BuildResult, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Collection]:
    col = open_collection(tmp_path_factory.mktemp("anki"))
    import_package(col, opted_in[0].apkg)
    yield col
    col.close()


def test_every_card_back_links_a_report_on_that_card(
    collection: Collection, opted_in: tuple[BuildResult, Path]
) -> None:
    checked = expanded(opted_in[1])
    fact_of = {note.guid: note.fact_id for note in checked.notes}
    checked_cards = 0
    for card_id in collection.find_cards(f"-tag:{RETIRED_TAG}"):
        card = collection.get_card(card_id)
        note = card.note()
        number = card.ord + 1
        assert links(card.question()) == [], note.guid
        answer = card.answer()
        anchors = links(answer)
        mine = [href for cls, href in anchors if cls == f"fd-report-{number}"]
        assert len(mine) == 1, (note.guid, anchors)
        assert report(mine[0]) == {
            "Deck": "low-back-pain",
            "Version": checked.deck.spec.version,  # opting in changes every note
            "Fact": fact_of[note.guid],
            "Note": note.guid,
            "Card": str(number),
        }
        numbers = sorted(int(cls.rsplit("-", 1)[1]) for cls, _ in anchors)
        assert numbers == sorted(c.ord + 1 for c in note.cards())
        if len(numbers) > 1:  # one per card; the client's .cardN class shows card N's only
            assert f".card{number} .fd-report-{number}" in answer
        checked_cards += 1
    assert checked_cards == opted_in[0].report.cards


def test_a_deck_without_feedback_has_no_link(shipped_collection: Collection) -> None:
    for card_id in shipped_collection.find_cards(""):
        card = shipped_collection.get_card(card_id)
        assert "fd-report" not in card.answer() and links(card.answer()) == []


def test_a_mailto_link_opens_a_mail_with_the_card(project: Path, tmp_path: Path) -> None:
    deck_yaml = (small_deck(project / "cards" / "mini") / "deck.yaml").read_text("utf-8")
    deck_dir = small_deck(
        project / "cards" / "mini",
        deck=deck_yaml + 'feedback: "mailto:teacher@example.org?subject={title}&body={body}"\n',
    )
    result = build(deck_dir, project / "dist")
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, result.apkg)
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            [(cls, href)] = links(card.answer())
            url = urlsplit(href)
            assert (cls, url.scheme, url.path) == (
                f"fd-report-{card.ord + 1}",
                "mailto",
                "teacher@example.org",
            )
            body = parse_qs(url.query)["body"][0]
            assert f"\r\nNote: {card.note().guid}\r\nCard: {card.ord + 1}\r\n" in body
    finally:
        col.close()


def test_a_release_keeps_each_links_version_until_the_card_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link names the release that shipped the note's text: bumping the deck's version
    changes no note; editing one fact changes that fact's notes only."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # after the shipped releases
    deck_dir = _opted_in(tmp_path, GITHUB)
    dist = tmp_path / "dist"
    next_release(deck_dir)
    released = release(deck_dir, dist)
    assert released.changes.unchanged == 0  # opting in adds the link to every note
    next_release(deck_dir)
    assert build(deck_dir, dist).changes.empty
    facts = deck_dir / "cluneal-medial.yaml"
    text = facts.read_text("utf-8")
    facts.write_text(text.replace("nerves is usually felt in the", "nerves is mostly felt in the"))
    changed = build(deck_dir, dist).changes.changed
    assert {d.after.fact for d in changed} == {"medial-cluneal-pain-location"}
