"""`factdeck analyze EXPORT...`: read every export, then for each deck of the project that
the exports hold, write OUT/<slug>-analysis.html and OUT/<slug>-analysis.csv.

Every export is read (and every problem with one reported) before anything is written, so
a damaged export, one that is not Anki's, or one without a card of the decks here leaves
OUT as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factdeck.analyze import exports as export_files
from factdeck.analyze import report
from factdeck.analyze.known import known_cards
from factdeck.analyze.stats import Analysis, analyze
from factdeck.errors import FactdeckError, Location, Problem, collect, shown_path
from factdeck.facts.model import DeckSpec
from factdeck.fs import atomic, oserrors
from factdeck.history import lock as deck_lock
from factdeck.pipeline import expanded
from factdeck.render.project import project_root


@dataclass(frozen=True, slots=True)
class Written:
    deck: DeckSpec
    analysis: Analysis
    html: Path
    csv: Path


def run(paths: Sequence[Path], deck_dirs: Sequence[Path], out_dir: Path) -> tuple[Written, ...]:
    problems: list[Problem] = []
    read = []
    seen: dict[str, Path] = {}
    for path in paths:
        export = collect(problems, lambda p=path: export_files.read(p, out_dir))  # type: ignore[misc]
        if export is None:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            problems.append(
                Problem(
                    Location(path),
                    f"the same export as {shown_path(seen[digest])}: each student once",
                )
            )
            continue
        seen[digest] = path
        read.append((path, export))
    if problems:
        raise FactdeckError(problems)
    decks = []
    for deck_dir in deck_dirs:
        checked = expanded(deck_dir)
        spec = checked.deck.spec
        known = known_cards(checked, deck_lock.read(deck_dir, spec.version))
        decks.append((spec, known))
    guids = {guid for _, known in decks for guid, _ in known}
    for path, export in read:
        if not any(card.guid in guids for card in export.cards):
            problems.append(
                Problem(
                    Location(path),
                    f"holds no card of {', '.join(s.slug for s, _ in decks)} "
                    f"({len(export.cards)} card{'' if len(export.cards) == 1 else 's'} of "
                    "other decks): is it an export of this course's deck?",
                )
            )
    if problems:
        raise FactdeckError(problems)
    written = []
    root = project_root(deck_dirs[0])
    for spec, known in decks:
        found = analyze(
            (e for _, e in read),
            known,
            {key: area.name for key, area in spec.exam_areas.items()},
            {k: a.weight / 100 for k, a in spec.exam_areas.items() if a.weight is not None},
        )
        if not found.students:
            continue
        html_path = out_dir / f"{spec.slug}-analysis.html"
        csv_path = out_dir / f"{spec.slug}-analysis.csv"
        texts = {
            html_path: report.html(found, spec, root, out_dir),
            csv_path: report.csv_text(found, root),
        }
        with oserrors.reported():
            for dest, text in texts.items():
                with atomic.replacing(dest) as tmp:
                    tmp.write_text(text, encoding="utf-8")
        written.append(Written(spec, found, html_path, csv_path))
    return tuple(written)
