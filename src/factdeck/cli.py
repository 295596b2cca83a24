"""The command line: parse options, call the pipeline, show FactdeckErrors as plain messages.

Heavy modules are imported inside the commands, so `factdeck --help` starts fast.

Exit codes: 0 success; 1 a problem in the input (each reported as file:line: message);
2 a usage error (unknown option, missing argument).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import FactdeckError

if TYPE_CHECKING:
    from .lint import Finding

EXIT_INPUT = 1

DeckDirs = click.argument("deck_dirs", metavar="[DECK_DIR]...", nargs=-1,
                          type=click.Path(exists=True, file_okay=False, path_type=Path))
CardsOption = click.option("--cards", "cards_dir", default="cards", show_default=True,
                           type=click.Path(file_okay=False, path_type=Path),
                           help="Folder whose decks are used when no DECK_DIR is given.")
TemplatesOption = click.option("--templates", "templates_dir", default=None,
                               type=click.Path(exists=True, file_okay=False, path_type=Path),
                               help="Templates folder [default: nearest templates/ above "
                                    "the deck].")


class Group(click.Group):
    """Turns FactdeckError into 'Error: file:line: message' lines on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FactdeckError as exc:
            report_problems(exc)
            ctx.exit(EXIT_INPUT)


def report_problems(exc: FactdeckError) -> None:
    for problem in exc.problems:
        click.secho(f"Error: {problem}", fg="red", err=True)


def report_warnings(findings: Iterable[Finding]) -> None:
    """Lint findings during build and check: shown, never fatal (`factdeck lint` fails)."""
    for finding in findings:
        click.secho(f"Warning: {finding}", fg="yellow", err=True)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factdeck", prog_name="factdeck")
def main() -> None:
    """Turn structured facts (YAML) into Anki study decks (.apkg).

    \b
    Examples:
      factdeck build                 build every deck under ./cards into ./dist
      factdeck check                 validate everything, write nothing
      factdeck lint                  card-quality findings (long answers, lists, ...)
      factdeck build --help          options of one command

    Exit codes: 0 success, 1 a problem in the input, 2 a usage error.
    """


@main.command()
@DeckDirs
@CardsOption
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the .apkg files go.")
@TemplatesOption
@click.option("--allow-note-type-change", is_flag=True,
              help="Ship a note type whose fields or card types changed (students must tick "
                   "'Merge note types' when importing).")
def build(deck_dirs: tuple[Path, ...], cards_dir: Path, out_dir: Path,
          templates_dir: Path | None, allow_note_type_change: bool) -> None:
    """Build decks into Anki packages, one DECK_DIR/deck.yaml -> OUT/<slug>.apkg each.

    Each build updates the deck's factdeck.lock (commit it) and, when anything
    changed, writes OUT/<slug>-changes.md: release notes for students.

    \b
    Examples:
      factdeck build
      factdeck build cards/low-back-pain --out /tmp/decks
    """
    from .pipeline import build as build_deck

    def one(deck_dir: Path) -> None:
        result = build_deck(deck_dir, out_dir, templates_dir, allow_note_type_change)
        report = result.report
        kinds = ", ".join(f"{n} {name}" for name, n in report.notes_by_type)
        click.echo(f"Built {result.deck.name} -> {result.apkg} ({_size(result.size)})")
        retired = f" + {report.retired} retired" if report.retired else ""
        click.echo(f"  {report.notes} notes ({kinds}){retired}, {report.cards} cards, "
                   f"{report.media} media files")
        found = result.changes
        click.echo(f"  changes: {len(found.added)} added, {len(found.changed)} changed, "
                   f"{len(found.retired)} retired, {found.unchanged} unchanged"
                   + (f"; release notes: {result.release_notes}" if result.release_notes else ""))
        report_warnings(result.findings)

    _each_deck(deck_dirs, cards_dir, one)


@main.command()
@DeckDirs
@CardsOption
@TemplatesOption
@click.option("--allow-note-type-change", is_flag=True, help="As for build.")
def check(deck_dirs: tuple[Path, ...], cards_dir: Path, templates_dir: Path | None,
          allow_note_type_change: bool) -> None:
    """Validate decks (schema, templates, media, lock) without writing anything.

    Fast enough to run on every save.

    \b
    Examples:
      factdeck check
      factdeck check cards/low-back-pain
    """
    from .pipeline import check as check_deck

    def one(deck_dir: Path) -> None:
        checked = check_deck(deck_dir, templates_dir, allow_note_type_change)
        click.echo(f"OK {checked.deck.spec.name}: {len(checked.deck.entries)} facts, "
                   f"{len(checked.notes)} notes")
        report_warnings(checked.findings())

    _each_deck(deck_dirs, cards_dir, one)


@main.command()
@DeckDirs
@CardsOption
@TemplatesOption
def lint(deck_dirs: tuple[Path, ...], cards_dir: Path, templates_dir: Path | None) -> None:
    """Check card quality: fails (exit 1) if any card breaks a rule.

    Rules: long-answer, list-answer, duplicate-question, same-answer,
    unnamed-subject, no-source, no-exam-tag, bad-exception. A fact silences a
    rule for its own cards with `lint: {RULE: "why this is fine"}`. Build and
    check print the same findings as warnings.

    \b
    Examples:
      factdeck lint
      factdeck lint cards/low-back-pain
    """
    from .pipeline import expanded

    found = 0

    def one(deck_dir: Path) -> None:
        nonlocal found
        checked = expanded(deck_dir, templates_dir)
        findings = checked.findings()
        for finding in findings:
            click.echo(str(finding))
        found += len(findings)
        click.echo(f"{checked.deck.spec.name}: {len(findings) or 'no'} lint finding"
                   f"{'' if len(findings) == 1 else 's'} in {len(checked.notes)} notes")

    _each_deck(deck_dirs, cards_dir, one)
    if found:
        sys.exit(EXIT_INPUT)


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """Compare two built packages: added, changed (before -> after), retired notes.

    Prints the same release notes a build writes, as Markdown.

    \b
    Examples:
      factdeck diff v1/low-back-pain.apkg dist/low-back-pain.apkg
      factdeck diff old.apkg new.apkg > CHANGES.md
    """
    from .changes import compare, release_notes
    from .unpack import snapshot, unpack

    found = compare(snapshot(unpack(old)), snapshot(unpack(new)))
    click.echo(release_notes(found, f"Changes from {old.name} to {new.name}"), nl=False)


def _each_deck(deck_dirs: tuple[Path, ...], cards_dir: Path,
               action: Callable[[Path], None]) -> None:
    """Run `action` on every deck; report each deck's problems and fail at the end if any."""
    failed = False
    for deck_dir in deck_dirs or tuple(_find_decks(cards_dir)):
        try:
            action(deck_dir)
        except FactdeckError as exc:
            report_problems(exc)
            failed = True
    if failed:
        sys.exit(EXIT_INPUT)


def _find_decks(cards_dir: Path) -> Iterator[Path]:
    decks = sorted(p.parent for p in cards_dir.glob("*/deck.yaml"))
    if not decks:
        raise FactdeckError.at(None, f"no decks found: no {cards_dir}/*/deck.yaml; pass a "
                                     "DECK_DIR or --cards")
    yield from decks


def _size(size: int) -> str:
    return f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
