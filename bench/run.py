"""Benchmark: factdeck's full build against raw genanki writing the same notes (issue 7).

    python bench/run.py                  # 5,000 and 50,000 notes (about 2 minutes)
    python bench/run.py --facts 500      # one quick size

A synthetic curriculum with the real schema and templates (every fact kind, plus
diagram facts over the real SVGs) is generated at each size. In the same run, each in
a fresh process, the benchmark times (a) `factdeck build` from YAML to .apkg, and
(b) raw genanki writing the same notes: same fields, GUIDs, tags, decks and media.
It prints both times, their ratio, peak memory and both package sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
# Syllables for made-up words: a realistic curriculum rarely repeats a question, so the
# text must not come from a tiny vocabulary (lint would flag thousands of near-duplicates).
SYLLABLES = ("ra", "ti", "mo", "lu", "se", "fa", "cre", "lig", "glu", "dor", "ven", "me", "la",
             "spi", "fi", "mus", "tis", "pre", "ten", "gli")
FACTS_PER_FILE = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, nargs="*", default=[1_000, 10_000],
                        help="curriculum sizes in facts (each yields about 5 notes)")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "DIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, folder, out = args.child
        print(json.dumps(CHILDREN[what](Path(folder), Path(out))))
        return
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    print(f"{'facts':>7} {'notes':>7} {'factdeck s':>10} {'genanki s':>9} {'ratio':>6} "
          f"{'fd MB':>6} {'ga MB':>6} {'fd apkg':>9} {'ga apkg':>9} {'size':>5}")
    stages = {}
    for facts in args.facts:
        row = run_size(facts)
        stages[facts] = row.pop("stages")
        print(f"{facts:>7,} {row['notes']:>7,} {row['factdeck']:>10.2f} {row['genanki']:>9.2f} "
              f"{row['factdeck'] / row['genanki']:>6.2f} {row['factdeck_mb']:>6.0f} "
              f"{row['genanki_mb']:>6.0f} {row['factdeck_kb']:>7.0f}kB {row['genanki_kb']:>7.0f}kB "
              f"{row['factdeck_kb'] / row['genanki_kb']:>5.2f}", flush=True)
    print("\nfactdeck build by stage (s):")
    names = list(next(iter(stages.values())))
    print(f"{'facts':>7} " + " ".join(f"{name:>9}" for name in names))
    for facts, times in stages.items():
        print(f"{facts:>7,} " + " ".join(f"{times[name]:>9.2f}" for name in names))
    print("\nstart-up (median of 5 runs):")
    for label, argv in (("factdeck --help", ["--help"]),
                        ("factdeck check (real deck)", ["check", str(DECK)])):
        print(f"  {label:<28} {startup(argv):.3f} s")


def run_size(facts: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="factdeck-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "templates", root / "templates")
        deck_dir = root / "cards" / "bench"
        generate(deck_dir, facts)
        ours = child("factdeck", deck_dir, root / "factdeck")
        theirs = child("genanki", deck_dir, root / "genanki")
        return {"notes": ours["notes"], "factdeck": ours["seconds"], "stages": ours["stages"],
                "genanki": theirs["seconds"], "factdeck_mb": ours["peak_mb"],
                "genanki_mb": theirs["peak_mb"], "factdeck_kb": ours["bytes"] / 1024,
                "genanki_kb": theirs["bytes"] / 1024}


def child(what: str, deck_dir: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", what, str(deck_dir), str(out)],
                          check=True, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"})
    return json.loads(done.stdout.splitlines()[-1])


def time_factdeck(deck_dir: Path, out: Path) -> dict[str, Any]:
    """(a) The full build, YAML to .apkg, as `factdeck build` runs it (imports included)."""
    start = time.perf_counter()
    from factdeck.pipeline import build
    from factdeck.watch import Stopwatch

    imported = time.perf_counter()
    stopwatch = Stopwatch()
    result = build(deck_dir, out, watch=stopwatch)
    seconds = time.perf_counter() - start
    notes = _notes_file(deck_dir)
    _dump_notes(deck_dir, notes)  # for the genanki run, outside the timing
    stages = {"imports": imported - start, **{t.stage: t.seconds for t in stopwatch.times}}
    return {"seconds": seconds, "notes": result.report.notes, "bytes": result.size,
            "peak_mb": _peak_mb(), "stages": stages}


def time_genanki(deck_dir: Path, out: Path) -> dict[str, float]:
    """(b) genanki alone, writing the notes factdeck expanded, as its README shows."""
    data = json.loads(_notes_file(deck_dir).read_text())
    media_dir = out / "media"
    media_dir.mkdir(parents=True)
    for name, path in data["media"].items():
        shutil.copy(path, media_dir / name)
    start = time.perf_counter()
    import genanki

    models = {key: genanki.Model(m["id"], m["name"], fields=[{"name": f} for f in m["fields"]],
                                 templates=m["templates"], css=m["css"],
                                 model_type=genanki.Model.CLOZE if m["cloze"] else
                                 genanki.Model.FRONT_BACK)
              for key, m in data["models"].items()}
    decks = {key: genanki.Deck(d["id"], d["name"]) for key, d in data["decks"].items()}
    for note in data["notes"]:
        decks[note["deck"]].add_note(genanki.Note(model=models[note["type"]],
                                                  fields=note["fields"], guid=note["guid"],
                                                  tags=note["tags"]))
    package = genanki.Package(list(decks.values()),
                              media_files=[str(media_dir / n) for n in sorted(data["media"])])
    apkg = out / "genanki.apkg"
    package.write_to_file(apkg, timestamp=1790000000)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "notes": len(data["notes"]), "bytes": apkg.stat().st_size,
            "peak_mb": _peak_mb()}


CHILDREN = {"factdeck": time_factdeck, "genanki": time_genanki}


def _notes_file(deck_dir: Path) -> Path:
    return deck_dir.parent.parent / "notes.json"


def _dump_notes(deck_dir: Path, path: Path) -> None:
    from factdeck import ids
    from factdeck.pipeline import expanded

    checked = expanded(deck_dir)
    spec = checked.deck.spec
    types = checked.templates.note_types
    decks = {"": {"id": ids.deck_id(spec.slug), "name": spec.name}}
    decks.update({key: {"id": ids.deck_id(spec.slug, key), "name": f"{spec.name}::{name}"}
                  for key, name in spec.subdecks.items()})
    path.write_text(json.dumps({
        "models": {key: {"id": ids.model_id(key), "name": t.name, "fields": t.field_names,
                         "templates": [{"name": c.name, "qfmt": c.front, "afmt": c.back}
                                       for c in t.cards],
                         "css": t.css, "cloze": t.cloze} for key, t in types.items()},
        "decks": decks,
        "media": {m.name: str(m.path) for n in checked.notes for m in n.media},
        "notes": [{"guid": n.guid, "type": n.note_type, "fields": list(n.fields),
                   "tags": list(n.tags), "deck": n.subdeck or ""} for n in checked.notes],
    }))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(argv: list[str]) -> float:
    exe = Path(sys.executable).with_name("factdeck")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(exe), *argv], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- the synthetic curriculum ---------------------------------------------------------


def generate(deck_dir: Path, facts: int) -> None:
    """`facts` facts of every kind in the real schema, plus diagram facts over real SVGs."""
    rng = random.Random(facts)
    deck_dir.mkdir(parents=True)
    shutil.copytree(DECK / "diagrams", deck_dir / "diagrams")
    subdecks = {f"unit-{i}": f"Unit {i}" for i in range(20)}
    deck = {
        "name": "Benchmark Curriculum", "slug": "bench", "version": "1",
        "description": "Synthetic curriculum for the benchmark.",
        "source": {"title": "Synthetic", "sections": {"s1": "One", "s2": "Two"},
                   "references": {"r1": {"short": "Ref 1", "full": "Ref, A. Paper."}}},
        "subdecks": {**subdecks, "diagrams": "Diagrams"},
        "exam_areas": {"anatomy-physiology": "A&P", "pathology": "Pathology"},
    }
    (deck_dir / "deck.yaml").write_text(json.dumps(deck, indent=1))
    diagrams = _diagram_facts(facts)
    makers = [_nerve, _structure, _condition, _technique, _statement, _question]
    batch: list[dict[str, object]] = []
    for number in range(facts - len(diagrams)):
        fact = makers[number % len(makers)](rng, number)
        fact.update(subdeck=f"unit-{number % 20}", source="s1",
                    tags=[f"bench::unit-{number % 20}", "exam::anatomy-physiology"])
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
    return [{**defaults, **fact, "tags": ["bench::diagrams", "exam::anatomy-physiology"],
             "source": "s2"} for fact in data["facts"]]


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(words))


def _items(rng: random.Random, count: int) -> list[str]:
    return [_phrase(rng, 3) for _ in range(count)]


def _nerve(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"nerve-{n}", "kind": "nerve", "name": f"{_phrase(rng, 2)} nerves {n}",
            "aka": [_phrase(rng, 2)], "fibres": "sensory",
            "levels": f"{_phrase(rng, 1)} L{n % 5 + 1}",
            "origin": f"posterior rami {n}", "sensory_supply": _items(rng, 2),
            "motor_supply": _items(rng, 2), "course": _items(rng, 3),
            "entrapment_sites": _items(rng, 2), "mistaken_for": [_phrase(rng, 3)]}


def _structure(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"structure-{n}", "kind": "structure", "name": f"{_phrase(rng, 2)} {n}",
            "is_a": _phrase(rng, 3), "location": _phrase(rng, 5),
            "nerves_at_risk": _items(rng, 2)}


def _condition(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"condition-{n}", "kind": "condition", "name": f"{_phrase(rng, 2)} {n}",
            "mistaken_for": [_phrase(rng, 3)], "pain_quality": _phrase(rng, 4),
            "causes": _items(rng, 2), "pain_felt_in": _items(rng, 2),
            "location": _phrase(rng, 4), "palpation": _phrase(rng, 4),
            "possible_cause": _phrase(rng, 6)}


def _technique(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"technique-{n}", "kind": "technique", "name": f"{_phrase(rng, 2)} {n}",
            "used_for": _phrase(rng, 3), "how": _phrase(rng, 5), "effects": _items(rng, 3),
            "mechanism": _phrase(rng, 8)}


def _statement(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"statement-{n}", "kind": "statement",
            "text": f"{_phrase(rng, 4)} {{{{c1::{_phrase(rng, 2)}}}}} {_phrase(rng, 3)} {n}."}


def _question(rng: random.Random, n: int) -> dict[str, object]:
    return {"id": f"question-{n}", "kind": "question",
            "question": f"What {_phrase(rng, 6)} {n}?", "answer": _phrase(rng, 4)}


if __name__ == "__main__":
    main()
