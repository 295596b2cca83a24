"""Incremental builds: the per-file cache (store.py, incremental.py) and the early stop of
a rebuild with nothing changed (manifest.py). A cached build is byte-identical to an
uncached one; only edited files are expanded again; a corrupt, foreign or other-version
cache is rebuilt, never trusted; the early stop reports exactly what a full rebuild does."""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cache import incremental, store
from factdeck.cache.store import CACHE_DIR
from factdeck.cli.main import main
from factdeck.facts.load import fact_paths
from factdeck.pipeline import build
from tests.support.decks import REAL_DECK


@pytest.fixture(autouse=True)
def _in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)


@pytest.fixture
def expanded_facts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the facts the expand stage renders (cache misses only)."""
    seen: list[str] = []
    real = incremental.expand.expand

    def spy(deck, templates, providers=None):  # type: ignore[no-untyped-def]
        seen.extend(e.fact.id for e in deck.entries)
        return real(deck, templates, providers)

    monkeypatch.setattr(incremental.expand, "expand", spy)
    yield seen


def copy_deck(project: Path, name: str) -> Path:
    dest = project / "cards" / name
    shutil.copytree(REAL_DECK, dest, ignore=shutil.ignore_patterns(CACHE_DIR))
    return dest


def edit(deck_dir: Path) -> None:
    path = deck_dir / "cluneal-superior.yaml"
    text = path.read_text(encoding="utf-8")
    assert "across the upper margin of the iliac crest" in text  # a course item, not a comment
    path.write_text(
        text.replace("across the upper margin", "across the upper edge", 1), encoding="utf-8"
    )


def facts_in(deck_dir: Path) -> int:
    return sum(
        len(re.findall(r"^  - id: ", path.read_text(encoding="utf-8"), re.MULTILINE))
        for path in fact_paths(deck_dir)
    )


def outputs(deck_dir: Path, out: Path) -> tuple[bytes, bytes]:
    return (out / "low-back-pain.apkg").read_bytes(), (deck_dir / "factdeck.lock").read_bytes()


def test_a_cached_build_is_byte_identical_to_an_uncached_one(
    project: Path, expanded_facts: list[str]
) -> None:
    cached, plain = copy_deck(project, "a"), copy_deck(project, "b")
    for deck_dir in (cached, plain):
        build(deck_dir, project / deck_dir.name)
        edit(deck_dir)
    before = outputs(cached, project / "a")
    expanded_facts.clear()
    build(cached, project / "a")
    edited = (cached / "cluneal-superior.yaml").read_text(encoding="utf-8")
    assert expanded_facts == re.findall(r"^  - id: (\S+)", edited, re.MULTILINE)  # that file
    shutil.rmtree(plain / CACHE_DIR)
    build(plain, project / "b")
    assert outputs(cached, project / "a") == outputs(plain, project / "b")
    assert outputs(cached, project / "a") != before  # the edit is in


def corrupt(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")


def truncated(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(b"")


def forged(entry: Path, others: list[bytes]) -> None:
    """A well-checksummed entry holding something that is not factdeck's records."""
    payload = pickle.dumps(print)
    key = entry.stem
    entry.write_bytes(store.hashlib.sha256(key.encode() + payload).digest() + payload)


def foreign(entry: Path, others: list[bytes]) -> None:
    """Another file's entry under this key (valid pickle, wrong checksum for the key)."""
    entry.write_bytes(others[0])


@pytest.mark.parametrize("spoil", [corrupt, truncated, forged, foreign])
def test_a_spoilt_cache_entry_is_rebuilt(project: Path, expanded_facts: list[str], spoil) -> None:  # type: ignore[no-untyped-def]
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    good = outputs(deck_dir, project / "out")
    entries = sorted((deck_dir / CACHE_DIR).glob("*.pickle"))
    assert len(entries) == len(fact_paths(deck_dir)) + 1  # per fact file, and lint's pairs
    originals = [entry.read_bytes() for entry in entries]
    for entry, original in zip(entries, originals, strict=True):
        spoil(entry, [blob for blob in originals if blob != original])
    expanded_facts.clear()
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    build(deck_dir, project / "out")
    assert len(expanded_facts) == facts_in(deck_dir)  # every fact rendered again
    assert outputs(deck_dir, project / "out") == good
    expanded_facts.clear()
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    build(deck_dir, project / "out")
    assert expanded_facts == []  # and the rewritten entries are used


def test_another_version_or_templates_miss_the_cache(
    project: Path, expanded_facts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    expanded_facts.clear()
    monkeypatch.setattr(store, "version", lambda package: "99.0")
    build(deck_dir, project / "out")
    assert len(expanded_facts) == facts_in(deck_dir)
    expanded_facts.clear()
    css = project / "templates" / "base.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    build(deck_dir, project / "out")
    assert len(expanded_facts) == facts_in(deck_dir)


def test_problems_are_reported_as_without_a_cache(project: Path, runner: CliRunner) -> None:
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["build", str(deck_dir)]).exit_code == 0
    path = deck_dir / "cluneal-superior.yaml"
    path.write_text(path.read_text().replace("kind: nerve", "kind: nerv", 1))
    first = runner.invoke(main, ["build", str(deck_dir)])
    shutil.rmtree(deck_dir / CACHE_DIR)
    second = runner.invoke(main, ["build", str(deck_dir)])
    assert first.exit_code == second.exit_code == 1
    assert "unknown kind 'nerv'" in first.stderr
    assert first.stderr == second.stderr


def test_a_rebuild_with_nothing_changed_says_what_a_full_rebuild_says(
    project: Path, runner: CliRunner, expanded_facts: list[str]
) -> None:
    deck_dir = copy_deck(project, "deck")
    edit(deck_dir)  # so the first build has changes and release notes to report
    first = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert "1 changed" in first.stdout
    expanded_facts.clear()
    early = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert expanded_facts == [] and "stamp" not in early.stdout  # stopped before any stage
    bytes_early = outputs(deck_dir, project / "dist")
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    full = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert early.exit_code == full.exit_code == 0
    assert "stamp" in full.stdout
    assert early.stdout.split("  time ")[0] == full.stdout.split("  time ")[0]
    assert early.stderr == full.stderr
    assert outputs(deck_dir, project / "dist") == bytes_early


@pytest.mark.parametrize("change", ["package", "lock", "option", "template", "interrupted"])
def test_any_changed_input_or_output_means_a_full_build(
    project: Path, runner: CliRunner, change: str
) -> None:
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["build", str(deck_dir)]).exit_code == 0
    args = ["build", str(deck_dir), "-v"]
    if change == "package":
        (project / "dist" / "low-back-pain.apkg").write_bytes(b"not a package")
    elif change == "lock":
        lock = deck_dir / "factdeck.lock"
        lock.write_text(lock.read_text() + "\n")  # the same entries, other bytes
    elif change == "option":
        args.append("--allow-note-type-change")
    elif change == "interrupted":  # a build stopped before its commit point (commit.py)
        (deck_dir / ".factdeck-lock.123.tmp").write_text("half written")
    else:
        css = project / "templates" / "base.css"
        css.write_text(css.read_text() + "\n/* changed */\n")
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "stamp" in result.stdout  # the stages ran
    assert (project / "dist" / "low-back-pain.apkg").read_bytes()[:2] == b"PK"
    assert not list(deck_dir.glob(".factdeck*.tmp"))  # recovered
