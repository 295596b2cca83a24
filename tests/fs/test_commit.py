"""One commit point per build (issue 11, items 1-2): interrupted, failing and concurrent
builds never leave a package and a lock that disagree, nor temporaries behind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.apkg.read import unpack
from factdeck.cli.main import main
from factdeck.errors import FactdeckError
from factdeck.fs import atomic, commit, mutex
from factdeck.history import lockfile
from factdeck.history.lock import LOCK_NAME, read
from factdeck.pipeline import build
from tests.support.decks import EPOCH, write_tree
from tests.support.engine import import_package, open_collection


def big_facts(count: int, word: str) -> str:
    lines = ["facts:"]
    lines += [
        f'  - {{id: fact-{i}, kind: statement, source: body, text: "Fact {i} is '
        f'{{{{c1::{word} {i}}}}}."}}'
        for i in range(count)
    ]
    return "\n".join(lines) + "\n"


def leftovers(*folders: Path) -> list[str]:
    return sorted(
        p.name
        for folder in folders
        if folder.is_dir()
        for p in folder.iterdir()
        if p.name.endswith(".tmp") or p.name == commit.JOURNAL
    )


def consistent(deck: Path, apkg: Path) -> bool:
    """The package is the one the lock describes: every live note's time is the lock's."""
    lock = read(deck)
    return {n.guid: n.mod for n in unpack(apkg).notes} == {
        g: n.changed for g, n in lock.notes.items() if n.retired is None
    }


def snapshot(deck: Path, out: Path) -> dict[str, bytes]:
    files = [deck / LOCK_NAME, *sorted(out.iterdir())]
    return {p.name: p.read_bytes() for p in files}


def test_a_failure_while_writing_changes_nothing(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "dist"
    build(mini_deck, out)
    write_tree(mini_deck, {"facts.yaml": big_facts(3, "edited")})
    before = snapshot(mini_deck, out)

    def full_disk(lock: lockfile.Lock) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lockfile, "dumps", full_disk)
    monkeypatch.chdir(project)
    with pytest.raises(FactdeckError) as caught:
        build(mini_deck, out)
    assert [str(p) for p in caught.value.problems] == [
        "cannot write (No space left on device): the disk is full; free some space and build "
        "again; nothing was changed: the previous package, release notes and lock are as they "
        "were"
    ]
    assert snapshot(mini_deck, out) == before and not leftovers(mini_deck, out)


def test_an_unwritable_folder_changes_nothing(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a read-only deck folder does (the tests run as root, where chmod cannot)."""
    out = project / "dist"
    build(mini_deck, out)
    write_tree(mini_deck, {"facts.yaml": big_facts(3, "edited")})
    before = snapshot(mini_deck, out)
    real = atomic.tempfile.mkstemp

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs["dir"])) == mini_deck:
            raise PermissionError(errno.EACCES, "Permission denied", str(mini_deck))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only)
    with pytest.raises(FactdeckError, match="you may not write there; make it writable"):
        build(mini_deck, out)
    assert snapshot(mini_deck, out) == before and not leftovers(mini_deck, out)


def test_out_under_a_file_is_a_clean_error(mini_deck: Path, project: Path) -> None:
    (project / "afile").write_text("x")
    lock_before = (mini_deck / LOCK_NAME).exists()
    with pytest.raises(FactdeckError, match="part of that path is a file, not a folder"):
        build(mini_deck, project / "afile" / "dist")
    assert (mini_deck / LOCK_NAME).exists() == lock_before


def test_a_committed_but_interrupted_run_is_completed_by_the_next(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "dist"
    build(mini_deck, out)
    write_tree(mini_deck, {"facts.yaml": big_facts(3, "edited")})

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # right after the commit point

    monkeypatch.setattr(commit, "_apply", killed)
    with pytest.raises(KeyboardInterrupt):
        build(mini_deck, out)
    monkeypatch.undo()
    assert (mini_deck / commit.JOURNAL).exists()
    commit.recover(mini_deck, (out,))
    assert consistent(mini_deck, out / "mini.apkg") and not leftovers(mini_deck, out)
    assert len(read(mini_deck).notes) == 3 + 3  # the new set: 3 new, 3 retired


@pytest.mark.parametrize("out", ["reports", "../reports"])
@pytest.mark.parametrize("then", ["build", "build --out"])
def test_a_build_into_another_folder_interrupted_after_its_commit_point_is_completed(
    runner: CliRunner,
    mini_deck: Path,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    out: str,
    then: str,
) -> None:
    """`build --out` (from cards/, `..` in it) killed right after its commit point: its
    journal names its own folder, so `check` finds nothing wrong and the next build
    (into dist/ or the same folder) completes it, instead of refusing it as not factdeck's
    own files (it named `cards/../reports/mini.apkg` beside `reports/.mini.apkg.*.tmp`)."""
    monkeypatch.chdir(project / "cards")
    args = ["build", "-q", "mini", "--out", out]
    assert runner.invoke(main, args).exit_code == 0
    write_tree(mini_deck, {"facts.yaml": big_facts(3, "edited")})

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(commit, "_apply", killed)
        assert runner.invoke(main, args).exit_code == 1  # Aborted!
    assert (mini_deck / commit.JOURNAL).exists()
    checked = runner.invoke(main, ["check", "-q", "mini"])
    assert (checked.exit_code, checked.stderr) == (0, ""), checked.stderr
    again = runner.invoke(main, args if then == "build --out" else ["build", "-q", "mini"])
    assert (again.exit_code, again.stderr) == (0, ""), again.stderr
    folder = project / "cards" / out
    assert consistent(mini_deck, folder / "mini.apkg")
    assert not leftovers(mini_deck, folder, project / "dist")
    assert len(read(mini_deck).notes) == 3 + 3  # the new set: 3 new, 3 retired


BUILD = [
    sys.executable,
    "-c",
    "import sys; from factdeck.cli.main import main; "
    "main(['build', sys.argv[1], '--out', sys.argv[2], '-q'])",
]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_builds_leave_an_old_or_new_set(
    mini_deck: Path, project: Path, sig: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "dist"
    write_tree(mini_deck, {"facts.yaml": big_facts(800, "first")})
    build(mini_deck, out)
    apkg = out / "mini.apkg"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH + 1)}
    started = time.monotonic()
    subprocess.run([*BUILD, str(mini_deck), str(out)], env=env, check=True)
    duration = time.monotonic() - started
    outcomes = set()
    for trial in range(6):
        write_tree(mini_deck, {"facts.yaml": big_facts(800, f"edit {trial}")})
        env["SOURCE_DATE_EPOCH"] = str(EPOCH + 10 + trial)
        process = subprocess.Popen(
            [*BUILD, str(mini_deck), str(out)], env=env, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * (0.45 + trial * 0.11))  # from mid-build past its end
        process.send_signal(sig)
        process.wait()
        if (mini_deck / commit.JOURNAL).exists():
            outcomes.add("journal")
        commit.recover(mini_deck, (out,))  # what the next build does first
        assert consistent(mini_deck, apkg), f"trial {trial}"
        assert not leftovers(mini_deck, out), f"trial {trial}"
        outcomes.add(f"edit {trial}" in unpack(apkg).notes[0].fields[0])
    build(mini_deck, out)
    assert consistent(mini_deck, apkg) and not leftovers(mini_deck, out)
    assert outcomes & {True, False}


def test_a_second_build_waits_then_refuses(
    mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDECK_LOCK_WAIT", "0.3")
    monkeypatch.chdir(project)
    with mutex.holding(mini_deck):
        started = time.monotonic()
        with pytest.raises(FactdeckError) as caught:
            build(mini_deck, project / "dist")
        assert time.monotonic() - started >= 0.3
    (message,) = [str(p) for p in caught.value.problems]
    assert message.startswith(
        f"cards/mini: another factdeck build or release of this deck is "
        f"running (process {os.getpid()}); waited 0.3 s."
    )
    assert not (project / "dist").exists()
    build(mini_deck, project / "dist")  # free again


@pytest.mark.slow
def test_concurrent_builds_serialise(mini_deck: Path, project: Path) -> None:
    out = project / "dist"
    write_tree(mini_deck, {"facts.yaml": big_facts(400, "x")})
    env = {**os.environ, "FACTDECK_LOCK_WAIT": "60"}
    runs = [subprocess.Popen([*BUILD, str(mini_deck), str(out)], env=env) for _ in range(3)]
    assert [r.wait() for r in runs] == [0, 0, 0]
    assert consistent(mini_deck, out / "mini.apkg") and not leftovers(mini_deck, out)


def test_an_edit_in_the_same_second_still_gets_a_newer_time(
    mini_deck: Path, project: Path, tmp_path: Path
) -> None:
    """SOURCE_DATE_EPOCH is fixed for both builds: the edited note must still be newer,
    or Anki would skip it as up to date."""
    first = build(mini_deck, project / "v1").apkg
    col = open_collection(tmp_path / "student")
    import_package(col, first)
    before = {g: n.changed for g, n in read(mini_deck).notes.items()}
    facts = mini_deck / "facts.yaml"
    facts.write_text(facts.read_text().replace("{{c1::big}}", "{{c1::large}}"))
    second = build(mini_deck, project / "v2").apkg
    after = read(mini_deck).notes
    assert [after[g].changed - t for g, t in before.items() if after[g].changed != t] == [1]
    log = import_package(col, second)
    assert log.updated == 1
    col.close()
