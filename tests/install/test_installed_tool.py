"""The tool as an instructor elsewhere gets it: factdeck's wheel and sdist built from this
repository's sources, the wheel installed into a fresh venv outside the repository, and a
course made, written, built and released with the installed `factdeck` alone; the release
imported into the official Anki engine; the course's generated CI workflow run step by step
in a shell over a clone of its repository, as GitHub Actions would on a version tag.

Slow (FACTDECK_SLOW=1, as .ci/run sets): two isolated builds and a pip install with the
dependencies from the package index (pip's cache makes it about a minute)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.support.decks import REPO
from tests.support.engine import import_package, open_collection, render_all

pytestmark = pytest.mark.slow

BUILTIN = REPO / "src" / "factdeck" / "templates"
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "src")

KNEE = """\
# One knee fact of every kind, and a diagram of the front of the knee.
defaults:
  source: introduction
  subdeck: examples
facts:
  - id: femoral-nerve
    kind: nerve
    name: femoral nerve
    levels: L2–L4
    branches: [saphenous nerve, anterior cutaneous nerves of the thigh]
    tags: [exam::anatomy]
  - id: popliteal-fossa
    kind: structure
    name: popliteal fossa
    is_a: a diamond-shaped hollow
    location: behind the knee joint
    tags: [exam::anatomy]
  - id: popliteus
    kind: muscle
    name: popliteus
    origin: the lateral femoral condyle
    insertion: the posterior surface of the tibia
    actions: [unlocks the extended knee]
    innervation: the tibial nerve (L4–S1)
    tags: [exam::anatomy]
  - id: prepatellar-bursitis
    kind: condition
    name: prepatellar bursitis
    pain_felt_in: [the front of the kneecap]
    tags: [exam::pathology]
  - id: friction
    kind: technique
    name: cross-fiber friction
    how: with short firm strokes across the fibers of a tendon
    tags: [exam::techniques]
  - id: knee-joint-type
    kind: statement
    text: The knee is mainly a {{c1::hinge}} joint.
    tags: [exam::anatomy]
  - id: knee-extensors
    kind: question
    question: Which muscle group extends the knee?
    answer: The quadriceps femoris
    tags: [exam::anatomy]
  - id: case-kneeling
    kind: case
    presentation: >-
      A carpet fitter who kneels all day has a soft swelling over the front of one
      kneecap that hurts when pressed.
    question: Which condition is the first suspect?
    answer: Prepatellar bursitis
    why: Long kneeling presses and irritates the bursa in front of the patella.
    look_alikes: [knee-extensors]
    tags: [exam::pathology]
  - id: figure-knee-front
    kind: diagram
    image: diagrams/knee-front.svg
    header: "The front of the knee: the kneecap and the band below it"
    subdeck: diagrams
    masks:
      - label-patella
      - label-ligament
    tags: [exam::anatomy]
"""

KNEE_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">
  <rect width="400" height="300" fill="#fbfaf7"/>
  <ellipse cx="200" cy="110" rx="45" ry="55" fill="#b9d3e8" stroke="#2f5d80" stroke-width="4"/>
  <rect x="185" y="165" width="30" height="95" rx="8" fill="#8fb5d6" stroke="#2f5d80"
        stroke-width="4"/>
  <g id="label-patella">
    <rect x="260" y="60" width="120" height="32" rx="5" fill="#fff" stroke="#333"/>
    <text x="272" y="82" font-family="sans-serif" font-size="17">patella</text>
  </g>
  <g id="label-ligament">
    <rect x="20" y="200" width="150" height="32" rx="5" fill="#fff" stroke="#333"/>
    <text x="32" y="222" font-family="sans-serif" font-size="17">patellar ligament</text>
  </g>
</svg>
"""

# What a card of each kind of KNEE asks or shows (its question side), to find it in Anki.
ASKED = {
    "nerve": "femoral nerve",
    "structure": "popliteal fossa",
    "condition": "prepatellar bursitis",
    "technique": "cross-fiber friction",
    "statement": "mainly a",
    "question": "Which muscle group extends the knee?",
    "case": "A carpet fitter who kneels all day",
}
TAG = "startsWith(github.ref, 'refs/tags/v')"
FAKE_GH = """\
#!/bin/sh
# GitHub's CLI, as far as this test needs it: record the call, and what it would upload.
printf '%s\\n' "$@" > "$GH_CALLS"
for arg in "$@"; do [ -f "$arg" ] && cp "$arg" "$GH_UPLOADS/"; done
[ "$GH_TOKEN" = test-token ]
"""


def test_installed_factdeck_makes_builds_and_releases_a_course(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    wheel, sdist = _wheel_and_sdist(tmp_path / "source", tmp_path / "wheels")
    _holds_templates_and_license(wheel, sdist)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    env = _env(venv, tmp_path)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path, env)
    where = _run([str(venv / "bin" / "python"), "-c", _WHERE], tmp_path, env).stdout
    assert Path(where.strip()).is_relative_to(venv), where  # the installed copy, not src/

    work = tmp_path / "work"
    work.mkdir()
    factdeck = str(venv / "bin" / "factdeck")
    made = _run([factdeck, "new", "knee-course"], work, env)
    assert made.stdout.startswith("Created course knee-course, deck cards/knee-course\n")
    # installed from a local wheel: no clone or CI runner can get factdeck==VERSION (not on
    # PyPI), so `new` says to replace the pin; the instructor commits the wheel instead
    assert "which a clone of the course and its CI cannot install" in made.stderr
    course = work / "knee-course"
    shutil.copy(wheel, course / wheel.name)
    pins = (course / "requirements.txt").read_text().splitlines()
    assert pins[-1].startswith("factdeck=="), pins
    (course / "requirements.txt").write_text("\n".join([*pins[:-1], f"./{wheel.name}", ""]))
    deck = course / "cards" / "knee-course"
    (deck / "knee.yaml").write_text(KNEE, encoding="utf-8")
    (deck / "diagrams" / "knee-front.svg").write_text(KNEE_SVG, encoding="utf-8")
    kinds = _kinds(factdeck, course, env)
    assert {f["kind"] for f in yaml.safe_load(KNEE)["facts"]} == kinds  # one of each
    built = _run([factdeck, "build"], course, env)
    assert "Warning" not in built.stdout + built.stderr, built.stderr
    released = _run([factdeck, "release"], course, env).stdout
    assert released.startswith("Released Knee Course 0.1.0 -> dist/knee-course-0.1.0.apkg")
    assert not (course / "templates").exists()  # the built-in set, from the wheel
    apkg = course / "dist" / "knee-course-0.1.0.apkg"

    col = open_collection(tmp_path_factory.mktemp("anki"))
    log = import_package(col, apkg)
    cards = render_all(col)
    col.close()
    assert log.new > 0 and (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
    assert {c.deck for c in cards} == {"Knee Course::Examples", "Knee Course::Diagrams"}
    for kind, asked in ASKED.items():
        assert any(asked in c.question for c in cards), (kind, asked)
    occlusion = [c for c in cards if "knee-front" in c.question]
    assert len(occlusion) == 2  # one card per mask of the knee diagram
    for card in cards:
        assert card.question.strip() and card.answer.strip(), card
        assert "No cloze" not in card.question + card.answer, card

    # The course as CI sees it: a clone of its repository (no dist/), the workflow's steps.
    git = ["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.org"]
    _run([*git, "-c", "init.defaultBranch=main", "init", "-q"], course, env)
    _run([*git, "add", "-A"], course, env)
    _run([*git, "commit", "-q", "-m", "Release 0.1.0"], course, env)
    _run([*git, "tag", "v0.1.0"], course, env)
    clone = tmp_path / "ci"
    _run(["git", "clone", "-q", "--branch", "v0.1.0", str(course), str(clone)], tmp_path, env)
    assert not (clone / "dist").exists()
    calls, uploads, runner_temp = tmp_path / "gh-calls", tmp_path / "uploads", tmp_path / "rt"
    uploads.mkdir()
    runner_temp.mkdir()
    fake = tmp_path / "gh-bin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH)
    (fake / "gh").chmod(0o755)
    runner_venv = tmp_path / "runner"  # a fresh runner: factdeck only from requirements.txt
    _run([sys.executable, "-m", "venv", str(runner_venv)], cwd=tmp_path)
    ci_env = {
        **env,
        "PATH": os.pathsep.join([str(fake), str(runner_venv / "bin"), os.environ["PATH"]]),
        "GITHUB_REF": "refs/tags/v0.1.0",
        "GITHUB_REF_NAME": "v0.1.0",
        "RUNNER_TEMP": str(runner_temp),
        "GH_CALLS": str(calls),
        "GH_UPLOADS": str(uploads),
    }
    workflow = yaml.safe_load((clone / ".github" / "workflows" / "deck.yml").read_text())
    ran = []
    for step in workflow["jobs"]["deck"]["steps"]:
        if "run" not in step:
            assert step["uses"].startswith(("actions/checkout@", "actions/setup-python@"))
            continue
        assert step.get("if") in (None, TAG), step
        step_env = {
            **ci_env,
            **{
                k: "test-token" if "github.token" in v else v
                for k, v in step.get("env", {}).items()
            },
        }
        _run(["bash", "-e", "-c", step["run"]], clone, step_env)
        ran.append(step["name"])
    assert ran == [
        "Install factdeck",
        "Check",
        "Lint",
        "Write the release again",
        "Attach it to a GitHub release",
    ]
    assert calls.read_text().splitlines() == [
        "release",
        "create",
        "v0.1.0",
        "release/knee-course-0.1.0.apkg",
        "release/knee-course-0.1.0.md",
        "--title",
        "v0.1.0",
        "--notes-file",
        f"{runner_temp}/notes.md",
    ]
    assert (uploads / "knee-course-0.1.0.apkg").read_bytes() == apkg.read_bytes()
    notes = (course / "dist" / "knee-course-0.1.0.md").read_text()
    assert (uploads / "knee-course-0.1.0.md").read_text() == notes
    assert (uploads / "notes.md").read_text() == notes


_WHERE = "import factdeck; print(factdeck.__file__)"


def _wheel_and_sdist(source: Path, out: Path) -> tuple[Path, Path]:
    """`python -m build` over a copy of the package's sources (it writes egg-info beside
    them), sdist first and the wheel from the sdist, as PyPI users get them."""
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy(path, source / name)
    _run([sys.executable, "-P", "-m", "build", "--outdir", str(out), str(source)], source)
    (wheel,) = out.glob("factdeck-*.whl")
    (sdist,) = out.glob("factdeck-*.tar.gz")
    return wheel, sdist


def _holds_templates_and_license(wheel: Path, sdist: Path) -> None:
    builtin = {
        p.relative_to(BUILTIN).as_posix()
        for p in BUILTIN.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert builtin
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        n.removeprefix("factdeck/templates/") for n in names if n.startswith("factdeck/templates/")
    } == builtin
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    assert {f"src/factdeck/templates/{n}" for n in builtin} <= members
    assert {"LICENSE", "README.md", "pyproject.toml"} <= members


def _kinds(factdeck: str, course: Path, env: dict[str, str]) -> set[str]:
    """The kinds the installed factdeck knows: the unindented lines of `factdeck kinds`."""
    listed = _run([factdeck, "kinds"], course, env).stdout.splitlines()
    return {line for line in listed if line and not line[0].isspace()}


def _env(venv: Path, tmp_path: Path) -> dict[str, str]:
    """The venv first on PATH, nothing of this repository on sys.path, factdeck's machine
    secret in tmp_path (not the user's), pip's cache where it was."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    env.setdefault("PIP_CACHE_DIR", str(Path(cache) / "pip"))
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["NO_COLOR"] = "1"
    return env


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done
