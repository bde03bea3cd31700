"""Monte Carlo uncertainty of community scores and ranks: expert panel, judgments, residents.

A composite score depends on two samples: the expert panel that set the weights and the
residents who answered the questionnaire. Each draw of :func:`monte_carlo` varies any of three
switchable sources and recomputes every community's goal (A) and dimension (B) scores:

(a) **panel** (expert bootstrap): the K experts are resampled with replacement, the same draw
    for every node, so draw s gives expert k a count ``c_sk`` (multinomial(K, 1/K)). The group
    matrix of a node is the AIJ of the resampled experts, i.e. the counts-weighted geometric mean

        ln a_ij^(s) = Σ_k c_sk ω_k δ_kij ln a_ij^(k) / Σ_k c_sk ω_k δ_kij,

    (ω expert weights, δ = 1 where the expert judged the pair), one matrix product per node
    over all draws, then **one** batched priorities call per node over all draws. Under AIP
    the individual priority vectors are combined by the same counts-weighted geometric mean.
    Experts excluded from a node by the CR rule of :func:`ahp.panel.panel_weights` stay
    excluded (Efron & Tibshirani 1993, nonparametric bootstrap).
(b) **judgment noise** with probability ``p``: each judgment of each expert independently
    moves one step on Saaty's 17-value scale (1/9, …, 1/2, 1, 2, …, 9), up or down with equal
    chance (at 9 or 1/9 to the only neighbour), i.e. ``ln a + (ln v_{i±1} − ln v_i)`` where
    ``v_i`` is the scale value nearest to ``a``; the reciprocal judgment moves with it.
    Experts are then aggregated as in (a) (with equal counts when the panel source is off).
(c) **residents** (stratified bootstrap): within each community the respondents are drawn
    with replacement, as many as it has. The bootstrap item mean is the multinomial-weighted
    mean ``x̄*_cd = Σ_r K_sr x_rd / Σ_r K_sr δ_rd`` with ``K_s·`` ~ multinomial(n_c, 1/n_c) over
    the community's respondents (δ_rd = 1 where r answered d: available-case means, as in
    :func:`survey.scoring.score`). This is the exact respondent bootstrap, so the items of a
    respondent stay together and their correlation carries into the composite; no normal
    approximation is made. An item with no answer in a resample leaves the scores above it
    undefined in that draw, as in :func:`survey.scoring.score`.

Scores follow the rule of :mod:`survey.scoring`: dimension ``S_b = Σ_{d ∈ b} r_d x̄_d`` with
``r_d`` the product of the local weights below b, goal ``S_A = Σ_b w_b S_b``.

Summaries (per community and code A, B1, …): the nominal score and rank (from
:func:`survey.scoring.score`; rank 1 is the best, ties share the smaller rank), the mean score,
the percentile interval (default 5–95 %), the mean and median rank and the rank band (5th and
95th percentile of the rank, inverted empirical CDF), the probability of ranking in the top
``top`` or the bottom ``top``, and for the goal the probability that community i scores higher
than j. This follows the rank statistics of composite-indicator uncertainty analysis (Saisana,
Saltelli & Tarantola 2005; OECD/JRC 2008, step 7). Communities under ``min_respondents`` are
excluded, never ranked.

Speed: draws are computed in float32 (relative precision 1e-7), in chunks of draws that bound
the memory (10,000 draws × 1,000 communities × 57 items never exist at once); there is no
Python loop over draws, matrices or communities (only over the hierarchy's nodes and over
chunks). Two threads share the work: one draws the residents and computes item means and
dimension scores, the other stores the scores and ranks the draws (numpy releases the GIL in
both). Resident resampling picks each respondent by ``floor(u · n_c)`` from a float32 uniform
u (a bias below n_c · 2^-24). Ranks use one sort per draw and code.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saisana, M., Saltelli, A., & Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *Journal of the Royal
Statistical Society A*, 168(2), 307-323.
OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing.
"""

from evaluation.uncertainty.result import SUMMARY_COLUMNS, UncertaintyResult
from evaluation.uncertainty.run import monte_carlo

__all__ = ["SUMMARY_COLUMNS", "UncertaintyResult", "monte_carlo"]
