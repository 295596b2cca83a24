"""How the command line talks: -q/-v, results on stdout, aligned rows, stage timings, and a
progress bar for big builds. cli/main.py says what to show; this decides whether and how.

Output goes through click, which strips colour when the stream is not a terminal; cli/main.py
also turns colour off when NO_COLOR is set. While a progress bar draws on stderr, other
output is held back and printed, in order, once the bar is done.

Names come from the file system and text from files that may be hostile: every control
character (an escape sequence can retitle the window, move the cursor, hide or rewrite what
was printed) and every bidirectional control is printed as an escape (`\x1b`, `\u202e`);
only the colours of our own styles pass.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from factdeck.errors import FactdeckError
from factdeck.stages import StageTime

QUIET, NORMAL, VERBOSE = 0, 1, 2
EXIT_INPUT = 1  # a problem in the input (2, a usage error, is click's own)
BIG_DECK_COUNT = 4  # a progress bar from this many decks on ...
BIG_YAML_BYTES = 256 * 1024  # ... or this much YAML (some thousands of facts)
_LEVEL = "factdeck.level"
_HELD = "factdeck.held"
_OWN_STYLE = r"\x1b\[(?:0|1|3[0-7]|9[0-7])m"  # what click.style makes of ours
_UNSAFE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_TERMINAL = re.compile(f"({_OWN_STYLE})|{_UNSAFE}")
_ANY_UNSAFE = re.compile(_UNSAFE)


def _set_level(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value:
        return
    chosen = QUIET if param.name == "quiet" else VERBOSE
    if ctx.meta.get(_LEVEL, chosen) != chosen:
        raise click.UsageError("--quiet and --verbose cannot be used together", ctx)
    ctx.meta[_LEVEL] = chosen


QuietOption = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_level,
    help="Print errors only.",
)
VerboseOption = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_level,
    help="Also print per-stage timings and counts.",
)


def level() -> int:
    return click.get_current_context().meta.get(_LEVEL, NORMAL)


def say(text: str, at: int = NORMAL) -> None:
    """A result line on stdout, shown from level `at` up (NORMAL: not with --quiet)."""
    if level() >= at:
        echo(text, err=False)


def echo(text: str, err: bool) -> None:
    """Echo now, or after the progress bar if one is drawing (lines would break it)."""
    text = for_terminal(text)
    held = click.get_current_context().meta.get(_HELD)
    if held is not None:
        held.append((text, err))
    else:
        click.echo(text, err=err)


def escaped(text: str) -> str:
    """`text` with every control and bidirectional character written as an escape."""
    return _ANY_UNSAFE.sub(_escape, text)


def for_terminal(text: str) -> str:
    """`text`, escaped but for the colours of our own styles (see the module's docstring)."""
    return _TERMINAL.sub(lambda m: m.group(1) or _escape(m), text)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def row(label: str, value: str) -> str:
    """'  label    value': summaries line up whatever the label."""
    return f"  {label:<8} {value}"


def say_times(times: Iterable[StageTime]) -> None:
    """--verbose: how long each stage took, aligned, and the total."""
    times = list(times)
    total = sum(t.seconds for t in times)
    for n, timed in enumerate([*times, None]):
        stage, seconds = (timed.stage, timed.seconds) if timed else ("total", total)
        say(row("time" if n == 0 else "", f"{stage:<10} {seconds * 1000:>6.0f} ms"), VERBOSE)


def progress_bar(decks: Sequence[Path], stages: Sequence[str]) -> Any:
    """A click progress bar on stderr counting `stages` per deck, only when it helps: big
    work, on a terminal, without -q. None otherwise."""
    if not stages or level() == QUIET or not stderr_is_terminal() or not is_big(decks):
        return None
    click.get_current_context().meta[_HELD] = []
    bar = click.progressbar(
        length=len(decks) * len(stages),
        file=sys.stderr,
        label=f"Building {len(decks)} deck{'s' * (len(decks) > 1)}",
    )
    bar.render_progress()
    return bar


def finish_progress(bar: Any) -> None:
    """End the bar and print what was held back meanwhile."""
    bar.render_finish()
    for text, err in click.get_current_context().meta.pop(_HELD):
        click.echo(text, err=err)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def is_big(decks: Sequence[Path]) -> bool:
    """Many decks, or enough YAML for some thousands of facts: worth a progress bar.
    (lstat: an editor's lock file is a link to nowhere, and a link to a device has no size.)"""
    if len(decks) >= BIG_DECK_COUNT:
        return True
    return (
        sum(path.lstat().st_size for deck in decks for path in deck.rglob("*.yaml"))
        >= BIG_YAML_BYTES
    )


def report_problems(exc: FactdeckError) -> None:
    """Always shown, whatever --quiet says."""
    for problem in exc.problems:
        echo(click.style(f"Error: {escaped(str(problem))}", fg="red"), err=True)


def report_warnings(findings: Iterable[object]) -> None:
    """Lint findings during build and check: shown, never fatal (`factdeck lint` fails)."""
    if level() == QUIET:
        return
    for finding in findings:
        echo(click.style(f"Warning: {escaped(str(finding))}", fg="yellow"), err=True)
