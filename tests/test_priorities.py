"""Tests of ahp.priorities: eigenvector, geometric and arithmetic methods, stacks, missing."""

import importlib

import numpy as np
import pytest
from scipy.optimize import least_squares

from ahp import JudgmentError, JudgmentMatrix, harker_matrix, principal_eigen, priorities
from ahp.scale import SAATY_VALUES

NAN = np.nan
# ``ahp.priorities`` is also the name of the function re-exported by the package.
priorities_module = importlib.import_module("ahp.priorities")
HOUSE_UPPER = [5, 3, 7, 6, 6, 1 / 3, 1 / 4, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7, 6, 3, 4, 6, 1 / 5,
               1 / 3, 1 / 4, 1 / 7, 1 / 8, 1 / 2, 1 / 5, 1 / 6, 1 / 5, 1 / 6, 1 / 2]


def random_stack(k: int, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n, k=1)
    upper = rng.choice(np.asarray(SAATY_VALUES), size=(k, rows.size))
    stack = np.ones((k, n, n))
    stack[:, rows, cols] = upper
    stack[:, cols, rows] = 1 / upper
    return stack


def lapack_eigenvector(a: np.ndarray) -> tuple[np.ndarray, float]:
    values, vectors = np.linalg.eig(a)
    index = int(np.argmax(values.real))
    vector = np.abs(vectors[:, index].real)
    return vector / vector.sum(), float(values[index].real)


def test_eigenvector_matches_lapack_to_1e12() -> None:
    stack = random_stack(500, 7)
    weights = priorities(stack)
    assert weights.shape == (500, 7)
    for a, w in zip(stack[:20], weights[:20], strict=True):
        np.testing.assert_allclose(w, lapack_eigenvector(a)[0], rtol=0, atol=1e-12)
    eigen = principal_eigen(stack)
    reference = np.array([lapack_eigenvector(a)[1] for a in stack])
    np.testing.assert_allclose(eigen.lambda_max, reference, rtol=0, atol=1e-10)


def test_eigenvector_of_the_house_matrix() -> None:
    house = JudgmentMatrix.from_upper_triangle(HOUSE_UPPER)
    w, lam = lapack_eigenvector(np.asarray(house.values))
    np.testing.assert_allclose(priorities(house), w, atol=1e-13)
    assert principal_eigen(house).lambda_max == pytest.approx(lam, abs=1e-12)


def test_lapack_fallback_when_squaring_is_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = random_stack(50, 6, seed=3)
    monkeypatch.setattr(priorities_module, "_SQUARINGS", 0)
    monkeypatch.setattr(priorities_module, "_MAX_STEPS", 0)
    cut = priorities(stack)
    for a, w in zip(stack, cut, strict=True):
        np.testing.assert_allclose(w, lapack_eigenvector(a)[0], atol=1e-12)


def test_geometric_is_row_geometric_mean() -> None:
    house = JudgmentMatrix.from_upper_triangle(HOUSE_UPPER)
    means = np.prod(house.values, axis=1) ** (1 / 8)
    np.testing.assert_allclose(priorities(house, "geometric"), means / means.sum(), atol=1e-15)


def test_arithmetic_is_mean_of_normalised_columns() -> None:
    house = np.asarray(JudgmentMatrix.from_upper_triangle(HOUSE_UPPER).values)
    expected = (house / house.sum(axis=0)).mean(axis=1)
    np.testing.assert_allclose(priorities(house, "arithmetic"), expected, atol=1e-15)


@pytest.mark.parametrize("method", ["eigenvector", "geometric", "arithmetic"])
def test_every_vector_sums_to_one(method: str) -> None:
    weights = priorities(random_stack(100, 5, seed=1), method)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-14)
    assert (weights > 0).all()


@pytest.mark.parametrize("method", ["eigenvector", "geometric", "arithmetic"])
def test_one_and_two_elements(method: str) -> None:
    assert priorities([[1.0]], method).tolist() == [1.0]
    np.testing.assert_allclose(priorities([[1, 3], [1 / 3, 1]], method), [0.75, 0.25])


def test_harker_matrix_construction() -> None:
    a = np.array([[1, NAN, 3], [NAN, 1, 2], [1 / 3, 1 / 2, 1]])
    expected = [[2, 0, 3], [0, 2, 2], [1 / 3, 1 / 2, 1]]
    np.testing.assert_allclose(harker_matrix(a[None])[0], expected)


def test_harker_eigenvector_for_incomplete_matrix() -> None:
    a = np.array([[1, 2, NAN, 4], [1 / 2, 1, 3, NAN], [NAN, 1 / 3, 1, 2], [1 / 4, NAN, 1 / 2, 1]])
    w, lam = lapack_eigenvector(harker_matrix(a[None])[0])
    np.testing.assert_allclose(priorities(a), w, atol=1e-12)
    assert principal_eigen(a).lambda_max == pytest.approx(lam, abs=1e-12)


def test_harker_completion_is_a_fixed_point() -> None:
    """Filling a missing a_ij with w_i / w_j leaves Harker's eigenvector unchanged."""
    a = np.array([[1, 2, NAN, 4], [1 / 2, 1, 3, NAN], [NAN, 1 / 3, 1, 2], [1 / 4, NAN, 1 / 2, 1]])
    w = priorities(a)
    completed = np.where(np.isnan(a), np.outer(w, 1 / w), a)
    np.testing.assert_allclose(priorities(completed), w, atol=1e-12)


def test_geometric_for_incomplete_matrix_is_log_least_squares() -> None:
    a = np.array([[1, 2, NAN, 4], [1 / 2, 1, 3, NAN], [NAN, 1 / 3, 1, 2], [1 / 4, NAN, 1 / 2, 1]])
    rows, cols = np.nonzero(np.triu(~np.isnan(a), k=1))

    def residuals(x: np.ndarray) -> np.ndarray:
        return np.log(a[rows, cols]) - (x[rows] - x[cols])

    x = least_squares(residuals, np.zeros(4)).x
    expected = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(priorities(a, "geometric"), expected, atol=1e-9)


def test_incomplete_and_complete_matrices_in_one_stack() -> None:
    stack = random_stack(6, 4, seed=2)
    stack[1, 0, 3] = stack[1, 3, 0] = NAN
    for method in ("eigenvector", "geometric"):
        together = priorities(stack, method)
        one_by_one = np.array([priorities(a, method) for a in stack])
        np.testing.assert_allclose(together, one_by_one, atol=1e-12)


def test_arithmetic_needs_a_complete_matrix() -> None:
    a = np.array([[1, 2, NAN], [1 / 2, 1, 3], [NAN, 1 / 3, 1]])
    with pytest.raises(JudgmentError, match=r"arithmetic method needs a complete matrix; "
                                            r"judgment missing at row 1, column 3"):
        priorities(a, "arithmetic")
    with pytest.raises(JudgmentError, match=r"missing at matrix 1, row 1, column 3"):
        priorities(np.array([np.ones((3, 3)), a]), "arithmetic")


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match=r"method must be one of .*'power'"):
        priorities([[1]], "power")


def test_extreme_extended_scale_values() -> None:
    w = np.array([1e-3, 1.0, 1e3])
    a = np.outer(w, 1 / w)
    np.testing.assert_allclose(priorities(a), w / w.sum(), rtol=1e-12)
