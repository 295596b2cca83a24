"""Fact text is what students see: no Anki syntax smuggled in, no invisible characters.

Anki reads more than HTML in a field. `[sound:x.mp3]` becomes a play button,
`[anki:tts]...[/anki:tts]` speech, `{{c1::...}}` a cloze (in a name that a cloze
template repeats, a hidden extra card), and an empty `{{c1::}}` a blank card.
factdeck has no way to write these literally that every Anki client shows the same,
so they are refused with the field's line and a fix, never escaped behind the
author's back. Bidirectional overrides and zero-width characters are legal text
but can hide or reorder words unseen, so they are lint warnings
(rule `hidden-character`), with the character named.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from factdeck.anki import cloze as anki_cloze
from factdeck.errors import Location, Problem
from factdeck.facts.load import LineMap
from factdeck.facts.model import ClozeText, FactBase

RULE = "hidden-character"
_AV_TAG = re.compile(r"\[(?:sound:|/?anki:)[^\]]*\]?", re.IGNORECASE)
_BRACES = re.compile(r"\{\{|\}\}")
_HIDDEN = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def problems(fact: FactBase, data: LineMap, path: Path, label: str) -> Iterator[Problem]:
    """Every Anki tag and misplaced cloze in the fact's text, at its field's line."""
    cloze_fields = cloze_text_fields(type(fact))
    for name, text in _texts(fact):
        for message in _text_problems(text, cloze=name in cloze_fields):
            yield Problem(Location(path, data.line_of(name)), f"{label}: field '{name}': {message}")


def hidden_characters(fact: FactBase) -> Iterator[str]:
    """One warning per field holding an invisible character that can hide or reorder text."""
    for name, text in _texts(fact):
        found = _HIDDEN.search(text)
        if found:
            char = found.group()
            yield (
                f"field '{name}' contains U+{ord(char):04X} "
                f"{unicodedata.name(char, 'an invisible character')}, invisible on the card "
                "(it can hide or reorder words); delete it (retype the text around it)"
            )


@functools.cache  # asked for every fact: per model, not per fact
def cloze_text_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields written as cloze text ({{c1::...}}): the only place cloze syntax belongs."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if tuple(info.metadata) == get_args(ClozeText)[1:]
    )


def _text_problems(text: str, cloze: bool) -> Iterator[str]:
    tag = _AV_TAG.search(text)
    if tag:
        kind = "a sound" if tag.group().lower().startswith("[sound:") else "an Anki audio/speech"
        yield (
            f"'{tag.group()}' is {kind} tag: Anki would play it on the card instead of "
            "showing the text; remove it (factdeck decks carry no sound), or reword "
            "without square brackets, e.g. (sound: ...)"
        )
    if cloze or not _BRACES.search(text):
        return  # cloze text is read whole by its own validator (anki/cloze_syntax.py)
    if any(m.ordinals for m in anki_cloze.markers(text)):
        yield (
            "cloze syntax {{cN::...}} works only in a statement's 'text'; here students "
            "would see the braces (in a name, cloze cards would also get a hidden extra "
            "card); write the words plainly"
        )
    else:
        yield (
            "'{{' and '}}' are Anki template syntax and cannot appear in card text; "
            "write single braces or reword"
        )


def _texts(fact: FactBase) -> Iterator[tuple[str, str]]:
    """(top-level field name, each piece of text in it), through lists and mappings."""
    for name in fact.text_fields():
        for text in _strings(getattr(fact, name)):
            yield name, text


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
