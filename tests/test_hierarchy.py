"""Tests of ahp.hierarchy: loading and validating the framework, composing global weights."""

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ahp.errors import HierarchyError
from ahp.hierarchy import Hierarchy, HierarchyWeights, Node

FRAMEWORK = Path(__file__).resolve().parent / "data" / "good_governance_framework.csv"
SMALL = Path(__file__).parent / "fixtures" / "small_framework.csv"
HEADER = "level,code,parent,name_zh,name_en\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "framework.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def uniform_local(h: Hierarchy) -> dict[str, np.ndarray]:
    return {p: np.full(len(h.children(p)), 1 / len(h.children(p))) for p in h.compared_nodes()}


# ---------------------------------------------------------------- the project's framework
def test_project_framework_counts():
    h = Hierarchy.from_csv(FRAMEWORK)
    assert h.root == "A"
    assert h.levels == ("A", "B", "C", "D")
    assert (len(h.codes("B")), len(h.codes("C")), len(h.items)) == (7, 22, 57)
    assert h.nodes["A"] == Node("A", "A", None, "目标", "Goal")
    assert h.name("B1") == "科学"
    assert h.path(h.items[0]) == ["A", "B1", h.nodes[h.items[0]].parent, h.items[0]]
    items_per_b = {b: sum(h.ancestor(d, "B") == b for d in h.items) for b in h.codes("B")}
    assert items_per_b == {"B1": 10, "B2": 7, "B3": 6, "B4": 6, "B5": 10, "B6": 5, "B7": 13}
    assert all(2 <= len(h.children(c)) <= 5 for c in h.codes("C"))
    assert h.parents_with_children()[0] == "A"
    assert len(h.compared_nodes()) == 1 + 7 + 22


def test_project_framework_global_weights_sum_to_one_per_level():
    h = Hierarchy.from_csv(FRAMEWORK)
    rng = np.random.default_rng(1)
    local = {p: rng.dirichlet(np.ones(len(h.children(p)))) for p in h.compared_nodes()}
    w = h.weights(local)
    for level in ("B", "C", "D"):
        assert w.global_(level).sum() == pytest.approx(1.0, abs=1e-12)
    assert list(w.item_weights.index) == h.items


# ---------------------------------------------------------------- the small fixture
def test_small_fixture_structure():
    h = Hierarchy.from_csv(SMALL)
    assert h.children("A") == ["B1", "B2", "B3"]
    assert h.children("C2") == ["D3", "D4", "D5"]
    assert h.children("D1") == []
    assert h.reverse_items == ["D2", "D5"]
    assert h.parents_with_children() == ["A", "B1", "B2", "B3", "C1", "C2", "C3", "C4", "C5"]
    assert h.compared_nodes() == ["A", "B1", "B3", "C1", "C2", "C4", "C5"]
    assert h.name("D1", "en") == "Goals met"
    assert h.nodes["D1"].source == "test"
    assert h.path("D6") == ["A", "B2", "C3", "D6"]
    assert h.ancestor("D9", "B") == "B3"
    assert "D10" in h and "X" not in h
    assert len(h) == 1 + 18


def test_global_weights_are_products_down_the_path():
    h = Hierarchy.from_csv(SMALL)
    local = uniform_local(h) | {"A": np.array([0.5, 0.3, 0.2]), "C2": np.array([0.2, 0.3, 0.5])}
    w = h.weights(local)
    assert isinstance(w, HierarchyWeights)
    table = w.table
    assert table.loc["A", "global"] == 1.0
    # B2 has one child: local weight 1 without any judgment, and D6 under C3 alike.
    assert table.loc["C3", "local"] == 1.0
    assert table.loc["D6", "global"] == pytest.approx(0.3)
    assert table.loc["D5", "global"] == pytest.approx(0.5 * 0.5 * 0.5)
    assert table.loc["D5", "parent"] == "C2"
    assert list(w.local("C2")) == pytest.approx([0.2, 0.3, 0.5])
    assert list(w.local("C2").index) == ["D3", "D4", "D5"]
    assert w.global_("B").to_dict() == pytest.approx({"B1": 0.5, "B2": 0.3, "B3": 0.2})
    assert w.item_weights.sum() == pytest.approx(1.0)
    assert w.leaf_level == "D"


def test_single_child_weight_may_be_given_as_one():
    h = Hierarchy.from_csv(SMALL)
    w = h.weights(uniform_local(h) | {"B2": np.array([1.0])})
    assert w.table.loc["C3", "local"] == 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"C2": np.array([0.5, 0.5])}, "node 'C2': 2 local weights for 3 children (D3, D4, D5)"),
        ({"C2": np.array([0.5, 0.4, 0.2])}, "node 'C2': local weights sum to 1.1, not 1"),
        ({"C2": np.array([1.2, -0.4, 0.2])}, "node 'C2': local weights must be finite"),
        ({"C2": np.array([np.nan, 0.5, 0.5])}, "node 'C2': local weights must be finite"),
        ({"Z9": np.array([1.0])}, "unknown node(s) ['Z9']"),
    ],
)
def test_bad_local_weights(change, message):
    h = Hierarchy.from_csv(SMALL)
    with pytest.raises(HierarchyError) as info:
        h.weights(uniform_local(h) | change)
    assert message in str(info.value)


def test_level_sums_are_checked_after_composition():
    """Every local vector may miss 1 by up to 1e-6, but the errors compound down the levels;
    the composed global weights of each level are checked to sum to 1 (within 1e-6)."""
    h = Hierarchy.from_csv(SMALL)
    local = {p: v * (1 + 9e-7) for p, v in uniform_local(h).items()} | {"B2": np.array([1.0])}
    with pytest.raises(HierarchyError) as info:
        h.weights(local)
    assert re.fullmatch(
        r"global weights do not sum to 1 on level\(s\) C \(1\.0000015\), D \(1\.0000021\)",
        str(info.value),
    )


def test_missing_local_weights_name_the_node():
    h = Hierarchy.from_csv(SMALL)
    local = uniform_local(h)
    del local["B3"]
    with pytest.raises(HierarchyError, match="node 'B3': no local weights for its children"):
        h.weights(local)


def test_weights_lookups_reject_unknown_codes():
    h = Hierarchy.from_csv(SMALL)
    w = h.weights(uniform_local(h))
    with pytest.raises(HierarchyError, match="node 'D1' has no children"):
        w.local("D1")
    with pytest.raises(HierarchyError, match="no weights on level 'E'"):
        w.global_("E")
    with pytest.raises(HierarchyError, match="unknown node code 'Q'"):
        h.children("Q")
    with pytest.raises(HierarchyError, match="level must be one of A/B/C/D, got 'E'"):
        h.codes("E")
    with pytest.raises(HierarchyError, match="lang must be 'zh' or 'en'"):
        h.name("B1", "fr")


def test_name_falls_back_to_other_language_then_code():
    frame = pd.DataFrame(
        {
            "level": ["B", "B"],
            "code": ["B1", "B2"],
            "parent": ["A", "A"],
            "name_zh": ["", ""],
            "name_en": ["English only", ""],
        }
    )
    h = Hierarchy.from_frame(frame)
    assert h.name("B1", "zh") == "English only"
    assert h.name("B2", "en") == "B2"
    assert h.leaf_level == "B"
    assert h.items == ["B1", "B2"]


def test_explicit_goal_row_and_round_trip_through_frame():
    frame = pd.DataFrame(
        {
            "level": ["A", "B", "B"],
            "code": ["G", "B1", "B2"],
            "parent": ["", "G", "G"],
            "name_zh": ["总目标", "甲", "乙"],
            "name_en": ["Overall", "a", "b"],
        }
    )
    h = Hierarchy.from_frame(frame)
    assert h.root == "G"
    assert h.name("G", "en") == "Overall"
    again = Hierarchy.from_frame(Hierarchy.from_csv(SMALL).to_frame())
    assert list(again.nodes) == list(Hierarchy.from_csv(SMALL).nodes)
    assert again.reverse_items == ["D2", "D5"]


def test_bom_and_column_case_are_tolerated(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffLevel,Code,Parent,Name_ZH,Name_EN\nB,B1,A,甲,a\nB,B2,A,乙,b\n", "utf-8")
    assert Hierarchy.from_csv(path).codes("B") == ["B1", "B2"]


# ---------------------------------------------------------------- bad framework files
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("B,B1,A,甲,a\nC,C1,B9,乙,b\n", "row 3 (code 'C1'): unknown parent 'B9'"),
        ("B,B1,A,甲,a\nB,B1,A,乙,b\n", "row 3: duplicate code 'B1' (first on row 2)"),
        (
            "B,B1,A,甲,a\nC,C1,B1,乙,b\nD,D1,C1,丙,c\nD,D2,D1,丁,d\n",
            "row 5 (code 'D2'): level D does not follow its parent 'D1' (level D); "
            "expected no child under a level-D node",
        ),
        (
            "B,B1,A,甲,a\nD,D1,B1,乙,b\n",
            "row 3 (code 'D1'): level D does not follow its parent 'B1' (level B); "
            "expected level C",
        ),
        (
            "B,B1,A,甲,a\nB,B2,A,乙,b\nC,C1,B1,丙,c\n",
            "row 3 (code 'B2'): level-B node has no children, but level C is the leaf level",
        ),
        ("C,C1,C2,甲,a\nC,C2,C1,乙,b\n", "row 2 (code 'C1'): cycle C1 → C2 → C1"),
        ("B,B1,B1,甲,a\n", "row 2 (code 'B1'): cycle B1 → B1"),
        ("B,B1,,甲,a\n", "row 2 (code 'B1'): empty parent"),
        ("B,,A,甲,a\n", "row 2: empty code"),
        ("X,B1,A,甲,a\n", "row 2 (code 'B1'): level must be one of A/B/C/D, got 'X'"),
        (
            "A,G,,目标,Goal\nA,H,,目标,Goal\nB,B1,G,甲,a\n",
            "more than one goal row (level A) on rows 2, 3",
        ),
        ("A,G,X,目标,Goal\n", "row 2 (code 'G'): the goal (level A) has no parent, got 'X'"),
        ("A,G,,目标,Goal\n", "no nodes below the goal"),
        ("B,A,A,甲,a\n", "row 2: code 'A' is reserved for the goal"),
    ],
)
def test_bad_framework_rows(tmp_path, body, message):
    with pytest.raises(HierarchyError) as info:
        Hierarchy.from_csv(write(tmp_path, body))
    assert message in str(info.value)


def test_reverse_flag_validation(tmp_path):
    header = "level,code,parent,name_zh,name_en,reverse\n"
    bad_flag = "B,B1,A,甲,a,\nC,C1,B1,乙,b,maybe\n"
    with pytest.raises(
        HierarchyError, match=re.escape("row 3 (code 'C1'): reverse must be 0/1/true/false")
    ):
        Hierarchy.from_csv(write(tmp_path, bad_flag, header))
    not_leaf = "B,B1,A,甲,a,1\nC,C1,B1,乙,b,0\n"
    with pytest.raises(
        HierarchyError, match=re.escape("row 2 (code 'B1'): reverse is only allowed")
    ):
        Hierarchy.from_csv(write(tmp_path, not_leaf, header))


def test_empty_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(HierarchyError, match=re.escape("empty.csv is empty")):
        Hierarchy.from_csv(empty)
    with pytest.raises(HierarchyError, match="the framework has no rows"):
        Hierarchy.from_csv(write(tmp_path, ""))
    with pytest.raises(HierarchyError, match=re.escape("missing column(s) name_en")):
        Hierarchy.from_csv(write(tmp_path, "B,B1,A,甲\n", "level,code,parent,name_zh\n"))


def test_from_buffer():
    buffer = io.BytesIO("level,code,parent,name_zh,name_en\nB,B1,A,甲,a\nB,B1,A,乙,b\n".encode())
    with pytest.raises(HierarchyError, match=r"^framework row 3: duplicate code 'B1'"):
        Hierarchy.from_csv(buffer)
    h = Hierarchy.from_csv(io.StringIO(SMALL.read_text(encoding="utf-8")))
    assert len(h.items) == 10
