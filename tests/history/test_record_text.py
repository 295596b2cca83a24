"""A release-record line's text is a card's as students saw it (issue 26): since tombstones
name what they asked from it (5009ffa), a text with a control character from a merged line
put Anki's field separator into a tombstone, and the build ended in a traceback (verify:
'a field count their type does not expect')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")

RECORD_FIX = (
    "restore it from version control (git checkout -- factdeck.releases) together with "
    "factdeck.lock, the two are committed together"
)


@pytest.mark.parametrize("planted", ["\x1f", "\x00", "\x1b[2J", "\x7f"])
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_record_text_with_a_control_character_is_refused(
    runner: CliRunner, project: Path, real_deck: Path, planted: str, command: str
) -> None:
    record = real_deck / "factdeck.releases"
    lines = record.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if '"text"' in line)
    entry = json.loads(lines[number])
    lines[number] = json.dumps({**entry, "text": f"Planted{planted}text"})
    record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(runner, project, real_deck, [command]) == (
        f"Error: cards/{real_deck.name}/factdeck.releases:{number + 1}: release record is "
        f"corrupt (a control character in its text, which no card has); {RECORD_FIX}\n"
    )
