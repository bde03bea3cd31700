"""Kendall's coefficient of concordance W among m raters ranking n objects.

Each rater's ratings are turned into ranks 1..n (ties get their average rank). With R_i the sum
of the ranks of object i over the m raters and S = Σ_i (R_i − m(n + 1)/2)²,

    W = 12 S / (m² (n³ − n) − m Σ_j T_j),      T_j = Σ_groups (t³ − t)

where t runs over the sizes of the groups of tied ratings of rater j (Kendall & Babington Smith
1939; tie correction as Kendall & Gibbons 1990, §6, and R irr::kendall(correct = TRUE),
DescTools::KendallW(correct = TRUE)); ``ties=False`` drops the Σ T_j term. The large-sample test
is χ² = m (n − 1) W with n − 1 degrees of freedom (equivalent to Friedman's test).

Missing ratings: a rater who left any object blank is dropped (listwise over raters, as irr), and
named in ``KendallW.dropped``. W is undefined when every remaining rater gave all objects the same
rating (the corrected denominator is 0); the result then has NaN values and says so in ``note``.

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Annals of Mathematical
Statistics*, 10(3), 275–287.
Kendall, M. G., & Gibbons, J. D. (1990). *Rank Correlation Methods* (5th ed.). Edward Arnold.
Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral Sciences*
(2nd ed.). McGraw-Hill, §9.4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from delphi.errors import DelphiError
from i18n import Message


@dataclass(frozen=True)
class KendallW:
    """Kendall's W: ``w``, χ² ``statistic`` = m(n − 1)W, ``df`` = n − 1, ``pvalue``, ``n``
    objects, ``m`` raters used, ``ties`` (correction applied), ``dropped`` (raters left out for
    blanks) and ``note`` (why W is undefined, else empty)."""

    w: float
    statistic: float
    df: int
    pvalue: float
    n: int
    m: int
    ties: bool
    dropped: tuple[str, ...] = ()
    note: str = ""


def kendall_w(ratings: pd.DataFrame | np.ndarray, ties: bool = True) -> KendallW:
    """Kendall's W of ``ratings`` shaped (objects, raters), e.g. (indicators, experts).

    See the module docstring for the formula, the tie correction and the missing-value rule.
    Raises :class:`DelphiError` with fewer than 2 objects or 2 complete raters.
    """
    values = np.asarray(ratings, dtype=float)
    if values.ndim != 2:
        raise DelphiError("error.delphi.kendall_shape", ndim=values.ndim)
    names = (
        [str(c) for c in ratings.columns] if isinstance(ratings, pd.DataFrame)
        else [f"rater {j + 1}" for j in range(values.shape[1])]
    )
    blank = np.isnan(values).any(axis=0)
    dropped = tuple(name for name, b in zip(names, blank, strict=True) if b)
    values = values[:, ~blank]
    n, m = values.shape
    if n < 2:
        raise DelphiError("error.delphi.kendall_objects", count=n)
    if m < 2:
        if dropped:
            raise DelphiError("error.delphi.kendall_raters_dropped", count=m,
                              dropped=len(dropped), names=list(dropped))
        raise DelphiError("error.delphi.kendall_raters", count=m)
    ranks = stats.rankdata(values, axis=0)
    totals = ranks.sum(axis=1)
    s = float(((totals - m * (n + 1) / 2.0) ** 2).sum())
    correction = 0.0
    if ties:
        for column in values.T:
            t = np.unique(column, return_counts=True)[1].astype(float)
            correction += float((t**3 - t).sum())
    denominator = m**2 * (n**3 - n) - m * correction
    df = n - 1
    if denominator <= 0:
        return KendallW(
            float("nan"), float("nan"), df, float("nan"), n, m, ties, dropped,
            note=Message("delphi.warning.w_undefined"),
        )
    w = 12.0 * s / denominator
    statistic = m * (n - 1) * w
    return KendallW(w, statistic, df, float(stats.chi2.sf(statistic, df)), n, m, ties, dropped)
