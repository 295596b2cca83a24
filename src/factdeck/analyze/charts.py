"""The report's charts as inline SVG, drawn with matplotlib.

matplotlib rather than plotly: its SVG needs no JavaScript (plotly's HTML carries about 3.5
MB of it per report, or loads it from a CDN, so the report would not open offline), prints,
and is the same bytes for the same numbers (a fixed hash salt, no date), so a report can be
compared and committed. `Figure` is used without pyplot: no global state, no display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from matplotlib import rcParams
from matplotlib.figure import Figure

from factdeck.analyze.stats import CardResult, Group

HARD, OTHER, GRID = "#c0392b", "#1f5fae", "#d0d4da"
TOP = 15  # the hardest cards shown

rcParams.update(
    {
        "svg.hashsalt": "factdeck",  # ids in the SVG: the same every run
        "svg.fonttype": "none",  # text stays text: searchable, accessible, small
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def hardest(cards: Sequence[CardResult]) -> str:
    shown = [c for c in cards if c.tally.answers][:TOP]
    figure = Figure(figsize=(7, 0.6 + 0.28 * max(len(shown), 1)))
    axes = figure.add_subplot()
    labels = [f"{c.info.fact} · {c.info.note} · card {c.info.number}" for c in shown]
    rates = [100 * (c.tally.again_rate or 0) for c in shown]
    axes.barh(labels, rates, color=[HARD if c.tally.hard else OTHER for c in shown])
    axes.invert_yaxis()
    axes.set_xlabel("answers rated Again (%)")
    axes.set_xlim(0, 100)
    axes.grid(axis="x", color=GRID)
    axes.set_axisbelow(True)
    axes.set_title("Hardest cards (red: hard)", loc="left")
    return _svg(figure)


def retention(groups: Sequence[Group], title: str) -> str:
    figure = Figure(figsize=(7, 0.8 + 0.3 * max(len(groups), 1)))
    axes = figure.add_subplot()
    values = [100 * (g.tally.retention or 0) for g in groups]
    bars = axes.barh([g.name for g in groups], values, color=OTHER)
    for bar, group in zip(bars, groups, strict=True):
        note = "no reviews" if group.tally.retention is None else f"{bar.get_width():.0f}%"
        axes.annotate(
            note,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    axes.invert_yaxis()
    axes.set_xlim(0, 110)
    axes.set_xlabel("review answers not rated Again (%)")
    axes.set_title(title, loc="left")
    return _svg(figure)


def lapses(weeks: Sequence[tuple[date, int]]) -> str:
    figure = Figure(figsize=(7, 2.4))
    axes = figure.add_subplot()
    labels = [week.isoformat() for week, _ in weeks] or ["no lapses"]
    axes.bar(labels, [count for _, count in weeks] or [0], color=HARD)
    axes.set_ylabel("lapses (review answered Again)")
    axes.set_title("Lapses per week (weeks start on Monday)", loc="left")
    axes.tick_params(axis="x", labelrotation=45)
    return _svg(figure)


def weights(areas: Sequence[Group]) -> str:
    """Each exam area's share of the deck's cards and of the class's study time, beside
    its weight among the areas the deck serves (all three add up to 100%)."""
    figure = Figure(figsize=(7, 0.9 + 0.55 * max(len(areas), 1)))
    axes = figure.add_subplot()
    rows = range(len(areas))
    height = 0.27
    for offset, (label, values, colour) in enumerate(
        (
            ("exam weight", [100 * (a.weight_share or 0) for a in areas], "#7a7f87"),
            ("cards", [100 * a.card_share for a in areas], OTHER),
            ("study time", [100 * a.time_share for a in areas], "#2e8b57"),
        )
    ):
        positions = [r + (offset - 1) * height for r in rows]
        axes.barh(positions, values, height, label=label, color=colour)
    axes.set_yticks(list(rows), [_short(a.name) for a in areas])
    axes.invert_yaxis()
    axes.set_xlabel("share of the deck's exam areas (%)")
    axes.legend(loc="lower right", frameon=False)
    axes.set_title("Exam areas: weight, cards and study time", loc="left")
    return _svg(figure)


def _short(name: str, limit: int = 36) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip(" ,&") + "…"


def _svg(figure: Figure) -> str:
    figure.set_layout_engine("tight")
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: without the XML declaration and DOCTYPE
