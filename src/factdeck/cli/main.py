"""The command line: parse options, call the pipeline, show FactdeckErrors as plain messages.

Heavy modules are imported inside the commands, so `factdeck --help` starts fast.

Exit codes: 0 success; 1 a problem in the input (each reported as file:line: message);
2 a usage error (unknown option, missing argument). Errors and warnings go to stderr,
results to stdout; colour only on a terminal, and never when NO_COLOR is set.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from factdeck.cli.authoring import COMMANDS
from factdeck.cli.decks import dist_dir, each_deck, size_text
from factdeck.cli.instructor import analyze, triage
from factdeck.cli.options import CardsOption, allow, deck_options
from factdeck.cli.release import release
from factdeck.cli.templates import templates
from factdeck.cli.terminal import (
    EXIT_INPUT,
    VERBOSE,
    escaped_line,
    page,
    report_problems,
    report_warnings,
    row,
    say,
    say_times,
    strong,
    success,
)
from factdeck.errors import FactdeckError, shown_path

if TYPE_CHECKING:
    from factdeck.cache.manifest import Summary
    from factdeck.stages import Stopwatch


class Group(click.Group):
    """Turns FactdeckError into 'Error: file:line: message' lines on stderr and exit code 1,
    escapes the messages of click's own errors (usage errors of the commands), and honours
    NO_COLOR (https://no-color.org): when set, no ANSI codes, even on a terminal."""

    def invoke(self, ctx: click.Context) -> Any:
        if os.environ.get("NO_COLOR"):
            ctx.color = False
        try:
            return super().invoke(ctx)
        except FactdeckError as exc:
            report_problems(exc)
            ctx.exit(EXIT_INPUT)
        except click.ClickException as exc:  # click prints its own: an argument quoted raw
            exc.message = escaped_line(exc.message)  # type: ignore[misc]  # Final in click's stubs only
            raise


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factdeck", prog_name="factdeck")
def main() -> None:
    """Turn structured facts (YAML) into Anki study decks (.apkg).

    \b
    Examples:
      factdeck build                 build every deck under ./cards into ./dist
      factdeck release               publish dist/<slug>-<version>.apkg + notes
      factdeck diff 1.0.0 1.1.0      release notes between two releases
      factdeck build --open          ... and open the card preview in a browser
      factdeck check                 validate everything, write nothing
      factdeck lint                  card-quality findings (long answers, lists, ...)
      factdeck preview               every card, front and back, as a web page
      factdeck stats                 notes and cards by sub-deck, kind, tag; coverage
      factdeck new cards/knee        start a deck (--from ARTICLE.txt to seed it)
      factdeck serve cards/knee      live preview, reloaded on every save
      factdeck kinds nerve           the fields of a kind and the questions they make
      factdeck templates eject FILE  copy a built-in template into templates/ to edit
      factdeck build --help          options of one command

    \b
    Exit codes:
      0  success
      1  a problem in the input (file:line: message on stderr), or lint findings
      2  a usage error (unknown option, missing argument)

    \b
    Output: results on stdout; errors and warnings on stderr. Commands take
    -q/--quiet (errors only) and -v/--verbose (stage timings and counts).
    Colour only on a terminal; set NO_COLOR=1 to turn it off there too.
    """


@main.command()
@deck_options(
    out="Where the .apkg files go [default: dist/ of the project holding the deck].",
    overrides=True,
    extra=(
        click.option(
            "--open",
            "open_preview",
            is_flag=True,
            help="Also write each deck's preview (as `factdeck preview`) "
            "and open it in the default browser.",
        ),
    ),
)
def build(
    deck_dirs: tuple[Path, ...],
    cards_dir: Path,
    out_dir: Path | None,
    templates_dir: Path | None,
    open_preview: bool,
    **overrides: bool,
) -> None:
    """Build decks into Anki packages, one DECK_DIR/deck.yaml -> OUT/<slug>.apkg each.

    Each build updates the deck's factdeck.lock (commit it) and prints the changes
    since the last release, counted as `factdeck release` counts them; `factdeck diff
    LAST current` shows them as release notes. Only `release` writes notes (an
    OUT/<slug>-changes.md left by an older factdeck is removed). Edits that would
    strand students' cards are refused unless their --allow-... flag is given. Lint
    findings are shown as warnings. Big builds show a progress bar on a terminal.

    \b
    Examples:
      factdeck build
      factdeck build cards/low-back-pain --out /tmp/decks
      factdeck build --open          build, then look at every card in a browser
      factdeck build -q              print nothing but errors
      factdeck build --allow-subdeck-move   accept facts moved to another sub-deck
    """
    from factdeck.cache import manifest
    from factdeck.stages import BUILD_STAGES

    built = []
    flags = dict(overrides)  # allow() imports the pipeline's records: only when building
    options = manifest.options(flags)

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        out = out_dir or dist_dir(deck_dir)
        result = manifest.unchanged(deck_dir, out, templates_dir, options)
        if result is None:  # something changed since the last build: build
            from factdeck.pipeline import build as build_deck
            from factdeck.pipeline import summarize

            result = summarize(build_deck(deck_dir, out, templates_dir, allow(dict(flags)), watch))
        built.append(result)
        kinds = ", ".join(f"{n} {name}" for name, n in result.notes_by_type)
        retired = f" + {result.retired_notes} retired" if result.retired_notes else ""
        files = ", ".join(p.name for p in result.retired_files)
        rows = [
            ("notes", result.notes, f"({kinds}){retired}"),
            ("cards", result.cards, ""),
            ("media", result.media, "files"),
        ]
        width = max(len(str(number)) for _, number, _ in rows)
        say(
            success("Built"),
            " ",
            strong(result.name),
            f" -> {shown_path(result.apkg)} ({size_text(result.size)})",
        )
        for label, number, rest in rows:
            say(row(label, f"{number:>{width}} {rest}".rstrip()))
        say(row("changes", _changes(result)))
        say(row("release", _release_hint(result, deck_dir)))
        if files:
            say(row("retired", f"{files} (for students of those versions)"))
        say(row("facts", f"{result.facts:>{width}}"), at=VERBOSE)
        say(row("lint", f"{len(result.findings):>{width}} warnings"), at=VERBOSE)
        say_times(watch.times)
        report_warnings(result.findings)
        report_warnings(f"{result.apkg.stem}: {update}" for update in result.template_updates)
        if open_preview:
            _open_preview(deck_dir, out, templates_dir)

    each_deck(deck_dirs, cards_dir, one, BUILD_STAGES)
    if len(built) > 1:
        say(
            f"Built {len(built)} decks: {sum(r.notes for r in built)} notes, "
            f"{sum(r.cards for r in built)} cards"
        )


def _changes(result: Summary) -> str:
    """The counts `factdeck release` would report, since the last release (before the
    first, every note type is new: not worth a word)."""
    n = result.note_types if result.since else 0
    types = f", {n} note type{'' if n == 1 else 's'} changed" if n else ""
    return (
        f"{result.added} added, {result.changed} changed ({result.corrected} corrected), "
        f"{result.retired} retired, {result.unchanged} unchanged{types}: "
        + (f"since release {result.since}" if result.since else "never released")
    )


def _release_hint(result: Summary, deck_dir: Path) -> str:
    """Where the release notes are: no build writes them (only `release`), so the command
    that shows them before releasing."""
    if result.since is None:
        return "none yet: `factdeck release` publishes the first version, with its notes"
    if not (result.added or result.changed or result.retired or result.note_types):
        return f"nothing to release since {result.since}"
    deck = shlex.quote(str(shown_path(deck_dir)))
    return f"notes so far: factdeck diff {result.since} current --deck {deck}"


@main.command()
@deck_options(overrides=True)
def check(
    deck_dirs: tuple[Path, ...], cards_dir: Path, templates_dir: Path | None, **overrides: bool
) -> None:
    """Validate decks (schema, templates, media, lock) without writing anything.

    Fast enough to run on every save.

    \b
    Examples:
      factdeck check
      factdeck check cards/low-back-pain
      factdeck check -q && echo fine
    """
    from factdeck.pipeline import check as check_deck

    allowed = allow(overrides)

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        checked = check_deck(deck_dir, templates_dir, allowed, watch)
        say(
            success("OK"),
            f" {checked.deck.spec.name}: "
            f"{len(checked.deck.entries)} facts, {len(checked.notes)} notes",
        )
        say_times(watch.times)
        report_warnings(checked.findings())

    each_deck(deck_dirs, cards_dir, one)


def _list_rules(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the rule registry itself, so the list can never fall behind the rules."""
    if not value or ctx.resilient_parsing:
        return
    from factdeck.lint.engine import RULES, TRIAL

    width = max(map(len, RULES))
    page(
        "".join(
            f"{name.ljust(width)}  {text}{' (on trial)' if name in TRIAL else ''}\n"
            for name, text in RULES.items()
        )
    )
    ctx.exit()


@main.command()
@click.option(
    "--rules",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_rules,
    help="List every rule with what it finds, and exit.",
)
@deck_options()
def lint(deck_dirs: tuple[Path, ...], cards_dir: Path, templates_dir: Path | None) -> None:
    """Check card quality: fails (exit 1) if any card breaks a rule (rules on trial,
    marked in `--rules`, are shown but do not fail it yet).

    `factdeck lint --rules` lists the rules. A fact silences a rule for its own cards with
    `lint: {RULE: "why this is fine"}`. Build and check print the same findings as warnings.

    \b
    Examples:
      factdeck lint
      factdeck lint cards/low-back-pain
      factdeck lint --rules
    """
    from factdeck.lint.engine import TRIAL
    from factdeck.pipeline import expanded

    found = 0

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        nonlocal found
        checked = expanded(deck_dir, templates_dir, watch)
        with watch("lint"):
            findings = checked.findings()
        for finding in findings:
            say(str(finding))
        trial = sum(f.rule in TRIAL for f in findings)
        found += len(findings) - trial
        say(
            f"{checked.deck.spec.name}: {len(findings) or 'no'} lint finding"
            f"{'' if len(findings) == 1 else 's'} in {len(checked.notes)} notes"
            + (f" ({trial} of rules on trial, which do not fail lint yet)" if trial else "")
        )
        say_times(watch.times)

    each_deck(deck_dirs, cards_dir, one)
    if found:
        sys.exit(EXIT_INPUT)


@main.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--deck",
    "deck_dir",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The deck whose lock holds the releases [default: the only deck in --cards].",
)
@CardsOption
def diff(old: str, new: str, deck_dir: Path | None, cards_dir: Path) -> None:
    """Compare two releases (by version, from the lock) or two .apkg files.

    Prints release notes as Markdown: added, changed (corrections first) and
    retired cards. Between versions, NEW may be `current` (the lock as last built).

    \b
    Examples:
      factdeck diff 1.0.0 1.1.0
      factdeck diff 1.1.0 current --deck cards/low-back-pain
      factdeck diff v1/low-back-pain.apkg dist/low-back-pain.apkg > CHANGES.md
    """
    if old.endswith(".apkg") or new.endswith(".apkg"):
        from factdeck.apkg.read import unpack
        from factdeck.history.apkg_diff import compare, release_notes, snapshot

        paths = [Path(p) for p in (old, new)]
        for path in paths:
            if not path.is_file():
                raise FactdeckError.at(
                    None, f"no package at {path}; give two .apkg files or two released versions"
                )
        found = compare(snapshot(unpack(paths[0])), snapshot(unpack(paths[1])))
        text = release_notes(found, f"Changes from {paths[0].name} to {paths[1].name}")
        page(text)  # a package's text may be anyone's
        return
    from factdeck.release import diff_versions

    page(diff_versions(old, new, deck_dir, cards_dir))


@main.command()
@deck_options(
    out="Where OUT/<slug>-preview/ goes [default: dist/ of the project holding the deck].",
    extra=(
        click.option(
            "--open", "open_preview", is_flag=True, help="Open each preview in the default browser."
        ),
        click.option(
            "--pdf",
            "pdf",
            is_flag=True,
            help="Also print it to OUT/<slug>-handout.pdf with Chromium: "
            "a handout, each card's question and answer together.",
        ),
    ),
)
def preview(
    deck_dirs: tuple[Path, ...],
    cards_dir: Path,
    out_dir: Path | None,
    templates_dir: Path | None,
    open_preview: bool,
    pdf: bool,
) -> None:
    """See every card before students do: OUT/<slug>-preview/index.html per deck.

    Each card's front and back, rendered from the same templates and CSS as the
    package (diagrams with their masks), with its tags, sub-deck, source, and
    the fact file and line it comes from. Filter by tag, sub-deck or note type,
    search the text; open a card's origin to read its YAML. The page works
    from the file itself, offline, in any current browser: send the folder to
    a reviewer who does not use Anki. The lock is never touched.

    \b
    Examples:
      factdeck preview
      factdeck preview cards/low-back-pain --open
      factdeck preview --out /tmp/review
      factdeck preview --pdf         also dist/<slug>-handout.pdf, to print
    """
    from factdeck.preview.page import preview as write_preview

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        result = write_preview(deck_dir, out_dir or dist_dir(deck_dir), templates_dir, watch)
        say(
            success("Preview"),
            " ",
            strong(result.deck.name),
            f" -> {shown_path(result.index)} ({size_text(result.size)})",
        )
        width = len(str(max(result.cards, result.media)))
        say(row("cards", f"{result.cards:>{width}} from {result.notes} notes"))
        say(row("media", f"{result.media:>{width}} files"))
        if pdf:
            from factdeck.preview.handout import print_pdf

            handout = result.index.parent.parent / f"{result.deck.slug}-handout.pdf"
            with watch("pdf"):
                size = print_pdf(result.index, handout)
            say(row("handout", f"{shown_path(handout)} ({size_text(size)})"))
        say_times(watch.times)
        if open_preview:
            _open(result.index)

    each_deck(deck_dirs, cards_dir, one)


@main.command()
@deck_options()
def stats(deck_dirs: tuple[Path, ...], cards_dir: Path, templates_dir: Path | None) -> None:
    """Count what each deck holds: notes and cards by sub-deck, kind, note type and
    tag group; lint warnings; how many claims of the inventory (claims.yaml) the
    cards cover, listing those they do not. Writes nothing.

    \b
    Examples:
      factdeck stats
      factdeck stats cards/low-back-pain
    """
    from factdeck.authoring.deck_stats import lines
    from factdeck.pipeline import stats as deck_stats

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        for line in lines(deck_stats(deck_dir, templates_dir, watch)):
            say(line)
        say_times(watch.times)

    each_deck(deck_dirs, cards_dir, one)


def _open_preview(deck_dir: Path, out_dir: Path, templates_dir: Path | None) -> None:
    from factdeck.preview.page import preview as write_preview

    result = write_preview(deck_dir, out_dir, templates_dir)
    say(row("preview", str(shown_path(result.index))))
    _open(result.index)


def _open(page: Path) -> None:
    from factdeck.cli.browser import open_url

    open_url(page.resolve().as_uri())


for _command in (*COMMANDS, release, templates, triage, analyze):  # new, kinds, schema, serve; ...
    main.add_command(_command)
