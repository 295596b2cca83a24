"""Watching the pipeline's stages: how long each took (`--verbose`) and which one runs (the
progress bar). The pipeline only says when a stage starts and ends; who listens decides
what to show, so the library stays free of any terminal concerns."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

Watch = Callable[[str], AbstractContextManager[None]]

# The stages `build` reports to its watch, in order (the progress bar counts them);
# here, not in pipeline.py, so the CLI knows them without importing the pipeline.
BUILD_STAGES = (
    "load",
    "validate",
    "templates",
    "expand",
    "stamp",
    "package",
    "verify",
    "write",
    "lint",
)


def unwatched(stage: str) -> AbstractContextManager[None]:
    """The default watch: nobody is listening."""
    return contextlib.nullcontext()


@dataclass(frozen=True, slots=True)
class StageTime:
    stage: str
    seconds: float


class Stopwatch:
    """A Watch that records each stage's duration and tells `on_start`/`on_end` about it."""

    def __init__(
        self,
        on_start: Callable[[str], None] | None = None,
        on_end: Callable[[StageTime], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.times: list[StageTime] = []
        self._on_start = on_start
        self._on_end = on_end
        self._clock = clock

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self._on_start:
            self._on_start(stage)
        started = self._clock()
        yield
        timed = StageTime(stage, self._clock() - started)
        self.times.append(timed)
        if self._on_end:
            self._on_end(timed)
