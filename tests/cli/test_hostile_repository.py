"""What may arrive through a repository (issue 26): a commit journal a merge or a copy
brought is refused through the real CLI, with the whole message and exit 1, and nothing
outside the project (nor dist/, nor the lock) is touched; journals and temporaries are
git-ignored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from factdeck.fs import commit, limits
from factdeck.fs.names import JOURNAL
from tests.support.decks import MINI, MINI_DECK, REPO, deck_yaml, edit_deck, write_tree
from tests.support.git import git, needs_git
from tests.support.hostile import DIAGRAM_FACTS, beside, build_ok, refused, svg

NOT_OURS = (
    "it was not written by factdeck on this machine for this folder (it may have come with "
    "a merge, a copy or another checkout, or be damaged)"
)


def not_followed(why: str) -> str:
    return (
        f"Error: cards/mini/{JOURNAL}: this commit journal was not followed: {why}. Nothing "
        "was moved or deleted, and it is left in place. If no build of this deck was "
        "interrupted, delete it and build again; if one was, restore factdeck.lock from "
        "version control, delete the journal and build again\n"
    )


pytestmark = pytest.mark.usefixtures("in_project", "outside")  # from inside the project


def plant(deck: Path, project: Path, body: dict[str, object]) -> tuple[Path, Path]:
    """A journal moving the deck's facts to ../victim and deleting a file outside."""
    victim, outsider = project.parent / "victim-bashrc", project.parent / "outsider"
    outsider.write_text("keep me")
    (deck / JOURNAL).write_text(
        json.dumps(
            {
                "moves": [[str(deck / "facts.yaml"), str(victim)]],
                "deletes": [str(outsider)],
                **body,
            }
        )
    )
    return victim, outsider


@pytest.mark.parametrize(
    "body",
    [
        {},  # as factdeck 0.x wrote them
        {"format": 2, "mac": "0" * 64},
        {"format": 2, "mac": None},
        {"format": 2, "mac": ["not", "text"]},
    ],
)
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_planted_journal_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, body: dict[str, object], command: str
) -> None:
    victim, outsider = plant(built_mini_deck, project, body)
    journal = (built_mini_deck / JOURNAL).read_bytes()
    facts = (built_mini_deck / "facts.yaml").read_bytes()
    assert refused(
        runner, project, built_mini_deck, [command, str(built_mini_deck)]
    ) == not_followed(NOT_OURS)
    assert not victim.exists() and outsider.read_text() == "keep me"
    assert (built_mini_deck / "facts.yaml").read_bytes() == facts
    assert (built_mini_deck / JOURNAL).read_bytes() == journal  # left for the user


@pytest.mark.parametrize("kind", ["folder", "pipe", "not-json", "a-list", "nested"])
def test_a_journal_that_is_no_journal_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, kind: str
) -> None:
    journal = built_mini_deck / JOURNAL
    if kind == "folder":
        journal.mkdir()
    elif kind == "pipe":
        os.mkfifo(journal)  # reading it must not wait for a writer
    else:
        text = {"not-json": "{not json", "a-list": "[1, 2]", "nested": "[" * 200_000}[kind]
        journal.write_text(text)
    assert refused(runner, project, built_mini_deck) == not_followed(NOT_OURS)
    assert journal.exists() or journal.is_fifo()


def test_a_journal_copied_from_another_folder_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    """Sealed on this machine, but for another deck folder (a `cp -r` after a crash)."""
    other = project / "cards" / "other"
    other.mkdir()
    body = {"format": 2, "moves": [], "deletes": [str(built_mini_deck / "facts.yaml")]}
    (built_mini_deck / JOURNAL).write_text(commit._sealed(other, body))
    assert refused(runner, project, built_mini_deck) == not_followed(NOT_OURS)
    assert (built_mini_deck / "facts.yaml").exists()


@pytest.mark.parametrize("where", ["outside", "not-a-temporary"])
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_sealed_journal_is_obeyed_only_inside_the_deck_and_the_output_folder(
    runner: CliRunner, project: Path, built_mini_deck: Path, where: str, command: str
) -> None:
    victim, outsider = project.parent / "victim", project.parent / "outsider"
    outsider.write_text("keep me")
    if where == "outside":
        tmp = project.parent / ".victim.1.tmp"
        tmp.write_text("planted")
        body = {"format": 2, "moves": [[str(tmp), str(victim)]], "deletes": [str(outsider)]}
        named = outsider
    else:  # a fact file renamed over the lock
        lock = built_mini_deck / "factdeck.lock"
        body = {
            "format": 2,
            "moves": [[str(built_mini_deck / "facts.yaml"), str(lock)]],
            "deletes": [],
        }
        named = Path("cards/mini/facts.yaml")
    journal = commit._sealed(built_mini_deck, body)
    (built_mini_deck / JOURNAL).write_text(journal)
    why = (
        f"it names '{named}', which is not factdeck's own file in this deck folder or in "
        "the output folder (dist)"
    )
    assert refused(runner, project, built_mini_deck, [command]) == not_followed(why)
    assert not victim.exists() and outsider.read_text() == "keep me"
    assert (built_mini_deck / "facts.yaml").exists()
    assert (built_mini_deck / JOURNAL).read_text() == journal  # reported, and left


TRANSIENT = [
    JOURNAL,
    ".factdeck-commit.json.k2j3.tmp",
    ".factdeck.lock.a1b2.tmp",
    ".factdeck-build.lock",
    ".factdeck-cache/manifest.json",
]


def ignored(repo: Path, paths: list[str]) -> list[str]:
    found = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "--no-index", *paths],
        capture_output=True,
        text=True,
    )
    return found.stdout.split()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_journals_and_temporaries_are_ignored_by_git(runner: CliRunner, project: Path) -> None:
    """In this repository, and in a deck `factdeck new` writes into a fresh repository."""
    ours = [f"cards/low-back-pain/{name}" for name in TRANSIENT]
    ours += ["dist/.low-back-pain.apkg.x1.tmp", "elsewhere/.deck-1.0.0.md.x2.tmp"]
    assert ignored(REPO, ours) == ours
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    assert runner.invoke(main, ["new", "cards/knee"]).exit_code == 0
    theirs = [f"cards/knee/{name}" for name in TRANSIENT]
    assert ignored(project, theirs) == theirs
    assert ignored(project, ["cards/knee/deck.yaml", "cards/knee/factdeck.lock"]) == []


def test_names_are_escaped_on_the_terminal(project: Path, mini_deck: Path) -> None:
    """A file name with terminal escape sequences (retitle the window, clear the screen)
    and a right-to-left override is printed escaped, even to a colour terminal."""
    name = "evil\x1b]0;pwned\x07\x1b[2J\u202eyaml.txt.yaml"
    (mini_deck / name).write_text("facts: [1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(mini_deck)], color=True)
    assert result.exit_code == 1
    shown = "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eyaml.txt.yaml"
    assert f"cards/mini/{shown}:" in result.stderr, result.stderr
    assert "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert result.stderr.count("\x1b") == 2  # only our own red, and its reset


LOCK_FIX = (
    "restore it from version control (git checkout -- factdeck.lock); do not delete it: "
    "without it, every note looks new and students lose in-place updates"
)


def corrupt(line: int, why: str) -> str:
    return f"Error: cards/mini/factdeck.lock:{line}: lock file is corrupt ({why}); {LOCK_FIX}\n"


def first_note(deck: Path, **fields: object) -> int:
    """Set fields of the lock's first note entry (as a merge could); its line number."""
    lock = deck / "factdeck.lock"
    lines = lock.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith('{"note"'))
    lines[number] = json.dumps({**json.loads(lines[number]), **fields})
    lock.write_text("\n".join(lines) + "\n")
    return number + 1


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        (
            {"changed": 10**20},
            "at 'changed': Input should be less than or equal to 9223372036854775807",
        ),
        ({"id": 10**20}, "at 'id': Input should be less than or equal to 9223372036854775807"),
        ({"changed": -1}, "at 'changed': Input should be greater than or equal to 0"),
        ({"id": 1.5}, "at 'id': Input should be a valid integer"),
        # what a merged branch or a hand edit may bring: taken for numbers before
        ({"changed": "1790000000"}, "at 'changed': Input should be a valid integer"),
        ({"changed": 1790000000.0}, "at 'changed': Input should be a valid integer"),
        ({"id": True}, "at 'id': Input should be a valid integer"),
        ({"retired": "1790000000"}, "at 'retired': Input should be a valid integer"),
        ({"cards": ["0"]}, "at 'cards.0': Input should be a valid integer"),
        ({"moves": [[1, "2", "1.0.0"]]}, "at 'moves.0.1': Input should be a valid integer"),
        # card ords and cloze numbers are Anki's (u16): card -1 shipped a tombstone {{c0::}}
        ({"cards": [-1]}, "at 'cards.0': Input should be greater than or equal to 0"),
        ({"cards": [10**30]}, "at 'cards.0': Input should be less than or equal to 65534"),
        ({"cards": [65535]}, "at 'cards.0': Input should be less than or equal to 65534"),
        (
            {"moves": [[0, 1, "1.0.0"]]},
            "at 'moves.0.0': Input should be greater than or equal to 1",
        ),
        (
            {"notices": [[65536, "1.0.0"]]},
            "at 'notices.0.0': Input should be less than or equal to 65535",
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_lock_number_anki_cannot_hold_is_refused(
    runner: CliRunner,
    project: Path,
    built_mini_deck: Path,
    fields: dict[str, object],
    why: str,
    command: str,
) -> None:
    """10^20 would have reached SQLite (OverflowError) and a negative time Anki's importer."""
    line = first_note(built_mini_deck, **fields)
    assert refused(runner, project, built_mini_deck, [command]) == corrupt(line, why)


def test_a_lock_nested_200000_deep_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    lock = built_mini_deck / "factdeck.lock"
    lines = len(lock.read_text().splitlines())
    with lock.open("a") as file:
        file.write("[" * 200_000 + "]" * 200_000 + "\n")
    assert refused(runner, project, built_mini_deck) == corrupt(
        lines + 1, "nested too deeply, over about 1,000 levels"
    )


def test_a_release_record_nested_200000_deep_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    """The record arrives through the repository as the lock does: read within the same
    bounds (it was parsed with bare json.loads, a RecursionError traceback)."""
    (built_mini_deck / ".factdeck-cache" / "manifest.json").unlink()  # else the build stops early
    (built_mini_deck / "factdeck.releases").write_text(
        '{"factdeck-releases": 1}\n' + "[" * 200_000 + "]" * 200_000 + "\n"
    )
    assert refused(runner, project, built_mini_deck) == (
        "Error: cards/mini/factdeck.releases:2: release record is corrupt (nested too "
        "deeply, over about 1,000 levels); restore it from version control (git checkout "
        "-- factdeck.releases) together with factdeck.lock, the two are committed together\n"
    )


def test_a_lock_line_over_the_limit_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    lock = built_mini_deck / "factdeck.lock"
    lines = len(lock.read_text().splitlines())
    with lock.open("a") as file:
        file.write('{"note": "' + "x" * limits.LOCK_LINE + '"}\n')
    assert refused(runner, project, built_mini_deck) == corrupt(
        lines + 1,
        f"a line of {limits.LOCK_LINE + 12:,} characters, over the 1,000,000 an entry may have",
    )


def test_a_lock_over_the_size_limit_is_refused_unread(
    runner: CliRunner, project: Path, built_mini_deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = (built_mini_deck / "factdeck.lock").stat().st_size
    (built_mini_deck / ".factdeck-cache" / "manifest.json").unlink()  # else the build stops early
    monkeypatch.setattr(limits, "LOCK", size - 1)
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/factdeck.lock: the lock is {size:,} bytes, over the "
        f"{size - 1:,}-byte limit; {LOCK_FIX}\n"
    )


def test_a_lock_that_is_a_pipe_is_refused_without_waiting(
    runner: CliRunner, project: Path, built_mini_deck: Path
) -> None:
    lock = built_mini_deck / "factdeck.lock"
    lock.unlink()
    os.mkfifo(lock)
    before = beside(project)
    dist = {p.name: p.read_bytes() for p in sorted((project / "dist").iterdir())}
    result = runner.invoke(main, ["build"])
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert "Traceback" not in result.output
    # refused() would read the lock to compare it, and reading a pipe waits: dist/ only
    assert {p.name: p.read_bytes() for p in sorted((project / "dist").iterdir())} == dist
    assert result.stderr == (
        "Error: cards/mini/factdeck.lock: the lock is a named pipe (FIFO), not a regular "
        "file; factdeck opens only plain files: replace it with one or delete it\n"
    )
    assert lock.is_fifo() and beside(project) == before


@pytest.mark.parametrize("name", ["diagrams.yaml", "more.YML"])
def test_a_folder_named_like_a_fact_file_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, name: str
) -> None:
    """Skipped silently, a `diagrams.yaml` folder would retire the deck's diagrams."""
    (built_mini_deck / name).mkdir()
    assert refused(runner, project, built_mini_deck) == (
        f"Error: cards/mini/{name}: is a folder, named like a fact file; factdeck reads fact "
        "files only: rename the folder (without .yaml) or move it out of the deck\n"
    )


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_deck_yaml_that_is_a_folder_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    (built_mini_deck / "deck.yaml").unlink()
    (built_mini_deck / "deck.yaml").mkdir()
    assert refused(runner, project, built_mini_deck, [command, "cards/mini"]) == (
        "Error: cards/mini/deck.yaml: is a folder, not a file; every deck folder needs a "
        "deck.yaml file (name, slug, source): move the folder away and restore the file\n"
    )


NO_LINKS = (
    "factdeck ships only plain files of the deck folder, so that a link cannot put a file "
    "from elsewhere (another project, your home folder) into the package or the preview: "
    "replace the link with a copy of what it points to"
)


def linked_diagram(project: Path, deck: Path, how: str) -> str:
    """The diagram fact's figs/figure.svg reached through a link (a merge can commit one);
    returns how the message says where the link is."""
    write_tree(deck, {"diagrams.yaml": DIAGRAM_FACTS})
    drawing = svg("")
    if how == "file outside the project":
        target = write_tree(project.parent / f"{project.name}-sibling", {"x.svg": drawing})
        (deck / "figs").mkdir()
        (deck / "figs" / "figure.svg").symlink_to(target / "x.svg")
        return f"is a symbolic link (to {target / 'x.svg'})"
    if how == "file inside the deck":
        write_tree(deck, {"figs/real.svg": drawing})
        (deck / "figs" / "figure.svg").symlink_to("real.svg")
        return "is a symbolic link (to real.svg)"
    write_tree(deck, {"drawings/figure.svg": drawing})
    (deck / "figs").symlink_to("drawings")
    return "lies in 'figs', a symbolic link (to drawings)"


@pytest.mark.parametrize("how", ["file outside the project", "file inside the deck", "folder"])
@pytest.mark.parametrize("command", ["build", "check", "preview", "release"])
def test_a_linked_diagram_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, how: str, command: str
) -> None:
    """Its bytes would be copied into the package or the preview, wherever it points."""
    where = linked_diagram(project, built_mini_deck, how)
    assert refused(runner, project, built_mini_deck, [command]) == (
        f"Error: cards/mini/diagrams.yaml:2: fact 'fig': image 'figs/figure.svg' {where}; "
        f"{NO_LINKS}\n"
    )
    assert not (project / "dist" / "mini-preview").exists()


@pytest.mark.parametrize("command", ["build", "preview"])
def test_a_diagram_turned_into_a_link_after_a_build_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    """Same bytes through a link: the cache and the early stop see no change in content, so
    the copy itself refuses to follow it."""
    write_tree(built_mini_deck, {"diagrams.yaml": DIAGRAM_FACTS, "figs/figure.svg": svg("")})
    build_ok(runner)
    target = write_tree(project.parent / f"{project.name}-sibling", {"x.svg": svg("")})
    (built_mini_deck / "figs" / "figure.svg").unlink()
    (built_mini_deck / "figs" / "figure.svg").symlink_to(target / "x.svg")
    shown = "cards/mini/figs/figure.svg: the drawing lies behind a symbolic link"
    if command == "preview":  # no cache: the image is looked at again
        shown = f"cards/mini/diagrams.yaml:2: fact 'fig': image 'figs/figure.svg' is a symbolic link (to {target / 'x.svg'})"
    assert refused(runner, project, built_mini_deck, [command]) == f"Error: {shown}; {NO_LINKS}\n"


@pytest.mark.parametrize("command", ["build", "check", "release"])
def test_a_deck_inside_a_deck_is_refused(
    runner: CliRunner, project: Path, built_mini_deck: Path, command: str
) -> None:
    """Absorbed before: the inner deck's facts became the outer deck's."""
    inner = deck_yaml(base=MINI, slug="inner")
    write_tree(built_mini_deck / "inner", {**MINI_DECK, "deck.yaml": inner})
    assert refused(runner, project, built_mini_deck, [command, "cards/mini"]) == (
        "Error: cards/mini/inner/deck.yaml:1: a deck inside the deck 'mini': its facts would "
        "be mixed into it; move the folder beside it (next to mini/) or delete this file\n"
    )


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_separator_in_a_name_keeps_the_lock_readable(
    runner: CliRunner, project: Path, mini_deck: Path, separator: str
) -> None:
    """U+2028, U+2029 and U+0085 in a deck's or sub-deck's name (and so in the lock and the
    release record) made a lock factdeck could not read back: its reader broke lines there."""
    escaped = separator.encode("unicode_escape").decode("ascii")
    edit_deck(mini_deck, name=f"Mi{separator}ni", subdecks={"part": f"Pa{separator}rt"})
    build_ok(runner)
    assert runner.invoke(main, ["release", "-q"]).exit_code == 0
    for name in ("factdeck.lock", "factdeck.releases"):
        text = (mini_deck / name).read_text(encoding="utf-8")
        assert separator not in text and text.split("\n") == [*text.splitlines(), ""]
    (mini_deck / ".factdeck-cache" / "manifest.json").unlink()  # the lock is read again
    result = runner.invoke(main, ["check"])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == f"OK Mi{escaped}ni: 2 facts, 3 notes\n"


@needs_git
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_repository_embedded_in_a_deck_runs_no_code(
    runner: CliRunner,
    project: Path,
    mini_deck: Path,
    tmp_path_factory: pytest.TempPathFactory,
    command: str,
) -> None:
    """A deck folder that arrives holding a bare repository (HEAD, config, objects/, refs/:
    ordinary files to the outer repository): a deck without a lock asks git for a lost one
    in the deck folder, and git took that repository with its config, whose gpg.program
    ran to check the signature of a forged signed commit. Git now refuses it, unasked."""
    ran = tmp_path_factory.mktemp("attacker") / "ran"
    script = ran.with_name("gpg")
    script.write_text(f"#!/bin/sh\ntouch {ran}\n")
    script.chmod(0o755)
    git(project, "init", "-q", "--bare", str(mini_deck))
    bare = ("--git-dir", str(mini_deck))
    git(project, *bare, "config", "log.showSignature", "true")
    git(project, *bare, "config", "gpg.program", str(script))
    blob = git(project, *bare, "hash-object", "-w", "--stdin", input="{}\n").strip()
    tree = git(project, *bare, "mktree", input=f"100644 blob {blob}\tfactdeck.lock\n").strip()
    signed = (
        f"tree {tree}\nauthor T <t@example.org> 1700000000 +0000\n"
        "committer T <t@example.org> 1700000000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    commit_id = git(project, *bare, "hash-object", "-t", "commit", "-w", "--stdin", input=signed)
    git(project, *bare, "update-ref", "HEAD", commit_id.strip())
    result = runner.invoke(main, [command, "-q"])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert not ran.exists()
