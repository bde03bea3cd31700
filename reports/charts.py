"""Charts of a study as matplotlib Figures: ranking, radar, heatmap, weights, tornado, pairwise.

Every function takes plain DataFrames (the tables of ``Scores``, ``HierarchyWeights`` and the
uncertainty results), draws with titles and labels in ``lang`` (``"zh"`` or ``"en"``, texts
from :mod:`i18n`) and returns a :class:`matplotlib.figure.Figure` built without pyplot,
so it is safe in Streamlit and needs no GUI backend. ``note`` is a footnote printed under the
chart (e.g. that the data are synthetic). Indicator names are passed in as ``names``
(code → label, usually ``{c: hierarchy.name(c, lang) for c in codes}``); codes without a name
are shown as they are. Each function first calls :func:`reports.fonts.use_cjk_font` so Chinese
labels render. :func:`save_figure` writes a PNG at 150 dpi.

Colours: the categorical palette is Okabe & Ito (2008), distinguishable with the common forms of
colour blindness; diverging maps are ColorBrewer RdBu (Brewer 2003).

References
----------
Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): How to make figures and
presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/
Brewer, C. A. (2003). ColorBrewer. https://colorbrewer2.org
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from io import BytesIO
from os import PathLike
from typing import BinaryIO

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from i18n import t
from reports.fonts import use_cjk_font
from survey.errors import SurveyError
from survey.scoring import POOLED as ALL_COMMUNITIES
from untrusted import display_label

PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
"""Okabe–Ito colours (blue, orange, bluish green, reddish purple, sky blue, vermillion,
yellow, black)."""

SUPPRESSED_GREY = "#d9d9d9"
DPI = 150
NOTE_SIZE = 8.0
LABEL_CHARS = 40
"""Longest community, item, expert or study label drawn (cut with "…" by
:func:`untrusted.display_label`): no label, however it got into the data, makes a chart grow."""
TEXT_CHARS = 2000
"""Longest title or footnote drawn (cut, then wrapped to the figure's width)."""
MAX_FIGURE_INCHES = 40.0
"""Largest figure side: at 150 dpi a PNG is at most 6000 × 6000 pixels (36 megapixels; a
40,000-character community name once made a 461-megapixel ranking chart)."""


class ChartDataError(SurveyError):
    """A table handed to a chart lacks a column or holds nothing to draw."""


# ----------------------------------------------------------------------------- helpers
def _require(frame: pd.DataFrame, columns: Sequence[str], chart: str, arg: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartDataError("error.chart.columns", chart=chart, arg=arg, missing=str(missing),
                             has=str(list(frame.columns)))


def _width(text: str) -> int:
    """Display width in half-width units: CJK (East Asian wide/full) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_label(text: str, width: int) -> str:
    """Wrap ``text`` to lines of at most ``width`` half-width units.

    Latin words are kept whole; CJK text breaks between any two characters.
    """
    tokens = re.findall(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+|.", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            line += " " if line else ""
            continue
        if line and _width(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def shorten_label(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` half-width units, ending in "…" when cut."""
    if _width(text) <= width:
        return text
    widths = np.cumsum([_width(ch) for ch in text])
    return text[: int(np.searchsorted(widths, width - 1, side="right"))] + "…"


def _label(code: str, names: Mapping[str, str] | None) -> str:
    return display_label(names.get(code, code) if names else code, LABEL_CHARS)


def _new_figure(width: float, height: float, footer: Sequence[str]) -> Figure:
    """A constrained-layout Figure with ``footer`` lines set in a strip reserved at its bottom."""
    use_cjk_font(required=False)
    width, height = min(width, MAX_FIGURE_INCHES), min(height, MAX_FIGURE_INCHES)
    fig = Figure(figsize=(width, height), layout="constrained")
    lines = [
        wrap_label(display_label(text, TEXT_CHARS), int(width * 72 / (NOTE_SIZE * 0.55)))
        for text in footer
        if text
    ]
    if lines:
        text = "\n".join(lines)
        room = max(1, int(0.4 * height * 72 / (NOTE_SIZE * 1.35)))  # the footer ≤ 40 % of it
        if text.count("\n") + 1 > room:
            text = "\n".join(text.split("\n")[:room]) + "…"
        n_lines = text.count("\n") + 1
        strip = (n_lines * NOTE_SIZE * 1.35 + 8) / 72 / height
        fig.text(0.01, 0.5 * 8 / 72 / height, text, ha="left", va="bottom",
                 fontsize=NOTE_SIZE, color="#444444")
        fig.get_layout_engine().set(rect=(0, strip, 1, 1 - strip))
    return fig


def _upright(text: str, lang: str) -> dict[str, object]:
    """Keyword arguments of a vertical axis label: Chinese characters stacked one per line
    and upright (as Chinese charts set them), other text rotated 90° as usual."""
    if lang == "zh":
        return {"ylabel": "\n".join(text), "rotation": 0, "va": "center", "linespacing": 1.0}
    return {"ylabel": text}


def _suptitle(fig: Figure, text: str, size: float = 12.0) -> None:
    """Figure title, wrapped to the figure's width."""
    fig.suptitle(wrap_label(display_label(text, TEXT_CHARS),
                            int(fig.get_figwidth() * 72 / (size * 0.55))), fontsize=size)


def _suppressed_line(suppressed: Sequence[str], min_respondents: int, lang: str) -> str:
    if not len(suppressed):
        return ""
    sep = "、" if lang == "zh" else ", "
    names = sep.join(display_label(s, LABEL_CHARS) for s in suppressed)
    return t("chart.suppressed_list", lang, n=min_respondents, names=names)


def _wide(table: pd.DataFrame, level: str, chart: str) -> tuple[pd.DataFrame, list[str]]:
    """Community × code scores of ``level`` from the tidy score table, and suppressed names."""
    _require(table, ["community", "level", "code", "score"], chart, "table")
    rows = table[table["level"] == level]
    if rows.empty:
        raise ChartDataError("error.chart.no_level_rows", chart=chart, arg="table",
                             level=repr(level))
    codes = list(dict.fromkeys(rows["code"]))
    wide = rows.pivot_table(index="community", columns="code", values="score",
                            aggfunc="first", sort=False, dropna=False)
    wide = wide.reindex(columns=codes).astype(float)
    if "suppressed" in rows.columns:
        flagged = rows.loc[rows["suppressed"].astype(bool), "community"]
        suppressed = list(dict.fromkeys(flagged))
    else:
        suppressed = []
    return wide, suppressed


def _reference(wide: pd.DataFrame, suppressed: Sequence[str]) -> pd.Series:
    """The pooled row when the table has one, else the mean over reported communities."""
    if ALL_COMMUNITIES in wide.index:
        return wide.loc[ALL_COMMUNITIES]
    return wide.drop(index=list(suppressed), errors="ignore").mean()


# ----------------------------------------------------------------------------- ranking
def ranking_chart(
    ranking: pd.DataFrame,
    *,
    suppressed: Sequence[str] = (),
    reference: float | None = None,
    min_respondents: int = 10,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Communities ordered by score, each a dot with its confidence-interval whisker.

    ``ranking`` has the columns ``community, score, ci_low, ci_high`` and optionally ``n``
    (shown after the name), ``rank`` (shown before it; otherwise the order by score) and
    ``rank_low, rank_high`` (a Monte Carlo 5–95 % rank band, drawn in a second panel next to
    the scores, after COINr's rank statistics). Communities in ``suppressed`` (fewer than
    ``min_respondents`` respondents) are not plotted but listed under the chart as
    "n<10 不报告". ``reference`` (the pooled all-community score) is drawn as a dashed line.
    """
    _require(ranking, ["community", "score", "ci_low", "ci_high"], "ranking_chart", "ranking")
    data = ranking[~ranking["community"].isin(list(suppressed))]
    data = data[data["community"] != ALL_COMMUNITIES].dropna(subset=["score"])
    if data.empty:
        raise ChartDataError("error.chart.nothing_ranked", chart="ranking_chart")
    data = data.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    bands = {"rank_low", "rank_high"} <= set(data.columns)
    k = len(data)
    ranks = (data["rank"].astype(float) if "rank" in data.columns
             else pd.Series(np.arange(1, k + 1), dtype=float))
    labels = [
        f"{int(r)}. {display_label(c, LABEL_CHARS)}"
        + (f"  (n={int(n)})" if "n" in data.columns and pd.notna(n) else "")
        for r, c, n in zip(ranks, data["community"], data.get("n", pd.Series([None] * k)),
                           strict=True)
    ]
    footer = [_suppressed_line(suppressed, min_respondents, lang), note]
    fig = _new_figure(9.0 if bands else 7.5, 1.6 + 0.3 * k, footer)
    if bands:
        ax, ax_rank = fig.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    else:
        ax = fig.subplots()
    y = np.arange(k)
    score = data["score"].to_numpy(float)
    low, high = data["ci_low"].to_numpy(float), data["ci_high"].to_numpy(float)
    ax.hlines(y, low, high, color=PALETTE[0], linewidth=2, alpha=0.55)
    ax.plot(score, y, "o", color=PALETTE[0], markersize=6)
    right = np.where(np.isnan(high), score, high)
    for yi, xi, value in zip(y, right, score, strict=True):
        ax.annotate(f"{value:.3f}", (xi, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7, color="#333333")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=PALETTE[0], label=t("chart.score", lang)),
        Line2D([], [], color=PALETTE[0], alpha=0.55, linewidth=2, label=t("chart.ci95", lang)),
    ]
    if reference is not None:
        ax.axvline(reference, color="#555555", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="#555555", linestyle="--", linewidth=1,
                              label=f"{t('chart.all_communities', lang)} {reference:.3f}"))
    lo = np.nanmin(np.r_[low, score])
    hi = np.nanmax(np.r_[high, score])
    pad = max(hi - lo, 0.05)
    ax.set_xlim(lo - 0.05 * pad, hi + 0.18 * pad)
    ax.set_yticks(y, labels)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlabel(t("chart.ranking.xlabel", lang))
    ax.grid(axis="x", color="#e6e6e6")
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    if bands:
        band_low = data["rank_low"].to_numpy(float)
        band_high = data["rank_high"].to_numpy(float)
        ax_rank.hlines(y, band_low, band_high, color=PALETTE[1], linewidth=5, alpha=0.6)
        ax_rank.plot(ranks.to_numpy(float), y, "|", color="black", markersize=10,
                     markeredgewidth=2)
        for yi, a, b in zip(y, band_low, band_high, strict=True):
            ax_rank.annotate(f"{a:.0f}–{b:.0f}", (b, yi), xytext=(4, 0),
                             textcoords="offset points", va="center", fontsize=7)
        n_ranked = max(k, int(np.nanmax(band_high)))
        ax_rank.set_xlim(0.5, n_ranked + 0.5 + max(2.5, 0.12 * n_ranked))
        ax_rank.set_xlabel(t("chart.rank_band.xlabel", lang))
        ax_rank.grid(axis="x", color="#e6e6e6")
        ax_rank.set_axisbelow(True)
        ax_rank.tick_params(axis="y", length=0)
        ax_rank.legend(handles=[
            Line2D([], [], color=PALETTE[1], alpha=0.6, linewidth=5,
                   label=t("chart.rank_band", lang)),
            Line2D([], [], marker="|", linestyle="", color="black", markersize=10,
                   markeredgewidth=2, label=t("chart.rank_nominal", lang)),
        ], loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=len(handles), fontsize=8, frameon=False)
    _suptitle(fig, title or t("chart.ranking.title", lang))
    return fig


# ----------------------------------------------------------------------------- radar
def radar_chart(
    table: pd.DataFrame,
    communities: Sequence[str],
    *,
    level: str = "B",
    names: Mapping[str, str] | None = None,
    min_respondents: int = 10,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Scores of one level (the 7 dimensions) for chosen communities on a radar (spider) chart.

    ``table`` is the tidy score table (``community, level, code, score`` and optionally
    ``suppressed``). The all-community reference (the pooled row ``"全部 All"`` when present,
    otherwise the mean over reported communities) is drawn as a dashed black polygon.
    Suppressed communities among ``communities`` are listed under the chart, not drawn.
    The radial axis starts near the lowest score shown, not at 0, so read differences off the
    tick labels.
    """
    wide, suppressed = _wide(table, level, "radar_chart")
    unknown = [c for c in communities if c not in wide.index]
    if unknown:
        raise ChartDataError("error.chart.unknown_communities", chart="radar_chart",
                             communities=str(unknown), arg="table")
    hidden = [c for c in communities if c in suppressed or wide.loc[c].isna().all()]
    shown = [c for c in communities if c not in hidden and c != ALL_COMMUNITIES]
    reference = _reference(wide, suppressed)
    codes = list(wide.columns)
    k = len(codes)
    if k < 3:
        raise ChartDataError("error.chart.radar_three", chart="radar_chart", level=repr(level),
                             count=k)
    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    closed = np.r_[angles, angles[:1]]
    fig = _new_figure(7.0, 6.6, [_suppressed_line(hidden, min_respondents, lang), note])
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    values = wide.loc[shown].to_numpy(float) if shown else np.empty((0, k))
    every = np.r_[values.ravel(), reference.to_numpy(float)]
    lo, hi = np.nanmin(every), np.nanmax(every)
    span = max(hi - lo, 0.1)
    ax.set_ylim(max(1.0, lo - 0.35 * span), min(5.0, hi + 0.1 * span) if hi < 5 else 5.0)
    for i, (community, row) in enumerate(zip(shown, values, strict=True)):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(closed, np.r_[row, row[:1]], color=colour, linewidth=1.8,
                label=display_label(community, LABEL_CHARS))
        ax.fill(closed, np.r_[row, row[:1]], color=colour, alpha=0.08)
    ref = reference.to_numpy(float)
    ax.plot(closed, np.r_[ref, ref[:1]], color="black", linestyle="--", linewidth=1.4,
            label=t("chart.all_communities", lang))
    ax.set_xticks(angles, [wrap_label(_label(c, names), 16) for c in codes])
    ax.tick_params(axis="x", pad=10)
    ax.tick_params(axis="y", labelsize=7, labelcolor="#555555")
    ax.grid(color="#cccccc")
    ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.0), fontsize=8, frameon=False)
    start, end = ax.get_ylim()  # the radius does not start at 0: say so on the chart
    ax.annotate(t("chart.radar.axis", lang, start=start, end=end), xy=(1.05, 0.02),
                xycoords="axes fraction", fontsize=8, color="#555555", va="bottom")
    _suptitle(fig, title or t("chart.radar.title", lang))
    return fig


# ----------------------------------------------------------------------------- heatmap
def heatmap(
    table: pd.DataFrame,
    *,
    level: str = "B",
    names: Mapping[str, str] | None = None,
    min_respondents: int = 10,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Community × indicator scores of one level, annotated, coloured by the difference from
    the all-community reference (blue above, red below; white = equal).

    ``table`` is the tidy score table (``community, level, code, score`` and optionally
    ``suppressed``). Rows are ordered by the community's overall (level ``A``) score when the
    table has it, otherwise by the row mean; the reference row (``"全部 All"`` or the mean over
    reported communities) closes the table. Suppressed communities keep a grey row marked
    "n<10 不报告".
    """
    wide, suppressed = _wide(table, level, "heatmap")
    reference = _reference(wide, suppressed)
    body = wide.drop(index=[ALL_COMMUNITIES], errors="ignore")
    goal = table[table["level"] == "A"]
    overall = (goal.drop_duplicates("community").set_index("community")["score"]
               if len(goal) else body.mean(axis=1))
    order = overall.reindex(body.index).astype(float).sort_values(
        ascending=False, kind="stable", na_position="last"
    )
    body = body.loc[order.index]
    is_hidden = body.index.isin(suppressed) | body.isna().all(axis=1).to_numpy()
    body = pd.concat([body[~is_hidden], body[is_hidden]])
    frame = pd.concat([body, reference.to_frame(t("chart.all_communities", lang)).T])
    hidden = np.r_[np.sort(is_hidden), False]  # reported rows first, then hidden, then reference
    values = frame.to_numpy(float)
    diff = values - reference.to_numpy(float)[None, :]
    rows, cols = values.shape
    limit = max(np.nanmax(np.abs(diff)) if np.isfinite(diff).any() else 0.0, 0.05)
    col_labels = [_label(c, names) for c in frame.columns]
    long_labels = max(_width(s) for s in col_labels) > 8 or cols > 10
    fig = _new_figure(max(6.0, 1.6 + 0.62 * cols + 1.2), 1.8 + 0.3 * rows
                      + (1.0 if long_labels else 0.0), [note])
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(diff), cmap="RdBu",
                      norm=TwoSlopeNorm(0.0, -limit, limit), aspect="auto",
                      interpolation="nearest")
    ax.imshow(np.where(hidden[:, None], 1.0, np.nan).repeat(cols, axis=1),
              cmap=mpl.colors.ListedColormap([SUPPRESSED_GREY]), aspect="auto",
              interpolation="nearest")
    norm = image.norm
    cmap = image.cmap
    for i in range(rows):
        if hidden[i]:
            ax.text((cols - 1) / 2, i, t("report.suppressed", lang, n=min_respondents),
                    ha="center", va="center", fontsize=8, color="#333333")
            continue
        for j in range(cols):
            if np.isnan(values[i, j]):
                continue
            shade = cmap(norm(diff[i, j]))
            light = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] > 0.5
            ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7.5,
                    color="black" if light else "white")
    ax.axhline(rows - 1.5, color="black", linewidth=1.2)
    ax.xaxis.set_ticks_position("top")  # dimension names at the top, above the first row
    ax.xaxis.set_label_position("top")
    if long_labels:
        ax.set_xticks(np.arange(cols), [wrap_label(s, 18) for s in col_labels], rotation=60,
                      ha="left", rotation_mode="anchor", fontsize=8)
    else:
        ax.set_xticks(np.arange(cols), col_labels)
    ax.set_yticks(np.arange(rows), [display_label(c, LABEL_CHARS) for c in frame.index],
                  fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.6, pad=0.02)
    bar.ax.set_ylabel(fontsize=8, labelpad=8, **_upright(t("chart.heatmap.colorbar", lang), lang))
    bar.ax.tick_params(labelsize=7)
    _suptitle(fig, title or t("chart.heatmap.title", lang))
    return fig


# ----------------------------------------------------------------------------- weights
def weights_chart(
    weights: pd.DataFrame,
    *,
    level: str = "C",
    names: Mapping[str, str] | None = None,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Global weights of one level as bars grouped and coloured by dimension (the level below
    the goal), with each bar's local weight in brackets; for a level below the dimensions a
    left panel shows the dimension weights.

    ``weights`` is ``HierarchyWeights.table``: indexed by code (or with a ``code`` column),
    columns ``level, parent, local, global``, goal row optional, rows in hierarchy order.
    """
    frame = weights.reset_index() if "code" not in weights.columns else weights
    _require(frame, ["code", "level", "parent", "local", "global"], "weights_chart", "weights")
    frame = frame.set_index("code")
    parent = frame["parent"].astype(object).where(frame["parent"].notna(), None).to_dict()
    top = frame.loc[frame["parent"].isna() | ~frame["parent"].isin(frame.index), "level"]
    roots = set(top.index)
    dim_rows = frame[frame["parent"].isin(list(roots))]
    if level not in set(frame["level"]):
        raise ChartDataError("error.chart.no_level", chart="weights_chart", arg="weights",
                             level=repr(level))

    def dimension(code: str) -> str:
        while parent.get(code) not in roots and parent.get(code) is not None:
            code = parent[code]
        return code

    rows = frame[frame["level"] == level]
    dims = list(dim_rows.index)
    colour = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(dims)}
    group = [dimension(c) for c in rows.index]
    order = sorted(range(len(rows)), key=lambda i: dims.index(group[i]) if group[i] in dims
                   else len(dims))
    rows = rows.iloc[order]
    group = [group[i] for i in order]
    single = level == dim_rows["level"].iloc[0] if len(dim_rows) else True
    k = len(rows)
    fig = _new_figure(10.0 if not single else 7.0, 1.4 + 0.26 * max(k, 8), [note])
    if single:
        ax = fig.subplots()
    else:
        ax_dim, ax = fig.subplots(1, 2, width_ratios=[2, 3] if k <= 25 else [1.3, 3])
        dy = np.arange(len(dims))
        dw = dim_rows["global"].to_numpy(float)
        ax_dim.barh(dy, dw, color=[colour[d] for d in dims])
        for yi, w in zip(dy, dw, strict=True):
            ax_dim.annotate(f"{w:.3f}", (w, yi), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8)
        ax_dim.set_yticks(dy, [wrap_label(f"{d} {_label(d, names)}", 24) for d in dims],
                          fontsize=8)
        ax_dim.set_ylim(len(dims) - 0.5, -0.5)
        ax_dim.set_xlim(0, dw.max() * 1.25)
        ax_dim.set_xlabel(t("chart.weights.dimension", lang))
        ax_dim.tick_params(axis="y", length=0)
    # a blank slot between groups makes the grouping visible
    gap = np.r_[0, np.cumsum([a != b for a, b in zip(group[1:], group[:-1], strict=True)])]
    y = np.arange(k) + 0.6 * gap
    w = rows["global"].to_numpy(float)
    ax.barh(y, w, color=[colour.get(g, "#999999") for g in group], height=0.8)
    for yi, gw, lw in zip(y, w, rows["local"].to_numpy(float), strict=True):
        text = f"{gw:.3f}" if single else f"{gw:.3f} ({lw:.2f})"
        ax.annotate(text, (gw, yi), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=7)
    ax.set_yticks(y, [shorten_label(f"{c} {_label(c, names)}", 48) for c in rows.index],
                  fontsize=7 if k > 25 else 8)
    ax.set_ylim(y.max() + 0.6, -0.6)
    ax.set_xlim(0, w.max() * 1.3)
    ax.set_xlabel(t("chart.weights.xlabel", lang))
    ax.tick_params(axis="y", length=0)
    _suptitle(fig, title or t("chart.weights.title", lang))
    return fig


# ----------------------------------------------------------------------------- tornado
def _lighter(colour: str, share: float) -> tuple[float, float, float]:
    """``colour`` mixed with white (``share`` 0 = unchanged, 1 = white)."""
    rgb = np.asarray(mpl.colors.to_rgb(colour))
    return tuple(rgb + (1.0 - rgb) * share)


def sunburst_chart(
    weights: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    lang: str = "zh",
    note: str = "",
    min_label_share: float = 0.018,
) -> Figure:
    """The whole hierarchy as rings around the goal: one ring per level below it, each wedge's
    angle its global weight (so a parent's wedge spans exactly its children's), children
    shaded from their dimension's colour. Dimensions are labelled in the legend with their
    weight; wedges of at least ``min_label_share`` of the circle carry their code.

    ``weights`` is ``HierarchyWeights.table`` (indexed by code or with a ``code`` column;
    columns ``level, parent, global``).
    """
    frame = weights.reset_index() if "code" not in weights.columns else weights
    _require(frame, ["code", "level", "parent", "global"], "sunburst_chart", "weights")
    frame = frame.set_index("code")
    children: dict[str | None, list[str]] = {}
    for code, parent in frame["parent"].items():
        key = parent if isinstance(parent, str) and parent in frame.index else None
        children.setdefault(key, []).append(str(code))
    roots = children.get(None, [])
    if len(roots) != 1:
        raise ChartDataError("error.chart.one_goal", chart="sunburst_chart", arg="weights",
                             roots=str(roots))
    # depth-first order so that every ring lists children under their parent's wedge
    rings: list[list[str]] = []
    stack = [(code, 0) for code in reversed(children.get(roots[0], []))]
    while stack:
        code, depth = stack.pop()
        if depth == len(rings):
            rings.append([])
        rings[depth].append(code)
        stack += [(c, depth + 1) for c in reversed(children.get(code, []))]
    if not rings:
        raise ChartDataError("error.chart.below_goal", chart="sunburst_chart", arg="weights")
    dims = rings[0]
    base = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(dims)}
    owner = {d: d for d in dims}
    for ring in rings[1:]:
        for code in ring:
            owner[code] = owner[str(frame.loc[code, "parent"])]

    fig = _new_figure(8.5, 7.0, [note])
    ax = fig.subplots()
    width = 0.8 / len(rings)
    inner = 0.2
    for depth, ring in enumerate(rings):
        sizes = frame.loc[ring, "global"].to_numpy(float)
        colours = [_lighter(base[owner[c]], 0.45 * depth / max(len(rings) - 1, 1))
                   for c in ring]
        wedges, _ = ax.pie(
            sizes, radius=inner + width * (depth + 1), colors=colours, startangle=90,
            counterclock=False, wedgeprops={"width": width, "edgecolor": "white",
                                            "linewidth": 0.8 if depth < 2 else 0.3},
        )
        if depth == len(rings) - 1 and len(rings) > 2:
            continue  # the outermost ring of a deep hierarchy has too many wedges to label
        for wedge, code, size in zip(wedges, ring, sizes / sizes.sum(), strict=True):
            if size < min_label_share:
                continue
            angle = np.deg2rad((wedge.theta1 + wedge.theta2) / 2)
            r = inner + width * (depth + 0.5)
            fill = wedge.get_facecolor()
            light = 0.2126 * fill[0] + 0.7152 * fill[1] + 0.0722 * fill[2] > 0.6
            ax.text(r * np.cos(angle), r * np.sin(angle), code, ha="center", va="center",
                    fontsize=8 if depth == 0 else 6.5, color="#222222" if light else "white")
    root = roots[0]
    ax.text(0, 0, wrap_label(f"{root} {_label(root, names)}", 10), ha="center", va="center",
            fontsize=9)
    ax.set_aspect("equal")
    handles = [
        mpl.patches.Patch(color=base[d], label=f"{d} {_label(d, names)}  "
                                               f"{float(frame.loc[d, 'global']):.3f}")
        for d in dims
    ]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
              fontsize=8, title=t("chart.weights.dimension", lang), title_fontsize=8)
    _suptitle(fig, t("chart.sunburst.title", lang))
    return fig


def tornado_chart(
    sensitivity: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    xlabel: str | None = None,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """One-at-a-time sensitivity: for each parameter a bar from the base result to the result
    at its low setting and one to the result at its high setting, widest range on top.

    ``sensitivity`` has the columns ``parameter, low, high, base`` (the outcome, e.g. a
    community's score or rank, with the parameter at its low and high setting, and at its
    nominal value). Parameter codes are labelled through ``names``. ``xlabel`` names the
    outcome (default "得分 / Score").
    """
    _require(sensitivity, ["parameter", "low", "high", "base"], "tornado_chart", "sensitivity")
    if sensitivity.empty:
        raise ChartDataError("error.chart.no_rows", chart="tornado_chart", arg="sensitivity")
    data = sensitivity.assign(
        _range=(sensitivity["high"].astype(float) - sensitivity["low"].astype(float)).abs()
    ).sort_values("_range", ascending=False, kind="stable")
    k = len(data)
    base = data["base"].to_numpy(float)
    low, high = data["low"].to_numpy(float), data["high"].to_numpy(float)
    fig = _new_figure(7.5, 1.7 + 0.4 * k, [note])
    ax = fig.subplots()
    y = np.arange(k)
    ax.barh(y, low - base, left=base, color=PALETTE[5], height=0.6,
            label=t("chart.tornado.low", lang))
    ax.barh(y, high - base, left=base, color=PALETTE[0], height=0.6,
            label=t("chart.tornado.high", lang))
    if np.allclose(base, base[0]):
        ax.axvline(base[0], color="black", linewidth=1)
    else:
        ax.plot(base, y, "|", color="black", markersize=14, markeredgewidth=1.5)
    span = max(np.nanmax(np.r_[low, high, base]) - np.nanmin(np.r_[low, high, base]), 1e-9)
    for yi, value in zip(np.r_[y, y], np.r_[low, high], strict=True):
        side = value >= base[yi]
        ax.annotate(f"{value:.3f}", (value, yi), xytext=(3 if side else -3, 0),
                    textcoords="offset points", ha="left" if side else "right", va="center",
                    fontsize=7)
    lo, hi = np.nanmin(np.r_[low, high, base]), np.nanmax(np.r_[low, high, base])
    ax.set_xlim(lo - 0.15 * span, hi + 0.15 * span)
    ax.set_yticks(y, [wrap_label(_label(str(p), names), 24) for p in data["parameter"]])
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlabel(xlabel or t("chart.score", lang))
    ax.grid(axis="x", color="#e6e6e6")
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    _suptitle(fig, title or t("chart.tornado.title", lang))
    return fig


# ----------------------------------------------------------------------------- pairwise
def pairwise_probability_chart(
    probability: pd.DataFrame,
    *,
    lang: str = "zh",
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Matrix of P(row community scores higher than column community) from Monte Carlo draws.

    ``probability`` is square with the same communities as index and columns; the diagonal
    is left blank. Cells are annotated in percent when there are at most 15 communities.
    Blue: the row community is likely ahead; red: likely behind; white: a coin toss.
    """
    if list(probability.index) != list(probability.columns):
        raise ChartDataError("error.chart.square", chart="pairwise_probability_chart",
                             arg="probability", index=str(list(probability.index)),
                             columns=str(list(probability.columns)))
    k = len(probability)
    if k < 2:
        raise ChartDataError("error.chart.two_communities", chart="pairwise_probability_chart")
    values = probability.to_numpy(float).copy()
    np.fill_diagonal(values, np.nan)
    side = 2.5 + 0.42 * k
    fig = _new_figure(side + 1.6, side + 0.6, [note])
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", vmin=0, vmax=1,
                      interpolation="nearest")
    ax.imshow(np.where(np.eye(k, dtype=bool), 1.0, np.nan),
              cmap=mpl.colors.ListedColormap([SUPPRESSED_GREY]), interpolation="nearest")
    if k <= 15:
        for i, j in zip(*np.nonzero(~np.eye(k, dtype=bool)), strict=True):
            p = values[i, j]
            if np.isnan(p):
                continue
            # half up, as the app's tables round (format() would give 62 for 62.5)
            ax.text(j, i, f"{np.floor(100 * p + 0.5):.0f}", ha="center", va="center", fontsize=7.5,
                    color="white" if abs(p - 0.5) > 0.3 else "black")
    labels = [display_label(c, LABEL_CHARS) for c in probability.index]
    ax.set_xticks(np.arange(k), labels, rotation=45, ha="left", rotation_mode="anchor",
                  fontsize=8)
    ax.set_yticks(np.arange(k), labels, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.set_xlabel(t("chart.pairwise.col", lang), fontsize=8)
    ax.xaxis.set_label_position("top")
    ax.set_ylabel(fontsize=8, labelpad=8, **_upright(t("chart.pairwise.row", lang), lang))
    bar = fig.colorbar(image, ax=ax, shrink=0.6, pad=0.02, format="{x:.0%}")
    bar.ax.set_ylabel(fontsize=8, labelpad=8, **_upright(t("chart.pairwise.colorbar", lang), lang))
    bar.ax.tick_params(labelsize=7)
    _suptitle(fig, title or t("chart.pairwise.title", lang))
    return fig


# ----------------------------------------------------------------------------- saving
def save_figure(
    fig: Figure, target: str | PathLike[str] | BinaryIO, *, dpi: int = DPI
) -> None:
    """Write ``fig`` as a PNG (``dpi`` 150 by default) to a path or a binary file object."""
    fig.savefig(target, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.15,
                facecolor="white")


def figure_png(fig: Figure, *, dpi: int = DPI) -> bytes:
    """The PNG bytes of ``fig`` (for ``st.download_button`` and ``st.image``)."""
    buffer = BytesIO()
    save_figure(fig, buffer, dpi=dpi)
    return buffer.getvalue()
