"""Versions are versions (issue 26, item 3): deck.yaml's `version` is a semantic version,
refused otherwise with file:line and the fix; releases are ordered by semver, not by date;
a released version is immutable (a recorded one, or a file already at its name, is refused);
a release's date never goes before a recorded release's."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.facts import semver
from factdeck.fs.names import RECORD_NAME
from factdeck.history import lockfile
from factdeck.history.lock import LOCK_NAME, read
from tests.support.decks import EPOCH
from tests.support.hostile import build_ok, refused

EXTRA = """
  - id: {fact}
    kind: question
    question: What is the level of the {fact} nerve?
    answer: the {fact} level
    source: body
"""


pytestmark = pytest.mark.usefixtures("in_project", "outside")  # from inside the project


def set_version(deck: Path, version: str) -> None:
    path = deck / "deck.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = f"version: {version}\n"  # YAML text as written (quoted or not)
    path.write_text("".join(lines), encoding="utf-8")


def add_fact(deck: Path, fact: str) -> None:
    path = deck / "facts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + EXTRA.format(fact=fact), encoding="utf-8")


def release(runner: CliRunner, deck: Path, version: str, fact: str, when: int = EPOCH) -> str:
    """Add a fact to the deck, set its version, release it; the CLI's stdout."""
    add_fact(deck, fact)
    set_version(deck, f'"{version}"')
    result = runner.invoke(main, ["release"], env={"SOURCE_DATE_EPOCH": str(when)})
    assert result.exit_code == 0, result.output
    return result.stdout


WHY = {
    "../../escaped": "only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear",
    "/": "only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear",
    "1.0 .0": "only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear",
    "1.0.0\\0": "only the letters a-z and A-Z, digits 0-9, '.' and '-' may appear",
    "\uff11.0.0": "it has digits that are not plain ASCII 0-9",
    "2.1": "it needs three numbers, MAJOR.MINOR.PATCH",
    "01.0.0": "it is not MAJOR.MINOR.PATCH with an optional -pre-release, without leading zeros",
    "1.0.0+build.7": "build metadata ('+...') does not order releases; leave it out",
    "1.0.0-": "it is not MAJOR.MINOR.PATCH with an optional -pre-release, without leading zeros",
}
SHOWN = {"1.0.0\\0": "1.0.0\\x00"}


@pytest.mark.parametrize("version", list(WHY))
@pytest.mark.parametrize("command", ["build", "release", "check"])
def test_a_version_that_is_not_semver_is_refused(
    runner: CliRunner, project: Path, mini_deck: Path, version: str, command: str
) -> None:
    build_ok(runner)
    set_version(mini_deck, f'"{version}"')
    assert refused(runner, project, mini_deck, [command]) == (
        f"Error: cards/mini/deck.yaml:3: deck: field 'version': '{SHOWN.get(version, version)}' "
        f'is not a semantic version: {WHY[version]}; write e.g. "1.0.0", or "2.1.0-rc.1" '
        "before it is final\n"
    )
    near = (project.parent.parent, project.parent, project, project / "dist")
    assert not [p for folder in near for p in folder.glob("escaped*")]  # nothing written


def test_versions_are_ordered_as_semver_orders_them() -> None:
    ordered = [  # semver.org's examples, and ours
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.9.0",
        "1.10.0",
        "2.1.0-rc1",
        "2.1.0",
        "10.0.0",
    ]
    shuffled = random.Random(26).sample(ordered, len(ordered))
    assert sorted(shuffled, key=semver.key) == ordered
    assert all(semver.is_version(v) for v in ordered)
    assert sorted(["2.0.0", "../x", "1.0.0"], key=semver.key) == ["../x", "1.0.0", "2.0.0"]


def test_a_recorded_version_and_an_unrecorded_file_are_refused(
    runner: CliRunner, project: Path, mini_deck: Path
) -> None:
    build_ok(runner)
    lock_before_release = (mini_deck / LOCK_NAME).read_bytes()
    assert not (mini_deck / RECORD_NAME).exists()  # no release yet: no release record
    release(runner, mini_deck, "2.1.0", "gamma")
    shipped = (project / "dist" / "mini-2.1.0.apkg").read_bytes()
    add_fact(mini_deck, "delta")  # the same version again, with other content
    assert refused(runner, project, mini_deck, ["release"]) == (
        "Error: cards/mini/deck.yaml: version '2.1.0' is already released (factdeck.lock records "
        "it), and a released version never changes; set `version:` in deck.yaml to a higher "
        'one, e.g. "2.2.0"\n'
    )
    # an older checkout (its lock without 2.1.0) releasing 2.1.0 over the shipped package
    (mini_deck / LOCK_NAME).write_bytes(lock_before_release)
    (mini_deck / RECORD_NAME).unlink()
    assert refused(runner, project, mini_deck, ["release"]) == (
        "Error: dist/mini-2.1.0.apkg: already exists, but cards/mini/factdeck.lock records no "
        "release 2.1.0: it may come from another branch or an older checkout, and a released "
        "version never changes. If no student has it, move it away and release again; "
        "otherwise set `version:` in deck.yaml to a new version\n"
    )
    assert (project / "dist" / "mini-2.1.0.apkg").read_bytes() == shipped
    (project / "dist" / "mini-2.1.0.apkg").unlink()  # only its notes are left
    assert refused(runner, project, mini_deck, ["release"]) == (
        "Error: dist/mini-2.1.0.md: already exists, but cards/mini/factdeck.lock records no "
        "release 2.1.0: it may come from another branch or an older checkout, and a released "
        "version never changes. If no student has it, move it away and release again; "
        "otherwise set `version:` in deck.yaml to a new version\n"
    )


def test_releases_follow_versions_and_dates_never_go_back(
    runner: CliRunner, project: Path, mini_deck: Path
) -> None:
    build_ok(runner)
    release(runner, mini_deck, "2.1.0-rc.1", "gamma", when=EPOCH + 1000)
    # the final release adds nothing but is no "patch" of its own pre-release, and the
    # clock set back a day gives it the pre-release's date, not an earlier one
    out = release(runner, mini_deck, "2.1.0", "delta", when=EPOCH - 86400)
    assert "since    2.1.0-rc.1" in out, out
    lock = read(mini_deck)
    assert [(r.version, r.date) for r in lock.releases] == [
        ("2.1.0-rc.1", EPOCH + 1000),
        ("2.1.0", EPOCH + 1000),
    ]
    # a lock whose dates disagree with its versions (a merge, an old clock): versions win
    text = (mini_deck / LOCK_NAME).read_text()
    skewed = text.replace(
        f'"release":"2.1.0","date":{EPOCH + 1000}', f'"release":"2.1.0","date":{EPOCH}'
    )
    assert skewed != text
    lock = lockfile.parse(
        skewed, mini_deck / LOCK_NAME, None, (mini_deck / RECORD_NAME).read_text()
    )
    assert lock.last_release is not None and lock.last_release.version == "2.1.0"
    assert lockfile.dumps(lock) == skewed
    # a pre-release of a version already out is not newer
    add_fact(mini_deck, "epsilon")
    set_version(mini_deck, '"2.1.0-rc.2"')
    assert refused(runner, project, mini_deck, ["release"]) == (
        "Error: cards/mini/deck.yaml: version '2.1.0-rc.2' is not newer than the last release "
        '(2.1.0); set `version:` in deck.yaml to a higher one, e.g. "2.2.0"\n'
    )


def test_a_lock_whose_release_is_no_version_is_refused(
    runner: CliRunner, project: Path, mini_deck: Path
) -> None:
    build_ok(runner)
    release(runner, mini_deck, "1.0.0", "gamma")
    lock = mini_deck / LOCK_NAME
    lock.write_text(lock.read_text().replace('"release":"1.0.0"', '"release":"../../x"'))
    line = (
        lock.read_text()
        .splitlines()
        .index(
            next(entry for entry in lock.read_text().splitlines() if '"release":"../../x"' in entry)
        )
        + 1
    )
    for command in ("build", "check", "release"):
        assert refused(runner, project, mini_deck, [command]) == (
            f"Error: cards/mini/factdeck.lock:{line}: lock file is corrupt (release "
            '"../../x" is not a semantic version (MAJOR.MINOR.PATCH)); restore it from version '
            "control (git checkout -- factdeck.lock); do not delete it: without it, every note "
            "looks new and students lose in-place updates\n"
        )
