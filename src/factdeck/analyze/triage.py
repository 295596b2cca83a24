"""`factdeck triage REPORT`: from a student's problem report (the issue's text, the e-mail,
or the link itself) back to the YAML that made the card: the fact, its file and line, the
card as students see it, its lint findings and its release history (from the lock).

The report is untrusted text: only what matches a note in a deck's lock counts, and the
card's text shown is the project's own, never the report's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from factdeck.errors import FactdeckError, Location
from factdeck.facts.feedback_url import Reported, read
from factdeck.facts.model import Entry, NoteSpec
from factdeck.fs import limits
from factdeck.history import lock as deck_lock
from factdeck.history.lockfile import Lock, LockedNote
from factdeck.lint.engine import Finding, plain
from factdeck.pipeline import expanded
from factdeck.preview.card_templates import compile_note_type, render_note


@dataclass(frozen=True, slots=True)
class Event:
    version: str
    what: str  # added, changed, answer corrected, retired


@dataclass(frozen=True, slots=True)
class Triage:
    reported: Reported
    deck_dir: Path
    deck: str
    guid: str
    locked: LockedNote
    entry: Entry | None  # None: the fact is gone (retired)
    note: NoteSpec | None
    card: int | None  # the card number reported, when the note has it
    front: str
    back: str
    findings: tuple[Finding, ...]
    history: tuple[Event, ...]
    unreleased: bool  # the card changed since the last release (a build not yet released)
    seen: str | None  # how the reported version compares with today's text

    @property
    def location(self) -> Location | None:
        return self.entry.location if self.entry else None


def triage(report: str, deck_dirs: Iterable[Path]) -> Triage:
    if len(report) > limits.REPORT:  # read bounded (`-` reads stdin, which may never end)
        raise FactdeckError.at(
            None,
            f"the report is over {limits.REPORT:,} characters, more than a problem report "
            "holds: paste the report's link or its text alone",
        )
    reported = read(report)
    decks = list(deck_dirs)
    locks = {deck_dir: deck_lock.read(deck_dir) for deck_dir in decks}
    found = _find(reported, locks)
    if found is None:
        raise FactdeckError.at(
            None,
            "the report names no note of "
            + (", ".join(str(d) for d in decks) or "any deck")
            + ": paste the whole report (its 'Note:' line holds the note's GUID) or the link, "
            "and run triage in the course whose deck it is",
        )
    deck_dir, guid = found
    lock = locks[deck_dir]
    locked = lock.notes[guid]
    checked = expanded(deck_dir)
    note = next((n for n in checked.notes if n.guid == guid), None)
    entry = next((e for e in checked.deck.entries if e.fact.id == locked.fact), None)
    card = reported.card if reported.card and reported.card - 1 in locked.cards else None
    front = back = ""
    if note is not None:
        note_type = checked.templates.note_types[note.note_type]
        faces = render_note(compile_note_type(note_type, Location(deck_dir)), note)
        face = next((f for f in faces if card is None or f.ord == card - 1), None)
        if face is not None:
            front, back = plain(face.front), plain(face.back)
    history = tuple(_history(lock, guid))
    return Triage(
        reported=reported,
        deck_dir=deck_dir,
        deck=checked.deck.spec.slug,
        guid=guid,
        locked=locked,
        entry=entry,
        note=note,
        card=card,
        front=front,
        back=back,
        findings=tuple(f for f in checked.findings() if f.fact_id == locked.fact),
        history=history,
        unreleased=locked.rel is None and locked.retired is None,
        seen=_seen(lock, guid, reported.version),
    )


def _find(reported: Reported, locks: dict[Path, Lock]) -> tuple[Path, str] | None:
    """The deck and GUID the report names: its 'Note:' line, else any GUID of a deck's lock
    found in its text (a template with {note} alone), the reported deck's first."""
    order = sorted(locks, key=lambda d: _slug(locks[d]) != reported.deck)
    for deck_dir in order:
        if reported.note is not None and reported.note in locks[deck_dir].notes:
            return deck_dir, reported.note
    for deck_dir in order:
        hits = [g for g in locks[deck_dir].notes if g in reported.text]
        if hits:
            return deck_dir, max(hits, key=len)
    return None


def _slug(lock: Lock) -> str | None:
    return lock.deck.slug if lock.deck else None


def _history(lock: Lock, guid: str) -> Iterable[Event]:
    before: LockedNote | None = None
    for release in lock.releases:
        state = lock.state_at(guid, release.version)
        if state is None or state is before:
            continue
        if before is None or before.retired is not None:
            what = "retired" if state.retired is not None else "added"
        elif state.retired is not None:
            what = "retired"
        elif before.hash == state.hash:
            continue
        elif before.answer and state.answer and before.answer != state.answer:
            what = "answer changed"
        else:
            what = "changed"
        yield Event(release.version, what)
        before = state


def _seen(lock: Lock, guid: str, version: str | None) -> str | None:
    if version is None:
        return None
    if lock.release(version) is None:
        return f"version {version} is no release of this deck's lock"
    then, now = lock.state_at(guid, version), lock.notes[guid]
    if then is None:
        return f"the note was not in release {version}"
    if then.hash == now.hash:
        return f"unchanged since {version}: the text below is what the student saw"
    return f"changed since {version}: the text below is today's, not what the student saw"
