"""A lock's release line is read strictly too (issue 26, item 4): `"tombstones": "yes"` (or
1) was taken for true, so a merged or hand-edited line decided which tombstones the next
release mends and stamps anew, as if factdeck had written it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_hostile_repository import LOCK_FIX
from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"'])
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_tombstones_mark_that_is_not_a_boolean_is_refused(
    runner: CliRunner, project: Path, real_deck: Path, value: str, command: str
) -> None:
    lock = real_deck / "factdeck.lock"
    lines = lock.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if '"tombstones":true' in line)
    lines[number] = lines[number].replace('"tombstones":true', f'"tombstones":{value}')
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(runner, project, real_deck, [command]) == (
        f"Error: cards/{real_deck.name}/factdeck.lock:{number + 1}: lock file is corrupt (at "
        f"'tombstones': Input should be a valid boolean); {LOCK_FIX}\n"
    )
