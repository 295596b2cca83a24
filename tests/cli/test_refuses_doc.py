"""docs/refuses.md's catalogue matches the code and the tests (issue 26, item 9): every
message quoted in it is text factdeck writes, and every test it names exists, so the page
cannot list a case nobody runs or a message nobody prints."""

from __future__ import annotations

import ast
import re
from functools import cache

from tests.support.decks import REPO

DOC = REPO / "docs" / "refuses.md"
CODE = re.compile(r"`([^`]+)`")


def catalogue() -> list[list[str]]:
    """The cells of each row of the table under '## The catalogue'."""
    section = DOC.read_text(encoding="utf-8").split("## The catalogue", 1)[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]
    assert all(len(row) == 4 for row in cells), [r for r in cells if len(r) != 4]
    return cells


@cache
def texts() -> tuple[str, ...]:
    """Every string literal of factdeck's code (f-strings by their literal parts)."""
    found = []
    for path in (REPO / "src" / "factdeck").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return tuple(found)


def defined(test: str) -> bool:
    file, _, name = test.partition("::")
    path = REPO / file
    if not path.is_file():
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_the_catalogue_lists_the_cases() -> None:
    assert len(catalogue()) >= 30


def test_every_quoted_message_is_one_factdeck_writes() -> None:
    missing = [
        words
        for _case, message, _why, _test in catalogue()
        for words in CODE.findall(message)
        if not any(words in text for text in texts())
    ]
    assert missing == []


def test_every_named_test_exists() -> None:
    named = [t for *_, tests in catalogue() for t in CODE.findall(tests)]
    assert named and [t for t in named if not defined(t)] == []
    assert all(CODE.findall(message) for _, message, _, _ in catalogue())
