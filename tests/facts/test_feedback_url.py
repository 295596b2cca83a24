"""`feedback:` in deck.yaml: which URL templates are refused (with file:line and the fix),
and the link a card gets: every value percent-encoded, nothing about the student."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.facts.feedback_url import CardRef, fill, problems
from tests.support.decks import edit_deck

GITHUB = "https://github.com/org/course/issues/new?title={title}&body={body}"
CARD = CardRef(deck="mini", version="1.2.0", fact="nerve-a", note="a&b#c+d%e<f", card=3)


def test_a_github_link_carries_every_value_encoded() -> None:
    url = urlsplit(fill(GITHUB, CARD))
    assert (url.scheme, url.netloc, url.path) == ("https", "github.com", "/org/course/issues/new")
    query = parse_qs(url.query, strict_parsing=True)
    assert query == {
        "title": ["mini 1.2.0: nerve-a, card 3"],
        "body": [
            "Deck: mini\nVersion: 1.2.0\nFact: nerve-a\nNote: a&b#c+d%e<f\nCard: 3\n\n"
            "What is wrong with this card?\n"
        ],
    }


def test_a_mailto_link_breaks_lines_with_crlf() -> None:
    link = fill("mailto:teacher@example.org?subject={title}&body={body}", CARD)
    url = urlsplit(link)
    assert (url.scheme, url.path) == ("mailto", "teacher@example.org")
    assert parse_qs(url.query)["body"][0].startswith("Deck: mini\r\nVersion: 1.2.0\r\n")
    assert " " not in link and "\n" not in link


def test_single_placeholders_and_literal_braces() -> None:
    link = fill("https://forms.example.org/f?n={note}&c={card}&v={version}&x={{y}}", CARD)
    assert link == "https://forms.example.org/f?n=a%26b%23c%2Bd%25e%3Cf&c=3&v=1.2.0&x={y}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "ftp://example.org/{body}",
            "must start with https://, http:// or mailto: (a link a phone opens: an issue "
            "form or an e-mail), e.g. https://github.com/ORG/COURSE/issues/new?title={title}"
            "&body={body}",
        ),
        (
            "https://x.org/new?body={bdy}&t={title:>3}",
            "unknown placeholder '{bdy}', '{title:>3}'; the placeholders are {title}, {body}, "
            "{deck}, {version}, {fact}, {note}, {card} (a literal brace is written {{ or }})",
        ),
        (
            "https://x.org/new?t={title}",
            "names neither {body} nor {note}, so a report would not say which card it is "
            "about; add {title} and {body}, or {note} and {card}",
        ),
        (
            "https://x.org/new?body={body",
            "expected '}' before end of string (a literal brace is written {{ or }})",
        ),
        (
            "https://x.org/a b?body={body}",
            "holds ' ', which a URL cannot: percent-encode it (a space is %20)",
        ),
        (
            "https:///new?body={body}",
            "names no host after https://, e.g. "
            "https://github.com/ORG/COURSE/issues/new?title={title}&body={body}",
        ),
        (
            "https://{deck}.example.org/?body={body}",
            "a placeholder cannot be part of the host; put it in the path or query",
        ),
    ],
)
def test_bad_templates_are_refused_with_the_fix(template: str, message: str) -> None:
    assert problems(template) == [message]


@pytest.mark.parametrize("template", [GITHUB, "mailto:t@example.org?body={body}"])
def test_good_templates_pass(template: str) -> None:
    assert problems(template) == []


def test_check_names_the_line_of_a_bad_template(
    runner: CliRunner, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_deck.parent.parent)
    edit_deck(mini_deck, feedback="javascript:alert({body})")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cards/mini/deck.yaml:7: deck: field 'feedback': must start with https://, "
        "http:// or mailto: (a link a phone opens: an issue form or an e-mail), e.g. "
        "https://github.com/ORG/COURSE/issues/new?title={title}&body={body}\n"
    )


def _qa_yaml(project: Path) -> Path:
    return project / "templates" / "note-types" / "qa.yaml"


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (
            "Sorce",
            "'report' names unknown field 'Sorce' (did you mean 'Source'?); its fields are "
            "Front, Back, Extra, Source",
        ),
        (
            "Front",
            "'report' names 'Front', which a card's front shows; name a field only the back "
            "shows (the link would give the answer's card away)",
        ),
    ],
)
def test_a_note_type_names_a_back_field_for_the_link(
    runner: CliRunner,
    project: Path,
    mini_deck: Path,
    monkeypatch: pytest.MonkeyPatch,
    report: str,
    message: str,
) -> None:
    monkeypatch.chdir(project)
    path = _qa_yaml(project)
    text = path.read_text("utf-8")
    path.write_text(text.replace("report: Source", f"report: {report}"), "utf-8")
    line = text.splitlines().index("report: Source") + 1
    result = runner.invoke(main, ["check"])
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1,
        f"Error: templates/note-types/qa.yaml:{line}: {message}",
    )


def test_feedback_needs_every_note_type_to_say_where(
    runner: CliRunner, project: Path, mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    path = _qa_yaml(project)
    path.write_text(path.read_text("utf-8").replace("report: Source\n", ""), "utf-8")
    assert runner.invoke(main, ["build"]).exit_code == 0  # no feedback: nothing needed
    before = (Path("dist/mini.apkg").read_bytes(), (mini_deck / "factdeck.lock").read_bytes())
    edit_deck(mini_deck, feedback=GITHUB)
    result = runner.invoke(main, ["build"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: cards/mini/deck.yaml: 'feedback' needs a place on the back of every card, but "
        "note type 'factdeck Q/A' (note-types/qa.yaml) names none; add 'report: FIELD' to it "
        "(a field only the back shows, e.g. Source)\n",
    )
    assert (
        Path("dist/mini.apkg").read_bytes(),
        (mini_deck / "factdeck.lock").read_bytes(),
    ) == before
