"""build() and check(): one block per stage, each named for the watch (--verbose timings, the
progress bar). Named so nobody confuses it with build.py."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import glob
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from factdeck import practice
from factdeck.apkg import verify
from factdeck.apkg import write as apkg_write
from factdeck.apkg.write import PackagePlan
from factdeck.authoring import deck_stats
from factdeck.cache import cloze_words, incremental, made_with, manifest, stamp_memo
from factdeck.cache import findings as cache_findings
from factdeck.diagrams import occlusion
from factdeck.facts import claims, load
from factdeck.facts.model import Deck, DeckSpec, Diagram, NoteSpec
from factdeck.fs import commit, mutex, oserrors, read
from factdeck.fs.names import RECORD_NAME
from factdeck.history import clock, compare, lock, lockfile, lost
from factdeck.history.steady import Steady
from factdeck.lint import engine
from factdeck.render import expand, report_link
from factdeck.render.layers import find_templates
from factdeck.render.project import project_root
from factdeck.render.templates import TemplateSet
from factdeck.stages import BUILD_STAGES, Watch, unwatched  # noqa: F401 - BUILD_STAGES: re-exported


@dataclass(frozen=True, slots=True)
class BuildResult:
    deck: DeckSpec
    apkg: Path
    size: int
    report: verify.PackageReport
    changes: compare.ReleaseChanges  # since the last release (all notes before the first)
    corrected: int  # of `changes.changed`, answers corrected (not declared reworded)
    facts: int = 0
    findings: tuple[engine.Finding, ...] = ()  # card-quality warnings; they never stop a build
    template_updates: tuple[str, ...] = ()  # note types changed by factdeck's built-in files
    retired: tuple[Path, ...] = ()  # the tombstone packages, one per earlier release
    retired_notes: int = 0  # notes retired since the oldest release


@dataclass(frozen=True, slots=True)
class Checked:
    """A deck read, validated and expanded, without writing anything."""

    deck: Deck
    templates: TemplateSet
    notes: tuple[NoteSpec, ...]
    files: tuple[incremental.FileNotes, ...]  # the notes by fact file (practice last)
    skipped: tuple[practice.Skip, ...] = ()  # practice questions not made, and why

    def findings(self) -> tuple[engine.Finding, ...]:
        """Card-quality lint of the expanded notes (cache/findings.py): with the cache, only
        the cards of edited files are linted and looked up for near duplicates."""
        return cache_findings.findings(self.deck, self.files, self.templates.note_types)


@contextlib.contextmanager
def _rare_gc() -> Iterator[None]:
    """A build makes millions of small objects and almost no cycles; Python's default of a
    collection every 700 allocations costs a large build a sixth of its time for nothing."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def expanded(
    deck_dir: Path, templates_dir: Path | None = None, watch: Watch = unwatched
) -> Checked:
    with _rare_gc():
        return _expanded(deck_dir, templates_dir, watch)


def _expanded(deck_dir: Path, templates_dir: Path | None, watch: Watch) -> Checked:
    """Through the per-file cache (incremental.py), which reports every problem of the deck."""
    deck, templates, files = incremental.expanded(
        deck_dir, templates_dir or find_templates(deck_dir), providers(), watch
    )
    images = [deck_dir / e.fact.image for e in deck.entries if isinstance(e.fact, Diagram)]
    read.refuse_skipped_links(deck_dir, images)  # after the fact files' own refusals
    # Practice questions draw on sibling facts across files, so they are made per deck.
    made = practice.generate(deck, templates)
    if made.notes:
        files += (incremental.FileNotes((), made.notes, None),)
    return Checked(
        deck=deck,
        templates=templates,
        notes=tuple(note for file in files for note in file.notes),
        skipped=made.skipped,
        files=files,
    )


def check(
    deck_dir: Path,
    templates_dir: Path | None = None,
    allow: lock.Allow = lock.NO_OVERRIDES,
    watch: Watch = unwatched,
) -> Checked:
    # said now, not left for the next build or release (into dist/, as `build` does)
    commit.refused_journal(deck_dir, (project_root(deck_dir) / "dist",))
    checked = expanded(deck_dir, templates_dir, watch)
    note_types = checked.templates.note_types
    with (
        watch("lock"),
        _rare_gc(),  # reading and checking the lock: as many objects as a build's
        cloze_words.remembering(deck_dir, checked.files, note_types),
    ):
        old = read_lock(checked.deck)
        made = made_with.digest(checked.deck.spec, note_types)
        known = stamp_memo.known(deck_dir, checked.files, old, allow, made)
        lock.check(checked.deck, checked.notes, note_types, old, allow, known.steady)
    return checked


def build(
    deck_dir: Path,
    out_dir: Path,
    templates_dir: Path | None = None,
    allow: lock.Allow = lock.NO_OVERRIDES,
    watch: Watch = unwatched,
) -> BuildResult:
    with _rare_gc(), oserrors.reported(kept=oserrors.BUILD_KEPT), mutex.holding(deck_dir):
        commit.recover(deck_dir, (out_dir,))
        for _ in range(_ATTEMPTS - 1):
            with contextlib.suppress(_Edited):
                return _build(deck_dir, out_dir, templates_dir, allow, watch, settled=True)
        # still being edited: the last try commits, and its manifest keeps the inputs as
        # they were before it read them, so the next build sees the edit and builds again
        return _build(deck_dir, out_dir, templates_dir, allow, watch, settled=False)


_ATTEMPTS = 3  # a build whose inputs are edited while it runs is run again, this often


class _Edited(Exception):
    """An input changed between the start of a build and its commit point."""


@dataclass(frozen=True, slots=True)
class Stamped:
    """A deck expanded and stamped against its lock: what build and release both write."""

    checked: Checked
    stamping: lock.Stamping
    changes: compare.ReleaseChanges
    texts: lock.Texts | None = None  # the lock's texts, when stamping already made them


def stamped(
    deck_dir: Path,
    templates_dir: Path | None,
    allow: lock.Allow,
    watch: Watch,
    releasing: bool = False,
    out_dir: Path | None = None,
) -> Stamped:
    checked = _expanded(deck_dir, templates_dir, watch)
    deck, templates = checked.deck, checked.templates
    with watch("stamp"), cloze_words.remembering(deck_dir, checked.files, templates.note_types):
        description = expand.describe(deck, templates)
        old = read_lock(deck, out_dir)
        # each unchanged file's steady notes (cache/stamp_memo.py); none for a release
        made = made_with.digest(deck.spec, templates.note_types)
        known = (
            stamp_memo.NONE
            if releasing
            else stamp_memo.known(deck_dir, checked.files, old, allow, made)
        )
        now, link = clock.now(), report_link.linker(deck, checked.notes, templates.note_types)

        def stamp(against: lockfile.Lock, steady: Mapping[str, Steady]) -> lock.Stamping:
            return lock.stamp(
                deck,
                checked.notes,
                templates.note_types,
                description,
                against,
                now,
                allow,
                releasing,
                link,
                steady,
            )

        # the rows' lines as the lock is written are written as read (lockfile.dumps)
        stamping = stamp(lockfile.known_written(old, known.written), known.steady)
        made_texts: list[lock.Texts] = []  # the lock's, if read back: written as they are

        def read_back() -> lockfile.Lock:
            made_texts.append(lock.texts(stamping.lock))
            return lock.reread(deck_dir, made_texts[0], deck.spec.version)

        if not releasing:
            kept = stamp_memo.keep(
                deck_dir, checked.files, old, allow, made, stamping.steady, known
            )
            stamp_memo.ahead(
                deck_dir,
                checked.files,
                kept,
                read_back,
                lambda new, steady: stamp(new, steady).steady,
                allow,
                made,
            )
        found = compare.since_release(
            stamping.lock, {n.guid: n for n in checked.notes}, stamping.lock.last_release
        )
    return Stamped(checked, stamping, found, made_texts[0] if made_texts else None)


def read_lock(deck: Deck, out_dir: Path | None = None) -> lockfile.Lock:
    """The deck's lock; a missing one is refused when a release left a trace (lost.py),
    here or in `out_dir`, or in the project's dist/."""
    path = lock.lock_path(deck.deck_dir)
    lost.refuse_if_lost(
        deck, path, {project_root(deck.deck_dir) / "dist", *filter(None, [out_dir])}
    )
    return lock.read(deck.deck_dir, deck.spec.version)


def package_output(
    dest: Path, plan: PackagePlan, watch: Watch, reports: list[verify.PackageReport]
) -> commit.Output:
    """The package as one output of a commit: written, then verified before it counts."""

    def write(tmp: Path) -> None:
        with watch("package"):
            apkg_write.write_package(plan, tmp)
        with watch("verify"):
            reports.append(verify.verify(tmp, plan))

    return commit.Output(dest, write)


def retirement_outputs(
    out_dir: Path, stamping: lock.Stamping, slug: str, version: str | None, watch: Watch
) -> tuple[commit.Output, ...]:
    """The tombstone packages (history/retirements.py), each verified; and the build's
    unversioned ones that are not among them go (a release, or a build for a release
    whose students now need none)."""
    written = tuple(
        package_output(out_dir / r.file_name(slug, version), r.plan, watch, [])
        for r in stamping.retirements
    )
    kept = {o.dest for o in written}
    stale = sorted(out_dir.glob(f"{glob.escape(slug)}-retired-since-*.apkg"))
    return written + tuple(commit.Output(p, None) for p in stale if p not in kept)


def retirement_files(
    stamping: lock.Stamping, slug: str, version: str | None = None
) -> tuple[tuple[str, str, int], ...]:
    """(release, file name, tombstones it mends) of each tombstone package: the notes tell
    students which."""
    return tuple((r.since, r.file_name(slug, version), r.mended) for r in stamping.retirements)


def retired_count(stamping: lock.Stamping) -> int:
    return len({n.note.guid for r in stamping.retirements for n in r.plan.notes})


def stale_changes(out_dir: Path, slug: str) -> commit.Output:
    """OUT/<slug>-changes.md, the unreleased changes earlier builds wrote, goes: no build
    keeps it current now (`factdeck diff LAST current` shows those changes; `release`
    writes a version's notes), and stale notes must not ship."""
    return commit.Output(out_dir / f"{slug}-changes.md", None)


def corrected(deck: Deck, found: compare.ReleaseChanges) -> tuple[compare.Delta, ...]:
    """The changes `release` counts as corrections: answers changed, not declared reworded."""
    reworded = declared(deck, "reworded")
    return tuple(d for d in found.corrected if d.after.fact not in reworded)


def declared(deck: Deck, marker: str, version: str | None = None) -> dict[str, str]:
    """Each fact's `why` of its `marker` declaration for `version` (the deck's)."""
    version = version or deck.spec.version
    return {
        e.fact.id: change.why
        for e in deck.entries
        for m, change in e.fact.declared(version)
        if m == marker
    }


def text_output(dest: Path, text: str) -> commit.Output:
    return commit.Output(dest, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def lock_output(
    deck_dir: Path, new: lockfile.Lock, made: lock.Texts | None = None
) -> tuple[commit.Output, commit.Output]:
    """The lock and its release record (none while nothing was released), written together;
    `made`: their texts, when already made for `new` (lock.texts)."""
    text, record = made or lock.texts(new)
    return (
        text_output(lock.lock_path(deck_dir), text),
        commit.Output(deck_dir / RECORD_NAME, None)
        if record is None
        else text_output(deck_dir / RECORD_NAME, record),
    )


def _build(
    deck_dir: Path,
    out_dir: Path,
    templates_dir: Path | None,
    allow: lock.Allow,
    watch: Watch,
    settled: bool,
) -> BuildResult:
    """One build; with `settled`, _Edited (nothing written) if an input changed since its
    start, so that a package never mixes files from before and after an edit."""
    options = manifest.options(dataclasses.asdict(allow))
    lock_file = lock.lock_path(deck_dir)  # read too, but an output: not among the inputs

    def inputs_now() -> tuple[str | None, str | None]:
        digest = manifest.inputs_digest(deck_dir, out_dir, templates_dir, options)
        return digest, manifest.file_digest(lock_file)

    inputs = inputs_now()
    done = stamped(deck_dir, templates_dir, allow, watch, out_dir=out_dir)
    checked, stamping, found = done.checked, done.stamping, done.changes
    spec = checked.deck.spec
    apkg = out_dir / f"{spec.slug}.apkg"
    reports: list[verify.PackageReport] = []
    retirements = retirement_outputs(out_dir, stamping, spec.slug, None, watch)
    with commit.transaction(deck_dir, out_dir) as tx:
        tx.add(package_output(apkg, stamping.plan, watch, reports), *retirements)
        with watch("write"):
            tx.add(
                stale_changes(out_dir, spec.slug), *lock_output(deck_dir, stamping.lock, done.texts)
            )
        if settled and inputs_now() != inputs:
            raise _Edited  # the temporaries go; the build runs again
    with watch("lint"):
        findings = checked.findings()
    result = BuildResult(
        deck=spec,
        apkg=apkg,
        size=apkg.stat().st_size,
        report=reports[0],
        changes=found,
        corrected=len(corrected(checked.deck, found)),
        facts=len(checked.deck.entries),
        findings=findings,
        template_updates=stamping.template_updates,
        retired=tuple(out_dir / name for _, name, _ in retirement_files(stamping, spec.slug)),
        retired_notes=retired_count(stamping),
    )
    manifest.record(deck_dir, inputs[0], tx.written, summarize(result))
    return result


def summarize(result: BuildResult) -> manifest.Summary:
    """What `factdeck build` prints, as the manifest keeps it for a rebuild that stops early."""
    report, found = result.report, result.changes
    return manifest.Summary(
        name=result.deck.name,
        apkg=result.apkg,
        size=result.size,
        notes=report.notes,
        retired_notes=result.retired_notes,
        retired_files=result.retired,
        cards=report.cards,
        media=report.media,
        notes_by_type=report.notes_by_type,
        added=len(found.added),
        changed=len(found.changed),
        retired=len(found.retired),
        unchanged=found.unchanged,
        note_types=len(found.note_types),
        corrected=result.corrected,
        since=found.since.version if found.since else None,
        facts=result.facts,
        findings=tuple(str(f) for f in result.findings),
        template_updates=result.template_updates,
    )


def stats(
    deck_dir: Path, templates_dir: Path | None = None, watch: Watch = unwatched
) -> deck_stats.Stats:
    """What `factdeck stats` shows: counts, lint warnings, claim-inventory coverage."""
    checked = expanded(deck_dir, templates_dir, watch)
    coverage = None
    if (deck_dir / load.CLAIMS_FILE).is_file():
        with watch("claims"):
            inventory = claims.load(deck_dir, checked.deck.spec)
            coverage = claims.coverage(inventory, checked.notes)
    with watch("lint"):
        warnings = len(checked.findings())
    return deck_stats.deck_stats(
        checked.deck,
        checked.notes,
        checked.templates.note_types,
        warnings,
        coverage,
        checked.skipped,
        _history(checked.deck),
    )


def _history(deck: Deck) -> deck_stats.History | None:
    """The lock's and the release record's sizes, as committed."""
    path = lock.lock_path(deck.deck_dir)
    if not path.is_file():
        return None
    locked = read_lock(deck)
    record = deck.deck_dir / RECORD_NAME
    return deck_stats.History(
        lock_bytes=path.stat().st_size,
        notes=len(locked.notes),
        releases=len(locked.releases),
        record_bytes=record.stat().st_size if record.is_file() else 0,
    )


def providers() -> dict[str, expand.Provider]:
    """Kinds whose notes need more than the fact's own fields."""
    return {"diagram": occlusion.provider}
