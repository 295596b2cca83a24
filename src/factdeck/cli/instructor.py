"""What instructors run once students use a deck: `triage` a problem report (registered in
cli/main.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from factdeck.cli.decks import find_decks
from factdeck.cli.options import CardsOption
from factdeck.cli.terminal import row, say
from factdeck.errors import shown_path


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
    from factdeck.triage import triage as find

    text = sys.stdin.read() if report == "-" else report
    found = find(text, find_decks(cards_dir))
    fact = found.locked.fact
    where = f", {found.location}" if found.location else ""
    kind = found.entry.fact.kind if found.entry else "retired"
    say(
        f"{click.style('Report', bold=True)} on {found.deck}: fact {fact}, card {found.card or '?'}"
    )
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
