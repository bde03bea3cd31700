"""The ``shanzhi`` command line: demo figures, evaluate, templates, and one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from ahp.hierarchy import Hierarchy
from cli.main import main
from evaluation.study import StudySettings, run_study
from survey.loading import load_responses

STUDY_ORDER = ["B2", "B6", "B7", "B5", "B4", "B3", "B1"]  # Zheng & Lu 2022, weight order


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("demo")
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["demo", "--out", str(out)])
    assert status == 0
    return buffer.getvalue(), out


def test_demo_prints_validity_line_of_the_study(demo_run: tuple[str, Path]) -> None:
    text, _ = demo_run
    assert "405 received / 370 valid / 91.4%" in text


def test_demo_prints_dimensions_in_the_study_weight_order(demo_run: tuple[str, Path]) -> None:
    text, _ = demo_run
    order_line = next(line for line in text.splitlines() if line.count(" > ") == 6)
    assert re.findall(r"B\d", order_line) == STUDY_ORDER


def test_demo_overall_score_is_near_the_study(demo_run: tuple[str, Path]) -> None:
    text, _ = demo_run
    score = float(re.search(r"overall score .*: (\d\.\d{4})", text).group(1))
    assert abs(score - 3.7801) < 0.03


def test_demo_prints_each_scoring_note_on_its_own_line(demo_run: tuple[str, Path]) -> None:
    text, _ = demo_run
    notes = [line for line in text.splitlines() if line.startswith("note 注: ")]
    assert notes == [
        "note 注: 28 个社区中有 2 个样本少于 10 人，不公布得分（n<10）：梅坞社区、桑园社区"
    ]


def test_demo_writes_report_and_charts(demo_run: tuple[str, Path]) -> None:
    _, out = demo_run
    wb = load_workbook(out / "report.xlsx")
    assert len(wb.sheetnames) >= 6
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert pngs == ["grades.png", "heatmap.png", "ipa.png", "radar.png", "ranking.png",
                    "schemes.png", "weights.png", "weights_sunburst.png"]
    assert all((out / "figures" / p).stat().st_size > 10_000 for p in pngs)


def test_evaluate_in_english_with_a_higher_minimum(tmp_path: Path, capsys) -> None:
    status = main([
        "evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses", str(SAMPLE_RESPONSES),
        "--judgments", str(SAMPLE_JUDGMENTS), "--out", str(tmp_path / "r.xlsx"),
        "--lang", "en", "--min-respondents", "14", "--bootstrap", "50",
    ])
    assert status == 0
    text = capsys.readouterr().out
    suppressed = re.search(r"suppressed: (.*)\):", text).group(1)
    assert suppressed != "-"
    assert (tmp_path / "r.xlsx").exists()


def test_missing_responses_file_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    status = main([
        "evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses", str(tmp_path / "no.xlsx"),
        "--judgments", str(SAMPLE_JUDGMENTS), "--out", str(tmp_path / "r.xlsx"),
    ])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("shanzhi: error:") and "no.xlsx" in err
    assert len(err.splitlines()) == 1


def test_wrong_community_column_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    status = main([
        "evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses", str(SAMPLE_RESPONSES),
        "--judgments", str(SAMPLE_JUDGMENTS), "--out", str(tmp_path / "r.xlsx"),
        "--community-column", "街道",
    ])
    err = capsys.readouterr().err.strip()
    assert status == 2 and "街道" in err and len(err.splitlines()) == 1


def test_judgment_template_has_a_sheet_per_compared_node(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", "judgments", "--framework", str(SAMPLE_FRAMEWORK),
                 "--out", str(out)]) == 0
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    sheets = load_workbook(out).sheetnames
    assert set(hierarchy.compared_nodes()) <= set(sheets)


def test_questionnaire_template_loads_back_by_item_codes(tmp_path: Path) -> None:
    out = tmp_path / "q.xlsx"
    assert main(["template", "questionnaire", "--framework", str(SAMPLE_FRAMEWORK),
                 "--out", str(out)]) == 0
    wb = load_workbook(out)
    ws = wb["数据 Data"]
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    ws.append([1, "湖滨社区", *[4] * len(hierarchy.items)])
    wb.save(out)
    loaded = load_responses(out, hierarchy, sheet="数据 Data")
    assert loaded.mapping.method == "codes"
    assert list(loaded.answers.columns) == list(hierarchy.items)


def test_evaluate_with_uncertainty_adds_bands_sheet_and_charts(tmp_path: Path, capsys) -> None:
    status = main([
        "evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses", str(SAMPLE_RESPONSES),
        "--judgments", str(SAMPLE_JUDGMENTS), "--out", str(tmp_path / "r.xlsx"),
        "--figures", str(tmp_path / "fig"), "--bootstrap", "50", "--uncertainty", "100",
    ])
    assert status == 0
    text = capsys.readouterr().out
    assert "uncertainty 不确定性 (100 draws; sources: panel, residents)" in text
    assert re.search(r"rank band \d+–\d+, P\(top 3\) \d\.\d\d", text)
    assert "不确定性 Uncertainty" in load_workbook(tmp_path / "r.xlsx").sheetnames
    pngs = {p.name for p in (tmp_path / "fig").glob("*.png")}
    assert {"ranking_uncertainty.png", "tornado.png", "pairwise.png"} <= pngs


def test_every_option_has_help_text() -> None:
    """``shanzhi <command> --help`` explains every option and argument."""
    import argparse

    from cli.main import _parser

    def check(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            assert action.help, f"{path}: {action.dest} has no help text"
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    check(sub, f"{path} {name}")

    check(_parser(), "shanzhi")


def test_report_opens_with_a_one_page_summary(tmp_path: Path) -> None:
    """The report's first sheet is the summary: key numbers, top and bottom five, dimension
    weights, the ranking chart and the heatmap as pictures, fitted to one page."""
    from openpyxl import load_workbook

    from reports.outputs import SUMMARY_SHEET, write_study_report

    result = run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS, StudySettings(),
                       synthetic=True)
    write_study_report(result, tmp_path / "r.xlsx", "zh")
    book = load_workbook(tmp_path / "r.xlsx")
    summary = book.worksheets[0]
    assert summary.title == SUMMARY_SHEET and len(summary._images) == 2
    texts = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    assert "得分最低的五个社区" in texts and "370 / 405" in texts
    assert summary.sheet_properties.pageSetUpPr.fitToPage
