"""The `release` command and `diff` by version (registered in cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import CardsOption, DeckDirs, TemplatesOption, _each_deck, _size
from ..errors import FactdeckError, shown_path
from ..terminal import QuietOption, VerboseOption, row, say, say_times
from .options import allow, override_options


@click.command()
@DeckDirs
@CardsOption
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where OUT/<slug>-<version>.apkg and its release notes go.")
@TemplatesOption
@override_options
@QuietOption
@VerboseOption
def release(deck_dirs: tuple[Path, ...], cards_dir: Path, out_dir: Path,
            templates_dir: Path | None, **overrides: bool) -> None:
    """Publish a version: OUT/<slug>-<version>.apkg and OUT/<slug>-<version>.md.

    Refuses (exit 1, nothing written) when nothing changed since the last release,
    when deck.yaml's `version` is not newer than it, when `check` fails, or when a
    card's answer changed and the fact has no `correction: <why>`. The release notes
    have a part for students (every added, changed, corrected and retired card as
    they see it, grouped by sub-deck, and the Anki searches and steps to take) and a
    part for instructors (fact ids, file:line, note types). The release is recorded
    in factdeck.lock (version, date, package digest): commit the lock with it.

    \b
    Examples:
      factdeck release                       every deck under ./cards
      factdeck release cards/low-back-pain --out /tmp/publish
      factdeck release --allow-subdeck-move  ship moved facts (notes give the steps)
      factdeck diff 1.0.0 1.1.0              what changed between two releases
    """
    from .publish import release as publish

    allowed = allow(overrides)

    def one(deck_dir: Path, watch: object) -> None:
        done = publish(deck_dir, out_dir, templates_dir, allowed, watch)  # type: ignore[arg-type]
        found = done.changes
        say(f"{click.style('Released', fg='green', bold=True)} "
            f"{click.style(done.deck.spec.name, bold=True)} {done.release.version} -> "
            f"{shown_path(done.apkg)} ({_size(done.apkg.stat().st_size)})")
        since = found.since.version if found.since else "nothing (first release)"
        say(row("since", since))
        say(row("changes", f"{len(found.added)} added, {len(found.changed)} changed "
                           f"({len(found.corrected)} corrected), {len(found.retired)} retired, "
                           f"{found.unchanged} unchanged"))
        say(row("notes", f"{shown_path(done.notes)} (for students and instructors)"))
        say(row("lock", "release recorded in factdeck.lock: commit it"))
        say_times(watch.times)  # type: ignore[attr-defined]

    _each_deck(deck_dirs, cards_dir, one)


def diff_versions(old: str, new: str, deck_dir: Path | None, cards_dir: Path) -> str:
    """Release notes between two releases recorded in a deck's lock ("current": the lock
    as last built)."""
    from .. import lock
    from ..pipeline import expanded
    from .compare import between
    from .notes import render

    if deck_dir is None:
        decks = sorted(p.parent for p in cards_dir.glob("*/deck.yaml"))
        if len(decks) != 1:
            raise FactdeckError.at(None, f"found {len(decks)} decks under {cards_dir}; name "
                                         "one with --deck DIR")
        deck_dir = decks[0]
    checked = expanded(deck_dir)
    locked = lock.read(deck_dir, checked.deck.spec.version)

    def find(version: str) -> lock.Release | None:
        if version == "current":
            return None
        found = locked.release(version)
        if found is None:
            known = ", ".join(r.version for r in locked.releases) or "none yet"
            raise FactdeckError.at(lock.lock_path(deck_dir), (
                f"no release '{version}' in the lock (releases: {known}); give two released "
                "versions, 'current', or two .apkg files"))
        return found

    changes = between(locked, find(old), find(new),
                      {n.guid: n for n in checked.notes} if new == "current" else None)
    return render(changes, checked.deck.spec, checked.templates.note_types,
                  f"{checked.deck.spec.name}: changes from {old} to {new}")
