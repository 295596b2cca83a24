"""spelling: British spellings in a US deck (the MBLEx, and most US texts, spell the US way).

Checks every text field of every note as the student reads it (not the source line, whose
title is the article's own). Families: -re/-er (fibre), -our/-or (tumour), -ise/-ize and
-isation (mobilise), -yse/-yze (paralyse), ae/oe (oedema, haematoma), doubled l
(travelled), and single words (grey, programme). The message also says whether the deck
already uses the US form elsewhere, since mixing both is the worse mistake.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache

from factdeck.facts.model import Deck
from factdeck.lint.cards import Card, Hit, tokens

RULES = {
    "spelling": "a British spelling in the deck (the deck is US: fiber, edema, -ize, -or)",
}

_WORDS = {
    "grey": "gray",
    "programme": "program",
    "manoeuvre": "maneuver",
    "plough": "plow",
    "tyre": "tire",
    "ageing": "aging",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "sceptical": "skeptical",
    "mould": "mold",
    "smoulder": "smolder",
    "aluminium": "aluminum",
    "practise": "practice",
    "catalogue": "catalog",
    "analogue": "analog",
    "dialogue": "dialog",
    "jewellery": "jewelry",
    "storey": "story",
    "kerb": "curb",
    "draught": "draft",
    "cheque": "check",
}
_RE_WORDS = [
    "fibre",
    "centre",
    "litre",
    "metre",
    "theatre",
    "calibre",
    "sabre",
    "sombre",
    "spectre",
    "lustre",
    "meagre",
    "mitre",
    "lacklustre",
    "epicentre",
    "millimetre",
    "centimetre",
    "kilometre",
    "micrometre",
]
_OUR_WORDS = [
    "colour",
    "favour",
    "behaviour",
    "tumour",
    "humour",
    "labour",
    "odour",
    "honour",
    "vapour",
    "rumour",
    "neighbour",
    "armour",
    "flavour",
    "savour",
    "vigour",
    "rigour",
    "ardour",
    "candour",
    "clamour",
    "fervour",
    "harbour",
    "parlour",
    "splendour",
    "valour",
    "endeavour",
    "saviour",
]
_AE_OE = {
    "oedem": "edem",
    "oesophag": "esophag",
    "haem": "hem",
    "anaem": "anem",
    "paediatr": "pediatr",
    "orthopaed": "orthoped",
    "foet": "fet",
    "diarrhoe": "diarrhe",
    "oestr": "estr",
    "anaesth": "anesth",
    "leukaem": "leukem",
    "ischaem": "ischem",
    "aetiol": "etiol",
    "gynaec": "gynec",
    "faec": "fec",
    "septicaem": "septicem",
    "hypoglycaem": "hypoglycem",
    "hyperglycaem": "hyperglycem",
    "dyspnoe": "dyspne",
    "apnoe": "apne",
    "coeliac": "celiac",
    "amoeb": "ameb",
    "manoeuv": "maneuv",
}
_SAME_IN_US = {
    "advise",
    "arise",
    "chastise",
    "circumcise",
    "comprise",
    "compromise",
    "concise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "merchandise",
    "noise",
    "otherwise",
    "paradise",
    "poise",
    "praise",
    "appraise",
    "precise",
    "premise",
    "promise",
    "raise",
    "revise",
    "rise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
    "likewise",
    "clockwise",
    "counterclockwise",
    "bruise",
    "cruise",
    "anise",
    "reprise",
    "guise",
    "apprise",
    "mise",
    "vise",
    "sunrise",
    "uprise",
    "edgewise",
    "lengthwise",
    "crosswise",
    "stepwise",
    "improvisation",
    "elise",
    "porpoise",
    "tortoise",
    "turquoise",
    "cerise",
    "valise",
    "remise",
    "chemise",
    "braise",
    "liaise",
}
_IS = re.compile(r"^([a-z]{2,})is(e|es|ed|ing|er|ers|ation|ations)$")
_YSE = re.compile(r"^(ana|para|cata|dia|electro|hydro)lys(e|es|ed|ing)$")
_LL = re.compile(
    r"^(travel|label|model|cancel|counsel|signal|fuel|total|channel|level|"
    r"marvel|tunnel|shovel|jewel|dial|equal|quarrel|rival|spiral|pedal)l"
    r"(ed|ing|er|ers)$"
)


def _table() -> dict[str, str]:
    table = dict(_WORDS)
    for word in _RE_WORDS:
        us = word[:-2] + "er"
        table.update({word: us, word + "s": us + "s", word + "d": us + "ed"})
    for word in _OUR_WORDS:
        us = word[:-3] + "or"
        for suffix in ("", "s", "ed", "ing", "able", "ite", "ites", "ful", "less"):
            table[word + suffix] = us + suffix
    return table


_TABLE = _table()


@cache
def us_spelling(word: str) -> str | None:
    """The US spelling of a British `word` (lowercase), or None when it is not British."""
    if word in _TABLE:
        return _TABLE[word]
    for british, us in _AE_OE.items():
        if word.startswith(british):
            return us + word[len(british) :]
    match = _IS.match(word)
    if match and not _same_in_us(word, match):
        return f"{match.group(1)}iz{match.group(2)}"
    match = _YSE.match(word)
    if match:
        return f"{match.group(1)}lyz{match.group(2)}"
    match = _LL.match(word)
    if match:
        return match.group(1) + match.group(2)
    return None


def _same_in_us(word: str, match: re.Match[str]) -> bool:
    base = match.group(1) + "ise"
    return (
        word in _SAME_IN_US
        or base in _SAME_IN_US
        or any(base.endswith(w) for w in _SAME_IN_US if len(w) >= 6)
    )


def check(deck: Deck, cards: Iterable[Card]) -> Iterator[Hit]:
    used, places = gather(cards)
    return report(used, places)


def gather(cards: Iterable[Card]) -> tuple[Counter[str], list[tuple[Card, str, str]]]:
    """What one file adds (kept with it in the build cache): how often each word is written
    (each note counted once), and each British spelling with its card, in reading order."""
    used: Counter[str] = Counter()
    places: list[tuple[Card, str, str]] = []
    done: set[str] = set()
    for card in cards:
        if card.note.guid in done:
            continue
        done.add(card.note.guid)
        for word in tokens(card.reading):
            used[word] += 1
            us = us_spelling(word)
            if us:
                places.append((card, word, us))
    return used, places


def report(used: Counter[str], places: Iterable[tuple[Card, str, str]]) -> Iterator[Hit]:
    """Each fact's first card with a British spelling, from every file's gather in deck
    order (`used`: the deck's word counts)."""
    reported: set[tuple[str, str]] = set()
    for card, word, us in places:
        if (card.note.fact_id, word) in reported:
            continue
        reported.add((card.note.fact_id, word))
        mixed = f"; the deck also writes '{us}' ({used[us]}×): pick one" if used[us] else ""
        yield card.hit("spelling", f"British spelling '{word}' (US: '{us}'){mixed}")
