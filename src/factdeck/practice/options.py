"""Which wrong options are valid, and which four options a question shows, in what order.

Pure and deterministic: the same facts always give the same options in the same places,
whatever the file order or the day; the right answer's place comes from the note's GUID.

Valid by construction:
- a wrong option is never also right: not equal to the answer or any of its synonyms
  (`aka` when the answer is a name, `also_accept`), not containing one nor contained in one
  (compared as words, ignoring case, articles and punctuation; a dash separates words, so
  'S1' is inside 'S1–S3');
- three distinct wrong options, else no question;
- comparable form: the longest option is at most LONG_RATIO times the next longest, or
  LONG_SLACK characters longer (a lone long option is a give-away: test-wise students pick it).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CHOICES = 4
LETTERS = "ABCD"
LONG_RATIO = 1.5
LONG_SLACK = 12
SEARCH = 12  # candidates (in hash order) combined when looking for comparable options

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_ARTICLES = re.compile(r"\b(?:the|a|an)\b")
_PUNCT = re.compile(r"[^\w\s]")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible wrong option: its text, its synonyms, and what it really belongs to."""

    text: str
    synonyms: tuple[str, ...] = ()
    explain: str = ""
    kind: str = ""  # the kind of the fact it names, where known (a case's look-alike)


@dataclass(frozen=True, slots=True)
class Option:
    letter: str
    text: str
    correct: bool
    explain: str


@functools.lru_cache(maxsize=65536)
def normal(text: str) -> str:
    """Text as compared: case, articles, punctuation and brackets ignored; dashes and hyphens
    separate words."""
    folded = _DASHES.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_PUNCT.sub(" ", _ARTICLES.sub(" ", folded)).split())


def overlaps(one: str, other: str) -> bool:
    """Equal, or one contains the other as whole words."""
    return overlaps_normal(normal(one), normal(other))


def overlaps_normal(a: str, b: str) -> bool:
    """`overlaps` of two texts already passed through `normal`."""
    if not a or not b:
        return a == b
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


# "all of the above" and kin: never an option (each option must stand alone when shuffled)
ABOVE = re.compile(r"\b(?:all|none|both|neither) of (?:the )?(?:above|these)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*\([^()]*\)")
_ALTERNATE = re.compile(r"(\S+)\s*\(([^()]+)\)")


def variants(text: str) -> tuple[str, ...]:
    """The names a text with a bracketed alternate stands for: 'medial (middle) cluneal
    nerves' -> itself, 'medial cluneal nerves' and 'middle cluneal nerves'."""
    if "(" not in text:
        return (text,)
    without = _ALTERNATE.sub(lambda m: m.group(1), text)
    instead = _ALTERNATE.sub(lambda m: m.group(2), text)
    return tuple(dict.fromkeys((text, without, instead)))


def conflict(accepted: Iterable[str], candidate: Candidate) -> str | None:
    """Why `candidate` would also be a right answer, or None when it is safely wrong."""
    right = tuple(accepted)
    for text in (candidate.text, *candidate.synonyms):
        for answer in right:
            if any(overlaps(a, b) for a in variants(text) for b in variants(answer)):
                same = normal(text) == normal(answer)
                return (
                    f"'{candidate.text}' {'is' if same else 'overlaps'} the accepted "
                    f"answer '{answer}'"
                )
    return None


def comparable(texts: Sequence[str]) -> bool:
    """No lone long option: the longest is close to the next longest."""
    lengths = sorted((len(t) for t in texts), reverse=True)
    if len(lengths) < 2:
        return True
    return lengths[0] <= max(LONG_RATIO * lengths[1], lengths[1] + LONG_SLACK)


def rank(seed: str, text: str) -> bytes:
    """A stable order of candidates for one question, independent of file order."""
    return hashlib.sha256(f"{seed}\x1f{normal(text)}".encode()).digest()


def distinct(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per text (the first), in the order given."""
    seen: set[str] = set()
    out = []
    for candidate in candidates:
        key = normal(candidate.text)
        if key and key not in seen:
            seen.add(key)
            out.append(candidate)
    return out


def choose(
    seed: str, answer: str, candidates: Sequence[Candidate], ordered: bool = False
) -> tuple[Candidate, ...] | None:
    """Three wrong options of comparable form, or None. `candidates` must be valid and distinct;
    the first SEARCH are tried in hash order (or as given, when `ordered`), the first set of
    three that fits wins."""
    pool = list(candidates) if ordered else sorted(candidates, key=lambda c: rank(seed, c.text))
    for chosen in itertools.combinations(pool[:SEARCH], CHOICES - 1):
        if comparable([answer, *(c.text for c in chosen)]):
            return chosen
    return None


def arrange(
    seed: str, answer: str, wrong: Sequence[Candidate], letter: str | None = None
) -> tuple[Option, ...]:
    """The four lettered options; the right one at `letter`, else at a place given by the
    seed's hash."""
    if letter is None:
        place = int.from_bytes(hashlib.sha256(f"place\x1f{seed}".encode()).digest()[:4], "big")
        place %= CHOICES
    else:
        place = LETTERS.index(letter)
    texts = [(c.text, False, c.explain) for c in wrong]
    texts.insert(place, (answer, True, ""))
    shown = same_form([text for text, _, _ in texts])
    return tuple(
        Option(LETTERS[i], text, correct, why)
        for i, (text, (_, correct, why)) in enumerate(zip(shown, texts, strict=True))
    )


def same_form(texts: Sequence[str]) -> list[str]:
    """Options that look alike: leading articles kept only when every option has one, and a
    bracketed part ('(PFCN)', '(middle)') only when another option has one too. 'The medial
    (middle) cluneal nerves' among bare names would point at the answer."""
    shown = list(texts)
    if not all(_LEADING_ARTICLE.match(t) for t in shown):
        shown = [_LEADING_ARTICLE.sub("", t) for t in shown]
    if sum("(" in t for t in shown) == 1:
        shown = [" ".join(_BRACKETED.sub(" ", t).split()) for t in shown]
    return shown
