"""Catalogue of hostile fact text and YAML values (issue 11, items 4 and 7): each is refused
through the real CLI with file:line, what is wrong and how to fix it, exit 1, no traceback,
and dist/ and the lock left as the last good build made them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.decks import write_tree
from tests.support.hostile import build_ok, refused

SOUND = (
    "'[sound:{}]' is a sound tag: Anki would play it on the card instead of showing the "
    "text; remove it (factdeck decks carry no sound), or reword without square brackets, "
    "e.g. (sound: ...)"
)
SPEECH = SOUND.replace("a sound tag", "an Anki audio/speech tag").replace("[sound:{}]", "{}")
MISPLACED = (
    "cloze syntax {{cN::...}} works only in a statement's 'text'; here students would "
    "see the braces (in a name, cloze cards would also get a hidden extra card); write "
    "the words plainly"
)


pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


@pytest.fixture
def built(runner: CliRunner, mini_deck: Path) -> Path:
    """The mini deck, built once: dist/ and the lock hold a good release."""
    build_ok(runner)
    return mini_deck


def question(field: str, value: str) -> str:
    """A fact file with one question fact whose `field` is `value` (YAML, as written)."""
    fields = {
        "question": '"What does the alpha nerve supply?"',
        "answer": "the skin",
        "extra": None,
    }
    fields[field] = value
    lines = "".join(f"    {k}: {v}\n" for k, v in fields.items() if v is not None)
    return f"facts:\n  - id: q\n    kind: question\n{lines}    source: body\n"


def refuse(runner: CliRunner, project: Path, deck: Path, files: dict[str, str]) -> str:
    write_tree(deck, files)
    return refused(runner, project, deck)


def test_sound_tag_in_an_answer(runner: CliRunner, project: Path, built: Path) -> None:
    assert (
        refuse(runner, project, built, {"more.yaml": question("answer", '"[sound:x.mp3]"')})
        == f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': {SOUND.format('x.mp3')}\n"
    )


def test_tts_tag_in_extra(runner: CliRunner, project: Path, built: Path) -> None:
    text = '"[anki:tts lang=en_US]say this[/anki:tts]"'
    assert refuse(runner, project, built, {"more.yaml": question("extra", text)}) == (
        f"Error: cards/mini/more.yaml:6: fact 'q': field 'extra': "
        f"{SPEECH.format('[anki:tts lang=en_US]')}\n"
    )


def test_play_tag_in_a_question(runner: CliRunner, project: Path, built: Path) -> None:
    text = '"Which nerve [anki:play:q:0] is it?"'
    assert refuse(runner, project, built, {"more.yaml": question("question", text)}) == (
        f"Error: cards/mini/more.yaml:4: fact 'q': field 'question': "
        f"{SPEECH.format('[anki:play:q:0]')}\n"
    )


def test_cloze_in_a_question(runner: CliRunner, project: Path, built: Path) -> None:
    text = '"What does the {{c1::alpha}} nerve supply?"'
    assert refuse(runner, project, built, {"more.yaml": question("question", text)}) == (
        f"Error: cards/mini/more.yaml:4: fact 'q': field 'question': {MISPLACED}\n"
    )


def test_cloze_in_an_answer(runner: CliRunner, project: Path, built: Path) -> None:
    assert (
        refuse(runner, project, built, {"more.yaml": question("answer", '"{{c2::skin}}"')})
        == f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': {MISPLACED}\n"
    )


def test_cloze_in_a_name(runner: CliRunner, project: Path, built: Path) -> None:
    facts = (
        'facts:\n  - id: n\n    kind: nerve\n    name: "{{c3::gamma}} nerve"\n'
        "    levels: L4\n    source: body\n"
    )
    assert refuse(runner, project, built, {"more.yaml": facts}) == (
        f"Error: cards/mini/more.yaml:4: fact 'n': field 'name': {MISPLACED}\n"
    )


def test_template_braces_in_extra(runner: CliRunner, project: Path, built: Path) -> None:
    assert refuse(runner, project, built, {"more.yaml": question("extra", '"{{Front}}"')}) == (
        "Error: cards/mini/more.yaml:6: fact 'q': field 'extra': '{{' and '}}' are Anki "
        "template syntax and cannot appear in card text; write single braces or reword\n"
    )


@pytest.mark.parametrize("cloze", ["{{c1::}}", "{{c1::  }}", "{{c1::::a hint}}"])
def test_empty_cloze(runner: CliRunner, project: Path, built: Path, cloze: str) -> None:
    facts = (
        f'facts:\n  - id: s\n    kind: statement\n    text: "The {{{{c2::beta}}}} and '
        f'{cloze} are here."\n    source: body\n'
    )
    assert refuse(runner, project, built, {"more.yaml": facts}) == (
        f"Error: cards/mini/more.yaml:4: fact 's': field 'text': '{cloze}': an empty "
        "cloze: its card would ask for nothing; put the hidden words inside, e.g. "
        "{{c1::posterior rami}}, or delete it\n"
    )


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
        ("\u200b", "ZERO WIDTH SPACE"),
        ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ],
)
def test_invisible_characters_are_warned_about(
    runner: CliRunner, project: Path, mini_deck: Path, char: str, name: str
) -> None:
    write_tree(mini_deck, {"more.yaml": question("answer", f'"the {char}skin"')})
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Warning: cards/mini/more.yaml:2: fact 'q': [hidden-character] field 'answer' "
        f"contains U+{ord(char):04X} {name}, invisible on the card (it can hide or reorder "
        "words); delete it (retype the text around it)\n"
    )
    lint = runner.invoke(main, ["lint"])
    assert lint.exit_code == 1 and "[hidden-character]" in lint.stdout


# --- YAML values that are not text --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("yes", "true/false"),
        ("off", "true/false"),
        ("2024-01-01", "a date"),
        ("12", "a number"),
    ],
)
def test_unquoted_answer_that_yaml_reads_as_another_type(
    runner: CliRunner, project: Path, built: Path, written: str, read_as: str
) -> None:
    assert refuse(runner, project, built, {"more.yaml": question("answer", written)}) == (
        f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': YAML reads '{written}' as "
        f'{read_as}, not text; put it in quotes: answer: "{written}"\n'
    )


def test_tilde_answer_is_nothing(runner: CliRunner, project: Path, built: Path) -> None:
    assert refuse(runner, project, built, {"more.yaml": question("answer", "~")}) == (
        "Error: cards/mini/more.yaml:5: fact 'q': field 'answer' is empty: YAML reads '~' "
        "as nothing; write the text\n"
    )


def test_id_no(runner: CliRunner, project: Path, built: Path) -> None:
    facts = question("answer", "skin").replace("id: q", "id: no")
    assert refuse(runner, project, built, {"more.yaml": facts}) == (
        "Error: cards/mini/more.yaml:2: fact #1: field 'id': YAML reads 'no' as true/false, "
        'not text; put it in quotes: id: "no"\n'
    )


def test_unquoted_version_in_deck_yaml(runner: CliRunner, project: Path, built: Path) -> None:
    deck_yaml = (built / "deck.yaml").read_text().replace('version: "1.0.0"', "version: 1.10")
    assert refuse(runner, project, built, {"deck.yaml": deck_yaml}) == (
        "Error: cards/mini/deck.yaml:3: deck: field 'version': YAML reads '1.10' as a number, "
        'not text; put it in quotes: version: "1.10"\n'
    )


def test_a_4300_digit_integer(runner: CliRunner, project: Path, built: Path) -> None:
    assert refuse(runner, project, built, {"more.yaml": question("answer", "9" * 4301)}) == (
        "Error: cards/mini/more.yaml:5: invalid YAML: a number of 4,301 characters is too "
        "long; if it is text, put it in quotes\n"
    )
