"""A list edit that would move students' history, refused by the real command line: exit 1,
the file:line message, no traceback, and dist/ and the lock as they were (issue 21)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.history.test_list_identity import course
from tests.history.test_release import bump, publish
from tests.support.decks import REPO, write_tree


def digests(dist: Path, lock: Path) -> dict[str, str]:
    """Every file of dist/ and the lock (the build cache may change: it is not output)."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in [lock, *sorted(dist.rglob("*"))]
        if p.is_file()
    }


def test_build_refuses_an_inserted_item_and_leaves_dist_and_the_lock_alone(
    mini_deck: Path, project: Path
) -> None:
    publish(mini_deck, project, "1.0.0", course("in the fascia, over the crest, to the skin"))
    bump(mini_deck, "1.1.0")
    write_tree(
        mini_deck,
        {"facts.yaml": course("under the muscle, in the fascia, over the crest, to the skin")},
    )
    before = digests(project / "dist", mini_deck / "factdeck.lock")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for command in ("check", "build"):
        done = subprocess.run(
            [sys.executable, "-m", "factdeck", command, str(mini_deck)],
            capture_output=True,
            text=True,
            cwd=project,
            env=env,
            timeout=120,
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 1, output
        assert "Traceback" not in output
        assert (
            "cards/mini/facts.yaml:2: fact 'nerve-a', note 'course': 'in the fascia' was card 1 "
            "and is now card 2; 'over the crest' was card 2 and is now card 3; 'to the skin' was "
            "card 3 and is now card 4." in output
        ), output
        assert 'declare it on the fact: `renumbered: {in: "1.1.0", why: <why>}`' in output
        assert digests(project / "dist", mini_deck / "factdeck.lock") == before
