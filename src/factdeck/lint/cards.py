"""A card as the student reads it, the one view every lint rule reads: plain question,
answer and extra, and for a cloze card the hidden and the visible words. Diagram labels
count as asked answers too. With the helpers the rules share to compare words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Literal

import snowballstemmer

from factdeck.anki import cloze
from factdeck.errors import Location
from factdeck.facts.model import NoteSpec, cloze_numbers
from factdeck.render.html import plain
from factdeck.render.templates import NoteType

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LETTER = re.compile(r"[^\W\d_]|'")  # a letter of any script, or an apostrophe
_STOP = """a an the of to in on at by for and or is are was were be been do does
did what which who whom how when where why that this these those with from as it its they them
their can may might will would could should has have had not no into onto over under than then
there here such also each any all some most more less other"""
STOP_WORDS = frozenset(_STOP.split())
# Spinal segments in order, so that 'L1–L3' is a set of segments.
_REGIONS = {"C": 8, "T": 12, "L": 5, "S": 5, "Co": 1}
_SEGMENT = re.compile(r"\b(Co|[CTLS])(\d{1,2})\b(?:\s*[–—-]\s*(Co|[CTLS])?(\d{1,2})\b)?")
_NOT_READ = {"Source", "Image", "Occlusion", "Front Masks", "Back Masks"}  # markup, or the
# article's own title
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of a content rule, in engine.Finding's shape."""

    location: Location
    fact_id: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a multiple-choice card, as its back shows it: `why` is what a wrong
    option really belongs to ("from L1–L3"), '' when the back does not say."""

    letter: str
    text: str
    correct: bool
    why: str


Shape = Literal["qa", "cloze", "diagram", "mcq"]


@dataclass(frozen=True, slots=True)
class Card:
    """One card as the student reads it, in plain text: what is asked, what is recalled.

    `shape` is 'qa', 'cloze', 'diagram' or 'mcq'; `answer_html` is the answer as the card's
    HTML has it (a list in markup is a list); `source` the back's source line. `hidden` and
    `visible` only for clozes (the deletions of this card, and the sentence with them
    removed); `choices` only for multiple choice (its answer is the key's text)."""

    note: NoteSpec
    shape: Shape
    question: str
    answer: str
    answer_html: str
    source: str
    extra: str
    reading: str  # every field the student reads (not the source line), in plain text
    number: int = 0
    hidden: tuple[str, ...] = ()
    visible: str = ""
    text: str = ""  # a cloze note's whole Text (HTML), for the sibling rules
    choices: tuple[Choice, ...] = ()

    def hit(self, rule: str, message: str) -> Hit:
        return Hit(
            self.note.location, self.note.fact_id, rule, f"note '{self.note.card_id}': {message}"
        )


def study_cards(
    notes: Iterable[NoteSpec],
    note_types: Mapping[str, NoteType],
    labels: Mapping[str, tuple[str, ...]] | None = None,
) -> Iterator[Card]:
    """Every card of `notes` as the student reads it; `labels`: each diagram fact's mask
    labels, for native image-occlusion notes (one note, a card per mask; without them such
    a note gives no card here: its question is a picture)."""
    for note in notes:
        note_type = note_types[note.note_type]
        fields = dict(zip(note_type.field_names, note.fields, strict=True))
        extra = _plain(fields.get("Extra", fields.get("Back Extra", "")))
        source = _plain(fields.get("Source", ""))
        reading = " \n ".join(
            _plain(value) for name, value in fields.items() if name not in _NOT_READ
        )
        common = (source, extra, reading)
        if note_type.native_occlusion and labels:
            header = _plain(fields.get("Header", ""))
            for number, label in enumerate(labels.get(note.fact_id, ()), start=1):
                if not label:  # a retired mask's number: no card asks it
                    continue
                yield Card(note, "diagram", header, _plain(label), label, *common, number=number)
        elif note_type.cloze and "Text" in fields:
            text = fields["Text"]
            for number in sorted(cloze_numbers(text)):
                hidden, question, visible = _cloze_sides(text, number)
                words = tuple(_plain(h) for h in hidden)
                yield Card(
                    note,
                    "cloze",
                    _plain(question),
                    " … ".join(words),
                    " … ".join(hidden),
                    *common,
                    number=number,
                    hidden=words,
                    visible=_plain(visible),
                    text=text,
                )
        elif not note_type.cloze and {"Front", "Back"} <= fields.keys():
            front, back = fields["Front"], fields["Back"]
            yield Card(note, "qa", _plain(front), _plain(back), back, *common)
        elif {"Question", "Key"} <= fields.keys():  # multiple choice (practice/)
            choices = read_choices(fields["Key"])
            key = next((c.text for c in choices if c.correct), "")
            question = _plain(fields["Question"])
            yield Card(note, "mcq", question, key, key, *common, choices=choices)
        elif "Answer" in fields:  # a portable image-occlusion note: a label asked on a diagram
            header, answer = _plain(fields.get("Header", "")), fields["Answer"]
            yield Card(note, "diagram", header, _plain(answer), answer, *common)


def _plain(text: str) -> str:
    return plain(text, limit=None)


def read_choices(key_html: str) -> tuple[Choice, ...]:
    """The options of a multiple-choice back, read by the classes of the mcq note type's
    options list (templates/partials/mcq-options.html): the key's DOM contract."""
    reader = _ChoiceReader()
    reader.feed(key_html)
    reader.close()
    return tuple(reader.choices)


_VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source"}


class _ChoiceReader(HTMLParser):
    _PARTS = ("fd-mcq-letter", "fd-mcq-text", "fd-mcq-why")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.choices: list[Choice] = []
        self._open: list[str] = []  # the part each open element belongs to ('' for none)
        self._option: dict[str, str] | None = None
        self._correct = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if "fd-mcq-option" in classes:
            self._option = dict.fromkeys(self._PARTS, "")
            self._correct = "fd-mcq-correct" in classes
        if tag not in _VOID:  # a part's words are those of its element and its children
            part = next((p for p in self._PARTS if p in classes), "")
            self._open.append(part or (self._open[-1] if self._open else ""))

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()
        if tag == "li" and self._option is not None:
            parts = {k: " ".join(v.split()) for k, v in self._option.items()}
            self.choices.append(
                Choice(
                    parts["fd-mcq-letter"].rstrip("."),
                    parts["fd-mcq-text"],
                    self._correct,
                    parts["fd-mcq-why"].lstrip(": "),
                )
            )
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._open and self._open[-1]:
            self._option[self._open[-1]] += f" {data}"


def _cloze_sides(text: str, number: int) -> tuple[tuple[str, ...], str, str]:
    """The words card `number` hides, its front as read, and what it leaves in view."""
    return cloze.hidden(text, number), cloze.reveal(text, number, True), cloze.visible(text, number)


def clozes(text: str) -> list[tuple[int, str, int, int]]:
    """(number, hidden words, start, end) of every deletion in a cloze Text (nested ones
    too, one entry per number of a `c1,2` cloze), in reading order."""
    return [(n, c.text, c.start, c.end) for c in cloze.deletions(text) for n in c.ordinals]


def tokens(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    return [w for w in tokens(text) if w not in STOP_WORDS and len(w) > 2]


@cache
def stem(word: str) -> str:
    if not _LETTER.search(word):  # "4000", "1–3": every Snowball rule needs a letter
        return word
    return _STEMMER.stemWord(word.lower())


def same_stem(a: str, b: str) -> bool:
    """Same Snowball stem, or stems sharing a start of 4+ letters and most of the shorter
    one: 'sensori'/'sensat', 'lumbar'/'lumbosacr' (Snowball keeps those apart)."""
    if a == b:
        return True
    common = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return common >= 4 and common >= 0.6 * min(len(a), len(b))


def segments(text: str) -> frozenset[tuple[int, int]]:
    """The spinal segments a text names ('L1–L3' -> L1, L2, L3), as (region, number)."""
    order = list(_REGIONS)
    found: set[tuple[int, int]] = set()
    for region, first, to_region, last in _SEGMENT.findall(text):
        start = (order.index(region), int(first))
        end = (order.index(to_region or region), int(last or first))
        here = start
        while here <= end and len(found) < 64:
            found.add(here)
            r, n = here
            here = (r, n + 1) if n < _REGIONS[order[r]] else (r + 1, 1)
            if here[0] >= len(order):
                break
    return frozenset(found)
