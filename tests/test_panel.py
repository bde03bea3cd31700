"""Tests of ahp.panel: long-form judgments, stacking and group weights over a hierarchy."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ahp.consistency import consistency, evaluate
from ahp.errors import JudgmentError, PanelNotReadyError
from ahp.group import aggregate_judgments, aggregate_priorities, consensus
from ahp.matrix import JudgmentMatrix
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from ahp.priorities import priorities
from ahp.scale import snap_to_scale

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def panel() -> PanelJudgments:
    """E1, E2 near-consistent; E3 inconsistent at node A and silent on node C5."""
    return PanelJudgments(pd.read_csv(FIXTURES / "small_panel.csv", dtype=str))


def line(value, expert="E1", node="A", row="B1", col="B2"):
    return {"expert": expert, "node": node, "row": row, "col": col, "value": value}


# ---------------------------------------------------------------- PanelJudgments
def test_parses_text_values_and_lists_experts(panel):
    assert panel.experts == ["E1", "E2", "E3"]
    assert panel.nodes == ["A", "B1", "B3", "C1", "C2", "C4", "C5"]
    assert panel.table["value"].dtype == float
    assert panel.table.loc[4, "value"] == pytest.approx(1 / 3)
    assert len(panel) == 32


def test_stack_fills_reciprocals_and_diagonal(panel):
    experts, stack = panel.stack("C2", ["D3", "D4", "D5"])
    assert experts == ["E1", "E2", "E3"]
    assert stack.shape == (3, 3, 3)
    assert np.all(stack[:, [0, 1, 2], [0, 1, 2]] == 1)
    assert stack[1, 0, 2] == pytest.approx(0.5) and stack[1, 2, 0] == pytest.approx(2)
    assert np.allclose(stack * np.swapaxes(stack, 1, 2), 1)
    reordered = panel.stack("C2", ["D5", "D4", "D3"])[1]
    assert reordered[1, 2, 0] == pytest.approx(0.5)


def test_stack_of_partial_matrix_keeps_missing_pairs_nan():
    judged = PanelJudgments.from_records([line(2, row="B1", col="B2"), line(3, row="B2", col="B3")])
    _, stack = judged.stack("A", ["B1", "B2", "B3"])
    assert np.isnan(stack[0, 0, 2]) and np.isnan(stack[0, 2, 0])
    assert judged.stack("A")[1].shape == (1, 3, 3)  # order of first appearance


def test_blank_values_and_diagonal_lines_are_dropped():
    judged = PanelJudgments.from_records(
        [line(2), line(None, row="B1", col="B3"), line("", row="B2", col="B3"), line(1, col="B1")]
    )
    assert len(judged) == 1
    assert judged.stack("A", ["B1", "B2", "B3"])[1][0, 0, 1] == 2


def test_lower_triangle_line_is_accepted_when_reciprocal():
    judged = PanelJudgments.from_records([line(2), line(0.5, row="B2", col="B1")])
    assert judged.stack("A", ["B1", "B2"])[1][0, 0, 1] == 2


def test_decimals_for_reciprocals_snap_to_the_scale():
    judged = PanelJudgments.from_records(
        [line(0.33), line("0.14", node="B1"), line(0.17, node="C1")]
    )
    assert list(judged.table["value"]) == pytest.approx([1 / 3, 1 / 7, 1 / 6])
    extended = PanelJudgments.from_records([line(2.5)], extended_scale=True)
    assert extended.table["value"].iloc[0] == 2.5
    with pytest.raises(JudgmentError, match=re.escape("cell (B1, B2): 12 is not on the Saaty")):
        PanelJudgments.from_records([line(12)], extended_scale=True)


SCALE_CANDIDATES = [1 / 9.5, 1 / 9, 0.115, 0.14, 0.2, 0.33, 0.45, 0.75, 1, 1.04, 1.06, 1.3,
                    2.08, 2.5, 3.3, 8.6, 9, 9.2, 9.4, 10]


@pytest.mark.parametrize("extended_scale", [False, True])
def test_scale_rule_is_the_one_of_judgment_matrices(extended_scale):
    """PanelJudgments and JudgmentMatrix admit exactly the same values (ahp.scale.off_scale);
    the panel then snaps values within 5 % of a scale value, the matrix keeps them."""
    for value in SCALE_CANDIDATES:
        try:
            JudgmentMatrix.from_upper_triangle([value], extended_scale=extended_scale)
        except JudgmentError:
            with pytest.raises(JudgmentError, match="is not on the Saaty scale"):
                PanelJudgments.from_records([line(value)], extended_scale=extended_scale)
            continue
        judged = PanelJudgments.from_records([line(value)], extended_scale=extended_scale)
        assert judged.table["value"].iloc[0] == snap_to_scale(value), value


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([line(0)], "expert 'E1', node 'A', cell (B1, B2): 0 is not on the Saaty scale 1/9..9"),
        ([line(-3)], "cell (B1, B2): -3 is not on the Saaty scale"),
        ([line(11)], "cell (B1, B2): 11 is not on the Saaty scale"),
        ([line(2.5)], "cell (B1, B2): 2.5 is not on the Saaty scale"),
        ([line("abc")], "expert 'E1', node 'A', cell (B1, B2): judgment 'abc' is not a number"),
        ([line(3, row="B1", col="B1")], "cell (B1, B1): a diagonal judgment must be 1, got 3"),
        ([line(3), line(3)], "cell (B1, B2): judged more than once"),
        (
            [line(3), line(3, row="B2", col="B1")],
            "expert 'E1', node 'A': contradictory judgments (B1, B2) = 3; (B2, B1) = 3",
        ),
        ([line(3, expert=" ")], "judgments line 1: empty expert"),
        ([line(3, node=None)], "judgments line 1: empty node (expert 'E1')"),
    ],
)
def test_bad_judgments_name_the_place(records, message):
    with pytest.raises(JudgmentError) as info:
        PanelJudgments.from_records(records)
    assert message in str(info.value)


def test_missing_columns_and_unknown_elements():
    with pytest.raises(JudgmentError, match=re.escape("missing column(s) value")):
        PanelJudgments(pd.DataFrame({"expert": ["E"], "node": ["A"], "row": ["x"], "col": ["y"]}))
    judged = PanelJudgments.from_records([line(3, col="B9")])
    with pytest.raises(JudgmentError, match="'B9' is not compared under node 'A'"):
        judged.stack("A", ["B1", "B2"])
    with pytest.raises(JudgmentError, match="no judgments for node 'C1'"):
        judged.stack("C1")


# ---------------------------------------------------------------- panel_weights
def test_panel_weights_aij_matches_manual_computation(hierarchy, panel):
    result = panel_weights(hierarchy, panel)
    assert isinstance(result, PanelResult)
    _, stack = panel.stack("A", ["B1", "B2", "B3"])
    expected = priorities(aggregate_judgments(stack))
    assert result.weights.global_("B").to_numpy() == pytest.approx(expected)
    assert result.group_cr["A"] == pytest.approx(consistency(aggregate_judgments(stack)).cr)
    for level in ("B", "C", "D"):
        assert result.weights.global_(level).sum() == pytest.approx(1.0)
    assert result.weights.table.loc["C3", "local"] == 1.0  # single child, no judgments
    assert result.aggregation == "AIJ" and result.method == "eigenvector"


def test_panel_reports_expert_cr_missing_experts_and_consensus(hierarchy, panel):
    result = panel_weights(hierarchy, panel)
    assert list(result.expert_cr.index) == ["E1", "E2", "E3"]
    assert list(result.expert_cr.columns) == hierarchy.compared_nodes()
    assert result.expert_cr.loc["E3", "A"] > 0.10
    assert np.isnan(result.expert_cr.loc["E3", "C5"])
    assert result.excluded.to_dict("records") == [
        {"node": "C5", "expert": "E3", "reason": "no judgments for this node"}
    ]
    _, stack = panel.stack("C4", ["D7", "D8"])
    assert result.consensus["C4"] == pytest.approx(consensus(priorities(stack)).s_star)
    assert 0.9 < result.consensus["C2"] < 1.0  # E1 and E3 agree, E2 differs slightly
    assert set(result.priorities) == set(hierarchy.compared_nodes())
    assert list(result.priorities["C2"].columns) == ["D3", "D4", "D5"]
    assert result.group_matrices["A"].loc["B2", "B1"] == pytest.approx(
        1 / result.group_matrices["A"].loc["B1", "B2"]
    )


def test_excluding_inconsistent_experts_changes_only_their_nodes(hierarchy, panel):
    kept = panel_weights(hierarchy, panel)
    dropped = panel_weights(hierarchy, panel, exclude_inconsistent=True)
    rows = dropped.excluded.set_index(["node", "expert"])["reason"]
    assert re.fullmatch(r"CR \d\.\d{3} ≥ 0\.10", rows[("A", "E3")])
    _, stack = panel.stack("A", ["B1", "B2", "B3"])
    assert dropped.weights.global_("B").to_numpy() == pytest.approx(
        priorities(aggregate_judgments(stack[:2]))
    )
    assert rows[("C2", "E2")].startswith("CR 0.187")
    assert dropped.weights.local("C1").to_numpy() == pytest.approx(
        kept.weights.local("C1").to_numpy()
    )
    assert dropped.weights.local("C2").to_numpy() == pytest.approx([0.2, 0.4, 0.4])
    assert list(dropped.excluded["node"]) == ["A", "C2", "C5"]
    assert dropped.consensus["C2"] == pytest.approx(1.0)


def test_aip_and_expert_weights(hierarchy, panel):
    result = panel_weights(
        hierarchy, panel, aggregation="AIP", expert_weights={"E1": 2, "E2": 1, "E3": 1}
    )
    _, stack = panel.stack("A", ["B1", "B2", "B3"])
    expected = aggregate_priorities(priorities(stack), weights=[2, 1, 1])
    assert result.weights.global_("B").to_numpy() == pytest.approx(expected)
    assert result.weights.item_weights.sum() == pytest.approx(1.0)


def test_one_evaluate_call_per_node_for_the_experts_and_one_for_the_group(
    hierarchy, panel, monkeypatch
):
    """Weights and CR come from ahp.consistency.evaluate (one eigen-solve for both)."""
    import ahp.panel as panel_module

    calls = []

    def counting(stack, **kwargs):
        calls.append(np.shape(stack))
        return evaluate(stack, **kwargs)

    monkeypatch.setattr(panel_module, "evaluate", counting)
    result = panel_weights(hierarchy, panel)
    assert len(calls) == 2 * len(hierarchy.compared_nodes())
    assert calls[:2] == [(3, 3, 3), (3, 3)]  # node A: the three experts, then the AIJ matrix
    expected = evaluate(aggregate_judgments(panel.stack("A", ["B1", "B2", "B3"])[1]))
    assert result.group_cr["A"] == pytest.approx(expected.consistency.cr)


def test_geometric_method_is_passed_through(hierarchy, panel):
    result = panel_weights(hierarchy, panel, method="geometric")
    _, stack = panel.stack("C2", ["D3", "D4", "D5"])
    expected = priorities(aggregate_judgments(stack), method="geometric")
    assert result.weights.local("C2").to_numpy() == pytest.approx(expected)


def test_panel_accepts_a_plain_dataframe(hierarchy):
    frame = pd.read_csv(FIXTURES / "small_panel.csv", dtype=str)
    assert panel_weights(hierarchy, frame).weights.item_weights.sum() == pytest.approx(1)


def test_panel_errors(hierarchy, panel):
    with pytest.raises(JudgmentError, match="aggregation must be 'AIJ' or 'AIP', got 'mean'"):
        panel_weights(hierarchy, panel, aggregation="mean")
    with pytest.raises(JudgmentError, match=re.escape("no weight for expert(s) E3")):
        panel_weights(hierarchy, panel, expert_weights={"E1": 1, "E2": 1})
    with pytest.raises(JudgmentError, match=r"all 1 experts are inconsistent .* E3 \(CR"):
        only_e3 = panel.table[panel.table["expert"] == "E3"]
        extra = pd.DataFrame([line(2, expert="E3", node="C5", row="D9", col="D10")])
        panel_weights(hierarchy, pd.concat([only_e3, extra]), exclude_inconsistent=True)
    without_c4 = panel.table[panel.table["node"] != "C4"]
    with pytest.raises(JudgmentError, match="node 'C4': no expert judged it"):
        panel_weights(hierarchy, without_c4)
    stray = pd.concat([panel.table, pd.DataFrame([line(2, node="B2", row="C3", col="C9")])])
    with pytest.raises(JudgmentError, match="expert 'E1', node 'B2': a node with fewer than 2"):
        panel_weights(hierarchy, stray)
    unknown = pd.concat([panel.table, pd.DataFrame([line(2, node="Q7")])])
    with pytest.raises(JudgmentError, match="expert 'E1', node 'Q7': unknown node"):
        panel_weights(hierarchy, unknown)


def test_disconnected_expert_matrix_names_the_node(hierarchy, panel):
    table = panel.table[~((panel.table["expert"] == "E2") & (panel.table["node"] == "C2"))]
    lone = pd.DataFrame([line(2, expert="E2", node="C2", row="D3", col="D4")])
    with pytest.raises(JudgmentError) as info:
        panel_weights(hierarchy, pd.concat([table, lone]))
    assert "expert 'E2', node 'C2': comparison graph is not connected: elements D5" in str(
        info.value
    )


def test_incomplete_experts_can_be_left_out_while_the_panel_is_still_entering(
    hierarchy, panel
):
    """incomplete="exclude": an expert whose matrix does not link every element is listed
    with the elements apart and the node is solved from the others, exactly as without them;
    a node that nobody has linked yet is an error naming every such node."""
    table = panel.table[~((panel.table["expert"] == "E2") & (panel.table["node"] == "C2"))]
    lone = pd.DataFrame([line(2, expert="E2", node="C2", row="D3", col="D4")])
    result = panel_weights(hierarchy, pd.concat([table, lone]), incomplete="exclude")
    row = result.excluded.set_index(["node", "expert"]).loc[("C2", "E2"), "reason"]
    assert row == "incomplete: D5 not yet compared with the others"
    without = panel_weights(hierarchy, table)  # E2 silent at C2
    pd.testing.assert_frame_equal(result.weights.table, without.weights.table)
    with pytest.raises(JudgmentError, match="must be 'error' or 'exclude'"):
        panel_weights(hierarchy, table, incomplete="skip")

    only_lone = pd.concat([table[table["node"] != "C2"], lone])
    with pytest.raises(PanelNotReadyError, match=r"every element yet at node\(s\) C2") as info:
        panel_weights(hierarchy, only_lone, incomplete="exclude")
    assert info.value.nodes == ["C2"]
    nobody = table[table["node"] != "C4"]
    with pytest.raises(JudgmentError, match=r"node\(s\) C4"):
        panel_weights(hierarchy, nobody, incomplete="exclude")


def test_incomplete_but_connected_matrices_are_solved(hierarchy, panel):
    table = panel.table
    pair = (table["node"] == "C2") & (table["row"] == "D3") & (table["col"] == "D4")
    result = panel_weights(hierarchy, table[~pair])
    assert np.isnan(result.group_matrices["C2"].loc["D3", "D4"])
    assert result.weights.local("C2").sum() == pytest.approx(1.0)
    assert result.expert_cr["C2"].notna().all()
