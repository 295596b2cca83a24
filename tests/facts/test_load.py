"""load: YAML files -> raw mappings with lines; hostile or broken files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdeck.errors import FactdeckError
from factdeck.facts.load import MAX_FILE_BYTES, load_deck, read_yaml
from tests.support.decks import deck_yaml


def problems(deck_dir: Path) -> list[str]:
    with pytest.raises(FactdeckError) as caught:
        load_deck(deck_dir)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def deck_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "deck.yaml").write_text(deck_yaml())
    return folder


def write(deck_dir: Path, data: str | bytes) -> None:
    path = deck_dir / "f.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def test_remembers_lines_of_facts_and_keys(deck_dir: Path) -> None:
    write(deck_dir, "defaults:\n  source: body\nfacts:\n  - id: a\n\n    kind: nerve\n")
    raw = load_deck(deck_dir)
    (file,) = raw.files
    (fact,) = file.facts
    assert (fact.line, fact.line_of("kind"), file.defaults.line_of("source")) == (4, 6, 2)


def test_yaml_syntax_error_names_file_and_line(deck_dir: Path) -> None:
    write(deck_dir, "facts:\n  - id: a\n    kind: [x\n")
    assert problems(deck_dir) == [
        "d/f.yaml:4: invalid YAML: while parsing a flow sequence did not find expected ',' or "
        "']'; check the indentation, and put text containing ': ' or starting with '{', '[', "
        "'*', '&', '!', '%', '@' or '`' in quotes"
    ]


def test_empty_file(deck_dir: Path) -> None:
    write(deck_dir, "# nothing yet\n")
    assert problems(deck_dir) == ["d/f.yaml: file is empty; add content or delete the file"]


def test_binary_file(deck_dir: Path) -> None:
    write(deck_dir, b"facts:\n\x00\x01")
    assert problems(deck_dir) == [
        "d/f.yaml:2: file is binary, not YAML text; save it as UTF-8 text"
    ]


def test_non_utf8_file(deck_dir: Path) -> None:
    write(deck_dir, "facts:\n  - id: caf\xe9\n".encode("latin-1"))
    assert problems(deck_dir) == [
        "d/f.yaml:2: file is not UTF-8 text (byte 0xe9); re-save it as UTF-8"
    ]


def test_absurdly_large_file(deck_dir: Path) -> None:
    write(deck_dir, "#" * (MAX_FILE_BYTES + 1))
    assert problems(deck_dir) == [
        f"d/f.yaml: file is {MAX_FILE_BYTES + 1:,} bytes, over the "
        f"{MAX_FILE_BYTES:,}-byte limit; split it into several fact "
        "files"
    ]


def test_alias_bomb_is_refused_without_expanding_it(deck_dir: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    write(deck_dir, "\n".join(lines) + "\n")
    assert problems(deck_dir) == [
        "d/f.yaml: YAML expands to more than 1,000,000 values "
        "(through aliases or deep nesting); write the values out "
        "plainly"
    ]


def test_a_few_aliases_are_fine(deck_dir: Path) -> None:
    write(deck_dir, "defaults:\n  tags: &t [x]\nfacts:\n  - {id: a, tags: *t}\n")
    (file,) = load_deck(deck_dir).files
    assert file.facts[0]["tags"] == ["x"]


def test_duplicate_key(deck_dir: Path) -> None:
    write(deck_dir, "facts:\n  - id: a\n    id: b\n")
    assert problems(deck_dir) == [
        "d/f.yaml:3: invalid YAML: duplicate key 'id' (first on line 2); keep one of them"
    ]


def test_python_objects_are_not_constructed(deck_dir: Path) -> None:
    write(deck_dir, "facts:\n  - !!python/object/apply:os.system [echo hacked]\n")
    (message,) = problems(deck_dir)
    assert message.startswith("d/f.yaml:2: invalid YAML: could not determine a constructor")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- id: a\n", "d/f.yaml:1: expected a mapping of keys to values, found a list"),
        (
            "facts: []\n",
            "d/f.yaml:1: 'facts' must be a non-empty list of facts (each item starting "
            "with '- id: ...')",
        ),
        (
            "fact:\n  - id: a\n",
            "d/f.yaml:1: unknown top-level key 'fact'; a fact file has 'facts' "
            "(a list) and optionally 'defaults' (a mapping)",
        ),
        ("facts:\n  - just text\n", "d/f.yaml:1: fact #1 is text, not a mapping of fields"),
        (
            "defaults: [x]\nfacts:\n  - {id: a}\n",
            "d/f.yaml:1: 'defaults' must be a mapping, found a list",
        ),
    ],
)
def test_file_shape(deck_dir: Path, text: str, expected: str) -> None:
    write(deck_dir, text)
    assert problems(deck_dir) == [expected]


def test_every_broken_file_is_reported_at_once(deck_dir: Path) -> None:
    write(deck_dir, "")
    (deck_dir / "g.yaml").write_text("facts: [")
    assert [p.split(":")[0] for p in problems(deck_dir)] == ["d/f.yaml", "d/g.yaml"]


def test_missing_deck_file(tmp_path: Path) -> None:
    with pytest.raises(FactdeckError, match=r"no deck\.yaml here; every deck folder needs one"):
        load_deck(tmp_path)


def test_read_yaml_strips_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert read_yaml(path) == {"a": 1}
