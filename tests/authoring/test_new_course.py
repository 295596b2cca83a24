"""`factdeck new COURSE` outside any project: a course repository that builds, releases and
commits only what it should; `new cards/DECK` inside one still makes a deck."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factdeck.authoring import course
from factdeck.authoring.course import render, requirement
from factdeck.cli.main import main

# in the order `new` lists them
COURSE_FILES = [
    "README.md",
    ".gitignore",
    ".gitattributes",
    "requirements.txt",
    ".github/workflows/deck.yml",
]
DECK_FILES = [
    "deck.yaml",
    "examples.yaml",
    "diagrams.yaml",
    "claims.yaml",
    "diagrams/example-leg.svg",
    ".gitignore",  # the deck's own: factdeck's working files, for a deck in any repository
]
SCHEMAS = ["schemas/claims.schema.json", "schemas/deck.schema.json", "schemas/facts.schema.json"]


def _course(runner: CliRunner, where: Path, *args: str) -> Path:
    result = runner.invoke(main, ["new", "knee-course", *args])
    assert result.exit_code == 0, result.output
    return where / "knee-course"


def test_new_outside_a_project_makes_a_course_repository(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["new", "knee-course"])
    assert result.exit_code == 0, result.output
    deck = "knee-course/cards/knee-course"
    assert result.stdout == (
        "Created course knee-course, deck cards/knee-course\n"
        + "".join(f"  file     knee-course/{name}\n" for name in COURSE_FILES)
        + "".join(f"  file     {deck}/{name}\n" for name in DECK_FILES)
        + "  sections 1\n  claims   2\n"
        "Next: cd knee-course && git init && factdeck serve cards/knee-course   (see README.md)\n"
    )
    course = tmp_path / "knee-course"
    assert sorted(_files(course)) == sorted(
        [*COURSE_FILES, *SCHEMAS, *(f"cards/knee-course/{n}" for n in DECK_FILES)]
    )
    assert "factdeck.lock merge=union\n" in (course / ".gitattributes").read_text()
    pinned = f"factdeck=={importlib.metadata.version('factdeck')}\n"
    assert (course / "requirements.txt").read_text().endswith(pinned)
    readme = (course / "README.md").read_text()
    assert readme.startswith("# Knee Course\n")
    needed_lines = (
        "File → Import",
        "factdeck serve cards/knee-course",
        "factdeck release",
        "The first release ships the version written there (`0.1.0`)",  # not bumped first
    )
    for needed in needed_lines:
        assert needed in readme
    assert not (tmp_path / "schemas").exists()  # nothing outside the course


def test_the_course_builds_releases_and_git_tracks_only_its_sources(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    course = _course(runner, tmp_path)
    monkeypatch.chdir(course)
    for command in (["check"], ["lint"], ["build"], ["release"], ["release", "--again"]):
        done = runner.invoke(
            main, [*command, "--out", "release"] if "--again" in command else command
        )
        assert done.exit_code == 0, (command, done.output)
    assert (course / "release" / "knee-course-0.1.0.apkg").read_bytes() == (
        course / "dist" / "knee-course-0.1.0.apkg"
    ).read_bytes()
    git = ["git", "-c", "init.defaultBranch=main", "-C", str(course)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    tracked = subprocess.run(
        [*git, "ls-files"], check=True, capture_output=True, text=True
    ).stdout.split()
    assert sorted(tracked) == sorted(
        [
            *COURSE_FILES,
            *SCHEMAS,
            *(f"cards/knee-course/{n}" for n in DECK_FILES),
            "cards/knee-course/factdeck.lock",
            "cards/knee-course/factdeck.releases",  # the release record, beside the lock
        ]
    )
    attribute = subprocess.run(
        [
            *git,
            "check-attr",
            "merge",
            "cards/knee-course/factdeck.lock",
            "cards/knee-course/factdeck.releases",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert attribute == (
        "cards/knee-course/factdeck.lock: merge: union\n"
        "cards/knee-course/factdeck.releases: merge: union\n"
    )


def test_the_workflow_checks_every_push_and_releases_on_a_tag(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    course = _course(runner, tmp_path)
    workflow = yaml.safe_load((course / ".github/workflows/deck.yml").read_text())
    assert workflow[True] == ["push", "pull_request"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "write"}
    steps = workflow["jobs"]["deck"]["steps"]
    runs = [(step.get("if"), step["run"].split()[:3]) for step in steps if "run" in step]
    tag = "startsWith(github.ref, 'refs/tags/v')"
    assert runs == [
        (None, ["python", "-m", "pip"]),
        (None, ["factdeck", "check"]),
        (None, ["factdeck", "lint"]),
        (tag, ["factdeck", "release", "--again"]),
        (tag, ["cat", "release/*.md", ">"]),
    ]
    assert "gh release create" in steps[-1]["run"]


def test_inside_a_course_new_makes_decks_as_before(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    course = _course(runner, tmp_path)
    monkeypatch.chdir(course)
    made = runner.invoke(main, ["new", "cards/hip"])
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("Created cards/hip\n")
    assert not (course / "cards" / "hip" / "README.md").exists()
    monkeypatch.chdir(course / "cards" / "hip")
    beside = runner.invoke(main, ["new", "../ankle"])  # `..` is not inside this deck
    assert beside.exit_code == 0, beside.output
    assert (course / "cards" / "ankle" / "deck.yaml").is_file()
    named = runner.invoke(main, ["new", "../knee", "--deck", "knee"])
    assert (named.exit_code, named.stderr.splitlines()[-1]) == (
        2,
        "Error: --deck names a new course's first deck; ../knee is a deck inside a project",
    )
    assert not (course / "cards" / "knee").exists()


def test_a_course_from_an_article_with_its_deck_named(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knee.md").write_text(
        "# Knee Basics\n\n## Ligaments\n\nFour ligaments hold the knee together.\n",
        encoding="utf-8",
    )
    course = _course(runner, tmp_path, "--deck", "Knee Joint", "--from", "knee.md")
    spec = yaml.safe_load((course / "cards" / "knee-joint" / "deck.yaml").read_text())
    assert (spec["slug"], spec["source"]["title"]) == ("knee-joint", "Knee Basics")
    assert "factdeck serve cards/knee-joint" in (course / "README.md").read_text()


def test_new_refuses_a_course_folder_in_use(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knee-course").mkdir()
    (tmp_path / "knee-course" / "notes.txt").write_text("mine")
    taken = runner.invoke(main, ["new", "knee-course"])
    assert (taken.exit_code, taken.stderr) == (
        1,
        "Error: knee-course: already exists and is not empty; give a new folder, e.g. my-course\n",
    )
    unnamed = runner.invoke(main, ["new", "other", "--deck", "!!"])
    assert (unnamed.exit_code, unnamed.stderr) == (
        1,
        "Error: other: give the deck a name of letters or digits, e.g. --deck knee\n",
    )
    assert sorted(_files(tmp_path)) == ["knee-course/notes.txt"]


def _files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("origin", "line", "unreachable"),
    [
        (None, "factdeck==1.2.0", None),  # from a package index
        (
            {
                "url": "https://github.com/o/factdeck",
                "vcs_info": {"vcs": "git", "commit_id": "ab12"},
            },
            "factdeck @ git+https://github.com/o/factdeck@ab12",
            None,
        ),
        (
            {"url": "https://example.org/factdeck-1.2.0-py3-none-any.whl", "archive_info": {}},
            "factdeck @ https://example.org/factdeck-1.2.0-py3-none-any.whl",
            None,
        ),
        (
            {"url": "file:///tmp/w/factdeck-1.2.0-py3-none-any.whl", "archive_info": {}},
            "factdeck==1.2.0",
            "/tmp/w/factdeck-1.2.0-py3-none-any.whl",
        ),
        (
            {"url": "file:///src/factdeck", "dir_info": {"editable": True}},
            "factdeck==1.2.0",
            "/src/factdeck",
        ),
    ],
)
def test_requirements_pin_the_factdeck_a_clone_can_install(
    origin: dict[str, object] | None, line: str, unreachable: str | None
) -> None:
    """A course made by a factdeck installed from a local wheel (factdeck is not on PyPI)
    once pinned `factdeck==0.1.0`, which every clone's `pip install -r` and the CI workflow
    failed to find; now a git or web origin is pinned as it is, a local one is flagged."""
    pin = requirement("1.2.0", origin)
    assert (pin.line, pin.unreachable) == (line, unreachable)
    text = render("knee-course", "knee-course", pin)["requirements.txt"]
    assert text.endswith(f"{line}\n")
    assert ("FIX BEFORE PUSHING" in text) == (unreachable is not None)


def test_new_warns_when_the_pinned_factdeck_is_local(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    wheel = {"url": "file:///w/factdeck-0.1.0-py3-none-any.whl", "archive_info": {}}
    monkeypatch.setattr(course, "installed_origin", lambda: wheel)
    result = runner.invoke(main, ["new", "knee-course"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Warning: knee-course/requirements.txt: pins factdeck as installed from "
        "/w/factdeck-0.1.0-py3-none-any.whl, which a clone of the course and its CI cannot "
        "install from; before pushing, replace it with `factdeck @ git+https://...@COMMIT`, "
        "a wheel's web address or a wheel committed to the course "
        "(./factdeck-0.1.0-py3-none-any.whl)\n"
    )
    text = (tmp_path / "knee-course" / "requirements.txt").read_text()
    assert "here by its path (./factdeck-0.1.0-py3-none-any.whl).\n" in text


def test_the_readme_s_tag_and_push_reach_the_remote(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's release step, run as written: it once said `git tag v<version> && git
    push --follow-tags`, which pushes no lightweight tag, so CI never saw the release."""
    monkeypatch.chdir(tmp_path)
    course = _course(runner, tmp_path)
    readme = (course / "README.md").read_text()
    (step,) = re.findall(r"`(git tag [^`]*)`", readme)
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git = ["git", "-c", "user.name=I", "-c", "user.email=i@example.org"]
    for args in (
        ["init", "-q", "-b", "main"],
        ["remote", "add", "origin", str(remote)],
        ["add", "-A"],
        ["commit", "-q", "-m", "Release 0.1.0"],
        ["push", "-q", "-u", "origin", "main"],
    ):
        subprocess.run([*git, *args], cwd=course, check=True)
    command = step.replace("<version>", "0.1.0").replace("git ", " ".join(git) + " ")
    subprocess.run(command, shell=True, cwd=course, check=True, capture_output=True)
    tags = subprocess.run(
        ["git", "-C", str(remote), "tag"], check=True, capture_output=True, text=True
    ).stdout
    assert tags == "v0.1.0\n"
