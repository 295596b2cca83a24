"""Which decks a command runs over, and running it deck by deck: every deck's problems are
reported, and the command fails at the end if any deck failed."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from factdeck.cli.terminal import EXIT_INPUT, finish_progress, progress_bar, report_problems
from factdeck.errors import FactdeckError
from factdeck.fs import read
from factdeck.stages import Stopwatch


def dist_dir(deck_dir: Path) -> Path:
    """The project's dist/, also when the command runs inside a deck folder (`build .`).
    Not a symbolic link: git ignores the folder dist/ but not a link of that name, which a
    repository can commit, and every build would write where it points (--out names
    another folder on purpose)."""
    from factdeck.render.project import project_root

    out = project_root(deck_dir) / "dist"
    read.refuse_link(
        out,
        "the packages, notes and preview would be written where it points, outside the "
        "project: delete the link (a build makes the folder), or pass --out to write "
        "elsewhere on purpose",
    )
    return out


def each_deck(
    deck_dirs: tuple[Path, ...],
    cards_dir: Path,
    action: Callable[[Path, Stopwatch], None],
    stages: Sequence[str] = (),
) -> None:
    """Run `action` on every deck with a Stopwatch for the pipeline's stages (--verbose);
    report each deck's problems and fail at the end if any. With `stages`, big work on a
    terminal shows a progress bar that counts them, deck by deck."""
    decks = list(deck_dirs or find_decks(cards_dir))
    if len(decks) > 1:  # one deck cannot clash; and guards' imports cost a fast rebuild
        from factdeck.history.guards import distinct_decks

        distinct_decks(decks)
    bar = progress_bar(decks, stages)
    failed = False
    try:
        for number, deck_dir in enumerate(decks, 1):
            watch = Stopwatch()
            if bar is not None:

                def started(stage: str, name: str = deck_dir.name) -> None:
                    bar.label = f"{name}: {stage:<9}"  # a steady bar
                    bar.render_progress()

                watch = Stopwatch(on_start=started, on_end=lambda _timed: bar.update(1))
            try:
                action(deck_dir, watch)
            except FactdeckError as exc:
                report_problems(exc)
                failed = True
            if bar is not None:
                bar.update(number * len(stages) - bar.pos)  # a failed deck skips its rest
    finally:
        if bar is not None:
            finish_progress(bar)
    if failed:
        sys.exit(EXIT_INPUT)


def find_decks(cards_dir: Path) -> Iterator[Path]:
    decks = sorted(p.parent for p in cards_dir.glob("*/deck.yaml"))
    if not decks:
        raise FactdeckError.at(
            None,
            f"no decks found: no {cards_dir}/*/deck.yaml; pass a DECK_DIR or --cards DIR, or "
            "start one with `factdeck new cards/DECK` (in a course) or `factdeck new COURSE` "
            "(a course repository of its own)",
        )
    yield from decks


def size_text(size: int) -> str:
    return f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
