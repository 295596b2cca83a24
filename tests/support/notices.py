"""A student who had the cards that later releases took out: the packages they imported and
which of their cards should show factdeck's removal notice (history/removed_cards.py).

Two students in one: one of the shipped deck's release 2.0.0 who imports its next release
as built today (masks taken out of its diagrams since: image-occlusion cards; a pending
correction's old card: a cloze card), and one of a small course whose list item is taken
out as `~` between two releases (a cloze card)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from factdeck.pipeline import build
from factdeck.release import release
from tests.history.test_list_identity import course
from tests.history.test_release import next_release
from tests.support.decks import EPOCH, MINI_DECK, REAL_DECK, TEMPLATES, write_tree

# The 2.0.0 release as its students imported it: built from commit 73d8d53 (its CLI's
# `build`, SOURCE_DATE_EPOCH=1796101075), kept because today's code cannot build it again.
RELEASE_2_0_0 = Path(__file__).resolve().parents[1] / "data" / "low-back-pain-2.0.0.apkg"
SEARCH = "tag:factdeck::removed::*"  # every note with a card taken out
_NUMBER = re.compile(r"^factdeck::removed::\{\{c(\d+)::")


def removed_numbers(tags: list[str]) -> set[int]:
    """The card numbers a note's tags say were taken out."""
    return {int(m[1]) for tag in tags for m in [_NUMBER.match(tag)] if m}


def course_releases(root: Path) -> tuple[Path, Path]:
    """The course's release 1.0.0 (items a, b, c) and 1.1.0 (b taken out as `~`)."""
    shutil.copytree(TEMPLATES, root / "templates")
    deck = write_tree(root / "cards" / "mini", MINI_DECK)
    packages = []
    for version, items, when in (("1.0.0", "a, b, c", EPOCH), ("1.1.0", "a, ~, c", EPOCH + 9)):
        write_tree(deck, {"facts.yaml": course(items)})
        text = (deck / "deck.yaml").read_text()
        (deck / "deck.yaml").write_text(text.replace('version: "1.0.0"', f'version: "{version}"'))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", str(when))
            packages.append(release(deck, root / "dist").apkg)
    return packages[0], packages[1]


def next_shipped_release(root: Path) -> Path:
    """The shipped deck's next version (2.1.0) built from a copy: what 2.0.0's students get."""
    shutil.copytree(TEMPLATES, root / "templates")
    deck = shutil.copytree(REAL_DECK, root / "cards" / REAL_DECK.name)
    next_release(deck)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        return build(deck, root / "dist").apkg
