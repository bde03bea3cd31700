"""Weights + CR for 100,000 random 7×7 judgment matrices: one vectorized call vs AHPy.

Run by hand (``make bench``), not by pytest::

    .venv/bin/python benchmarks/ahp_batch.py [--k 100000] [--sample 2000] [--seed 20261123]

The matrices are random reciprocal matrices whose upper triangle is drawn uniformly from the
17 values of Saaty's scale (seeded). shanzhi computes the principal-eigenvector weights and the
CR (Donegan & Dodd RI, as AHPy) of the whole (k, 7, 7) stack with one ``ahp.evaluate`` call,
and also with the two calls ``ahp.priorities`` + ``ahp.consistency`` (best of three runs each).
AHPy (``ahpy.Compare``, one matrix at a time, its defaults: precision 4, Donegan & Dodd RI)
is timed on the first ``--sample`` matrices and its time is extrapolated linearly to k; the
output says so. Agreement is checked on the same subsample with AHPy at precision 8 (AHPy
rounds its weights to the precision) and against ``numpy.linalg.eig``.
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from collections.abc import Callable

import numpy as np

from ahp import consistency, evaluate, priorities
from ahp.scale import SAATY_VALUES

AGREEMENT_PRECISION = 8


def random_saaty_stack(k: int, n: int, seed: int) -> np.ndarray:
    """k random reciprocal (n, n) matrices with upper triangles drawn from Saaty's scale."""
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n, k=1)
    upper = rng.choice(np.asarray(SAATY_VALUES), size=(k, rows.size))
    stack = np.ones((k, n, n))
    stack[:, rows, cols] = upper
    stack[:, cols, rows] = 1.0 / upper
    return stack


def best_time(function: Callable[[], object], repeats: int = 3) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def ahpy_compare(ahpy: object, matrix: np.ndarray, names: list[str], precision: int) -> object:
    pairs = itertools.combinations(range(len(names)), 2)
    comparisons = {(names[i], names[j]): float(matrix[i, j]) for i, j in pairs}
    return ahpy.Compare("bench", comparisons, precision=precision)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=100_000, help="number of matrices")
    parser.add_argument("--n", type=int, default=7, help="matrix size")
    parser.add_argument("--sample", type=int, default=2_000, help="matrices timed with AHPy")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    import ahpy  # optional benchmark dependency: pip install -e '.[bench]'

    stack = random_saaty_stack(args.k, args.n, args.seed)
    names = [f"c{i}" for i in range(args.n)]
    print(f"{args.k:,} random reciprocal {args.n}x{args.n} Saaty matrices (seed {args.seed})")

    result = evaluate(stack, ri_table="donegan_dodd")
    weights, cr = result.weights, result.consistency.cr
    vectorized = best_time(lambda: evaluate(stack, ri_table="donegan_dodd"))
    two_calls = best_time(
        lambda: (priorities(stack), consistency(stack, ri_table="donegan_dodd"))
    )
    print(f"shanzhi  evaluate (weights + CR, one vectorized call):   {vectorized:8.3f} s "
          "(best of 3)")
    print(f"shanzhi  priorities + consistency (two vectorized calls): {two_calls:8.3f} s "
          "(best of 3)")

    sample = stack[: args.sample]
    start = time.perf_counter()
    for matrix in sample:
        compare = ahpy_compare(ahpy, matrix, names, precision=4)
        _ = compare.local_weights, compare.consistency_ratio
    ahpy_sample = time.perf_counter() - start
    ahpy_total = ahpy_sample / len(sample) * args.k
    print(f"AHPy     Compare one matrix at a time: {ahpy_sample:8.3f} s for {len(sample):,} "
          f"matrices, extrapolated to {args.k:,}: {ahpy_total:8.1f} s")
    print(f"speed-up: {ahpy_total / vectorized:,.0f}x with evaluate, "
          f"{ahpy_total / two_calls:,.0f}x with priorities + consistency")

    ahpy_weights = np.empty((len(sample), args.n))
    ahpy_cr = np.empty(len(sample))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for index, matrix in enumerate(sample):
            compare = ahpy_compare(ahpy, matrix, names, precision=AGREEMENT_PRECISION)
            ahpy_weights[index] = [compare.local_weights[name] for name in names]
            ahpy_cr[index] = compare.consistency_ratio
    finite = np.isfinite(ahpy_weights).all(axis=1)
    print(f"agreement with AHPy (precision {AGREEMENT_PRECISION}) on {finite.sum():,} of "
          f"{len(sample):,} matrices: "
          f"max |Δw| = {np.abs(weights[: len(sample)] - ahpy_weights)[finite].max():.2e}, "
          f"max |ΔCR| = {np.abs(cr[: len(sample)] - ahpy_cr)[finite].max():.2e}"
          + (f" ({(~finite).sum()} AHPy results were NaN: its unnormalised matrix squaring "
             "overflows)" if not finite.all() else ""))

    eigenvalues, eigenvectors = np.linalg.eig(sample)
    index = np.argmax(eigenvalues.real, axis=1)
    reference = np.abs(eigenvectors[np.arange(len(sample)), :, index].real)
    reference /= reference.sum(axis=1, keepdims=True)
    print(f"agreement with numpy.linalg.eig on {len(sample):,} matrices: "
          f"max |Δw| = {np.abs(weights[: len(sample)] - reference).max():.2e}")


if __name__ == "__main__":
    main()
