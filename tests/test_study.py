"""The study pipeline: every step recorded, settings passed through, uncertainty on top."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from evaluation.study import StudySettings, analyse_uncertainty, run_study
from reports.outputs import write_study_report
from survey.errors import SurveyError


@pytest.fixture(scope="module")
def result():
    return run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                     StudySettings(bootstrap=200), synthetic=True)


def test_every_step_is_recorded_with_a_summary(result) -> None:
    assert [s.name for s in result.steps] == [
        "load", "screen", "weights", "reliability", "validity", "score", "methods"]
    assert "405 received, 370 valid (91.4%)" in result.steps[1].summary("en")
    assert "收到 405 份，有效 370 份（91.4%）" in result.steps[1].summary("zh")
    assert all(s.seconds >= 0 for s in result.steps)


def test_dimension_weights_sum_to_one_and_overall_is_the_pooled_goal(result) -> None:
    assert sum(result.dimension_weights.values()) == pytest.approx(1.0)
    table = result.scores.table
    pooled = table[(table["community"] == "全部 All") & (table["code"] == "A")]
    assert result.overall_score == pytest.approx(float(pooled["score"].iloc[0]))


def test_settings_reach_the_steps(result) -> None:
    aip = run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                    StudySettings(bootstrap=0, aggregation="AIP", min_respondents=14))
    assert aip.panel.aggregation == "AIP"
    assert aip.scores.min_respondents == 14
    assert len(aip.scores.suppressed) > len(result.scores.suppressed)
    assert aip.settings.as_record()["screen.min_duration_seconds"] == 60.0


def test_uncertainty_of_the_sample_study(result) -> None:
    u = analyse_uncertainty(result, 200, judgment_noise=0.1)
    bands = u.monte_carlo.level("A")
    ranked = set(result.scores.ranking["community"])
    assert set(bands.index) == ranked
    assert not ranked & set(result.scores.suppressed)
    assert (bands["rank_low"] <= bands["nominal_rank"]).all()
    assert (bands["nominal_rank"] <= bands["rank_high"]).all()
    assert u.monte_carlo.sources["varied"].all()
    assert u.tornado_community == result.scores.ranking.sort_values("rank")["community"].iloc[0]
    assert list(u.schemes.ranks.columns) == ["AHP (AIJ)", "AHP (AIP)", "equal"]


def test_uncertainty_with_every_source_off_collapses_to_the_nominal_ranks(result) -> None:
    u = analyse_uncertainty(result, 20, panel=False, residents=False)
    bands = u.monte_carlo.level("A")
    np.testing.assert_array_equal(bands["rank_low"], bands["nominal_rank"])
    np.testing.assert_array_equal(bands["rank_high"], bands["nominal_rank"])
    np.testing.assert_allclose(bands["score_low"], bands["nominal_score"], rtol=1e-6)


def test_uncertainty_needs_a_ranked_community() -> None:
    nobody = run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                       StudySettings(bootstrap=0, min_respondents=1000))
    with pytest.raises(SurveyError, match="no community has enough respondents"):
        analyse_uncertainty(nobody, 10)


@pytest.mark.parametrize(("lang", "expected"), [("zh", "用时 34 秒 < 60 秒"),
                                                ("en", "completed in 34 s < 60 s")])
def test_report_gives_screening_reasons_and_notes_in_its_language(result, lang, expected):
    """The screening details and scoring notes travel as Messages and are written in the
    report's language (pandas' string dtype must not turn them into plain English text)."""
    buffer = BytesIO()
    write_study_report(result, buffer, lang)
    texts = {str(cell.value) for ws in load_workbook(buffer).worksheets
             for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert expected in texts
    note = result.scores.notes[0].text(lang)
    assert note in texts and ("梅坞社区、桑园社区" in note) == (lang == "zh")
