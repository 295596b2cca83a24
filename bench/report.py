"""The benchmark's results as markdown: one table per curriculum, a column pair per size
(seconds with the ratio to the yardstick, peak memory with its ratio), the issue's target
(issue 23) and whether it is met, then what each size's run noticed on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MEMORY_TARGET = 2.0  # peak memory ≤ 2× the yardstick's, every row
SERVE_TARGET_NOTES = 5_000  # `serve` save → page ≤ 1 s is a target at this size


@dataclass(frozen=True)
class Row:
    """A command's row: what it is divided by, and its target (a ratio, or seconds)."""

    name: str
    label: str
    base: str
    ratio: float | None = None
    seconds: float | None = None
    target: str = ""


YARDSTICKS = (
    Row("genanki", "genanki's write (yardstick)", "genanki"),
    Row("import genanki fresh", "import of genanki's package, fresh", "import genanki fresh"),
    Row("re-import genanki", "re-import of genanki's package", "re-import genanki"),
)
ROWS = (
    Row("cold build", "cold build", "genanki", ratio=3, target="≤ 3×"),
    Row("no-change rebuild", "rebuild, nothing changed", "genanki", 0.25, target="≤ 0.25×"),
    Row("one-edit rebuild", "rebuild after one edit", "genanki", 1, target="≤ 1×"),
    Row("check after one edit", "`check` after one edit", "genanki", 0.5, target="≤ 0.5×"),
    Row("preview", "`preview`", "genanki", 3, target="≤ 3×"),
    Row(
        "serve",
        "`serve`: save → page updated",
        "genanki",
        seconds=1,
        target="≤ 1 s at 5,000 notes",
    ),
    Row("import fresh", "import of our package, fresh", "import genanki fresh", 1, target="≤ 1×"),
    Row("re-import", "re-import of our package", "re-import genanki", 1, target="≤ 1×"),
)


def markdown(header: list[str], results: dict[tuple[str, int], dict[str, Any]]) -> str:
    curricula = list(dict.fromkeys(name for name, _ in results))
    out = [*header, ""]
    for name in curricula:
        sizes = [size for curriculum, size in results if curriculum == name]
        runs = [results[name, size] for size in sizes]
        out += [f"## {name}", ""]
        columns = "".join(
            f" {_notes(run, size)} | peak memory |" for run, size in zip(runs, sizes, strict=True)
        )
        out.append(f"| command |{columns} target |")
        out.append("|---|" + "---:|---:|" * len(sizes) + "---|")
        for row in (*YARDSTICKS[:1], *ROWS, *YARDSTICKS[1:]):
            if not any(row.name in run for run in runs):
                continue
            cells = "".join(_cells(row, run, size) for run, size in zip(runs, sizes, strict=True))
            target = f"{row.target}, memory ≤ {MEMORY_TARGET:g}×" if row.target else ""
            out.append(f"| {row.label} |{cells} {target} |")
        out.append("")
        out += [
            f"- {_notes(run, size)}: {_details(run)}" for run, size in zip(runs, sizes, strict=True)
        ]
        out.append("")
    return "\n".join(out)


def _notes(run: dict[str, Any], size: int) -> str:
    return f"{run.get('notes') or size:,} notes"


def _cells(row: Row, run: dict[str, Any], size: int) -> str:
    ours, base = run.get(row.name), run.get(row.base)
    if ours is None:
        return " | |"
    if "skipped" in ours:
        return f" not run ({ours['skipped']}) | |"
    measured = base is not None and "seconds" in base
    if "stopped" in ours:
        at_least = f" (> {ours['stopped'] / base['seconds']:,.0f}×)" if measured else ""
        return f" > {ours['stopped']:.0f} s{at_least}, stopped | |"
    time = _seconds(ours["seconds"])
    memory = f"{ours['peak_mb']:,.0f} MB"
    if row.name == row.base or not measured:
        return f" {time} | {memory} |"
    ratio, memory_ratio = ours["seconds"] / base["seconds"], ours["peak_mb"] / base["peak_mb"]
    if row.ratio is not None:
        met: bool | None = ratio <= row.ratio
    elif row.seconds is not None and size <= SERVE_TARGET_NOTES:
        met = ours["seconds"] <= row.seconds
    else:
        met = None
    return (
        f" {time}, {ratio:.2f}×{_mark(met)} |"
        f" {memory}, {memory_ratio:.2f}×{_mark(memory_ratio <= MEMORY_TARGET)} |"
    )


def _mark(met: bool | None) -> str:
    return "" if met is None else " ✔" if met else " ✘"


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:,.1f} s"


def _details(run: dict[str, Any]) -> str:
    """What the run noticed besides the table: sizes, findings, the page, the split."""
    said = [f"{run['facts']:,} facts"]
    if run.get("findings") is not None:
        said.append(f"{run['findings']:,} lint findings")
    ours, theirs = run.get("cold build", {}), run.get("genanki", {})
    if "bytes" in ours and "bytes" in theirs:
        said.append(
            f".apkg {ours['bytes'] / 1024:,.0f} kB (genanki's {theirs['bytes'] / 1024:,.0f} kB)"
        )
    page = run.get("preview page")
    if page:
        drawn = (
            "no Chromium"
            if "first_draw" not in page
            else "no card drawn within 120 s"
            if page["first_draw"] is None
            else f"first cards drawn {page['first_draw']:.2f} s after opening"
        )
        said.append(
            f"preview page {page['bytes'] / 1024:,.0f} kB (all its files "
            f"{page['site_bytes'] / 1024:,.0f} kB), {drawn}"
        )
    serve = run.get("serve", {})
    if "waiting for" in serve:
        said.append(f"serve stopped: {serve['waiting for']}")
    if "watch" in serve:
        said.append(
            f"serve ({_saves(serve['saves'])}): watcher {serve['watch']:.2f} s + "
            f"preview rebuilt {serve['rebuild']:.2f} s + page patched and drawn "
            f"{serve['page']:.2f} s ({serve.get('reloads', 0)} of {serve['saves']} "
            "reloaded the page; peak memory: the server's whole run)"
        )
    split = run.get("one-edit stages")
    if split:
        said.append(_split(split, theirs.get("seconds")))
    imported, again = run.get("import fresh", {}), run.get("re-import", {})
    if "new" in imported and "new" in again:
        said.append(
            f"import: {imported['new']:,} notes new; re-import: {again['new']:,} new, "
            f"{again['updated']:,} updated, {again['duplicate']:,} unchanged"
        )
    return "; ".join(said)


def _split(split: dict[str, float], yardstick: float | None) -> str:
    """The stages of a one-edit rebuild, and what its package alone costs: a byte-identical
    package is written whole and read back, so that much of the edit loop is fixed."""
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split.items())
    package = split.get("package", 0.0) + split.get("verify", 0.0)
    ratio = f" = {package / yardstick:.2f}× the yardstick" if yardstick else ""
    return (
        f"one-edit rebuild's stages (one more edit, `-v`): {stages}; of which the package "
        f"written whole and verified {package:.2f} s{ratio}"
    )


def _saves(saves: int) -> str:
    return "one save" if saves == 1 else f"the median of {saves} saves"
