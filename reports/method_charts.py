"""Charts of the other evaluation methods: IPA quadrant (重点改进), stacked fuzzy-grade bars and the
side-by-side comparison of weighting schemes (rank per community under each scheme).

Same conventions as :mod:`reports.charts`: plain DataFrames in, a matplotlib Figure out (no
pyplot), labels in ``lang`` from :mod:`i18n`, the CJK font set first, ``note`` as a footnote.
Every figure has a fixed maximum size (:data:`MAX_SIZE` inches) whatever the number of items or
communities: labels are shortened rather than the figure grown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from i18n import t
from reports.charts import (
    PALETTE,
    ChartDataError,
    _new_figure,
    _require,
    _suptitle,
    _upright,
    shorten_label,
)
from reports.fonts import use_cjk_font

__all__ = ["GRADE_COLOURS", "MAX_SIZE", "grade_bars_chart", "ipa_chart", "schemes_chart"]

MAX_SIZE = (12.0, 10.0)
"""Largest figure size (width, height) in inches of any chart here."""

GRADE_COLOURS = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac")
"""Worst → best grade (ColorBrewer RdBu, 5 classes); other grade counts interpolate."""

_QUADRANT_COLOURS = {"I": PALETTE[2], "II": PALETTE[5], "III": "#999999", "IV": PALETTE[0]}


def _size(width: float, height: float) -> tuple[float, float]:
    return min(width, MAX_SIZE[0]), min(height, MAX_SIZE[1])


def ipa_chart(
    table: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
    label_top: int = 8,
) -> Figure:
    """Importance–performance quadrant chart of one community (or the whole study).

    ``table``: index item; columns ``importance, performance, importance_cut,
    performance_cut, quadrant`` (:func:`evaluation.methods.ipa`). Performance on x, importance on
    y, the two cuts as dashed lines, the quadrant names in the corners; items of quadrant II
    (重点改进) are labelled with their name (the ``label_top`` largest weighted gaps), the
    others with their code.
    """
    _require(table, ["importance", "performance", "importance_cut", "performance_cut",
                     "quadrant"], "ipa_chart", "table")
    if table.empty:
        raise ChartDataError("ipa_chart: `table` has no items")
    use_cjk_font()
    fig = _new_figure(*_size(9.0, 7.0), [note])
    ax = fig.subplots()
    x = table["performance"].to_numpy(float)
    y = table["importance"].to_numpy(float)
    quadrant = table["quadrant"].astype(str).to_numpy()
    for q in ("I", "II", "III", "IV"):
        mask = quadrant == q
        if mask.any():
            ax.scatter(x[mask], y[mask], s=40 if q == "II" else 22, color=_QUADRANT_COLOURS[q],
                       edgecolor="white", linewidth=0.5, zorder=3,
                       label=t(f"methods.quadrant.{q}", lang))
    x_cut = float(table["performance_cut"].iloc[0])
    y_cut = float(table["importance_cut"].iloc[0])
    ax.axvline(x_cut, color="#555555", linestyle="--", linewidth=1)
    ax.axhline(y_cut, color="#555555", linestyle="--", linewidth=1)
    dx = max(np.ptp(x), 1e-6) * 0.08
    dy = max(np.ptp(y), 1e-9) * 0.08
    ax.set_xlim(x.min() - dx, x.max() + dx)
    ax.set_ylim(y.min() - dy, y.max() + dy * 2)
    corners = {"I": (0.98, 0.98, "right", "top"), "II": (0.02, 0.98, "left", "top"),
               "III": (0.02, 0.02, "left", "bottom"), "IV": (0.98, 0.02, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, f"{q} {t(f'methods.quadrant.{q}', lang)}", transform=ax.transAxes,
                ha=ha, va=va, fontsize=10, color=_QUADRANT_COLOURS[q],
                alpha=0.9)
    gap = table.get("weighted_gap", pd.Series(0.0, index=table.index)).to_numpy(float)
    second = np.flatnonzero(quadrant == "II")
    named = set(second[np.argsort(-gap[second])][:label_top])
    for i, item in enumerate(table.index):
        text = f"{item} {shorten_label(names.get(str(item), ''), 16)}" if (
            i in named and names) else str(item)
        ax.annotate(text, (x[i], y[i]), xytext=(4, 3), textcoords="offset points",
                    fontsize=7.5 if i in named else 6, color="#222222" if i in named else "#777777")
    ax.set_xlabel(t("methods.chart.performance", lang))
    ax.set_ylabel(fontsize=10, labelpad=10, **_upright(t("methods.chart.importance", lang), lang))
    ax.grid(color="#eeeeee")
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=4, fontsize=8, frameon=False)
    _suptitle(fig, title or t("methods.chart.ipa_title", lang))
    return fig


def _grade_colours(k: int) -> list[str]:
    if k == len(GRADE_COLOURS):
        return list(GRADE_COLOURS)
    import matplotlib as mpl

    cmap = mpl.colormaps["RdBu"]
    return [mpl.colors.to_hex(cmap(v)) for v in np.linspace(0.1, 0.9, k)]


def grade_bars_chart(
    table: pd.DataFrame,
    labels: Sequence[str],
    *,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
    max_rows: int = 30,
) -> Figure:
    """Stacked membership bars per community (one level, e.g. the goal): the share of each grade
    (worst on the left), with the maximum-membership grade and the grade score at the right end.

    ``table``: rows ``community`` with one column per grade label in ``labels`` (worst → best),
    ``grade_label`` and ``score``; drawn in ``score`` order (best on top), at most ``max_rows``.
    """
    _require(table, ["community", *labels, "grade_label", "score"], "grade_bars_chart", "table")
    if table.empty:
        raise ChartDataError("grade_bars_chart: `table` has no rows")
    data = table.sort_values("score", ascending=False, kind="stable").head(max_rows)
    k = len(data)
    fig = _new_figure(*_size(9.5, 1.6 + 0.32 * k), [note])
    ax = fig.subplots()
    y = np.arange(k)
    left = np.zeros(k)
    for label, colour in zip(labels, _grade_colours(len(labels)), strict=True):
        share = data[label].to_numpy(float)
        ax.barh(y, share, left=left, color=colour, height=0.7, label=str(label),
                edgecolor="white", linewidth=0.4)
        for yi, (lo, s) in enumerate(zip(left, share, strict=True)):
            if s >= 0.08:
                ax.text(lo + s / 2, yi, f"{s:.0%}", ha="center", va="center", fontsize=6.5,
                        color="white" if colour in (GRADE_COLOURS[0], GRADE_COLOURS[-1])
                        else "black")
        left += share
    for yi, row in enumerate(data.itertuples(index=False)):
        ax.text(1.01, yi, f"{row.grade_label}  {row.score:.1f}", va="center", ha="left",
                fontsize=8.5)
    ax.set_yticks(y, [shorten_label(str(c), 16) for c in data["community"]], fontsize=8)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlim(0, 1.16)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{v:.0%}" for v in np.linspace(0, 1, 6)])
    ax.set_xlabel(t("methods.chart.membership", lang))
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.06 - 0.5 / max(k, 1)),
              ncol=len(labels), fontsize=8, frameon=False)
    _suptitle(fig, title or t("methods.chart.grades_title", lang))
    return fig


def schemes_chart(
    ranks: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
    highlight: int = 6,
) -> Figure:
    """Bump chart: each community's rank (1 on top) under each weighting scheme (x axis).

    ``ranks``: community × scheme ranks. The ``highlight`` communities whose rank moves most
    across schemes are coloured and named at both ends; the others are grey.
    """
    if ranks.empty or ranks.shape[1] < 2:
        raise ChartDataError("schemes_chart: `ranks` needs communities × at least 2 schemes")
    use_cjk_font()
    values = ranks.to_numpy(float)
    m, s = values.shape
    fig = _new_figure(*_size(3.2 + 1.25 * s, 2.0 + 0.28 * m), [note])
    ax = fig.subplots()
    x = np.arange(s)
    spread = np.nanmax(values, axis=1) - np.nanmin(values, axis=1)
    moving = set(np.argsort(-spread, kind="stable")[:highlight]) if highlight else set()
    colour_of = {i: PALETTE[j % len(PALETTE)] for j, i in enumerate(sorted(moving))}
    for i, community in enumerate(ranks.index):
        hot = i in moving
        colour = colour_of.get(i, "#c8c8c8")
        ax.plot(x, values[i], color=colour, linewidth=2.2 if hot else 1.0,
                marker="o", markersize=5 if hot else 3, zorder=3 if hot else 2)
        name = shorten_label(str(community), 12)
        ax.text(-0.12, values[i, 0], f"{name} {int(values[i, 0])}", ha="right", va="center",
                fontsize=7.5, color=colour if hot else "#555555")
        ax.text(s - 1 + 0.12, values[i, -1], f"{int(values[i, -1])} {name}", ha="left",
                va="center", fontsize=7.5, color=colour if hot else "#555555")
    names = [labels.get(str(c), str(c)) if labels else str(c) for c in ranks.columns]
    ax.set_xticks(x, [n.replace(" ", "\n", 1) for n in names], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_xlim(-1.4, s - 1 + 1.4)
    ax.set_ylim(m + 0.7, 0.3)
    ax.set_yticks([])
    for side in ("left", "right", "bottom", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#eeeeee")
    _suptitle(fig, title or t("methods.chart.schemes_title", lang))
    return fig
