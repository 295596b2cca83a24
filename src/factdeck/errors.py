"""User mistakes as data: every problem says where it is and what to do.

Bugs stay ordinary exceptions and keep their traceback; only `FactdeckError`
is caught (by the CLI) and shown as plain text.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Location:
    path: Path
    line: int | None = None

    def __str__(self) -> str:
        shown = shown_path(self.path)
        return f"{shown}:{self.line}" if self.line else str(shown)


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class FactdeckError(Exception):
    """One or more problems in the user's input; the build stops and writes nothing."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, location: Location | None, message: str) -> FactdeckError:
        return cls([Problem(location, message)])


def collect(problems: list[Problem], make: Callable[[], T]) -> T | None:
    """`make()`, or None with its problems added to `problems`: report all, not the first."""
    try:
        return make()
    except FactdeckError as exc:
        problems.extend(exc.problems)
        return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def shown_path(path: Path) -> Path:
    """`path` relative to the working directory when it is below it: short, clickable. A link
    is named where it is, not where it leads (the problem may be that it is one). Never
    raises: a folder that loops, or the working folder deleted under a running `serve`,
    leaves the path as given."""
    try:
        whole = (
            path.resolve() if path.name in ("", ".", "..") else path.parent.resolve() / path.name
        )
        return whole.relative_to(Path.cwd().resolve())
    except (ValueError, OSError, RuntimeError):
        return path
