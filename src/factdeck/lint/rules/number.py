"""number-agreement: singular and plural that do not agree, where it can be told.

Three checks: a named fact whose name looks plural ("dorsal rami") without `plural: true`,
or singular ("gluteal nerve") with it; a `group` of the other number than its fact (the
reverse questions read "Which <group> arises/arise …"); and a question that puts a plural
noun with a singular verb or the reverse ("Which gluteal nerve carry …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from factdeck.facts.model import Entry, Named
from factdeck.lint.cards import Card, Hit

RULES = {
    "number-agreement": "singular and plural that disagree (name vs `plural`, group, verb)",
}

_IRREGULAR_PLURALS = {
    "rami",
    "mice",
    "vertebrae",
    "fasciae",
    "bursae",
    "ganglia",
    "foramina",
    "data",
    "criteria",
    "phenomena",
    "people",
    "feet",
    "teeth",
    "plexuses",
    "nuclei",
    "radii",
    "fibers",
    "fibres",
    "viscera",
    "spinae",
}
_SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "ous", "sis", "xis", "as")
_SINGULAR_NOUNS = {
    "nerve",
    "ramus",
    "root",
    "branch",
    "muscle",
    "ligament",
    "tendon",
    "fascia",
    "bone",
    "joint",
    "vertebra",
    "disc",
    "disk",
    "foramen",
    "syndrome",
    "stroke",
    "technique",
    "lipoma",
    "crest",
    "tunnel",
    "plexus",
    "bursa",
    "ganglion",
}
_SINGULAR_VERBS = {
    "is",
    "was",
    "does",
    "has",
    "carries",
    "arises",
    "forms",
    "supplies",
    "passes",
    "runs",
    "targets",
    "innervates",
    "causes",
    "crosses",
    "pierces",
    "travels",
    "lies",
    "becomes",
    "gives",
}
_PLURAL_VERBS = {
    "are",
    "were",
    "do",
    "have",
    "carry",
    "arise",
    "form",
    "supply",
    "pass",
    "run",
    "target",
    "innervate",
    "cause",
    "cross",
    "pierce",
    "travel",
    "lie",
    "become",
    "give",
}
_VERBS = _SINGULAR_VERBS | _PLURAL_VERBS
_WHICH = re.compile(r"\bwhich\s+((?:[a-z-]+\s+){1,6})", re.IGNORECASE)


def looks_plural(phrase: str) -> bool | None:
    """True/False when the last word's number is clear, None when it is not."""
    words = re.sub(r"\([^)]*\)", "", phrase).lower().split()
    if not words:
        return None
    last = words[-1]
    if last in _IRREGULAR_PLURALS:
        return True
    if last in _SINGULAR_NOUNS:
        return False
    if last.endswith("s") and not last.endswith(_SINGULAR_ENDINGS):
        return True
    return None


def check(entries: Iterable[Entry], cards: Iterable[Card]) -> Iterator[Hit]:
    for entry in entries:
        fact = entry.fact
        if not isinstance(fact, Named):
            continue
        said = "plural: true" if fact.plural else "no 'plural: true'"
        looks = looks_plural(fact.name)
        if looks is not None and looks != fact.plural:
            yield Hit(
                entry.location,
                fact.id,
                "number-agreement",
                f"name '{fact.name}' looks {'plural' if looks else 'singular'} but the "
                f"fact has {said}; questions would say "
                f"'{'is' if not fact.plural else 'are'}'",
            )
        group = getattr(fact, "group", None)
        if group and looks_plural(group) not in (None, fact.plural):
            yield Hit(
                entry.location,
                fact.id,
                "number-agreement",
                f"group '{group}' is {'plural' if fact.plural is False else 'singular'} "
                f"but the fact has {said}; reverse questions read 'Which {group} …': "
                "write the group in the fact's number",
            )
    for card in cards:
        if card.shape != "qa":
            continue
        for match in _WHICH.finditer(card.question):
            words = match.group(1).lower().split()
            at = next((i for i, w in enumerate(words) if i and w in _VERBS), None)
            if at is None:
                continue
            head = words[:at].index("of") - 1 if "of" in words[:at] else at - 1
            if head < 0:
                continue
            noun, verb = words[head], words[at]  # "which branch of the nerves is": branch
            plural = looks_plural(noun)
            if (plural is True and verb in _SINGULAR_VERBS) or (
                plural is False and verb in _PLURAL_VERBS
            ):
                phrase = " ".join(["Which", *words[: at + 1]])
                yield card.hit(
                    "number-agreement",
                    f"'{phrase}': '{noun}' and '{verb}' disagree in number: '{card.question}'",
                )
