"""The `release` command (registered in cli/main.py)."""

from __future__ import annotations

from pathlib import Path

import click

from factdeck.cli.decks import dist_dir, each_deck, size_text
from factdeck.cli.options import allow, deck_options
from factdeck.cli.terminal import row, say, say_times, strong, success
from factdeck.errors import shown_path
from factdeck.stages import Stopwatch


@click.command()
@deck_options(
    out="Where OUT/<slug>-<version>.apkg and its release notes go "
    "[default: dist/ of the project holding the deck].",
    overrides=True,
    extra=(
        click.option(
            "--again",
            is_flag=True,
            help="Write the release recorded for deck.yaml's version again, from the "
            "committed facts and lock, and check the package against its recorded digest "
            "(CI on a version tag). Writes no lock.",
        ),
        click.option(
            "--allow-patch-bump",
            is_flag=True,
            help="Release as a patch version (1.0.1) what adds, retires or corrects cards "
            "(refused otherwise: students have cards to learn, a minor version says so).",
        ),
    ),
)
def release(
    deck_dirs: tuple[Path, ...],
    cards_dir: Path,
    out_dir: Path | None,
    templates_dir: Path | None,
    again: bool,
    allow_patch_bump: bool,
    **overrides: bool,
) -> None:
    """Publish a version: OUT/<slug>-<version>.apkg and OUT/<slug>-<version>.md.

    Refuses (exit 1, nothing written) when nothing changed since the last release,
    when deck.yaml's `version` is not newer than it, or only a patch version newer
    while cards are added, retired or corrected, when `check` fails, or when a
    card's answer changed and the fact declares no `correction:` (or `reworded:`)
    for this version: `correction: {in: "1.1.0", why: ...}`. The release notes have a
    part for students (every added, changed, corrected and retired card as they see
    it, grouped by sub-deck, and the Anki searches and steps to take) and a part for
    instructors (fact ids, file:line, note types). The release is recorded
    in factdeck.lock (version, date, package digest) and each changed card as students
    see it in factdeck.releases: commit both with the facts, then push.
    Notes no release shipped and the deck no longer has are dropped from the lock,
    and the build's unversioned OUT/<slug>.apkg is removed (and a -changes.md
    an older factdeck's build left). `factdeck diff LAST current` shows the notes so
    far before releasing.

    \b
    Examples:
      factdeck release                       every deck under ./cards
      factdeck release cards/low-back-pain --out /tmp/publish
      factdeck release --allow-subdeck-move  ship moved facts (notes give the steps)
      factdeck release --again --out release  the recorded release, again (CI, on a tag)
      factdeck diff 1.0.0 1.1.0              what changed between two releases
    """
    from factdeck.pipeline import corrected
    from factdeck.release import again as reissue
    from factdeck.release import release as publish

    allowed = allow(overrides)

    def one(deck_dir: Path, watch: Stopwatch) -> None:
        out = out_dir or dist_dir(deck_dir)
        if again:
            done = reissue(deck_dir, out, templates_dir, watch)
            say(
                success("Written again"),
                " ",
                strong(done.deck.spec.name),
                f" {done.release.version} -> "
                f"{shown_path(done.apkg)} ({size_text(done.apkg.stat().st_size)}), "
                f"as recorded ({done.release.package or 'no digest recorded'})",
            )
            say(row("notes", str(shown_path(done.notes))))
            say_times(watch.times)
            return
        done = publish(deck_dir, out, templates_dir, allowed, watch, allow_patch=allow_patch_bump)
        found = done.changes
        say(
            success("Released"),
            " ",
            strong(done.deck.spec.name),
            f" {done.release.version} -> "
            f"{shown_path(done.apkg)} ({size_text(done.apkg.stat().st_size)})",
        )
        since = found.since.version if found.since else "nothing (first release)"
        say(row("since", since))
        say(
            row(
                "changes",
                f"{len(found.added)} added, {len(found.changed)} changed "
                f"({len(corrected(done.deck, found))} corrected), {len(found.retired)} retired, "
                f"{found.unchanged} unchanged",
            )
        )
        say(row("notes", f"{shown_path(done.notes)} (for students and instructors)"))
        if done.retired:
            files = ", ".join(p.name for p in done.retired)
            say(row("retired", f"{files} (for students of those versions)"))
        say(row("lock", "recorded in factdeck.lock and factdeck.releases: commit both"))
        say_times(watch.times)

    each_deck(deck_dirs, cards_dir, one)
