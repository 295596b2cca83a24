"""The preview through the cache (cache/preview_cards.py): each fact file's cards are kept
under its key, so a preview renders only the files edited since the last one; its site is
byte-identical to an uncached preview's whatever the edits; a spoilt row is rendered
again, never trusted."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from factdeck.cache.store import CACHE_DIR
from factdeck.fs import secret
from factdeck.pipeline import build, expanded
from factdeck.preview import page
from tests.support.decks import (
    MINI,
    REAL_DECK,
    TEMPLATES,
    deck_yaml,
    edit_deck,
    facts_yaml,
    question,
    write_tree,
)

ROW = ".preview.json"


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the facts whose notes the preview renders (not taken from the cache)."""
    seen: list[str] = []
    real = page.render_note

    def spy(compiled, note):  # type: ignore[no-untyped-def]
        seen.append(note.fact_id)
        return real(compiled, note)

    monkeypatch.setattr(page, "render_note", spy)
    yield seen


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def uncached(deck_dir: Path, out: Path) -> dict[str, bytes]:
    """The site a preview writes with no cache at all (the deck's cache deleted first)."""
    shutil.rmtree(deck_dir / CACHE_DIR, ignore_errors=True)
    return site_files(page.preview(deck_dir, out).index.parent)


def fact(rng: random.Random, n: int) -> dict[str, object]:
    """One of a few kinds, some with tags or a sub-deck, so cards differ in every field."""
    kind = rng.choice(["question", "cloze", "nerve"])
    more: dict[str, object] = {"tags": [f"t::{rng.choice('ab')}"]} if rng.random() < 0.5 else {}
    if rng.random() < 0.3:
        more["subdeck"] = "part"
    if kind == "question":
        return question(f"f{n}", f"Question {n} <b>&amp;</b>?", f"Answer {n} ‘é’", **more)
    if kind == "cloze":
        text = f'Fact {n} is {{{{c1::big}}}} and {{{{c2::old, "said" {n}}}}}.'
        return {"id": f"f{n}", "kind": "statement", "text": text, "source": "body", **more}
    return {"id": f"f{n}", "kind": "nerve", "name": f"nerves {n}", "plural": True,
            "levels": "L1–L3", "source": "intro", **more}  # fmt: skip


class Decks:
    """Two projects edited alike: `a` previewed through its cache, `b` with none."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.rng = rng
        self.roots = [root / "a", root / "b"]
        self.files: dict[str, list[dict[str, object]]] = {}
        self.made = 0
        self.kept = 0
        for project in self.roots:
            shutil.copytree(TEMPLATES, project / "templates")
        self.write("deck.yaml", deck_yaml(base=MINI))
        for name in ("one.yaml", "two.yaml", "three.yaml"):
            self.files[name] = [self.new() for _ in range(rng.randint(1, 4))]
            self.write(name, facts_yaml(*self.files[name]))

    def new(self) -> dict[str, object]:
        self.made += 1
        return fact(self.rng, self.made)

    def write(self, name: str, text: str) -> None:
        for project in self.roots:
            write_tree(project / "cards" / "mini", {name: text})

    def edit(self) -> str:
        """One random edit, made in both projects; what it was."""
        rng, name = self.rng, self.rng.choice(sorted(self.files))
        facts = self.files[name]
        what = rng.choice(["reword", "add", "drop", "file", "deck", "template", "none"])
        if what == "reword":
            at = rng.randrange(len(facts))
            facts[at] = {**self.new(), "id": facts[at]["id"]}
        elif what == "add":
            facts.insert(rng.randrange(len(facts) + 1), self.new())
        elif what == "drop" and len(facts) > 1:
            facts.pop(rng.randrange(len(facts)))
        elif what == "file":
            name = f"new-{self.made}.yaml"
            facts = self.files[name] = [self.new()]
        elif what == "deck":
            for project in self.roots:
                edit_deck(project / "cards" / "mini", name=f"Mini {self.made}")
            self.made += 1
        elif what == "template":
            for project in self.roots:
                front = project / "templates" / "note-types" / "qa" / "front.html"
                front.write_text(front.read_text() + f"<i>{self.made}</i>")
            self.made += 1
        self.write(name, facts_yaml(*facts))
        return what

    def previews(self, out: str, rendered: list[str]) -> tuple[dict[str, bytes], ...]:
        """Both sites, and how many notes `a`'s preview rendered (the rest it kept)."""
        a, b = (project / "cards" / "mini" for project in self.roots)
        rendered.clear()
        result = page.preview(a, a.parent.parent / out)
        self.kept += result.notes - len(rendered)
        cached = site_files(result.index.parent)
        return cached, uncached(b, b.parent.parent / out)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_cached_preview_is_byte_identical_to_an_uncached_one(
    tmp_path: Path, rendered: list[str], seed: int
) -> None:
    decks = Decks(tmp_path, random.Random(seed))
    rng, done = random.Random(-seed), []
    for _ in range(8):
        out = rng.choice(["dist", "dist", "elsewhere/deeper"])  # the links move with the page
        cached, plain = decks.previews(out, rendered)
        assert cached == plain, done
        done.append(decks.edit())
    assert decks.kept > 0  # the cache was used, not only written


def test_a_preview_renders_only_the_files_edited_since_the_last(
    project: Path, rendered: list[str]
) -> None:
    deck_dir = project / "cards" / REAL_DECK.name
    shutil.copytree(REAL_DECK, deck_dir, ignore=shutil.ignore_patterns(CACHE_DIR))
    first = page.preview(deck_dir, project / "dist")
    assert len(rendered) == first.notes  # nothing kept yet: every note rendered
    rendered.clear()
    assert page.preview(deck_dir, project / "dist") == first
    practice = practice_facts(deck_dir)
    assert set(rendered) == practice  # made across files: rendered each time, no more
    path = deck_dir / "cluneal-superior.yaml"
    path.write_text(path.read_text("utf-8").replace("which thick fascia", "which dense fascia"))
    build(deck_dir, project / "dist")  # a build between: it keeps the preview's rows
    rendered.clear()
    site = site_files(page.preview(deck_dir, project / "dist").index.parent)
    edited = {n.fact_id for n in expanded(deck_dir).notes if n.location.path == path}
    assert set(rendered) - practice == edited
    assert b"which dense fascia" in b"".join(site.values())
    assert site == uncached(deck_dir, project / "dist")  # diagrams' labels and media too


def practice_facts(deck_dir: Path) -> set[str]:
    """Practice questions are made across files, so they are rendered every time."""
    checked = expanded(deck_dir)
    return {n.fact_id for f in checked.files if f.key is None for n in f.notes}


def reseal(entry: Path, payload: bytes) -> None:
    name = entry.name.removesuffix(".json")
    mac = secret.seal("build cache entry", name.encode() + b"\0" + payload)
    assert mac is not None
    entry.write_bytes(mac.encode() + b"\n" + payload)


def resealed(change: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path, list[bytes]], None]:
    """A row sealed by this machine (as a bug or an older factdeck would write it) whose
    lines `change` spoils: the header first, then one line per card."""

    def spoil(entry: Path, others: list[bytes]) -> None:
        _, _, payload = entry.read_bytes().partition(b"\n")
        reseal(entry, b"\n".join(change(payload.split(b"\n"))))

    spoil.__name__ = change.__name__
    return spoil


def header(**fields: object) -> Callable[[list[bytes]], list[bytes]]:
    def change(lines: list[bytes]) -> list[bytes]:
        return [json.dumps({**json.loads(lines[0]), **fields}).encode(), *lines[1:]]

    change.__name__ = "header_" + "_".join(fields)
    return change


def one_card_less(lines: list[bytes]) -> list[bytes]:
    return lines[:-1]


def not_an_object(lines: list[bytes]) -> list[bytes]:
    return [lines[0], b'"PLANTED"', *lines[2:]]


def not_ascii(lines: list[bytes]) -> list[bytes]:
    return [lines[0], lines[1].replace(b'"type"', '"typ\u00e9"'.encode()), *lines[2:]]


def corrupt(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")


def truncated(entry: Path, others: list[bytes]) -> None:
    entry.write_bytes(b"")


def planted(entry: Path, others: list[bytes]) -> None:
    """A row whose cards are planted, with a digest anyone can compute, not the seal."""
    _, _, payload = entry.read_bytes().partition(b"\n")
    payload = payload.replace(b"alpha", b"PLANTED").replace(b"beta", b"PLANTED")
    entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def foreign(entry: Path, others: list[bytes]) -> None:
    """Another file's row under this key (sealed, but for another key)."""
    entry.write_bytes(others[0])


@pytest.mark.parametrize(
    "spoil",
    [
        corrupt,
        truncated,
        planted,
        foreign,
        resealed(header(depends="0" * 64)),  # made for another page or deck
        resealed(header(kind="cloze-words")),
        resealed(header(format=1)),
        resealed(header(cards=[])),
        resealed(one_card_less),
        resealed(not_an_object),
        resealed(not_ascii),
    ],
    ids=lambda spoil: spoil.__name__,
)
def test_a_spoilt_row_is_rendered_again(
    project: Path, rendered: list[str], spoil: Callable[[Path, list[bytes]], None]
) -> None:
    deck_dir = write_tree(
        project / "cards" / "mini",
        {
            "deck.yaml": deck_yaml(base=MINI),
            "a.yaml": facts_yaml(question("alpha", "Alpha?", "A"), question("beta", "Beta?", "B")),
            "b.yaml": facts_yaml(question("gamma", "Gamma?", "G", subdeck="part")),
        },
    )
    good = site_files(page.preview(deck_dir, project / "dist").index.parent)
    rows = sorted((deck_dir / CACHE_DIR).glob(f"*{ROW}"))
    assert len(rows) == 2  # one per fact file
    originals = [row.read_bytes() for row in rows]
    for row, original in zip(rows, originals, strict=True):
        spoil(row, [blob for blob in originals if blob != original])
    rendered.clear()
    site = site_files(page.preview(deck_dir, project / "dist").index.parent)
    assert sorted(rendered) == ["alpha", "beta", "gamma"]  # every card rendered again
    assert site == good
    rendered.clear()
    page.preview(deck_dir, project / "dist")
    assert rendered == []  # and the rows written again are used
