"""Benchmark: factdeck's edit loop against raw genanki writing the same notes (issues 7, 16, 23).

    python bench/run.py                     # 5,000 and 50,000 notes, both curricula
    python bench/run.py --quick             # 5,000 notes, one timed save: a few minutes
    python bench/run.py --notes 1000 20000  # other sizes, in notes
    python bench/run.py --large             # also 200,000 notes
    python bench/run.py --loop --profile /tmp/prof  # the edit loop only, and its profiles

Two curricula (--curriculum): "synthetic" (bench/synthetic.py), every fact kind with
made-up words, and "linty" (bench/linty.py), real words in a first draft's wording, with
hundreds of findings.

In one run, each command as a whole process (start-up and imports included), at each size
and for each curriculum: factdeck's cold build (no lock, no cache), a rebuild with nothing
changed, a rebuild after one fact is edited, `factdeck check` after one more edit,
`factdeck preview` (and how long Chromium takes to draw the first cards of the page, from
file://), `factdeck serve` from a saved edit to the open page in Chromium showing it
(bench/serve_save.py), and importing the package into the official Anki engine, fresh and
again over itself; against raw genanki writing the same notes (same fields, GUIDs, tags,
decks and media) as its README shows (the fastest of three), and importing genanki's
package the same two ways. Each figure comes with its process's peak memory. One more
one-edit rebuild, untimed, with `-v`, gives the stages it still pays for, the package's
write and verify among them. A command that takes longer than --limit is stopped and its
row says so. The tables (markdown, with the targets) go to stdout and to bench/out/, with
the raw figures as JSON beside them.
It is not part of the tests: speed is measured here, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import linty
import report
import serve_save
import synthetic

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "cards" / "low-back-pain"
OUT = REPO / "bench" / "out"
CHROMIUM = serve_save.CHROMIUM
EXE = Path(sys.executable).with_name("factdeck")
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "NO_COLOR": "1"}
LIMIT = 600.0  # seconds: past this a command is stopped, and its row says so


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notes",
        type=int,
        nargs="*",
        help="curriculum sizes in notes [default: 5000 50000; with --quick: 5000]",
    )
    parser.add_argument("--large", action="store_true", help="also 200,000 notes")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="5,000 notes, one timed save in serve, no start-up line: a few minutes",
    )
    parser.add_argument(
        "--curriculum",
        nargs="*",
        choices=CURRICULA,
        default=list(CURRICULA),
        help="which curricula [default: both]",
    )
    parser.add_argument(
        "--loop", action="store_true", help="only the edit loop (no preview, serve, import)"
    )
    parser.add_argument(
        "--limit",
        type=float,
        default=LIMIT,
        help=f"seconds a command may take before it is stopped [default: {LIMIT:.0f}]",
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where the tables go [default: bench/out]"
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
    sizes = args.notes or ([5_000] if args.quick else [5_000, 50_000])
    sizes += [200_000] if args.large else []
    started = datetime.now(UTC)
    header = [
        f"# factdeck benchmark, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`{' '.join(['bench/run.py', *sys.argv[1:]])}` at {_commit()}; "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}; "
        f"uptime at the start: `{_uptime()}`.",
        "",
        "Each command a whole process (start-up and imports included); ratio = factdeck / "
        "raw genanki writing the same notes (the fastest of 3) in the same run, or / the "
        "import of genanki's package for the imports; peak memory the process's own "
        f"(ru_maxrss), with its ratio to the same yardstick's; a command past "
        f"{args.limit:.0f} s is stopped. ✔ target met, ✘ not.",
    ]
    stem = args.out / f"bench-{started:%Y%m%d-%H%M}"
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for name in args.curriculum:
        for notes in sizes:
            results[name, notes] = run_size(notes, name, args)
            # Written after each size, so that a long run stopped halfway keeps its tables.
            so_far = f"Run under way: {len(results)} of {len(sizes) * len(args.curriculum)} sizes."
            write(stem, report.markdown(header, results) + "\n" + so_far + "\n", results)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    footer = [f"Uptime at the end: `{_uptime()}`; the whole run took {elapsed / 60:.0f} min."]
    if not args.quick:
        footer.append(
            f"Start-up: `factdeck --help` {startup(['--help']):.3f} s, `factdeck check` of "
            f"the shipped deck {startup(['check', str(DECK)]):.3f} s (median of 5)."
        )
    text = report.markdown(header, results) + "\n" + "\n\n".join(footer) + "\n"
    print(text)
    write(stem, text, results)
    print(f"written: {stem.with_suffix('.md')} (and .json, latest.md)", file=sys.stderr)


def write(stem: Path, text: str, results: dict[tuple[str, int], dict[str, Any]]) -> None:
    """The tables as markdown at STEM.md and beside it as latest.md, the figures as STEM.json."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    raw = {f"{name} {notes}": result for (name, notes), result in results.items()}
    stem.with_suffix(".json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    shutil.copy(stem.with_suffix(".md"), stem.parent / "latest.md")


def run_size(notes: int, curriculum: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every row at one size, each command's result (or why it has none) under its name."""
    with tempfile.TemporaryDirectory(prefix="factdeck-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "templates", root / "templates")
        deck_dir = root / "cards" / "bench"
        facts = CURRICULA[curriculum](deck_dir, notes)
        out = root / "dist"
        limit = args.limit

        def step(row: str, argv: list[str], **options: Any) -> dict[str, Any]:
            result[row] = command(argv, limit, **options)
            _progress(curriculum, notes, row, result[row])
            return result[row]

        build = ["build", str(deck_dir), "--out", str(out), "-q"]
        result: dict[str, Any] = {"facts": facts}
        cold = step("cold build", build)
        if "stopped" in cold:  # no lock, no cache: the rows after it would be cold builds
            skipped = {"skipped": "the cold build was stopped"}
            result.update({row.name: skipped for row in report.ROWS[1:]})
        else:
            step("no-change rebuild", build)
            edit(deck_dir, "one-edit")
            step("one-edit rebuild", build)
            edit(deck_dir, "check-edit")
            step("check after one edit", ["check", str(deck_dir), "-q"])
            cold["bytes"] = (out / "bench.apkg").stat().st_size
            edit(deck_dir, "split-edit")
            result["one-edit stages"] = stages([*build[:-1], "-v"], limit)
        result["findings"] = findings(deck_dir, limit)
        if args.profile and "stopped" not in cold:
            stem = args.profile / f"{curriculum}-{notes}"
            args.profile.mkdir(parents=True, exist_ok=True)
            edit(deck_dir, "profiled-edit")
            command(build, limit, profiled=stem.with_suffix(".build.prof"))
            edit(deck_dir, "profiled-check")
            command(["check", str(deck_dir), "-q"], limit, profiled=stem.with_suffix(".check.prof"))
        if not args.loop and "stopped" not in cold:
            shown = step("preview", ["preview", str(deck_dir), "--out", str(out), "-q"])
            if "stopped" in shown:
                result["serve"] = {"skipped": "the preview was stopped"}
            else:
                result["preview page"] = first_draw(out / "bench-preview", limit)
                # The median of 3 saves; one when each takes minutes (and with --quick).
                saves = "1" if args.quick or notes >= 100_000 else "3"
                result["serve"] = child(
                    "serve", limit * 4, str(deck_dir), str(out), saves, str(limit)
                )
                _progress(curriculum, notes, "serve", result["serve"])
        dumped = child("notes", limit, str(deck_dir))
        if "stopped" in dumped:
            result["genanki"] = {"skipped": "expanding the notes for genanki was stopped"}
            return result
        # genanki's write is the yardstick: the fastest of three, so a busy moment on a
        # shared machine does not flatter the ratios.
        runs = [
            child("genanki", limit, str(deck_dir), str(root / f"genanki-{n}")) for n in range(3)
        ]
        result["genanki"] = min(runs, key=lambda run: run.get("seconds", limit))
        result["notes"] = result["genanki"].get("notes")
        _progress(curriculum, notes, "genanki", result["genanki"])
        if args.loop:
            return result
        theirs = root / "genanki-0" / "genanki.apkg"
        ours = [] if "stopped" in cold else [("", out / "bench.apkg")]
        for label, package in [*ours, (" genanki", theirs)]:
            collection = root / f"anki{label.strip()}"
            for row in (f"import{label} fresh", f"re-import{label}"):
                result[row] = child("import", limit, str(package), str(collection))
                _progress(curriculum, notes, row, result[row])
        return result


def _progress(curriculum: str, notes: int, row: str, measured: dict[str, Any]) -> None:
    """A line on stderr as each figure comes, so a long run shows where it is."""
    shown = (
        f"{measured['seconds']:.2f} s, {measured['peak_mb']:.0f} MB"
        if "seconds" in measured
        else f"stopped after {measured['stopped']:.0f} s"
        if "stopped" in measured
        else str(measured)
    )
    now = datetime.now(UTC)
    print(f"{now:%H:%M:%S} {curriculum} {notes:,}: {row}: {shown}", file=sys.stderr, flush=True)


def command(argv: list[str], limit: float, profiled: Path | None = None) -> dict[str, Any]:
    """`factdeck ARGV` as a whole process: wall time and its own peak memory, or
    {"stopped": limit} past `limit`; with `profiled`, under cProfile, written there."""
    run = (
        [sys.executable, "-m", "cProfile", "-o", str(profiled), str(EXE)]
        if profiled
        else [str(EXE)]
    )
    done = _process([*run, *argv], limit)
    if done["stopped"]:
        return {"stopped": limit}
    if done["code"] != 0:
        raise SystemExit(f"factdeck {' '.join(argv)} failed: {done['stderr'][-2000:]}")
    return {"seconds": done["seconds"], "peak_mb": done["peak_mb"]}


def child(what: str, limit: float, *argv: str) -> dict[str, Any]:
    """This script's `--child WHAT ARGV` (a measurement in a fresh process): its JSON."""
    done = _process([sys.executable, __file__, "--child", what, *argv], limit)
    if done["stopped"]:
        return {"stopped": limit}
    if done["code"] != 0:
        raise SystemExit(f"bench child {what} failed: {done['stderr'][-2000:]}")
    return dict(json.loads(done["stdout"].splitlines()[-1]))


def _process(argv: list[str], limit: float) -> dict[str, Any]:
    """Run `argv` in a session of its own (stopped whole, browser and server included, past
    `limit`); its wall time, peak memory, exit code and output."""
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, env=ENV, stdout=stdout, stderr=stderr, start_new_session=True
        )
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(limit, stop)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        return {
            "seconds": seconds,
            "peak_mb": usage.ru_maxrss / 1024,
            "code": process.returncode,
            "stopped": stopped.is_set(),
            "stdout": stdout.read(),
            "stderr": stderr.read(),
        }


def stages(argv: list[str], limit: float) -> dict[str, float]:
    """One more one-edit rebuild, untimed, with `-v`: the seconds of each stage it prints
    (`time  load  726 ms`), so the report can say which stages the edit still pays for."""
    done = _process([str(EXE), *argv], limit)
    if done["stopped"] or done["code"] != 0:
        return {}
    lines = done["stdout"].splitlines()
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("time ")), None)
    split: dict[str, float] = {}
    for line in lines[start:] if start is not None else []:
        found = _STAGE.match(line)
        if found is None:
            break
        split[found["stage"]] = int(found["ms"]) / 1000
    return split


_STAGE = re.compile(r"^\s+(?:time\s+)?(?P<stage>[a-z][a-z ]*?)\s+(?P<ms>\d+) ms$")


def findings(deck_dir: Path, limit: float) -> int | None:
    """How many lint findings the curriculum has (`factdeck lint` prints them one a line)."""
    done = _process([str(EXE), "lint", str(deck_dir)], limit)
    return (
        None if done["stopped"] else sum(": fact '" in line for line in done["stdout"].splitlines())
    )


def edit(deck_dir: Path, marker: str) -> str:
    """Reword one answer in the middle file, as an instructor fixing a typo would: its id."""
    files = sorted(deck_dir.glob("facts-*.yaml"))
    path = files[len(files) // 2]
    data = json.loads(path.read_text())
    fact = next(f for f in data["facts"] if f["kind"] == "question")
    fact["answer"] = f"{fact['answer']} {marker}"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    return str(fact["id"])


def first_draw(site: Path, limit: float) -> dict[str, Any]:
    """Page size, and seconds from opening index.html (file://) to the first drawn card."""
    page = site / "index.html"
    sizes = {
        "bytes": page.stat().st_size,
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
    }
    if not CHROMIUM.exists():
        return sizes
    return {**sizes, **child("browser", limit, str(page))}


def time_serve(deck_dir: str, out: str, saves: str, limit: str) -> dict[str, Any]:
    return serve_save.measure(EXE, Path(deck_dir), Path(out), ENV, edit, int(saves), float(limit))


def time_browser(page: str) -> dict[str, float | None]:
    """Seconds to the first drawn card (None: none within two minutes)."""
    from playwright.sync_api import TimeoutError, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        tab = browser.new_page()
        start = time.perf_counter()
        tab.goto(Path(page).as_uri(), wait_until="commit")
        try:
            tab.wait_for_selector("article.pv-card[data-rendered]", timeout=120_000)
        except TimeoutError:
            return {"first_draw": None}
        seconds = time.perf_counter() - start
        browser.close()
    return {"first_draw": seconds}


def time_import(apkg: str, folder: str) -> dict[str, float]:
    """Import a package into the official Anki engine with default options."""
    sys.path.insert(0, str(REPO))
    from tests.support.engine import import_package, open_collection

    col = open_collection(Path(folder))
    start = time.perf_counter()
    log = import_package(col, Path(apkg))
    seconds = time.perf_counter() - start
    col.close()
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "new": log.new,
        "updated": log.updated,
        "duplicate": log.duplicate,
    }


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
    "serve": time_serve,
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


def _commit() -> str:
    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "src", "templates")
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (" with changes" if changed else "")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def startup(argv: list[str]) -> float:
    """Median of 5 runs."""
    return sorted(command(argv, LIMIT)["seconds"] for _ in range(5))[2]


def generate_synthetic(deck_dir: Path, notes: int) -> int:
    synthetic.generate(deck_dir, notes // 5)  # about five notes per fact
    return notes // 5


def generate_linty(deck_dir: Path, notes: int) -> int:
    linty.generate(deck_dir, notes, synthetic.deck_yaml(diagrams=False))  # one note per fact
    return notes


CURRICULA = {"synthetic": generate_synthetic, "linty": generate_linty}


if __name__ == "__main__":
    main()
