"""Property tests (hypothesis) of priorities and consistency."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ahp import JudgmentMatrix, consistency, priorities
from ahp.scale import SAATY_VALUES

METHODS = st.sampled_from(["eigenvector", "geometric", "arithmetic"])
SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def weight_vectors(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=12))
    return draw(arrays(np.float64, n, elements=st.floats(0.05, 20.0)))


@st.composite
def saaty_matrices(draw: st.DrawFn, min_n: int = 1, max_n: int = 9) -> np.ndarray:
    n = draw(st.integers(min_value=min_n, max_value=max_n))
    upper = draw(st.lists(st.sampled_from(SAATY_VALUES), min_size=n * (n - 1) // 2,
                          max_size=n * (n - 1) // 2))
    return np.array(JudgmentMatrix.from_upper_triangle(upper).values)


@SETTINGS
@given(w=weight_vectors(), method=METHODS)
def test_consistent_matrix_gives_back_its_weights(w: np.ndarray, method: str) -> None:
    a = np.outer(w, 1 / w)
    np.testing.assert_allclose(priorities(a, method), w / w.sum(), rtol=1e-10, atol=1e-13)
    result = consistency(a)
    assert 0.0 <= result.cr < 1e-10
    assert result.acceptable


@SETTINGS
@given(a=saaty_matrices(), method=METHODS, data=st.data())
def test_relabelling_permutes_the_weights(a: np.ndarray, method: str, data: st.DataObject) -> None:
    order = np.array(data.draw(st.permutations(range(a.shape[0]))))
    permuted = a[np.ix_(order, order)]
    np.testing.assert_allclose(priorities(permuted, method), priorities(a, method)[order],
                               atol=1e-12)
    assert np.isclose(consistency(permuted).cr, consistency(a).cr, rtol=0, atol=1e-12)


@SETTINGS
@given(a=saaty_matrices(min_n=3, max_n=7), data=st.data())
def test_relabelling_incomplete_matrices(a: np.ndarray, data: st.DataObject) -> None:
    n = a.shape[0]
    i = data.draw(st.integers(0, n - 3))
    a[i, i + 2] = a[i + 2, i] = np.nan
    order = np.array(data.draw(st.permutations(range(n))))
    permuted = a[np.ix_(order, order)]
    for method in ("eigenvector", "geometric"):
        np.testing.assert_allclose(priorities(permuted, method), priorities(a, method)[order],
                                   atol=1e-12)


@SETTINGS
@given(
    n=st.integers(min_value=1, max_value=9),
    k=st.integers(min_value=1, max_value=12),
    seed=st.integers(0, 2**32 - 1),
    method=METHODS,
)
def test_stack_equals_one_by_one(n: int, k: int, seed: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n, k=1)
    upper = rng.choice(np.asarray(SAATY_VALUES), size=(k, rows.size))
    stack = np.ones((k, n, n))
    stack[:, rows, cols] = upper
    stack[:, cols, rows] = 1 / upper
    together = priorities(stack, method)
    assert together.shape == (k, n)
    np.testing.assert_allclose(together, [priorities(a, method) for a in stack], atol=1e-12)
    np.testing.assert_allclose(consistency(stack).cr, [consistency(a).cr for a in stack],
                               atol=1e-12)
