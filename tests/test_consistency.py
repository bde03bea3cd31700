"""Tests of ahp.consistency: λmax, CI, RI tables, CR and acceptance, on matrices and stacks."""

import numpy as np
import pytest

from ahp import (
    RI_SOURCES,
    RI_TABLES,
    Consistency,
    JudgmentError,
    consistency,
    evaluate,
    harker_matrix,
    priorities,
    random_index,
)
from ahp.scale import SAATY_VALUES

NAN = np.nan
INCONSISTENT = [[1, 1 / 5, 3, 1 / 3], [5, 1, 5, 7], [1 / 3, 1 / 5, 1, 1 / 3], [3, 1 / 7, 3, 1]]


def test_formulas_against_lapack() -> None:
    a = np.array(INCONSISTENT)
    lam = float(np.max(np.linalg.eigvals(a).real))
    result = consistency(a)
    assert isinstance(result, Consistency)
    assert result.lambda_max == pytest.approx(lam, abs=1e-12)
    assert result.ci == pytest.approx((lam - 4) / 3, abs=1e-12)
    assert result.ri == 0.90
    assert result.cr == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-12)
    assert result.n == 4
    assert result.ri_table == "saaty"
    assert not result.acceptable


def test_saaty_table_is_the_commonly_cited_one() -> None:
    assert RI_TABLES["saaty"] == (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49,
                                  1.51, 1.48, 1.56, 1.57, 1.59)


def test_every_table_covers_n_1_to_15_and_has_a_source() -> None:
    assert set(RI_TABLES) == set(RI_SOURCES)
    for name, table in RI_TABLES.items():
        assert len(table) == 15, name
        assert table[:2] == (0.0, 0.0), name
        assert all(0.4 < ri < 1.7 for ri in table[2:]), name


@pytest.mark.parametrize("ri_table", sorted(RI_TABLES))
def test_ri_table_is_selectable(ri_table: str) -> None:
    result = consistency(INCONSISTENT, ri_table=ri_table)
    assert result.ri == RI_TABLES[ri_table][3]
    assert result.cr == pytest.approx(result.ci / result.ri)


def test_threshold_is_configurable() -> None:
    cr = consistency(INCONSISTENT).cr
    assert consistency(INCONSISTENT, threshold=cr + 0.01).acceptable
    assert not consistency(INCONSISTENT, threshold=cr).acceptable


@pytest.mark.parametrize("threshold", [0.0, -0.1, np.nan])
def test_threshold_must_be_positive(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold must be positive"):
        consistency(INCONSISTENT, threshold=threshold)


def test_unknown_ri_table() -> None:
    with pytest.raises(ValueError, match=r"ri_table must be one of .*'nobody'"):
        consistency(INCONSISTENT, ri_table="nobody")


def test_no_random_index_beyond_fifteen() -> None:
    with pytest.raises(JudgmentError, match=r"no random index for n = 16 in table 'saaty'"):
        consistency(np.ones((16, 16)))
    assert random_index(15) == 1.59


@pytest.mark.parametrize("n", [1, 2])
def test_one_or_two_elements_are_consistent(n: int) -> None:
    a = np.ones((n, n))
    if n == 2:
        a[0, 1], a[1, 0] = 9, 1 / 9
    result = consistency(a)
    assert (result.ci, result.cr, result.ri, result.lambda_max) == (0.0, 0.0, 0.0, float(n))
    assert result.acceptable


def test_consistent_matrix_has_zero_cr() -> None:
    w = np.array([0.5, 0.25, 0.125, 0.125])
    result = consistency(np.outer(w, 1 / w))
    assert result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert 0.0 <= result.cr < 1e-12


def test_stack_gives_arrays() -> None:
    rng = np.random.default_rng(4)
    rows, cols = np.triu_indices(5, k=1)
    upper = rng.choice(np.asarray(SAATY_VALUES), size=(300, rows.size))
    stack = np.ones((300, 5, 5))
    stack[:, rows, cols] = upper
    stack[:, cols, rows] = 1 / upper
    result = consistency(stack)
    assert result.lambda_max.shape == result.ci.shape == result.cr.shape == (300,)
    assert result.acceptable.dtype == bool
    assert result.acceptable.shape == (300,)
    reference = np.max(np.linalg.eigvals(stack).real, axis=1)
    np.testing.assert_allclose(result.lambda_max, reference, atol=1e-10)
    assert (result.ci >= 0).all()


def test_incomplete_matrix_uses_harker_lambda() -> None:
    a = np.array([[1, 2, NAN, 4], [1 / 2, 1, 3, NAN], [NAN, 1 / 3, 1, 2], [1 / 4, NAN, 1 / 2, 1]])
    lam = float(np.max(np.linalg.eigvals(harker_matrix(a[None])[0]).real))
    result = consistency(a)
    assert result.lambda_max == pytest.approx(lam, abs=1e-12)
    assert result.cr == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-12)


@pytest.mark.parametrize("method", ["eigenvector", "geometric", "arithmetic"])
def test_evaluate_equals_the_two_calls(method: str) -> None:
    stack = np.array([INCONSISTENT, np.outer([1, 2, 3, 4], [1, 1 / 2, 1 / 3, 1 / 4])])
    result = evaluate(stack, method=method, ri_table="alonso_lamata", threshold=0.2)
    assert result.method == method
    np.testing.assert_allclose(result.weights, priorities(stack, method), atol=1e-15)
    expected = consistency(stack, ri_table="alonso_lamata", threshold=0.2)
    np.testing.assert_allclose(result.consistency.cr, expected.cr, atol=1e-15)
    assert result.consistency.threshold == 0.2
    single = evaluate(INCONSISTENT, method=method)
    assert single.weights.shape == (4,)
    assert single.consistency.cr == pytest.approx(consistency(INCONSISTENT).cr)


def test_evaluate_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        evaluate(INCONSISTENT, method="median")
    with pytest.raises(ValueError, match="threshold must be positive"):
        evaluate(INCONSISTENT, threshold=0)
    with pytest.raises(ValueError, match="ri_table must be one of"):
        evaluate(INCONSISTENT, ri_table="x")
