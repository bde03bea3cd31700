r"""Do residents of different groups (gender, age band, years lived there, 户籍…) judge
differently? One-way comparisons of a score between groups, with effect sizes and post-hoc tests.

Tests
-----
``"kruskal"``  Kruskal–Wallis H with tie correction (``scipy.stats.kruskal``; = R ``kruskal.test``),
               df = k − 1. Effect size ε² = H / ((n² − 1)/(n + 1)) = H / (n − 1)
               (Tomczak & Tomczak 2014). Post hoc: Dunn (1964) z tests on the joint ranks with
               tie correction, two-sided, Holm-adjusted::

                   z_ab = (R̄_a − R̄_b) / sqrt((n(n+1)/12 − Σ(t³ − t)/(12(n − 1))) (1/n_a + 1/n_b))

``"anova"``    one-way ANOVA F (``scipy.stats.f_oneway``; = R ``aov``), df = (k − 1, n − k);
               η² = SS_between / SS_total. Post hoc: Tukey HSD (``scipy.stats.tukey_hsd``).
``"welch"``    Welch's (1951) heteroscedastic F (= R ``oneway.test``) with w_g = n_g / s_g²::

                   F = [Σ w_g (x̄_g − x̄_w)² / (k − 1)] / [1 + 2(k − 2)/(k² − 1) · Λ],
                   Λ = Σ (1 − w_g/W)² / (n_g − 1),  df = (k − 1, (k² − 1) / (3Λ));

               effect size reported: η² (descriptive, from the ordinary sums of squares; Welch's F
               has no agreed variance-explained measure). Post hoc: Games & Howell (1976): Welch t
               per pair, p from the studentized range with k groups and Welch–Satterthwaite df.

Groups smaller than ``min_group_size`` are left out before anything is computed and named in
``suppressed`` without their size or values: demographic groups are quasi-identifiers.
Missing values (NaN score or group) are dropped.

References
----------
Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis. *JASA*, 47.
Dunn, O. J. (1964). Multiple comparisons using rank sums. *Technometrics*, 6(3), 241–252.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scand. J. Statist.*, 6.
Welch, B. L. (1951). On the comparison of several mean values. *Biometrika*, 38, 330–336.
Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal n's
and/or variances. *Journal of Educational Statistics*, 1(2), 113–125.
Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited. *Trends
in Sport Sciences*, 1(21), 19–25.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.methods.errors import MethodError

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "POSTHOC_COLUMNS",
    "TESTS",
    "GroupComparison",
    "compare_groups",
    "holm",
]

TESTS = ("kruskal", "anova", "welch")
DEFAULT_MIN_GROUP_SIZE = 10
POSTHOC_COLUMNS = ("group1", "group2", "estimate", "statistic", "p", "p_adj")
"""Post-hoc table columns: ``estimate`` is the difference group2 − group1 (mean ranks for Dunn,
means otherwise); ``statistic`` is Dunn's z, Tukey's mean difference / SE or the Games–Howell t;
``p`` the unadjusted two-sided p (Dunn) and ``p_adj`` the family-wise p (Holm for Dunn; Tukey
and Games–Howell are family-wise by construction, so ``p`` = ``p_adj`` there)."""


@dataclass(frozen=True)
class GroupComparison:
    """Result of :func:`compare_groups` (fields named as in ``scipy.stats`` results).

    ``df`` is ``(k − 1,)`` for Kruskal–Wallis and ``(df1, df2)`` for the F tests; ``groups`` is
    a table (index group) with ``n, mean, sd, median`` of the groups compared; ``suppressed``
    names the groups left out for size (no sizes, no values); ``n`` the observations compared.
    """

    test: str
    statistic: float
    df: tuple[float, ...]
    pvalue: float
    effect_size: float
    effect_name: str
    posthoc: pd.DataFrame
    groups: pd.DataFrame
    suppressed: tuple[str, ...]
    n: int
    min_group_size: int


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (as R ``p.adjust(method = "holm")``)."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _dunn(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    labels = list(samples)
    pooled = np.concatenate([samples[g] for g in labels])
    ranks = stats.rankdata(pooled)
    n = pooled.size
    _, ties = np.unique(pooled, return_counts=True)
    tie_term = (ties**3 - ties).sum() / (12.0 * (n - 1))
    sizes = {g: samples[g].size for g in labels}
    bounds = np.cumsum([0] + [sizes[g] for g in labels])
    mean_rank = {g: ranks[bounds[i] : bounds[i + 1]].mean() for i, g in enumerate(labels)}
    rows = []
    for a, b in combinations(labels, 2):
        se = np.sqrt((n * (n + 1) / 12.0 - tie_term) * (1.0 / sizes[a] + 1.0 / sizes[b]))
        diff = mean_rank[b] - mean_rank[a]
        z = diff / se
        rows.append((a, b, diff, z, 2.0 * stats.norm.sf(abs(z))))
    table = pd.DataFrame(rows, columns=list(POSTHOC_COLUMNS[:-1]))
    table["p_adj"] = holm(table["p"].to_numpy())
    return table


def _tukey(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    labels = list(samples)
    result = stats.tukey_hsd(*samples.values())
    n_total = sum(s.size for s in samples.values())
    mse = sum(((s - s.mean()) ** 2).sum() for s in samples.values()) / (n_total - len(labels))
    rows = []
    for (ia, a), (ib, b) in combinations(enumerate(labels), 2):
        diff = samples[b].mean() - samples[a].mean()
        se = np.sqrt(mse / 2.0 * (1.0 / samples[a].size + 1.0 / samples[b].size))
        p = float(result.pvalue[ia, ib])
        rows.append((a, b, diff, diff / se, p, p))
    return pd.DataFrame(rows, columns=list(POSTHOC_COLUMNS))


def _games_howell(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    k = len(samples)
    rows = []
    for a, b in combinations(samples, 2):
        xa, xb = samples[a], samples[b]
        va, vb = xa.var(ddof=1) / xa.size, xb.var(ddof=1) / xb.size
        if va + vb == 0:
            raise MethodError(
                f"groups '{a}' and '{b}' both have zero variance: no Games–Howell test"
            )
        diff = xb.mean() - xa.mean()
        t = diff / np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (xa.size - 1) + vb**2 / (xb.size - 1))
        p = float(stats.studentized_range.sf(abs(t) * np.sqrt(2.0), k, df))
        rows.append((a, b, diff, t, p, p))
    return pd.DataFrame(rows, columns=list(POSTHOC_COLUMNS))


def _welch(samples: dict[str, np.ndarray]) -> tuple[float, tuple[float, float], float]:
    k = len(samples)
    n = np.array([s.size for s in samples.values()], dtype=float)
    means = np.array([s.mean() for s in samples.values()])
    var = np.array([s.var(ddof=1) for s in samples.values()])
    if np.any(var == 0):
        bad = [g for g, v in zip(samples, var, strict=True) if v == 0]
        raise MethodError(f"Welch's test needs variation within every group; constant: {bad}")
    w = n / var
    grand = (w * means).sum() / w.sum()
    lam = ((1.0 - w / w.sum()) ** 2 / (n - 1.0)).sum()
    f = ((w * (means - grand) ** 2).sum() / (k - 1)) / (1.0 + 2.0 * (k - 2) / (k**2 - 1) * lam)
    df2 = (k**2 - 1) / (3.0 * lam)
    return float(f), (float(k - 1), float(df2)), float(stats.f.sf(f, k - 1, df2))


def _eta_squared(samples: dict[str, np.ndarray]) -> float:
    pooled = np.concatenate(list(samples.values()))
    total = ((pooled - pooled.mean()) ** 2).sum()
    between = sum(s.size * (s.mean() - pooled.mean()) ** 2 for s in samples.values())
    return float(between / total) if total > 0 else float("nan")


def compare_groups(
    values: pd.Series | Sequence[float] | np.ndarray,
    groups: pd.Series | Sequence[object] | np.ndarray,
    test: str = "kruskal",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> GroupComparison:
    """Compare ``values`` between ``groups`` (formulas and references in the module docstring).

    Raises :class:`MethodError` for an unknown test, lengths that differ, fewer than two groups
    left after suppression, or groups without variation where the test needs it.
    """
    if test not in TESTS:
        raise MethodError(f"test must be one of {TESTS}, got '{test}'")
    if min_group_size < 2:
        raise MethodError(f"min_group_size must be at least 2, got {min_group_size}")
    v = pd.Series(np.asarray(values, dtype=float)) if not isinstance(values, pd.Series) else values
    g = pd.Series(np.asarray(groups, dtype=object)) if not isinstance(groups, pd.Series) else groups
    if len(v) != len(g):
        raise MethodError(f"{len(v)} values but {len(g)} group labels")
    frame = pd.DataFrame({"value": v.to_numpy(dtype=float), "group": g.to_numpy(dtype=object)})
    frame = frame.dropna()
    frame["group"] = frame["group"].astype(str)
    sizes = frame.groupby("group", sort=True).size()
    suppressed = tuple(sorted(str(x) for x in sizes.index[sizes < min_group_size]))
    kept = [str(x) for x in sizes.index[sizes >= min_group_size]]
    if len(kept) < 2:
        raise MethodError(
            f"fewer than 2 groups with at least {min_group_size} observations: nothing to compare"
            + (f" ({len(suppressed)} group(s) too small)" if suppressed else "")
        )
    samples = {
        label: frame.loc[frame["group"] == label, "value"].to_numpy(dtype=float) for label in kept
    }
    n = int(sum(s.size for s in samples.values()))
    if test == "kruskal":
        pooled = np.concatenate(list(samples.values()))
        if np.ptp(pooled) == 0:
            raise MethodError("all values are identical: the Kruskal–Wallis test is undefined")
        h, p = stats.kruskal(*samples.values())
        statistic, df, pvalue = float(h), (float(len(kept) - 1),), float(p)
        effect, effect_name, posthoc = statistic / (n - 1), "epsilon_squared", _dunn(samples)
    elif test == "anova":
        if all(np.ptp(s) == 0 for s in samples.values()):
            raise MethodError("no variation within any group: the F test is undefined")
        f, p = stats.f_oneway(*samples.values())
        statistic, df, pvalue = float(f), (float(len(kept) - 1), float(n - len(kept))), float(p)
        effect, effect_name, posthoc = _eta_squared(samples), "eta_squared", _tukey(samples)
    else:
        statistic, df, pvalue = _welch(samples)
        effect, effect_name, posthoc = _eta_squared(samples), "eta_squared", _games_howell(samples)
    table = pd.DataFrame(
        {
            "n": [s.size for s in samples.values()],
            "mean": [s.mean() for s in samples.values()],
            "sd": [s.std(ddof=1) for s in samples.values()],
            "median": [float(np.median(s)) for s in samples.values()],
        },
        index=pd.Index(kept, name="group"),
    )
    return GroupComparison(
        test=test,
        statistic=statistic,
        df=df,
        pvalue=pvalue,
        effect_size=float(effect),
        effect_name=effect_name,
        posthoc=posthoc,
        groups=table,
        suppressed=suppressed,
        n=n,
        min_group_size=min_group_size,
    )
