"""Tests of ahp.group: AIJ, AIP, expert screening and Goepel's consensus indicator."""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahp.errors import JudgmentError
from ahp.group import (
    Consensus,
    aggregate_judgments,
    aggregate_priorities,
    consensus,
    screen_cr,
    screen_experts,
)
from ahp.priorities import priorities
from ahp.scale import SAATY_VALUES

CITY200 = Path(__file__).resolve().parent / "data" / "ahpsurvey-city200" / "city200.csv"
CITY_ATTRIBUTES = ["cult", "fam", "house", "jobs", "trans"]


def city200_stack() -> np.ndarray:
    """The ahpsurvey city200 respondents as a (200, 5, 5) stack.

    ahpsurvey coding (negconvert): a negative value means the left attribute of the column
    name is more important, a[left, right] = |v|; a positive v > 1 gives a[left, right] = 1/v.
    """
    frame = pd.read_csv(CITY200)
    n = len(CITY_ATTRIBUTES)
    stack = np.ones((len(frame), n, n))
    for column in frame.columns.drop("respondent"):
        left, right = column.split("_")
        i, j = CITY_ATTRIBUTES.index(left), CITY_ATTRIBUTES.index(right)
        v = frame[column].to_numpy(dtype=float)
        a = np.where(v < 0, -v, np.where(v > 1, 1 / v, 1.0))
        stack[:, i, j], stack[:, j, i] = a, 1 / a
    return stack


def consistent(w: np.ndarray) -> np.ndarray:
    return np.asarray(w)[:, None] / np.asarray(w)[None, :]


# ---------------------------------------------------------------- AIJ
def test_city200_aij_matches_ahpsurvey():
    """ahpsurvey documentation (Cho 2019, vignette): AIJ row cult ≈ 1, 0.22, 3.093, 0.488, 4.64."""
    group = aggregate_judgments(city200_stack())
    assert group[0] == pytest.approx([1, 0.22, 3.093, 0.488, 4.64], abs=5e-3)
    assert np.allclose(group * group.T, 1.0)


def test_city200_screening_matches_ahpsurvey_count():
    """ahpsurvey with RI(5) = 1.11 (Saaty 2005 table): 130 of 200 respondents have CR ≤ 0.1."""
    screen = screen_experts(city200_stack(), ri_table="saaty2005", exclude=True)
    assert len(screen.included) == 130
    assert len(screen.excluded) == 70
    assert screen.mask.sum() == 130
    assert screen.names[0] == "expert 1"


def test_aij_two_experts_by_hand():
    a = np.array([[1, 3, 9], [1 / 3, 1, 3], [1 / 9, 1 / 3, 1]])
    b = np.array([[1, 1 / 3, 1], [3, 1, 1], [1, 1, 1]])
    group = aggregate_judgments([a, b])
    assert group[0, 1] == pytest.approx(1.0)
    assert group[0, 2] == pytest.approx(3.0)
    assert group[1, 2] == pytest.approx(math.sqrt(3))
    weighted = aggregate_judgments(np.stack([a, b]), weights=[3, 1])
    assert weighted[0, 2] == pytest.approx(9**0.75)


def test_aij_missing_judgments_use_experts_who_gave_them():
    nan = np.nan
    a = np.array([[1, 2, nan], [1 / 2, 1, 4], [nan, 1 / 4, 1]])
    b = np.array([[1, 8, 5], [1 / 8, 1, 1], [1 / 5, 1, 1]])
    group = aggregate_judgments([a, b], weights=[1, 3])
    assert group[0, 2] == pytest.approx(5.0)  # only expert b judged (1, 3)
    assert group[0, 1] == pytest.approx(2**0.25 * 8**0.75)
    assert group[2, 0] == pytest.approx(1 / 5)


def test_aij_cell_nobody_judged_stays_missing():
    nan = np.nan
    a = np.array([[1, 2, nan], [1 / 2, 1, 4], [nan, 1 / 4, 1]])
    group = aggregate_judgments([a, a])
    assert np.isnan(group[0, 2]) and np.isnan(group[2, 0])
    assert np.all(np.diag(group) == 1)


def test_aij_single_matrix_is_returned():
    a = consistent([0.5, 0.3, 0.2])
    assert np.allclose(aggregate_judgments(a), a)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(1, 5),
    st.data(),
)
def test_aij_of_reciprocal_matrices_is_reciprocal(n, k, data):
    values = data.draw(
        st.lists(st.sampled_from(SAATY_VALUES), min_size=k * n * n, max_size=k * n * n)
    )
    upper = np.triu(np.reshape(values, (k, n, n)), 1)
    stack = np.where(upper > 0, upper, 1.0)
    lower = np.swapaxes(stack, 1, 2)
    stack = np.where(np.tril(np.ones((n, n)), -1) > 0, 1 / lower, stack)
    weights = data.draw(st.lists(st.floats(0.1, 10), min_size=k, max_size=k))
    group = aggregate_judgments(stack, weights)
    assert np.allclose(group * group.T, 1.0)
    assert np.all(group >= 1 / 9 - 1e-9) and np.all(group <= 9 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 6), st.integers(1, 5), st.data())
def test_aij_of_incomplete_reciprocal_matrices_is_reciprocal(n, k, data):
    """Each expert leaves out a random set of pairs (keeping a connecting chain): the group
    matrix is reciprocal where any expert judged and missing (NaN) on both sides elsewhere."""
    rows, cols = np.triu_indices(n, k=1)
    stack = np.ones((k, n, n))
    for e in range(k):
        upper = np.array(data.draw(st.lists(st.sampled_from(SAATY_VALUES), min_size=rows.size,
                                            max_size=rows.size)))
        chain = cols == rows + 1
        dropped = np.array(data.draw(st.lists(st.booleans(), min_size=rows.size,
                                              max_size=rows.size))) & ~chain
        upper[dropped] = np.nan
        stack[e, rows, cols], stack[e, cols, rows] = upper, 1 / upper
    group = aggregate_judgments(stack)
    judged = ~np.isnan(stack).all(axis=0)
    assert np.array_equal(np.isnan(group), ~judged)
    assert np.allclose((group * group.T)[judged], 1.0)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1.0], "got 1 weights for 2 experts"),
        ([1.0, -1.0], "must be finite and non-negative"),
        ([1.0, np.nan], "must be finite and non-negative"),
        ([0.0, 0.0], "must not all be zero"),
    ],
)
def test_aij_bad_expert_weights(weights, message):
    a = consistent([0.5, 0.5])
    with pytest.raises(JudgmentError, match=re.escape(message)):
        aggregate_judgments([a, a], weights)


def test_aij_rejects_invalid_matrices_and_empty_input():
    with pytest.raises(JudgmentError, match="not reciprocal"):
        aggregate_judgments([[[1, 2], [2, 1]]])
    with pytest.raises(JudgmentError):
        aggregate_judgments(np.empty((0, 2, 2)))


# ---------------------------------------------------------------- AIP
def test_aip_geometric_and_arithmetic_by_hand():
    p = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    geo = aggregate_priorities(p)
    raw = np.sqrt(p[0] * p[1])
    assert geo == pytest.approx(raw / raw.sum())
    arith = aggregate_priorities(p, method="arithmetic")
    assert arith == pytest.approx([0.4, 0.4, 0.2])
    weighted = aggregate_priorities(p, weights=[1, 3], method="arithmetic")
    assert weighted == pytest.approx(0.25 * p[0] + 0.75 * p[1])


def test_aip_batches_over_leading_axes():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=(7, 3))  # 7 draws of a 3-expert panel
    out = aggregate_priorities(p)
    assert out.shape == (7, 4)
    assert out[5] == pytest.approx(aggregate_priorities(p[5]))
    assert out.sum(axis=1) == pytest.approx(np.ones(7))


@pytest.mark.parametrize(
    ("vectors", "method", "message"),
    [
        (np.array([0.5, 0.5]), "geometric", "must have shape (k, n), got (2,)"),
        (np.array([[0.5, -0.5]]), "geometric", "finite and non-negative"),
        (np.array([[0.5, 0.5]]), "median", "method must be 'geometric' or 'arithmetic'"),
        (np.array([[1.0, 0.0], [0.0, 1.0]]), "geometric", "is zero for every element"),
    ],
)
def test_aip_bad_input(vectors, method, message):
    with pytest.raises(JudgmentError, match=re.escape(message)):
        aggregate_priorities(vectors, method=method)


def test_aip_of_identical_experts_is_their_vector():
    w = np.array([0.5, 0.3, 0.2])
    stack = np.stack([consistent(w)] * 3)
    assert aggregate_priorities(priorities(stack)) == pytest.approx(w)


# ---------------------------------------------------------------- screening
def test_screen_reports_and_excludes_with_reason():
    good = consistent([0.5, 0.3, 0.2])
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    kept = screen_experts([good, bad], names=["E01", "E02"])
    assert kept.included == ["E01", "E02"]
    assert kept.excluded == {}
    assert kept.inconsistent == ["E02"]
    assert kept.cr[0] == pytest.approx(0.0, abs=1e-9)
    dropped = screen_experts([good, bad], names=["E01", "E02"], exclude=True)
    assert dropped.included == ["E01"]
    assert re.fullmatch(r"CR \d+\.\d{3} ≥ 0\.10", dropped.excluded["E02"])
    assert list(dropped.mask) == [True, False]


def test_screen_all_inconsistent_is_an_error():
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(JudgmentError, match=r"all 2 experts are inconsistent .* E1 \(CR"):
        screen_experts([bad, bad], names=["E1", "E2"], exclude=True)
    # without exclusion they are only reported
    assert screen_experts([bad, bad]).inconsistent == ["expert 1", "expert 2"]


def test_screen_names_must_match():
    a = consistent([0.5, 0.5])
    with pytest.raises(JudgmentError, match="1 expert names for 2 matrices"):
        screen_experts([a, a], names=["E1"])
    with pytest.raises(JudgmentError, match="2 expert names for 1 consistency ratios"):
        screen_cr([0.05], ["E1", "E2"])


def test_screen_threshold_is_inclusive_at_the_limit():
    screen = screen_cr([0.1, 0.0999], ["E1", "E2"], threshold=0.10, exclude=True)
    assert screen.excluded == {"E1": "CR 0.100 ≥ 0.10"}


# ---------------------------------------------------------------- consensus
def test_consensus_of_identical_experts_is_one():
    w = np.array([[0.5, 0.3, 0.2]] * 4)
    c = consensus(w)
    assert isinstance(c, Consensus)
    assert c.s_star == pytest.approx(1.0)
    assert c.relative_homogeneity == pytest.approx(1.0)
    assert c.beta_diversity == pytest.approx(1.0)
    assert (c.k, c.n) == (4, 3)
    assert c.label() == "very high" and c.label("zh") == "很高"


@pytest.mark.parametrize("n", [2, 3, 5, 7])
def test_consensus_is_zero_at_goepels_lower_bound(n):
    """Goepel (2018): S* = 0 when n experts each rate a different element M = 9 times more
    important than all others (H_α = H_α,min and H_γ = H_γ,max = ln n)."""
    extreme = np.ones((n, n)) + 8 * np.eye(n)
    c = consensus(extreme / extreme.sum(axis=1, keepdims=True))
    assert c.s_star == pytest.approx(0.0, abs=1e-12)
    assert c.gamma_diversity == pytest.approx(n)
    assert c.label() == "very low"


def test_consensus_by_hand_two_experts():
    p = np.array([[0.7, 0.3], [0.4, 0.6]])

    def h(v):
        return -np.sum(v * np.log(v))

    h_alpha = (h(p[0]) + h(p[1])) / 2
    h_gamma = h(p.mean(axis=0))
    inv_beta = math.exp(h_alpha - h_gamma)
    c_min = math.exp(h(np.array([0.9, 0.1]))) / 2
    c = consensus(p)
    assert c.relative_homogeneity == pytest.approx((inv_beta - 0.5) / 0.5)
    assert c.s_star == pytest.approx((inv_beta - c_min) / (1 - c_min))
    assert c.alpha_diversity == pytest.approx(math.exp(h_alpha))
    assert 0 < c.s_star < c.relative_homogeneity < 1


def test_consensus_vectorizes_over_panels():
    rng = np.random.default_rng(3)
    panels = rng.dirichlet(np.ones(5), size=(6, 4))
    batch = consensus(panels)
    assert batch.s_star.shape == (6,)
    assert batch.s_star[2] == pytest.approx(consensus(panels[2]).s_star)
    assert list(batch.label()) == [consensus(x).label() for x in panels]


def test_consensus_word_scale_bounds():
    assert Consensus(0.5, 0, 0, 0, 0, 2, 2).label() == "low"
    assert Consensus(0.7, 0, 0, 0, 0, 2, 2).label() == "moderate"
    assert Consensus(0.8, 0, 0, 0, 0, 2, 2).label("zh") == "高"
    with pytest.raises(ValueError, match="lang must be 'zh' or 'en'"):
        Consensus(0.8, 0, 0, 0, 0, 2, 2).label("fr")


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (np.array([[0.5, 0.5]]), "at least 2 experts and 2 elements, got shape (1, 2)"),
        (np.array([[1.0], [1.0]]), "at least 2 experts and 2 elements"),
        (np.array([[0.5, np.nan], [0.5, 0.5]]), "finite, non-negative"),
        (np.array([[0.0, 0.0], [0.5, 0.5]]), "not all zero"),
    ],
)
def test_consensus_bad_input(vectors, message):
    with pytest.raises(JudgmentError, match=re.escape(message)):
        consensus(vectors)


def test_city200_consensus_is_high():
    c = consensus(priorities(city200_stack()))
    assert 0.9 < c.s_star < c.relative_homogeneity < 1
