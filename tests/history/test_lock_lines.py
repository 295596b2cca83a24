"""The lock written by streaming its unchanged lines (issue 23, item 3): an entry still as
it was read is written as the line it was read from, which must be the bytes serialising
every entry again gives, for any lock and any edit; a line that is not exactly what factdeck
writes (a hand edit, a merge, a checkout with CRLF) is written anew."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from factdeck.history import lockfile, lockline
from factdeck.history.lock import LOCK_NAME, NO_OVERRIDES
from factdeck.history.lockfile import (
    Lines,
    Lock,
    LockedDeck,
    LockedFact,
    LockedNote,
    LockedNoteType,
    Release,
)
from factdeck.pipeline import build, stamped
from factdeck.stages import unwatched

PATH = Path("cards/x") / LOCK_NAME
VERSIONS = ("1.0.0", "1.1.0-rc.1", "1.1.0", "2.0.0", "2.0.1")
# what a name or digest may hold: quotes, backslashes, spaces, '-', ':', the line breaks
# other readers break at, a control character, non-ASCII
TRICKY = 'a-: "\\\u2028\u2029\x85\x1fé'


def text(rng: random.Random, empty: bool = False, tricky: str = TRICKY) -> str:
    size = rng.randint(0 if empty else 1, 6)
    return "".join(rng.choice(tricky if rng.random() < 0.2 else "abc0123") for _ in range(size))


def note(rng: random.Random, guid: str, rel: str | None = None) -> LockedNote:
    """A note with every field at its default or not, at random."""
    return LockedNote(
        id=lockfile.new_id(guid, set()) if rng.random() < 0.8 else rng.randint(0, 2**63 - 1),
        fact=text(rng),
        card=rng.choice(("qa", "c1", text(rng))),
        type=rng.choice(("qa", "cloze")),
        hash=text(rng),
        changed=rng.choice((0, rng.randint(1, 2**40))),
        answer=text(rng, empty=True),
        tags=text(rng, empty=True),
        deck=rng.choice((None, text(rng))),
        cards=rng.choice(((0,), (0, 1), (2,))),
        masks=rng.choice(((), ("m1", "m2"))),
        items=rng.choice(((), ("", "i2"))),
        moves=rng.choice(((), ((1, 2, "1.0.0"),))),
        notices=rng.choice(((), ((1, "1.1.0"),))),
        rel=rel,
        fixed=rng.choice(((), ("1.0.0",))),
    )


def changed(rng: random.Random, before: LockedNote, rel: str | None = None) -> LockedNote:
    """The note edited: some fields other than who it is changed, or none."""
    other = note(rng, "other", rel)
    fields = rng.sample(["hash", "changed", "answer", "tags", "deck", "cards", "items"], 2)
    return dataclasses.replace(before, rel=rel, **{k: getattr(other, k) for k in fields})


def retired(rng: random.Random, before: LockedNote) -> LockedNote:
    when = before.changed + rng.randint(0, 2)
    return dataclasses.replace(before, retired=when, changed=rng.choice((when, when + 1)), rel=None)


def random_lock(rng: random.Random) -> Lock:
    """A lock as builds and releases leave it: notes released in some versions, edited or
    retired since, their texts in release notes."""
    shipped = VERSIONS[: rng.randint(0, len(VERSIONS))]
    notes: dict[str, LockedNote] = {}
    was: dict[tuple[str, str], LockedNote] = {}
    texts: dict[tuple[str, str], str] = {}
    for number in range(rng.randint(0, 25)):
        guid = f"{text(rng, tricky='-:!{')}{number}"
        state = note(rng, guid)
        versions = sorted(
            rng.sample(shipped, rng.randint(0, len(shipped))), key=lockfile.version_key
        )
        for version in versions:
            state = (
                changed(rng, state, version)
                if rng.random() < 0.5
                else dataclasses.replace(state, rel=version)
            )
            was[(guid, version)] = state
            if rng.random() < 0.7:
                texts[(guid, version)] = text(rng, tricky='"\\ é\u2028')
        roll = rng.random()
        if roll < 0.4 and versions:  # unchanged since its last release
            del was[(guid, state.rel or "")]
        elif roll < 0.7:
            state = changed(rng, state)
        elif roll < 0.9:
            state = retired(rng, state)
        notes[guid] = state
    deck = LockedDeck(slug="x", name=text(rng), subdecks={"a": text(rng)})
    return Lock(
        deck=deck,
        note_types={
            "qa": LockedNoteType(
                id=1, name="Q/A", hash="h", changed=5, fields=("Front",), cards=("C",)
            )
        },
        facts={
            f"f{n}": LockedFact(kind=rng.choice(("question", "cloze")))
            for n in range(rng.randint(0, 8))
        },
        notes=notes,
        was=was,
        releases=tuple(
            Release(version=v, date=i, package=None, deck=deck, types={"qa": "h"})
            for i, v in enumerate(shipped)
        ),
        texts=texts,
    )


def edited(rng: random.Random, lock: Lock) -> Lock:
    """A build's or a release's lock from `lock`, built the way lock.stamp builds one (new
    mappings, unchanged entries as they were or equal copies, `lines` passed on)."""
    version = next((v for v in VERSIONS if v not in {r.version for r in lock.releases}), None)
    releasing = version is not None and rng.random() < 0.2
    notes: dict[str, LockedNote] = {}
    was = dict(lock.was)
    texts = dict(lock.texts)
    for guid, before in lock.notes.items():
        roll = rng.random()
        after = before
        if roll < 0.1 and before.rel is None and guid not in {g for g, _ in was}:
            continue  # dropped: no release shipped it
        if roll < 0.2:
            after = dataclasses.replace(before)  # equal, not the same
        elif roll < 0.35:
            after = changed(rng, before)
        elif roll < 0.45 and before.retired is None:
            after = retired(rng, before)
        elif roll < 0.5:
            after = dataclasses.replace(before, id=before.id + 1)
        if after is not before and after != before and before.rel is not None:
            was.setdefault((guid, before.rel), before)
        if releasing and after.rel is None and version is not None:
            after = dataclasses.replace(after, rel=version)
            if rng.random() < 0.5:
                texts[(guid, version)] = text(rng, tricky="é ")
        notes[guid] = after
    for number in range(rng.randint(0, 3)):
        guid = f"new{rng.randint(0, 10**6)}-{number}"
        notes[guid] = note(rng, guid)
    if notes and rng.random() < 0.3:  # an entry under another GUID than it was read as
        first, last = sorted(notes)[0], sorted(notes)[-1]
        notes[first] = notes[last]
    for key in rng.sample(sorted(texts), min(2, len(texts))):
        texts[key] = text(rng, tricky="é")
    facts = {k: LockedFact(kind=v.kind, retired=v.retired) for k, v in lock.facts.items()}
    for key in rng.sample(sorted(facts), min(2, len(facts))):
        facts[key] = rng.choice(
            (LockedFact(kind="cloze"), LockedFact(kind=facts[key].kind, retired=9))
        )
    releases = lock.releases
    if releasing and version is not None:
        releases = (
            *releases,
            Release(
                version=version,
                date=99,
                package="sha256:0",
                deck=lock.deck or LockedDeck(slug="x", name="x"),
            ),
        )
    return Lock(
        deck=lock.deck,
        note_types=lock.note_types,
        facts=facts,
        notes=notes,
        was=was,
        releases=releases,
        texts=texts,
        lines=lock.lines,
    )


def written(lock: Lock) -> tuple[str, str | None]:
    return lockfile.dumps(lock), lockfile.dumps_record(lock)


def serialised(lock: Lock) -> tuple[str, str | None]:
    """Every entry serialised again: the lock without the lines it was read from."""
    return written(dataclasses.replace(lock, lines=Lines()))


def read(text: str, record: str | None) -> Lock:
    return lockfile.parse(text, PATH, record=record)


@pytest.mark.parametrize("seed", range(60))
def test_streamed_lines_are_what_serialising_every_entry_gives(seed: int) -> None:
    rng = random.Random(seed)
    lock_text, record = serialised(random_lock(rng))
    lock = read(lock_text, record)
    live = {g for g, n in lock.notes.items() if n.retired is None}
    assert set(lock.lines.notes) == live  # kept, to be written as read if still as read
    assert written(lock) == (lock_text, record)
    for _ in range(4):
        lock = edited(rng, lock)
        assert written(lock) == serialised(lock)
        lock = read(*written(lock))  # and the next build reads what this one wrote
        assert written(lock) == serialised(lock)


def canonical_lock() -> tuple[str, str | None]:
    """A lock whose lines are all in one place to be spoiled: note 'g' released in 1.0.0,
    its hash changed in 1.1.0 and edited since, note 'h' as released in 1.0.0."""
    deck = LockedDeck(slug="x", name="X")
    first = LockedNote(
        id=lockfile.new_id("g", set()),
        fact="f",
        card="qa",
        type="qa",
        hash="h1",
        changed=0,
        answer="a1",
        rel="1.0.0",
    )
    return serialised(
        Lock(
            deck=deck,
            facts={"f": LockedFact(kind="question")},
            notes={
                "g": dataclasses.replace(first, hash="h3", changed=7, rel=None),
                "h": dataclasses.replace(first, id=5, rel="1.0.0"),
            },
            was={
                ("g", "1.0.0"): first,
                ("g", "1.1.0"): dataclasses.replace(first, hash="h2", rel="1.1.0"),
            },
            releases=(
                Release(version="1.0.0", date=1, package=None, deck=deck),
                Release(version="1.1.0", date=2, package=None, deck=deck),
            ),
            texts={
                ("g", "1.0.0"): "Q → **A**",
                ("g", "1.1.0"): "Q → **A**",
                ("h", "1.0.0"): "Q → **A**",
            },
        )
    )


LOCK_TEXT, RECORD_TEXT = canonical_lock()
NOTE_G = next(line for line in LOCK_TEXT.splitlines() if line.startswith('{"note":"g"'))
FACT_F = next(line for line in LOCK_TEXT.splitlines() if line.startswith('{"fact"'))
SHIPPED_G, SHIPPED_G_AGAIN = (
    line for line in (RECORD_TEXT or "").splitlines() if line.startswith('{"shipped":"g"')
)


@pytest.mark.parametrize(
    ("line", "spoiled"),
    [
        (NOTE_G, NOTE_G.replace(":", ": ", 1)),  # a space
        (NOTE_G, NOTE_G + "\r"),  # a CRLF checkout
        (NOTE_G, NOTE_G.replace('"fact":"f"', '"fact":"\\u0066"')),  # an escape
        (NOTE_G, NOTE_G.replace('"card":"qa"', '"card":"\\u0071a"')),
        (NOTE_G, NOTE_G.replace('"changed":7', '"changed":7,"changed":7')),  # a key twice
        (NOTE_G, NOTE_G.replace('"note":"g",', f'"note":"g","id":{lockfile.new_id("g", set())},')),
        (NOTE_G, NOTE_G.replace('"answer":"a1"', '"answer":"a1","tags":"","cards":[0]')),
        (NOTE_G, NOTE_G.replace('"answer":"a1"', '"answer":"a1","rel":null')),
        (
            NOTE_G,
            '{"note":"g",'
            + NOTE_G.split(",", 1)[1].replace('"fact":"f","card":"qa"', '"card":"qa","fact":"f"'),
        ),
        (FACT_F, FACT_F.replace('"kind"', ' "kind"')),
        (FACT_F, FACT_F[:-1] + ',"retired":null}'),
        (
            FACT_F,
            FACT_F.replace(
                '{"fact":"f","kind":"question"}', '{"fact":"f","kind":"question","kind":"question"}'
            ),
        ),
        (SHIPPED_G, SHIPPED_G.replace('"in":"1.0.0"', '"in":"1.0.0","answer":"a1","tags":""')),
        (SHIPPED_G, SHIPPED_G.replace('"in":"1.0.0",', '"in":"1.0.0", ')),
        (SHIPPED_G, SHIPPED_G.replace('"changed":0', '"changed":-0')),
        # what the entry before already says
        (SHIPPED_G_AGAIN, SHIPPED_G_AGAIN.replace('"hash":"h2"', '"hash":"h2","answer":"a1"')),
        (SHIPPED_G_AGAIN, SHIPPED_G_AGAIN[:-1] + ',"text":"Q → **A**"}'),
    ],
)
def test_a_line_not_as_factdeck_writes_it_is_written_anew(line: str, spoiled: str) -> None:
    assert spoiled != line
    lock = read(LOCK_TEXT.replace(line, spoiled), (RECORD_TEXT or "").replace(line, spoiled))
    assert written(lock) == (LOCK_TEXT, RECORD_TEXT)


def test_a_line_as_written_is_what_line_writes_for_what_it_holds() -> None:
    """lockline.as_written is what streaming trusts: for lines spoiled at random (spaces,
    escapes, signs, repeated keys), whenever it says a line is as written, it is."""
    rng = random.Random(7)
    rows = [json.loads(line) for line in LOCK_TEXT.splitlines()[1:] if '"deck":{' not in line]
    trusted = 0
    for _ in range(3000):
        row = rng.choice(rows)
        original = lockline.line(row)
        assert lockline.as_written(original, len(row)) == ("\\" not in original)
        spoiled = list(original)
        for _ in range(rng.randint(1, 2)):
            at = rng.randrange(len(spoiled) + 1)
            spoiled.insert(at, rng.choice([" ", "\t", "-", "\\u0061", '"x":1,', ",", "0"]))
        candidate = "".join(spoiled)
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict) and lockline.as_written(candidate, len(value)):
            trusted += 1
            assert lockline.line(value) == candidate
    assert trusted > 0  # some spoilings leave a line as written (a digit, a key that fits)


def test_a_build_passes_the_lines_it_read_on_to_the_lock_it_writes(
    mini_deck: Path, project: Path
) -> None:
    build(mini_deck, project / "dist")
    made = stamped(mini_deck, None, NO_OVERRIDES, unwatched)
    lock = lockfile.parse((mini_deck / LOCK_NAME).read_text(), mini_deck / LOCK_NAME)
    assert set(made.stamping.lock.lines.notes) == set(lock.notes) != set()
    assert lockfile.dumps(made.stamping.lock) == (mini_deck / LOCK_NAME).read_text()
