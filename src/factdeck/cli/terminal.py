"""How the command line talks: -q/-v, results on stdout, aligned rows, stage timings, and a
progress bar for big builds. cli/main.py says what to show; this decides whether and how.

Output goes through click, which strips colour when the stream is not a terminal; cli/main.py
also turns colour off when NO_COLOR is set. While a progress bar draws on stderr, other
output is held back and printed, in order, once the bar is done.

Names come from the file system and text from files that may be hostile: every C0 and C1
control (an escape sequence can retitle the window, move the cursor, hide or rewrite what was
printed; U+0085 and a lone CR end a line), the line and paragraph separators U+2028/U+2029
and every bidirectional control are printed as escapes (`\x1b`, `\u2028`, `\u202e`). A
result, error or warning is one line: a line feed or tab in it is escaped too, so a name can
never forge a line of its own. Colour is added here only, after escaping, to the parts a
caller marks as `Styled`: so no escape sequence of any text, our own colours' included,
reaches the terminal as it is.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
_BIDI_AND_SEPARATORS = r"\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_UNSAFE = f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI_AND_SEPARATORS}]"  # keeps tab, line feed
_UNSAFE_IN_LINE = f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI_AND_SEPARATORS}]"
_ANY_UNSAFE = re.compile(_UNSAFE)
_ANY_UNSAFE_IN_LINE = re.compile(_UNSAFE_IN_LINE)


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


@dataclass(frozen=True)
class Styled:
    """A part of a line in one of our styles: its text is escaped first, then styled."""

    text: str
    fg: str | None = None
    bold: bool = False


def strong(text: str) -> Styled:
    """Bold: the deck a result line is about."""
    return Styled(text, bold=True)


def success(text: str) -> Styled:
    """Green and bold: the word that says what was done ('Built', 'OK')."""
    return Styled(text, fg="green", bold=True)


def line(*parts: str | Styled) -> str:
    """The parts as one line for the terminal: each escaped (`escaped_line`), then the
    `Styled` ones styled. Nothing else adds colour, so only ours gets through."""
    return "".join(_shown(part) for part in parts)


def _shown(part: str | Styled) -> str:
    if isinstance(part, str):
        return escaped_line(part)
    return click.style(escaped_line(part.text), fg=part.fg, bold=part.bold or None)  # no \x1b[22m


def say(*parts: str | Styled, at: int = NORMAL) -> None:
    """A result line on stdout, shown from level `at` up (NORMAL: not with --quiet)."""
    if level() >= at:
        _echo(line(*parts), err=False)


def error(text: str) -> None:
    """An error line on stderr: always shown, whatever --quiet says."""
    _echo(line(Styled(f"Error: {text}", fg="red")), err=True)


def warning(text: str) -> None:
    """A warning line on stderr, not with --quiet."""
    if level() > QUIET:
        _echo(line(Styled(f"Warning: {text}", fg="yellow")), err=True)


def _echo(text: str, err: bool) -> None:
    held = click.get_current_context().meta.get(_HELD)
    if held is not None:
        held.append((text, err))
    else:
        click.echo(text, err=err)


def escaped(text: str) -> str:
    """`text` with every control (but tab and line feed), separator and bidirectional
    character written as an escape: for text of many lines."""
    return _ANY_UNSAFE.sub(_escape, text)


def escaped_line(text: str) -> str:
    """`text` as one line: `escaped`, and tabs and line feeds too."""
    return _ANY_UNSAFE_IN_LINE.sub(_escape, text)


def page(text: str) -> None:
    """A document on stdout as it is (a diff, a reference), escaped, lines kept."""
    click.echo(escaped(text), nl=False)


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
        say(row("time" if n == 0 else "", f"{stage:<10} {seconds * 1000:>6.0f} ms"), at=VERBOSE)


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
        error(str(problem))


def report_warnings(findings: Iterable[object]) -> None:
    """Lint findings during build and check: shown, never fatal (`factdeck lint` fails)."""
    for finding in findings:
        warning(str(finding))
