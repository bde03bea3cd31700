"""Tests of ahp.matrix: constructors, validation messages and array conversion."""

import numpy as np
import pandas as pd
import pytest

from ahp import JudgmentError, JudgmentMatrix, as_array, validate_array

NAN = np.nan
ABC = ("a", "b", "c")
FULL = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]


def test_from_array_keeps_names_and_is_read_only() -> None:
    matrix = JudgmentMatrix.from_array(FULL, ABC)
    assert matrix.names == ABC
    assert matrix.n == 3
    assert matrix.is_complete
    assert not matrix.values.flags.writeable
    np.testing.assert_allclose(matrix.values, FULL)


def test_equality_and_hash() -> None:
    first = JudgmentMatrix.from_upper_triangle([3, None, 2], ABC)
    second = JudgmentMatrix.from_pairs({("a", "b"): 3, ("b", "c"): 2}, ABC)
    assert first == second
    assert hash(first) == hash(second)
    assert first != JudgmentMatrix.from_upper_triangle([3, 5, 2], ABC)
    assert first != JudgmentMatrix.from_upper_triangle([3, None, 2])


def test_default_names() -> None:
    assert JudgmentMatrix.from_array(FULL).names == ("e1", "e2", "e3")


def test_from_array_takes_names_from_a_dataframe_index() -> None:
    frame = pd.DataFrame(FULL, index=list(ABC), columns=list(ABC))
    assert JudgmentMatrix.from_array(frame).names == ABC


def test_from_strings_takes_a_dataframe() -> None:
    frame = pd.DataFrame([["1", "1/3"], ["3", "1"]], index=["x", "y"], columns=["x", "y"])
    matrix = JudgmentMatrix.from_strings(frame)
    assert matrix.names == ("x", "y")
    np.testing.assert_allclose(matrix.values, [[1, 1 / 3], [3, 1]])


def test_constructors_agree() -> None:
    by_array = JudgmentMatrix.from_array(FULL, ABC)
    by_upper = JudgmentMatrix.from_upper_triangle([3, 5, 2], ABC)
    by_strings = JudgmentMatrix.from_strings([["1", "3", "5"], ["1/3", "1", "2"],
                                              ["1/5", "1/2", "1"]], ABC)
    by_pairs = JudgmentMatrix.from_pairs({("a", "b"): 3, ("a", "c"): 5, ("c", "b"): "1/2"})
    by_index_pairs = JudgmentMatrix.from_pairs({(0, 1): 3, (0, 2): 5, (1, 2): 2}, ABC)
    for other in (by_upper, by_strings, by_pairs, by_index_pairs):
        np.testing.assert_allclose(other.values, by_array.values)
        assert other.names == ABC


def test_full_width_strings() -> None:
    matrix = JudgmentMatrix.from_strings([["１", "１／３"], ["３", "１"]])
    np.testing.assert_allclose(matrix.values, [[1, 1 / 3], [3, 1]])


def test_missing_judgments_from_each_constructor() -> None:
    by_upper = JudgmentMatrix.from_upper_triangle([3, None, 2], ABC)
    by_strings = JudgmentMatrix.from_strings([["1", "3", ""], ["1/3", "1", "2"],
                                              ["", "1/2", "1"]], ABC)
    by_pairs = JudgmentMatrix.from_pairs({("a", "b"): 3, ("b", "c"): 2}, ABC)
    for matrix in (by_upper, by_strings, by_pairs):
        assert not matrix.is_complete
        assert matrix.missing_pairs == [("a", "c")]
        assert np.isnan(matrix.values[2, 0])


def test_upper_triangle_round_trip() -> None:
    matrix = JudgmentMatrix.from_upper_triangle([3, 5, 2], ABC)
    np.testing.assert_allclose(matrix.upper_triangle(), [3, 5, 2])


def test_from_pairs_with_n_and_integer_keys() -> None:
    matrix = JudgmentMatrix.from_pairs({(0, 1): 2, (1, 2): 3}, n=3)
    assert matrix.n == 3
    assert matrix.missing_pairs == [("e1", "e3")]
    assert JudgmentMatrix.from_pairs({(0, 1): 2, (1, 2): 3}).n == 3


def test_one_by_one_matrix() -> None:
    assert JudgmentMatrix.from_upper_triangle([], ["only"]).values.tolist() == [[1.0]]
    assert JudgmentMatrix.from_array([[1]]).n == 1


@pytest.mark.parametrize("value", [2.5, 0.75, 1.3, 1 / 8.5])
def test_extended_scale_allows_values_between_the_scale_values(value: float) -> None:
    with pytest.raises(JudgmentError, match=r"off Saaty's scale .*pass extended_scale=True"):
        JudgmentMatrix.from_upper_triangle([value])
    matrix = JudgmentMatrix.from_upper_triangle([value], extended_scale=True)
    assert matrix.values[0, 1] == value


@pytest.mark.parametrize(("value", "shown"), [(12, "12"), (1 / 10, "0.1"), (9.2, "9.2")])
def test_extended_scale_stops_at_one_ninth_and_nine(value: float, shown: str) -> None:
    with pytest.raises(JudgmentError, match=rf"off the extended scale \[1/9, 9\] at row 1 "
                                            rf"'e1', column 2 'e2': {shown}$"):
        JudgmentMatrix.from_upper_triangle([value], extended_scale=True)
    for bound in (1 / 9, 9.0):
        assert JudgmentMatrix.from_upper_triangle([bound], extended_scale=True).n == 2


@pytest.mark.parametrize("value", [0.33, 0.14, 8.6, 1.04, 1 / 3, 9])
def test_saaty_scale_accepts_values_within_five_percent_unchanged(value: float) -> None:
    """The rule of every entry point (ahp.scale.off_scale): within 5 % of a scale value.
    A JudgmentMatrix keeps the value as given (the panel and the store snap it)."""
    assert JudgmentMatrix.from_upper_triangle([value]).values[0, 1] == value


def test_tolerance_for_rounded_reciprocals() -> None:
    rounded = [[1, 3], [0.333, 1]]
    with pytest.raises(JudgmentError, match="not reciprocal"):
        JudgmentMatrix.from_array(rounded)
    assert JudgmentMatrix.from_array(rounded, tol=1e-3).n == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], r"judgment matrix is empty"),
        (np.empty((0, 0)), r"judgment matrix is empty"),
        ([1, 2, 3], r"must be 2-D \(n, n\) or 3-D \(k, n, n\), got shape \(3,\)"),
        ([[1, 2, 3], [0.5, 1, 1]], r"not square: shape \(2, 3\)"),
        ([[1, "x"], ["y", 1]], r"non-numeric judgment 'x' at row 1 'a', column 2 'b'"),
        ([[1, [2]], [0.5, 1]], r"non-numeric judgment \[2\] at row 1 'a', column 2 'b'"),
        ([[1, 0], [1, 1]], r"zero or negative judgment at row 1 'a', column 2 'b': 0"),
        ([[1, 2], [-0.5, 1]], r"zero or negative judgment at row 2 'b', column 1 'a': -0.5"),
        ([[1, np.inf], [0.5, 1]], r"infinite judgment at row 1 'a', column 2 'b'"),
        ([[2, 1], [1, 1]], r"diagonal judgment must be 1 at row 1 'a', column 1 'a': 2"),
        ([[1, 1], [1, NAN]], r"diagonal judgment must be 1 at row 2 'b', column 2 'b'"),
        ([[1, 3], [0.5, 1]],
         r"not reciprocal at row 1 'a', column 2 'b': a_ij = 3 but a_ji = 0.5 \(expected 0.333"),
        ([[1, 10], [0.1, 1]],
         r"off Saaty's scale at row 1 'a', column 2 'b': 10 \(the 17 values 1/9, \.\.\., 1/2, "
         r"1, 2, \.\.\., 9; pass extended_scale=True to allow any value in \[1/9, 9\]\)"),
        ([[1, 1 / 10], [10, 1]], r"off Saaty's scale at row 1 'a', column 2 'b': 0.1 "),
        ([[1, 2.5], [0.4, 1]], r"off Saaty's scale at row 1 'a', column 2 'b': 2.5 "),
        ([[1, NAN], [0.5, 1]],
         r"judgment missing at row 1 'a', column 2 'b' but its reciprocal \(row 2, column 1\)"),
        ([[1, NAN], [NAN, 1]], r"elements b cannot be compared with a"),
    ],
)
def test_validation_messages_name_the_cell(values: object, message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        validate_array(values, names=("a", "b"))


def test_disconnected_graph_names_both_groups() -> None:
    values = np.full((4, 4), NAN)
    np.fill_diagonal(values, 1.0)
    values[0, 1], values[1, 0] = 2, 0.5
    values[2, 3], values[3, 2] = 3, 1 / 3
    with pytest.raises(JudgmentError, match=r"elements C, D cannot be compared with A, B"):
        JudgmentMatrix.from_array(values, "ABCD")


def test_chain_of_judgments_is_connected() -> None:
    matrix = JudgmentMatrix.from_pairs({("a", "b"): 2, ("b", "c"): 3, ("c", "d"): 4})
    assert len(matrix.missing_pairs) == 3


def test_stack_messages_name_the_matrix() -> None:
    stack = np.array([FULL, FULL])
    stack[1, 0, 2] = 4
    with pytest.raises(JudgmentError, match=r"matrix 1, row 1 'e1', column 3 'e3'"):
        validate_array(stack)
    stack = np.array([FULL, FULL])
    stack[1, 0, 2] = stack[1, 2, 0] = NAN
    stack[1, 0, 1] = stack[1, 1, 0] = NAN
    with pytest.raises(JudgmentError, match=r"matrix 1: comparison graph is not connected"):
        validate_array(stack)
    stack = np.array([FULL, FULL])
    stack[1, 0, 2], stack[1, 2, 0] = 2.5, 0.4
    with pytest.raises(JudgmentError, match=r"off Saaty's scale at matrix 1, row 1 'e1', "
                                            r"column 3 'e3': 2.5 "):
        validate_array(stack)
    assert validate_array(stack, extended_scale=True)[1, 0, 2] == 2.5


@pytest.mark.parametrize(
    ("names", "message"),
    [(("a", "b"), r"2 names given for a matrix of 3 elements"),
     (("a", "b", "a"), r"element names are not unique: a")],
)
def test_bad_names(names: tuple[str, ...], message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        JudgmentMatrix.from_array(FULL, names)


def test_jagged_input_is_rejected() -> None:
    with pytest.raises(JudgmentError, match=r"row 2 has 1 cells, expected 2"):
        JudgmentMatrix.from_strings([["1", "2"], ["1/2"]])


def test_from_strings_names_the_bad_cell() -> None:
    message = r"'three' is not a number .* at row 1 'a', column 2 'b'"
    with pytest.raises(JudgmentError, match=message):
        JudgmentMatrix.from_strings([["1", "three"], ["1/3", "1"]], ("a", "b"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1, 2]}, r"upper triangle has 2 judgments; expected n\(n-1\)/2"),
        ({"values": [1, 2, 3], "names": ("a", "b")},
         r"upper triangle has 3 judgments but 2 names need 1"),
        ({"values": ["0"]}, r"zero or negative judgment at row 1 'e1', column 2 'e2': 0"),
        ({"values": ["x"]}, r"judgment 'x' is not a number .* at row 1 'e1', column 2 'e2'"),
    ],
)
def test_from_upper_triangle_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        JudgmentMatrix.from_upper_triangle(**kwargs)


@pytest.mark.parametrize(
    ("pairs", "kwargs", "message"),
    [
        ({("a", "z"): 2}, {"names": ("a", "b")}, r"pair names unknown element 'z'"),
        ({(0, 5): 2}, {"n": 3}, r"pair index 5 outside 0..2"),
        ({(0, 1): 2, (1, 0): 3}, {}, r"pairs \(e2, e1\) = 3 and \(e1, e2\) = 2 are not reciprocal"),
        ({(0, 1, 2): 2}, {"n": 3}, r"pair key \(0, 1, 2\) must be \(row, column\)"),
        ({(0, 0): 2, (0, 1): 2}, {}, r"diagonal judgment must be 1 at row 1 'e1', column 1"),
    ],
)
def test_from_pairs_errors(pairs: dict, kwargs: dict, message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        JudgmentMatrix.from_pairs(pairs, **kwargs)


def test_from_pairs_accepts_consistent_duplicates() -> None:
    matrix = JudgmentMatrix.from_pairs({("a", "b"): 4, ("b", "a"): 0.25})
    assert matrix.values[0, 1] == 4


def test_direct_construction_is_validated() -> None:
    with pytest.raises(JudgmentError, match="not reciprocal"):
        JudgmentMatrix(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(JudgmentError, match=r"holds one \(n, n\) matrix"):
        JudgmentMatrix(np.array([FULL, FULL]))


def test_as_array_accepts_matrices_sequences_and_stacks() -> None:
    matrix = JudgmentMatrix.from_array(FULL)
    assert as_array(matrix) is matrix.values
    assert as_array([matrix, matrix]).shape == (2, 3, 3)
    assert as_array(np.array([FULL] * 4)).shape == (4, 3, 3)


def test_as_array_checks_everything_but_the_scale() -> None:
    """Computations take any positive reciprocal matrix (group means, measured ratios)."""
    assert as_array([[1, 12], [1 / 12, 1]])[0, 1] == 12
    assert as_array([[1, 2.5], [0.4, 1]])[0, 1] == 2.5
    with pytest.raises(JudgmentError, match="not reciprocal at row 1 'e1', column 2 'e2'"):
        as_array([[1, 12], [1 / 11, 1]])
    with pytest.raises(JudgmentError, match="zero or negative judgment at matrix 1, row 1"):
        as_array(np.array([[[1, 2], [0.5, 1]], [[1, -2], [-0.5, 1]]]))


def test_as_array_rejects_mixed_sizes() -> None:
    with pytest.raises(JudgmentError, match=r"cannot stack judgment matrices of sizes \[2, 3\]"):
        as_array([JudgmentMatrix.from_array(FULL), JudgmentMatrix.from_upper_triangle([2])])
