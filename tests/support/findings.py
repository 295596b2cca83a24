"""Lint findings of a deck written by a test: the deck expanded and linted whole, as
lint/engine.lint does without the cache (what the cached lint of a build must equal)."""

from __future__ import annotations

from pathlib import Path

from factdeck.lint.engine import Finding, lint
from factdeck.pipeline import expanded


def linted(deck_dir: Path) -> tuple[Finding, ...]:
    checked = expanded(deck_dir)
    return lint(checked.deck, checked.notes, checked.templates.note_types)
