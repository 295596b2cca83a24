"""cue-shares-answer: a Q/A, case or cloze card whose cue shows a word (or a stem) of its answer.

"Which cluneal nerves supply the middle buttock?" -> "the middle cluneal nerves": the cue
dictates the answer's distinctive word. Not counted: the words the question asks for
("Which *cluneal nerves* …" -> "the medial cluneal nerves": the student recalls 'medial'),
category nouns (nerve, fiber, muscle …), the deck's own topic ("low back"), and an answer's bracketed note ("(the article: …)");
a bracketed other name ("(middle cluneal nerves)", "(PFCN)") is an answer too. A choice
("… A or B?") names its answer on purpose; an answer wholly in its question is
answer-in-question's. Per card (its own fact only), so it is linted once per edited file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from factdeck.lint.cards import STOP_WORDS, content_words, same_stem, stem, tokens
from factdeck.lint.rules.wording import GENERIC_NOUNS

RULES = {
    "cue-shares-answer": "a question (Q/A, case, cloze) that shows a word or stem of its answer",
}

# Words that say what kind of answer is wanted, or how much: shared, they give nothing away.
_WEAK = {stem(w) for w in GENERIC_NOUNS} | {
    stem(w)
    for w in [
        "type",
        "kind",
        "part",
        "set",
        "group",
        "pain",
        "side",
        "level",
        "levels",
        "spinal",
        "small",
        "large",
        "often",
        "common",
        "usually",
        "like",
    ]
}
_ASKING = re.compile(
    r"\b(?:which|what)\s+((?:(?:kind|type|sort|set|group|part)\s+of\s+)?[\w–-]+(?:\s+[\w–-]+){0,3})",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"\(([^()]*)\)")
_CHOICE = re.compile(r"\bor\b[^?]*\?\s*$")
_NOTE_WORDS = {"article", "they", "it", "see", "also", "e.g", "i.e", "not", "only"}


def check(question: str, answer: str, names: tuple[str, ...], topic: str) -> Iterator[str]:
    """Messages for one card; `names`: its fact's name, other names and also-accepted
    answers (a bracket holding one of them is part of the answer); `topic`: the deck's
    name, whose words ("low back") every card may use."""
    if _CHOICE.search(question):
        return
    question_words = content_words(question)
    whole = {stem(w) for w in question_words}
    if all(stem(w) in whole for w in content_words(answer)):
        return  # nothing to recall, or all of it shown: answer-in-question's finding
    said = _answer_words(answer, names)
    asked = set(_asked_for(question, said))
    shown = [w for w in question_words if w not in asked]
    weak = _weak(topic)
    given = []
    for word in said:
        if stem(word) in weak or word in asked:
            continue
        clue = next((v for v in shown if stem(v) not in weak and _same(word, v)), None)
        if clue and clue not in given:
            given.append(clue)
    if given:
        words = ", ".join(f"'{w}'" for w in given)
        yield (
            f"the cue shows {words}, a word of the answer '{answer}': '{question}'; ask "
            "without naming part of the answer"
        )


@functools.cache  # the deck's name: the same for every card
def _weak(topic: str) -> frozenset[str]:
    return frozenset(_WEAK | {stem(w) for w in content_words(topic)})


def _same(word: str, other: str) -> bool:
    """One word in two forms ('sensory', 'sensation'); a compound that starts like a word
    ('sacroiliac', 'sacrum') names a neighbour, which a question may rightly do."""
    return (
        word[:3] == other[:3]
        and abs(len(word) - len(other)) <= 2
        and same_stem(stem(word), stem(other))
    )


def _answer_words(answer: str, names: tuple[str, ...]) -> list[str]:
    """The answer's words: outside brackets, and inside a bracket that is another name."""
    keep = [_BRACKET.sub(" ", answer)]
    known = {" ".join(tokens(n)) for n in names}
    for inner in _BRACKET.findall(answer):
        words = tokens(inner)
        if " ".join(words) in known or (
            len(words) <= 3 and not set(words) & (STOP_WORDS | _NOTE_WORDS) and ":" not in inner
        ):
            keep.append(inner)
    return list(dict.fromkeys(w for part in keep for w in content_words(part)))


def _asked_for(question: str, answer: list[str]) -> Iterator[str]:
    """What the question asks for, which the answer may rightly repeat: the words after
    'which'/'what', up to the last one the answer has ("Which cluneal nerves carry …" ->
    'cluneal nerves' when the answer is 'the medial cluneal nerves')."""
    said = {stem(w) for w in answer}
    for match in _ASKING.finditer(question):
        phrase = []
        for word in tokens(match.group(1)):
            if word in STOP_WORDS and word != "of":
                break
            phrase.append(word)
        last = max((i for i, w in enumerate(phrase) if stem(w) in said), default=-1)
        yield from phrase[: last + 1]
