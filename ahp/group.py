"""Group decisions: aggregating a panel of experts, screening them and measuring consensus.

* AIJ (aggregation of individual judgments): the element-wise weighted geometric mean of the
  experts' matrices, the only aggregation that keeps the group matrix reciprocal
  (Aczél & Saaty 1983; Forman & Peniwati 1998).
* AIP (aggregation of individual priorities): weighted geometric or arithmetic mean of the
  experts' priority vectors, normalised to sum 1 (Forman & Peniwati 1998).
* Screening: every expert's consistency ratio, with optional exclusion at a threshold.
* Consensus: Goepel's AHP consensus indicator S* from the Shannon α/β/γ entropy partition of
  the experts' priority vectors (Goepel 2013, 2018).

References
----------
Aczél, J., & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements.
*Journal of Mathematical Psychology*, 27(1), 93-102.
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.
Goepel, K. D. (2013). Implementing the analytic hierarchy process as a standard method for
multi-criteria decision making in corporate enterprises – a new AHP Excel template with
multiple inputs. *Proceedings of the International Symposium on the AHP (ISAHP)*, Kuala Lumpur.
Goepel, K. D. (2018). Implementation of an online software tool for the analytic hierarchy
process (AHP-OS). *International Journal of the Analytic Hierarchy Process*, 10(3), 469-487.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ahp.consistency import consistency
from ahp.errors import JudgmentError
from ahp.matrix import MatrixLike, as_array
from ahp.priorities import priorities
from i18n.messages import Message

__all__ = [
    "CONSENSUS_WORDS",
    "Consensus",
    "ExpertScreen",
    "aggregate_judgments",
    "aggregate_priorities",
    "consensus",
    "group_log_judgments",
    "group_priority_draws",
    "reciprocal_matrices",
    "screen_cr",
    "screen_experts",
]


def _expert_weights(weights: Any, k: int) -> np.ndarray:
    """Validate expert weights (finite, non-negative, not all zero) and normalise them to sum 1."""
    if weights is None:
        return np.full(k, 1.0 / k)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if w.shape != (k,):
        raise JudgmentError("ahp.group.weight_count", got=w.size, k=k)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise JudgmentError("ahp.group.weight_values", weights=str(w.tolist()))
    if w.sum() <= 0:
        raise JudgmentError("ahp.group.weight_zero")
    return w / w.sum()


def _stack(matrices: Any) -> np.ndarray:
    stack = as_array(matrices)
    if stack.ndim == 2:
        stack = stack[np.newaxis]
    if stack.shape[0] == 0:
        raise JudgmentError("ahp.group.no_matrices")
    return stack


def aggregate_judgments(
    matrices: MatrixLike, weights: Sequence[float] | np.ndarray | None = None
) -> np.ndarray:
    """Aggregate individual judgments (AIJ) by the element-wise weighted geometric mean.

    For experts k = 1..K with normalised weights w_k (equal by default),

        a_ij^G = exp( sum_{k in K_ij} w_k ln a_ij^(k) / sum_{k in K_ij} w_k ),

    where K_ij is the set of experts who gave judgment (i, j) (NaN = missing). Because
    ln a_ji^(k) = -ln a_ij^(k) and K_ij = K_ji, the result is reciprocal (Aczél & Saaty 1983).
    A cell no expert judged stays NaN (the caller's priority method may then complete it).

    Parameters
    ----------
    matrices
        A (k, n, n) stack, a sequence of (n, n) arrays or :class:`~ahp.matrix.JudgmentMatrix`,
        or one (n, n) matrix (returned unchanged up to validation).
    weights
        Optional (k,) expert weights, normalised to sum 1.

    Returns
    -------
    numpy.ndarray
        The (n, n) group matrix.
    """
    stack = _stack(matrices)
    k, n, _ = stack.shape
    w = _expert_weights(weights, k)
    logs = np.log(stack).reshape(k, n * n)
    group = np.exp(group_log_judgments(w[None, :], logs)[0]).reshape(n, n)
    np.fill_diagonal(group, 1.0)
    return group


def aggregate_priorities(
    vectors: Any, weights: Any = None, method: str = "geometric"
) -> np.ndarray:
    """Aggregate individual priorities (AIP) of k experts into one normalised vector.

    ``"geometric"``: v_i = prod_k p_ki^(w_k) / sum_j prod_k p_kj^(w_k)
    ``"arithmetic"``: v_i = sum_k w_k p_ki / sum_j sum_k w_k p_kj
    (Forman & Peniwati 1998). ``vectors`` has shape (k, n) or (..., k, n) (for example
    Monte Carlo draws of a whole panel); the result drops the expert axis.
    """
    p = np.asarray(vectors, dtype=float)
    if p.ndim < 2 or p.shape[-2] == 0 or p.shape[-1] == 0:
        raise JudgmentError("ahp.group.vector_shape", shape=str(p.shape))
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise JudgmentError("ahp.group.vector_values")
    w = _expert_weights(weights, p.shape[-2])
    if method == "geometric":
        with np.errstate(divide="ignore"):
            combined = np.exp(np.einsum("...kn,k->...n", np.log(p), w))
    elif method == "arithmetic":
        combined = np.einsum("...kn,k->...n", p, w)
    else:
        raise JudgmentError("ahp.group.method", method=method)
    total = combined.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise JudgmentError("ahp.group.mean_zero", mean=Message(f"ahp.group.mean.{method}"))
    return combined / total



# ---------------------------------------------------------------------------- batched
# Many weightings of the same panel at once (one row per draw): the Monte Carlo of
# evaluation.uncertainty resamples the experts (bootstrap counts) and perturbs their judgments;
# aggregate_judgments is the one-row case of the same AIJ formula.
def reciprocal_matrices(upper_logs: np.ndarray, n: int) -> np.ndarray:
    """Reciprocal matrices ``(draws, n, n)`` from upper-triangle log judgments ``(draws, P)``
    (``P = n(n−1)/2``, row-major order of ``numpy.triu_indices(n, 1)``)."""
    rows, cols = np.triu_indices(n, 1)
    out = np.ones((upper_logs.shape[0], n, n))
    out[:, rows, cols] = np.exp(upper_logs)
    out[:, cols, rows] = np.exp(-upper_logs)
    return out


def group_log_judgments(
    counts: np.ndarray, logs: np.ndarray, shift: np.ndarray | None = None
) -> np.ndarray:
    """AIJ in logs for many weightings: ``(draws, P)`` from expert logs ``(k, P)`` (NaN = not
    judged) and per-draw expert weights ``counts`` ``(draws, k)`` (need not sum to 1):

        ln a_p^(s) = Σ_k c_sk (ln a_p^(k) + shift_skp) / Σ_{k judged p} c_sk,

    NaN where no weighted expert judged p. ``shift`` (draws, k, P) float32 optionally moves
    each judgment per draw (judgment noise).
    """
    given = ~np.isnan(logs)
    filled = np.where(given, logs, 0.0)
    total = counts @ given.astype(float)
    log_sum = counts @ filled
    if shift is not None:
        log_sum = log_sum + np.einsum("sk,skp->sp", counts.astype(np.float32), shift)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, log_sum / np.where(total > 0, total, 1.0), np.nan)


def group_priority_draws(
    counts: np.ndarray,
    logs: np.ndarray,
    n: int,
    aggregation: str = "AIJ",
    method: str = "eigenvector",
    shift: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Group priorities of one node for many weightings of its experts, and the weightings
    without any contributing expert.

    ``counts`` (draws, k) weighs the experts in each draw, ``logs`` (k, P) are their
    upper-triangle log judgments (NaN = not judged) and ``shift`` (draws, k, P) optional
    per-draw moves of them. ``"AIJ"``: priorities (one batched call) of the matrices of
    :func:`group_log_judgments`; ``"AIP"``: the counts-weighted geometric mean of the experts'
    priority vectors, normalised (Forman & Peniwati 1998). Returns weights ``(draws, n)``
    (undefined rows where ``empty``) and ``empty`` ``(draws,)``.
    """
    if aggregation == "AIP":
        return _aip_draws(counts, logs, shift, n, method)
    group = group_log_judgments(counts, logs, shift)
    empty = np.all(np.isnan(group), axis=1)
    weights = np.empty((len(group), n))
    if (~empty).any():
        weights[~empty] = priorities(reciprocal_matrices(group[~empty], n), method)
    return weights, empty


def _aip_draws(
    counts: np.ndarray, logs: np.ndarray, shift: np.ndarray | None, n: int, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Counts-weighted geometric mean of the experts' priority vectors, ``(draws, n)``."""
    k = logs.shape[0]
    if shift is None:
        individual = priorities(reciprocal_matrices(logs, n), method)[None]
    else:
        noisy = (logs[None] + shift).reshape(-1, logs.shape[1])
        individual = priorities(reciprocal_matrices(noisy, n), method).reshape(-1, k, n)
    total = counts.sum(axis=1)
    empty = total <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_log = np.einsum("sk,skn->sn", counts, np.log(individual)) / total[:, None]
    combined = np.exp(mean_log - mean_log.max(axis=1, keepdims=True))
    return combined / combined.sum(axis=1, keepdims=True), empty

@dataclass(frozen=True)
class ExpertScreen:
    """Consistency screening of a panel.

    ``cr`` holds every expert's consistency ratio (in input order); ``inconsistent`` the experts
    with CR ≥ ``threshold``; ``excluded`` maps the experts left out to the reason (empty unless
    exclusion was asked for); ``included`` the experts kept.
    """

    names: list[str]
    cr: np.ndarray
    threshold: float
    inconsistent: list[str]
    included: list[str]
    excluded: dict[str, str]

    @property
    def mask(self) -> np.ndarray:
        """Boolean (k,) array: True for included experts, in input order."""
        return np.isin(np.asarray(self.names, dtype=object), np.asarray(self.included, object))


def screen_experts(
    matrices: Any,
    threshold: float = 0.10,
    exclude: bool = False,
    names: Sequence[str] | None = None,
    ri_table: str = "saaty",
) -> ExpertScreen:
    """Compute every expert's CR in one stacked call and optionally exclude the inconsistent.

    An expert is inconsistent when CR ≥ ``threshold`` (Saaty's rule accepts CR < 0.10). With
    ``exclude=True`` those experts are excluded with a reason such as ``"CR 0.142 ≥ 0.10"``.

    Raises
    ------
    JudgmentError
        If exclusion would leave no expert, or ``names`` does not match the number of experts.
    """
    stack = _stack(matrices)
    k = stack.shape[0]
    labels = [f"expert {i + 1}" for i in range(k)] if names is None else [str(x) for x in names]
    if len(labels) != k:
        raise JudgmentError("ahp.group.name_count", names=len(labels), k=k)
    cr = np.atleast_1d(np.asarray(consistency(stack, ri_table=ri_table).cr, dtype=float))
    return screen_cr(cr, labels, threshold=threshold, exclude=exclude)


def screen_cr(
    cr: Any, names: Sequence[str], threshold: float = 0.10, exclude: bool = False
) -> ExpertScreen:
    """Screening rule of :func:`screen_experts` applied to consistency ratios already computed.

    A NaN CR (no ratio defined) counts as consistent.
    """
    cr = np.atleast_1d(np.asarray(cr, dtype=float))
    labels = [str(x) for x in names]
    if len(labels) != cr.size:
        raise JudgmentError("ahp.group.name_count_cr", names=len(labels), k=cr.size)
    bad = cr >= threshold
    reasons = {labels[i]: f"CR {cr[i]:.3f} ≥ {threshold:.2f}" for i in np.flatnonzero(bad)}
    if exclude and cr.size and bad.all():
        detail = [Message("ahp.group.expert_reason", name=name, why=why)
                  for name, why in reasons.items()]
        raise JudgmentError("ahp.group.all_inconsistent", k=cr.size,
                            threshold=f"{threshold:.2f}", detail=detail)
    excluded = reasons if exclude else {}
    return ExpertScreen(
        names=labels,
        cr=cr,
        threshold=threshold,
        inconsistent=list(reasons),
        included=[x for x in labels if x not in excluded],
        excluded=excluded,
    )


CONSENSUS_WORDS: tuple[tuple[float, str, str], ...] = (
    (0.5, "很低", "very low"),
    (0.625, "低", "low"),
    (0.75, "中等", "moderate"),
    (0.875, "高", "high"),
    (np.inf, "很高", "very high"),
)
"""Goepel's word scale for S* (upper bound, Chinese, English): < 0.5 very low … > 0.875 very
high (bpmsg.com, "AHP consensus word scale")."""


@dataclass(frozen=True)
class Consensus:
    """Goepel's consensus indicators for k priority vectors over n elements.

    ``s_star`` is the AHP consensus S* (0 none … 1 full), ``relative_homogeneity`` the
    uncorrected S, and ``alpha_diversity`` / ``beta_diversity`` / ``gamma_diversity`` the Hill
    numbers D = exp(H) of the Shannon α, β and γ entropies. Scalars for one panel, arrays for a
    batch.
    """

    s_star: Any
    relative_homogeneity: Any
    alpha_diversity: Any
    beta_diversity: Any
    gamma_diversity: Any
    n: int
    k: int

    def label(self, lang: str = "en") -> Any:
        """Goepel's word scale for ``s_star`` (``"zh"`` or ``"en"``)."""
        column = {"zh": 1, "en": 2}.get(lang)
        if column is None:
            raise ValueError(f"lang must be 'zh' or 'en', got '{lang}'")
        bounds = np.array([b for b, *_ in CONSENSUS_WORDS])
        words = np.array([row[column] for row in CONSENSUS_WORDS], dtype=object)
        picked = words[np.searchsorted(bounds, np.asarray(self.s_star), side="right")]
        return picked if np.ndim(picked) else str(picked)


def _entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy -sum p ln p over the last axis (0 ln 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return terms.sum(axis=-1)


def consensus(vectors: Any, scale_max: float = 9.0) -> Consensus:
    """Goepel's AHP group consensus S* from the experts' priority vectors.

    With p_kj the priority of element j for expert k (k = 1..K, j = 1..n), p̄_j = mean_k p_kj:

        H_α = (1/K) sum_k sum_j -p_kj ln p_kj          (mean within-expert entropy)
        H_γ = sum_j -p̄_j ln p̄_j                        (entropy of the pooled priorities)
        H_β = H_γ - H_α,   D_x = exp(H_x)               (Hill numbers, D_β = D_γ / D_α)

    Relative homogeneity (Goepel 2013): S = (1/D_β - 1/n) / (1 - 1/n).
    AHP consensus (Goepel 2018, AHP-OS): the bounds are taken from the judgment scale with
    maximum M (9 for Saaty's scale): H_α,min is the entropy of the vector (M, 1, …, 1)/(n+M-1)
    (one element judged M times more important than every other) and H_γ,max = ln n, so

        c = exp(H_α,min) / n,   S* = (1/D_β - c) / (1 - c).

    S* is 1 when all experts agree and falls towards 0 as they diverge (it may leave [0, 1]
    slightly for very inconsistent inputs, which are more extreme than the scale bound).
    ``vectors`` has shape (k, n) or (..., k, n); each vector is normalised to sum 1.

    Raises
    ------
    JudgmentError
        Fewer than 2 experts or elements, or negative / non-finite priorities.
    """
    p = np.asarray(vectors, dtype=float)
    if p.ndim < 2 or p.shape[-2] < 2 or p.shape[-1] < 2:
        raise JudgmentError("ahp.group.consensus_shape", shape=str(p.shape))
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p.sum(axis=-1) <= 0):
        raise JudgmentError("ahp.group.consensus_values")
    k, n = p.shape[-2], p.shape[-1]
    p = p / p.sum(axis=-1, keepdims=True)
    h_alpha = _entropy(p).mean(axis=-1)
    h_gamma = _entropy(p.mean(axis=-2))
    d_alpha, d_gamma = np.exp(h_alpha), np.exp(h_gamma)
    d_beta = d_gamma / d_alpha
    homogeneity = (1 / d_beta - 1 / n) / (1 - 1 / n)
    extreme = np.full(n, 1.0)
    extreme[0] = scale_max
    c = np.exp(_entropy(extreme / extreme.sum())) / n
    s_star = (1 / d_beta - c) / (1 - c)

    def out(x: np.ndarray) -> Any:
        return float(x) if np.ndim(x) == 0 else x

    return Consensus(
        s_star=out(s_star),
        relative_homogeneity=out(homogeneity),
        alpha_diversity=out(d_alpha),
        beta_diversity=out(d_beta),
        gamma_diversity=out(d_gamma),
        n=n,
        k=k,
    )
