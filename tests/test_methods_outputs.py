"""The other methods' surfaces: report sheets, charts, CLI options and the comparison page."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from cli.main import main
from evaluation.schemes import SCHEME_LABELS, study_schemes
from evaluation.study import StudySettings, run_study
from reports import method_charts
from reports.charts import DPI
from reports.methods_report import method_figures
from reports.outputs import names, write_study_report
from survey.scoring import POOLED

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def result():
    return run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                     StudySettings(bootstrap=0), synthetic=True)


@pytest.fixture(scope="module")
def schemes(result):
    return study_schemes(result, 20)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_has_the_method_sheets(result, schemes, tmp_path, lang):
    path = tmp_path / "report.xlsx"
    write_study_report(result, path, lang, schemes=schemes)
    book = load_workbook(path, read_only=True)
    for sheet in ("等级 Grades", "重点改进 IPA", "权重方案 Schemes", "群体比较 Groups"):
        assert sheet in book.sheetnames
    cells = {ws.title: [str(v) for row in ws.iter_rows(values_only=True) for v in row
                        if v is not None] for ws in book.worksheets}
    grades = cells["等级 Grades"]
    assert ("等级得分" if lang == "zh" else "Grade score") in grades
    assert ("良" if lang == "zh" else "Good") in grades
    assert any("Spearman" in c for c in cells["权重方案 Schemes"])
    assert "TOPSIS" in cells["权重方案 Schemes"]
    groups = cells["群体比较 Groups"]
    assert "不满1年" not in groups  # a group under the minimum is never shown
    assert any("Kruskal" in c for c in groups)
    assert "D12" in cells["重点改进 IPA"]


def test_report_without_schemes_keeps_the_other_sheets(result, tmp_path):
    path = tmp_path / "report.xlsx"
    write_study_report(result, path, "en")
    names = load_workbook(path, read_only=True).sheetnames
    assert "等级 Grades" in names and "权重方案 Schemes" not in names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_method_charts_have_labels_and_bounded_size(result, schemes, lang):
    figures = method_figures(result, schemes, lang, note="note")
    assert set(figures) == {"ipa", "grades", "schemes"}
    for fig in figures.values():
        width, height = fig.get_size_inches()
        assert width <= method_charts.MAX_SIZE[0] and height <= method_charts.MAX_SIZE[1]
    texts = [t.get_text() for ax in figures["ipa"].axes for t in ax.texts]
    quadrant = "重点改进" if lang == "zh" else "Concentrate here"
    assert any(quadrant in t for t in texts)
    assert any(t.startswith("D12") for t in texts)
    bars = [t.get_text() for t in figures["grades"].axes[0].texts]
    assert any(("良" if lang == "zh" else "Good") in t for t in bars)
    ticks = [t.get_text() for t in figures["schemes"].axes[0].get_xticklabels()]
    assert len(ticks) == 7 and any("TOPSIS" in t for t in ticks)
    assert SCHEME_LABELS["entropy"].replace(" ", "\n", 1) in ticks


def test_ipa_chart_of_one_community_and_bad_input(result):
    community = result.published[0]
    fig = method_charts.ipa_chart(result.ipa.of(community), lang="en")
    assert fig.get_size_inches()[0] <= method_charts.MAX_SIZE[0]
    with pytest.raises(method_charts.ChartDataError):
        method_charts.ipa_chart(result.ipa.of(POOLED).drop(columns=["quadrant"]))
    with pytest.raises(method_charts.ChartDataError):
        method_charts.schemes_chart(result.ipa.of(POOLED)[["importance"]].iloc[0:0])


def _label_clashes(fig: Figure) -> list[str]:
    """Texts of the IPA axes (item labels and corner names) whose boxes intersect, or that leave
    the axes, measured by the renderer at the PNG's resolution. A label's box is its text's
    (``Text.get_window_extent``: an annotation's own extent would include its leader line)."""
    fig.set_dpi(DPI)
    fig.draw_without_rendering()  # lays the figure out and keeps the renderer for the extents
    ax = fig.axes[0]
    texts = ax.texts
    boxes = np.array([Text.get_window_extent(text).extents for text in texts])
    meet = ((boxes[:, None, 0] < boxes[None, :, 2]) & (boxes[None, :, 0] < boxes[:, None, 2])
            & (boxes[:, None, 1] < boxes[None, :, 3]) & (boxes[None, :, 1] < boxes[:, None, 3]))
    x0, y0, x1, y1 = ax.get_window_extent().extents
    outside = (boxes[:, 0] < x0) | (boxes[:, 1] < y0) | (boxes[:, 2] > x1) | (boxes[:, 3] > y1)
    return ([f"{texts[i].get_text()!r} overlaps {texts[j].get_text()!r}"
             for i, j in zip(*np.nonzero(np.triu(meet, k=1)), strict=True)]
            + [f"{texts[i].get_text()!r} leaves the axes" for i in np.flatnonzero(outside)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ipa_labels_do_not_overlap(result, lang):
    """Every item of the whole study is labelled, and no label overlaps another or a corner
    name; the clusters below the importance cut need leader lines."""
    fig = method_charts.ipa_chart(result.ipa.of(POOLED), names=names(result, lang), lang=lang)
    labels = [a for a in fig.axes[0].texts if isinstance(a, Annotation)]
    assert sorted(a.get_text().split()[0] for a in labels) == sorted(result.hierarchy.items)
    assert any(a.arrow_patch is not None for a in labels)
    assert _label_clashes(fig) == []


def test_ipa_labels_do_not_overlap_in_any_community(result):
    """The same in every community's chart (some have items on the same spot)."""
    clashes = {}
    for community in result.published:
        fig = method_charts.ipa_chart(result.ipa.of(community), names=names(result, "zh"))
        clashes[community] = _label_clashes(fig)
    assert {c: found for c, found in clashes.items() if found} == {}


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(args)
    return status, buffer.getvalue(), capsys.readouterr().err


def _evaluate(tmp_path: Path, *extra: str) -> list[str]:
    return ["evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses",
            str(SAMPLE_RESPONSES), "--judgments", str(SAMPLE_JUDGMENTS), "--out",
            str(tmp_path / "r.xlsx"), "--bootstrap", "0", "--scheme-draws", "10", *extra]


def test_cli_methods_options(tmp_path, capsys):
    status, out, _ = _cli(_evaluate(
        tmp_path, "--weights", "combined", "--alpha", "0.7", "--grades",
        "优:100,良:80,中:60,较差:40,差:20", "--group-by", "居住,性别", "--group-test", "welch",
        "--lang", "en"), capsys)
    assert status == 0
    assert "combined 0.7·AHP + 0.3·entropy" in out
    assert "grade 等级 (M(·,+)): overall 总体 Good" in out
    assert "improve first 重点改进" in out and "TOPSIS ranking" in out
    assert out.count("groups 群体差异") == 2 and "Welch" in out
    assert "AHP (AIJ) ~ TOPSIS" in out
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert "群体比较 Groups" in book.sheetnames


@pytest.mark.parametrize("extra, message", [
    (["--grades", "优:100,良:80"], "give 5 grades"),
    (["--group-by", "学历"], "not found among the demographic columns"),
    (["--alpha", "2"], "alpha must lie in [0, 1]"),
    (["--min-group-size", "1"], "min_group_size must be at least 2"),
])
def test_cli_bad_method_input_is_one_line(tmp_path, capsys, extra, message):
    status, _, err = _cli(_evaluate(tmp_path, *extra), capsys)
    assert status == 2
    assert message in err and err.count("\n") == 1


def test_cli_help_describes_every_method_option(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = capsys.readouterr().out
    for option in ("--weights", "--objective", "--combination", "--alpha", "--grades",
                   "--fuzzy-operator", "--group-by", "--group-test", "--min-group-size",
                   "--scheme-draws"):
        assert option in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_comparison_page_answers_the_three_questions(tmp_path, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    from i18n import t

    monkeypatch.setenv("SHANZHI_DB", str(tmp_path / "db.sqlite3"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at = at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    labels = [tab.label for tab in at.tabs]
    for key in ("methods.app.tab_grades", "methods.app.tab_improve", "methods.app.tab_groups",
                "methods.app.tab_schemes"):
        assert t(key, lang) in labels
    ranking = next(table.value for table in at.table
                   if t("methods.app.col_grade", lang) in table.value.columns)
    assert ranking[t("methods.app.col_grade", lang)].iloc[0].startswith("良" if lang == "zh"
                                                                       else "Good")
    text = ""
    for key in ("methods.app.tab_grades", "methods.app.tab_improve", "methods.app.tab_groups",
                "methods.app.tab_schemes"):  # only the open tab is drawn: open each in turn
        at.session_state["compare_tab"] = t(key, lang)
        at.run()
        assert not at.exception
        text += "\n".join(str(e.value) for kind in ("markdown", "success", "warning", "info",
                                                    "caption")
                          for e in getattr(at, kind))
    assert ("全部社区合计评为" if lang == "zh" else "All communities together are graded") in text
    assert "D12" in text  # what to improve first
    assert "您在本地居住的年限" in text  # the groups that judge differently
    assert t("methods.report.pairs", lang) in text  # the rank correlations of the schemes
    at.session_state["compare_tab"] = t("methods.app.tab_groups", lang)
    at.run()
    at.selectbox(key="group_column").set_value("您的性别").run()
    at.radio(key="group_test").set_value(t("methods.test_name.anova", lang)).run()
    assert not at.exception
    at.session_state["compare_tab"] = t("methods.app.tab_improve", lang)
    at.run()
    at.selectbox(key="improve_community").select_index(1).run()
    assert not at.exception
