r"""Importance–performance analysis (IPA; Martilla & James 1977): what to improve first.

Importance of an item is its global AHP weight (or a stated-importance score); performance is its
mean score. Each item is placed against two cuts (default: the means over the items; ``"median"``
or a number may be given; a value equal to a cut counts as high). Quadrants are numbered as in a
Cartesian plane with performance on the x-axis and importance on the y-axis:

====  ==========================  ====================================  =========================
no.   importance / performance    Martilla & James (1977)               中文
====  ==========================  ====================================  =========================
I     high / high                 Keep up the good work                 继续保持
II    high / low                  Concentrate here                      重点改进
III   low / low                   Low priority                          低优先
IV    low / high                  Possible overkill                     过度投入
====  ==========================  ====================================  =========================

:func:`improve_first` lists quadrant II ordered by the *weighted gap*
``importance × (performance cut − performance)`` (largest first): an item that matters more and
falls further below the performance cut comes first.

Reference
---------
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
Marketing*, 41(1), 77–79.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.methods.errors import MethodError

__all__ = ["CUTS", "QUADRANTS", "improve_first", "ipa"]

CUTS = ("mean", "median")
QUADRANTS: dict[str, tuple[str, str]] = {
    "I": ("继续保持", "Keep up the good work"),
    "II": ("重点改进", "Concentrate here"),
    "III": ("低优先", "Low priority"),
    "IV": ("过度投入", "Possible overkill"),
}


def _cut(values: pd.Series, cut: str | float, what: str) -> float:
    if isinstance(cut, str):
        if cut not in CUTS:
            raise MethodError(f"{what}_cut must be one of {CUTS} or a number, got '{cut}'")
        return float(values.mean() if cut == "mean" else values.median())
    return float(cut)


def _table(
    importance: pd.Series,
    performance: pd.Series,
    importance_cut: str | float,
    performance_cut: str | float,
) -> pd.DataFrame:
    missing = [str(i) for i in importance.index if i not in performance.index]
    extra = [str(i) for i in performance.index if i not in importance.index]
    if missing or extra:
        raise MethodError(
            f"importance and performance name different items: no performance for "
            f"{missing or 'none'}, no importance for {extra or 'none'}"
        )
    perf = performance.loc[importance.index].astype(float)
    imp = importance.astype(float)
    if perf.isna().any() or imp.isna().any():
        bad = perf.index[perf.isna() | imp.isna()][0]
        raise MethodError(f"item '{bad}': missing importance or performance")
    i_cut = _cut(imp, importance_cut, "importance")
    p_cut = _cut(perf, performance_cut, "performance")
    high_i, high_p = imp >= i_cut, perf >= p_cut
    quadrant = np.select(
        [high_i & high_p, high_i & ~high_p, ~high_i & ~high_p], ["I", "II", "III"], default="IV"
    )
    table = pd.DataFrame(
        {
            "importance": imp,
            "performance": perf,
            "importance_cut": i_cut,
            "performance_cut": p_cut,
            "quadrant": quadrant,
        },
        index=importance.index,
    )
    table["label_zh"] = [QUADRANTS[q][0] for q in quadrant]
    table["label_en"] = [QUADRANTS[q][1] for q in quadrant]
    table["weighted_gap"] = imp * (p_cut - perf)
    return table


def ipa(
    importance: pd.Series,
    performance: pd.Series | pd.DataFrame,
    importance_cut: str | float = "mean",
    performance_cut: str | float = "mean",
) -> pd.DataFrame:
    """Importance–performance table (quadrants in the module docstring).

    ``importance``: Series item → importance. ``performance``: Series item → mean score (one
    community, or all communities pooled), or a DataFrame community × item; then the table has
    one block per community (index (community, item)) and the performance cut is taken within
    each community. Columns: importance, performance, importance_cut, performance_cut, quadrant
    (I–IV), label_zh, label_en, weighted_gap.
    """
    if isinstance(performance, pd.DataFrame):
        blocks = {
            community: _table(importance, row, importance_cut, performance_cut)
            for community, row in performance.iterrows()
        }
        return pd.concat(blocks, names=["community", "item"])
    table = _table(importance, performance, importance_cut, performance_cut)
    table.index.name = "item"
    return table


def improve_first(table: pd.DataFrame) -> pd.DataFrame:
    """Quadrant II (high importance, low performance) by descending weighted gap; per community
    when ``table`` has a community level (the community order is kept)."""
    chosen = table[table["quadrant"] == "II"]
    if chosen.index.nlevels == 2:
        order = list(pd.unique(table.index.get_level_values(0)))
        parts = [
            chosen.xs(c, level=0, drop_level=False).sort_values("weighted_gap", ascending=False)
            for c in order
            if c in chosen.index.get_level_values(0)
        ]
        return pd.concat(parts) if parts else chosen
    return chosen.sort_values("weighted_gap", ascending=False)
