"""The comparison page's HTML charts (:mod:`reports.web_charts`): what they draw and where."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from reports.web_charts import _ticks, colour_table, ranking_chart

TEXTS = {"score": "得分", "ci": "95% 区间", "ranks": "名次范围", "community": "社区",
         "title": "社区综合得分排名"}


def _ranked() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [2, 1, 3], "community": ["乙", "<b>甲</b>", "丙"],
        "score": [3.8, 4.0, 3.5], "ci_low": [3.6, 3.9, np.nan], "ci_high": [4.0, 4.1, np.nan],
        "best": [1, 1, 3], "worst": [3, 2, 3]})


def _left(fragment: str) -> float:
    return float(re.search(r"left:([0-9.]+)%", fragment).group(1))


def test_rows_in_rank_order_with_dot_whisker_and_value_at_the_dot() -> None:
    page = ranking_chart(_ranked(), reference=3.75, texts=TEXTS)
    rows = re.findall(r'<div class="sz-row".*?</div></div>', page, flags=re.S)
    assert [re.search(r'sz-name">([^<]*)<', row).group(1) for row in rows] == [
        "1. &lt;b&gt;甲&lt;/b&gt;", "2. 乙", "3. 丙"]  # names escaped, never markup
    first = rows[0]
    dot = _left(re.search(r'sz-dot" style="[^"]*"', first).group(0))
    value = re.search(r'sz-value" style="([^"]*)">([^<]*)<', first)
    assert value.group(2) == "4.000" and _left(value.group(1)) == dot  # the label at the dot
    assert "3.900 – 4.100" in first and "名次范围 1–2" in first  # tooltip
    # the axis spans every interval with a margin: lowest point > 0 %, highest < 100 %
    positions = [_left(m) for m in re.findall(r'left:[0-9.]+%', page)]
    assert min(positions) > 0 and max(positions) < 100
    # no interval: the whisker has no width, the tooltip says so
    assert "width:calc(" in rows[2] and "95% 区间 –" in rows[2]
    assert page.count('class="sz-ref"') == 3  # the reference line crosses every row


def test_reference_outside_or_missing_is_not_drawn() -> None:
    assert 'class="sz-ref"' not in ranking_chart(_ranked(), reference=None, texts=TEXTS)
    assert 'class="sz-ref"' not in ranking_chart(_ranked(), reference=np.nan, texts=TEXTS)
    assert 'class="sz-ref"' not in ranking_chart(_ranked(), reference=9.0, texts=TEXTS)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (3.3, 4.2, ["3.4", "3.6", "3.8", "4.0", "4.2"]),
    (0.0, 100.0, ["0", "20", "40", "60", "80", "100"]),
    (3.90, 3.95, ["3.90", "3.91", "3.92", "3.93", "3.94", "3.95"]),
])
def test_ticks_are_round_and_inside(low: float, high: float, expected: list[str]) -> None:
    ticks = _ticks(low, high)
    assert [label for _, label in ticks] == expected
    assert all(low - 1e-9 <= value <= high + 1e-9 for value, _ in ticks)


def test_colour_table_escapes_and_colours_by_difference() -> None:
    values = pd.DataFrame({"B1": [4.0, 3.0]}, index=["<i>甲</i>", "乙"])
    page = colour_table(values, pd.Series({"B1": 3.5}), corner="社区")
    assert "&lt;i&gt;甲&lt;/i&gt;" in page and "<i>" not in page
    above, below = re.findall(r'<td style="background:rgb\((\d+), (\d+), (\d+)\)', page)
    assert int(above[2]) > int(above[0]) and int(below[0]) > int(below[2])  # blue, red
