"""Tests for reports.excel_report: sheets, headers, number formats, suppression and formula
injection, on a small study built from the real result classes with hand-made tables."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from ahp.panel import PanelResult
from reports.excel_report import (
    SHEETS,
    ReportError,
    ReportInputs,
    write_report,
    write_report_tables,
)
from survey.reliability import ReliabilityResult
from survey.scoring import POOLED, Scores
from survey.screening import ScreeningReport, ScreeningRules

EVIL = '=HYPERLINK("http://x","点我")'
SUPPRESSED = "梅坞社区"
COMMUNITIES = ["芦花社区", "星河社区", EVIL, SUPPRESSED]
FORBIDDEN = set('[]:*?/\\')
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NOTES = [
    "1 of 4 communities have fewer than 10 respondents and get no published score "
    f"(n<10, 不报告): {SUPPRESSED}",
    "-星河社区: no answers to D03; the scores above this item are left empty",
]


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    rows = [
        ("B", "B1", "A", "科学", "Scientific soundness"),
        ("B", "B2", "A", "参与", "Participation"),
        ("C", "C01", "B1", "治理目标完成度", "Goal completion"),
        ("C", "C02", "B1", "信息安全", "Information security"),
        ("C", "C03", "B2", "参与途径", "Participation channels"),
        ("D", "D01", "C01", "平台提高了工作效率。", "The platform made work efficient."),
        ("D", "D02", "C01", "平台提高了服务质量。", "The platform improved services."),
        ("D", "D03", "C02", "平台保护居民信息。", "The platform protects data."),
        ("D", "D04", "C03", "我能方便地参与议事。", "I can take part easily."),
        ("D", "D05", "C03", "平台提供了多种途径。", "The platform offers channels."),
    ]
    frame = pd.DataFrame(rows, columns=["level", "code", "parent", "name_zh", "name_en"])
    return Hierarchy.from_frame(frame)


@pytest.fixture(scope="module")
def results(hierarchy):
    weights = hierarchy.weights({"A": np.array([0.4, 0.6]), "B1": np.array([0.7, 0.3]),
                                 "C01": np.array([0.5, 0.5]), "C03": np.array([0.25, 0.75])})
    nodes = ["A", "B1", "B2", "C01", "C03"]
    expert_cr = pd.DataFrame([[0.0, 0.02, 0.0, 0.0, 0.0], [0.0, 0.15, 0.0, 0.0, 0.0]],
                             index=pd.Index(["E01", "+E2"], name="expert"), columns=nodes)
    panel = PanelResult(
        weights=weights,
        expert_cr=expert_cr,
        group_cr=pd.Series(0.01, index=nodes),
        excluded=pd.DataFrame({"node": ["B1"], "expert": ["+E2"], "reason": ["CR 0.150 ≥ 0.10"]}),
        consensus=pd.Series(0.9, index=nodes),
        priorities={},
        group_matrices={},
        aggregation="AIJ",
        method="eigenvector",
        threshold=0.10,
    )
    counts = pd.Series({"off_scale": 1, "missing": 0, "straightlining": 1, "too_fast": 1,
                        "duplicate": 0, "no_community": 0, "excluded": 3}, name="respondents")
    screening = ScreeningReport(
        received=40, valid=37, rate=37 / 40,
        reasons=pd.DataFrame({
            "respondent_id": ["3", "9", "12"], "row": [4, 10, 13],
            "community": ["芦花社区", EVIL, "星河社区"],
            "rule": ["off_scale", "too_fast", "straightlining"],
            "detail": ["-2 in D03", "@12 s", "\tall 3"],
        }),
        counts=counts,
        by_community=pd.DataFrame(
            {"received": [12, 11, 11, 6], "valid": [11, 10, 10, 6]},
            index=pd.Index(COMMUNITIES, name="community"),
        ).assign(rate=lambda f: f["valid"] / f["received"]),
        rules=ScreeningRules(),
    )
    reliability = ReliabilityResult(
        scales=pd.DataFrame({"scope": ["overall", "dimension"], "code": ["A", "B1"], "k": [5, 3],
                             "n": [37, 37], "alpha": [0.81, 0.42], "ci_low": [0.7, 0.2],
                             "ci_high": [0.88, 0.6]}),
        items=pd.DataFrame({"scope": ["overall"] * 2, "code": ["A", "A"], "item": ["D01", "D02"],
                            "alpha_if_deleted": [0.8, 0.85], "item_rest_r": [0.5, -0.2]}),
        warnings=["D02 平台提高了服务质量。: negative item-rest correlation -0.20"],
    )
    codes = [c for c in hierarchy.nodes]
    levels = [hierarchy.nodes[c].level for c in codes]
    rows = []
    for i, community in enumerate([*COMMUNITIES, POOLED]):
        hidden = community == SUPPRESSED
        for j, (code, level) in enumerate(zip(codes, levels, strict=True)):
            value = np.nan if hidden else 3.0 + 0.1 * i + 0.01 * j
            rows.append((community, level, code, value, 6 if hidden else 10 + i,
                         value - 0.2, value + 0.2, hidden))
    table = pd.DataFrame(rows, columns=["community", "level", "code", "score", "n", "ci_low",
                                        "ci_high", "suppressed"])
    goal = table[(table["code"] == "A") & ~table["suppressed"] & (table["community"] != POOLED)]
    ranking = goal[["community", "score", "ci_low", "ci_high", "n"]].assign(
        rank=goal["score"].rank(ascending=False, method="min").astype("Int64")
    ).sort_values("rank").reset_index(drop=True)
    scores = Scores(
        table=table,
        ranking=ranking[["community", "score", "ci_low", "ci_high", "rank", "n"]],
        strengths=pd.DataFrame({"community": ranking["community"], "strongest": "B2",
                                "strongest_gap": 0.1, "weakest": "B1", "weakest_gap": -0.1}),
        suppressed=[SUPPRESSED],
        min_respondents=10,
        notes=NOTES,
    )
    return {"screening": screening, "reliability": reliability, "panel": panel,
            "scores": scores}


def _uncertainty(results) -> dict[str, pd.DataFrame]:
    ranking = results["scores"].ranking
    summary = pd.DataFrame({"community": [*ranking["community"], SUPPRESSED],
                            "rank_low": [1, 1, 2, 3], "rank_high": [2, 3, 3, 3],
                            "p_top": [0.9, 0.6, 0.2, 0.1]})
    names = list(ranking["community"])
    pairwise = pd.DataFrame(0.5, index=pd.Index(names, name="community"), columns=names)
    return {"名次区间 Rank bands": summary, "两两比较 Pairwise": pairwise}


def _book(hierarchy, results, lang="zh", **options) -> openpyxl.Workbook:
    buffer = BytesIO()
    write_report(buffer, hierarchy, lang=lang, **results, **options)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def _cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _find(ws, value):
    return [c for row in ws.iter_rows() for c in row if c.value == value]


@pytest.fixture(scope="module")
def book(hierarchy, results):
    return _book(hierarchy, results, uncertainty=_uncertainty(results), synthetic=True,
                 settings={"aggregation": "AIJ", "bootstrap": 1000})


def test_sheets_in_order_with_valid_names(book):
    optional = ("construct_validity", "item_analysis", "delphi",  # not given to this book
                "grades", "ipa", "schemes", "groups", "changes", "audit")
    assert book.sheetnames == [s for k, s in SHEETS.items() if k not in optional]
    for name in book.sheetnames:
        assert len(name) <= 31 and not FORBIDDEN & set(name), name


def test_no_formula_anywhere_and_text_kept(book):
    assert not [c.coordinate for c in _cells(book) if c.data_type == "f"]
    for cell in _cells(book):
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert not cell.value.startswith(FORMULA_START), (cell.parent.title, cell.value)
    evil = [c for c in _cells(book) if isinstance(c.value, str) and EVIL in c.value]
    assert {c.parent.title for c in evil} >= {SHEETS["scores"], SHEETS["ranking"],
                                              SHEETS["validity"], SHEETS["score_detail"]}
    assert all(c.value == "'" + EVIL for c in evil)
    assert _find(book[SHEETS["expert_cr"]], "'+E2")
    assert _find(book[SHEETS["validity"]], "'-2 in D03")
    assert _find(book[SHEETS["validity"]], "'@12 s")
    assert _find(book[SHEETS["validity"]], "'\tall 3")


def test_suppressed_community_shows_text_not_numbers(book, results):
    text = "n<10 不报告 / not reported"
    ws = book[SHEETS["scores"]]
    header = _find(ws, SUPPRESSED)[0]
    codes = len(results["scores"].table["code"].unique())
    column = [ws.cell(row=r, column=header.column).value for r in range(4, 4 + codes)]
    assert set(column) == {text}
    assert ws.cell(row=4 + codes, column=header.column).value is None
    ranking = book[SHEETS["ranking"]]
    row = _find(ranking, SUPPRESSED)[0].row
    values = [c.value for c in ranking[row]]
    assert text in values and not any(isinstance(v, float) for v in values)
    detail = book[SHEETS["score_detail"]]
    rows = [c.row for c in _find(detail, SUPPRESSED)]
    assert rows and all(
        not any(isinstance(c.value, float) for c in detail[r]) for r in rows
    )
    uncertainty = book[SHEETS["uncertainty"]]
    row = _find(uncertainty, SUPPRESSED)[0].row
    assert text in [c.value for c in uncertainty[row]]


def test_scores_sheet_values_formats_and_panes(book, results):
    ws = book[SHEETS["scores"]]
    assert ws.freeze_panes == "D4"
    assert [ws.cell(row=2, column=c).value for c in (1, 2, 3)] == ["代码", "层级", "名称"]
    assert ws.cell(row=3, column=1).value == "Code"
    header = _find(ws, "芦花社区")[0]
    assert ws.cell(row=3, column=header.column).value == "n=10"
    codes = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    assert codes[:4] == ["A", "B1", "B2", "C01"]
    table = results["scores"].table
    expected = table[(table["community"] == "芦花社区") & (table["code"] == "C01")]["score"]
    cell = ws.cell(row=4 + codes.index("C01"), column=header.column)
    assert cell.value == pytest.approx(expected.iloc[0])
    assert cell.number_format == "0.0000"
    pooled = _find(ws, POOLED)[0]
    assert pooled.column == 4  # the pooled column comes first


def test_scoring_notes_under_the_scores_table(book, hierarchy, results):
    ws = book[SHEETS["scores"]]
    codes = len(results["scores"].table["code"].unique())
    heading = _find(ws, "注 / Notes")[0]
    assert heading.row == 4 + codes + 1  # one blank row after the table
    notes = [ws.cell(row=heading.row + 1 + i, column=1).value for i in range(len(NOTES))]
    assert notes == [NOTES[0], "'" + NOTES[1]]  # text starting with "-" is kept as text
    assert ws.cell(row=heading.row + 1 + len(NOTES), column=1).value is None
    english = _book(hierarchy, {"scores": results["scores"]}, lang="en")[SHEETS["scores"]]
    assert _find(english, "Notes / 注") and _find(english, NOTES[0])
    quiet = replace(results["scores"], notes=[])
    assert not _find(_book(hierarchy, {"scores": quiet})[SHEETS["scores"]], "注 / Notes")


def test_weights_sheet(book, results):
    ws = book[SHEETS["weights"]]
    assert ws.freeze_panes == "B4"
    row = _find(ws, "C03")[0].row
    values = [c.value for c in ws[row]]
    assert values[:5] == ["C03", "C", "B2", "参与途径", "Participation channels"]
    assert values[5] == pytest.approx(1.0) and values[6] == pytest.approx(0.6)
    assert ws.cell(row=row, column=7).number_format == "0.0000"


def test_expert_sheet_flags_high_cr_and_lists_exclusions(book):
    ws = book[SHEETS["expert_cr"]]
    row = _find(ws, "'+E2")[0].row
    high = ws.cell(row=row, column=3)
    assert high.value == pytest.approx(0.15)
    assert high.fill.fgColor.rgb.endswith("F8CBAD")
    assert not ws.cell(row=row - 1, column=3).fill.fgColor.rgb.endswith("F8CBAD")
    assert ws.cell(row=2, column=3).value == "B1 科学"
    assert _find(ws, "群组 / Group") and _find(ws, "共识度 S* / Consensus S*")
    assert _find(ws, "CR 0.150 ≥ 0.10")


def test_validity_and_reliability_sheets(book):
    ws = book[SHEETS["validity"]]
    assert [ws.cell(row=4, column=c).value for c in (1, 2)] == [40, 37]
    assert ws.cell(row=4, column=3).number_format == "0.0%"
    assert _find(ws, "用时过短")  # rule identifiers are shown as text
    rel = book[SHEETS["reliability"]]
    assert _find(rel, "D02 平台提高了服务质量。: negative item-rest correlation -0.20")
    negative = _find(rel, -0.2)[0]
    assert negative.fill.fgColor.rgb.endswith("F8CBAD")
    assert _find(rel, "总量表")


def test_about_sheet_synthetic_method_and_settings(book, hierarchy, results):
    about = [c.value for c in _cells(book) if c.parent.title == SHEETS["about"] and c.value]
    assert any(str(v).startswith("合成数据") for v in about)
    assert any(str(v).startswith("SYNTHETIC DATA") for v in about)
    assert "回收问卷 40 份，有效 37 份，有效率 92.5%。" in about
    assert "自助法重抽样次数" in about and 1000 in about  # settings named in the language
    real = _book(hierarchy, results, synthetic=False)
    about = [c.value for c in _cells(real) if c.parent.title == SHEETS["about"] and c.value]
    assert not any("SYNTHETIC" in str(v) or "合成数据" in str(v) for v in about)


def test_optional_sheets_are_left_out(hierarchy, results):
    wb = _book(hierarchy, {"scores": results["scores"]})
    assert wb.sheetnames == [SHEETS[k] for k in ("about", "scores", "score_detail", "ranking")]


def test_english_headers_first(hierarchy, results):
    wb = _book(hierarchy, results, lang="en")
    ws = wb[SHEETS["ranking"]]
    assert [ws.cell(row=2, column=c).value for c in (1, 2, 3)] == ["Rank", "Community", "Score"]
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 3)] == ["名次", "社区", "得分"]
    assert _find(ws, "n<10 not reported / 不报告")
    assert _find(ws, "B2 Participation")


def test_ranking_sheet_order_and_strengths(book):
    ws = book[SHEETS["ranking"]]
    assert ws.freeze_panes == "C4"
    ranks = [ws.cell(row=r, column=1).value for r in range(4, 7)]
    assert ranks == [1, 2, 3]
    assert _find(ws, "B2 参与") and _find(ws, "B1 科学")


def test_write_to_path_and_tables_entry_point(tmp_path, hierarchy, results):
    path = tmp_path / "report.xlsx"
    write_report(path, hierarchy, scores=results["scores"], lang="en")
    assert openpyxl.load_workbook(path).sheetnames[0] == SHEETS["about"]
    inputs = ReportInputs.from_results(hierarchy, panel=results["panel"])
    buffer = BytesIO()
    write_report_tables(inputs, buffer)
    assert openpyxl.load_workbook(BytesIO(buffer.getvalue())).sheetnames == [
        SHEETS["about"], SHEETS["weights"], SHEETS["expert_cr"]]


def test_bad_language(hierarchy):
    inputs = ReportInputs.from_results(hierarchy)
    with pytest.raises(ReportError, match="'fr'"):
        write_report_tables(inputs, BytesIO(), lang="fr")
