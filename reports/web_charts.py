"""Charts and coloured tables for the web page: responsive HTML (the ranking as a dot plot,
coloured score tables) so that labels stay readable at any width, from a 390 px phone to a
wide screen, and no chart library has to load in the browser.

The PNG charts of :mod:`reports.charts` remain the downloads and the report's figures; these
are what the comparison page draws. Nothing here imports matplotlib.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

BLUE = "#1f77b4"
BAND = "#ff7f0e"


def _ticks(low: float, high: float, count: int = 8) -> list[tuple[float, str]]:
    """Round tick values inside ``[low, high]`` with their labels: steps of 1, 2 or 5 × 10ᵏ,
    at most ``count`` ticks, written with the step's decimals (3.4, 3.6 … 4.0)."""
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10.0 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    decimals = max(0, int(-np.floor(np.log10(step) + 1e-9)))
    first = np.ceil(low / step) * step
    return [(float(v), f"{v:.{decimals}f}") for v in np.arange(first, high + step * 1e-9, step)]


def ranking_chart(data: pd.DataFrame, *, reference: float | None,
                  texts: Mapping[str, str]) -> str:
    """The ranking as an HTML dot plot (for ``st.html``): one row per community in rank order,
    ``"rank. community"`` on the left, its score as a dot with the 95 % interval as a whisker
    and the value written just above the dot, the pooled score of all respondents
    (``reference``) as a dashed line, and a score axis below. Every row carries a tooltip
    (community, score, interval, plausible ranks).

    Plain HTML and CSS rather than a Vega-Lite chart: the page's first view then needs no
    chart library in the browser (about 0.4 s less on this machine), and positions are
    percentages of the row's width, so the text stays readable from a 390 px phone to a wide
    screen. ``data`` has ``rank, community, score, ci_low, ci_high, best, worst`` (the
    plausible ranks); ``texts``: ``score, ci, ranks, community, title``.
    """
    ordered = data.sort_values("rank", kind="stable")
    score = ordered["score"].to_numpy(float)
    ci_low = ordered["ci_low"].to_numpy(float)
    ci_high = ordered["ci_high"].to_numpy(float)
    finite = np.isfinite(ci_low) & np.isfinite(ci_high)
    ci_low, ci_high = np.where(finite, ci_low, score), np.where(finite, ci_high, score)
    values = np.concatenate([score, ci_low, ci_high])
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(high - low, 0.05) * 0.06
    low, high = low - pad, high + pad

    def at(value: float) -> str:
        return f"{100 * (value - low) / (high - low):.2f}%"

    shown_reference = reference is not None and np.isfinite(reference) and low <= reference <= high
    line = (f'<span class="sz-ref" style="left:{at(float(reference))}"></span>'
            if shown_reference else "")
    rows = []
    for r, name, value, lo, hi, ok, best, worst in zip(
            ordered["rank"], ordered["community"], score, ci_low, ci_high, finite,
            ordered["best"], ordered["worst"], strict=True):
        ranks = f"{int(best)}–{int(worst)}" if best != worst else f"{int(best)}"
        interval = f"{lo:.3f} – {hi:.3f}" if ok else "–"
        tip = html.escape(f"{name}\n{texts['score']} {value:.3f}\n{texts['ci']} {interval}"
                          f"\n{texts['ranks']} {ranks}")
        label = html.escape(f"{int(r)}. {name}")
        rows.append(
            f'<div class="sz-row" title="{tip}"><div class="sz-name">{label}</div>'
            f'<div class="sz-track">{line}'
            f'<span class="sz-ci" style="left:{at(lo)};width:calc({at(hi)} - {at(lo)})"></span>'
            f'<span class="sz-dot" style="left:{at(value)}"></span>'
            f'<span class="sz-value" style="left:{at(value)}">{value:.3f}</span></div></div>')
    ticks = "".join(f'<span class="sz-tick" style="left:{at(v)}">{text}</span>'
                    for v, text in _ticks(low, high))
    style = f"""<style>
.sz-rank {{ font-size: 0.8rem; }}
.sz-rank .sz-title {{ font-weight: 600; margin-bottom: 0.3rem; }}
.sz-rank .sz-row {{ display: flex; align-items: stretch; }}
.sz-rank .sz-name {{ flex: 0 0 clamp(6.5rem, 28%, 12rem); padding: 0.35rem 0.4rem 0.1rem 0;
  text-align: right; overflow-wrap: anywhere; line-height: 1.15; }}
.sz-rank .sz-track {{ position: relative; flex: 1; min-height: 1.9rem;
  border-left: 1px solid #bbb; margin-right: 1.6rem; }}
.sz-rank .sz-track span {{ position: absolute; }}
.sz-rank .sz-ref {{ top: 0; bottom: 0; border-left: 1px dashed #555; }}
.sz-rank .sz-ci {{ bottom: 0.45rem; height: 3px; background: {BLUE}; opacity: 0.45; }}
.sz-rank .sz-dot {{ bottom: calc(0.45rem - 4px); width: 11px; height: 11px;
  margin-left: -5.5px; border-radius: 50%; background: {BLUE}; }}
.sz-rank .sz-value {{ bottom: 0.85rem; transform: translateX(-50%); font-size: 0.72rem;
  color: #222; background: rgba(255,255,255,0.8); padding: 0 2px; line-height: 1.1;
  font-variant-numeric: tabular-nums; white-space: nowrap; }}
.sz-rank .sz-axis {{ display: flex; }}
.sz-rank .sz-axis .sz-scale {{ position: relative; flex: 1; height: 1.2rem;
  border-top: 1px solid #bbb; margin-right: 1.6rem; }}
.sz-rank .sz-tick {{ position: absolute; transform: translateX(-50%); font-size: 0.7rem;
  color: #555; font-variant-numeric: tabular-nums; }}
.sz-rank .sz-axis-title {{ text-align: center; font-size: 0.75rem; color: #555; }}
</style>"""
    spacer = '<div class="sz-name" aria-hidden="true"></div>'
    return (f'{style}<div class="sz-rank" role="figure" aria-label="{html.escape(texts["title"])}">'
            f'<div class="sz-title">{html.escape(texts.get("title", ""))}</div>{"".join(rows)}'
            f'<div class="sz-axis">{spacer}<div class="sz-scale">{ticks}</div></div>'
            f'<div class="sz-axis">{spacer}<div class="sz-axis-title" style="flex:1">'
            f'{html.escape(texts["score"])}</div></div></div>')


def _shade(diff: float, limit: float) -> tuple[str, str]:
    """Background (blue above the mean, red below) and a readable text colour."""
    if not np.isfinite(diff):
        return "#f0f0f0", "#333"
    share = min(abs(diff) / limit, 1.0) if limit > 0 else 0.0
    base = (33, 102, 172) if diff > 0 else (178, 24, 43)
    rgb = tuple(round(255 + (c - 255) * share * 0.85) for c in base)
    text = "#fff" if share > 0.6 else "#111"
    return f"rgb{rgb}", text


def colour_table(values: pd.DataFrame, reference: pd.Series, *, corner: str,
                 column_titles: Mapping[str, str] | None = None,
                 row_titles: Mapping[str, str] | None = None, sticky: bool = True,
                 empty: str = "–", caption: str = "",
                 differences: pd.DataFrame | None = None,
                 texts: pd.DataFrame | None = None) -> str:
    """An HTML table of scores coloured by their difference from ``reference`` (one value per
    column), with the column names at the top (sticky while the table scrolls) and long names
    wrapping. ``column_titles``/``row_titles`` give full names shown on hover; ``differences``
    (same shape as ``values``) colours by other gaps than to ``reference``; ``texts`` (same
    shape) are shown in the cells instead of the values (``"良 80.5"``)."""
    column_titles = column_titles or {}
    row_titles = row_titles or {}
    diffs = (differences.to_numpy(float) if differences is not None else
             values.to_numpy(float) - reference.reindex(values.columns).to_numpy(float)[None, :])
    finite = np.abs(diffs[np.isfinite(diffs)])
    limit = float(finite.max()) if finite.size else 0.0
    head = "".join(
        f'<th title="{html.escape(column_titles.get(str(c), str(c)))}">{html.escape(str(c))}</th>'
        for c in values.columns)
    rows = []
    for i, (name, row) in enumerate(values.iterrows()):
        cells = []
        for j, value in enumerate(row):
            background, colour = _shade(diffs[i, j], limit)
            if pd.isna(value):
                text = empty
            else:
                text = html.escape(str(texts.iat[i, j])) if texts is not None else f"{value:.2f}"
            cells.append(f'<td style="background:{background};color:{colour}">{text}</td>')
        title = html.escape(row_titles.get(str(name), str(name)))
        rows.append(f'<tr><th scope="row" title="{title}">{html.escape(str(name))}</th>'
                    f'{"".join(cells)}</tr>')
    position = "position:sticky;top:0;z-index:2;" if sticky else ""
    style = f"""<style>
.sz-colour {{ max-height: 75vh; overflow-y: auto; overflow-x: hidden; }}
.sz-colour table {{ border-collapse: collapse; width: 100%; table-layout: fixed;
  font-size: 0.8rem; }}
.sz-colour th, .sz-colour td {{ border: 1px solid #fff; padding: 2px 3px;
  overflow-wrap: anywhere; word-break: break-word; }}
.sz-colour thead th {{ {position} background: #fafafa; font-weight: 600; vertical-align: bottom;
  text-align: center; }}
.sz-colour tbody th {{ text-align: left; font-weight: 500; background: #fff; width: 30%; }}
.sz-colour td {{ text-align: center; font-variant-numeric: tabular-nums; }}
</style>"""
    note = f'<p style="font-size:0.75rem;color:#666">{html.escape(caption)}</p>' if caption else ""
    return (f'{style}<div class="sz-colour"><table><thead><tr><th>{html.escape(corner)}</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{note}')


def bulleted(items: Sequence[object]) -> str:
    """Markdown bullets: one item a line, so that no separator can split an item's text."""
    return "\n".join(f"- {item}" for item in items)
