"""Validity next to reliability: the pipeline step, the report sheets, the CLI, bad input."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from cli.main import main
from evaluation.study import StudySettings, run_study
from evaluation.validity import assess_validity, kmo_label
from reports.outputs import write_study_report


@pytest.fixture(scope="module")
def sample_study():
    return run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                     StudySettings(bootstrap=50), synthetic=True)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("value", "label"), [
    (0.95, "marvelous"), (0.9, "marvelous"), (0.855, "meritorious"), (0.75, "middling"),
    (0.65, "mediocre"), (0.55, "miserable"), (0.3, "unacceptable"),
])
def test_kaiser_labels(value: float, label: str) -> None:
    assert kmo_label(value) == label


def test_sample_study_carries_validity_and_its_step(sample_study) -> None:
    v = sample_study.validity
    assert v is not None and v.ok
    assert v.kmo.overall == pytest.approx(0.855, abs=0.001)
    assert v.bartlett.df == 57 * 56 // 2
    assert v.bartlett.pvalue < 1e-10
    assert v.efa.n_factors_from == "parallel analysis"
    assert v.efa.n_factors == 6 and v.efa.kaiser == 16
    assert set(v.comparison.dimension_factor) == {f"B{i}" for i in range(1, 8)}
    step = next(s for s in sample_study.steps if s.name == "validity")
    assert "KMO 0.855" in step.summary("en") and "KMO 0.855" in step.summary("zh")
    assert step.label("zh") == "效度"
    names = [s.name for s in sample_study.steps]
    assert names.index("reliability") < names.index("validity") < names.index("score")


def test_sentences_in_both_languages(sample_study) -> None:
    v = sample_study.validity
    assert "meritorious" in v.verdict().text("en") and "suitable" in v.verdict().text("en")
    assert "良好" in v.verdict().text("zh") and "适合做因子分析" in v.verdict().text("zh")
    off = v.comparison.off_dimension
    assert off, "the synthetic sample has items off their dimension"
    text_en = " ".join(m.text("en") for m in v.findings())
    text_zh = " ".join(m.text("zh") for m in v.findings())
    for item in off:
        assert item in text_en and item in text_zh
    for dim in v.comparison.splits:
        assert f"Dimension {dim} splits" in text_en
    warnings = v.item_warnings()
    assert warnings and all(m.text("zh").startswith("题目 D") for m in warnings)


def test_unsuitable_kmo_is_said_plainly() -> None:
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.integers(1, 6, size=(200, 6)).astype(float),
                        columns=[f"D0{i}" for i in range(1, 7)])
    from ahp.hierarchy import Hierarchy

    frame = pd.DataFrame({
        "level": ["B", "B", "C", "C", *["D"] * 6],
        "code": ["B1", "B2", "C1", "C2", *data.columns],
        "parent": ["A", "A", "B1", "B2", "C1", "C1", "C1", "C2", "C2", "C2"],
        "name_zh": list("甲乙丙丁戊己庚辛壬癸"), "name_en": list("abcdefghij"),
    })
    v = assess_validity(data, Hierarchy.from_frame(frame))
    assert v.kmo.overall < 0.6
    assert "NOT suitable" in v.verdict().text("en")
    assert "不适合" in v.verdict().text("zh")


def _study_with(answers_change, sample_study):
    valid = sample_study.valid
    answers = answers_change(valid.answers.copy())
    from dataclasses import replace

    return run_study(sample_study.hierarchy, replace(valid, answers=answers),
                     sample_study.judgments, StudySettings(bootstrap=10))


def test_constant_item_does_not_fail_the_study(sample_study) -> None:
    def constant(a: pd.DataFrame) -> pd.DataFrame:
        a["D05"] = 3.0
        return a

    result = _study_with(constant, sample_study)
    v = result.validity
    assert not v.ok and "D05" in v.error and "constant" in v.error
    assert "\n" not in v.error
    assert result.scores.ranking.shape[0] > 0  # the rest of the study ran
    step = next(s for s in result.steps if s.name == "validity_failed" or s.name == "validity")
    assert "D05" in step.summary("en")
    assert any("D05" in m.text("zh") for m in v.item_warnings())


def test_duplicated_item_names_both(sample_study) -> None:
    def duplicate(a: pd.DataFrame) -> pd.DataFrame:
        a["D07"] = a["D06"]
        return a

    v = _study_with(duplicate, sample_study).validity
    assert "singular" in v.error and "D06" in v.error and "D07" in v.error
    assert "D06" in v.verdict().text("zh")


def test_more_items_than_respondents(sample_study) -> None:
    v = assess_validity(sample_study.valid.answers.head(30), sample_study.hierarchy)
    assert not v.ok and "57 items" in v.error and "30" in v.error


def test_report_has_validity_and_item_analysis_sheets(sample_study, tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        path = tmp_path / f"report_{lang}.xlsx"
        write_study_report(sample_study, path, lang)
        book = load_workbook(path)
        assert "效度 Validity" in book.sheetnames and "项目分析 Item analysis" in book.sheetnames
        assert book.sheetnames.index("信度 Reliability") < book.sheetnames.index("效度 Validity")
        text = "\n".join(str(c) for row in book["效度 Validity"].iter_rows(values_only=True)
                         for c in row if c is not None)
        assert "KMO = 0.855" in text and "D41" in text
        assert ("良好" if lang == "zh" else "meritorious") in text
        items = "\n".join(str(c) for row in book["项目分析 Item analysis"].iter_rows(
            values_only=True) for c in row if c is not None)
        assert "D13" in items


def test_cli_validity_prints_kmo_bartlett_and_efa() -> None:
    status, out, err = run("validity", "--framework", str(SAMPLE_FRAMEWORK), "--responses",
                           str(SAMPLE_RESPONSES), "--lang", "en")
    assert status == 0, err
    assert "KMO = 0.855" in out and "df = 1596" in out
    assert "6 factors (parallel analysis" in out and "would keep 16" in out
    assert "variance" in out and "Item D13" in out
    status, out, _ = run("validity", "--framework", str(SAMPLE_FRAMEWORK), "--responses",
                         str(SAMPLE_RESPONSES), "--factors", "7", "--rotation", "varimax",
                         "--method", "pa")
    assert status == 0 and "7 个因子" in out and "varimax" in out and "pa" in out


def test_cli_validity_bad_input_is_one_line(tmp_path: Path) -> None:
    frame = pd.read_excel(SAMPLE_RESPONSES)
    # every answer of the first item the same: constant item
    first = next(c for c in frame.columns if "效率" in str(c))
    frame[first] = 3
    path = tmp_path / "constant.xlsx"
    frame.to_excel(path, index=False)
    status, out, err = run("validity", "--framework", str(SAMPLE_FRAMEWORK),
                           "--responses", str(path), "--lang", "en")
    assert status == 2
    assert "constant item" in out and "D01" in out
    assert "Traceback" not in out + err


def test_cli_evaluate_prints_a_validity_line(tmp_path: Path) -> None:
    status, out, err = run("evaluate", "--framework", str(SAMPLE_FRAMEWORK), "--responses",
                           str(SAMPLE_RESPONSES), "--judgments", str(SAMPLE_JUDGMENTS),
                           "--out", str(tmp_path / "r.xlsx"), "--bootstrap", "20")
    assert status == 0, err
    line = next(x for x in out.splitlines() if x.startswith("construct validity 效度"))
    assert "KMO 0.855" in line
    assert "效度 Validity" in load_workbook(tmp_path / "r.xlsx").sheetnames
