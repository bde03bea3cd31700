"""Charts and coloured tables for the web page: responsive (Vega-Lite through Altair, and HTML
tables) so that labels stay readable at any width, from a 390 px phone to a wide screen.

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


def ranking_chart(data: pd.DataFrame, *, reference: float | None,
                  texts: Mapping[str, str]) -> dict:
    """A Vega-Lite spec (for ``st.vega_lite_chart``; no Altair needed): dots with their 95 %
    interval whiskers, the value next to each dot, communities ordered by rank. ``data`` has
    ``rank, community, score, ci_low, ci_high, best, worst`` (the plausible ranks).
    ``texts``: ``score, ci, ranks, community, title``."""
    rows = []
    for r, c, score, low, high, best, worst in zip(
            data["rank"], data["community"], data["score"], data["ci_low"], data["ci_high"],
            data["best"], data["worst"], strict=True):
        finite = pd.notna(low) and pd.notna(high)
        rows.append({
            "label": f"{int(r)}. {c}", "community": str(c), "rank": int(r),
            "score": float(score), "value": f"{score:.3f}",
            "ci_low": float(low) if finite else float(score),
            "ci_high": float(high) if finite else float(score),
            "interval": f"{low:.3f} – {high:.3f}" if finite else "–",
            "ranks": f"{int(best)}–{int(worst)}" if best != worst else f"{int(best)}",
        })
    order = [row["label"] for row in sorted(rows, key=lambda row: row["rank"])]
    low = min([row["ci_low"] for row in rows] + [row["score"] for row in rows])
    high = max([row["ci_high"] for row in rows] + [row["score"] for row in rows])
    pad = max(high - low, 0.05) * 0.06
    x = {"field": "score", "type": "quantitative", "title": texts["score"],
         "scale": {"domain": [low - pad, high + pad], "zero": False, "nice": False}}
    y = {"field": "label", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 160, "labelFontSize": 12}}
    tooltip = [{"field": "community", "title": texts["community"]},
               {"field": "value", "title": texts["score"]},
               {"field": "interval", "title": texts["ci"]},
               {"field": "ranks", "title": texts["ranks"]}]
    text = {"type": "text", "dy": -9, "fontSize": 11}
    layers: list[dict] = [
        {"mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.45, "color": BLUE},
         "encoding": {"x": {**x, "field": "ci_low"}, "x2": {"field": "ci_high"}, "y": y,
                      "tooltip": tooltip}},
        {"mark": {"type": "circle", "size": 70, "color": BLUE, "opacity": 1},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        {"mark": {**text, "stroke": "white", "strokeWidth": 4, "strokeJoin": "round"},
         "encoding": {"x": x, "y": y, "text": {"field": "value"}}},
        {"mark": {**text, "color": "#222"},
         "encoding": {"x": x, "y": y, "text": {"field": "value"}}},
    ]
    if reference is not None and np.isfinite(reference):
        layers.insert(0, {"data": {"values": [{"reference": float(reference)}]},
                          "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555"},
                          "encoding": {"x": {"field": "reference", "type": "quantitative"}}})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": texts.get("title", ""), "fontSize": 13},
        "height": max(240, 30 * len(rows)),
        "data": {"values": rows},
        "layer": layers,
    }


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
