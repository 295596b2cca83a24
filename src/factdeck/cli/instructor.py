"""What instructors run once students use a deck: `triage` a problem report, `analyze` the
class's exports (registered in cli/main.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from factdeck.cli.decks import dist_dir, find_decks
from factdeck.cli.options import CardsOption
from factdeck.cli.terminal import row, say, strong, success
from factdeck.errors import FactdeckError, shown_path


@click.command()
@click.argument("report")
@CardsOption
def triage(report: str, cards_dir: Path) -> None:
    """Find the card a student's problem report is about ("Report a problem" on a card's
    back): its fact, file and line, the card as students see it, its lint findings and
    its release history. REPORT is the report's text or its link; - reads it from stdin.

    \b
    Examples:
      factdeck triage "https://github.com/org/course/issues/new?title=...&body=..."
      pbpaste | factdeck triage -
    """
    from factdeck.analyze.triage import triage as find
    from factdeck.fs.limits import REPORT

    text = sys.stdin.read(REPORT + 1) if report == "-" else report
    found = find(text, find_decks(cards_dir))
    fact = found.locked.fact
    where = f", {found.location}" if found.location else ""
    kind = found.entry.fact.kind if found.entry else "retired"
    say(strong("Report"), f" on {found.deck}: fact {fact}, card {found.card or '?'}")
    say(row("fact", f"{fact} ({kind}){where}"))
    locked = found.locked
    say(row("note", f"{found.guid} (note '{locked.card}', type {locked.type}, id {locked.id})"))
    if found.reported.version:
        say(row("seen", found.seen or ""))
    if found.note is None:
        say(row("card", "retired: students have only its removal notice"))
    else:
        say(row("front", found.front))
        say(row("back", found.back))
    say(row("lint", "none" if not found.findings else f"{len(found.findings)} finding(s)"))
    for finding in found.findings:
        say(f"           [{finding.rule}] {finding.message}")
    history = [f"{e.version} {e.what}" for e in found.history]
    if found.unreleased:
        history.append("changed since, not yet released")
    say(row("history", "; ".join(history) or "never released"))
    say(row("deck", str(shown_path(found.deck_dir))))


@click.command()
@click.argument(
    "exports",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@CardsOption
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where OUT/<slug>-analysis.html and .csv go [default: the project's dist/].",
)
def analyze(exports: tuple[Path, ...], cards_dir: Path, out_dir: Path | None) -> None:
    """Read students' exports (.apkg with scheduling, or .colpkg) and report, per card
    and per fact, how the class studies the deck: students, answers, Again rate,
    retention, lapses, leeches, FSRS difficulty, time per answer; the hardest cards
    with their file:line and lint rules; retention by sub-deck and exam area; lapses
    per week. Aggregated: no student is named or told apart. Needs the `analyze`
    extra (pip install 'factdeck[analyze]').

    \b
    Examples:
      factdeck analyze exports/*.apkg
      factdeck analyze class-2026/*.colpkg --out reports
    """
    try:
        import anki.collection  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise FactdeckError.at(
            None,
            f"factdeck analyze needs {exc.name}: install the extra, "
            "pip install 'factdeck[analyze]'",
        ) from None
    from factdeck.analyze.analysis import run

    decks = list(find_decks(cards_dir))
    for written in run(exports, decks, out_dir or dist_dir(decks[0])):
        found = written.analysis
        hard = sum(r.tally.hard for r in found.cards)
        say(
            success("Analyzed"),
            " ",
            strong(written.deck.name),
            f": {found.students} students, {len(found.cards)} cards, {hard} hard",
        )
        say(row("report", str(shown_path(written.html))))
        say(row("csv", str(shown_path(written.csv))))
        if found.skipped_cards:
            other = found.skipped_decks
            say(
                row(
                    "skipped",
                    f"{found.skipped_cards} cards of {other} other deck{'' if other == 1 else 's'}",
                )
            )
        if found.without_answers:
            say(
                row(
                    "warning",
                    f"{found.without_answers} exports without any answer: exported "
                    "without scheduling?",
                )
            )
