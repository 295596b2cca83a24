"""Benchmark: factdeck's edit loop against raw genanki writing the same notes (issues 7, 16).

    python bench/run.py                     # 5,000 and 50,000 notes
    python bench/run.py --notes 1000 20000  # other sizes, in notes
    python bench/run.py --large             # also 200,000 notes (several minutes)
    python bench/run.py --loop --profile /tmp/prof  # the edit loop only, and its profiles

Two curricula (--curriculum): "synthetic", made-up words and no lint findings, and "linty"
(bench/linty.py), real words in a first draft's wording, with hundreds of findings.

A synthetic curriculum with the real schema and templates (every fact kind, plus diagram
facts over the real SVGs) is generated at each size. In the same run, each command as a
whole process (start-up and imports included), the benchmark times: factdeck's cold build
(no lock, no cache), a rebuild with nothing changed, a rebuild after one fact is edited,
`factdeck check` after one more edit, `factdeck preview` (and how long Chromium takes to
draw the first cards of the page, from file://), and importing the package into the
official Anki engine, fresh and again over itself; against (b) raw genanki writing the same
notes (same fields, GUIDs, tags, decks and media) as its README shows, and importing
genanki's package the same two ways. Each figure comes with its process's peak memory.
It is not part of the tests: speed is measured here, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import linty

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
CHROMIUM = Path("/usr/bin/chromium")
# Syllables for made-up words: a realistic curriculum rarely repeats a question, so the
# text must not come from a tiny vocabulary (lint would flag thousands of near-duplicates).
SYLLABLES = (
    "ra",
    "ti",
    "mo",
    "lu",
    "se",
    "fa",
    "cre",
    "lig",
    "glu",
    "dor",
    "ven",
    "me",
    "la",
    "spi",
    "fi",
    "mus",
    "tis",
    "pre",
    "ten",
    "gli",
)
FACTS_PER_FILE = 200
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "NO_COLOR": "1"}
# What each row is divided by: genanki's write, except imports (genanki's package imported).
ROWS = (
    ("cold build", "genanki"),
    ("no-change rebuild", "genanki"),
    ("one-edit rebuild", "genanki"),
    ("check after one edit", "genanki"),
    ("preview", "genanki"),  # not with --loop
    ("import fresh", "import genanki fresh"),
    ("re-import", "re-import genanki"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notes",
        type=int,
        nargs="*",
        default=[5_000, 50_000],
        help="curriculum sizes in notes (about: the synthetic facts make about 5 each)",
    )
    parser.add_argument("--large", action="store_true", help="also 200,000 notes")
    parser.add_argument(
        "--curriculum",
        nargs="*",
        choices=CURRICULA,
        default=list(CURRICULA),
        help="which curricula (default both)",
    )
    parser.add_argument(
        "--loop", action="store_true", help="only the edit loop (no preview, no import)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="also profile the one-edit rebuild and check (cProfile) into this folder",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        print(json.dumps(CHILDREN[what](*rest)))
        return
    sizes = [*args.notes, *([200_000] if args.large else [])]
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}, "
        f"load average {os.getloadavg()[0]:.1f}; each command a whole process; "
        "ratio = factdeck / genanki's write (fastest of 3) in the same run"
    )
    results = {
        (name, notes): run_size(notes, name, args.loop, args.profile)
        for name in args.curriculum
        for notes in sizes
    }
    for (name, _), result in results.items():
        print(
            f"\n{name}: {result['facts']:,} facts, {result['notes']:,} notes, "
            f"{result['findings']:,} lint findings; genanki write "
            f"{result['genanki']['seconds']:.2f} s, {result['genanki']['peak_mb']:.0f} MB; "
            f".apkg {result['cold build']['bytes'] / 1024:,.0f} kB vs genanki "
            f"{result['genanki']['bytes'] / 1024:,.0f} kB"
        )
        print(f"  {'command':<22} {'seconds':>8} {'ratio':>6} {'peak MB':>8} {'mem ratio':>9}")
        for row, base in ROWS:
            if row not in result:
                continue
            ours, theirs = result[row], result[base]
            print(
                f"  {row:<22} {ours['seconds']:>8.2f} "
                f"{ours['seconds'] / theirs['seconds']:>5.2f}x {ours['peak_mb']:>8.0f} "
                f"{ours['peak_mb'] / theirs['peak_mb']:>8.2f}x"
            )
        page = result.get("preview page")
        if page is None:
            continue
        print(
            f"  preview page {page['bytes'] / 1024:,.0f} kB (all files "
            f"{page['site_bytes'] / 1024:,.0f} kB); first cards drawn in Chromium "
            f"{page['first_draw']:.2f} s after opening"
            if page.get("first_draw") is not None
            else f"  preview page {page['bytes'] / 1024:,.0f} kB (no Chromium)"
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    print(
        "start-up:",
        f"factdeck --help {startup(['--help']):.3f} s,",
        f"factdeck check (real deck) {startup(['check', str(DECK)]):.3f} s",
    )


def run_size(notes: int, curriculum: str, loop: bool, profile: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="factdeck-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "templates", root / "templates")
        deck_dir = root / "cards" / "bench"
        facts = CURRICULA[curriculum](deck_dir, notes)
        out = root / "dist"
        build = ["build", str(deck_dir), "--out", str(out), "-q"]
        result: dict[str, Any] = {"cold build": command(build)}
        result["no-change rebuild"] = command(build)
        edit(deck_dir, "one-edit")
        result["one-edit rebuild"] = command(build)
        edit(deck_dir, "check-edit")
        result["check after one edit"] = command(["check", str(deck_dir), "-q"])
        result["findings"] = findings(deck_dir)
        if profile:
            stem = profile / f"{curriculum}-{notes}"
            profile.mkdir(parents=True, exist_ok=True)
            edit(deck_dir, "profiled-edit")
            command(build, profiled=stem.with_suffix(".build.prof"))
            edit(deck_dir, "profiled-check")
            command(["check", str(deck_dir), "-q"], profiled=stem.with_suffix(".check.prof"))
        if not loop:
            result["preview"] = command(["preview", str(deck_dir), "--out", str(out), "-q"])
            result["preview page"] = first_draw(out / "bench-preview")
        apkg = out / "bench.apkg"
        result["cold build"]["bytes"] = apkg.stat().st_size
        subprocess.run(
            [sys.executable, __file__, "--child", "notes", str(deck_dir)],
            check=True,
            capture_output=True,
            env=ENV,
        )
        # genanki's write is the yardstick: the fastest of three, so a busy moment on a
        # shared machine does not flatter the ratios.
        runs = [child("genanki", str(deck_dir), str(root / f"genanki-{n}")) for n in range(3)]
        result["genanki"] = min(runs, key=lambda run: run["seconds"])
        shutil.copytree(root / "genanki-0", root / "genanki")
        theirs = root / "genanki" / "genanki.apkg"
        for label, package in () if loop else (("", apkg), (" genanki", theirs)):
            collection = root / f"anki{label.strip()}"
            result[f"import{label} fresh"] = child("import", str(package), str(collection))
            result[f"re-import{label}"] = child("import", str(package), str(collection))
        result["notes"] = result["genanki"]["notes"]
        result["facts"] = facts
        return result


def command(argv: list[str], profiled: Path | None = None) -> dict[str, Any]:
    """`factdeck ARGV` as a whole process: wall time and its own peak memory; with
    `profiled`, run under cProfile, its statistics written there."""
    exe = Path(sys.executable).with_name("factdeck")
    run = (
        [sys.executable, "-m", "cProfile", "-o", str(profiled), str(exe)]
        if profiled
        else [str(exe)]
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        [*run, *argv], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"factdeck {' '.join(argv)} failed: {errors[-2000:]}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}


def findings(deck_dir: Path) -> int:
    """How many lint findings the curriculum has (`factdeck lint` prints them one a line)."""
    exe = Path(sys.executable).with_name("factdeck")
    done = subprocess.run(
        [str(exe), "lint", str(deck_dir)], env=ENV, capture_output=True, text=True
    )
    return sum(": fact '" in line for line in done.stdout.splitlines())


def edit(deck_dir: Path, marker: str) -> None:
    """Reword one answer in the middle file, as an instructor fixing a typo would."""
    files = sorted(deck_dir.glob("facts-*.yaml"))
    path = files[len(files) // 2]
    data = json.loads(path.read_text())
    fact = next(f for f in data["facts"] if f["kind"] == "question")
    fact["answer"] = f"{fact['answer']} {marker}"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))


def first_draw(site: Path) -> dict[str, Any]:
    """Page size, and seconds from opening index.html (file://) to the first drawn card."""
    page = site / "index.html"
    sizes = {
        "bytes": page.stat().st_size,
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
    }
    if not CHROMIUM.exists():
        return sizes
    done = subprocess.run(
        [sys.executable, __file__, "--child", "browser", str(page)],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    return {**sizes, **json.loads(done.stdout.splitlines()[-1])}


def child(what: str, *argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", what, *argv],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    return json.loads(done.stdout.splitlines()[-1])


def time_browser(page: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        tab = browser.new_page()
        start = time.perf_counter()
        tab.goto(Path(page).as_uri(), wait_until="commit")
        tab.wait_for_selector("article.pv-card[data-rendered]", timeout=120_000)
        seconds = time.perf_counter() - start
        browser.close()
    return {"first_draw": seconds}


def time_import(apkg: str, folder: str) -> dict[str, float]:
    """Import a package into the official Anki engine with default options."""
    sys.path.insert(0, str(REPO / "tests"))
    from anki_engine import import_package, open_collection

    col = open_collection(Path(folder))
    start = time.perf_counter()
    import_package(col, Path(apkg))
    seconds = time.perf_counter() - start
    col.close()
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def dump_notes(deck_dir: str) -> dict[str, int]:
    path = Path(deck_dir)
    _dump_notes(path, _notes_file(path))
    return {}


def time_genanki(deck_dir: str, out: str) -> dict[str, float]:
    """(b) genanki alone, writing the notes factdeck expanded, as its README shows."""
    data = json.loads(_notes_file(Path(deck_dir)).read_text())
    media_dir = Path(out) / "media"
    media_dir.mkdir(parents=True)
    for name, path in data["media"].items():
        shutil.copy(path, media_dir / name)
    start = time.perf_counter()
    import genanki

    models = {
        key: genanki.Model(
            m["id"],
            m["name"],
            fields=[{"name": f} for f in m["fields"]],
            templates=m["templates"],
            css=m["css"],
            model_type=genanki.Model.CLOZE if m["cloze"] else genanki.Model.FRONT_BACK,
        )
        for key, m in data["models"].items()
    }
    decks = {key: genanki.Deck(d["id"], d["name"]) for key, d in data["decks"].items()}
    for note in data["notes"]:
        decks[note["deck"]].add_note(
            genanki.Note(
                model=models[note["type"]],
                fields=note["fields"],
                guid=note["guid"],
                tags=note["tags"],
            )
        )
    package = genanki.Package(
        list(decks.values()), media_files=[str(media_dir / n) for n in sorted(data["media"])]
    )
    apkg = Path(out) / "genanki.apkg"
    package.write_to_file(apkg, timestamp=1790000000)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "notes": len(data["notes"]),
        "bytes": apkg.stat().st_size,
        "peak_mb": _peak_mb(),
    }


CHILDREN = {
    "genanki": time_genanki,
    "notes": dump_notes,
    "import": time_import,
    "browser": time_browser,
}


def _notes_file(deck_dir: Path) -> Path:
    return deck_dir.parent.parent / "notes.json"


def _dump_notes(deck_dir: Path, path: Path) -> None:
    from factdeck.anki import ids
    from factdeck.pipeline import expanded

    checked = expanded(deck_dir)
    spec = checked.deck.spec
    types = checked.templates.note_types
    decks = {"": {"id": ids.deck_id(spec.slug), "name": spec.name}}
    decks.update(
        {
            key: {"id": ids.deck_id(spec.slug, key), "name": f"{spec.name}::{name}"}
            for key, name in spec.subdecks.items()
        }
    )
    path.write_text(
        json.dumps(
            {
                "models": {
                    key: {
                        "id": ids.model_id(key),
                        "name": t.name,
                        "fields": t.field_names,
                        "templates": [
                            {"name": c.name, "qfmt": c.front, "afmt": c.back} for c in t.cards
                        ],
                        "css": t.css,
                        "cloze": t.cloze,
                    }
                    for key, t in types.items()
                },
                "decks": decks,
                "media": {m.name: str(m.path) for n in checked.notes for m in n.media},
                "notes": [
                    {
                        "guid": n.guid,
                        "type": n.note_type,
                        "fields": list(n.fields),
                        "tags": list(n.tags),
                        "deck": n.subdeck or "",
                    }
                    for n in checked.notes
                ],
            }
        )
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(argv: list[str]) -> float:
    """Median of 5 runs."""
    return sorted(command(argv)["seconds"] for _ in range(5))[2]


# --- the synthetic curriculum ---------------------------------------------------------


def deck_yaml(diagrams: bool) -> dict[str, object]:
    subdecks = {f"unit-{i}": f"Unit {i}" for i in range(20)}
    return {
        "name": "Benchmark Curriculum",
        "slug": "bench",
        "version": "1.0.0",
        "description": "Synthetic curriculum for the benchmark.",
        "source": {
            "title": "Synthetic",
            "sections": {"s1": "One", "s2": "Two"},
            "references": {"r1": {"short": "Ref 1", "full": "Ref, A. Paper."}},
        },
        "subdecks": {**subdecks, **({"diagrams": "Diagrams"} if diagrams else {})},
        "exam_areas": {"anatomy-physiology": "A&P", "pathology": "Pathology"},
    }


def generate(deck_dir: Path, facts: int) -> None:
    """`facts` facts of every kind in the real schema, plus diagram facts over real SVGs."""
    rng = random.Random(facts)
    deck_dir.mkdir(parents=True)
    shutil.copytree(DECK / "diagrams", deck_dir / "diagrams")
    (deck_dir / "deck.yaml").write_text(json.dumps(deck_yaml(diagrams=True), indent=1))
    diagrams = _diagram_facts(facts)
    makers = [_nerve, _structure, _condition, _technique, _statement, _question]
    batch: list[dict[str, object]] = []
    for number in range(facts - len(diagrams)):
        fact = makers[number % len(makers)](rng, number)
        fact.update(
            subdeck=f"unit-{number % 20}",
            source="s1",
            tags=[f"bench::unit-{number % 20}", "exam::anatomy-physiology"],
        )
        batch.append(fact)
        if len(batch) == FACTS_PER_FILE:
            _write_facts(deck_dir, batch)
            batch = []
    _write_facts(deck_dir, batch + diagrams)


def _write_facts(deck_dir: Path, facts: list[dict[str, object]]) -> None:
    if facts:
        path = deck_dir / f"facts-{len(list(deck_dir.glob('facts-*.yaml'))):04d}.yaml"
        path.write_text(json.dumps({"facts": facts}, indent=1, ensure_ascii=False))


def _diagram_facts(facts: int) -> list[dict[str, object]]:
    shipped = json.loads(json.dumps(_shipped_diagrams()))
    count = max(len(shipped), facts // 250)
    out = []
    for number in range(count):
        fact = dict(shipped[number % len(shipped)])
        fact["id"] = f"diagram-{number}"
        out.append(fact)
    return out


def _shipped_diagrams() -> list[dict[str, object]]:
    import yaml

    data = yaml.safe_load((DECK / "diagrams.yaml").read_text())
    defaults = data.get("defaults", {})
    return [
        {
            **defaults,
            **fact,
            "tags": ["bench::diagrams", "exam::anatomy-physiology"],
            "source": "s2",
        }
        for fact in data["facts"]
    ]


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(words))


def _items(rng: random.Random, count: int) -> list[str]:
    return [_phrase(rng, 3) for _ in range(count)]


def _nerve(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"nerve-{n}",
        "kind": "nerve",
        "name": f"{_phrase(rng, 2)} nerves {n}",
        "aka": [_phrase(rng, 2)],
        "fibres": "sensory",
        "levels": f"{_phrase(rng, 1)} L{n % 5 + 1}",
        "origin": f"posterior rami {n}",
        "sensory_supply": _items(rng, 2),
        "motor_supply": _items(rng, 2),
        "course": _items(rng, 3),
        "entrapment_sites": _items(rng, 2),
        "mistaken_for": [_phrase(rng, 3)],
    }


def _structure(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"structure-{n}",
        "kind": "structure",
        "name": f"{_phrase(rng, 2)} {n}",
        "is_a": _phrase(rng, 3),
        "location": _phrase(rng, 5),
        "nerves_at_risk": _items(rng, 2),
    }


def _condition(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"condition-{n}",
        "kind": "condition",
        "name": f"{_phrase(rng, 2)} {n}",
        "mistaken_for": [_phrase(rng, 3)],
        "pain_quality": _phrase(rng, 4),
        "causes": _items(rng, 2),
        "pain_felt_in": _items(rng, 2),
        "location": _phrase(rng, 4),
        "palpation": _phrase(rng, 4),
        "possible_cause": _phrase(rng, 6),
    }


def _technique(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"technique-{n}",
        "kind": "technique",
        "name": f"{_phrase(rng, 2)} {n}",
        "used_for": _phrase(rng, 3),
        "how": _phrase(rng, 5),
        "effects": _items(rng, 3),
        "mechanism": _phrase(rng, 8),
    }


def _statement(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"statement-{n}",
        "kind": "statement",
        "text": f"{_phrase(rng, 4)} {{{{c1::{_phrase(rng, 2)}}}}} {_phrase(rng, 3)} {n}.",
    }


def _question(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "id": f"question-{n}",
        "kind": "question",
        "question": f"What {_phrase(rng, 6)} {n}?",
        "answer": _phrase(rng, 4),
    }


def generate_synthetic(deck_dir: Path, notes: int) -> int:
    generate(deck_dir, notes // 5)
    return notes // 5


def generate_linty(deck_dir: Path, notes: int) -> int:
    linty.generate(deck_dir, notes, deck_yaml(diagrams=False))  # one note per fact
    return notes


CURRICULA = {"synthetic": generate_synthetic, "linty": generate_linty}


if __name__ == "__main__":
    main()
