"""factdeck preview without a browser: what the page holds, escaping, files written, CLI."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.errors import Location
from factdeck.pipeline import expanded
from factdeck.preview.card_templates import compile_note_type, render_note
from factdeck.preview.page import TagOption, fact_sources, preview, tag_options, text_of
from tests.support.decks import NERVE_A, edit_deck, facts_yaml, write_tree

DATA = re.compile(r'<script type="application/json" id="pv-data">(.*?)</script>', re.DOTALL)


def page_data(index: Path) -> dict:
    """The page's data with the cards and facts of all its parts (parts/NNNN.js)."""
    (match,) = DATA.findall(index.read_text(encoding="utf-8"))
    data = json.loads(match)
    data["cards"], data["facts"] = [], {}
    for name in data["parts"]:
        script = (index.parent / name).read_text(encoding="utf-8")
        assert script.startswith("factdeckPreview.add(") and script.endswith(");\n")
        part = json.loads(script.removeprefix("factdeckPreview.add(").removesuffix(");\n"))
        data["cards"].extend(part["cards"])
        data["facts"].update(part["facts"])
    return data


def test_every_card_front_and_back_as_anki_renders_it(mini_deck: Path, tmp_path: Path) -> None:
    result = preview(mini_deck, tmp_path / "out")
    assert result.index == tmp_path / "out" / "mini-preview" / "index.html"
    assert (result.notes, result.cards, result.media) == (3, 3, 0)
    checked = expanded(mini_deck)
    types = checked.templates.note_types
    expected = [
        {"type": note.note_type, "front": faces.front, "back": faces.back}
        for note in checked.notes
        for faces in render_note(
            compile_note_type(types[note.note_type], Location(mini_deck)), note
        )
    ]
    data = page_data(result.index)
    assert [{k: card[k] for k in ("type", "front", "back")} for card in data["cards"]] == expected
    assert data["styles"] == {key: types[key].css for key in ("qa", "cloze")}
    assert not (mini_deck / "factdeck.lock").exists()


def test_each_card_shows_where_it_comes_from(mini_deck: Path, tmp_path: Path) -> None:
    # fact-b written over several lines, as an instructor would: the page shows its lines
    block = (
        '  - id: fact-b\n    kind: statement\n    text: "The beta is {{c1::big}}."\n'
        "    source: {section: intro, refs: [ref-one], refs_why: Ref 2000 measured the beta.}\n"
        "    subdeck: part\n"
    )
    (mini_deck / "facts.yaml").write_text(facts_yaml(NERVE_A) + block, encoding="utf-8")
    index = preview(mini_deck, tmp_path / "out").index
    card = next(c for c in page_data(index)["cards"] if c["anchor"] == "fact-b--text--1")
    assert (card["subdeck"], card["tags"]) == ("part", [])
    assert card["kind"] == "factdeck Cloze · Cloze 1"
    assert card["deck"] == "Mini::Part"
    assert card["source"] == "Introduction · Ref 2000"
    assert (card["location"], card["ids"]) == ("cards/mini/facts.yaml:3", "fact-b/text")
    assert (card["href"], card["file"], card["line"]) == (
        "../../cards/mini/facts.yaml",
        "cards/mini/facts.yaml",
        3,
    )
    assert page_data(index)["facts"]["fact-b"] == (
        '- id: fact-b\n  kind: statement\n  text: "The beta is {{c1::big}}."\n'
        "  source: {section: intro, refs: [ref-one], refs_why: Ref 2000 measured the beta.}\n"
        "  subdeck: part"
    )


def test_a_big_deck_comes_in_parts(
    mini_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("factdeck.preview.page.PART_CARDS", 2)
    index = preview(mini_deck, tmp_path / "out").index
    assert page_data(index)["parts"] == ["parts/0001.js", "parts/0002.js"]
    in_parts = page_data(index)["cards"]
    monkeypatch.setattr("factdeck.preview.page.PART_CARDS", 500)
    preview(mini_deck, tmp_path / "out")
    assert sorted(p.name for p in (index.parent / "parts").iterdir()) == ["0001.js"]
    assert page_data(index)["cards"] == in_parts  # the same cards, in the same order


def test_card_html_cannot_break_out_of_the_page(mini_deck: Path, tmp_path: Path) -> None:
    templates = mini_deck.parent.parent / "templates"
    (templates / "note-types" / "qa" / "front.html").write_text(
        "{{Front}}</script><script>alert(1)</script><!--<script>"
    )
    edit_deck(mini_deck, name="Mini <b>&</b>")
    html = preview(mini_deck, tmp_path / "out").index.read_text(encoding="utf-8")
    assert "<title>Mini &lt;b&gt;&amp;&lt;/b&gt; — card preview</title>" in html
    assert "alert" not in html.split('id="pv-data">')[0]
    fronts = [
        card["front"]
        for card in page_data(tmp_path / "out" / "mini-preview" / "index.html")["cards"]
    ]
    assert fronts[0].endswith("</script><script>alert(1)</script><!--<script>")


def test_diagrams_bring_their_media_and_stale_files_go(real_deck: Path, tmp_path: Path) -> None:
    site = tmp_path / "out" / "low-back-pain-preview"
    site.mkdir(parents=True)
    (site / "old-diagram.svg").write_text("<svg/>")
    result = preview(real_deck, tmp_path / "out")
    media = sorted(p.name for p in site.iterdir() if p.suffix == ".svg")
    assert len(media) == result.media == 4
    assert all(name.startswith("low-back-pain-diagrams-") for name in media)
    assert sorted(p.name for p in site.iterdir()) == sorted(["index.html", "parts", *media])
    assert result.size == sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    first = result.index.read_bytes()
    preview(real_deck, tmp_path / "out")
    assert result.index.read_bytes() == first  # same input, same page


def test_tag_options_count_cards_under_each_level() -> None:
    assert tag_options([("a::b::c", "x"), ("a::b",), ("a::d",), ()]) == (
        TagOption("a", 0, 3),
        TagOption("a::b", 1, 2),
        TagOption("a::b::c", 2, 1),
        TagOption("a::d", 1, 1),
        TagOption("x", 0, 1),
    )


def test_text_of_keeps_what_a_reader_sees() -> None:
    assert (
        text_of(
            "<style>.a{}</style><b>Tom</b> &amp; <i>Jerry</i><script>x()</script>\n"
            '<span class="cloze">[...]</span>'
        )
        == "Tom & Jerry [...]"
    )


def test_fact_sources_stop_before_the_next_fact_s_comments(tmp_path: Path, mini_deck: Path) -> None:
    write_tree(
        mini_deck,
        {
            "facts.yaml": """
        facts:
          - id: one
            kind: question
            question: Q?
            answer: A   # a comment inside stays
            source: body

          # About the next fact.
          - {id: two, kind: question, question: Q2?, answer: B, source: body}
    """
        },
    )
    assert fact_sources(expanded(mini_deck).deck) == {
        "one": "- id: one\n  kind: question\n  question: Q?\n  answer: A   # a comment inside "
        "stays\n  source: body",
        "two": "- {id: two, kind: question, question: Q2?, answer: B, source: body}",
    }


def test_page_templates_the_project_lacks_come_from_the_builtin_set(
    mini_deck: Path, tmp_path: Path
) -> None:
    page = mini_deck.parent.parent / "templates" / "preview"
    shutil.rmtree(page)
    write_tree(page, {"preview.css": "body { --project-override: 1; }\n"})
    result = preview(mini_deck, tmp_path / "out")
    html = result.index.read_text(encoding="utf-8")
    assert "--project-override: 1" in html  # the project's file
    assert "<script" in html  # preview.js and index.html.j2: the built-in ones


def test_preview_command(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_deck.parent.parent)
    opened: list[str] = []
    monkeypatch.setattr("factdeck.cli.browser.open_url", opened.append)
    result = runner.invoke(main, ["preview"])
    size = sum(p.stat().st_size for p in Path("dist/mini-preview").rglob("*") if p.is_file())
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"Preview Mini -> dist/mini-preview/index.html ({size / 1024:.1f} kB)\n"
        "  cards    3 from 3 notes\n"
        "  media    0 files\n"
    )
    assert opened == []
    assert runner.invoke(main, ["preview", "--open"]).exit_code == 0
    assert opened == [Path("dist/mini-preview/index.html").resolve().as_uri()]
    assert not Path("cards/mini/factdeck.lock").exists()


def test_build_open_builds_then_opens_the_preview(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_deck.parent.parent)
    opened: list[str] = []
    monkeypatch.setattr("factdeck.cli.browser.open_url", opened.append)
    result = runner.invoke(main, ["build", "--open"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("  preview  dist/mini-preview/index.html\n")
    assert opened == [Path("dist/mini-preview/index.html").resolve().as_uri()]
    assert Path("dist/mini.apkg").is_file()


def test_pdf_without_playwright_says_how_an_installed_factdeck_gets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message said `pip install -e ".[pdf]"`, which needs a clone of factdeck's own
    repository; an instructor with the installed tool adds the extra to it."""
    from factdeck.errors import FactdeckError
    from factdeck.preview.handout import print_pdf

    browser = tmp_path / "chromium"
    browser.write_text("")
    monkeypatch.setenv("FACTDECK_CHROMIUM", str(browser))
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(FactdeckError) as caught:
        print_pdf(tmp_path / "index.html", tmp_path / "out.pdf")
    assert [p.message for p in caught.value.problems] == [
        "printing to PDF needs Playwright: pip install 'factdeck[pdf]'"
    ]
