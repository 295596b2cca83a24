"""`factdeck release --again`: a course's CI, on a version tag, writes the recorded release's
package and notes from the committed facts and lock (dist/ is not committed), byte for byte
as the instructor's `release` made them, and refuses anything else."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.history.lock import LOCK_NAME
from factdeck.release import again
from tests.history.test_release import FACTS, bump, mark, messages, publish


def _released_twice(deck: Path, project: Path) -> None:
    """1.0.0, then 1.1.0 with a correction (so its notes have corrections and earlier texts)."""
    publish(deck, project, "1.0.0", FACTS)
    changed = mark(FACTS.replace("{{c1::big}}", "{{c1::huge}}"), "correction", "1.1.0", "Wrong.")
    publish(deck, project, "1.1.0", changed)


def test_again_writes_the_recorded_release_byte_for_byte(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    _released_twice(mini_deck, project)
    dist = project / "dist"
    lock = (mini_deck / LOCK_NAME).read_bytes()
    ci = tmp_path / "ci"  # a fresh checkout has no dist/; with the previous package at hand
    ci.mkdir()
    shutil.copy(dist / "mini-1.0.0.apkg", ci)
    done = again(mini_deck, ci)
    assert done.apkg.read_bytes() == (dist / "mini-1.1.0.apkg").read_bytes()
    assert done.release.package == f"sha256:{hashlib.sha256(done.apkg.read_bytes()).hexdigest()}"
    assert done.notes.read_text() == (dist / "mini-1.1.0.md").read_text()
    assert (mini_deck / LOCK_NAME).read_bytes() == lock

    bare = tmp_path / "bare"  # a fresh clone: no earlier package, the same notes
    done = again(mini_deck, bare)
    assert done.apkg.read_bytes() == (dist / "mini-1.1.0.apkg").read_bytes()
    released = (dist / "mini-1.1.0.md").read_text()
    assert "  - before: The beta is **big** and **blue**." in released
    assert done.notes.read_text() == released
    assert sorted(p.name for p in bare.iterdir()) == ["mini-1.1.0.apkg", "mini-1.1.0.md"]


def test_again_refuses_a_version_not_released_or_a_deck_changed_since(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish(mini_deck, project, "1.0.0", FACTS)
    out = tmp_path / "out"
    bump(mini_deck, "1.0.1")
    with pytest.raises(FactdeckError) as caught:
        again(mini_deck, out)
    assert messages(caught) == [
        "cards/mini/deck.yaml: version '1.0.1' is not a recorded release (releases: 1.0.0); "
        "run `factdeck release` and commit the lock before tagging"
    ]
    bump(mini_deck, "1.0.0")
    (mini_deck / "facts.yaml").write_text(
        (mini_deck / "facts.yaml").read_text().replace("First?", "The first?")
    )
    with pytest.raises(FactdeckError) as caught:
        again(mini_deck, out)
    assert messages(caught) == [
        "cards/mini/deck.yaml: the deck changed since release 1.0.0 (0 added, 1 changed, "
        "0 retired); tag the commit that recorded the release, or release the changes as a "
        "new version"
    ]
    assert not out.exists()
    publish(mini_deck, project, "1.0.1")
    bump(mini_deck, "1.0.0")  # as released, but 1.0.1 came after it
    with pytest.raises(FactdeckError) as caught:
        again(mini_deck, out)
    assert messages(caught) == [
        "cards/mini/deck.yaml: version '1.0.0' is not the last release (1.0.1); a release is "
        "written again only from the commit that recorded it"
    ]
    assert not out.exists()


def test_again_refuses_a_package_that_differs_from_the_recorded_digest(
    mini_deck: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What another factdeck (or a hand-edited lock) would give: the tag gets no package."""
    monkeypatch.chdir(project)
    apkg = publish(mini_deck, project, "1.0.0", FACTS)
    digest = hashlib.sha256(apkg.read_bytes()).hexdigest()
    path = mini_deck / LOCK_NAME
    path.write_text(path.read_text().replace(digest, "0" * 64))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FactdeckError) as caught:
        again(mini_deck, out)
    assert messages(caught) == [
        f"cards/mini/{LOCK_NAME}: release 1.0.0 recorded the package sha256:{'0' * 64}, but "
        f"the facts and templates here make sha256:{digest}; build with the factdeck and "
        "templates that made the release (a newer factdeck may lay cards out differently), "
        "or release a new version"
    ]
    assert list(out.iterdir()) == []


def test_release_again_cli(
    mini_deck: Path, project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert runner.invoke(main, ["release"]).exit_code == 0
    digest = hashlib.sha256((project / "dist" / "mini-1.0.0.apkg").read_bytes()).hexdigest()
    result = runner.invoke(main, ["release", "--again", "--out", "ci"])
    assert result.exit_code == 0, result.output
    size = result.stdout.split("(", 1)[1].split(")", 1)[0]
    assert result.stdout == (
        f"Written again Mini 1.0.0 -> ci/mini-1.0.0.apkg ({size}), as recorded (sha256:{digest})\n"
        "  notes    ci/mini-1.0.0.md\n"
    )
    assert (project / "ci" / "mini-1.0.0.apkg").read_bytes() == (
        project / "dist" / "mini-1.0.0.apkg"
    ).read_bytes()
