"""The bundled SYNTHETIC sample study (data/): reproducible, and calibrated to the Hangzhou study.

The figures checked here are the published ones (郑春勇、陆妍妍 2022, 《基于善治理论的基层智治平台
绩效评价：以杭州为例》, 社科纵横 2022(5); the figures are listed in data/README.md):
405 questionnaires, 370 valid (91.4 %); dimension weights B2 > B6 > B7 > B5 > B4 > B3 > B1;
overall score 3.7801, 有效性 3.759, 基本信息公开 3.3964, 治理目标完成度 4.0, every dimension above
3.5, 科学 highest and 透明 lowest. Every number is computed from the committed sample files by
the project's engine (ahp.panel, survey.*); nothing is read from the generator's constants.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from ahp.io.workbook import read_judgments_csv, read_judgments_xlsx
from ahp.panel import panel_weights
from survey.loading import load_responses
from survey.reliability import reliability
from survey.scoring import score
from survey.screening import screen

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SAMPLE = DATA / "sample"
FRAMEWORK = DATA / "framework.csv"
EXPORT = SAMPLE / "synthetic_wjx_export.xlsx"
KEY = SAMPLE / "synthetic_screening_key.csv"
JUDGMENTS = SAMPLE / "synthetic_judgments.csv"
EXPERTS = SAMPLE / "synthetic_experts.csv"
WORKBOOKS = SAMPLE / "synthetic_expert_workbooks"
CSV_OUTPUTS = (KEY, JUDGMENTS, EXPERTS)
XLSX_OUTPUTS = (EXPORT, *sorted(WORKBOOKS.glob("*.xlsx")))

STUDY_WEIGHT_ORDER = ["B2", "B6", "B7", "B5", "B4", "B3", "B1"]
POOLED = "全部 All"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_sample", DATA / "generate_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _cell_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return Hierarchy.from_csv(FRAMEWORK)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """The sample written again with the default seed into a fresh folder."""
    generator = _load_generator()
    out = tmp_path_factory.mktemp("sample")
    generator.write_sample(generator.generate_sample(), out)
    return out


@pytest.fixture(scope="module")
def loaded(hierarchy):
    return load_responses(EXPORT, hierarchy)


@pytest.fixture(scope="module")
def screened(loaded):
    return screen(loaded)


@pytest.fixture(scope="module")
def panel(hierarchy):
    return panel_weights(hierarchy, read_judgments_csv(JUDGMENTS))


@pytest.fixture(scope="module")
def scores(hierarchy, screened, panel):
    valid, _ = screened
    return score(valid, hierarchy, panel.weights, bootstrap=20, seed=0)


@pytest.fixture(scope="module")
def pooled_scores(scores) -> pd.Series:
    table = scores.table
    return table[table["community"] == POOLED].set_index("code")["score"]


# ------------------------------------------------------------------ framework
def test_framework_has_the_study_structure_and_a_few_reverse_items(hierarchy):
    frame = pd.read_csv(FRAMEWORK, dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "level",
        "code",
        "parent",
        "name_zh",
        "name_en",
        "source",
        "reverse",
    ]
    assert [len(hierarchy.codes(level)) for level in "BCD"] == [7, 22, 57]
    assert set(frame["source"]) == {"paper", "reconstructed"}
    assert set(frame["reverse"]) == {"0", "1"}
    assert 3 <= len(hierarchy.reverse_items) <= 5
    assert frame.loc[frame["reverse"] == "1", "level"].eq("D").all()


# ------------------------------------------------------------------ reproducibility
@pytest.mark.parametrize("path", CSV_OUTPUTS, ids=lambda p: p.name)
def test_regenerating_gives_identical_csv_bytes(regenerated, path):
    assert (regenerated / path.name).read_bytes() == path.read_bytes()


def test_another_seed_gives_another_sample():
    generator = _load_generator()
    default, other = generator.generate_sample(), generator.generate_sample(seed=1)
    assert not default.judgments.equals(other.judgments)
    assert not default.export.equals(other.export)


@pytest.mark.parametrize("path", XLSX_OUTPUTS, ids=lambda p: p.name)
def test_regenerating_gives_identical_workbook_cells(regenerated, path):
    relative = path.relative_to(SAMPLE)
    assert _cell_values(regenerated / relative) == _cell_values(path)


def test_every_output_is_labelled_synthetic(regenerated):
    written = sorted(str(p.relative_to(regenerated)) for p in regenerated.rglob("*.*"))
    assert written == sorted(str(p.relative_to(SAMPLE)) for p in (*CSV_OUTPUTS, *XLSX_OUTPUTS))
    assert len(XLSX_OUTPUTS) == 1 + 25
    assert all(name.startswith("synthetic_") for name in written)
    sheets = _cell_values(EXPORT)
    data_sheet, notes_sheet = sheets
    assert "SYNTHETIC" in data_sheet
    assert "SYNTHETIC DATA" in sheets[notes_sheet][0][0]


# ------------------------------------------------------------------ questionnaire layout
def test_export_has_the_wenjuanxing_text_layout(hierarchy):
    frame = pd.read_excel(EXPORT, sheet_name=0, dtype=str, engine="calamine")
    assert list(frame.columns[:8]) == [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您的姓名",
        "2、您所在的社区是？",
    ]
    demographics = ["10、您的性别", "11、您的年龄段", "12、您在本地居住的年限", "13、您的户籍"]
    assert list(frame.columns[-4:]) == demographics
    items = frame.columns[8:-4]
    assert len(items) == len(hierarchy.items)
    assert all(re.fullmatch(r"[3-9]、\(.+\)", h) for h in items)
    assert frame["所用时间"].str.fullmatch(r"\d+秒").all()
    assert frame["来源"].isin(["手机提交", "微信", "链接"]).all()
    documentation_ip = r"(203\.0\.113|198\.51\.100|192\.0\.2)\.\d{1,3}\(浙江-杭州\)"
    assert frame["来自IP"].str.fullmatch(documentation_ip).all()
    answers = frame[items].stack()
    labels = {"非常不同意", "不同意", "一般", "同意", "非常同意"}
    assert answers.isin(labels).mean() > 0.95


# ------------------------------------------------------------------ validity (survey.screen)
def test_validity_reads_405_370_91_4(screened):
    _, report = screened
    assert (report.received, report.valid) == (405, 370)
    assert round(report.rate * 100, 1) == 91.4


def test_exclusions_are_the_planted_ones_for_varied_reasons(screened):
    _, report = screened
    key = pd.read_csv(KEY, dtype={"序号": str})
    assert sorted(report.excluded, key=int) == sorted(key["序号"], key=int)
    found = report.reasons.groupby("respondent_id")["rule"].agg(set)
    assert all(
        planted in found[rid]
        for rid, planted in zip(key["序号"], key["planted_reason"], strict=True)
    )
    assert key["planted_reason"].nunique() >= 5


def test_loader_drops_identifiers_and_finds_28_communities(loaded, screened):
    assert {"1、您的姓名", "来自IP", "来源详情"} <= set(loaded.dropped_columns)
    valid, _ = screened
    per_community = valid.community.value_counts()
    assert len(per_community) == 28
    assert per_community.sum() == 370
    assert (per_community < 10).sum() >= 1


# ------------------------------------------------------------------ weights (ahp.panel)
def test_group_weights_order_the_dimensions_as_the_study(panel):
    dimension_weights = panel.weights.global_("B")
    assert list(dimension_weights.sort_values(ascending=False).index) == STUDY_WEIGHT_ORDER


def test_expert_workbooks_hold_the_csv_judgments(hierarchy):
    key = ["expert", "node", "row", "col"]
    from_books = read_judgments_xlsx(WORKBOOKS, hierarchy).table.sort_values(key)
    from_csv = read_judgments_csv(JUDGMENTS).table.sort_values(key)
    pd.testing.assert_frame_equal(
        from_books.reset_index(drop=True), from_csv.reset_index(drop=True), check_dtype=False
    )
    assert len(from_csv) == 25 * sum(
        len(hierarchy.children(node)) * (len(hierarchy.children(node)) - 1) // 2
        for node in hierarchy.compared_nodes()
    )


def test_some_experts_are_inconsistent_on_the_dimensions(panel):
    over = (panel.expert_cr > 0.10).sum(axis=0)
    assert over.max() >= 2
    assert over["A"] >= 2


# ------------------------------------------------------------------ scores (survey.score)
def test_scores_are_near_the_published_figures(pooled_scores, hierarchy):
    dimensions = pooled_scores[hierarchy.codes("B")]
    assert abs(pooled_scores["A"] - 3.7801) <= 0.03
    assert abs(pooled_scores["B7"] - 3.759) <= 0.03
    assert abs(pooled_scores["C07"] - 3.3964) <= 0.03
    assert abs(pooled_scores["C01"] - 4.0) <= 0.05
    assert dimensions.idxmax() == "B1"
    assert dimensions.idxmin() == "B3"
    assert (dimensions > 3.5).all()
    sub_indicators = pooled_scores[hierarchy.codes("C")]
    assert sub_indicators.between(3.0, 4.0 + 0.05).mean() >= 0.9


def test_small_communities_are_suppressed_and_the_pooled_row_keeps_everyone(scores, screened):
    valid, _ = screened
    per_community = valid.community.value_counts()
    assert sorted(scores.suppressed) == sorted(per_community[per_community < 10].index)
    pooled = scores.table[(scores.table["community"] == POOLED) & (scores.table["code"] == "A")]
    assert pooled["n"].tolist() == [370]


# ------------------------------------------------------------------ reliability
def test_reliability_is_healthy_after_reverse_coding(screened, hierarchy):
    valid, _ = screened
    result = reliability(valid, hierarchy)
    overall = result.scales.loc[result.scales["scope"] == "overall", "alpha"]
    assert 0.85 <= overall.item() <= 0.95
    assert len(result.items) >= len(hierarchy.items)
    assert np.all(result.items["item_rest_r"] > 0)
