"""The completion chart as a PNG picture: a horizontal bar per unit, for admins to look at.

matplotlib (Agg, no display needed) draws it with its bundled DejaVu Sans, which has every
Vietnamese diacritic, so the picture looks the same on any server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.locales import Catalog
from bot.office.report_sheet import chart_rows
from bot.services.digests import ReportRow

LABEL_CHARS = 34
GOOD, FAIR, POOR = "#2e7d32", "#f9a825", "#c62828"  # from 90 %, from 50 %, below


def _label(row: ReportRow) -> str:
    name = row.unit_path.rsplit(" / ", 1)[-1]
    name = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
    # A "$" would start matplotlib's mathtext ("$x^2$" drawn as a formula, "$\\foo$" an error):
    # escaped, every "$" is drawn as it was typed.
    return ("   " * (row.depth - 1)) + name.replace("$", r"\$")


def chart_png(catalog: Catalog, rows: Sequence[ReportRow]) -> bytes | None:
    """The chart of the share of plans handed in by unit; None when no unit has plans due."""
    shown = chart_rows(rows)
    if not shown:
        return None
    # Imported here: matplotlib takes a while to load and only admins' reports need it.
    from matplotlib.figure import Figure  # the object API needs no pyplot and no display

    height = 1.4 + 0.42 * len(shown)
    figure = Figure(figsize=(8, height), dpi=110)
    axes = figure.add_subplot()
    labels = [_label(r) for r in reversed(shown)]
    rates = [r.rate for r in reversed(shown)]
    colours = [
        "#2e7d32" if rate >= 90 else "#f9a825" if rate >= 50 else "#c62828" for rate in rates
    ]
    bars = axes.barh(labels, rates, color=colours)
    for bar, row in zip(bars, reversed(shown), strict=True):
        t = row.tally
        axes.text(
            min(bar.get_width() + 1, 101),
            bar.get_y() + bar.get_height() / 2,
            f"{row.rate:.0f}% ({t.submitted}/{t.required})",
            va="center",
            fontsize=8,
        )
    axes.set_xlim(0, 118)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.set_xlabel("%")
    axes.set_title(catalog.plain("report.chart_title"), fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
