"""`factdeck release`: publish a version. It refuses when nothing changed since the last
release, when `version` was not bumped, when `check` fails or when an answer changed
without a `correction:`; else it writes OUT/<slug>-<version>.apkg, the release notes
OUT/<slug>-<version>.md, and records the release in the lock, all at one commit point."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from factdeck.apkg import verify
from factdeck.diagrams.occlusion import mask_labels
from factdeck.errors import FactdeckError, Location, Problem, shown_path
from factdeck.facts.model import ANSWER_MARKERS, DECLARATIONS, Deck, DeckSpec
from factdeck.fs import commit, mutex, oserrors
from factdeck.history import clock, lockfile, retirements, versions
from factdeck.history import notes as release_notes
from factdeck.history.compare import ReleaseChanges, between
from factdeck.history.guards import NO_OVERRIDES, Allow
from factdeck.history.lock import lock_path
from factdeck.history.lock import read as read_lock
from factdeck.history.lockfile import Lock, LockedDeck, Release
from factdeck.history.notes import render
from factdeck.pipeline import (
    Stamped,
    declared,
    expanded,
    lock_output,
    package_output,
    retirement_files,
    retirement_outputs,
    stale_changes,
    stamped,
    text_output,
)
from factdeck.stages import Watch, unwatched


@dataclass(frozen=True, slots=True)
class Published:
    deck: Deck
    apkg: Path
    notes: Path
    release: Release
    changes: ReleaseChanges
    report: verify.PackageReport
    retired: tuple[Path, ...] = ()  # the tombstone packages, one per earlier release


def release(
    deck_dir: Path,
    out_dir: Path,
    templates_dir: Path | None = None,
    allow: Allow = NO_OVERRIDES,
    watch: Watch = unwatched,
    allow_patch: bool = False,
) -> Published:
    """`allow_patch`: release as a patch version what adds, retires or corrects cards."""

    with oserrors.reported(kept=oserrors.BUILD_KEPT), mutex.holding(deck_dir):
        finished = commit.recover(deck_dir, (out_dir,))
        done = stamped(deck_dir, templates_dir, allow, watch, releasing=True, out_dir=out_dir)
        deck, found, new = done.checked.deck, done.changes, done.stamping.lock
        spec = deck.spec
        apkg = out_dir / f"{spec.slug}-{spec.version}.apkg"
        notes_path = out_dir / f"{spec.slug}-{spec.version}.md"
        _refuse_finished(deck, new, found, apkg, finished)
        refuse_unpublishable(deck, new, found, allow_patch)
        _refuse_unrecorded_files(deck_dir, spec.version, (apkg, notes_path))
        last = new.last_release
        reports: list[verify.PackageReport] = []
        digests: list[str] = []
        with commit.transaction(deck_dir, out_dir) as tx:
            tx.add(
                package_output(apkg, done.stamping.plan, watch, reports),
                *retirement_outputs(out_dir, done.stamping, spec.slug, spec.version, watch),
            )
            digests.append(_sha256(_staged(tx, apkg)))
            record = Release(
                version=spec.version,
                # from the clock, but never before a recorded release (a skewed clock,
                # SOURCE_DATE_EPOCH, a merge): dates only inform, versions order releases
                date=max([clock.now(), *(r.date for r in new.releases)]),
                package=f"sha256:{digests[0]}",
                deck=LockedDeck(slug=spec.slug, name=spec.name, subdecks=dict(spec.subdecks)),
                types={k: t.hash for k, t in new.note_types.items()},
            )
            with watch("write"):
                shown = texts(done)
                text = _notes(done, found, last, _texts_at(new, last))
                tx.add(
                    text_output(notes_path, text),
                    *unreleased_outputs(out_dir, spec.slug),
                    *lock_output(deck_dir, recorded(new, record, shown)),
                )
        return Published(
            deck, apkg, notes_path, record, found, reports[0], _retired(out_dir, done, spec)
        )


def again(
    deck_dir: Path, out_dir: Path, templates_dir: Path | None = None, watch: Watch = unwatched
) -> Published:
    """The package and notes of the release recorded for deck.yaml's version, written again
    from the committed facts and lock (CI on a version tag: dist/ is not committed). The
    package must come out byte for byte as the recorded digest says; the lock is not
    written. The notes quote earlier texts from the release record, as `release` did."""
    with oserrors.reported(kept=oserrors.BUILD_KEPT), mutex.holding(deck_dir):
        commit.recover(deck_dir, (out_dir,))
        done = stamped(deck_dir, templates_dir, NO_OVERRIDES, watch, out_dir=out_dir)
        deck, lock = done.checked.deck, done.stamping.lock
        spec, where = deck.spec, Location(deck.deck_dir / "deck.yaml")
        record = lock.release(spec.version)
        if record is None:
            known = ", ".join(r.version for r in lock.releases) or "none yet"
            raise FactdeckError.at(
                where,
                f"version '{spec.version}' is not a recorded release (releases: {known}); run "
                "`factdeck release` and commit the lock before tagging",
            )
        if not done.changes.empty:
            found = done.changes
            raise FactdeckError.at(
                where,
                f"the deck changed since release {spec.version} ({len(found.added)} added, "
                f"{len(found.changed)} changed, {len(found.retired)} retired); tag the "
                "commit that recorded the release, or release the changes as a new version",
            )
        if record != lock.last_release:
            raise FactdeckError.at(
                where,
                f"version '{spec.version}' is not the last release ({lock.releases[-1].version}); "
                "a release is written again only from the commit that recorded it",
            )
        # Unchanged since `record`, the lock as it is now is `record` (with the template set
        # that built each note type, which the lock keeps only for its current state).
        last = lock.releases[-2] if len(lock.releases) > 1 else None
        found = between(lock, last, None, {n.guid: n for n in done.checked.notes})
        apkg = out_dir / f"{spec.slug}-{spec.version}.apkg"
        notes_path = out_dir / f"{spec.slug}-{spec.version}.md"
        reports: list[verify.PackageReport] = []
        with commit.transaction(deck_dir, out_dir) as tx:
            tx.add(package_output(apkg, done.stamping.plan, watch, reports))
            digest = f"sha256:{_sha256(_staged(tx, apkg))}"
            if record.package and digest != record.package:
                raise FactdeckError.at(
                    Location(lock_path(deck_dir)),
                    f"release {spec.version} recorded the package {record.package}, but the "
                    f"facts and templates here make {digest}; build with the factdeck and "
                    "templates that made the release (a newer factdeck may lay cards out "
                    "differently), or release a new version",
                )
            tx.add(*retirement_outputs(out_dir, done.stamping, spec.slug, spec.version, watch))
            with watch("write"):
                tx.add(text_output(notes_path, _notes(done, found, last, _texts_at(lock, last))))
        return Published(
            deck, apkg, notes_path, record, found, reports[0], _retired(out_dir, done, spec)
        )


def _retired(out_dir: Path, done: Stamped, spec: DeckSpec) -> tuple[Path, ...]:
    return tuple(
        out_dir / name for _, name, _ in retirement_files(done.stamping, spec.slug, spec.version)
    )


def texts(done: Stamped) -> dict[str, str]:
    """Each shipped note's line in release notes, as its students see it now."""
    deck, note_types = done.checked.deck, done.checked.templates.note_types
    plan = done.stamping.plan.notes
    labels = mask_labels(deck, {n.note.fact_id for n in plan})
    return {
        n.note.guid: release_notes.student_text(
            n.note.fields, note_types[n.note.note_type], labels.get(n.note.fact_id, ())
        )
        for n in plan
    }


def _texts_at(lock: Lock, release: Release | None) -> dict[str, str]:
    """Each note's line as release `release` shipped it, from the release record."""
    if release is None:
        return {}
    found = {g: lock.text_at(g, release.version) for g in lock.notes}
    return {g: t for g, t in found.items() if t is not None}


def _notes(
    done: Stamped,
    found: ReleaseChanges,
    last: Release | None,
    before: dict[str, str],
) -> str:
    deck = done.checked.deck
    spec = deck.spec
    return release_notes.render(
        found,
        spec,
        done.checked.templates.note_types,
        f"{spec.name}, version {spec.version}: release notes",
        before,
        old_deck=last.deck if last else None,
        why=declared(deck, "correction"),
        labels=mask_labels(deck, found.masked_facts),
        reworded=declared(deck, "reworded"),
        renumbered=declared(deck, "renumbered"),
        retirements=retirement_files(done.stamping, spec.slug, spec.version),
    )


def unreleased_outputs(out_dir: Path, slug: str) -> tuple[commit.Output, ...]:
    """The build's unversioned package goes: after a release it would only offer students
    a second copy of it; and so does a changes file an older factdeck's build left."""
    return (commit.Output(out_dir / f"{slug}.apkg", None), stale_changes(out_dir, slug))


def refuse_unpublishable(
    deck: Deck, lock: Lock, found: ReleaseChanges, allow_patch: bool = False
) -> None:
    spec, last = deck.spec, lock.last_release
    where = Location(deck.deck_dir / "deck.yaml")
    if last is not None and found.empty:
        raise FactdeckError.at(
            where,
            (
                f"nothing changed since release {last.version}; there is nothing to publish "
                "(edit facts, then release with a new version)"
            ),
        )
    corrected = (set(declared(deck, "correction")) - set(declared(deck, "reworded"))) & {
        d.after.fact for d in found.corrected
    }
    reasons = versions.minor_reasons(found, corrected)
    if lock.release(spec.version) is not None:
        raise FactdeckError.at(
            where,
            (
                f"version '{spec.version}' is already released (factdeck.lock records it), and a "
                "released version never changes; set `version:` in deck.yaml to a higher one, "
                f'e.g. "{versions.suggest(last.version if last else spec.version, bool(reasons))}"'
            ),
        )
    if last is not None and lockfile.version_key(spec.version) <= lockfile.version_key(
        last.version
    ):
        previous = last.version if last else spec.version
        raise FactdeckError.at(
            where,
            (
                f"version '{spec.version}' is not newer than the last release ({previous}); set "
                f"`version:` in deck.yaml to a higher one, e.g. "
                f'"{versions.suggest(previous, bool(reasons))}"'
            ),
        )
    problems = _correction_problems(deck, lock, found)
    if (
        last is not None
        and reasons
        and not allow_patch
        and versions.is_patch(last.version, spec.version)
    ):
        problems.append(
            Problem(
                where,
                (
                    f"version '{spec.version}' is a patch release after {last.version}, but this "
                    f"release {_joined(reasons)}: what students study changes (cards to learn, "
                    "delete or re-learn), which makes it at least a minor version. Set `version:` in deck.yaml to "
                    f'"{versions.suggest(last.version, True)}", or release with '
                    f"--allow-patch-bump to keep {spec.version}"
                ),
            )
        )
    if problems:
        raise FactdeckError(problems)


def _refuse_finished(
    deck: Deck, lock: Lock, found: ReleaseChanges, apkg: Path, finished: tuple[Path, ...]
) -> None:
    """This release was killed after its commit point and recovery has just completed it:
    say so, rather than "nothing changed" with no word of the release that was made."""
    last = lock.last_release
    if (
        last is not None
        and last.version == deck.spec.version
        and found.empty
        and apkg.resolve() in {path.resolve() for path in finished}
    ):
        raise FactdeckError.at(
            Location(deck.deck_dir / "deck.yaml"),
            (
                f"release {last.version} was interrupted after it was recorded, and has now been "
                f"completed: {shown_path(apkg)}, its release notes and "
                f"{shown_path(lock_path(deck.deck_dir))} are in place (commit the lock). "
                "There is nothing more to publish"
            ),
        )


def _refuse_unrecorded_files(deck_dir: Path, version: str, paths: tuple[Path, ...]) -> None:
    """A release's files are written once: one already there is not this lock's release
    (another branch's, an older checkout's), and replacing it would give students two
    packages under one version."""
    for path in paths:
        if path.exists() or path.is_symlink():
            raise FactdeckError.at(
                Location(path),
                (
                    f"already exists, but {shown_path(lock_path(deck_dir))} records no release "
                    f"{version}: it may come from another branch or an older checkout, and a "
                    "released version never changes. If no student has it, move it away and "
                    "release again; otherwise set `version:` in deck.yaml to a new version"
                ),
            )


def _correction_problems(deck: Deck, lock: Lock, found: ReleaseChanges) -> list[Problem]:
    """Each answer change declared for this version, and every declaration true: for this
    version it names a change, for an earlier one a release that is recorded."""
    version, last = deck.spec.version, lock.last_release
    recorded = [r.version for r in lock.releases]
    corrected = {d.after.fact for d in found.corrected}
    renumbered = {d.after.fact for d in found.changed if d.renumbered or d.masks_changed}
    problems = []
    for entry in sorted(deck.entries, key=lambda e: e.fact.id):
        fact, where = entry.fact, entry.location
        for marker in DECLARATIONS:
            for change in getattr(fact, marker):
                if change.version != version and change.version not in recorded:
                    problems.append(
                        Problem(
                            where,
                            (
                                f"fact '{fact.id}': `{marker}: {{in: \"{change.version}\"}}` "
                                f"names a version that is neither this release ({version}) nor "
                                f"a recorded one ({', '.join(recorded) or 'none yet'}); set "
                                f'`in: "{version}"` if this release ships the change'
                            ),
                        )
                    )
        now = tuple((m, c) for m, c in fact.declared(version) if m in ANSWER_MARKERS)
        since = f"release {last.version}" if last else "the last release"
        if (
            fact.id not in renumbered
            and last is not None
            and any(m == "renumbered" for m, _ in fact.declared(version))
        ):
            problems.append(
                Problem(
                    where,
                    (
                        f"fact '{fact.id}' declares `renumbered:` for {version}, but none of "
                        f"its cards changed number since {since}; remove that declaration "
                        "(or, if it belongs to an earlier release, set `in:` to that release)"
                    ),
                )
            )
        if len(now) > 1:
            problems.append(
                Problem(
                    where,
                    (
                        f"fact '{fact.id}' declares {len(now)} answer changes for {version} "
                        f"({', '.join(m for m, _ in now)}); keep the one that is true: was "
                        "the old answer wrong (correction) or only worded differently "
                        "(reworded)?"
                    ),
                )
            )
        elif fact.id in corrected and not now:
            problems.append(
                Problem(
                    where,
                    (
                        f"fact '{fact.id}': what students must answer changed since {since}. "
                        "If the old answer was wrong, add "
                        f'`correction: {{in: "{version}", why: <why it changed>}}` to the fact: '
                        "students then relearn it (a cloze answer as a new card). If a student's old "
                        "answer is still right (spelling, fuller wording), add "
                        f'`reworded: {{in: "{version}", why: <what changed>}}`; or keep the '
                        "answer's words as they were"
                    ),
                )
            )
        elif now and fact.id not in corrected and last is not None:
            marker = now[0][0]
            problems.append(
                Problem(
                    where,
                    (
                        f"fact '{fact.id}' declares a `{marker}:` for {version}, but its answer "
                        f"did not change since {since}; remove that declaration (or, if it "
                        "belongs to an earlier release, set `in:` to that release)"
                    ),
                )
            )
    return problems


def recorded(lock: Lock, release: Release, shown: Mapping[str, str]) -> Lock:
    """The lock after publishing: every note state not yet released now is, by `release`,
    with `shown`, its line as students see it, in the release record. A note unchanged
    since the release that shipped it has those students' text too, if not yet recorded
    (a record begun after that release)."""
    notes = {
        guid: note if note.rel is not None else dataclasses.replace(note, rel=release.version)
        for guid, note in lock.notes.items()
    }
    texts = dict(lock.texts)
    for guid, text in shown.items():
        rel = notes[guid].rel
        if rel is not None:
            texts.setdefault((guid, rel), text)
    return dataclasses.replace(
        lock, notes=notes, releases=(*lock.releases, release), texts=texts, merged=False
    )


def _joined(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _staged(tx: commit.Transaction, dest: Path) -> Path:
    return next(tmp for tmp, d in tx.moves if d == dest)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def diff_versions(old: str, new: str, deck_dir: Path | None, cards_dir: Path) -> str:
    """Release notes between two releases recorded in a deck's lock ("current": the lock
    as last built)."""
    if deck_dir is None:
        decks = sorted(p.parent for p in cards_dir.glob("*/deck.yaml"))
        if len(decks) != 1:
            raise FactdeckError.at(
                None, f"found {len(decks)} decks under {cards_dir}; name one with --deck DIR"
            )
        deck_dir = decks[0]
    checked = expanded(deck_dir)
    locked = read_lock(deck_dir, checked.deck.spec.version)

    def find(version: str) -> Release | None:
        if version == "current":
            return None
        found = locked.release(version)
        if found is None:
            known = ", ".join(r.version for r in locked.releases) or "none yet"
            raise FactdeckError.at(
                Location(lock_path(deck_dir)),
                (
                    f"no release '{version}' in the lock (releases: {known}); give two released "
                    "versions, 'current', or two .apkg files"
                ),
            )
        return found

    since, until = find(old), find(new)
    changes = between(
        locked, since, until, {n.guid: n for n in checked.notes} if until is None else None
    )
    deck, spec = checked.deck, checked.deck.spec
    if until is not None:  # the deck as the later release shipped it: its version, names
        names = until.deck
        update = {"name": names.name, "slug": names.slug, "subdecks": dict(names.subdecks)}
        spec = spec.model_copy(update={**update, "version": until.version})
    # the declarations stay in the facts as their history: those for the later release
    version = spec.version
    return render(
        changes,
        spec,
        checked.templates.note_types,
        f"{spec.name}: changes from {old} to {new}",
        _texts_at(locked, since),
        old_deck=since.deck if since else None,
        why=declared(deck, "correction", version),
        labels=mask_labels(deck, changes.masked_facts),
        reworded=declared(deck, "reworded", version),
        renumbered=declared(deck, "renumbered", version),
        retirements=retirements.files_at(locked, until.version) if until else (),
        after=_texts_at(locked, until),
    )
