"""The pipeline tells a watch about each stage, in order: what --verbose and the bar rely on."""

from __future__ import annotations

from pathlib import Path

from factdeck.pipeline import BUILD_STAGES, build, check
from factdeck.stages import StageTime, Stopwatch


def test_build_reports_every_stage_in_order(mini_deck: Path, tmp_path: Path) -> None:
    started: list[str] = []
    ended: list[StageTime] = []
    ticks = iter(range(100))
    watch = Stopwatch(
        on_start=started.append, on_end=ended.append, clock=lambda: float(next(ticks))
    )
    build(mini_deck, tmp_path / "dist", watch=watch)
    assert tuple(started) == BUILD_STAGES
    assert watch.times == ended
    assert [(t.stage, t.seconds) for t in ended] == [(stage, 1.0) for stage in BUILD_STAGES]


def test_check_reports_the_lock_stage_last(mini_deck: Path) -> None:
    watch = Stopwatch()
    check(mini_deck, watch=watch)
    assert [t.stage for t in watch.times] == ["load", "validate", "templates", "expand", "lock"]
