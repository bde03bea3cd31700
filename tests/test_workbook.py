"""Tests of ahp.io.workbook: expert templates, filled workbooks and the long CSV."""

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ahp.errors import WorkbookError
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import (
    GUIDE_SHEET,
    node_sheet_names,
    read_judgments_csv,
    read_judgments_xlsx,
    write_judgments_csv,
    write_judgments_xlsx,
    write_template,
)
from ahp.panel import PanelJudgments
from untrusted import UntrustedFileError

FIXTURES = Path(__file__).parent / "fixtures"
FRAMEWORK = Path(__file__).resolve().parent / "data" / "good_governance_framework.csv"


@pytest.fixture
def panel() -> PanelJudgments:
    return PanelJudgments(pd.read_csv(FIXTURES / "small_panel.csv", dtype=str))


def ordered(judgments: PanelJudgments) -> pd.DataFrame:
    keys = ["expert", "node", "row", "col"]
    return judgments.table.sort_values(keys).reset_index(drop=True)


def filled(tmp_path: Path, hierarchy: Hierarchy, panel: PanelJudgments, expert="E1") -> Path:
    path = tmp_path / f"{expert}.xlsx"
    write_judgments_xlsx(panel, hierarchy, path, expert=expert)
    return path


def edit(path: Path, sheet: str, cell: str, value) -> None:
    book = load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


# ---------------------------------------------------------------- template layout
def test_template_layout(tmp_path, hierarchy):
    path = tmp_path / "template.xlsx"
    write_template(hierarchy, path, expert="王五")
    book = load_workbook(path)
    assert book.sheetnames == [GUIDE_SHEET, "A", "B1", "B3", "C1", "C2", "C4", "C5"]
    sheet = book["C2"]
    assert (sheet["A1"].value, sheet["B1"].value) == ("专家 Expert", "王五")
    assert (sheet["C1"].value, sheet["D1"].value, sheet["E1"].value) == (
        "节点 Node",
        "C2",
        "流程 / Process",
    )
    assert [sheet.cell(3, c).value for c in (2, 3, 4)] == ["D3", "D4", "D5"]
    assert [sheet.cell(r, 1).value for r in (4, 5, 6)] == ["D3", "D4", "D5"]
    assert sheet["E4"].value == "流程规范 / Process follows rules"
    assert [sheet.cell(4 + i, 2 + i).value for i in range(3)] == [1, 1, 1]
    assert sheet["C4"].value is None and sheet["C4"].number_format == "@"  # upper, to fill
    assert sheet["B5"].value is None  # lower triangle left blank
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"同等重要", "equal importance", "极端重要", "extreme importance"} <= texts
    assert any("倒数" in t and "reciprocals" not in t for t in texts)
    guide_text = " ".join(
        str(c.value) for row in book[GUIDE_SHEET].iter_rows() for c in row if c.value
    )
    assert "B3 透明 / Transparency" in guide_text and "D9, D10" in guide_text
    assert "Saaty" in guide_text and "明显重要" in guide_text


def test_template_of_project_framework_has_a_sheet_per_compared_node(tmp_path):
    h = Hierarchy.from_csv(FRAMEWORK)
    buffer = io.BytesIO()
    write_template(h, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert len(book.sheetnames) == 1 + 30
    assert book["B7"].cell(3, 2).value == h.children("B7")[0]


def test_user_text_is_guarded_against_formula_injection(tmp_path):
    frame = pd.DataFrame(
        {
            "level": ["B", "B"],
            "code": ["B1", "B2"],
            "parent": ["A", "A"],
            "name_zh": ['=HYPERLINK("http://x","点我")', "乙"],
            "name_en": ["+cmd", "@SUM(1)"],
        }
    )
    h = Hierarchy.from_frame(frame)
    path = tmp_path / "t.xlsx"
    write_template(h, path, expert="-2+3")
    book = load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert book["A"]["B1"].value == "'-2+3"
    assert book["A"]["D4"].value == '\'=HYPERLINK("http://x","点我") / +cmd'


def test_codes_that_are_not_valid_sheet_names(tmp_path):
    long_code = "B/1:" + "x" * 40
    frame = pd.DataFrame(
        {
            "level": ["B", "B", "C", "C", "C"],
            "code": [long_code, "B2", "C1", "C2", "C3"],
            "parent": ["A", "A", long_code, long_code, "B2"],
            "name_zh": ["甲", "乙", "丙", "丁", "戊"],
            "name_en": ["a", "b", "c", "d", "e"],
        }
    )
    h = Hierarchy.from_frame(frame)
    names = node_sheet_names(h)
    assert len(names[long_code]) == 31 and not re.search(r"[\[\]:*?/\\]", names[long_code])
    judged = PanelJudgments.from_records(
        [
            {"expert": "E", "node": "A", "row": long_code, "col": "B2", "value": 3},
            {"expert": "E", "node": long_code, "row": "C1", "col": "C2", "value": "1/5"},
        ]
    )
    path = tmp_path / "e.xlsx"
    write_judgments_xlsx(judged, h, path)
    assert ordered(read_judgments_xlsx(path, h)).equals(ordered(judged))


# ---------------------------------------------------------------- round trips
def test_round_trip_folder_of_workbooks(tmp_path, hierarchy, panel):
    written = write_judgments_xlsx(panel, hierarchy, tmp_path / "panel")
    assert [p.name for p in written] == ["E1.xlsx", "E2.xlsx", "E3.xlsx"]
    back = read_judgments_xlsx(tmp_path / "panel", hierarchy)
    assert ordered(back).equals(ordered(panel))
    assert read_judgments_xlsx(written, hierarchy).experts == ["E1", "E2", "E3"]
    cell = load_workbook(written[0])["B3"]["C4"]
    assert cell.value == "1/3"  # written as a person would type it


def test_round_trip_buffer_and_single_file(tmp_path, hierarchy, panel):
    buffer = io.BytesIO()
    assert write_judgments_xlsx(panel, hierarchy, buffer, expert="E2") == []
    back = read_judgments_xlsx(io.BytesIO(buffer.getvalue()), hierarchy)
    expected = panel.table[panel.table["expert"] == "E2"].reset_index(drop=True)
    assert ordered(back).equals(
        expected.sort_values(["expert", "node", "row", "col"]).reset_index(drop=True)
    )
    one = PanelJudgments(expected)
    assert write_judgments_xlsx(one, hierarchy, tmp_path / "only.xlsx") == [tmp_path / "only.xlsx"]


def test_round_trip_csv(tmp_path, panel):
    path = tmp_path / "judgments.csv"
    write_judgments_csv(panel, path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "expert,node,row,col,value"
    assert ordered(read_judgments_csv(path)).equals(ordered(panel))


def test_csv_guards_and_restores_formula_like_names(tmp_path):
    judged = PanelJudgments.from_records(
        [{"expert": "=cmd|' /C calc'!A0", "node": "A", "row": "B1", "col": "B2", "value": 2}]
    )
    path = tmp_path / "j.csv"
    write_judgments_csv(judged, path)
    assert "\n'=cmd" in path.read_text(encoding="utf-8")
    assert read_judgments_csv(path).experts == ["=cmd|' /C calc'!A0"]


def test_expert_name_falls_back_to_file_name(tmp_path, hierarchy, panel):
    path = filled(tmp_path, hierarchy, panel, "E1")
    book = load_workbook(path)
    for sheet in book.worksheets:
        sheet["B1"] = None
    renamed = tmp_path / "张三.xlsx"
    book.save(renamed)
    assert read_judgments_xlsx(renamed, hierarchy).experts == ["张三"]


def test_lower_triangle_value_is_used_when_upper_is_blank(tmp_path, hierarchy, panel):
    path = filled(tmp_path, hierarchy, panel)
    edit(path, "C2", "C4", None)
    edit(path, "C2", "B5", "2")
    back = read_judgments_xlsx(path, hierarchy)
    value = back.table.query("node == 'C2' and row == 'D3' and col == 'D4'")["value"]
    assert value.iloc[0] == pytest.approx(0.5)


def test_blank_cells_are_missing_judgments(tmp_path, hierarchy, panel):
    path = filled(tmp_path, hierarchy, panel)
    edit(path, "C2", "C4", None)
    back = read_judgments_xlsx(path, hierarchy)
    assert len(back) == len(panel.table[panel.table["expert"] == "E1"]) - 1
    _, stack = back.stack("C2", ["D3", "D4", "D5"])
    assert np.isnan(stack[0, 0, 1])


def test_numbers_and_decimals_in_cells(tmp_path, hierarchy, panel):
    path = filled(tmp_path, hierarchy, panel)
    edit(path, "C2", "C4", 0.333)
    edit(path, "C2", "D4", "１／５")
    back = read_judgments_xlsx(path, hierarchy).table.query("node == 'C2'")
    assert list(back["value"]) == pytest.approx([1 / 3, 1 / 5, 1.0])


# ---------------------------------------------------------------- bad workbooks
@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        (
            "B1",
            "C4",
            "0",
            "expert 'E03', sheet 'B1', cell C4: '0' is not on the Saaty scale 1/9..9",
        ),
        ("A", "D5", 12, "expert 'E03', sheet 'A', cell D5: '12' is not on the Saaty scale 1/9..9"),
        ("A", "D5", "abc", "cell D5: 'abc' is not on the Saaty scale 1/9..9"),
        ("A", "D5", 2.5, "cell D5: '2.5' is not on the Saaty scale 1/9..9"),
        ("A", "D5", True, "cell D5: 'True' is not on the Saaty scale"),
        (
            "A",
            "B5",
            "3",
            "expert 'E03', sheet 'A', cell B5: '3' contradicts cell C4 = '2' "
            "(expected 1/2 or blank)",
        ),
        ("A", "C5", 2, "expert 'E03', sheet 'A', cell C5: the diagonal must be 1, got '2'"),
        (
            "A",
            "C3",
            "B9",
            "expert 'E03', sheet 'A', cell C3: expected element code 'B2', found 'B9'",
        ),
        ("A", "A6", None, "sheet 'A', cell A6: expected element code 'B3', found ''"),
        ("A", "D5", dt.datetime(2024, 3, 1), "cell D5: 2024-03-01 00:00:00 is a date"),
    ],
)
def test_bad_cells_name_expert_sheet_and_cell(
    tmp_path, hierarchy, panel, sheet, cell, value, message
):
    renamed = panel.table.replace({"expert": {"E1": "E03"}})
    path = filled(tmp_path, hierarchy, PanelJudgments(renamed), "E03")
    edit(path, sheet, cell, value)
    with pytest.raises(WorkbookError) as info:
        read_judgments_xlsx(path, hierarchy)
    assert message in str(info.value)


def test_missing_sheet(tmp_path, hierarchy, panel):
    path = filled(tmp_path, hierarchy, panel)
    book = load_workbook(path)
    del book["C4"]
    book.save(path)
    with pytest.raises(
        WorkbookError,
        match=re.escape("expert 'E1', sheet 'C4': the sheet is missing "
                        "(node C4 Basic information)"),
    ) as caught:
        read_judgments_xlsx(path, hierarchy)
    assert caught.value.text("zh") == "专家“E1”，工作表“C4”：缺少该工作表（节点 C4 基本信息）"


def test_same_expert_twice_and_conflicting_names(tmp_path, hierarchy, panel):
    first = filled(tmp_path, hierarchy, panel)
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(first.read_bytes())
    with pytest.raises(WorkbookError, match="expert 'E1' appears in both E1 and copy"):
        read_judgments_xlsx([first, copy], hierarchy)
    edit(copy, "C1", "B1", "Someone else")
    with pytest.raises(WorkbookError, match=r"different expert names in cell B1 .*sheet 'C1'"):
        read_judgments_xlsx(copy, hierarchy)


def test_empty_inputs_and_bad_files(tmp_path, hierarchy):
    template = tmp_path / "blank.xlsx"
    write_template(hierarchy, template, expert="E9")
    with pytest.raises(WorkbookError, match="the workbooks hold no judgments"):
        read_judgments_xlsx(template, hierarchy)
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkbookError, match=re.escape("no .xlsx workbooks in folder")):
        read_judgments_xlsx(tmp_path / "empty", hierarchy)
    with pytest.raises(WorkbookError, match=r"no such workbook or folder: .*nowhere"):
        read_judgments_xlsx(tmp_path / "nowhere", hierarchy)
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_text("hello", encoding="utf-8")
    with pytest.raises(UntrustedFileError, match=re.escape("notes.xlsx is not a valid .xlsx file")):
        read_judgments_xlsx(not_xlsx, hierarchy)


def test_write_errors(tmp_path, hierarchy, panel):
    with pytest.raises(WorkbookError, match=r"3 experts \(E1, E2, E3\) need a directory"):
        write_judgments_xlsx(panel, hierarchy, tmp_path / "all.xlsx")
    with pytest.raises(WorkbookError, match="expert 'E7' has no judgments"):
        write_judgments_xlsx(panel, hierarchy, tmp_path / "x.xlsx", expert="E7")


def test_bad_csv_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(WorkbookError, match="is empty"):
        read_judgments_csv(empty)
    short = tmp_path / "short.csv"
    short.write_text("expert,node,row,col\nE1,A,B1,B2\n", encoding="utf-8")
    with pytest.raises(WorkbookError, match=re.escape("missing column(s) value")):
        read_judgments_csv(short)
    bad = tmp_path / "bad.csv"
    bad.write_text("expert,node,row,col,value\nE1,A,B1,B2,0\n", encoding="utf-8")
    with pytest.raises(
        WorkbookError,
        match=re.escape("expert 'E1', node 'A', cell (B1, B2): 0 is not on the Saaty scale"),
    ):
        read_judgments_csv(bad)
