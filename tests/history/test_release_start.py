"""Releases start clean and fail loudly (issue 20, item 5): what no release shipped leaves
nothing behind, the version bump follows what changed, and after a release dist/ holds
only released files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.apkg.read import unpack
from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.history.lock import LOCK_NAME, read
from factdeck.pipeline import build
from factdeck.release import release
from tests.history.test_release import FACTS, messages, publish
from tests.support.decks import write_tree

ONE_ONLY = FACTS[: FACTS.index("      - id: two")]
NEW = "      - {id: new, kind: question, question: New?, answer: N, source: body}\n"
OWN = """
    facts:
      - {id: knee-joint, kind: question, question: Largest joint?, answer: The knee,
         source: introduction}
"""


def test_a_scaffold_built_once_leaves_nothing_in_the_first_release(
    runner: CliRunner, project: Path
) -> None:
    deck = project / "cards" / "knee"
    assert runner.invoke(main, ["new", str(deck)]).exit_code == 0
    assert runner.invoke(main, ["build", str(deck)]).exit_code == 0  # the README invites it
    examples = {n.fact for n in read(deck).notes.values()}
    assert len(examples) > 5
    for name in ("examples.yaml", "diagrams.yaml", "claims.yaml"):
        (deck / name).unlink()
    write_tree(deck, {"facts.yaml": OWN})
    built = runner.invoke(main, ["build", str(deck)])
    assert built.exit_code == 0 and "retired" in built.output  # a trial build retires them
    deck_yaml = deck / "deck.yaml"
    deck_yaml.write_text(deck_yaml.read_text().replace('version: "0.1.0"', 'version: "1.0.0"'))
    result = runner.invoke(main, ["release", str(deck)])
    assert result.exit_code == 0, result.output
    assert "0 retired" in result.output, result.output
    lock = read(deck)
    assert {n.fact for n in lock.notes.values()} == {"knee-joint"}
    assert set(lock.facts) == {"knee-joint"} and not lock.was
    packed = unpack(project / "dist" / "knee-1.0.0.apkg")
    assert {n.guid for n in packed.notes} == set(lock.notes)
    assert "factdeck::retired" not in {t for n in packed.notes for t in n.tags}
    notes = (project / "dist" / "knee-1.0.0.md").read_text()
    assert "0 retired" in notes
    # after the release, dist/ holds the released files only: the trial package is gone
    assert sorted(p.name for p in (project / "dist").iterdir()) == [
        "knee-1.0.0.apkg",
        "knee-1.0.0.md",
    ]


def test_a_released_note_retired_later_keeps_its_tombstone(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only what no release shipped is dropped: a released note, even edited since, stays."""
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    write_tree(mini_deck, {"facts.yaml": FACTS.replace("Alpha", "Alpha one") + NEW})
    build(mini_deck, project / "dist")  # `new` built (and `two` edited), never released
    write_tree(mini_deck, {"facts.yaml": ONE_ONLY + NEW})
    trial = build(mini_deck, project / "dist")  # `two` retired: a trial file for 1.0.0
    assert [p.name for p in trial.retired] == ["mini-retired-since-1.0.0.apkg"]
    apkg = publish(mini_deck, project, "1.1.0", ONE_ONLY)
    lock = read(mini_deck)
    assert sorted(n.fact for n in lock.notes.values()) == ["one", "two"]
    assert "new" not in lock.facts and lock.facts["two"].retired is not None
    assert not [n for n in unpack(apkg).notes if "factdeck::retired" in n.tags]
    retired = project / "dist" / "mini-1.1.0-retired-since-1.0.0.apkg"
    assert [n.guid for n in unpack(retired).notes] == [
        g for g, n in lock.notes.items() if n.fact == "two"
    ]
    assert sorted(p.name for p in (project / "dist").iterdir()) == [
        "mini-1.0.0.apkg",
        "mini-1.0.0.md",
        "mini-1.1.0-retired-since-1.0.0.apkg",
        "mini-1.1.0.apkg",
        "mini-1.1.0.md",
    ]  # the trial files (mini.apkg, mini-retired-since-1.0.0.apkg) went
    notes = (project / "dist" / "mini-1.1.0.md").read_text()
    assert "- version 1.0.0: `mini-1.1.0-retired-since-1.0.0.apkg`" in notes
    assert "New to the deck? Import only the package" in notes


def test_the_version_bump_follows_what_changed(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    lock = (mini_deck / LOCK_NAME).read_bytes()
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.0.1", ONE_ONLY + NEW)
    assert messages(caught) == [
        "cards/mini/deck.yaml: version '1.0.1' is a patch release after 1.0.0, but this "
        "release adds 1 card and retires 2 cards: what students study changes (cards to "
        "learn, delete or re-learn), which makes it at least a minor version. Set "
        '`version:` in deck.yaml to "1.1.0", or release with --allow-patch-bump to keep 1.0.1'
    ]
    assert (mini_deck / LOCK_NAME).read_bytes() == lock
    corrected = FACTS.replace("{{c1::big}}", "{{c1::huge}}").replace(
        "subdeck: part", 'subdeck: part\n        correction: {in: "1.0.1", why: Wrong.}'
    )
    with pytest.raises(FactdeckError) as caught:
        publish(mini_deck, project, "1.0.1", corrected)
    assert messages(caught)[-1].startswith(
        "cards/mini/deck.yaml: version '1.0.1' is a patch release after 1.0.0, but this "
        "release adds 1 card and corrects the answer of 'two': "  # the corrected card (issue 21)
    )
    # the override ships it as asked
    result = runner.invoke(main, ["release", "--allow-patch-bump"])
    assert result.exit_code == 0, result.output
    assert [r.version for r in read(mini_deck).releases] == ["1.0.0", "1.0.1"]
    # a bump that is not newer suggests the minor version when cards were added
    write_tree(mini_deck, {"facts.yaml": corrected + NEW})
    with pytest.raises(FactdeckError) as caught:
        release(mini_deck, project / "dist")
    assert messages(caught) == [
        "cards/mini/deck.yaml: version '1.0.1' is already released (factdeck.lock records it), "
        "and a released version never changes; set `version:` in deck.yaml to a higher one, "
        'e.g. "1.1.0"'
    ]
    publish(mini_deck, project, "2.0.0")  # a major version is always enough
