"""Steady notes from the cache (cache/stamp_memo.py, history/steady.py; issue 23): after any
sequence of edits (answers, list items inserted or appended, facts retired or added, a
rewording or a correction declared), builds, checks and releases, a deck built with the
rows gives the same package, lock and release record, byte for byte, and the same
refusals and `check` verdicts, as a copy built without them; and a row that is spoilt,
stale or from elsewhere is never trusted."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from factdeck.cache import made_with, stamp_memo
from factdeck.cache.store import Store
from factdeck.errors import FactdeckError
from factdeck.fs import secret
from factdeck.fs.names import CACHE_DIR, LOCK_NAME, RECORD_NAME
from factdeck.history import lockfile
from factdeck.history.guards import NO_OVERRIDES, Allow
from factdeck.pipeline import build, check, expanded, stamped
from factdeck.release import release
from factdeck.stages import unwatched
from tests.support.decks import EPOCH, TEMPLATES, deck_yaml, facts_yaml, write_tree

WORDS = ["nerve", "crest", "iliac", "fascia", "lumbar", "ramus", "gluteal", "sacral", "psoas"]
FEEDBACK = "https://example.org/report?title={title}&body={body}"
Facts = dict[str, list[dict[str, object]]]  # by file name, the file's facts in order


def first_facts(rng: random.Random) -> Facts:
    files: Facts = {}
    for n in range(3):
        facts: list[dict[str, object]] = [
            {
                "id": f"q{n}-{i}",
                "kind": "question",
                "question": f"Which {rng.choice(WORDS)} {n} {i}?",
                "answer": rng.choice(WORDS),
                "source": "body",
            }
            for i in range(2)
        ]
        facts.append(
            {
                "id": f"s{n}",
                "kind": "statement",
                "text": f"The {{{{c1::{rng.choice(WORDS)}}}}} and {{{{c2::{rng.choice(WORDS)}}}}}.",
                "source": "body",
            }
        )
        facts.append(
            {
                "id": f"n{n}",
                "kind": "nerve",
                "name": f"{rng.choice(WORDS)} nerve {n}",
                "course": rng.sample(WORDS, 3),
                "source": "body",
            }
        )
        files[f"f{n}.yaml"] = facts
    return files


def edited(rng: random.Random, files: Facts, version: str, serial: int) -> None:
    """One edit, as an instructor makes them, to one file."""
    facts = files[rng.choice(sorted(files))]
    kind = rng.choice(["answer", "insert", "append", "retire", "add", "reworded", "correction"])
    of = {
        "answer": "question",
        "retire": "question",
        "insert": "nerve",
        "append": "nerve",
        "reworded": "statement",
        "correction": "statement",
    }
    chosen = [f for f in facts if f["kind"] == of.get(kind, "")]
    if kind == "add" or not chosen:
        facts.append(
            {
                "id": f"new{serial}",
                "kind": "question",
                "question": f"What is {rng.choice(WORDS)} {serial}?",
                "answer": rng.choice(WORDS),
                "source": "body",
            }
        )
        return
    fact = rng.choice(chosen)
    if kind == "answer":
        fact["answer"] = f"{fact['answer']} {rng.choice(WORDS)}"
    elif kind == "retire":
        facts.remove(fact)
    elif kind in ("insert", "append"):
        course = list(fact["course"])  # type: ignore[call-overload]
        at = rng.randint(0, len(course)) if kind == "insert" else len(course)
        course.insert(at, f"{rng.choice(WORDS)} {serial}")
        fact["course"] = course
    else:
        fact["text"] = f"The {{{{c1::{rng.choice(WORDS)}}}}} and {{{{c2::{rng.choice(WORDS)}}}}}."
        fact[kind] = {"in": version, "why": "Fixed."}


def written(deck_dir: Path, files: Facts, version: str) -> None:
    write_tree(
        deck_dir,
        {
            "deck.yaml": deck_yaml(version=version, feedback=FEEDBACK),
            **{name: facts_yaml(*facts) for name, facts in files.items()},
        },
    )


def outputs(deck_dir: Path, out: Path) -> dict[str, bytes]:
    """What a build or release wrote: the packages, the notes (where they name a file,
    the project's folder as ROOT), the lock and the release record."""
    found = {p.name: p.read_bytes() for p in sorted(out.glob("*")) if p.is_file()}
    for name in (LOCK_NAME, RECORD_NAME):
        if (deck_dir / name).is_file():
            found[name] = (deck_dir / name).read_bytes()
    root = str(deck_dir.parent.parent).encode()
    return {k: v.replace(root, b"ROOT") if k.endswith(".md") else v for k, v in found.items()}


def outcome(run: Callable[[], object], root: Path) -> object:
    """ "done", or the refusal's problems (the copy's folder as ROOT)."""
    try:
        run()
    except FactdeckError as exc:
        return ("refused", [str(p).replace(str(root), "ROOT") for p in exc.problems])
    return "done"


def no_rows(patch: pytest.MonkeyPatch) -> None:
    """The stamp as without steady notes: no row read, none written."""
    patch.setattr(Store, "get_stamp", lambda self, key: None)
    patch.setattr(Store, "put_stamp", lambda self, key, text: None)


steps = st.lists(
    st.sampled_from(["edit", "edit", "edit", "build", "check", "release"]), min_size=3, max_size=8
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(seed=st.integers(0, 10_000), plan=steps)
def test_builds_with_steady_notes_equal_builds_without(
    tmp_path_factory: pytest.TempPathFactory, seed: int, plan: list[str]
) -> None:
    rng = random.Random(seed)
    files, minor, serial = first_facts(rng), 0, 0
    roots = {}
    for copy in ("rows", "none"):
        root = tmp_path_factory.mktemp(copy)
        shutil.copytree(TEMPLATES, root / "templates")
        roots[copy] = root
    decks = {copy: root / "cards" / "tiny" for copy, root in roots.items()}
    used: list[int] = []
    ticks: list[int] = []
    real_known = stamp_memo.known

    def spying(*args: object, **kwargs: object) -> stamp_memo.Known:
        found = real_known(*args, **kwargs)  # type: ignore[arg-type]
        used.append(len(found.steady))
        return found

    def each(run: Callable[[Path, Path], object]) -> dict[str, object]:
        """`run` on both copies, the second without rows; what each gave and wrote."""
        got = {}
        ticks.append(len(ticks))
        for copy, deck_dir in decks.items():
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 10 * len(ticks)))
                patch.setattr(stamp_memo, "known", spying)
                if copy == "none":
                    no_rows(patch)
                result = outcome(lambda: run(deck_dir, roots[copy] / "dist"), roots[copy])  # noqa: B023
            got[copy] = (result, outputs(deck_dir, roots[copy] / "dist"))
        differ = sorted(
            name
            for name in {*got["rows"][1], *got["none"][1]}  # type: ignore[misc]
            if got["rows"][1].get(name) != got["none"][1].get(name)  # type: ignore[attr-defined]
        )
        assert (got["rows"][0], differ) == (got["none"][0], [])
        return got

    for deck_dir in decks.values():
        written(deck_dir, files, "1.0.0")
    each(build)
    each(build)  # every note steady now: the rows are written
    for step in ["build", *plan]:
        version = f"1.{minor}.0"
        if step == "edit":
            serial += 1
            edited(rng, files, version, serial)
            for deck_dir in decks.values():
                written(deck_dir, files, version)
            each(build)
        elif step == "build":
            each(build)
        elif step == "check":
            each(lambda deck_dir, _: check(deck_dir))
        elif step == "release" and each(release)["rows"][0] == "done":
            minor += 1
            for deck_dir in decks.values():
                written(deck_dir, files, f"1.{minor}.0")
    assert any(used), "no build took a steady note from the cache"


@pytest.fixture()
def steady_deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small deck built three times: its rows written and used."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    deck_dir = tmp_path / "cards" / "tiny"
    written(deck_dir, first_facts(random.Random(7)), "1.0.0")
    for _ in range(3):
        build(deck_dir, tmp_path / "dist")
    return deck_dir


def stamp_rows(deck_dir: Path) -> list[Path]:
    return sorted((deck_dir / CACHE_DIR).glob("*.stamp.json"))


def reseal(entry: Path, payload: bytes) -> None:
    mac = secret.seal("build cache entry", entry.stem.encode() + b"\0" + payload)
    assert mac is not None
    entry.write_bytes(mac.encode() + b"\n" + payload)


def payload(entry: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(entry.read_bytes().partition(b"\n")[2])
    return loaded


def stale(entry: Path) -> None:
    """A sound row made against other lock entries."""
    data = payload(entry)
    data["lines"] = hashlib.sha256(b"other entries").hexdigest()
    reseal(entry, json.dumps(data).encode())


def other_deck(entry: Path) -> None:
    data = payload(entry)
    data["deck"] = hashlib.sha256(b"other releases").hexdigest()
    reseal(entry, json.dumps(data).encode())


def other_format(entry: Path) -> None:
    data = payload(entry)
    data["format"] = int(data["format"]) - 1  # type: ignore[call-overload]
    reseal(entry, json.dumps(data).encode())


def unsealed(entry: Path) -> None:
    """A planted row with a digest anyone can compute (as a merged branch would carry it)."""
    body = json.dumps({**payload(entry), "notes": []}).encode()
    entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def corrupt(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:-9] + b"garbage")


def miscounted(entry: Path) -> None:
    data = payload(entry)
    data["notes"] = data["notes"][:-1]  # type: ignore[index]
    reseal(entry, json.dumps(data).encode())


@pytest.mark.parametrize("spoil", [stale, other_deck, other_format, unsealed, corrupt, miscounted])
def test_a_spoilt_row_is_not_trusted_and_is_written_again(
    steady_deck: Path, spoil: Callable[[Path], None]
) -> None:
    out = steady_deck.parent.parent / "dist"
    rows = stamp_rows(steady_deck)
    assert len(rows) == 3  # one per fact file
    good = {p: p.read_bytes() for p in rows}
    before = outputs(steady_deck, out)
    for entry in rows:
        spoil(entry)
    assert known_now(steady_deck).steady == {}
    build(steady_deck, out)
    assert outputs(steady_deck, out) == before
    assert {p: p.read_bytes() for p in stamp_rows(steady_deck)} == good  # made again


def known_now(deck_dir: Path) -> stamp_memo.Known:
    """The steady notes a build of the deck as it is would take from the rows."""
    old = lockfile.parse((deck_dir / LOCK_NAME).read_text(), deck_dir / LOCK_NAME, "1.0.0", None)
    return stamp_memo.known(deck_dir, expanded(deck_dir).files, old, NO_OVERRIDES, made(deck_dir))


def made(deck_dir: Path) -> str:
    """What the build of the deck as it is loads: its deck and note types' digest."""
    checked = expanded(deck_dir)
    return made_with.digest(checked.deck.spec, checked.templates.note_types)


def test_an_edit_ends_the_rows_of_its_file_only(steady_deck: Path) -> None:
    out = steady_deck.parent.parent / "dist"
    files = expanded(steady_deck).files
    assert set(known_now(steady_deck).steady) == {n.guid for f in files for n in f.notes}
    path = steady_deck / "f1.yaml"
    path.write_text(path.read_text().replace('"answer": "', '"answer": "edited '), "utf-8")
    edited_notes = {n.guid for n in expanded(steady_deck).notes if n.location.path == path}
    others = {n.guid for f in files for n in f.notes} - edited_notes
    assert set(known_now(steady_deck).steady) == others
    build(steady_deck, out)  # the edited notes change: not steady, no row for f1
    assert set(known_now(steady_deck).steady) == others
    build(steady_deck, out)  # steady again: its row written
    assert set(known_now(steady_deck).steady) == others | edited_notes
    # an override is part of what stamping depends on: no row holds for another
    old = lockfile.parse(
        (steady_deck / LOCK_NAME).read_text(), steady_deck / LOCK_NAME, "1.0.0", None
    )
    moved = stamp_memo.known(
        steady_deck, expanded(steady_deck).files, old, Allow(subdeck_move=True), made(steady_deck)
    )
    assert moved.steady == {}


def test_a_row_holds_only_for_the_deck_and_note_types_it_was_made_with(
    steady_deck: Path,
) -> None:
    """A file's key covers deck.yaml and the templates as read when the build began; the
    stages read them again, so a row also names what they loaded (an edit saved in between
    must not leave a row for the old key made from the new deck)."""
    checked = expanded(steady_deck)
    old = lockfile.parse(
        (steady_deck / LOCK_NAME).read_text(), steady_deck / LOCK_NAME, "1.0.0", None
    )
    spec, types = checked.deck.spec, checked.templates.note_types
    first = next(iter(types))
    restyled = {**types, first: dataclasses.replace(types[first], css="/* edited */")}
    made_now = {
        "as built": made_with.digest(spec, types),
        "another deck": made_with.digest(spec.model_copy(update={"name": "Other"}), types),
        "other note types": made_with.digest(spec, restyled),
    }
    found = {
        what: len(stamp_memo.known(steady_deck, checked.files, old, NO_OVERRIDES, digest).steady)
        for what, digest in made_now.items()
    }
    assert found == {"as built": len(checked.notes), "another deck": 0, "other note types": 0}


def test_a_cold_build_leaves_the_rows_a_full_stamping_of_its_lock_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock, so no entry a row could name: the rows a cold build keeps are those of the
    lock it wrote (stamp_memo.ahead), and they say what stamping every note again against
    that lock, with no row, finds: every note steady, with the same tags and link."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    deck_dir = tmp_path / "cards" / "tiny"
    written(deck_dir, first_facts(random.Random(11)), "1.0.0")
    build(deck_dir, tmp_path / "dist")
    assert len(stamp_rows(deck_dir)) == 3  # one per fact file
    from_rows = known_now(deck_dir).steady
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 10))
    monkeypatch.setattr(stamp_memo, "known", lambda *args: stamp_memo.NONE)
    monkeypatch.setattr(stamp_memo, "ahead", lambda *args: None)
    full = stamped(deck_dir, None, NO_OVERRIDES, unwatched).stamping.steady
    assert from_rows == full
    assert set(full) == {n.guid for n in expanded(deck_dir).notes}
    assert any(version for _, version in full.values())  # the link's version is named


def test_a_row_streams_its_lines_only_when_they_are_as_the_lock_writes_them(
    steady_deck: Path,
) -> None:
    """A note's line with a space the lock never writes (a hand edit) reads as the same
    entry: the build finds the note steady and keeps its file's row, which must not say
    the line is as written, since the next lock, however often that line comes back, is
    written anew, as without rows."""
    out = steady_deck.parent.parent / "dist"
    path = steady_deck / LOCK_NAME
    clean = path.read_text("utf-8")
    guid = next(n.guid for n in expanded(steady_deck).files[0].notes)
    line = next(x for x in clean.split("\n") if x.startswith(f'{{"note":"{guid}",'))
    spaced = clean.replace(line, line.replace(",", ", ", 1))
    for _ in range(2):  # the second time, the row kept by the first build holds
        path.write_text(spaced, "utf-8")
        build(steady_deck, out)
        assert path.read_text("utf-8") == clean
    assert len(known_now(steady_deck).written) < len(expanded(steady_deck).notes)
