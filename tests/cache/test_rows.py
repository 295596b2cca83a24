"""Cache rows (cache/rows.py): every record of the shipped deck comes back equal from its
row, paths joined to the folder being built; rows of any other shape are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdeck.cache import incremental, rows
from factdeck.cache.store import context
from factdeck.facts.load import fact_paths
from factdeck.lint.engine import Seen, file_lint
from factdeck.lint.rules.repeats import Asked
from factdeck.pipeline import providers
from factdeck.render.layers import find_templates
from factdeck.stages import unwatched


def test_every_record_of_the_shipped_deck_survives_its_row(real_deck: Path) -> None:
    templates = find_templates(real_deck)
    deck, templates_set, files = incremental.expanded(real_deck, templates, providers(), unwatched)
    drawings = context(real_deck, real_deck / "deck.yaml", templates).drawings
    assert any(m for f in files for n in f.notes for m in n.media)
    shapes = set()
    for path, file in zip(fact_paths(real_deck), files, strict=True):
        entries = tuple(e for e in deck.entries if e.location.path == path)
        text = rows.file_row(real_deck, entries, file.notes, drawings)
        assert str(real_deck) not in text
        assert rows.file_records(text.encode(), real_deck, drawings) == (entries, file.notes)
        lint = file_lint(deck, file.notes, templates_set.note_types, file.entries)
        text = rows.lint_row(real_deck, file.notes, lint)
        assert str(real_deck) not in text
        assert rows.lint_record(text.encode(), real_deck, file.notes) == lint
        shapes |= {card.shape for card in lint.cards}
    assert shapes == {"qa", "cloze", "diagram"}
    asked = Asked(frozenset({5, 2**64 - 1}), frozenset({(5, 2**64 - 1)}))
    seen = Seen(frozenset({3, -(2**70)}), frozenset({(1, 2)}), asked)
    assert rows.seen_record(rows.seen_row(seen).encode()) == seen


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../x.yaml", "a/../../x", "C:/x", "a\\b", "./a", "", "a\u0000"]
)
def test_a_path_outside_the_deck_is_not_a_row(path: str) -> None:
    row = {
        "format": rows.FORMAT,
        "kind": "lint",
        "cards": [],
        "keys": [],
        "answers": [],
        "findings": [
            {"location": {"path": path, "line": 1}, "fact_id": "x", "rule": "r", "message": "m"}
        ],
        "index": {"asked": [], "mcq": [], "used": [], "british": [], "ids": [], "labels": []},
        "digests": [],
        "names": [],
    }
    with pytest.raises(rows.Foreign):
        rows.lint_record(json.dumps(row).encode(), Path("deck"), ())
    row["findings"][0]["location"]["path"] = "a.yaml"  # type: ignore[index]
    assert rows.lint_record(json.dumps(row).encode(), Path("deck"), ()).findings
