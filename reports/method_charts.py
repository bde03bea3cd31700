"""Charts of the other evaluation methods: IPA quadrant (重点改进), stacked fuzzy-grade bars and the
side-by-side comparison of weighting schemes (rank per community under each scheme).

Same conventions as :mod:`reports.charts`: plain DataFrames in, a matplotlib Figure out (no
pyplot), labels in ``lang`` from :mod:`i18n`, the CJK font set first, ``note`` as a footnote.
Every figure has a fixed maximum size (:data:`MAX_SIZE` inches) whatever the number of items or
communities: labels are shortened rather than the figure grown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

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


_LABEL_GAP = 2.0
"""Points of white space kept between an item label and any other label, marker or corner text."""
_RING_STEP = 3.0
"""Points between the nearest rings of candidate label positions around a point; a label one
ring or more away from its point is joined to it by a leader line."""


_LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
              "alpha": 0.8}
"""Background of an item label: the grid and the cut lines do not run through its text."""
_LEADER = {"arrowstyle": "-", "color": "#888888", "linewidth": 0.6, "shrinkA": 0, "shrinkB": 0}
"""Leader line from a label to its point."""


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """k × m matrix: does box ``i`` intersect box ``j`` of ``others`` (rows x0, y0, x1, y1)."""
    return ((boxes[:, None, 0] < others[None, :, 2]) & (others[None, :, 0] < boxes[:, None, 2])
            & (boxes[:, None, 1] < others[None, :, 3]) & (others[None, :, 1] < boxes[:, None, 3]))


def _covers(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """k × p matrix: does box ``i`` contain point ``j``."""
    return ((boxes[:, None, 0] <= points[None, :, 0]) & (points[None, :, 0] <= boxes[:, None, 2])
            & (boxes[:, None, 1] <= points[None, :, 1]) & (points[None, :, 1] <= boxes[:, None, 3]))


def _distance(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """k × p matrix: Euclidean distance from box ``i`` to point ``j`` (0 inside)."""
    dx = np.maximum(boxes[:, None, 0] - points[None, :, 0], points[None, :, 0] - boxes[:, None, 2])
    dy = np.maximum(boxes[:, None, 1] - points[None, :, 1], points[None, :, 1] - boxes[:, None, 3])
    return np.hypot(np.maximum(dx, 0.0), np.maximum(dy, 0.0))


def _rings(half: np.ndarray, start: float, stop: float, step: float) -> Iterator[np.ndarray]:
    """Batches of candidate centres, relative to the point, of a label box of half size
    ``half``: on rings (rounded squares) where the box keeps a distance d, ``start`` ≤ d ≤
    ``stop``, from the point in x or y; the rings and the spots on them grow apart with d. Each
    batch is an array of rows (cx, cy, d)."""
    d, batch = start, []
    while d <= stop:
        a, b = half + d
        spacing = max(step, 0.1 * d)
        xs = np.linspace(-a, a, max(int(2 * a / spacing), 1) + 1)
        ys = np.linspace(-b, b, max(int(2 * b / spacing), 1) + 1)[1:-1]
        spots = np.concatenate([np.column_stack([xs, np.full_like(xs, b)]),
                                np.column_stack([xs, np.full_like(xs, -b)]),
                                np.column_stack([np.full_like(ys, a), ys]),
                                np.column_stack([np.full_like(ys, -a), ys])])
        batch.append(np.column_stack([spots, np.full(len(spots), d)]))
        if d == start or len(batch) == 6:
            yield np.concatenate(batch)
            batch = []
        d += max(step, 0.15 * d)
    if batch:
        yield np.concatenate(batch)


def _leader_start(boxes: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Where matplotlib starts the leader of an annotation: per axis the edge or the middle of
    the label box nearest to the point (``Annotation.update_positions``)."""
    xs = np.stack([boxes[:, 0], boxes[:, [0, 2]].mean(axis=1), boxes[:, 2]], axis=1)
    ys = np.stack([boxes[:, 1], boxes[:, [1, 3]].mean(axis=1), boxes[:, 3]], axis=1)
    rows = np.arange(len(boxes))
    return np.column_stack([xs[rows, np.abs(xs - anchor[0]).argmin(axis=1)],
                            ys[rows, np.abs(ys - anchor[1]).argmin(axis=1)]])


def _place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    radii: np.ndarray,
    obstacles: np.ndarray,
    bounds: np.ndarray,
    unit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy label placement in display pixels, label by label in the given order.

    ``anchors`` (n × 2) are the points, ``sizes`` (n × 2) their labels' width and height,
    ``radii`` the markers' radii, ``obstacles`` (m × 4) boxes no label may cover (the corner
    names), ``bounds`` (x0, y0, x1, y1) the axes; ``unit`` pixels per point. Each label goes to
    the nearest free spot around its point, right of it preferred: inside the axes and clear by
    :data:`_LABEL_GAP` of every marker, obstacle, label and leader line placed before. Next to
    its point a label must be nearer to it than to any other marker; further away it gets a
    leader line, which must cross no label and no other marker. Returns the label centres
    (n × 2) and which labels have a leader. A label with no free spot in the whole axes stays
    right of its point.
    """
    gap = _LABEL_GAP * unit
    step = _RING_STEP * unit
    pad = np.array([-gap, -gap, gap, gap])
    markers = np.column_stack([anchors - radii[:, None], anchors + radii[:, None]])
    preferred = np.array([1.0, 0.2]) / np.hypot(1.0, 0.2)
    stop = float(np.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1]))
    centres = anchors + np.column_stack([radii + gap + sizes[:, 0] / 2, np.zeros(len(anchors))])
    leaders = np.zeros(len(anchors), dtype=bool)
    placed = np.empty((0, 4))
    drawn = np.empty((0, 2))  # points along the leader lines placed so far
    for i, (anchor, half) in enumerate(zip(anchors, sizes / 2, strict=True)):
        others, other_radii = np.delete(anchors, i, axis=0), np.delete(radii, i)
        blocking = np.concatenate([np.delete(markers, i, axis=0), obstacles, placed])
        # a leader starts inside the markers that touch this one: they do not block it
        touching = np.hypot(*(others - anchor).T) < other_radii + radii[i]
        crossing = np.concatenate([np.delete(markers, i, axis=0)[~touching], obstacles, placed])
        for rings in _rings(half, radii[i] + gap, stop, step):
            offsets, far = rings[:, :2], rings[:, 2] > radii[i] + gap
            boxes = np.column_stack([anchor + offsets - half, anchor + offsets + half])
            ok = ((boxes[:, :2] >= bounds[:2]) & (boxes[:, 2:] <= bounds[2:])).all(axis=1)
            ok &= ~_overlaps(boxes + pad, blocking).any(axis=1)
            ok &= ~_covers(boxes + pad, drawn).any(axis=1)
            near = ok & ~far
            if near.any() and len(others):
                own = _distance(boxes[near], anchor[None, :])[:, 0]
                nearest = (_distance(boxes[near], others) - other_radii).min(axis=1)
                ok[near] = nearest > own + gap
            start = _leader_start(boxes, anchor)
            tested = np.flatnonzero(ok & far)
            if len(tested):
                count = int(np.ceil(np.hypot(*(start[tested] - anchor).T).max() / gap)) + 2
                along = np.linspace(0.0, 1.0, count)[1:-1, None, None]
                path = anchor + along * (start[tested] - anchor)  # count × k × 2
                hits = _covers(crossing, path.reshape(-1, 2)).any(axis=0)
                ok[tested[hits.reshape(len(along), -1).any(axis=0)]] = False
            if not ok.any():
                continue
            cost = rings[:, 2] + 0.3 * step * (
                1 - offsets @ preferred / np.maximum(np.hypot(*offsets.T), 1e-9))
            k = int(np.argmin(np.where(ok, cost, np.inf)))
            centres[i], leaders[i] = anchor + offsets[k], far[k]
            if far[k]:
                count = int(np.ceil(np.hypot(*(start[k] - anchor)) / gap)) + 2
                drawn = np.concatenate(
                    [drawn, anchor + np.linspace(0.0, 1.0, count)[:, None] * (start[k] - anchor)])
            break
        placed = np.concatenate([placed, [[*(centres[i] - half), *(centres[i] + half)]]])
    return centres, leaders


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
    y, the two cuts as dashed lines, the quadrant names in the corners; every item is labelled,
    the ``label_top`` items of quadrant II (重点改进) with the largest weighted gaps with code
    and name in dark text, the others with their code in grey. No label overlaps another label,
    a marker or a corner name: a label that cannot sit next to its point is moved to the
    nearest free spot and joined to the point by a thin leader line (:func:`_place_labels`).
    """
    _require(table, ["importance", "performance", "importance_cut", "performance_cut",
                     "quadrant"], "ipa_chart", "table")
    if table.empty:
        raise ChartDataError("error.chart.no_items", chart="ipa_chart", arg="table")
    use_cjk_font()
    fig = _new_figure(*_size(9.0, 7.0), [note])
    ax = fig.subplots()
    x = table["performance"].to_numpy(float)
    y = table["importance"].to_numpy(float)
    quadrant = table["quadrant"].astype(str).to_numpy()
    area = np.where(quadrant == "II", 40.0, 22.0)
    for q in ("I", "II", "III", "IV"):
        mask = quadrant == q
        if mask.any():
            ax.scatter(x[mask], y[mask], s=area[mask], color=_QUADRANT_COLOURS[q],
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
    corner_texts = [
        ax.text(cx, cy, f"{q} {t(f'methods.quadrant.{q}', lang)}", transform=ax.transAxes,
                ha=ha, va=va, fontsize=10, color=_QUADRANT_COLOURS[q], alpha=0.9)
        for q, (cx, cy, ha, va) in corners.items()]
    gap = table.get("weighted_gap", pd.Series(0.0, index=table.index)).to_numpy(float)
    second = np.flatnonzero(quadrant == "II")
    named = second[np.argsort(-gap[second], kind="stable")][:label_top]
    order = [*named, *(i for i in range(len(table)) if i not in set(named))]
    styles = [{"fontsize": 7.5, "color": "#222222"} if i in named
              else {"fontsize": 6.0, "color": "#777777"} for i in order]
    texts = [f"{table.index[i]} {shorten_label(names.get(str(table.index[i]), ''), 16)}"
             if names and i in named else str(table.index[i]) for i in order]
    measured = [ax.text(x[i], y[i], text, ha="center", va="center", in_layout=False, **style)
                for i, text, style in zip(order, texts, styles, strict=True)]
    ax.set_xlabel(t("methods.chart.performance", lang))
    ax.set_ylabel(fontsize=10, labelpad=10, **_upright(t("methods.chart.importance", lang), lang))
    ax.grid(color="#eeeeee")
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=4, fontsize=8, frameon=False)
    _suptitle(fig, title or t("methods.chart.ipa_title", lang))
    fig.draw_without_rendering()  # the layout is final: the axes have their place in pixels
    unit = fig.dpi / 72
    anchors = ax.transData.transform(np.column_stack([x, y])[order])
    sizes = np.array([[b.width, b.height] for b in (m.get_window_extent() for m in measured)])
    centres, leaders = _place_labels(
        anchors, sizes, (np.sqrt(area[order]) / 2 + 0.25) * unit,
        np.array([b.extents for b in (c.get_window_extent() for c in corner_texts)]),
        np.asarray(ax.get_window_extent().extents), unit)
    for k, i in enumerate(order):
        measured[k].remove()
        ax.annotate(texts[k], (x[i], y[i]), xytext=tuple((centres[k] - anchors[k]) / unit),
                    textcoords="offset points", ha="center", va="center", in_layout=False,
                    annotation_clip=False, bbox=_LABEL_BOX,
                    arrowprops=_LEADER if leaders[k] else None, **styles[k])
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
        raise ChartDataError("error.chart.no_rows", chart="grade_bars_chart", arg="table")
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
        raise ChartDataError("error.chart.two_schemes", chart="schemes_chart", arg="ranks")
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
