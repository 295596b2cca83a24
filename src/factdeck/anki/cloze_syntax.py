"""Cloze text that Anki reads otherwise than its author meant, each with the fix.

Anki never rejects cloze text: `{{c2:x}}` is plain text (no card 2, braces on every card),
a cloze never closed vanishes with its words, `c0` makes no card, a comma list
`{{c1,2::` is a cloze only from Anki 26.05 on (older clients show the braces), and an
opening nested deeper than ten is ignored, so its `}}` closes the cloze around it. Each
finding names the fragment as written; the facts stage adds file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdeck.anki import cloze

_NEAR_OPENING = re.compile(r"\{\{\s*[cC]\s*([0-9,]*)\s*(:*)")
_SHOWN = 40  # characters of a fragment quoted in a message


@dataclass(frozen=True, slots=True)
class Malformed:
    """One misread piece of cloze text: where, the fragment, what is wrong and the fix."""

    start: int
    fragment: str
    message: str


def malformed(text: str) -> tuple[Malformed, ...]:
    """Everything in `text` Anki would read otherwise than a well-formed cloze sentence,
    in text order; `()` for text every Anki from 23.10 reads as meant."""
    openings = _openings(text)
    read = {m.start for m in cloze.markers(text) if m.ordinals}  # openings Anki reads
    bad = {m.start for m in openings} - read
    found = [*openings, *_loose(text, read | bad), *_structure(text, bad), *_contents(text)]
    found.sort(key=lambda m: m.start)
    return tuple(found)


def _fragment(text: str, start: int, end: int | None = None) -> str:
    stop = min(len(text), end if end is not None else start + _SHOWN, start + _SHOWN)
    piece = text[start:stop].replace("\n", " ").strip()
    return piece + ("…" if stop < (end if end is not None else len(text)) else "")


def _openings(text: str) -> list[Malformed]:
    """A `{{` that means a cloze but that Anki (or an older Anki) does not open."""
    found = []
    for near in _NEAR_OPENING.finditer(text):
        start, digits, colons = near.start(), near.group(1), near.group(2)
        exact = text.startswith(f"{{{{c{digits}::", start)
        numbers = cloze.numbers(digits)
        close = text.find("}}", start)
        frag = _fragment(text, start, close + 2 if close >= 0 else None)
        if exact and numbers and "," not in digits:
            if 0 in numbers:
                found.append(
                    Malformed(
                        start, frag, "c0 makes no card (cloze numbers start at 1); write {{c1::…}}"
                    )
                )
            continue
        if not digits:
            found.append(Malformed(start, frag, "a cloze needs its number; write {{c1::…}}"))
        elif exact and "," in digits:
            found.append(
                Malformed(
                    start,
                    frag,
                    "one cloze for several cards works only from Anki 26.05 (older clients show "
                    "the braces); write one cloze per number",
                )
            )
        elif exact:
            found.append(
                Malformed(
                    start,
                    frag,
                    f"c{digits} is above Anki's largest cloze number, {cloze.MAX_ORDINAL}, so it is "
                    "plain text; number the clozes from 1",
                )
            )
        elif colons == ":":
            found.append(
                Malformed(
                    start,
                    frag,
                    f"one colon after c{digits}: Anki reads plain text here and makes no card "
                    f"{digits}; write {{{{c{digits}::…}}}} with two colons",
                )
            )
        else:
            found.append(
                Malformed(
                    start,
                    frag,
                    "not a cloze opening (students would see the braces); write "
                    f"{{{{c{digits or 1}::…}}}} exactly: lowercase c, no spaces, two colons",
                )
            )
    return found


def _loose(text: str, known: set[int]) -> list[Malformed]:
    """A `{{` that starts no cloze, meant or not: students would see it."""
    return [
        Malformed(
            at.start(),
            _fragment(text, at.start()),
            "'{{' opens no cloze, so students would see it; remove it, or write a cloze "
            "as {{c1::…}}",
        )
        for at in re.finditer(r"(?=\{\{)", text)
        if at.start() not in known and at.start() + 1 not in known and at.start() - 1 not in known
    ]


def _structure(text: str, bad: set[int]) -> list[Malformed]:
    """Openings never closed, closings that close nothing, openings nested too deep.
    `bad`: where openings Anki does not read start (reported already); their `}}` pairs
    with them here, so one mistake is reported once."""
    found = []
    stack: list[int] = []
    ignored = 0
    events = [*cloze.markers(text), *(cloze.Marker(b, b, opening=True) for b in bad)]
    events.sort(key=lambda m: (m.start, not m.ordinals))
    for marker in events:
        if marker.opening:
            if not marker.ordinals:
                if marker.start in bad:
                    stack.append(-1 - marker.start)
                continue
            if len(stack) >= cloze.MAX_DEPTH:
                ignored += 1
                found.append(
                    Malformed(
                        marker.start,
                        _fragment(text, marker.start),
                        f"clozes nested more than {cloze.MAX_DEPTH} deep: Anki ignores this "
                        "opening and its '}}' closes the cloze around it; nest at most "
                        f"{cloze.MAX_DEPTH} deep",
                    )
                )
                continue
            stack.append(marker.start)
        elif ignored:
            ignored -= 1
        elif stack:
            stack.pop()
        else:
            found.append(
                Malformed(
                    marker.start,
                    _fragment(text, max(0, marker.start - _SHOWN // 2), marker.end),
                    "'}}' closes no cloze, so students would see it; remove it, or open the "
                    "cloze with {{c1::",
                )
            )
    found.extend(
        Malformed(
            start,
            _fragment(text, start),
            "this cloze is never closed, so Anki drops it and its words from every card; "
            "end it with '}}'",
        )
        for start in stack
        if start >= 0
    )
    return found


def _contents(text: str) -> list[Malformed]:
    """Empty clozes and hints, and hints that are not the last thing in their cloze."""
    found = []
    for deletion in cloze.deletions(text):
        frag = _fragment(text, deletion.start, deletion.end)
        if deletion.image_occlusion is not None:
            continue
        if not _blank(deletion.text) and deletion.hint is None:
            continue
        if _blank(deletion.text):
            found.append(
                Malformed(
                    deletion.start,
                    frag,
                    "an empty cloze: its card would ask for nothing; put the hidden words "
                    "inside, e.g. {{c1::posterior rami}}, or delete it",
                )
            )
        elif deletion.hint is not None and _blank(deletion.hint):
            found.append(
                Malformed(
                    deletion.start,
                    frag,
                    "an empty hint: the card would show '[]'; write the hint after '::', "
                    "or drop the '::'",
                )
            )
        if deletion.hints > 1 or not deletion.hint_last:
            found.append(
                Malformed(
                    deletion.start,
                    frag,
                    "the hint must come last in its cloze (Anki takes the last piece after "
                    "'::' as the hint and shows the rest as hidden words); put '::hint' just "
                    "before the closing '}}'",
                )
            )
    return found


def gap(text: str) -> Malformed | None:
    """Cloze numbers that skip (c1, c3): Anki makes no card for the missing one. Right only
    where a released card's number is kept free (history/guards.py decides), so this is
    not part of `malformed`."""
    numbers = sorted(cloze.ordinals(text))
    missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers)) if numbers else []
    if not missing:
        return None
    gaps = ", ".join(f"c{n}" for n in missing)
    first = min(
        (c for c in cloze.deletions(text) if max(c.ordinals) > missing[0]), key=lambda c: c.start
    )
    return Malformed(
        first.start,
        _fragment(text, first.start, first.end),
        f"the cloze numbers skip {gaps} (found {', '.join(f'c{n}' for n in numbers)}): "
        "Anki makes one card per number; number the clozes 1, 2, 3 … without gaps",
    )


def _blank(text: str) -> bool:
    return not re.sub(r"<[^>]*>|&nbsp;|\s", "", text)
