"""`factdeck serve` refusals, without a browser (tests/test_serve_browser.py drives the page)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdeck.cli.main import main
from tests.support.decks import MINI_DECK, write_tree


def test_a_port_in_use_is_one_line(runner: CliRunner, mini_deck: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", str(mini_deck), "--port", str(port)])
    assert result.exit_code == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}" in result.output
    assert "pass another --port" in result.output and "Traceback" not in result.output


def test_without_a_deck_and_several_under_cards_it_asks_which(
    runner: CliRunner, mini_deck: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        project / "cards" / "other",
        {**MINI_DECK, "deck.yaml": MINI_DECK["deck.yaml"].replace("slug: mini", "slug: other")},
    )
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "which deck? name one (decks under cards/: cards/mini, cards/other)" in result.output
