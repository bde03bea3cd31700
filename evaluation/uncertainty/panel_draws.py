"""Sources (a) and (b) of the Monte Carlo: local weights of every node in every draw, from
the bootstrap-resampled experts and one-step moves of their judgments, aggregated by the
batched :func:`ahp.group.group_priority_draws` (the AIJ/AIP of :func:`ahp.panel.panel_weights`
for many weightings at once), with the experts :func:`ahp.panel.panel_weights` excluded kept
out."""

from __future__ import annotations

from concurrent.futures import Executor, Future

import numpy as np

from ahp.group import group_priority_draws
from ahp.hierarchy import Hierarchy
from ahp.scale import SAATY_VALUES
from evaluation.uncertainty.options import PanelSpec
from survey.scoring import Aggregation

LOG_SAATY = np.log(np.asarray(SAATY_VALUES))


def expert_counts(
    rng: np.random.Generator, experts: int, draws: int, resample: bool
) -> np.ndarray | None:
    """Bootstrap counts ``(draws, K)`` of the experts (multinomial(K, 1/K)); None (every
    expert once) when the panel is not resampled."""
    if not resample:
        return None
    return rng.multinomial(experts, np.full(experts, 1.0 / experts), size=draws).astype(float)


def noise_steps(logs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-scale moves one step up / down Saaty's scale from each judgment ``(k, P)``.

    The step is taken from the nearest scale value; at 9 (1/9) "up" ("down") goes to the only
    neighbour.
    """
    top = len(LOG_SAATY) - 1
    nearest = np.argmin(np.abs(np.nan_to_num(logs)[..., None] - LOG_SAATY), axis=-1)
    up = np.where(nearest < top, nearest + 1, top - 1)
    down = np.where(nearest > 0, nearest - 1, 1)
    here = LOG_SAATY[nearest]
    return LOG_SAATY[up] - here, LOG_SAATY[down] - here


def noise_shifts(
    rng: np.random.Generator, draws: int, logs: np.ndarray, probability: float
) -> np.ndarray:
    """Per-draw log perturbations ``(draws, k, P)`` float32: one uniform per judgment and draw.

    u < p/2 moves up, p/2 ≤ u < p moves down, otherwise the judgment is kept; a missing
    judgment never moves.
    """
    up, down = noise_steps(logs)
    given = ~np.isnan(logs)
    up = np.where(given, up, 0.0).astype(np.float32)
    down = np.where(given, down, 0.0).astype(np.float32)
    u = rng.random((draws, *logs.shape), dtype=np.float32)
    half = np.float32(probability / 2)
    shift = np.where(u < half, up, down)
    shift *= u < 2 * half
    return shift



def _expert_weight_row(spec: PanelSpec) -> np.ndarray:
    """Weight of every panel expert, in :attr:`PanelJudgments.experts` order (1 by default;
    0 for an expert the options give no weight)."""
    panel = spec.judgments.experts
    weights = spec.options.expert_weights
    if weights is None:
        return np.ones(len(panel))
    return np.array([float(dict(weights).get(name, 0.0)) for name in panel])


def _node_task(
    spec: PanelSpec,
    node: str,
    children: list[str],
    draws: int,
    counts: np.ndarray | None,
    base: np.ndarray,
    noise: float,
    noise_rng: np.random.Generator,
) -> tuple:
    """Arguments of :func:`ahp.group.group_priority_draws` for one node: the included
    experts' per-draw weights and log judgments, and their noise (drawn now, in node order)."""
    experts, logs = spec.judgments.upper_logs(node, children)
    kept = spec.result.included(node, experts)
    column = {name: i for i, name in enumerate(spec.judgments.experts)}
    picked = [column[experts[i]] for i in kept]
    logs = logs[kept]
    v = base[None, picked] if counts is None else counts[:, picked] * base[None, picked]
    v = np.broadcast_to(v, (draws, len(picked)))
    shift = noise_shifts(noise_rng, draws, logs, noise) if noise > 0 else None
    options = spec.options
    return (v, logs, len(children), options.aggregation, options.method, shift)


def local_draws(
    hierarchy: Hierarchy,
    agg: Aggregation,
    spec: PanelSpec,
    draws: int,
    counts: np.ndarray | None,
    noise: float,
    noise_rng: np.random.Generator,
    worker: Executor,
) -> tuple[np.ndarray, int]:
    """Local weights ``(draws, n_nodes)`` in ``agg.nodes`` order, and the fallback count.

    ``counts`` (draws, K) are the expert bootstrap counts (None: every expert once). A node
    whose resampled experts are all excluded keeps its nominal weights in that draw (counted).
    The noise is drawn node by node in hierarchy order; every other node is solved by
    ``worker`` while this thread solves the rest.
    """
    base = _expert_weight_row(spec)
    nominal = agg.local_vector(spec.result.weights)
    local = np.broadcast_to(nominal, (draws, len(agg.nodes))).copy()
    position = {code: i for i, code in enumerate(agg.nodes)}
    solved = []
    for i, node in enumerate(hierarchy.compared_nodes()):
        children = hierarchy.children(node)
        task = _node_task(spec, node, children, draws, counts, base, noise, noise_rng)
        solved.append((children, worker.submit(group_priority_draws, *task) if i % 2 else task))
    fallbacks = 0
    for children, job in solved:
        weights, empty = job.result() if isinstance(job, Future) else group_priority_draws(*job)
        fallbacks += int(empty.sum())
        columns = [position[c] for c in children]
        weights[empty] = nominal[columns]
        local[:, columns] = weights
    return local, fallbacks


def level_weights(
    hierarchy: Hierarchy, agg: Aggregation, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item weights within their dimension ``(…, k)``, dimension weights ``(…, B)`` and the
    item → dimension membership ``(k, B)``.

    ``r_d`` is the product of the local weights on the path strictly below the dimension.
    """
    levels = agg.levels
    dimensions = list(agg.codes[levels[1]])
    position = {code: i for i, code in enumerate(agg.nodes)}
    items = list(agg.items)
    depth = len(levels) - 2
    path = np.empty((len(items), depth), dtype=np.intp)
    member = np.zeros((len(items), len(dimensions)), dtype=np.float32)
    for d, item in enumerate(items):
        chain = hierarchy.path(item)
        member[d, dimensions.index(chain[1])] = 1.0
        path[d] = [position[code] for code in chain[2:]]
    within = local[..., path].prod(axis=-1) if depth else np.ones((*local.shape[:-1], len(items)))
    return within, local[..., [position[b] for b in dimensions]], member

