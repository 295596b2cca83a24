"""No stale content (issue 26, item 4): an edit saved while a build runs is built, at once or
by the next build, never forgotten behind an early stop; the cache keeps only what it read;
an output deleted or edited by hand is written again by a build with nothing else changed.
The edits land at fixed points of a real build (a stage function wrapped to save a file),
and what ships is read back from the package."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck import pipeline
from factdeck.apkg.read import unpack
from factdeck.cache import incremental
from factdeck.cache.store import CACHE_DIR
from factdeck.cli.main import main
from factdeck.pipeline import build, find_templates, providers
from tests.support.decks import REAL_DECK

pytestmark = pytest.mark.usefixtures("in_project")

QUESTION = "which thick fascia can entrap"
DENSE = QUESTION.replace("thick", "dense")


def copy_deck(project: Path) -> Path:
    dest = project / "cards" / "deck"
    shutil.copytree(REAL_DECK, dest, ignore=shutil.ignore_patterns(CACHE_DIR))
    return dest


def reword(deck_dir: Path, word: str) -> None:
    """Save the superior cluneal question with `word` for its fascia (an editor's save)."""
    path = deck_dir / "cluneal-superior.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("which ") + len("which ")
    end = text.index(" fascia can entrap")
    path.write_text(text[:start] + word + text[end:], encoding="utf-8")


def shipped(apkg: Path) -> str:
    return "\n".join(field for note in unpack(apkg).notes for field in note.fields)


@contextlib.contextmanager
def saving_during(owner: object, name: str, save: Callable[[int], None]) -> Iterator[list[int]]:
    """Within the block, each call of `owner.name`, after doing its work, saves an edit
    (`save(n)`, n counting from 1), as if the author saved while the build ran; the calls
    are counted."""
    real = getattr(owner, name)
    calls: list[int] = []

    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(*args, **kwargs)
        calls.append(len(calls) + 1)
        save(calls[-1])
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, name, wrapped)
        yield calls


def test_an_edit_saved_during_a_build_is_built_again_before_it_ships(
    project: Path, runner: CliRunner
) -> None:
    """Saved after the facts were read and stamped, before the commit point: the build
    starts over and ships the new question; the next build stops early on it."""
    deck_dir = copy_deck(project)
    assert QUESTION in (deck_dir / "cluneal-superior.yaml").read_text(encoding="utf-8")
    once = lambda n: reword(deck_dir, "dense") if n == 1 else None  # noqa: E731
    with saving_during(pipeline.lock, "stamp", once) as calls:
        result = build(deck_dir, project / "dist")
    assert len(calls) == 2  # read, stamped, saw the edit at its commit point, built again
    assert "which dense fascia" in shipped(result.apkg)
    assert "which thick fascia" not in shipped(result.apkg)
    again = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert again.exit_code == 0, again.output
    assert "stamp" not in again.stdout  # stopped early: what shipped is what the file says


def test_an_edit_saved_during_every_try_is_built_by_the_next_build(
    project: Path, runner: CliRunner
) -> None:
    """An author saving faster than the build runs: the last try ships what it read, and
    its manifest keeps the inputs as they were before it read them, so the next build (no
    early stop) ships the question as the file says it now."""
    deck_dir = copy_deck(project)
    with saving_during(pipeline.lock, "stamp", lambda n: reword(deck_dir, f"edit{n}")):
        result = build(deck_dir, project / "dist")
    assert "which edit2 fascia" in shipped(result.apkg)  # the third try read the second save
    assert "which edit3 fascia" in (deck_dir / "cluneal-superior.yaml").read_text()
    again = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert again.exit_code == 0, again.output
    assert "stamp" in again.stdout  # not stopped early
    assert "which edit3 fascia" in shipped(result.apkg)
    assert "which edit2 fascia" not in shipped(result.apkg)


def test_an_edit_saved_after_the_commit_point_is_not_recorded_as_built(
    project: Path, runner: CliRunner
) -> None:
    """Saved after the package is in place, before the manifest is written (the lint stage
    runs between them): the manifest records the facts as read, so the next build sees it."""
    deck_dir = copy_deck(project)
    with saving_during(pipeline.Checked, "findings", lambda n: reword(deck_dir, "dense")):
        result = build(deck_dir, project / "dist")
    assert "which thick fascia" in shipped(result.apkg)
    again = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert again.exit_code == 0, again.output
    assert "stamp" in again.stdout
    assert "which dense fascia" in shipped(result.apkg)


def cached_notes(deck_dir: Path) -> tuple[object, ...]:
    files = incremental.expanded(
        deck_dir, find_templates(deck_dir), providers(), pipeline.unwatched
    )[2]
    return tuple(note for file in files for note in file.notes)


def uncached_notes(deck_dir: Path) -> tuple[object, ...]:
    shutil.rmtree(deck_dir / CACHE_DIR, ignore_errors=True)
    return cached_notes(deck_dir)


@pytest.mark.parametrize(
    "where, save",
    [
        # the fact file, saved after its key was taken from its bytes, before it is parsed
        ("get", lambda deck_dir: reword(deck_dir, "dense")),
        # a drawing, saved after the keys were taken, before it is measured
        (
            "load_templates",
            lambda deck_dir: (deck_dir / "diagrams" / "dorsal-rami.svg").write_bytes(
                (deck_dir / "diagrams" / "dorsal-rami.svg")
                .read_bytes()
                .replace(b"</svg>", b'<circle cx="1" cy="1" r="1"/></svg>')
            ),
        ),
    ],
)
def test_the_cache_keeps_no_entry_for_content_it_did_not_read(
    project: Path, where: str, save: Callable[[Path], None]
) -> None:
    """After the edit is undone, the cache gives what the original files make, never the
    results of the edit under the original's key."""
    deck_dir = copy_deck(project)
    originals = {p: p.read_bytes() for p in deck_dir.rglob("*") if p.is_file()}
    owner = incremental.Store if where == "get" else incremental
    saved: list[bool] = []

    def once(n: int) -> None:
        if not saved:
            saved.append(True)
            save(deck_dir)

    with saving_during(owner, where, once):
        cached_notes(deck_dir)
    assert saved
    for path, data in originals.items():
        path.write_bytes(data)
    assert cached_notes(deck_dir) == uncached_notes(deck_dir)


@pytest.mark.parametrize("edited", [False, True])
def test_lint_is_kept_only_under_the_key_of_what_it_read(project: Path, edited: bool) -> None:
    """The fact files' results are cached but not their lint (a preview lints nothing);
    deck.yaml, saved between the keys and the stages, is part of what lint reads, so the
    lint made in that build is not kept under the keys of the original."""
    deck_dir = copy_deck(project)
    cached_notes(deck_dir)
    folder = deck_dir / CACHE_DIR
    assert list(folder.glob("*.lint.json")) == []
    deck_yaml = deck_dir / "deck.yaml"
    original = deck_yaml.read_bytes()

    def save(n: int) -> None:
        if edited and n == 1:
            deck_yaml.write_bytes(original.replace(b"name: Low Back Pain", b"name: Lower Back"))

    with saving_during(incremental, "load_templates", save):
        checked = pipeline.expanded(deck_dir)
    checked.findings()
    assert bool(list(folder.glob("*.lint.json"))) is not edited


@pytest.mark.parametrize(
    "spoil",
    [
        "changes file back",
        "delete package",
        "delete retired package",
    ],
)
def test_a_deleted_or_edited_output_is_written_again(
    project: Path, runner: CliRunner, spoil: str
) -> None:
    deck_dir = copy_deck(project)
    reword(deck_dir, "dense")  # an unreleased change
    dist = project / "dist"
    assert runner.invoke(main, ["build", str(deck_dir)]).exit_code == 0
    written = {p: p.read_bytes() for p in dist.iterdir()}
    changes = dist / "low-back-pain-changes.md"  # what builds once wrote, and delete now
    retired = dist / "low-back-pain-retired-since-1.0.0.apkg"
    assert changes not in written and retired in written
    if spoil == "changes file back":
        changes.write_text("# Low Back Pain: unreleased changes since version 2.0.0\n")
    elif spoil == "delete package":
        (dist / "low-back-pain.apkg").unlink()
    else:
        retired.unlink()
    result = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert result.exit_code == 0, result.output
    assert "stamp" in result.stdout  # the stages ran
    assert {p: p.read_bytes() for p in dist.iterdir()} == written
    early = runner.invoke(main, ["build", str(deck_dir), "-v"])
    assert "stamp" not in early.stdout  # and then nothing is left to do


# --- a copied, a moved and a CRLF checkout (issue 26, item 4) ----------------------------


def cli_build(runner: CliRunner, project: Path) -> str:
    result = runner.invoke(
        main, ["build", "--cards", str(project / "cards"), "--out", str(project / "dist")]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def built_text(project: Path) -> str:
    return shipped(project / "dist" / "low-back-pain.apkg")


@pytest.mark.parametrize("how", ["copied", "moved"])
def test_a_copied_or_moved_project_ships_its_own_edit(
    project: Path, runner: CliRunner, how: str
) -> None:
    """`cp -r`/`mv` of a built project, cache and manifest included, then an edit there and
    an edit undone: every build ships what its own files say, never the other copy's
    package, an early stop for the old place or an entry for the old text."""
    copy_deck(project)
    cli_build(runner, project)
    other = project.parent / f"{project.name}-{how}"
    (shutil.copytree if how == "copied" else shutil.move)(project, other)
    deck = other / "cards" / "deck"
    reword(deck, "dense")
    cli_build(runner, other)
    assert DENSE in built_text(other) and QUESTION not in built_text(other)
    reword(deck, "thick")  # undone: the cached entry of the first text is right again
    cli_build(runner, other)
    assert QUESTION in built_text(other) and DENSE not in built_text(other)
    if how == "copied":  # the original is as it was, and stops early as it was
        assert QUESTION in built_text(project)
        assert cli_build(runner, project) == cli_build(runner, project)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_crlf_checkout_builds_the_same_package_and_lock(project: Path, runner: CliRunner) -> None:
    """A clone with `core.autocrlf=true` (Windows) has CRLF in every YAML and SVG file:
    it builds the package and lock of the LF checkout byte for byte, with no diagram
    "changed"; switching a built checkout to CRLF in place rebuilds (its cache keys are
    the bytes) to the same files, and an edit there still ships."""
    copy_deck(project)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(project)], check=True)
    subprocess.run([*git, "-C", str(project), "add", "cards", "templates"], check=True)
    subprocess.run([*git, "-C", str(project), "commit", "-qm", "deck"], check=True)
    clone = project.parent / f"{project.name}-windows"
    subprocess.run(
        [*git, "-c", "core.autocrlf=true", "clone", "-q", str(project), str(clone)], check=True
    )
    svg = clone / "cards" / "deck" / "diagrams" / "dorsal-rami.svg"
    assert b"\r\n" in svg.read_bytes() and b"\r\n" in (svg.parent.parent / "deck.yaml").read_bytes()
    said = changes(cli_build(runner, project))
    assert changes(cli_build(runner, clone)) == said  # no diagram note "changed"
    lf_files = outputs(project)
    assert outputs(clone) == lf_files
    # the LF checkout, converted in place after its build: the same files again
    for path in (project / "cards" / "deck").rglob("*"):
        if path.suffix in (".yaml", ".svg"):
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert changes(cli_build(runner, project)) == said
    assert outputs(project) == lf_files
    reword(project / "cards" / "deck", "dense")
    cli_build(runner, project)
    assert DENSE in built_text(project)


def changes(said: str) -> str:
    return next(line for line in said.splitlines() if line.strip().startswith("changes"))


def outputs(project: Path) -> tuple[bytes, bytes]:
    """The package, and the lock as git would commit it (a CRLF checkout's lock, left as
    checked out when nothing changed, is the same lock)."""
    lock = (project / "cards" / "deck" / "factdeck.lock").read_bytes().replace(b"\r\n", b"\n")
    return (project / "dist" / "low-back-pain.apkg").read_bytes(), lock
