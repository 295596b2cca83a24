"""Fixtures for every test: a CLI runner, a fixed clock, a machine secret of the session's
own, a project with the real templates, the mini deck (built or not) and the shipped deck,
builds and engine collections shared per session, and one headless Chromium. Plain helpers
live in tests/support/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdeck.fs import secret
from factdeck.pipeline import BuildResult, build
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.decks import EPOCH, MINI_DECK, REAL_DECK, TEMPLATES, write_tree
from tests.support.engine import import_package, open_collection
from tests.support.hostile import build_ok


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session", autouse=True)
def _machine_secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This session's own machine secret (fs/secret.py), not the user's in ~/.cache; through
    the environment, so factdeck run in a subprocess uses it too."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield secret.secret_path()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the real templates and an empty cards/ folder."""
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "cards").mkdir()
    return tmp_path


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project as the working folder, as an instructor runs factdeck; modules that need it
    for every test say `pytestmark = pytest.mark.usefixtures("in_project")`."""
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def outside(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What hostile input must never reach: a folder beside the project and a HOME of the
    test's own, each holding a file (tests.support.hostile.refused compares them)."""
    home = write_tree(project.parent / f"{project.name}-home", {".bashrc": "# mine\n"})
    monkeypatch.setenv("HOME", str(home))
    return write_tree(project.parent / f"{project.name}-sibling", {"victim-bashrc": "keep me\n"})


@pytest.fixture
def mini_deck(project: Path) -> Path:
    return write_tree(project / "cards" / "mini", MINI_DECK)


@pytest.fixture
def built_mini_deck(runner: CliRunner, mini_deck: Path) -> Path:
    """The mini deck, built: dist/ and the lock hold a good release to be left untouched."""
    build_ok(runner)
    return mini_deck


@pytest.fixture
def real_deck(project: Path) -> Path:
    """A copy of the shipped deck, so tests never touch the repository's lock file."""
    dest = project / "cards" / REAL_DECK.name
    shutil.copytree(REAL_DECK, dest)
    return dest


@pytest.fixture(scope="session")
def deck_builder(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], BuildResult]:
    """Build a copy of a deck of cards/ once per test session, whoever asks first."""
    built: dict[Path, BuildResult] = {}

    def build_copy(deck: Path) -> BuildResult:
        if deck not in built:
            root = tmp_path_factory.mktemp(deck.name)
            shutil.copytree(TEMPLATES, root / "templates")
            shutil.copytree(deck, root / "cards" / deck.name)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
                built[deck] = build(root / "cards" / deck.name, root / "dist")
        return built[deck]

    return build_copy


@pytest.fixture(scope="session")
def built_real_deck(deck_builder: Callable[[Path], BuildResult]) -> BuildResult:
    """The shipped deck built once per test session (from a copy)."""
    return deck_builder(REAL_DECK)


@pytest.fixture(scope="session")
def built_portable_deck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildResult]:
    """The shipped deck with `occlusion: portable` (diagrams for clients without native IO)."""
    root = tmp_path_factory.mktemp("portable")
    shutil.copytree(TEMPLATES, root / "templates")
    deck_dir = root / "cards" / REAL_DECK.name
    shutil.copytree(REAL_DECK, deck_dir)
    with (deck_dir / "deck.yaml").open("a", encoding="utf-8") as deck_yaml:
        deck_yaml.write("occlusion: portable\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        yield build(deck_dir, root / "dist")


@pytest.fixture(scope="session")
def shipped_collection(
    built_real_deck: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The shipped deck imported once into a fresh collection of the Anki engine: read it only."""
    col = open_collection(tmp_path_factory.mktemp("shipped"))
    import_package(col, built_real_deck.apkg)
    yield col
    col.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) per session. Missing: skip, or fail where CI needs it."""
    if not CHROMIUM.exists():
        reason = f"needs Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("FACTDECK_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests (killing real builds) run in CI (.ci/run sets FACTDECK_SLOW=1)."""
    if os.environ.get("FACTDECK_SLOW"):
        return
    skip = pytest.mark.skip(reason="slow: set FACTDECK_SLOW=1 (as .ci/run does) to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def simulated_class(built_real_deck: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Five students study the shipped deck in the engine and send their exports (one a
    whole collection with a deck of their own); four cards are hard on purpose, and one
    student finds them easy (tests/support/classroom.py)."""
    from tests.support.classroom import simulate

    return simulate(built_real_deck, tmp_path_factory.mktemp("class"))
