"""Incremental builds: the per-file cache (store.py, incremental.py) and the early stop of
a rebuild with nothing changed (manifest.py). A cached build is byte-identical to an
uncached one; only edited files are expanded again; a corrupt, planted, malformed,
foreign, other-machine or other-version entry is rebuilt, never trusted; a moved project
keeps its cache and a copied one ships its own drawings; the early stop reports exactly
what a full rebuild does."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cache import incremental, rows, store
from factdeck.cache.store import CACHE_DIR
from factdeck.cli.main import main
from factdeck.facts.load import fact_paths
from factdeck.facts.model import NoteSpec
from factdeck.fs import secret
from factdeck.lint import engine
from factdeck.lint.engine import lint
from factdeck.pipeline import build, expanded
from tests.support.decks import REAL_DECK

pytestmark = pytest.mark.usefixtures("in_project")  # run from inside the project


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
    assert "which thick fascia can entrap" in text  # a question, not a comment
    path.write_text(text.replace("which thick fascia", "which dense fascia", 1), encoding="utf-8")


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


def test_lint_is_entered_once_per_build_and_only_for_what_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expanding never lints (a preview does not pay for it); a build lints once, at its
    end, card by card only the files whose lint is not cached, with the same findings."""
    linted: list[tuple[str, ...]] = []
    decks: list[int] = []
    file_lint, lint_deck = engine.file_lint, engine.lint_deck

    def spy_file(deck, notes, note_types, entries=()):  # type: ignore[no-untyped-def]
        linted.append(_names(notes))
        return file_lint(deck, notes, note_types, entries)

    def spy_deck(deck, files, seen=None, drawn=None):  # type: ignore[no-untyped-def]
        decks.append(1)
        return lint_deck(deck, files, seen, drawn)

    monkeypatch.setattr(engine, "file_lint", spy_file)
    monkeypatch.setattr(engine, "lint_deck", spy_deck)
    deck_dir = copy_deck(project, "deck")
    files = expanded(deck_dir).files
    assert (linted, decks) == ([], [])
    first = build(deck_dir, project / "out").findings
    assert linted == [_names(f.notes) for f in files] and decks == [1]
    linted.clear()
    edit(deck_dir)
    again = build(deck_dir, project / "out")
    # practice questions are made across files, so they are linted every time
    practice = [_names(f.notes) for f in files if f.key is None]
    assert linted == [("cluneal-superior.yaml",), *practice] and decks == [1, 1]
    assert again.findings == first == lint(*_lint_input(deck_dir))


def _names(notes: tuple[NoteSpec, ...]) -> tuple[str, ...]:
    return tuple(sorted({note.location.path.name for note in notes}))


def _lint_input(deck_dir: Path) -> tuple[object, ...]:
    checked = expanded(deck_dir)
    return checked.deck, checked.notes, checked.templates.note_types


def corrupt(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")


def truncated(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(b"")


def planted(entry: Path, others: list[bytes]) -> None:
    """A valid-looking row whose every answer is planted, with a digest anyone can compute
    (as a merged branch would carry it)."""
    _, _, payload = entry.read_bytes().partition(b"\n")
    payload = re.sub(rb'"answer":"[^"]*"', b'"answer":"PLANTED ANSWER"', payload)
    payload = payload.replace(b"superior cluneal", b"PLANTED ANSWER")
    entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def malformed(entry: Path, others: list[bytes]) -> None:
    """Rows of the wrong shape, sealed by this machine (as a bug or an older factdeck would
    write them): the schema refuses them."""
    _, _, payload = entry.read_bytes().partition(b"\n")
    data = json.loads(payload)
    if data["kind"] == "seen":
        data["cards"] = ["not a number"]
    elif data["kind"] == "lint":
        data["keys"] = "a text, not a list"
    elif data["kind"] == "drawn":
        data["findings"] = [{"fact_id": "a finding without a place"}]
    elif data["kind"] == "cloze-words":
        data["notes"] = [[[1, ["words, not a text"]]]] * len(data["notes"])
    elif data["kind"] == "stamp":
        data["notes"] = [[["a tag"], 5]] * len(data["notes"])  # a version, not a number
    else:
        data["notes"][0][2] = "a text, not a list"  # a note's fields
        data["entries"][0]["fact"]["kind"] = "nerv"
    reseal(entry, json.dumps(data).encode())


def other_format(entry: Path, others: list[bytes]) -> None:
    _, _, payload = entry.read_bytes().partition(b"\n")
    now = f'"format":{rows.FORMAT}'.encode()
    assert now in payload
    reseal(entry, payload.replace(now, f'"format":{rows.FORMAT - 1}'.encode()))


def escaping(entry: Path, others: list[bytes]) -> None:
    """A sealed row whose paths lead out of the deck folder."""
    _, _, payload = entry.read_bytes().partition(b"\n")
    payload = re.sub(rb'"path":"', b'"path":"../../victim/', payload)
    reseal(entry, payload.replace(b'"cards":[', b'"cards":[1,'))


def foreign(entry: Path, others: list[bytes]) -> None:
    """Another file's entry under this key (sealed, but for another key)."""
    entry.write_bytes(others[0])


def reseal(entry: Path, payload: bytes) -> None:
    mac = secret.seal("build cache entry", entry.stem.encode() + b"\0" + payload)
    assert mac is not None
    entry.write_bytes(mac.encode() + b"\n" + payload)


@pytest.mark.parametrize(
    "spoil", [corrupt, truncated, planted, malformed, other_format, escaping, foreign]
)
def test_a_spoilt_cache_entry_is_rebuilt(project: Path, expanded_facts: list[str], spoil) -> None:  # type: ignore[no-untyped-def]
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    good = outputs(deck_dir, project / "out")
    entries = sorted((deck_dir / CACHE_DIR).glob("*.json"))
    entries.remove(deck_dir / CACHE_DIR / "manifest.json")
    # per fact file its results, its lint and its cloze words, and lint's near-duplicate
    # pairs and diagram findings; and per file whose notes the lock already had, its steady
    # notes (stamp_memo)
    stamps = [e for e in entries if e.name.endswith(".stamp.json")]
    assert len(entries) - len(stamps) == 3 * len(fact_paths(deck_dir)) + 2
    assert 0 < len(stamps) <= len(fact_paths(deck_dir))
    originals = [entry.read_bytes() for entry in entries]
    for entry, original in zip(entries, originals, strict=True):
        spoil(entry, [blob for blob in originals if blob != original])
    expanded_facts.clear()
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    build(deck_dir, project / "out")
    assert len(expanded_facts) == facts_in(deck_dir)  # every fact rendered again
    assert outputs(deck_dir, project / "out") == good
    assert b"PLANTED" not in good[0] and not (project / "victim").exists()
    expanded_facts.clear()
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    build(deck_dir, project / "out")
    assert expanded_facts == []  # and the rewritten entries are used


def test_a_planted_entry_never_reaches_the_package_through_the_cli(
    project: Path, runner: CliRunner
) -> None:
    """The catalogue's case: a merged branch force-adds cache entries with a planted answer."""
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["build", "-q", str(deck_dir)]).exit_code == 0
    for entry in (deck_dir / CACHE_DIR).glob("*.json"):
        if entry.name != "manifest.json":
            planted(entry, [])
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    for command in ("check", "lint", "build"):
        result = runner.invoke(main, [command, str(deck_dir)])
        assert result.exit_code == 0, result.output
        assert "PLANTED" not in result.output
    with zipfile.ZipFile(project / "dist" / "low-back-pain.apkg") as archive:
        assert all(b"PLANTED" not in archive.read(name) for name in archive.namelist())


def test_another_machines_cache_is_rebuilt(
    project: Path, expanded_facts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    monkeypatch.setattr(secret, "secret_path", lambda: project.parent / "other-machine" / "s")
    expanded_facts.clear()
    build(deck_dir, project / "out")
    assert len(expanded_facts) == facts_in(deck_dir)


def test_no_secret_means_no_cache_and_the_same_package(
    project: Path, expanded_facts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    good = outputs(deck_dir, project / "out")
    (deck_dir / CACHE_DIR / "manifest.json").unlink()
    blocker = project.parent / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(secret, "secret_path", lambda: blocker / "factdeck" / "secret")
    for _ in range(2):
        expanded_facts.clear()
        build(deck_dir, project / "out")
        assert len(expanded_facts) == facts_in(deck_dir)
        assert outputs(deck_dir, project / "out") == good
        assert not (deck_dir / CACHE_DIR / "manifest.json").exists()


def media_of(apkg: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(apkg) as archive:
        names = json.loads(archive.read("media"))
        return {name: archive.read(index) for index, name in names.items()}


def test_a_copied_project_ships_its_own_drawing(project: Path, expanded_facts: list[str]) -> None:
    """`cp -r` of a built project, then the copy's diagram is redrawn: the copy's package
    carries the copy's drawing under its own name, and the original is unchanged."""
    copy_deck(project, "deck")
    build(project / "cards" / "deck", project / "dist")
    other = project.parent / "copy"
    shutil.copytree(project, other, symlinks=True)
    svg = other / "cards" / "deck" / "diagrams" / "dorsal-rami.svg"
    redrawn = svg.read_bytes().replace(b"</svg>", b'<circle cx="1" cy="1" r="1"/></svg>')
    svg.write_bytes(redrawn)
    expanded_facts.clear()
    build(other / "cards" / "deck", other / "dist")
    assert expanded_facts  # the redrawn diagram changed what the files depend on
    mine, theirs = (
        media_of(other / "dist" / "low-back-pain.apkg"),
        media_of(project / "dist" / "low-back-pain.apkg"),
    )
    assert redrawn in mine.values() and redrawn not in theirs.values()
    assert set(mine) != set(theirs)  # a new drawing, a new media name
    build(project / "cards" / "deck", project / "dist")
    assert media_of(project / "dist" / "low-back-pain.apkg") == theirs


def test_a_moved_project_keeps_its_cache(project: Path, expanded_facts: list[str]) -> None:
    copy_deck(project, "deck")
    build(project / "cards" / "deck", project / "dist")
    before = outputs(project / "cards" / "deck", project / "dist")
    moved = project.parent / "moved"
    shutil.move(project, moved)
    (moved / "cards" / "deck" / CACHE_DIR / "manifest.json").unlink()
    expanded_facts.clear()
    build(moved / "cards" / "deck", moved / "dist")
    assert expanded_facts == []
    assert outputs(moved / "cards" / "deck", moved / "dist") == before
    for entry in (moved / "cards" / "deck" / CACHE_DIR).glob("*.json"):
        if entry.name != "manifest.json":  # its digests cover where the project is
            assert str(moved).encode() not in entry.read_bytes()  # no absolute path kept


@pytest.mark.parametrize("library", ["factdeck", "PyYAML", "nh3", "snowballstemmer", "svgelements"])
def test_another_version_or_templates_miss_the_cache(
    project: Path,
    expanded_facts: list[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    library: str,
) -> None:
    """factdeck, or a library whose behaviour the rows follow (reading YAML, cleaning
    HTML, lint's stemming, diagram parsing), in another version; then another template."""
    deck_dir = copy_deck(project, "deck")
    build(deck_dir, project / "out")
    expanded_facts.clear()
    real = store.installed_version
    monkeypatch.setattr(
        store,
        "installed_version",
        lambda package="factdeck": "99.0" if package == library else real(package),
    )
    store._made_by.cache_clear()  # read once a process: this one now has another version
    request.addfinalizer(store._made_by.cache_clear)
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


def test_a_problem_is_found_in_one_run_of_the_stages(
    project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited file whose fact takes the id of a cached file's: validated once, with the
    cached facts, not a second time without the cache."""
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["build", str(deck_dir)]).exit_code == 0
    runs: list[int] = []
    real = incremental.validate.validate

    def counted(raw, known=None):  # type: ignore[no-untyped-def]
        runs.append(len(raw.files))
        return real(raw, known)

    monkeypatch.setattr(incremental.validate, "validate", counted)
    path = deck_dir / "lipomas.yaml"
    path.write_text(path.read_text().replace("id: back-mice", "id: superior-cluneal", 1))
    first = runner.invoke(main, ["build", str(deck_dir)])
    assert runs == [1]  # only the edited file was read again
    shutil.rmtree(deck_dir / CACHE_DIR)
    second = runner.invoke(main, ["build", str(deck_dir)])
    assert first.exit_code == second.exit_code == 1
    assert "duplicate fact id 'superior-cluneal'" in first.stderr
    assert first.stderr == second.stderr


def test_a_deck_inside_a_deck_is_refused_through_the_cache(
    project: Path, runner: CliRunner
) -> None:
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["check", str(deck_dir)]).exit_code == 0
    (deck_dir / "inner").mkdir()
    shutil.copy(deck_dir / "deck.yaml", deck_dir / "inner" / "deck.yaml")
    result = runner.invoke(main, ["check", str(deck_dir)])
    assert result.exit_code == 1
    assert "a deck inside the deck 'deck'" in result.stderr


def test_a_rebuild_with_nothing_changed_says_what_a_full_rebuild_says(
    project: Path, runner: CliRunner, expanded_facts: list[str]
) -> None:
    deck_dir = copy_deck(project, "deck")
    edit(deck_dir)  # so the first build has changes to report
    first = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert "1 changed (0 corrected)" in first.stdout and "notes so far" in first.stdout
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


def test_a_planted_manifest_is_not_believed(project: Path, runner: CliRunner) -> None:
    deck_dir = copy_deck(project, "deck")
    assert runner.invoke(main, ["build", str(deck_dir)]).exit_code == 0
    manifest = deck_dir / CACHE_DIR / "manifest.json"
    _, _, payload = manifest.read_bytes().partition(b"\n")
    payload = payload.replace(b'"notes": 83', b'"notes": 999')
    manifest.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    result = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert result.exit_code == 0, result.output
    assert "stamp" in result.stdout and "999" not in result.stdout  # a full build
