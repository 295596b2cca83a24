"""The claim inventory: every testable claim of a deck's source, and the facts that state it.

Written by hand next to the facts (`claims.yaml`), because only a reader of the source
can say what it claims. Coverage is computed from the expanded notes, so deleting or
renaming the last fact that states a claim is caught, not silently shipped. A claim left
off the cards on purpose (framing, marketing, a duplicate) says why in `not_carded`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from factdeck.errors import FactdeckError, Location, Problem, did_you_mean
from factdeck.facts.load import CLAIMS_FILE, LineMap, read_yaml
from factdeck.facts.model import DeckSpec, NoteSpec, Slug, Strict, Text
from factdeck.facts.validate import pydantic_problems


class ClaimSchema(Strict):
    id: Slug
    section: Slug
    claim: Text
    covered_by: tuple[Text, ...] = ()  # fact ids, or `fact-id/note-id` for one note
    not_carded: Text | None = None  # why no card states it (instead of covered_by)


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    section: str
    text: str
    covered_by: tuple[str, ...]
    location: Location
    not_carded: str | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    covered: tuple[Claim, ...]
    uncovered: tuple[Claim, ...]
    dangling: tuple[Problem, ...]  # covered_by entries naming no fact or note
    not_carded: tuple[Claim, ...] = ()  # left off the cards on purpose, with the reason

    @property
    def problems(self) -> tuple[Problem, ...]:
        lost = (
            Problem(
                c.location,
                f"claim '{c.id}' is stated by no card: \"{c.text}\"; "
                "add a fact that states it and list it in covered_by",
            )
            for c in self.uncovered
        )
        return tuple(sorted((*self.dangling, *lost), key=_line))


def _line(problem: Problem) -> int:
    return problem.location.line or 0 if problem.location else 0


def load(deck_dir: Path, spec: DeckSpec) -> tuple[Claim, ...]:
    """Read `deck_dir/claims.yaml`, reporting every problem at its line."""
    path = deck_dir / CLAIMS_FILE
    data = read_yaml(path)
    items = data.get("claims") if isinstance(data, LineMap) else None
    if not isinstance(items, list) or not items or set(data) != {"claims"}:
        raise FactdeckError.at(
            Location(path, 1),
            "a claims file holds one key, 'claims': a list of {id, section, claim, covered_by}",
        )
    problems: list[Problem] = []
    claims: list[Claim] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, LineMap):
            problems.append(
                Problem(Location(path, data.line_of("claims")), f"claim #{number} is not a mapping")
            )
            continue
        label = f"claim '{item['id']}'" if isinstance(item.get("id"), str) else f"claim #{number}"
        try:
            spec_item = ClaimSchema.model_validate(dict(item))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, ClaimSchema, item, path, label))
            continue
        if spec_item.covered_by and spec_item.not_carded:
            problems.append(
                Problem(
                    Location(path, item.line),
                    f"{label}: give covered_by "
                    "(the facts that state it) or not_carded (why no card "
                    "states it), not both",
                )
            )
            continue
        claims.append(
            Claim(
                spec_item.id,
                spec_item.section,
                spec_item.claim,
                spec_item.covered_by,
                Location(path, item.line),
                spec_item.not_carded,
            )
        )
    problems.extend(_deck_problems(claims, spec))
    if problems:
        raise FactdeckError(problems)
    return tuple(claims)


def _deck_problems(claims: list[Claim], spec: DeckSpec) -> Iterable[Problem]:
    seen: dict[str, Location] = {}
    sections = spec.source.sections
    for claim in claims:
        if claim.id in seen:
            yield Problem(
                claim.location, f"duplicate claim id '{claim.id}' (first at {seen[claim.id]})"
            )
        seen.setdefault(claim.id, claim.location)
        if claim.section not in sections:
            yield Problem(
                claim.location,
                f"claim '{claim.id}': unknown section "
                f"'{claim.section}'{did_you_mean(claim.section, sections)}; "
                f"deck.yaml lists: {', '.join(sections)}",
            )


def coverage(claims: Iterable[Claim], notes: Iterable[NoteSpec]) -> Coverage:
    """Which claims some existing note states, which none does, and which references dangle."""
    cards: dict[str, set[str]] = defaultdict(set)
    for note in notes:
        cards[note.fact_id].add(note.card_id)
    covered: list[Claim] = []
    uncovered: list[Claim] = []
    dangling: list[Problem] = []
    not_carded: list[Claim] = []
    for claim in claims:
        if claim.not_carded:
            not_carded.append(claim)
            continue
        live = 0
        for ref in claim.covered_by:
            problem = _dangling(ref, cards)
            if problem:
                dangling.append(Problem(claim.location, f"claim '{claim.id}': {problem}"))
            else:
                live += 1
        (covered if live else uncovered).append(claim)
    return Coverage(tuple(covered), tuple(uncovered), tuple(dangling), tuple(not_carded))


def _dangling(ref: str, cards: dict[str, set[str]]) -> str | None:
    fact_id, _, note_id = ref.partition("/")
    if fact_id not in cards:
        return f"fact '{fact_id}' does not exist{did_you_mean(fact_id, cards)}"
    if note_id and not any(c == note_id or c.startswith(f"{note_id}/") for c in cards[fact_id]):
        return (
            f"fact '{fact_id}' has no note '{note_id}'; its notes: "
            f"{', '.join(sorted(cards[fact_id]))}"
        )
    return None
