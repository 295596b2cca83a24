"""Students' cards matched to the deck's facts and summed over the class. Pure: plain rows in
(analyze/exports.py), numbers out; no student is told apart from another.

A card is matched by its note's GUID (the lock knows every GUID the deck ever shipped) and
its card number; a card no deck here knows is skipped and counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from factdeck.analyze.exports import AGAIN, REVIEW, Export
from factdeck.errors import Location

MIN_ANSWERS = 5  # below this many answers a card's again rate says little
HARD_AGAIN_RATE = 0.3  # a card the class fails this often, or any student's leech, is hard


@dataclass(frozen=True, slots=True)
class Tally:
    """Sums over students: each student who has the card adds their own counts."""

    students: int = 0
    answers: int = 0  # every rated answer: learning, review, relearning
    again: int = 0
    reviews: int = 0  # answers to review cards (what retention is measured on)
    passed: int = 0  # review answers other than Again
    lapses: int = 0
    leeches: int = 0  # students for whom it is a leech
    seconds: float = 0.0
    difficulty: float = 0.0  # summed FSRS difficulty ...
    rated: int = 0  # ... over this many students who use FSRS

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            students=self.students + other.students,
            answers=self.answers + other.answers,
            again=self.again + other.again,
            reviews=self.reviews + other.reviews,
            passed=self.passed + other.passed,
            lapses=self.lapses + other.lapses,
            leeches=self.leeches + other.leeches,
            seconds=self.seconds + other.seconds,
            difficulty=self.difficulty + other.difficulty,
            rated=self.rated + other.rated,
        )

    @property
    def again_rate(self) -> float | None:
        return self.again / self.answers if self.answers else None

    @property
    def retention(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    @property
    def seconds_per_answer(self) -> float | None:
        return self.seconds / self.answers if self.answers else None

    @property
    def mean_difficulty(self) -> float | None:
        return self.difficulty / self.rated if self.rated else None

    @property
    def hard(self) -> bool:
        rate = self.again_rate
        return self.leeches > 0 or (
            self.answers >= MIN_ANSWERS and rate is not None and rate >= HARD_AGAIN_RATE
        )


@dataclass(frozen=True, slots=True)
class CardInfo:
    """What the project knows of one card: where it comes from and what lint said of it."""

    guid: str
    ord: int
    fact: str
    note: str  # the template note id ('levels', 'text', ...)
    subdeck: str  # its sub-deck's name
    areas: tuple[str, ...]  # exam area keys
    location: Location | None
    rules: tuple[str, ...]  # lint rules that fired on it
    text: str  # its front, as students read it ('' for a retired card)
    retired: bool = False

    @property
    def number(self) -> int:
        return self.ord + 1


@dataclass(frozen=True, slots=True)
class CardResult:
    info: CardInfo
    tally: Tally


@dataclass(frozen=True, slots=True)
class FactResult:
    fact: str
    location: Location | None
    cards: int
    hard: int
    tally: Tally


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    name: str
    cards: int
    tally: Tally
    weight: float | None = None  # the exam's published share of this area, when given
    card_share: float = 0.0  # share of the deck's area-tagged cards (split across areas)
    time_share: float = 0.0  # share of the class's study time on them (split likewise)
    weight_share: float | None = None  # weight among the weighted areas the deck serves


@dataclass(frozen=True, slots=True)
class Analysis:
    students: int  # exports holding at least one card of the deck
    cards: tuple[CardResult, ...]  # hardest first
    facts: tuple[FactResult, ...]
    subdecks: tuple[Group, ...]
    areas: tuple[Group, ...]
    lapses_by_week: tuple[tuple[date, int], ...]
    without_answers: int  # exports of the deck with no answer at all (no scheduling?)
    skipped_cards: int = 0  # cards of other decks in the exports
    skipped_decks: int = 0
    total: Tally = field(default_factory=Tally)


def analyze(
    exports: Iterable[Export],
    known: Mapping[tuple[str, int], CardInfo],
    area_names: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
) -> Analysis:
    """Sum every export's cards of this deck; `known` maps (GUID, ord) to what we know."""
    tallies: dict[tuple[str, int], Tally] = defaultdict(Tally)
    guids = {guid for guid, _ in known}
    weeks: Counter[date] = Counter()
    students = without = skipped_cards = skipped_decks = 0
    for export in exports:
        ours = [c for c in export.cards if c.guid in guids]
        skipped_cards += len(export.cards) - len(ours)
        skipped_decks += export.decks - len({c.deck for c in ours})
        if not ours:
            continue
        students += 1
        without += not any(c.answers for c in ours)
        for card in ours:
            key = (card.guid, card.ord)
            if key not in known:
                continue  # a card number the note never made (a student's own edit)
            answers = card.answers
            reviews = [a for a in answers if a.kind == REVIEW]
            tallies[key] += Tally(
                students=1,
                answers=len(answers),
                again=sum(a.ease == AGAIN for a in answers),
                reviews=len(reviews),
                passed=sum(a.ease != AGAIN for a in reviews),
                lapses=card.lapses,
                leeches=int(card.leech),
                seconds=sum(a.seconds for a in answers),
                difficulty=card.difficulty or 0.0,
                rated=int(card.difficulty is not None),
            )
            for answer in reviews:
                if answer.ease == AGAIN:
                    weeks[_week(answer.day)] += 1
    cards = tuple(
        sorted(
            (CardResult(known[key], tally) for key, tally in tallies.items()),
            key=lambda r: (not r.tally.hard, -(r.tally.again_rate or 0), r.info.fact, r.info.ord),
        )
    )
    return Analysis(
        students=students,
        cards=cards,
        facts=_facts(cards),
        subdecks=_groups(cards, lambda i: ((i.subdeck, i.subdeck),)),
        areas=_areas(cards, area_names, weights or {}),
        lapses_by_week=tuple(sorted(weeks.items())),
        without_answers=without,
        skipped_cards=skipped_cards,
        skipped_decks=skipped_decks,
        total=sum((r.tally for r in cards), Tally()),
    )


def _week(day: int) -> date:
    start = date(1970, 1, 1) + timedelta(days=day)
    return start - timedelta(days=start.weekday())  # the Monday of its week


def _facts(cards: tuple[CardResult, ...]) -> tuple[FactResult, ...]:
    by_fact: dict[str, list[CardResult]] = defaultdict(list)
    for result in cards:
        by_fact[result.info.fact].append(result)
    facts = [
        FactResult(
            fact=fact,
            location=results[0].info.location,
            cards=len(results),
            hard=sum(r.tally.hard for r in results),
            tally=sum((r.tally for r in results), Tally()),
        )
        for fact, results in by_fact.items()
    ]
    return tuple(sorted(facts, key=lambda f: (-f.hard, -(f.tally.again_rate or 0), f.fact)))


def _groups(
    cards: Iterable[CardResult], keys: Callable[[CardInfo], Iterable[tuple[str, str]]]
) -> tuple[Group, ...]:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    tallies: dict[str, Tally] = defaultdict(Tally)
    for result in cards:
        for key, name in keys(result.info):
            counts[key] += 1
            names[key] = name
            tallies[key] += result.tally
    return tuple(Group(k, names[k], counts[k], tallies[k]) for k in sorted(counts))


def _areas(
    cards: tuple[CardResult, ...], names: Mapping[str, str], weights: Mapping[str, float]
) -> tuple[Group, ...]:
    """Each exam area with its cards and study time; a card in two areas counts half in
    each, so the shares add up to the whole deck, like the exam's weights do."""
    found = {g.key: g for g in _groups(cards, lambda i: [(a, names.get(a, a)) for a in i.areas])}
    cards_in: defaultdict[str, float] = defaultdict(float)
    seconds_in: defaultdict[str, float] = defaultdict(float)
    for result in cards:
        areas = [a for a in result.info.areas if a in names]
        for area in areas:
            cards_in[area] += 1 / len(areas)
            seconds_in[area] += result.tally.seconds / len(areas)
    all_cards, all_seconds = sum(cards_in.values()), sum(seconds_in.values())
    weighed = sum(weights.values())
    return tuple(
        Group(
            key,
            name,
            found[key].cards if key in found else 0,
            found[key].tally if key in found else Tally(),
            weights.get(key),
            cards_in[key] / all_cards if all_cards else 0.0,
            seconds_in[key] / all_seconds if all_seconds else 0.0,
            weights[key] / weighed if key in weights and weighed else None,
        )
        for key, name in names.items()
    )
