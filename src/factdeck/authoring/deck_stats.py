"""`factdeck stats`: what a deck holds, counted the ways an editor asks about it.

Notes and cards by sub-deck, fact kind, note type and tag group; lint warnings; and how
much of the claim inventory the cards cover. Pure: `deck_stats` takes what the pipeline
and claims.py computed, `lines` lays it out as aligned plain text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from factdeck.facts.claims import Coverage
from factdeck.facts.model import EXAM_PREFIX, Deck, DeckSpec, NoteSpec
from factdeck.practice import PRACTICE_TAG, Skip
from factdeck.render.templates import NoteType

TAG_LEVELS = 2  # tags are grouped by their first two levels: lbp::nerves, exam::pathology


@dataclass(frozen=True, slots=True)
class Count:
    notes: int
    cards: int


@dataclass(frozen=True, slots=True)
class Uncovered:
    claim_id: str
    text: str
    location: str


@dataclass(frozen=True, slots=True)
class ClaimStats:
    covered: int
    total: int
    uncovered: tuple[Uncovered, ...]


@dataclass(frozen=True, slots=True)
class AreaShare:
    """An exam area's part of the deck against the exam's weight for it."""

    key: str
    cards: float  # a card in two areas counts half in each
    share: float  # of the deck's area-tagged cards
    weight: float | None  # percent of the exam
    weight_share: float | None  # the weight among the deck's weighted areas


@dataclass(frozen=True, slots=True)
class History:
    """What the deck's history costs in the repository: the lock (what the next build needs
    per note) and the release record (what each release shipped)."""

    lock_bytes: int
    notes: int  # every note the lock knows, retired ones too
    releases: int
    record_bytes: int  # 0: no release record yet

    @property
    def per_note(self) -> float:
        return self.lock_bytes / self.notes if self.notes else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    deck: str
    facts: int
    total: Count
    subdecks: tuple[tuple[str, Count], ...]
    kinds: tuple[tuple[str, Count], ...]
    note_types: tuple[tuple[str, Count], ...]
    tags: tuple[tuple[str, Count], ...]
    lint_warnings: int
    claims: ClaimStats | None  # None: the deck keeps no claim inventory
    practice: int = 0  # practice (multiple-choice) notes
    practice_skipped: tuple[Skip, ...] = ()  # practice questions not made, and why
    areas: tuple[AreaShare, ...] = ()  # when deck.yaml gives exam weights
    history: History | None = None  # None: never built (no lock)


def deck_stats(
    deck: Deck,
    notes: Iterable[NoteSpec],
    note_types: Mapping[str, NoteType],
    lint_warnings: int,
    coverage: Coverage | None,
    practice_skipped: Iterable[Skip] = (),
    history: History | None = None,
) -> Stats:
    notes = tuple(notes)
    spec = deck.spec
    kinds = {entry.fact.id: entry.fact.kind for entry in deck.entries}
    cards = {note.guid: len(note_types[note.note_type].card_ords(note.fields)) for note in notes}

    def count(key_of: Mapping[str, Iterable[str]]) -> dict[str, Count]:
        """Notes and cards per key; a note under several keys counts once under each."""
        note_counts: Counter[str] = Counter()
        card_counts: Counter[str] = Counter()
        for note in notes:
            for key in set(key_of[note.guid]):
                note_counts[key] += 1
                card_counts[key] += cards[note.guid]
        return {key: Count(note_counts[key], card_counts[key]) for key in note_counts}

    subdecks = count({n.guid: [n.subdeck or ""] for n in notes})
    names = {"": f"{spec.name} (top level)", **spec.subdecks}
    by_kind = count({n.guid: [kinds[n.fact_id]] for n in notes})
    by_type = count({n.guid: [note_types[n.note_type].name] for n in notes})
    by_tag = count({n.guid: [_group(tag) for tag in n.tags] for n in notes})
    return Stats(
        deck=spec.name,
        facts=len(deck.entries),
        total=Count(len(notes), sum(cards.values())),
        subdecks=tuple((names[key], subdecks[key]) for key in names if key in subdecks),
        kinds=_by_size(by_kind),
        note_types=_by_size(by_type),
        tags=tuple(sorted(by_tag.items())),
        lint_warnings=lint_warnings,
        claims=None
        if coverage is None
        else ClaimStats(
            covered=len(coverage.covered),
            total=len(coverage.covered) + len(coverage.uncovered),
            uncovered=tuple(Uncovered(c.id, c.text, str(c.location)) for c in coverage.uncovered),
        ),
        practice=sum(PRACTICE_TAG in n.tags for n in notes),
        practice_skipped=tuple(practice_skipped),
        areas=_areas(spec, notes, cards),
        history=history,
    )


def _areas(
    spec: DeckSpec, notes: Iterable[NoteSpec], cards: Mapping[str, int]
) -> tuple[AreaShare, ...]:
    weights = {k: a.weight for k, a in spec.exam_areas.items() if a.weight is not None}
    if not weights:
        return ()
    split: dict[str, float] = dict.fromkeys(spec.exam_areas, 0.0)
    for note in notes:
        areas = [t.removeprefix(EXAM_PREFIX) for t in note.tags if t.startswith(EXAM_PREFIX)]
        areas = [a for a in areas if a in split]
        for area in areas:
            split[area] += cards[note.guid] / len(areas)
    total, weighed = sum(split.values()), sum(weights.values())
    return tuple(
        AreaShare(
            key,
            count,
            count / total if total else 0.0,
            weights.get(key),
            weights[key] / weighed if key in weights else None,
        )
        for key, count in split.items()
    )


def lines(stats: Stats) -> list[str]:
    """The stats as aligned text: a header, then one table of notes and cards per grouping."""
    sections = [
        ("sub-deck", stats.subdecks),
        ("kind", stats.kinds),
        ("note type", stats.note_types),
        ("tag", stats.tags),
    ]
    width = max(len(label) for _, rows in sections for label, _ in rows)
    digits = max(len("notes"), len(str(stats.total.cards)))
    out = [
        f"{stats.deck}: {stats.facts} facts, {stats.total.notes} notes, {stats.total.cards} cards"
    ]
    for title, rows in sections:
        out.append(f"  {title:<{width + 2}} {'notes':>{digits}} {'cards':>{digits}}")
        out.extend(
            f"    {label:<{width}} {c.notes:>{digits}} {c.cards:>{digits}}" for label, c in rows
        )
    warnings = stats.lint_warnings
    out.append(
        f"  lint: {warnings or 'no'} warning{'' if warnings == 1 else 's'}"
        + (" (factdeck lint lists them)" if warnings else "")
    )
    claims = stats.claims
    if claims is None:
        out.append("  claims: no claim inventory (claims.yaml)")
    else:
        percent = 100 * claims.covered / claims.total if claims.total else 100
        out.append(f"  claims: {claims.covered}/{claims.total} covered ({percent:.0f}%)")
        out.extend(
            f"    uncovered: {u.claim_id} ({u.location}): {u.text}" for u in claims.uncovered
        )
    if stats.areas:
        keys = max(len(a.key) for a in stats.areas)
        out.append(
            f"  {'exam area':<{keys + 2}} {'cards':>6} {'share':>6} {'weight':>7} {'of areas':>9}"
        )
        out.extend(
            f"    {a.key:<{keys}} {a.cards:>6.1f} {_pct(a.share):>6} "
            f"{_pct(None if a.weight is None else a.weight / 100):>7} {_pct(a.weight_share):>9}"
            for a in stats.areas
        )
    if stats.practice or stats.practice_skipped:
        out.append(
            f"  practice: {stats.practice} multiple-choice question"
            f"{'' if stats.practice == 1 else 's'}, {len(stats.practice_skipped)} not made"
        )
        out.extend(
            f"    not made: {s.fact_id}/{s.question} ({s.location}): {s.reason}"
            for s in stats.practice_skipped
        )
    if stats.history is not None:
        h = stats.history
        out.append(
            f"  lock: {h.lock_bytes} bytes for {h.notes} notes ({h.per_note:.0f} B/note), "
            f"{h.releases} release{'' if h.releases == 1 else 's'}; release record: "
            + (f"{h.record_bytes} bytes" if h.record_bytes else "none yet")
        )
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _group(tag: str) -> str:
    return "::".join(tag.split("::")[:TAG_LEVELS])


def _by_size(counts: Mapping[str, Count]) -> tuple[tuple[str, Count], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1].cards, item[0])))
