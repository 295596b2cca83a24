"""unjustified-ref: a reference attributed to a fact without saying why it supports it.

An article's reference list often has no in-text markers; tying a reference to a claim
is then the deck author's judgement, and a reviewer needs to see it. Write it in the
fact's source: `source: {section: ..., refs: [smith-2019], refs_why: "..."}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from factdeck.facts.model import Entry
from factdeck.lint.cards import Card, Hit

RULES = {
    "unjustified-ref": "a reference attributed to a fact without `source.refs_why`",
}


def check(entries: Iterable[Entry], cards: Iterable[Card]) -> Iterator[Hit]:
    for entry in entries:
        source = entry.fact.source
        if source.refs and not source.refs_why:
            yield Hit(
                entry.location,
                entry.fact.id,
                "unjustified-ref",
                f"cites {', '.join(source.refs)} without saying why; add "
                "`refs_why:` to the source (where the reference supports this claim), "
                "or drop the reference",
            )
