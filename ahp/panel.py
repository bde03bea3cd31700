"""Expert panels over a whole hierarchy: judgments in long form and group weights per node.

The long form has one line per judgment: ``expert, node, row, col, value`` where ``row`` and
``col`` are child codes of ``node`` and ``value`` = a_row,col on Saaty's scale (normally the
upper triangle in the hierarchy's child order; the reciprocal is derived).

:func:`panel_weights` runs, for every node with two or more children, one stacked
:func:`ahp.consistency.evaluate` call (weights and CR in one pass) over all experts of that
node, screens them by CR, aggregates (AIJ or AIP; Forman & Peniwati 1998), measures consensus
(Goepel's S*) and composes the global weights down the hierarchy (Saaty 1980).

References
----------
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ahp.consistency import evaluate
from ahp.errors import JudgmentError, PanelNotReadyError
from ahp.group import aggregate_judgments, aggregate_priorities, consensus, screen_cr
from ahp.hierarchy import Hierarchy, HierarchyWeights
from ahp.matrix import unreachable_elements, validate_array
from ahp.scale import SCALE_TOL, off_scale, parse_judgment, snap_to_scale
from i18n.messages import Message

__all__ = [
    "COLUMNS", "SCALE_TOL", "PanelJudgments", "PanelOptions", "PanelResult", "panel_weights",
]

COLUMNS: tuple[str, ...] = ("expert", "node", "row", "col", "value")


def _place(row: Mapping[str, Any]) -> Message:
    return Message("ahp.panel.place", expert=row["expert"], node=row["node"], row=row["row"],
                   col=row["col"])


def _parse_values(frame: pd.DataFrame) -> np.ndarray:
    """Numbers pass through; text such as '1/3' is parsed; failures name the place."""
    raw = frame["value"]
    numeric = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
    needs_text = np.isnan(numeric) & raw.notna().to_numpy()
    for position in np.flatnonzero(needs_text):
        try:
            numeric[position] = parse_judgment(str(raw.iloc[position]))
        except JudgmentError as exc:
            raise JudgmentError("ahp.panel.reason_at", place=_place(frame.iloc[position]),
                                reason=exc.message) from None
    return numeric


Aggregation = Literal["AIJ", "AIP"]
IncompleteRule = Literal["error", "exclude"]
_PANEL_FIELDS = (
    "aggregation", "method", "threshold", "exclude_inconsistent", "expert_weights", "ri_table",
    "incomplete",
)


@dataclass(frozen=True)
class PanelOptions:
    """How a panel's judgments become group weights: every option of :func:`panel_weights`.

    Attributes
    ----------
    aggregation
        ``"AIJ"`` (aggregate the judgments) or ``"AIP"`` (aggregate the priorities).
    method
        Priority method: ``"eigenvector"``, ``"geometric"`` or ``"arithmetic"``.
    threshold
        CR threshold (reported; with ``exclude_inconsistent`` experts at or above it are left
        out of the node).
    exclude_inconsistent
        Leave out experts with CR ≥ ``threshold``.
    expert_weights
        Optional weight per expert name (default: equal weights).
    ri_table
        Random-index table of the CR (``"saaty"`` …, see :data:`ahp.consistency.RI_TABLES`).
    incomplete
        ``"error"``: an expert whose judgments do not link a node's elements is an error;
        ``"exclude"``: such experts are left out of the node (listed in ``excluded``).
    """

    aggregation: Aggregation = "AIJ"
    method: str = "eigenvector"
    threshold: float = 0.10
    exclude_inconsistent: bool = False
    expert_weights: Mapping[str, float] | None = None
    ri_table: str = "saaty"
    incomplete: IncompleteRule = "error"

    def __post_init__(self) -> None:
        if self.aggregation not in ("AIJ", "AIP"):
            raise JudgmentError("ahp.panel.aggregation", value=self.aggregation)
        if self.incomplete not in ("error", "exclude"):
            raise JudgmentError("ahp.panel.incomplete", value=self.incomplete)

    def keys(self) -> tuple[str, ...]:
        """The option names: with :meth:`__getitem__`, ``**options`` still spreads the options
        as the keyword arguments of :func:`panel_weights` they replace."""
        return _PANEL_FIELDS

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def replace(self, **changes: Any) -> PanelOptions:
        """A copy with some options changed (checked like a new one)."""
        return replace(self, **changes)

    @classmethod
    def resolve(
        cls, options: PanelOptions | None, keywords: Mapping[str, Any], caller: str
    ) -> PanelOptions:
        """``options`` (default: the defaults) with the option ``keywords`` of ``caller``
        applied; an unknown keyword is a :class:`TypeError`, as for any function."""
        unknown = [name for name in keywords if name not in _PANEL_FIELDS]
        if unknown:
            raise TypeError(f"{caller}() got an unexpected keyword argument '{unknown[0]}'")
        base = cls() if options is None else options
        if not isinstance(base, PanelOptions):
            raise TypeError(f"{caller}(): options must be a PanelOptions, got {base!r}")
        return base.replace(**keywords) if keywords else base


@dataclass(frozen=True)
class PanelJudgments:
    """The judgments of an expert panel in long form (validated on construction).

    ``table`` has the columns ``expert, node, row, col, value`` (codes as text, value float).
    Lines with a blank value (a judgment left out) and diagonal lines are dropped. Values are
    checked with :func:`ahp.scale.off_scale`, as every entry point checks them: on Saaty's
    scale (within 5 % of one of the 17 values) or, with ``extended_scale``, any value in
    [1/9, 9]. Values within 5 % of a scale value are then snapped to it
    (:func:`ahp.scale.snap_to_scale`, 0.33 → 1/3). A diagonal entry must be 1; a pair given
    twice (also as (col, row)) must agree.
    """

    table: pd.DataFrame
    extended_scale: bool = False
    _index: dict[str, dict[str, np.ndarray]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frame = self.table
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise JudgmentError("ahp.panel.missing_columns", missing=missing)
        frame = frame.loc[:, list(COLUMNS)].reset_index(drop=True)
        for column in ("expert", "node", "row", "col"):
            text = frame[column].astype("string").str.strip()
            empty = text.isna() | (text == "")
            if empty.any():
                position = int(np.flatnonzero(empty.to_numpy())[0])
                expert = frame.at[position, "expert"]
                raise JudgmentError("ahp.panel.empty_field", line=position + 1, column=column,
                                    expert=expert)
            frame[column] = text.astype(str)
        values = _parse_values(frame)
        given = ~np.isnan(values)
        bad = given & ~(values > 0)
        if bad.any():
            position = int(np.flatnonzero(bad)[0])
            raise JudgmentError("ahp.panel.off_scale", place=_place(frame.iloc[position]),
                                value=f"{values[position]:g}")
        off = off_scale(values, self.extended_scale)
        if off.any():
            position = int(np.flatnonzero(off)[0])
            raise JudgmentError("ahp.panel.off_scale", place=_place(frame.iloc[position]),
                                value=f"{values[position]:g}")
        snapped = snap_to_scale(values)
        frame["value"] = snapped
        diagonal = (frame["row"] == frame["col"]).to_numpy()
        bad_diagonal = diagonal & given & (np.abs(snapped - 1) > 1e-9)
        if bad_diagonal.any():
            position = int(np.flatnonzero(bad_diagonal)[0])
            raise JudgmentError("ahp.panel.diagonal", place=_place(frame.iloc[position]),
                                value=f"{snapped[position]:g}")
        frame = frame.loc[given & ~diagonal].reset_index(drop=True)
        _check_duplicates(frame)
        object.__setattr__(self, "table", frame)
        columns = {c: frame[c].to_numpy(dtype=object) for c in ("expert", "row", "col")}
        columns["value"] = frame["value"].to_numpy(dtype=float)
        groups = frame.groupby("node", sort=False).indices
        object.__setattr__(
            self,
            "_index",
            {node: {c: a[rows] for c, a in columns.items()} for node, rows in groups.items()},
        )

    @classmethod
    def from_records(
        cls, records: Sequence[Mapping[str, Any]] | pd.DataFrame, extended_scale: bool = False
    ) -> PanelJudgments:
        """Build from dicts or a DataFrame with the long-form columns."""
        return cls(pd.DataFrame(records), extended_scale=extended_scale)

    @property
    def experts(self) -> list[str]:
        """Experts in order of first appearance."""
        return list(pd.unique(self.table["expert"]))

    @property
    def nodes(self) -> list[str]:
        """Nodes with judgments, in order of first appearance."""
        return list(self._index)

    def __len__(self) -> int:
        return len(self.table)

    def stack(
        self, node: str, elements: Sequence[str] | None = None
    ) -> tuple[list[str], np.ndarray]:
        """The judgment matrices of every expert who judged ``node``.

        ``elements`` fixes the order of rows/columns (the node's children); by default the
        order of first appearance. Returns the experts (order of first appearance) and a
        (k, n, n) array with ones on the diagonal, each judgment a_ij and its reciprocal
        a_ji = 1/a_ij, and NaN where a pair was not judged.
        """
        part = self._index.get(node)
        if part is None:
            raise JudgmentError("ahp.panel.no_node", node=node)
        if elements is None:
            elements = pd.unique(np.concatenate([part["row"], part["col"]]))
        names = np.asarray([str(e) for e in elements], dtype=object)
        i, j = _positions(part["row"], names), _positions(part["col"], names)
        unknown = (i < 0) | (j < 0)
        if unknown.any():
            first = int(np.flatnonzero(unknown)[0])
            line = {"expert": part["expert"][first], "node": node}
            line |= {"row": part["row"][first], "col": part["col"][first]}
            stray = line["row"] if i[first] < 0 else line["col"]
            raise JudgmentError("ahp.panel.not_compared", place=_place(line), stray=stray,
                                node=node, elements=[str(x) for x in names])
        labels, first_seen, e = np.unique(part["expert"], return_index=True, return_inverse=True)
        order = np.argsort(first_seen)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        experts = [str(x) for x in labels[order]]
        e = rank[e]
        v = part["value"]
        n = names.size
        out = np.full((len(experts), n, n), np.nan)
        out[:, np.arange(n), np.arange(n)] = 1.0
        out[e, i, j] = v
        out[e, j, i] = 1.0 / v
        return experts, out

    def upper_logs(self, node: str, elements: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The experts of ``node`` and their upper-triangle log judgments ``(k, P)`` in the
        order of ``numpy.triu_indices(n, 1)`` (NaN where a pair was not judged): the input of
        the batched :func:`ahp.group.group_priority_draws`."""
        experts, stack = self.stack(node, elements)
        rows, cols = np.triu_indices(len(elements), 1)
        return experts, np.log(stack[:, rows, cols])


def _positions(codes: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Position of each code in ``names`` (-1 when absent), vectorized by sorted search."""
    if names.size == 0:
        return np.full(codes.size, -1)
    sorter = np.argsort(names)
    found = np.searchsorted(names, codes, sorter=sorter).clip(max=names.size - 1)
    position = sorter[found]
    return np.where(names[position] == codes, position, -1)


def _check_duplicates(frame: pd.DataFrame) -> None:
    """A cell judged twice is an error; a pair given as (i, j) and (j, i) must be reciprocal."""
    same_cell = frame.duplicated(["expert", "node", "row", "col"], keep="first")
    if same_cell.any():
        raise JudgmentError("ahp.panel.twice", place=_place(frame.loc[same_cell.idxmax()]))
    first = frame["row"] < frame["col"]
    keys = pd.DataFrame(
        {
            "expert": frame["expert"],
            "node": frame["node"],
            "a": frame["row"].where(first, frame["col"]),
            "b": frame["col"].where(first, frame["row"]),
            "log": np.log(frame["value"]).where(first, -np.log(frame["value"])),
        }
    )
    both = keys.duplicated(["expert", "node", "a", "b"], keep=False)
    if not both.any():
        return
    pairs = keys[both].groupby(["expert", "node", "a", "b"], sort=False)["log"]
    conflict = ((pairs.max() - pairs.min()).abs() > 1e-6) | (
        (pairs.count() > 0) & (pairs.count() < pairs.size())
    )
    if conflict.any():
        expert, node, a, b = conflict.idxmax()
        lines = frame[
            (frame["expert"] == expert)
            & (frame["node"] == node)
            & frame["row"].isin([a, b])
            & frame["col"].isin([a, b])
        ]
        given = "; ".join(
            f"({r}, {c}) = {v:g}"
            for r, c, v in lines[["row", "col", "value"]].itertuples(index=False)
        )
        raise JudgmentError("ahp.panel.contradictory", expert=expert, node=node, given=given)


@dataclass(frozen=True)
class PanelResult:
    """Group weights of a panel and the per-node diagnostics.

    Attributes
    ----------
    weights
        Local and global weights of every node (:class:`~ahp.hierarchy.HierarchyWeights`).
    expert_cr
        DataFrame expert × node of individual consistency ratios (NaN: no judgments).
    group_cr
        Series per node: CR of the aggregated (AIJ) matrix, also reported under AIP.
    excluded
        DataFrame ``node, expert, reason``: experts left out of a node, with why
        (``"CR 0.142 ≥ 0.10"`` or ``"no judgments for this node"``).
    consensus
        Series per node: Goepel's S* over the included experts (NaN with fewer than 2).
    priorities
        Per node, DataFrame expert × child of the individual priority vectors.
    group_matrices
        Per node, the AIJ group matrix as a DataFrame child × child.
    aggregation, method, threshold
        The settings used.
    """

    weights: HierarchyWeights
    expert_cr: pd.DataFrame
    group_cr: pd.Series
    excluded: pd.DataFrame
    consensus: pd.Series
    priorities: dict[str, pd.DataFrame]
    group_matrices: dict[str, pd.DataFrame]
    aggregation: str
    method: str
    threshold: float

    def included(self, node: str, experts: Sequence[str]) -> list[int]:
        """Positions in ``experts`` of those not excluded from ``node`` (the CR screening,
        silent and incomplete experts of :func:`panel_weights`)."""
        out = set(self.excluded.loc[self.excluded["node"] == node, "expert"])
        return [i for i, x in enumerate(experts) if x not in out]


def _expert_weight_vector(
    expert_weights: Mapping[str, float] | pd.Series | None, experts: list[str]
) -> np.ndarray | None:
    if expert_weights is None:
        return None
    mapping = dict(expert_weights)
    absent = [x for x in experts if x not in mapping]
    if absent:
        raise JudgmentError("ahp.panel.no_expert_weight", experts=absent)
    return np.array([float(mapping[x]) for x in experts])


def _name_expert(
    error: JudgmentError, node: str, experts: list[str], stack: np.ndarray, children: list[str]
) -> JudgmentError:
    """Re-state a stacked-call error for the first expert whose matrix fails, by child code."""
    for expert, matrix in zip(experts, stack, strict=True):
        try:
            validate_array(matrix, names=children, extended_scale=True)
        except JudgmentError as exc:
            return JudgmentError("ahp.panel.expert_node", expert=expert, node=node,
                                 reason=exc.message)
    return JudgmentError("ahp.panel.node_reason", node=node, reason=error.message)


def _drop_incomplete(
    experts: list[str], stack: np.ndarray, children: Sequence[str]
) -> tuple[list[str], np.ndarray, list[tuple[str, str]]]:
    """Experts whose judgments connect every element, their matrices, and (expert, reason)
    for the others."""
    apart = unreachable_elements(~np.isnan(stack))
    reasons = [
        (x, Message("ahp.panel.excluded.incomplete",
                    elements=[str(c) for c, off in zip(children, row, strict=True) if off]))
        for x, row in zip(experts, apart, strict=True) if row.any()
    ]
    keep = ~apart.any(axis=1)
    return [x for x, k in zip(experts, keep, strict=True) if k], stack[keep], reasons


def panel_weights(
    hierarchy: Hierarchy,
    judgments: PanelJudgments | pd.DataFrame,
    options: PanelOptions | None = None,
    **keywords: Any,
) -> PanelResult:
    """Group weights of a hierarchy from a panel of experts.

    ``options`` (:class:`PanelOptions`) sets aggregation, priority method, CR threshold and
    exclusion, expert weights, RI table and the handling of incomplete experts; its fields can
    also be given as keywords (``panel_weights(h, j, aggregation="AIP")``), which override
    ``options``. For each node with two or more children (top-down):

    1. stack the matrices of the experts who judged the node (experts with no judgment for it
       are listed in ``excluded`` with the reason ``"no judgments for this node"``); an
       expert whose judgments do not link every element (a comparison graph that is not
       connected, e.g. while the panel is still entering them) is an error with
       ``incomplete="error"``, and with ``incomplete="exclude"`` is listed in ``excluded``
       (reason ``"incomplete: …"``) and left out of the node; a node left without any usable
       expert is then an error that lists every such node;
    2. compute every expert's priorities and CR in one stacked :func:`~ahp.consistency.evaluate`
       call (one eigen-solve for both); with
       ``exclude_inconsistent`` drop experts with CR ≥ ``threshold`` (an error if all would go);
    3. aggregate the rest: ``"AIJ"`` takes the priorities of the weighted geometric-mean
       matrix, ``"AIP"`` the normalised weighted geometric mean of the individual priorities
       (Forman & Peniwati 1998);
    4. report the CR of the AIJ matrix (from the same ``evaluate`` call that gives its AIJ
       weights) and Goepel's consensus S* of the included experts.

    Local weights are then composed into global weights (:meth:`Hierarchy.weights`).
    """
    options = PanelOptions.resolve(options, keywords, "panel_weights")
    if not isinstance(judgments, PanelJudgments):
        judgments = PanelJudgments(judgments)
    _check_nodes(hierarchy, judgments)
    tally = _PanelTally.start(judgments.experts, hierarchy.compared_nodes())
    for node in hierarchy.compared_nodes():
        children = hierarchy.children(node)
        stacked = _node_stack(judgments, node, children, tally, options)
        if stacked is not None:
            _weigh_node(node, children, *stacked, tally, options)
    return tally.result(hierarchy, options)


def _check_nodes(hierarchy: Hierarchy, judgments: PanelJudgments) -> None:
    """Judgments may only name nodes of the hierarchy that have two or more children."""
    compared = hierarchy.compared_nodes()
    stray_nodes = [n for n in judgments.nodes if n not in compared]
    if stray_nodes:
        node = stray_nodes[0]
        expert = judgments.table.loc[judgments.table["node"] == node, "expert"].iloc[0]
        key = "ahp.panel.unknown_node" if node not in hierarchy else "ahp.panel.leaf_node"
        raise JudgmentError(key, expert=expert, node=node)


@dataclass
class _PanelTally:
    """What :func:`panel_weights` collects node by node, turned into a :class:`PanelResult`."""

    panel: list[str]
    expert_cr: pd.DataFrame
    local: dict[str, np.ndarray] = field(default_factory=dict)
    group_cr: dict[str, float] = field(default_factory=dict)
    agreement: dict[str, float] = field(default_factory=dict)
    excluded_rows: list[dict[str, str]] = field(default_factory=list)
    vectors_by_node: dict[str, pd.DataFrame] = field(default_factory=dict)
    matrices_by_node: dict[str, pd.DataFrame] = field(default_factory=dict)
    unready: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, panel: list[str], compared: list[str]) -> _PanelTally:
        """An empty tally: every expert × node CR unknown."""
        expert_cr = pd.DataFrame(np.nan, index=pd.Index(panel, name="expert"), columns=compared)
        return cls(panel=panel, expert_cr=expert_cr)

    def exclude(self, node: str, reasons: Iterable[tuple[str, str]]) -> None:
        """Record experts left out of ``node``, with why."""
        self.excluded_rows += [{"node": node, "expert": x, "reason": why} for x, why in reasons]

    def excluded_table(self) -> pd.DataFrame:
        """The experts left out, by node; a reason is a :class:`i18n.Message` (kept as an
        object, not turned into plain text), shown later in the reader's language."""
        table = pd.DataFrame(self.excluded_rows, columns=["node", "expert", "reason"])
        reasons = [row["reason"] for row in self.excluded_rows]
        return table.assign(reason=pd.Series(reasons, index=table.index, dtype=object))

    def result(self, hierarchy: Hierarchy, options: PanelOptions) -> PanelResult:
        """The :class:`PanelResult`, or :class:`PanelNotReadyError` naming unready nodes."""
        if self.unready:
            raise PanelNotReadyError(Message("ahp.panel.not_ready", nodes=list(self.unready)),
                                     self.unready)
        return PanelResult(
            weights=hierarchy.weights(self.local),
            expert_cr=self.expert_cr,
            group_cr=pd.Series(self.group_cr, name="group_cr", dtype=float),
            excluded=self.excluded_table(),
            consensus=pd.Series(self.agreement, name="consensus", dtype=float),
            priorities=self.vectors_by_node,
            group_matrices=self.matrices_by_node,
            aggregation=options.aggregation,
            method=options.method,
            threshold=options.threshold,
        )


def _node_stack(
    judgments: PanelJudgments,
    node: str,
    children: list[str],
    tally: _PanelTally,
    options: PanelOptions,
) -> tuple[list[str], np.ndarray] | None:
    """The experts of a node and their matrices, after the silent and (with
    ``incomplete="exclude"``) the incomplete experts are recorded as excluded; None when the
    node has no usable expert yet."""
    if node not in judgments.nodes:
        if options.incomplete == "error":
            raise JudgmentError("ahp.panel.nobody", node=node)
        tally.unready.append(node)
        return None
    experts, stack = judgments.stack(node, children)
    silent = [x for x in tally.panel if x not in experts]
    tally.exclude(node, ((x, Message("ahp.panel.excluded.silent")) for x in silent))
    if options.incomplete == "exclude":
        experts, stack, apart = _drop_incomplete(experts, stack, children)
        tally.exclude(node, apart)
        if not experts:
            tally.unready.append(node)
            return None
    return experts, stack


def _weigh_node(
    node: str,
    children: list[str],
    experts: list[str],
    stack: np.ndarray,
    tally: _PanelTally,
    options: PanelOptions,
) -> None:
    """Individual priorities and CRs, CR screening, aggregation and consensus of one node."""
    try:
        individual = evaluate(
            stack, method=options.method, ri_table=options.ri_table, threshold=options.threshold
        )
    except JudgmentError as exc:
        raise _name_expert(exc, node, experts, stack, children) from None
    vectors = individual.weights
    cr = np.atleast_1d(np.asarray(individual.consistency.cr, dtype=float))
    tally.expert_cr.loc[experts, node] = cr
    tally.vectors_by_node[node] = pd.DataFrame(
        vectors, index=pd.Index(experts, name="expert"), columns=children
    )
    screen = screen_cr(
        cr, experts, threshold=options.threshold, exclude=options.exclude_inconsistent
    )
    tally.exclude(node, screen.excluded.items())
    keep = screen.mask
    kept = [x for x, k in zip(experts, keep, strict=True) if k]
    weights = _expert_weight_vector(options.expert_weights, kept)
    try:
        group = aggregate_judgments(stack[keep], weights)
        pooled = evaluate(
            group, method=options.method, ri_table=options.ri_table, threshold=options.threshold
        )
        tally.group_cr[node] = float(pooled.consistency.cr)
        if options.aggregation == "AIJ":
            tally.local[node] = np.asarray(pooled.weights, dtype=float)
        else:
            tally.local[node] = aggregate_priorities(vectors[keep], weights, method="geometric")
    except JudgmentError as exc:
        raise JudgmentError("ahp.panel.node_reason", node=node, reason=exc.message) from None
    tally.matrices_by_node[node] = pd.DataFrame(group, index=children, columns=children)
    tally.agreement[node] = consensus(vectors[keep]).s_star if keep.sum() >= 2 else np.nan
