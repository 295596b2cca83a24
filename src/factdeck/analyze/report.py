"""An analysis as the instructor reads it: one HTML page with charts, and a CSV of its cards.
Pure: text out; the caller writes the files."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import jinja2
from markupsafe import Markup

from factdeck.analyze import charts
from factdeck.analyze.stats import HARD_AGAIN_RATE, MIN_ANSWERS, Analysis
from factdeck.errors import Location
from factdeck.facts.model import DeckSpec

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
CSV_COLUMNS = (
    "fact", "note", "card", "guid", "file", "line", "subdeck", "exam_areas", "students",
    "answers", "again", "again_rate", "reviews", "retention", "lapses", "leeches",
    "difficulty", "seconds_per_answer", "hard", "lint_rules", "retired",
)  # fmt: skip


def html(analysis: Analysis, deck: DeckSpec, root: Path, out_dir: Path) -> str:
    """`root`: the project, whose paths the rows name; links are relative to `out_dir`."""
    weighted = any(g.weight is not None for g in analysis.areas)
    drawn = {
        "hardest": charts.hardest(analysis.cards),
        "subdecks": charts.retention(analysis.subdecks, "Retention by sub-deck"),
        "areas": charts.retention(analysis.areas, "Retention by exam area"),
        "weights": charts.weights(analysis.areas) if weighted else "",
        "lapses": charts.lapses(analysis.lapses_by_week),
    }
    return _ENV.get_template("report.html.j2").render(
        a=analysis,
        deck=deck,
        exports=analysis.students,
        charts={k: Markup(v) for k, v in drawn.items()},  # matplotlib's own SVG
        hard=sum(r.tally.hard for r in analysis.cards),
        rule_rate=HARD_AGAIN_RATE,
        min_answers=MIN_ANSWERS,
        weighted=weighted,
        pct=_pct,
        num=_num,
        minutes=_minutes,
        origin=lambda where: _origin(where, root, out_dir),
    )


def csv_text(analysis: Analysis, root: Path) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in analysis.cards:
        info, tally = result.info, result.tally
        where = info.location
        writer.writerow(
            (
                info.fact,
                info.note,
                info.number,
                info.guid,
                _relative(where.path, root) if where else "",
                where.line or "" if where else "",
                info.subdeck,
                " ".join(info.areas),
                tally.students,
                tally.answers,
                tally.again,
                _fixed(tally.again_rate),
                tally.reviews,
                _fixed(tally.retention),
                tally.lapses,
                tally.leeches,
                _fixed(tally.mean_difficulty),
                _fixed(tally.seconds_per_answer),
                int(tally.hard),
                " ".join(info.rules),
                int(info.retired),
            )
        )
    return out.getvalue()


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def _origin(where: Location | None, root: Path, out_dir: Path) -> Markup:
    if where is None:
        return Markup('<span class="muted">no longer in the deck</span>')
    href = Path(os.path.relpath(where.path.resolve(), out_dir.resolve())).as_posix()
    shown = _relative(where.path, root) + (f":{where.line}" if where.line else "")
    return Markup('<a href="{}">{}</a>').format(href, shown)


def _relative(path: Path, root: Path) -> str:
    """A path as the project names it (cards/<deck>/<file>), wherever the command runs."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
