"""Card-quality lint: what a careful editor checks before students see a card.

Built on Wozniak's rules for formulating knowledge: short answers, no sets to
recall as a blob, no card asked twice, every question standing alone in a
shuffled review, every card with its source. Pure: takes the expanded notes and
returns findings; the CLI decides whether they are warnings or a failure.

A fact silences a rule for its own notes with `lint: {rule-name: "why this is fine"}`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from factdeck.diagrams.occlusion import mask_labels
from factdeck.errors import Location, did_you_mean
from factdeck.facts import textsafety
from factdeck.facts.model import (
    EXAM_PREFIX,
    Deck,
    DeckSpec,
    Diagram,
    Entry,
    Fact,
    Named,
    NoteSpec,
)
from factdeck.lint import near_duplicates, rules
from factdeck.lint.cards import Card, study_cards
from factdeck.lint.rules import cues, diagrams, repeats
from factdeck.render import html
from factdeck.render.templates import NoteType

MAX_ANSWER_WORDS = 12  # the issue aims at a median of 8; 12 leaves room for a qualifier
MIN_QUESTION_WORDS = 4  # "Where is it?" cannot stand alone in a shuffled review
NEAR_DUPLICATE = 0.9  # difflib ratio over content words: one word in ten may differ
SAME_ANSWER_MIN_WORDS = 3  # "buttock", "L1–L3": short answers rightly recur across claims

RULES = {
    "long-answer": f"an answer longer than {MAX_ANSWER_WORDS} words",
    "list-answer": "an answer that is a list of three or more items",
    "duplicate-question": "two cards asking the same, or nearly the same, question",
    "same-answer": "one answer given to questions of different facts",
    "unnamed-subject": "a question that does not say what it is about",
    "no-source": "a card whose back does not show its source",
    "no-exam-tag": "a fact without an exam:: tag, in a deck that declares exam areas",
    "bad-exception": "a lint exception naming an unknown rule, or silencing nothing",
    textsafety.RULE: "an invisible character (bidirectional override, zero-width) in the text",
    **rules.RULES,
    **diagrams.RULES,
}

# Rules on trial: landed as warnings while the shipped deck is brought to 0 findings for
# them (issue 24); `factdeck lint` shows their findings but does not fail on them. A rule
# leaves this set once the deck is clean for it.
TRIAL: frozenset[str] = frozenset()  # issue 24's rules all left it at 0 findings

_LIST_MARKUP = re.compile(r"<br\s*/?>|<li\b", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r",\s+|;\s*|\s+and\s+|\s+or\s+|\n")
_PARENS = re.compile(r"\s*\([^)]*\)")
_PRONOUNS = {"it", "its", "they", "them", "their", "this", "these", "those", "he", "she"}
_STOP_WORDS = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "and",
    "or",
    "is",
    "are",
    "do",
    "does",
    "what",
    "which",
    "how",
    "that",
    "with",
    "from",
}


@dataclass(frozen=True, slots=True)
class Finding:
    location: Location
    fact_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: fact '{self.fact_id}': [{self.rule}] {self.message}"


@dataclass(frozen=True, slots=True)
class FileLint:
    """The per-card part of lint for some notes (one fact file's, in a build): their cards
    as the rules across cards read them (across()), each card's question as compared words,
    what the rules of one card or fact at a time found, and the file's index for the
    content rules across cards. Kept with the file's notes in the build cache, so unchanged
    files are not linted again; read back, `cards` are made only as a rule across cards
    asks for one (most never are)."""

    cards: Sequence[Card]
    keys: tuple[tuple[str, ...], ...]
    answers: tuple[str, ...]  # each card's answer as the same-answer rule compares it
    findings: tuple[Finding, ...]
    index: rules.FileIndex
    written: tuple[int, ...] = ()  # the places of the cards in WRITTEN shapes
    digests: tuple[int, ...] = ()  # each card's _card_digest, for the near-duplicate pairs
    names: tuple[str, ...] = ()  # the facts' names as answers (_answer_key), sorted


@dataclass(frozen=True, slots=True)
class Seen:
    """The near-duplicate pairs of the last lint, by card (GUID, compared words): pairs of
    cards that are still there are still pairs; only other cards need looking up. The same
    for the asked-twice pairs (lint/rules/repeats.py)."""

    cards: frozenset[int] = frozenset()  # each card's _card_digest
    pairs: frozenset[tuple[int, int]] = frozenset()
    asked: repeats.Asked = dataclasses.field(default_factory=repeats.Asked)  # asked-twice's


def lint(
    deck: Deck, notes: Iterable[NoteSpec], note_types: Mapping[str, NoteType]
) -> tuple[Finding, ...]:
    """The whole deck at once: what lint_deck over each file's file_lint must equal."""
    return lint_deck(deck, (file_lint(deck, tuple(notes), note_types, deck.entries),))[0]


def file_lint(
    deck: Deck,
    notes: tuple[NoteSpec, ...],
    note_types: Mapping[str, NoteType],
    entries: Iterable[Entry] = (),
) -> FileLint:
    """The cards of `notes` and the rules of one card or fact at a time over them and over
    `entries` (one file's; facts of other files looked up in `deck`)."""
    entries = tuple(entries)
    asked = {note.fact_id for note in notes}
    facts = {e.fact.id: e.fact for e in entries}
    if not asked <= facts.keys():  # practice notes ask other files' facts
        facts = {e.fact.id: e.fact for e in deck.entries}
    drawn = {fact_id for fact_id in asked if isinstance(facts.get(fact_id), Diagram)}
    labels = mask_labels(deck, drawn) if drawn else {}
    cards = tuple(study_cards(notes, note_types, labels))
    hits, index = rules.file_check(entries, cards)
    found = (
        *(
            f
            for card in cards
            if card.shape in WRITTEN
            for rule in CARD_RULES
            for f in rule(card, facts.get(card.note.fact_id), deck.spec)
        ),
        *(Finding(h.location, h.fact_id, h.rule, h.message) for h in hits),
        *(
            Finding(e.location, e.fact.id, textsafety.RULE, message)
            for e in entries
            for message in textsafety.hidden_characters(e.fact)
        ),
    )
    keys = tuple(_content_words(c.question) for c in cards)
    return FileLint(
        cards=tuple(across(card) for card in cards),
        keys=keys,
        answers=tuple(_answer_key(c.answer) for c in cards),
        findings=(*found, *_missing_exam_tags(deck.spec, entries)),
        index=index,
        written=tuple(i for i, card in enumerate(cards) if card.shape in WRITTEN),
        digests=tuple(_card_digest(c.note.guid, k) for c, k in zip(cards, keys, strict=True)),
        names=tuple(sorted({_answer_key(name) for e in entries for name in _names(e.fact)})),
    )


def across(card: Card) -> Card:
    """A card as the rules across cards read it (those of lint_deck and rules.deck_check):
    its note, shape, question, answer, extra, number and choices. The texts only the rules
    of one card at a time read are left empty, so the cache does not keep them, and a rule
    across cards reading one reads it empty in a full lint too."""
    return dataclasses.replace(
        card, answer_html="", source="", reading="", hidden=(), visible="", text=""
    )


def lint_deck(
    deck: Deck,
    files: Iterable[FileLint],
    seen: Seen | None = None,
    drawn: Iterable[Finding] | None = None,
) -> tuple[tuple[Finding, ...], Seen]:
    """Every finding, from the per-card findings of each file and the cross-card rules
    (the content rules across cards from each file's index; the diagram rules read the
    deck's diagrams, unless `drawn` gives what drawn_findings found for the same deck).

    With `seen` (the last lint's near-duplicate pairs), only cards that are new since are
    looked up in the near-duplicate index: the findings are the same as without it.
    """
    files = tuple(files)
    written = [(f.cards, i) for f in files for i in f.written]

    def card(n: int) -> Card:
        cards, i = written[n]
        return cards[i]

    keys = tuple(f.keys[i] for f in files for i in f.written)
    answers = tuple(f.answers[i] for f in files for i in f.written)
    digests = [f.digests[i] for f in files for i in f.written]
    pairs, now_seen = _near_pairs(digests, keys, seen)
    names = {name for f in files for name in f.names}
    hits, asked = rules.deck_check(
        deck, ((f.index, f.cards) for f in files), None if seen is None else seen.asked
    )
    facts = {e.fact.id: e.fact for e in deck.entries}
    found = [
        *(finding for f in files for finding in f.findings),
        *_duplicate_questions(card, keys, pairs),
        *_same_answers(card, answers, names),
        *(Finding(h.location, h.fact_id, h.rule, h.message) for h in hits),
        *(drawn_findings(deck) if drawn is None else drawn),
    ]
    kept = [f for f in found if f.fact_id not in facts or f.rule not in facts[f.fact_id].lint]
    return tuple(
        sorted(
            {*kept, *_exception_findings(deck, found)},
            key=lambda f: (
                str(f.location.path),
                f.location.line or 0,
                f.fact_id,
                f.rule,
                f.message,
            ),
        )
    ), dataclasses.replace(now_seen, asked=asked)


def drawn_findings(deck: Deck) -> tuple[Finding, ...]:
    """The diagram rules' findings: every diagram fact against its drawing, with the
    deck's nerve levels (rules/diagrams.py)."""
    return tuple(Finding(d.location, d.fact_id, d.rule, d.message) for d in diagrams.findings(deck))


def plain(text: str) -> str:
    """Card HTML as the student reads it, whole (see render.html.plain)."""
    return html.plain(text, limit=None)


def words(text: str) -> int:
    return len(text.split())


# --- one card at a time -------------------------------------------------------------------


def _card_findings(card: Card, fact: Fact | None, spec: DeckSpec) -> Iterator[Finding]:
    note = card.note
    where = f"note '{note.card_id}'"

    def finding(rule: str, message: str) -> Finding:
        return Finding(note.location, note.fact_id, rule, f"{where}: {message}")

    if words(card.answer) > MAX_ANSWER_WORDS:
        yield finding(
            "long-answer",
            f"answer has {words(card.answer)} words (limit "
            f"{MAX_ANSWER_WORDS}): '{card.answer}'; ask for less, or split the fact",
        )
    items = [part for part in _LIST_SEPARATOR.split(card.answer) if part.strip()]
    if _LIST_MARKUP.search(card.answer_html) or len(items) >= 3:
        yield finding(
            "list-answer",
            f"answer is a list: '{card.answer}'; make one cloze per "
            "item (a list field with the `clozes` filter)",
        )
    if not card.source:
        yield finding("no-source", "the card shows no source; give the fact a 'source'")
    yield from (finding("unnamed-subject", m) for m in _subject_problems(card, fact))


def _subject_problems(card: Card, fact: Fact | None) -> Iterator[str]:
    first = card.question.split(" ", 1)[0].lower().strip(".,:;?!")
    if first in _PRONOUNS:
        yield (
            f"question starts with '{first}': '{card.question}'; name the subject, a "
            "shuffled review gives no context"
        )
    if fact is None:
        return
    if fact.kind == "question" and words(card.question) < MIN_QUESTION_WORDS:
        yield (
            f"question has fewer than {MIN_QUESTION_WORDS} words: '{card.question}'; "
            "say what it is about"
        )
    if isinstance(fact, Named):
        names = [fact.name, *fact.aka]
        said = f"{card.question} {card.answer}".lower()
        if not any(name.lower() in said for name in names):
            yield (
                f"neither question nor answer names the {fact.kind} "
                f"('{names[0]}'): '{card.question}'"
            )


def _cue_findings(card: Card, fact: Fact | None, spec: DeckSpec) -> Iterator[Finding]:
    names = (
        *((fact.name, *fact.aka) if isinstance(fact, Named) else ()),
        *(fact.also_accept if fact else ()),
    )
    for message in cues.check(card.question, card.answer, names, spec.name):
        yield Finding(
            card.note.location,
            card.note.fact_id,
            "cue-shares-answer",
            f"note '{card.note.card_id}': {message}",
        )


# The shapes of card the formulation rules of this module read: a question and its answer
# in words (a diagram's question is a picture; a multiple-choice answer is picked, not
# recalled). The content rules (lint/rules/) read every shape.
WRITTEN = frozenset({"qa", "cloze"})

# Rules that look at one card (and its fact) at a time; the rest compare cards across the
# deck. A new per-card rule is a generator of findings added here; a new cross-card rule
# gets the deck's cards in lint_deck.
CARD_RULES: tuple[Callable[[Card, Fact | None, DeckSpec], Iterable[Finding]], ...] = (
    _card_findings,
    _cue_findings,
)


# --- across cards ----------------------------------------------------------------------------


def _near_pairs(
    ids: list[int], keys: tuple[tuple[str, ...], ...], seen: Seen | None
) -> tuple[list[tuple[int, int]], Seen]:
    """Index pairs of cards with near-duplicate questions (NEAR_DUPLICATE over words);
    `ids`: each card's _card_digest."""
    current = frozenset(ids)
    if seen is None:
        probe = None
        kept: set[tuple[int, int]] = set()
    else:
        probe = [i for i, ident in enumerate(ids) if ident not in seen.cards]
        where: dict[int, list[int]] = defaultdict(list)
        for i, ident in enumerate(ids):
            where[ident].append(i)
        kept = {
            (min(i, j), max(i, j))
            for a, b in seen.pairs
            if a in current and b in current
            for i in where[a]
            for j in where[b]
            if i != j
        }
    found = kept | set(near_duplicates.pairs(keys, NEAR_DUPLICATE, probe))
    pairs = sorted(found)
    return pairs, Seen(cards=current, pairs=frozenset((ids[i], ids[j]) for i, j in pairs))


def _card_digest(guid: str, key: tuple[str, ...]) -> int:
    """A card as the near-duplicate rule sees it, in 64 bits (stable across runs)."""
    data = "\x1f".join((guid, *key)).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _duplicate_questions(
    card: Callable[[int], Card],
    keys: tuple[tuple[str, ...], ...],
    pairs: Iterable[tuple[int, int]],
) -> Iterator[Finding]:
    """Same question after normalising, or nearly (NEAR_DUPLICATE over content words).

    Cloze cards of one note share their text by design and are never compared. Every
    such pair is found, through an index (near_duplicates.py), not by comparing all pairs.
    """
    for i, j in pairs:
        a, b = card(i), card(j)
        if a.note.guid == b.note.guid:
            continue
        same = "the same" if keys[i] == keys[j] else "nearly the same"
        for this, other in ((a, b), (b, a)):
            yield Finding(
                this.note.location,
                this.note.fact_id,
                "duplicate-question",
                f"note '{this.note.card_id}' asks {same} question as fact "
                f"'{other.note.fact_id}' note '{other.note.card_id}': "
                f"'{this.question}'",
            )


def _content_words(text: str) -> tuple[str, ...]:
    tokens = re.findall(r"[\w–-]+", text.lower())
    return tuple(t.removesuffix("s") for t in tokens if t not in _STOP_WORDS)


def _same_answers(
    card: Callable[[int], Card], answers: tuple[str, ...], names: set[str]
) -> Iterator[Finding]:
    """One answer to questions of different facts: usually one claim carded twice.

    Fine and not reported: notes of the same fact (a forward and a reverse card are the
    same knowledge from two sides); answers that are a subject's name (`names`: many
    questions rightly point back to one nerve; whether those questions differ is the
    duplicate-question rule's job); and answers shorter than SAME_ANSWER_MIN_WORDS (a
    region or a level is the answer to many distinct claims).
    """
    given = Counter(answers)  # a group needs two cards: the rest are not looked at
    groups: dict[str, list[Card]] = defaultdict(list)
    for i in [i for i, key in enumerate(answers) if given[key] > 1]:
        key = answers[i]
        if key not in names and words(key) >= SAME_ANSWER_MIN_WORDS:
            groups[key].append(card(i))
    for group in groups.values():
        for this in group:
            others = sorted({c.note.fact_id for c in group} - {this.note.fact_id})
            if others:
                yield Finding(
                    this.note.location,
                    this.note.fact_id,
                    "same-answer",
                    f"note '{this.note.card_id}': answer '{this.answer}' also "
                    f"answers fact {', '.join(repr(o) for o in others)}; make the "
                    "questions ask for different things, or merge the facts",
                )


def _names(fact: Fact) -> Iterator[str]:
    """The names a fact goes by (none unless it is a named kind)."""
    yield from (n for n in (getattr(fact, "name", None), *getattr(fact, "aka", ())) if n)


def _answer_key(answer: str) -> str:
    text = _PARENS.sub("", answer.lower()).strip(" .!?")
    return " ".join(text.removeprefix("the ").split())


def _missing_exam_tags(spec: DeckSpec, entries: Iterable[Entry]) -> Iterator[Finding]:
    if not spec.exam_areas:
        return
    areas = ", ".join(f"{EXAM_PREFIX}{a}" for a in spec.exam_areas)
    for entry in entries:
        if not any(t.startswith(EXAM_PREFIX) for t in entry.fact.tags):
            yield Finding(
                entry.location, entry.fact.id, "no-exam-tag", f"no exam tag; add one of: {areas}"
            )


def _exception_findings(deck: Deck, found: list[Finding]) -> Iterator[Finding]:
    """A `lint:` entry must name a real rule and silence something, or it misleads."""
    raised = {(f.fact_id, f.rule) for f in found}
    for entry in deck.entries:
        for rule in entry.fact.lint:
            if rule not in RULES:
                yield Finding(
                    entry.location,
                    entry.fact.id,
                    "bad-exception",
                    f"'lint' names unknown rule '{rule}'{did_you_mean(rule, RULES)}; "
                    f"rules: {', '.join(RULES)}",
                )
            elif (entry.fact.id, rule) not in raised:
                yield Finding(
                    entry.location,
                    entry.fact.id,
                    "bad-exception",
                    f"'lint' silences '{rule}', which this fact does not trigger; "
                    "delete the exception",
                )
