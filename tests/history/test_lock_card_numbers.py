"""Card numbers in a lock or release-record line are Anki's (issue 26, item 4): a card ord
from 0 and a cloze number from 1, at most u16. A merged line with card -1 shipped a
tombstone `{{c0::removed}}`, which makes no card (the student's card showed 'No cloze 1
found'); one of 10**30 failed the build with a template-syntax message about the lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_hostile_repository import corrupt, first_note
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"cards": [-1]}, "at 'cards.0': Input should be greater than or equal to 0"),
        ({"cards": [10**30]}, "at 'cards.0': Input should be less than or equal to 65534"),
        ({"cards": [65535]}, "at 'cards.0': Input should be less than or equal to 65534"),
        (
            {"moves": [[0, 1, "1.0.0"]]},
            "at 'moves.0.0': Input should be greater than or equal to 1",
        ),
        (
            {"notices": [[65536, "1.0.0"]]},
            "at 'notices.0.0': Input should be less than or equal to 65535",
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "release"])
def test_a_card_number_anki_has_not_is_refused(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    fields: dict[str, object],
    why: str,
    command: str,
) -> None:
    line = first_note(built_mini_deck, **fields)
    assert refused(runner, project, built_mini_deck, [command]) == corrupt(line, why)
