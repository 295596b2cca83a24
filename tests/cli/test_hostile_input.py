"""Catalogue of hostile fact text and YAML values (issue 11, items 4 and 7): each is refused
through the real CLI with file:line, what is wrong and how to fix it, exit 1, no traceback,
and dist/ and the lock left as the last good build made them."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.apkg.read import unpack
from factdeck.cli.main import main
from factdeck.fs import limits, read
from tests.support.decks import write_tree
from tests.support.hostile import refused

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


pytestmark = pytest.mark.usefixtures("in_project", "outside")  # from inside the project


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


def test_sound_tag_in_an_answer(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert (
        refuse(
            runner, project, built_mini_deck, {"more.yaml": question("answer", '"[sound:x.mp3]"')}
        )
        == f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': {SOUND.format('x.mp3')}\n"
    )


def test_tts_tag_in_extra(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    text = '"[anki:tts lang=en_US]say this[/anki:tts]"'
    assert refuse(runner, project, built_mini_deck, {"more.yaml": question("extra", text)}) == (
        f"Error: cards/mini/more.yaml:6: fact 'q': field 'extra': "
        f"{SPEECH.format('[anki:tts lang=en_US]')}\n"
    )


def test_play_tag_in_a_question(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    text = '"Which nerve [anki:play:q:0] is it?"'
    assert refuse(runner, project, built_mini_deck, {"more.yaml": question("question", text)}) == (
        f"Error: cards/mini/more.yaml:4: fact 'q': field 'question': "
        f"{SPEECH.format('[anki:play:q:0]')}\n"
    )


def test_cloze_in_a_question(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    text = '"What does the {{c1::alpha}} nerve supply?"'
    assert refuse(runner, project, built_mini_deck, {"more.yaml": question("question", text)}) == (
        f"Error: cards/mini/more.yaml:4: fact 'q': field 'question': {MISPLACED}\n"
    )


def test_cloze_in_an_answer(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert (
        refuse(
            runner, project, built_mini_deck, {"more.yaml": question("answer", '"{{c2::skin}}"')}
        )
        == f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': {MISPLACED}\n"
    )


def test_cloze_in_a_name(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    facts = (
        'facts:\n  - id: n\n    kind: nerve\n    name: "{{c3::gamma}} nerve"\n'
        "    levels: L4\n    source: body\n"
    )
    assert refuse(runner, project, built_mini_deck, {"more.yaml": facts}) == (
        f"Error: cards/mini/more.yaml:4: fact 'n': field 'name': {MISPLACED}\n"
    )


def test_template_braces_in_extra(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert refuse(
        runner, project, built_mini_deck, {"more.yaml": question("extra", '"{{Front}}"')}
    ) == (
        "Error: cards/mini/more.yaml:6: fact 'q': field 'extra': '{{' and '}}' are Anki "
        "template syntax and cannot appear in card text; write single braces or reword\n"
    )


@pytest.mark.parametrize("cloze", ["{{c1::}}", "{{c1::  }}", "{{c1::::a hint}}"])
def test_empty_cloze(runner: CliRunner, project: Path, built_mini_deck: Path, cloze: str) -> None:
    facts = (
        f'facts:\n  - id: s\n    kind: statement\n    text: "The {{{{c2::beta}}}} and '
        f'{cloze} are here."\n    source: body\n'
    )
    assert refuse(runner, project, built_mini_deck, {"more.yaml": facts}) == (
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
    runner: CliRunner, project: Path, built_mini_deck: Path, written: str, read_as: str
) -> None:
    assert refuse(runner, project, built_mini_deck, {"more.yaml": question("answer", written)}) == (
        f"Error: cards/mini/more.yaml:5: fact 'q': field 'answer': YAML reads '{written}' as "
        f'{read_as}, not text; put it in quotes: answer: "{written}"\n'
    )


def test_tilde_answer_is_nothing(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert refuse(runner, project, built_mini_deck, {"more.yaml": question("answer", "~")}) == (
        "Error: cards/mini/more.yaml:5: fact 'q': field 'answer' is empty: YAML reads '~' "
        "as nothing; write the text\n"
    )


def test_id_no(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    facts = question("answer", "skin").replace("id: q", "id: no")
    assert refuse(runner, project, built_mini_deck, {"more.yaml": facts}) == (
        "Error: cards/mini/more.yaml:2: fact #1: field 'id': YAML reads 'no' as true/false, "
        'not text; put it in quotes: id: "no"\n'
    )


def test_unquoted_version_in_deck_yaml(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    deck_yaml = (
        (built_mini_deck / "deck.yaml").read_text().replace('version: "1.0.0"', "version: 1.10")
    )
    assert refuse(runner, project, built_mini_deck, {"deck.yaml": deck_yaml}) == (
        "Error: cards/mini/deck.yaml:3: deck: field 'version': YAML reads '1.10' as a number, "
        'not text; put it in quotes: version: "1.10"\n'
    )


def test_a_4300_digit_integer(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert refuse(
        runner, project, built_mini_deck, {"more.yaml": question("answer", "9" * 4301)}
    ) == (
        "Error: cards/mini/more.yaml:5: invalid YAML: a number of 4,301 characters is too "
        "long; if it is text, put it in quotes\n"
    )


def test_a_fact_file_that_is_a_symlink_loop(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    """Naming the file in the message once resolved the loop again and raised (a traceback;
    in `serve`, the end of the server)."""
    (built_mini_deck / "loop.yaml").symlink_to("loop.yaml")
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/loop.yaml: is a symbolic link (to loop.yaml); {read.NO_LINKS}\n"
    )


# --- bounded reading (issue 26, item 7): depth, size and time of every input ------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_yaml_nested_100000_deep(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    assert refuse(runner, project, built_mini_deck, {"more.yaml": f"facts: {DEEP}\n"}) == (
        "Error: cards/mini/more.yaml:1: invalid YAML: while increasing flow level exceeded "
        "maximum nesting depth; check the indentation, and put text containing ': ' or "
        "starting with '{', '[', '*', '&', '!', '%', '@' or '`' in quotes\n"
    )


def test_deck_yaml_nested_100000_deep(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    deck_yaml = (built_mini_deck / "deck.yaml").read_text() + f"extra: {DEEP}\n"
    assert refuse(runner, project, built_mini_deck, {"deck.yaml": deck_yaml}) == (
        "Error: cards/mini/deck.yaml:7: invalid YAML: while increasing flow level exceeded "
        "maximum nesting depth; check the indentation, and put text containing ': ' or "
        "starting with '{', '[', '*', '&', '!', '%', '@' or '`' in quotes\n"
    )


def test_a_billion_laughs(runner: CliRunner, project: Path, built_mini_deck: Path) -> None:
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    assert refuse(runner, project, built_mini_deck, {"more.yaml": "\n".join(laughs) + "\n"}) == (
        "Error: cards/mini/more.yaml: YAML expands to more than 1,000,000 values (through "
        "aliases or deep nesting); write the values out plainly\n"
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        *(
            (
                "SOURCE_DATE_EPOCH",
                value,
                "SOURCE_DATE_EPOCH must be whole seconds since 1970 (0 to 253402300799, the "
                f"end of the year 9999), got '{value}'",
            )
            for value in ("yesterday", "-5", "1" + "0" * 30, "\u0661\u0662", "12 ", "253402300800")
        ),
        *(
            (
                "FACTDECK_LOCK_WAIT",
                value,
                f"FACTDECK_LOCK_WAIT must be a number of seconds from 0 to 86400, got '{value}'",
            )
            for value in ("inf", "nan", "-1", "soon", "1e400")
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "release"])
def test_an_environment_variable_out_of_range(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
    command: str,
) -> None:
    """`FACTDECK_LOCK_WAIT=inf` waited forever; a date past 9999 or in other digits was taken."""
    (built_mini_deck / ".factdeck-cache" / "manifest.json").unlink()  # the build reads the clock
    monkeypatch.setenv(variable, value)
    assert refused(runner, project, built_mini_deck, [command]) == f"Error: {message}\n"


ARTICLE_FIX = "give a UTF-8 text or Markdown file"


def article(project: Path, kind: str) -> Path:
    path = project / "article.txt"
    if kind == "pipe":
        os.mkfifo(path)  # `new --from` waited for a writer forever
    elif kind == "control":
        path.write_text("Title\n\nThe nerve \x1b[2Jpierces the fascia here.\n")
    elif kind == "binary":
        path.write_bytes(b"Title\n\n\xff\xfe not text\n")
    else:
        path.write_text("Title\n\nThe nerve pierces the thoracolumbar fascia here.\n")
    return path


ARTICLE_REFUSED = {
    "pipe": "article.txt: cannot read the article: it is a named pipe (FIFO), not a regular "
    "file; factdeck opens only plain files: replace it with one or delete it; " + ARTICLE_FIX,
    "control": "article.txt:3: the article holds a control character (U+001B); save it as "
    "plain text (a text editor's 'plain text' export drops them)",
    "binary": "article.txt:3: the article is not UTF-8 text (byte 0xff); save it as UTF-8 "
    "text or Markdown",
    "huge": "article.txt: cannot read the article: it is 56 bytes, over the 55-byte limit; "
    + ARTICLE_FIX,
}


@pytest.mark.parametrize("kind", list(ARTICLE_REFUSED))
@pytest.mark.parametrize("target", ["deck", "course"])
def test_a_bad_article_leaves_no_half_written_deck(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    target: str,
) -> None:
    """`new --from` reads the article before writing, and writes a deck or a course into a
    temporary folder renamed into place: a refusal leaves nothing behind."""
    monkeypatch.setattr(limits, "ARTICLE", 55)  # the good article is 56 bytes
    source = article(project, kind)
    where = "cards/knee" if target == "deck" else str(project.parent / f"{project.name}-course")
    before = sorted(p.name for p in (project / "cards").iterdir())
    assert refused(runner, project, built_mini_deck, ["new", where, "--from", str(source)]) == (
        f"Error: {ARTICLE_REFUSED[kind]}\n"
    )
    assert sorted(p.name for p in (project / "cards").iterdir()) == before  # no .knee.*.tmp


def test_a_failed_new_removes_what_it_made(
    runner: CliRunner, project: Path, built_mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails halfway (here: the example diagram) takes the whole deck with it,
    and the folders made for it."""
    real = Path.write_text

    def fail_at_the_drawing(path: Path, *args: object, **kwargs: object) -> int:
        if path.suffix == ".svg":
            raise OSError(28, "No space left on device", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", fail_at_the_drawing)
    result = runner.invoke(main, ["new", "cards/new/knee"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert sorted(p.name for p in (project / "cards").iterdir()) == ["mini"]


NOT_IN_DECK_NAMES = {
    "escape sequence": ("\x1b[31m", "'\\x1b'"),
    "line feed": ("\n", "'\\n'"),
    "line separator U+2028": ("\u2028", "'\\u2028'"),
    "next line U+0085": ("\x85", "'\\x85'"),
    "delete": ("\x7f", "'\\x7f'"),
}


@pytest.mark.parametrize("raw,shown", NOT_IN_DECK_NAMES.values(), ids=NOT_IN_DECK_NAMES)
@pytest.mark.parametrize("target", ["deck", "course"])
def test_a_new_folder_named_with_a_control_character_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, raw: str, shown: str, target: str
) -> None:
    """The deck is named after its folder: such a name made a deck.yaml YAML refuses (or
    split a comment line into YAML), left it written and ended in a traceback."""
    where = f"cards/new{raw}deck" if target == "deck" else f"../course{raw}x"
    example = "cards/knee" if target == "deck" else "my-course"
    before = sorted(p.name for p in project.parent.iterdir())
    assert refused(runner, project, built_mini_deck, ["new", where]) == (
        f"Error: {where.encode('unicode_escape').decode()}: the folder's name holds {shown}, "
        "a control character or line break that the files named after it cannot hold; name it "
        f"with letters, digits and '-', e.g. {example}\n"
    )
    assert sorted(p.name for p in (project / "cards").iterdir()) == ["mini"]
    assert sorted(p.name for p in project.parent.iterdir()) == before


# --- packages given to `factdeck diff` ------------------------------------------------


def package(project: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path = project / "other.apkg"
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def collection(project: Path, change: str | None = None) -> bytes:
    """The mini deck's built collection, with an SQL `change` applied (a damaged package)."""
    with zipfile.ZipFile(project / "dist" / "mini.apkg") as archive:
        data = archive.read("collection.anki2")
    if change is None:
        return data
    db_path = project / "damaged.anki2"
    db_path.write_bytes(data)
    db = sqlite3.connect(db_path)
    db.execute(change)
    db.commit()
    db.close()
    data = db_path.read_bytes()
    db_path.unlink()
    return data


BOMB = "(a zip bomb, or not an Anki package); rebuild or re-export it"
DAMAGED = "rebuild or re-export the package"


@pytest.mark.parametrize(
    ("case", "limit", "message"),
    [
        (
            "collection",
            ("COLLECTION", 1_000_000),
            f"not a package factdeck reads: it has a collection of 1,000,001 bytes, over the "
            f"1,000,000-byte limit {BOMB}",
        ),
        (
            "members",
            ("PACKAGE_MEMBERS", 3),
            f"not a package factdeck reads: it has 4 entries, over the limit of 3 {BOMB}",
        ),
        (
            "unpacked",
            ("PACKAGE_UNPACKED", 1_000_000),
            f"not a package factdeck reads: it has entries that unpack to 1,000,003 bytes, "
            f"over the 1,000,000-byte limit {BOMB}",
        ),
        (
            "media-list",
            ("MEDIA_LIST", 1_000),
            f"not a package factdeck reads: it has a media list of 1,001 bytes, over the "
            f"1,000-byte limit {BOMB}",
        ),
        (
            "file",
            ("PACKAGE", 100),
            "not a readable Anki package: it is {size:,} bytes, over the 100-byte limit",
        ),
        (
            "compression",
            None,
            "not a readable Anki package: That compression method is not supported; Anki "
            "writes packages with deflate",
        ),
        (
            "blob-fields",
            None,
            "not a readable Anki package: a note of the wrong shape (guid {guid!r}); " + DAMAGED,
        ),
        (
            "models-not-json",
            None,
            "not a readable Anki package: its note types cannot be read (Expecting value: line 1 "
            "column 1 (char 0)); " + DAMAGED,
        ),
        (
            "models-nested",
            None,
            "not a readable Anki package: its note types cannot be read (nested too deeply, "
            "over about 1,000 levels); " + DAMAGED,
        ),
        (
            "media-nested",
            None,
            "not a readable Anki package: its media list is not valid JSON (nested too "
            "deeply, over about 1,000 levels); " + DAMAGED,
        ),
    ],
)
def test_a_damaged_or_oversized_package_is_refused_unread(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    limit: tuple[str, int] | None,
    message: str,
) -> None:
    """Sizes are checked as the zip declares them, before anything is unpacked (zipfile
    never reads past a declared size), so a zip bomb costs nothing."""
    if limit:
        monkeypatch.setattr(limits, *limit)
    good = collection(project)
    guid = ""
    if case == "collection":
        path = package(project, {"collection.anki2": b"\0" * 1_000_001, "media": b"{}"})
    elif case == "members":
        path = package(project, {"collection.anki2": good, "media": b"{}", "0": b"", "1": b""})
    elif case == "unpacked":
        path = package(project, {"collection.anki2": b"", "media": b"{}", "0": b"\0" * 1_000_001})
    elif case == "media-list":
        path = package(project, {"collection.anki2": good, "media": b" " * 999 + b"{}"})
    elif case == "file":
        path = project / "dist" / "mini.apkg"
    elif case == "compression":
        path = package(project, {"collection.anki2": good, "media": b"{}"}, zipfile.ZIP_STORED)
        data = bytearray(path.read_bytes())
        for header in (0, data.find(b"PK\x01\x02") + 2):  # local header, central directory
            data[header + 8 : header + 10] = (99).to_bytes(2, "little")
        path.write_bytes(bytes(data))
    elif case == "blob-fields":
        path = package(
            project,
            {
                "collection.anki2": collection(project, "UPDATE notes SET flds = x'00ff'"),
                "media": b"{}",
            },
        )
        guid = unpack(project / "dist" / "mini.apkg").notes[0].guid
    elif case == "models-not-json":
        path = package(
            project,
            {
                "collection.anki2": collection(project, "UPDATE col SET models = 'not json'"),
                "media": b"{}",
            },
        )
    elif case == "models-nested":
        nested = "[" * 100_000
        path = package(
            project,
            {
                "collection.anki2": collection(project, f"UPDATE col SET models = '{nested}'"),
                "media": b"{}",
            },
        )
    else:
        path = package(project, {"collection.anki2": good, "media": b"[" * 100_000})
    shown = path.relative_to(project)
    size = path.stat().st_size
    assert refused(runner, project, built_mini_deck, ["diff", str(shown), "dist/mini.apkg"]) == (
        f"Error: {shown}: {message.format(size=size, guid=guid)}\n"
    )
