"""Outputs of a study run: the chart set and the Excel report, built the same way for every shell.

The CLI writes them to disk, the app offers them as downloads; both call :func:`study_figures`
and :func:`write_study_report` so the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

from evaluation.schemes import AllSchemes
from evaluation.study import StudyResult, StudyUncertainty
from i18n import t

if TYPE_CHECKING:  # matplotlib and openpyxl load only when a chart or report is made
    from matplotlib.figure import Figure


def names(result: StudyResult, lang: str) -> dict[str, str]:
    """Indicator code → name in ``lang`` for every node of the study's hierarchy."""
    return {code: result.hierarchy.name(code, lang) for code in result.hierarchy.nodes}


def synthetic_note(result: StudyResult, lang: str) -> str:
    """The footnote every chart of a synthetic study carries (empty for real data)."""
    return t("chart.synthetic_note", lang) if result.synthetic else ""


def default_radar_communities(result: StudyResult, count: int = 3) -> list[str]:
    """The best and the worst ranked communities (at most ``count`` in all)."""
    ranked = result.scores.ranking.sort_values("rank")["community"].tolist()
    if len(ranked) <= count:
        return ranked
    head = ranked[: count - 1]
    return [*head, ranked[-1]]


def ranking_figure(
    result: StudyResult, lang: str = "zh", uncertainty_ranking: pd.DataFrame | None = None
) -> Figure:
    """The goal-score ranking with bootstrap intervals; ``uncertainty_ranking`` (columns
    ``community, rank_low, rank_high``) adds Monte Carlo rank bands."""
    from reports import charts
    from reports.fonts import use_cjk_font

    use_cjk_font()
    scores = result.scores
    ranking = scores.ranking
    if uncertainty_ranking is not None:
        ranking = ranking.merge(
            uncertainty_ranking[["community", "rank_low", "rank_high"]], on="community", how="left"
        )
    return charts.ranking_chart(
        ranking,
        suppressed=scores.suppressed,
        reference=result.overall_score,
        min_respondents=scores.min_respondents,
        lang=lang,
        note=synthetic_note(result, lang),
    )


def study_figures(
    result: StudyResult,
    lang: str = "zh",
    *,
    radar_communities: Sequence[str] | None = None,
) -> dict[str, Figure]:
    """The standard chart set: ranking, radar, heatmap, dimension and sub-indicator weights,
    and the whole weight hierarchy as a sunburst."""
    from reports import charts
    from reports.fonts import use_cjk_font

    use_cjk_font()
    labels = names(result, lang)
    note = synthetic_note(result, lang)
    scores = result.scores
    return {
        "ranking": ranking_figure(result, lang),
        "radar": charts.radar_chart(
            scores.table,
            list(radar_communities or default_radar_communities(result)),
            names=labels,
            min_respondents=scores.min_respondents,
            lang=lang,
            note=note,
        ),
        "heatmap": charts.heatmap(
            scores.table, names=labels, min_respondents=scores.min_respondents, lang=lang, note=note
        ),
        "weights": charts.weights_chart(
            result.panel.weights.table, level="C", names=labels, lang=lang, note=note
        ),
        "weights_sunburst": charts.sunburst_chart(
            result.panel.weights.table, names=labels, lang=lang, note=note
        ),
    }


def uncertainty_figures(
    result: StudyResult, uncertainty: StudyUncertainty, lang: str = "zh", *, pairwise_top: int = 10
) -> dict[str, Figure]:
    """Charts of how sure the ranking is: ranking with Monte Carlo rank bands, a tornado of the
    leading community's score against each dimension's weight (±50 %), and the pairwise
    probability matrix of the ``pairwise_top`` best-ranked communities."""
    from reports import charts
    from reports.fonts import use_cjk_font

    use_cjk_font()
    labels = names(result, lang)
    note = synthetic_note(result, lang)
    bands = uncertainty.monte_carlo.level("A").reset_index()
    chosen = bands.sort_values("nominal_rank")["community"].head(pairwise_top).tolist()
    return {
        "ranking_uncertainty": ranking_figure(result, lang, uncertainty_ranking=bands),
        "tornado": charts.tornado_chart(
            uncertainty.tornado,
            names=labels,
            lang=lang,
            note=note,
            title=t("chart.tornado.community_title", lang, community=uncertainty.tornado_community),
        ),
        "pairwise": charts.pairwise_probability_chart(
            uncertainty.monte_carlo.pairwise_probabilities(chosen), lang=lang, note=note
        ),
    }


def uncertainty_tables(uncertainty: StudyUncertainty) -> dict[str, pd.DataFrame]:
    """Section title → table, for the report's 不确定性 Uncertainty sheet."""
    mc = uncertainty.monte_carlo
    oat = uncertainty.one_at_a_time
    return {
        "蒙特卡洛排名统计 Monte Carlo score and rank statistics": mc.summary,
        "每次抽样变动的来源 What each draw varied": mc.sources,
        "未排名的社区 Communities not ranked": mc.excluded,
        "两两比较概率 P(row scores higher than column)": mc.pairwise.reset_index(),
        "改变第一名所需的最小权重变动 Smallest weight change that alters the top rank":
            oat.thresholds,
        f"龙卷风图 Tornado ({uncertainty.tornado_community})": uncertainty.tornado,
        "去掉一个维度 Drop one dimension": uncertainty.drop_one.summary,
        "权重方案比较 Weighting schemes (ranks)": uncertainty.schemes.ranks.reset_index(),
    }


def write_figures(figures: Mapping[str, Figure], folder: str | PathLike[str]) -> list[Path]:
    """Save each figure as ``<folder>/<name>.png`` (150 dpi) and return the paths."""
    from reports import charts

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = out / f"{name}.png"
        charts.save_figure(fig, path)
        paths.append(path)
    return paths


def write_study_report(
    result: StudyResult,
    target: str | PathLike[str] | BinaryIO,
    lang: str = "zh",
    *,
    uncertainty: StudyUncertainty | None = None,
    summary_charts: bool = True,
    schemes: AllSchemes | None = None,
) -> None:
    """The Excel report of a study run (every sheet of :func:`reports.excel_report.write_report`;
    the uncertainty sheet when ``uncertainty`` is given; the grades, IPA and groups sheets of the
    other methods, and the schemes sheet when ``schemes`` is given), opened by a one-page summary
    sheet (``摘要 Summary``: key numbers, top and bottom five, dimension weights and, with
    ``summary_charts``, the ranking chart and the heatmap as pictures)."""
    from io import BytesIO

    from openpyxl import load_workbook

    from reports.excel_report import write_report
    from reports.methods_report import method_tables

    buffer = BytesIO()
    write_report(
        buffer,
        result.hierarchy,
        screening=result.screening,
        reliability=result.reliability,
        panel=result.panel,
        scores=result.scores,
        uncertainty=uncertainty_tables(uncertainty) if uncertainty is not None else None,
        lang=lang,
        synthetic=result.synthetic,
        settings=result.settings.as_record(),
        cr_threshold=result.settings.threshold,
        methods=method_tables(result, schemes, lang),
        validity=result.validity,
    )
    book = load_workbook(BytesIO(buffer.getvalue()))
    _summary_sheet(book, result, lang, summary_charts)
    book.save(target)


SUMMARY_SHEET = "摘要 Summary"


def _summary_sheet(book, result: StudyResult, lang: str, charts_too: bool) -> None:
    """The first sheet: what an official reads first, on one printed page."""
    from io import BytesIO

    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    from evaluation.certainty import leading_group

    ws = book.create_sheet(SUMMARY_SHEET, 0)
    book.active = 0
    bold, title = Font(bold=True), Font(bold=True, size=14)
    ws["A1"] = t("report.summary_sheet.title", lang)
    ws["A1"].font = title
    row = 2
    if result.synthetic:
        ws.cell(row, 1, t("chart.synthetic_note", lang)).font = Font(color="C00000")
        row += 1
    scores, screening = result.scores, result.screening
    facts = [
        ("report.summary_sheet.overall", round(float(result.overall_score), 3)),
        ("report.summary_sheet.valid", f"{screening.valid} / {screening.received}"),
        ("report.summary_sheet.experts", len(result.panel.expert_cr)),
        ("report.summary_sheet.ranked", len(scores.ranking)),
    ]
    for key, value in facts:
        ws.cell(row, 1, t(key, lang))
        ws.cell(row, 2, value).font = bold
        row += 1
    if len(scores.ranking):
        ws.cell(row, 1, t("report.summary_sheet.certainty", lang,
                          leaders=len(leading_group(scores.ranking))))
        row += 2
        ranked = scores.ranking.sort_values("rank")
        for key, part in (("report.summary_sheet.top", ranked.head(5)),
                          ("report.summary_sheet.bottom", ranked.tail(5))):
            ws.cell(row, 1, t(key, lang)).font = bold
            row += 1
            for header_col, header in enumerate(("col.rank", "col.community", "col.score"), 1):
                ws.cell(row, header_col, t(header, lang)).font = bold
            row += 1
            for _, line in part.iterrows():
                ws.cell(row, 1, int(line["rank"]))
                ws.cell(row, 2, str(line["community"]))
                ws.cell(row, 3, round(float(line["score"]), 3))
                row += 1
            row += 1
    ws.cell(row, 1, t("report.summary_sheet.weights", lang)).font = bold
    row += 1
    weights = result.panel.weights.table
    for code, line in weights[weights["level"] == "B"].sort_values(
            "global", ascending=False).iterrows():
        ws.cell(row, 1, f"{code} {result.hierarchy.name(code, lang)}")
        ws.cell(row, 2, round(float(line["global"]), 3))
        row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 10
    if charts_too and len(scores.ranking):
        from reports import charts

        figures = study_figures(result, lang)
        anchor_row = 1
        for name, height in (("ranking", 430), ("heatmap", 430)):
            picture = Image(BytesIO(charts.figure_png(figures[name], dpi=90)))
            scale = height / picture.height
            picture.width, picture.height = picture.width * scale, height
            ws.add_image(picture, f"E{anchor_row}")
            anchor_row += 24
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
