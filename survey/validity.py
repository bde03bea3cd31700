"""Construct validity of the questionnaire: KMO, Bartlett's test, parallel analysis and EFA.

Every function takes either raw answers (``data``: respondents × items, a DataFrame whose columns
are the item codes, or a 2-D array) or a correlation matrix (``corr=``, with ``n_obs=`` where a
sample size is needed). Raw answers are reduced to their Pearson correlation matrix after
**listwise deletion**: a respondent enters only when they answered every item (one sample, one n,
a positive semi-definite matrix). ``n_obs`` is then the number of complete respondents.

Bad input raises :class:`ValidityError` naming the items: fewer than 3 respondents or 2 items, a
constant item (zero variance), and a singular correlation matrix (duplicated or linearly dependent
items, more items than respondents). A LinAlgError never escapes.

Formulas
--------
KMO (Kaiser 1970; Kaiser & Rice 1974). With R the correlation matrix, S = diag(R⁻¹)^(-1/2) and
Q = S R⁻¹ S (minus the anti-image correlations, i.e. the partial correlations up to sign):

    KMO = Σ_{i≠j} r²_ij / (Σ_{i≠j} r²_ij + Σ_{i≠j} q²_ij),
    MSA_i = Σ_{j≠i} r²_ij / (Σ_{j≠i} r²_ij + Σ_{j≠i} q²_ij).

Bartlett's test of sphericity (Bartlett 1950, 1951), p items, n respondents:

    χ² = −(n − 1 − (2p + 5)/6) · ln|R|,   df = p(p − 1)/2.

Parallel analysis (Horn 1965): the eigenvalues of the observed **correlation matrix** (unit
diagonal, i.e. principal-component eigenvalues, Horn's original form) are compared with the
``quantile`` (default 95th percentile) of the eigenvalues of correlation matrices of n × p
independent normal variables; the number of factors is the number of leading observed eigenvalues
above their random counterpart. The random correlation matrices are drawn exactly, without
simulating n × p data: the cross-product matrix of n independent N(0, I_p) rows, centred, is
Wishart(n − 1, I_p) (Bartlett decomposition), and its correlation matrix is the sample correlation
matrix. The Kaiser rule (Kaiser 1960) counts observed eigenvalues > 1.

EFA extraction, for k factors:

* ``"minres"`` (Harman & Jones 1966; the default of R psych::fa): minimise the unweighted least
  squares residual ½‖R − ΛΛ' − Ψ‖² over the uniquenesses ψ ∈ [0.005, 1] (L-BFGS-B, start
  ψ = 1 − SMC); for a given Ψ the best Λ is given by the k leading eigenpairs of R − Ψ, and the
  gradient is −diag(R − Ψ − ΛΛ'). At an interior optimum the diagonal residual is zero, so this
  is the same solution as minimising the off-diagonal residuals (psych's "minres").
* ``"pa"`` iterated principal axis (Harman 1976): communalities start at the squared multiple
  correlations SMC_i = 1 − 1/(R⁻¹)_ii, are put on the diagonal, Λ is taken from the k leading
  eigenpairs and the new communalities are the row sums of Λ²; repeated until the total
  communality changes by less than ``pa_tol`` (psych::fa: 0.001) or 50 iterations.

Rotation:

* ``"varimax"`` with Kaiser normalisation (rows scaled to unit length before rotation), the
  SVD algorithm of R stats::varimax (Kaiser 1958), convergence when the criterion grows by less
  than a relative 1e-5.
* ``"promax"`` with power m = 4 (Hendrickson & White 1964): varimax first, then the
  least-squares fit of the varimax loadings V to their element-wise power target V∘|V|^(m−1),
  columns rescaled so the factors have unit variance. Factor correlations Φ = (U⁻¹)(U⁻¹)' where
  U is the full rotation matrix (pattern = Λ_unrotated · U). By default
  (``kaiser_normalize=True``) the whole promax, target included, runs on the row-normalised
  loadings, as psych::fa (``kaiser(…, rotate="Promax")``) and SPSS do; ``kaiser_normalize=False``
  builds the target from the unnormalised varimax loadings, as R stats::promax (the two differ in
  the second decimal on the ability.cov example).
* ``None``: unrotated.

Conventions: each factor is flipped so its column sum of loadings is positive, and factors are
ordered by the variance they explain. For orthogonal solutions that is the column sum of squared
loadings; for promax it is diag(Φ Λ'Λ) (as psych prints "SS loadings" for oblique solutions),
which sums to the total communality. ``communalities`` are h²_i = (Λ Φ Λ')_ii (= row sums of Λ²
when orthogonal); rotation does not change them.

References
----------
Bartlett, M. S. (1950). Tests of significance in factor analysis. *British Journal of Psychology,
Statistical Section*, 3, 77–85. — (1951) The effect of standardization on a χ² approximation in
factor analysis. *Biometrika*, 38, 337–344.
Harman, H. H. (1976). *Modern Factor Analysis* (3rd ed.). University of Chicago Press.
Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
*Psychometrika*, 31, 351–368.
Hendrickson, A. E., & White, P. O. (1964). Promax: a quick method for rotation to oblique simple
structure. *British Journal of Statistical Psychology*, 17, 65–70.
Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
*Psychometrika*, 30, 179–185.
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
*Psychometrika*, 23, 187–200. — (1960) The application of electronic computers to factor
analysis. *Educational and Psychological Measurement*, 20, 141–151. — (1970) A second generation
little jiffy. *Psychometrika*, 35, 401–415.
Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. *Educational and Psychological
Measurement*, 34, 111–117.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from i18n import Message
from survey._lazy import lazy_module
from survey.errors import SurveyError

linalg = lazy_module("scipy.linalg")
optimize = lazy_module("scipy.optimize")
stats = lazy_module("scipy.stats")  # loaded on first use

ROTATIONS = ("varimax", "promax", None)
METHODS = ("minres", "pa")
SINGULAR_TOL = 1e-10
"""A correlation matrix whose smallest eigenvalue is below this (relative to the largest) is
treated as singular."""
PSI_BOUNDS = (0.005, 1.0)
"""Bounds of the uniquenesses in the minres fit (as psych::fa)."""


class ValidityError(SurveyError):
    """Data on which a validity statistic cannot be computed; the message names the items."""


@dataclass(frozen=True)
class KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy: ``overall`` and ``per_item`` (MSA_i,
    indexed by item); ``partial``: the partial (anti-image) correlation matrix."""

    overall: float
    per_item: pd.Series
    partial: pd.DataFrame


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test of sphericity: χ² ``statistic``, ``df`` = p(p − 1)/2, ``pvalue``,
    ``n`` respondents and ``p`` items."""

    statistic: float
    df: int
    pvalue: float
    n: int
    p: int


@dataclass(frozen=True)
class ParallelAnalysis:
    """Horn's parallel analysis on the eigenvalues of the correlation matrix.

    ``eigenvalues``: observed, ``random_quantile`` / ``random_mean``: over ``n_iter`` random
    correlation matrices of the same n and p; ``n_factors``: leading observed eigenvalues above
    the random quantile; ``kaiser``: observed eigenvalues > 1.
    """

    eigenvalues: pd.Series
    random_quantile: pd.Series
    random_mean: pd.Series
    n_factors: int
    kaiser: int
    n_iter: int
    quantile: float
    seed: int
    n_obs: int


@dataclass(frozen=True)
class EFAResult:
    """Exploratory factor analysis.

    ``loadings``: items × factors (pattern loadings for promax), ``communalities`` and
    ``uniquenesses`` by item, ``variance``: rows ``ss_loadings``, ``proportion``, ``cumulative``
    by factor, ``rotation_matrix`` (factors × factors, maps the unrotated loadings to
    ``loadings``; None without rotation), ``factor_correlations`` (promax only), ``n_factors``
    and ``n_factors_from`` ("given", "parallel analysis"), ``parallel`` (always computed when
    ``n_obs`` is known), ``kaiser`` (eigenvalues > 1), ``eigenvalues`` of the correlation matrix,
    ``n_obs`` (complete respondents), ``dropped`` (respondents left out by listwise deletion),
    ``method``, ``rotation``, ``iterations``, ``converged``, ``notes`` (:class:`~i18n.Message` s:
    English as ``str``, either language with ``localized``).
    """

    loadings: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    rotation_matrix: np.ndarray | None
    factor_correlations: pd.DataFrame | None
    n_factors: int
    n_factors_from: str
    parallel: ParallelAnalysis | None
    kaiser: int
    eigenvalues: pd.Series
    n_obs: int | None
    dropped: int
    method: str
    rotation: str | None
    iterations: int
    converged: bool
    notes: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class FrameworkComparison:
    """Factor structure set against the framework's dimensions.

    ``items``: one row per mapped item with ``dimension``, ``factor`` (the factor with the
    largest absolute loading), ``loading`` (on it), ``dimension_factor`` (the factor most of the
    dimension's items load on), ``dimension_loading`` (the item's loading on that factor) and
    ``off_dimension`` (the item loads more strongly on another factor than on its dimension's).
    ``off_dimension``: those items; ``splits``: dimension → factors its items spread over (≥ 2);
    ``merges``: factor → dimensions sharing it as their main factor (≥ 2); ``unmapped``: items of
    the loadings without a dimension; ``missing``: mapped items absent from the loadings.
    """

    items: pd.DataFrame
    off_dimension: list[str]
    splits: dict[str, list[str]]
    merges: dict[str, list[str]]
    dimension_factor: dict[str, str]
    unmapped: list[str]
    missing: list[str]


@dataclass(frozen=True)
class _Corr:
    r: np.ndarray
    names: list[str]
    n_obs: int | None
    dropped: int


# ---------------------------------------------------------------- input and checks


def _names(p: int, columns: Sequence[object] | None) -> list[str]:
    return [str(c) for c in columns] if columns is not None else [f"V{i + 1}" for i in range(p)]


def _from_data(data: pd.DataFrame | np.ndarray) -> _Corr:
    columns = data.columns if isinstance(data, pd.DataFrame) else None
    values = np.asarray(data, dtype=float)
    if values.ndim != 2:
        raise ValidityError("error.validity.not_2d", ndim=values.ndim)
    names = _names(values.shape[1], columns)
    complete = values[~np.isnan(values).any(axis=1)]
    n, p = complete.shape
    if p < 2:
        raise ValidityError("error.validity.two_items", count=p, items=tuple(names))
    if n < 3:
        raise ValidityError("error.validity.three_respondents", n=n, total=len(values))
    sd = complete.std(axis=0)
    constant = [name for name, s in zip(names, sd, strict=True) if s <= 1e-12 * max(1.0, sd.max())]
    if constant:
        raise ValidityError("error.validity.constant", items=tuple(constant))
    r = np.corrcoef(complete, rowvar=False)
    return _Corr(r, names, n, len(values) - n)


def _from_corr(corr: pd.DataFrame | np.ndarray, n_obs: int | None) -> _Corr:
    columns = corr.columns if isinstance(corr, pd.DataFrame) else None
    r = np.array(corr, dtype=float)
    if r.ndim != 2 or r.shape[0] != r.shape[1]:
        raise ValidityError("error.validity.corr_square", name="corr", shape=str(r.shape))
    names = _names(r.shape[1], columns)
    if r.shape[0] < 2:
        raise ValidityError("error.validity.two_items_corr", count=r.shape[0])
    if not np.isfinite(r).all():
        raise ValidityError("error.validity.corr_finite", name="corr")
    if not np.allclose(r, r.T, atol=1e-8):
        raise ValidityError("error.validity.corr_symmetric", name="corr")
    if not np.allclose(np.diag(r), 1.0, atol=1e-8):
        off = [n for n, d in zip(names, np.diag(r), strict=True) if abs(d - 1.0) > 1e-8]
        raise ValidityError("error.validity.corr_diagonal", name="corr", items=tuple(off))
    if n_obs is not None and n_obs < 3:
        raise ValidityError("error.arg.at_least", name="n_obs", minimum=3, value=n_obs)
    return _Corr((r + r.T) / 2.0, names, n_obs, 0)


def _dependent_items(r: np.ndarray, names: list[str], vecs: np.ndarray) -> Message:
    """Describe why R is singular: duplicated pairs (|r| ≈ 1) or the items of the null space."""
    p = len(names)
    iu = np.triu_indices(p, 1)
    dup = np.abs(r[iu]) > 1.0 - 1e-8
    if dup.any():
        pairs = [f"{names[i]} = {'−' if r[i, j] < 0 else ''}{names[j]}"
                 for i, j in zip(iu[0][dup], iu[1][dup], strict=True)]
        return Message("error.validity.duplicated", pairs=tuple(pairs))
    weight = np.abs(vecs).max(axis=1)
    involved = [name for name, w in zip(names, weight, strict=True) if w > 1e-6]
    return Message("error.validity.dependent", items=tuple(involved))


def _check_regular(c: _Corr) -> np.ndarray:
    """Eigenvalues of R (ascending); raise ValidityError naming the items when R is singular."""
    values, vectors = linalg.eigh(c.r)
    if values[0] > SINGULAR_TOL * max(values[-1], 1.0):
        return values
    null = vectors[:, values <= SINGULAR_TOL * max(values[-1], 1.0)]
    p = len(c.names)
    if c.n_obs is not None and c.n_obs <= p:
        raise ValidityError("error.validity.singular_few", items=p, n=c.n_obs)
    raise ValidityError("error.validity.singular", why=_dependent_items(c.r, c.names, null))


def _prepare(
    data: pd.DataFrame | np.ndarray | None,
    corr: pd.DataFrame | np.ndarray | None,
    n_obs: int | None,
) -> tuple[_Corr, np.ndarray]:
    if (data is None) == (corr is None):
        raise ValidityError("error.validity.data_or_corr", data="data", corr="corr")
    c = _from_data(data) if data is not None else _from_corr(corr, n_obs)
    return c, _check_regular(c)


# ---------------------------------------------------------------- KMO and Bartlett


def kmo(
    data: pd.DataFrame | np.ndarray | None = None, *, corr: pd.DataFrame | np.ndarray | None = None
) -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, overall and per item (MSA_i).

    KMO = Σ_{i≠j} r²_ij / (Σ_{i≠j} r²_ij + Σ_{i≠j} q²_ij), with q_ij the partial correlation
    of items i and j given all others, q = −(R⁻¹)_ij / sqrt((R⁻¹)_ii (R⁻¹)_jj) (Kaiser 1970;
    Kaiser & Rice 1974; the formula of SPSS and psych::KMO). Listwise deletion on raw data.
    """
    c, _ = _prepare(data, corr, None)
    inv = linalg.inv(c.r)
    scale = 1.0 / np.sqrt(np.diag(inv))
    partial = -inv * np.outer(scale, scale)
    np.fill_diagonal(partial, 1.0)
    r2 = c.r**2
    q2 = partial**2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(q2, 0.0)
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + q2.sum())
    return KMOResult(
        overall=float(overall),
        per_item=pd.Series(per_item, index=c.names, name="msa"),
        partial=pd.DataFrame(partial, index=c.names, columns=c.names),
    )


def bartlett_sphericity(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    corr: pd.DataFrame | np.ndarray | None = None,
    n_obs: int | None = None,
) -> BartlettResult:
    """Bartlett's test that the correlation matrix is an identity matrix.

    χ² = −(n − 1 − (2p + 5)/6)·ln|R|, df = p(p − 1)/2, p-value from the χ² upper tail
    (Bartlett 1950, 1951; as psych::cortest.bartlett and SPSS). n is the number of complete
    respondents (listwise deletion), or ``n_obs`` with ``corr``.
    """
    c, _ = _prepare(data, corr, n_obs)
    if c.n_obs is None:
        raise ValidityError("error.validity.needs_n_obs", function="bartlett_sphericity",
                            name="n_obs")
    p = len(c.names)
    sign, logdet = np.linalg.slogdet(c.r)
    if sign <= 0:
        raise ValidityError("error.validity.not_pd")
    statistic = -(c.n_obs - 1 - (2 * p + 5) / 6.0) * logdet
    df = p * (p - 1) // 2
    return BartlettResult(float(statistic), df, float(stats.chi2.sf(statistic, df)), c.n_obs, p)


# ---------------------------------------------------------------- parallel analysis


@lru_cache(maxsize=32)
def _random_eigenvalues(n: int, p: int, n_iter: int, seed: int) -> np.ndarray:
    """(n_iter, p) descending eigenvalues of correlation matrices of n × p normal data, drawn
    through the Wishart(n − 1, I) cross-product matrix (Bartlett decomposition)."""
    rng = np.random.default_rng(seed)
    w = stats.wishart(df=n - 1, scale=np.eye(p)).rvs(size=n_iter, random_state=rng)
    w = np.asarray(w).reshape(n_iter, p, p)
    d = 1.0 / np.sqrt(np.diagonal(w, axis1=1, axis2=2))
    r = w * d[:, :, None] * d[:, None, :]
    values = np.linalg.eigvalsh(r)[:, ::-1]
    values.setflags(write=False)
    return values


def _parallel(eigenvalues: np.ndarray, names_p: int, n_obs: int, n_iter: int, seed: int,
              quantile: float) -> ParallelAnalysis:
    if n_iter < 1:
        raise ValidityError("error.arg.at_least", name="n_iter", minimum=1, value=n_iter)
    if not 0 < quantile < 1:
        raise ValidityError("error.arg.open_unit", name="quantile", value=quantile)
    if n_obs <= names_p:
        raise ValidityError("error.validity.parallel_few", n=n_obs, items=names_p)
    random = _random_eigenvalues(n_obs, names_p, n_iter, seed)
    q = np.quantile(random, quantile, axis=0)
    above = eigenvalues > q
    n_factors = int(np.argmin(above)) if not above.all() else names_p
    index = pd.RangeIndex(1, names_p + 1, name="component")
    return ParallelAnalysis(
        eigenvalues=pd.Series(eigenvalues, index=index, name="observed"),
        random_quantile=pd.Series(q, index=index, name=f"random_q{quantile:g}"),
        random_mean=pd.Series(random.mean(axis=0), index=index, name="random_mean"),
        n_factors=n_factors,
        kaiser=int((eigenvalues > 1.0).sum()),
        n_iter=n_iter,
        quantile=quantile,
        seed=seed,
        n_obs=n_obs,
    )


def parallel_analysis(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    corr: pd.DataFrame | np.ndarray | None = None,
    n_obs: int | None = None,
    n_iter: int = 100,
    seed: int = 0,
    quantile: float = 0.95,
) -> ParallelAnalysis:
    """Horn's (1965) parallel analysis on the eigenvalues of the correlation matrix.

    The number of factors is the count of leading eigenvalues of the observed correlation matrix
    that exceed the ``quantile`` of the same-rank eigenvalues of ``n_iter`` random correlation
    matrices (n × p independent normals, n = complete respondents). The Kaiser rule (eigenvalues
    > 1) is reported alongside. Reproducible for a given ``seed``.
    """
    c, values = _prepare(data, corr, n_obs)
    if c.n_obs is None:
        raise ValidityError("error.validity.needs_n_obs", function="parallel_analysis",
                            name="n_obs")
    return _parallel(values[::-1], len(c.names), c.n_obs, n_iter, seed, quantile)


# ---------------------------------------------------------------- extraction


def _leading(s: np.ndarray, k: int) -> np.ndarray:
    """Λ from the k leading eigenpairs of symmetric s (negative eigenvalues clipped to 0)."""
    p = s.shape[0]
    values, vectors = linalg.eigh(s, subset_by_index=[p - k, p - 1])
    return vectors[:, ::-1] * np.sqrt(np.clip(values[::-1], 0.0, None))


def _smc(r: np.ndarray) -> np.ndarray:
    return 1.0 - 1.0 / np.diag(linalg.inv(r))


def _minres(r: np.ndarray, k: int) -> tuple[np.ndarray, int, bool]:
    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        s = r - np.diag(psi)
        lam = _leading(s, k)
        resid = s - lam @ lam.T
        return 0.5 * float((resid**2).sum()), -np.diag(resid).copy()

    start = np.clip(1.0 - _smc(r), *PSI_BOUNDS)
    fit = optimize.minimize(
        objective, start, jac=True, method="L-BFGS-B", bounds=[PSI_BOUNDS] * r.shape[0],
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000},
    )
    return _leading(r - np.diag(fit.x), k), int(fit.nit), bool(fit.success)


def _principal_axis(r: np.ndarray, k: int, tol: float, max_iter: int) -> tuple[np.ndarray, int,
                                                                                bool]:
    s = r.copy()
    np.fill_diagonal(s, _smc(r))
    total = np.trace(s)
    for iteration in range(1, max_iter + 1):
        lam = _leading(s, k)
        h2 = (lam**2).sum(axis=1)
        np.fill_diagonal(s, h2)
        change, total = abs(total - h2.sum()), h2.sum()
        if change < tol:
            return lam, iteration, True
    return lam, max_iter, False


# ---------------------------------------------------------------- rotation


def _varimax(x: np.ndarray, eps: float = 1e-5, max_iter: int = 1000) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Varimax of (already row-normalised) loadings x: maximise
    Σ_f [Σ_i z⁴_if / p − (Σ_i z²_if / p)²] over orthogonal T, z = xT, by the SVD iteration
    (Kaiser 1958; the algorithm of R stats::varimax)."""
    p, k = x.shape
    t = np.eye(k)
    criterion = 0.0
    for _ in range(max_iter):
        z = x @ t
        u, d, vt = linalg.svd(x.T @ (z**3 - z * (z**2).sum(axis=0) / p))
        t = u @ vt
        previous, criterion = criterion, d.sum()
        if criterion < previous * (1 + eps):
            break
    return x @ t, t


def _promax_step(v: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Promax step on varimax loadings v: U = argmin ‖v U − v∘|v|^(m−1)‖ (least squares), columns
    scaled by sqrt(diag((U'U)⁻¹)) so the factors have unit variance (Hendrickson & White 1964)."""
    target = v * np.abs(v) ** (m - 1)
    u = linalg.lstsq(v, target)[0]
    u = u * np.sqrt(np.diag(linalg.inv(u.T @ u)))[None, :]
    return v @ u, u


def _rotate(
    lam: np.ndarray, rotation: str | None, normalize: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(loadings, rotation matrix or None, factor correlations Φ).

    Varimax always uses Kaiser normalisation (rows of Λ scaled to unit length, h_i = sqrt(h²_i),
    rotated, scaled back). Promax with ``normalize=True`` computes the whole rotation, target
    included, on the row-normalised loadings (psych::fa's and SPSS's promax); with
    ``normalize=False`` the power target is built from the unnormalised varimax loadings
    (R stats::promax).
    """
    k = lam.shape[1]
    if rotation is None or k < 2:
        return lam, None, np.eye(k)
    h = np.sqrt((lam**2).sum(axis=1))[:, None]
    v, t = _varimax(lam / h)
    if rotation == "varimax":
        return v * h, t, np.eye(k)
    if normalize:
        z, u = _promax_step(v)
        z = z * h
    else:
        z, u = _promax_step(v * h)
    u = t @ u
    ui = linalg.inv(u)
    return z, u, ui @ ui.T


# ---------------------------------------------------------------- EFA


def efa(
    data: pd.DataFrame | np.ndarray | None = None,
    n_factors: int | None = None,
    rotation: str | None = "promax",
    method: str = "minres",
    *,
    corr: pd.DataFrame | np.ndarray | None = None,
    n_obs: int | None = None,
    n_iter: int = 100,
    seed: int = 0,
    quantile: float = 0.95,
    pa_tol: float = 0.001,
    kaiser_normalize: bool = True,
) -> EFAResult:
    """Exploratory factor analysis: extraction (``"minres"`` or ``"pa"``), rotation
    (``"varimax"``, ``"promax"`` or None), loadings, communalities and variance explained.

    ``n_factors=None`` takes the number from Horn's parallel analysis (see
    :func:`parallel_analysis`; at least 1); the Kaiser count is reported too. Formulas,
    sign and order conventions are in the module docstring. Raw data: listwise deletion.
    """
    if rotation not in ROTATIONS:
        raise ValidityError("error.arg.one_of", name="rotation", choices=str(ROTATIONS),
                            value=repr(rotation))
    if method not in METHODS:
        raise ValidityError("error.arg.one_of", name="method", choices=str(METHODS),
                            value=repr(method))
    c, ascending = _prepare(data, corr, n_obs)
    p = len(c.names)
    eigenvalues = ascending[::-1]
    notes: list[Message] = []
    parallel = None
    if c.n_obs is not None and c.n_obs > p:
        parallel = _parallel(eigenvalues, p, c.n_obs, n_iter, seed, quantile)
    if n_factors is None:
        if parallel is None:
            raise ValidityError("error.validity.n_factors_none", name="n_factors", n_obs="n_obs")
        k, source = max(parallel.n_factors, 1), "parallel analysis"
        if parallel.n_factors == 0:
            notes.append(Message("validity.efa.no_factor"))
    else:
        k, source = int(n_factors), "given"
    if not 1 <= k < p:
        raise ValidityError("error.validity.n_factors_range", name="n_factors", high=p - 1,
                            items=p, value=k)
    if method == "minres":
        lam, iterations, converged = _minres(c.r, k)
    else:
        lam, iterations, converged = _principal_axis(c.r, k, pa_tol, 50)
    if not converged:
        notes.append(Message("validity.efa.not_converged", method=method,
                             iterations=iterations))
    loadings, rot, phi = _rotate(lam, rotation, kaiser_normalize)
    variance = np.diag(phi @ loadings.T @ loadings)
    order = np.argsort(-variance, kind="stable")
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    loadings = (loadings * signs)[:, order]
    phi = (phi * np.outer(signs, signs))[np.ix_(order, order)]
    if rot is not None:
        rot = (rot * signs)[:, order]
    variance = variance[order]
    h2 = np.einsum("if,fg,ig->i", loadings, phi, loadings)
    if (h2 > 1.0 + 1e-6).any():
        heywood = [n for n, v in zip(c.names, h2, strict=True) if v > 1.0 + 1e-6]
        notes.append(Message("validity.efa.heywood", items=tuple(heywood)))
    prefix = {"minres": "MR", "pa": "PA"}[method]
    factors = [f"{prefix}{i + 1}" for i in range(k)]
    table = pd.DataFrame(
        [variance, variance / p, np.cumsum(variance) / p],
        index=["ss_loadings", "proportion", "cumulative"], columns=factors,
    )
    return EFAResult(
        loadings=pd.DataFrame(loadings, index=c.names, columns=factors),
        communalities=pd.Series(h2, index=c.names, name="h2"),
        uniquenesses=pd.Series(1.0 - h2, index=c.names, name="u2"),
        variance=table,
        rotation_matrix=rot,
        factor_correlations=(
            pd.DataFrame(phi, index=factors, columns=factors) if rotation == "promax" and k > 1
            else None
        ),
        n_factors=k,
        n_factors_from=source,
        parallel=parallel,
        kaiser=int((eigenvalues > 1.0).sum()),
        eigenvalues=pd.Series(eigenvalues, index=pd.RangeIndex(1, p + 1), name="eigenvalue"),
        n_obs=c.n_obs,
        dropped=c.dropped,
        method=method,
        rotation=rotation if k > 1 else None,
        iterations=iterations,
        converged=converged,
        notes=notes,
    )


# ---------------------------------------------------------------- framework comparison


def compare_with_framework(
    loadings: pd.DataFrame, item_to_dimension: Mapping[str, str]
) -> FrameworkComparison:
    """Set the factor structure against the framework's dimensions.

    Each item's factor is the one with the largest absolute loading. A dimension's factor is the
    factor most of its items load on (ties: the larger sum of absolute loadings of the
    dimension's items). An item is *off its dimension* when its own factor is not its
    dimension's factor (it then loads more strongly off its dimension than on it). A dimension
    *splits* when its items' factors are ≥ 2 distinct factors; dimensions *merge* when ≥ 2 of
    them have the same main factor.
    """
    mapped = [item for item in loadings.index if item in item_to_dimension]
    unmapped = [str(item) for item in loadings.index if item not in item_to_dimension]
    missing = [str(item) for item in item_to_dimension if item not in loadings.index]
    values = loadings.loc[mapped].to_numpy(dtype=float)
    absolute = np.abs(values)
    factor_pos = absolute.argmax(axis=1) if mapped else np.array([], dtype=int)
    factors = list(loadings.columns)
    dims = [str(item_to_dimension[item]) for item in mapped]
    dimension_factor: dict[str, str] = {}
    splits: dict[str, list[str]] = {}
    for dim in dict.fromkeys(dims):
        rows = [i for i, d in enumerate(dims) if d == dim]
        counts = Counter(int(factor_pos[i]) for i in rows)
        strength = absolute[rows].sum(axis=0)
        best = max(counts, key=lambda f: (counts[f], strength[f]))
        dimension_factor[dim] = str(factors[best])
        if len(counts) >= 2:
            splits[dim] = [str(factors[f]) for f in sorted(counts)]
    merges: dict[str, list[str]] = {}
    for dim, factor in dimension_factor.items():
        merges.setdefault(factor, []).append(dim)
    merges = {f: d for f, d in merges.items() if len(d) >= 2}
    pos = {str(f): i for i, f in enumerate(factors)}
    rows_out = []
    for i, item in enumerate(mapped):
        own = dimension_factor[dims[i]]
        rows_out.append({
            "item": str(item),
            "dimension": dims[i],
            "factor": str(factors[factor_pos[i]]),
            "loading": float(values[i, factor_pos[i]]),
            "dimension_factor": own,
            "dimension_loading": float(values[i, pos[own]]),
            "off_dimension": str(factors[factor_pos[i]]) != own,
        })
    table = pd.DataFrame(rows_out, columns=["item", "dimension", "factor", "loading",
                                            "dimension_factor", "dimension_loading",
                                            "off_dimension"]).set_index("item")
    return FrameworkComparison(
        items=table,
        off_dimension=[str(i) for i in table.index[table["off_dimension"].astype(bool)]],
        splits=splits,
        merges=merges,
        dimension_factor=dimension_factor,
        unmapped=unmapped,
        missing=missing,
    )
