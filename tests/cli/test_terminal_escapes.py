"""Hostile text on the terminal (issue 26, item 6): every class of character that can rewrite
what a terminal shows, or forge a line, is printed as an escape wherever a name or a value
reaches the screen: a file name in an error, a deck name in a result line, an output folder,
a version string, a fact id. Through the real CLI, on a colour terminal (nothing stripped)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.decks import edit_deck, write_tree
from tests.support.serving import Server

pytestmark = pytest.mark.usefixtures("in_project")

RED, RESET = "\x1b[31m", "\x1b[0m"
GREEN_BOLD, BOLD = "\x1b[32m\x1b[1m", "\x1b[1m"

# class -> (the characters, how they must be shown)
CLASSES = {
    "line separator U+2028": ("\u2028", "\\u2028"),
    "paragraph separator U+2029": ("\u2029", "\\u2029"),
    "next line U+0085": ("\x85", "\\x85"),
    "C1 control sequence introducer": ("\x9b2J", "\\x9b2J"),
    "bidi override U+202E": ("\u202e", "\\u202e"),
    "bidi isolate U+2067": ("\u2067", "\\u2067"),
    "arabic letter mark U+061C": ("\u061c", "\\u061c"),
}
# C0 controls and escape sequences: YAML values refuse them (tests/facts), names do not
C0_AND_ANSI = {
    "C0 bell": ("\x07", "\\x07"),
    "carriage return": ("\r", "\\r"),
    "line feed": ("\n", "\\n"),
    "tab": ("\t", "\\t"),
    "backspace": ("\x08", "\\x08"),
    "ANSI clear screen": ("\x1b[2J", "\\x1b[2J"),
    "ANSI window title": ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    "ANSI conceal": ("\x1b[8m", "\\x1b[8m"),
    "ANSI black text": ("\x1b[30m", "\\x1b[30m"),
    "ANSI cursor up": ("\x1b[1A", "\\x1b[1A"),
}
IN_NAMES = {**CLASSES, **C0_AND_ANSI}


@pytest.mark.parametrize("raw,shown", IN_NAMES.values(), ids=IN_NAMES)
def test_a_file_name_in_an_error(mini_deck: Path, raw: str, shown: str) -> None:
    (mini_deck / f"bad{raw}name.yaml").write_text("facts: [1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check"], color=True)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        f"{RED}Error: cards/mini/bad{shown}name.yaml:2: invalid YAML: "
    ), result.stderr
    assert result.stderr.endswith(f"{RESET}\n") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("raw,shown", IN_NAMES.values(), ids=IN_NAMES)
def test_an_output_folder_in_a_result_line(mini_deck: Path, raw: str, shown: str) -> None:
    result = CliRunner().invoke(main, ["build", "--out", f"out{raw}dir"], color=True)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    first, size = result.stdout.split("\n")[0].rsplit(" (", 1)
    assert first == f"{GREEN_BOLD}Built{RESET} {BOLD}Mini{RESET} -> out{shown}dir/mini.apkg"
    assert re.fullmatch(r"\d+\.\d kB\)", size), size  # the size is not what this test is about


@pytest.mark.parametrize("raw,shown", CLASSES.values(), ids=CLASSES)
def test_a_deck_name_in_a_result_line(mini_deck: Path, raw: str, shown: str) -> None:
    edit_deck(mini_deck, name=f"Mi{raw}ni")
    result = CliRunner().invoke(main, ["check"], color=True)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == f"{GREEN_BOLD}OK{RESET} Mi{shown}ni: 2 facts, 3 notes\n"


@pytest.mark.parametrize("raw,shown", CLASSES.values(), ids=CLASSES)
def test_a_version_string_in_an_error(mini_deck: Path, raw: str, shown: str) -> None:
    edit_deck(mini_deck, version=f"1.0{raw}.0")
    result = CliRunner().invoke(main, ["check"], color=True)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{RED}Error: cards/mini/deck.yaml:3: deck: field 'version': '1.0{shown}.0' is not a "
        "semantic version: only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear; "
        f'write e.g. "1.0.0", or "2.1.0-rc.1" before it is final{RESET}\n'
    )


@pytest.mark.parametrize("raw,shown", CLASSES.values(), ids=CLASSES)
def test_a_fact_id_in_an_error(mini_deck: Path, raw: str, shown: str) -> None:
    fact_id = raw.encode("unicode_escape").decode("ascii")
    write_tree(
        mini_deck,
        {"more.yaml": f'facts:\n  - id: "bad{fact_id}id"\n    kind: question\n'},
    )
    result = CliRunner().invoke(main, ["check"], color=True)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        f"{RED}Error: cards/mini/more.yaml:2: fact 'bad{shown}id': field 'id': 'bad{shown}id' "
        "is not a valid id: "
    ), result.stderr
    assert raw[0] not in result.stderr


@pytest.mark.parametrize("raw,shown", IN_NAMES.values(), ids=IN_NAMES)
def test_a_path_in_a_usage_error(project: Path, raw: str, shown: str) -> None:
    """click prints a usage error itself: the path in it is escaped before it gets there
    (our own usage error: cli/main.Group escapes every click error's message)."""
    result = CliRunner().invoke(main, ["new", f"cards/new{raw}deck", "--deck", "x"], color=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        f"\nError: --deck names a new course's first deck; cards/new{shown}deck is a deck "
        "inside a project\n"
    ), result.stderr
    assert list((project / "cards").glob("new*")) == []


# The five codes our own styles are made of: in text they are text, like any other sequence
OUR_CODES = {
    "bold": "\x1b[1m",
    "red": "\x1b[31m",
    "green": "\x1b[32m",
    "yellow": "\x1b[33m",
    "reset": "\x1b[0m",
}
YELLOW = "\x1b[33m"
by_code = pytest.mark.parametrize("code", OUR_CODES.values(), ids=OUR_CODES)


def _shown(code: str) -> str:
    return code.encode("unicode_escape").decode("ascii")


def only_ours(text: str, *ours: str) -> None:
    """Each of our styled parts is in `text`; taken out, no ESC is left: none came from data."""
    for part in ours:
        assert part in text, (part, text)
        text = text.replace(part, "", 1)
    assert "\x1b" not in text, text


def error_lines(text: str) -> list[str]:
    """Each line red from its start to its end, with no ESC between: the text inside."""
    lines = text.splitlines()
    for one in lines:
        assert one.startswith(f"{RED}Error: ") and one.endswith(RESET), one
        only_ours(one, RED, RESET)
    return [one[len(RED) : -len(RESET)] for one in lines]


def warning_lines(text: str) -> list[str]:
    lines = text.splitlines()
    for one in lines:
        assert one.startswith(f"{YELLOW}Warning: ") and one.endswith(RESET), one
        only_ours(one, YELLOW, RESET)
    return [one[len(YELLOW) : -len(RESET)] for one in lines]


HOSTILE_WARNING = (
    'facts:\n  - {id: vague, kind: question, question: "Is it?", answer: "Yes", source: body}\n'
)


RESULTS = {  # command -> its first word, what follows the deck's name, what it wrote
    "build": ("Built", "", "mini.apkg"),
    "release": ("Released", " 1.0.0", "mini-1.0.0.apkg"),
    "preview": ("Preview", "", "mini-preview/index.html"),
}


@by_code
@pytest.mark.parametrize("command", RESULTS)
def test_our_codes_in_an_output_folder(mini_deck: Path, code: str, command: str) -> None:
    result = CliRunner().invoke(main, [command, "--out", f"out{code}dir"], color=True)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    done, version, written = RESULTS[command]
    assert result.stdout.startswith(
        f"{GREEN_BOLD}{done}{RESET} {BOLD}Mini{RESET}{version} -> out{_shown(code)}dir/{written} ("
    ), result.stdout
    only_ours(result.stdout, f"{GREEN_BOLD}{done}{RESET}", f"{BOLD}Mini{RESET}")


@by_code
@pytest.mark.parametrize("command", ["build", "check", "release", "lint"])
def test_our_codes_in_a_file_name_in_an_error(mini_deck: Path, code: str, command: str) -> None:
    (mini_deck / f"bad{code}name.yaml").write_text("facts: [1\n", encoding="utf-8")
    result = CliRunner().invoke(main, [command], color=True)
    assert (result.exit_code, result.stdout) == (1, "")
    (text,) = error_lines(result.stderr)
    assert text.startswith(f"Error: cards/mini/bad{_shown(code)}name.yaml:2: invalid YAML: ")


@by_code
@pytest.mark.parametrize("command", ["build", "check"])
def test_our_codes_in_a_file_name_in_a_warning(mini_deck: Path, code: str, command: str) -> None:
    (mini_deck / f"more{code}.yaml").write_text(HOSTILE_WARNING, encoding="utf-8")
    result = CliRunner().invoke(main, [command], color=True)
    assert result.exit_code == 0, result.output
    warnings = warning_lines(result.stderr)
    assert warnings and all(
        w.startswith(f"Warning: cards/mini/more{_shown(code)}.yaml:2: fact 'vague': ")
        for w in warnings
    ), warnings
    ok = f"{GREEN_BOLD}{'Built' if command == 'build' else 'OK'}{RESET}"
    only_ours(result.stdout, ok, *[f"{BOLD}Mini{RESET}"] * (command == "build"))


@by_code
def test_our_codes_in_a_file_name_in_a_lint_finding(mini_deck: Path, code: str) -> None:
    (mini_deck / f"more{code}.yaml").write_text(HOSTILE_WARNING, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint"], color=True)
    assert (result.exit_code, result.stderr) == (1, ""), result.output
    *findings, summary = result.stdout.splitlines()
    assert findings and all(
        f.startswith(f"cards/mini/more{_shown(code)}.yaml:2: fact 'vague': ") for f in findings
    ), findings
    assert summary.startswith("Mini: ")
    only_ours(result.stdout)


@by_code
def test_our_codes_in_package_names_given_to_diff(mini_deck: Path, code: str) -> None:
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    built = mini_deck.parent.parent / "dist" / "mini.apkg"
    old, new = Path(f"old{code}.apkg"), Path(f"new{code}.apkg")
    old.write_bytes(built.read_bytes())
    new.write_bytes(built.read_bytes())
    result = CliRunner().invoke(main, ["diff", str(old), str(new)], color=True)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert f"old{_shown(code)}.apkg to new{_shown(code)}.apkg" in result.stdout
    only_ours(result.stdout)
    result = CliRunner().invoke(main, ["diff", f"gone{code}.apkg", str(new)], color=True)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_lines(result.stderr) == [
        f"Error: no package at gone{_shown(code)}.apkg; give two .apkg files or two released "
        "versions"
    ]


def test_our_codes_in_a_file_name_seen_by_serve(mini_deck: Path, project: Path) -> None:
    """The real `factdeck serve` on a terminal: a file named with all five codes is saved
    broken, then removed; its name in the changed rows and the error line is escaped."""
    codes = "".join(OUR_CODES.values())
    served = Server(project, terminal=True)
    try:
        served.watching(mini_deck / "facts.yaml")
        hostile = mini_deck / f"bad{codes}name.yaml"
        hostile.write_text("facts: [1\n", encoding="utf-8")
        served.wait_until(lambda state: bool(state["errors"]))
        version = served.status()["version"]
        hostile.unlink()
        served.wait_until(lambda state: state["version"] != version and not state["errors"])
        code, output = served.stop()
    finally:
        served.kill()
    assert code == 0, output
    shown = f"bad{_shown(codes)}name.yaml"
    first, serving, *lines = output.splitlines()
    assert first == "  built    3 cards, version 1"
    assert serving.startswith(f"{GREEN_BOLD}Serving{RESET} http://127.0.0.1:"), serving
    only_ours(serving, f"{GREEN_BOLD}Serving{RESET}")
    (error,) = error_lines("\n".join(one for one in lines if one.startswith(RED)))
    assert error.startswith(f"Error: cards/mini/{shown}:2: invalid YAML: "), error
    changed = [one for one in lines if one.startswith("  changed  ")]
    assert sum(shown in one for one in changed) == 2, changed
    for one in lines:
        if not one.startswith(RED):
            only_ours(one)


@pytest.mark.parametrize("raw,shown", IN_NAMES.values(), ids=IN_NAMES)
def test_an_argument_in_a_usage_error_of_click(project: Path, raw: str, shown: str) -> None:
    """click quotes an extra argument (a name a glob gave) as it is: escaped before it prints."""
    result = CliRunner().invoke(main, ["diff", "a.apkg", "b.apkg", f"c{raw}d"], color=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"\nError: Got unexpected extra argument (c{shown}d)\n")
    assert "\x1b" not in result.stderr
