"""Community comparison: ranking with confidence intervals, uncertainty (Monte Carlo rank
bands and score intervals, weight sensitivity, pairwise probabilities), radar, heatmap,
drill-down, downloads. Communities under the minimum number of respondents are listed as not
reported; the scoring notes (``Scores.notes``) are shown under the ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import compare_methods as methods
from app_support import (
    PAIRWISE_DEFAULT,
    XLSX_MIME,
    UncertaintyControls,
    current,
    current_uncertainty,
    figure_pngs,
    fitted_table,
    headers,
    joined,
    lang,
    left_out,
    pairwise_png,
    radar_png,
    ranked_result,
    remember_uncertainty,
    report_xlsx,
    run_uncertainty,
    scheme_label,
    score_text,
    tornado_png,
    tr,
    uncertainty_key,
    uncertainty_pngs,
)
from app_support.published import study_page
from app_support.text import error_text, literal
from evaluation.certainty import (
    distinguishable_share,
    interval_rank_range,
    leading_group,
    trailing_group,
)
from evaluation.study import StudyUncertainty
from i18n import localized, t
from reports.outputs import default_radar_communities
from reports.web_charts import colour_table, ranking_chart
from survey.scoring import POOLED

TAB_KEY = "compare_tab"  # session key: the label of the open tab
if study_page("compare"):  # a chosen study: its published snapshot, nothing recomputed
    st.stop()
cur = current()
result = ranked_result(cur, "app.page.compare")

language = lang()
scores = result.scores
hierarchy = result.hierarchy

def standard_png(name: str) -> bytes:
    """A chart of the standard set as PNG (drawn on first use: the page itself shows
    responsive charts and tables, so a first visit draws no matplotlib figure but the radar)."""
    return figure_pngs(cur.key, language, result)[name]

not_reported = f"n<{scores.min_respondents}"  # under the column header "not reported"

m1 = m2 = m3 = st.container(horizontal=True, gap="medium")  # wraps on a phone
m1.metric(tr("app.metric.overall"), score_text(result.overall_score))
m2.metric(tr("app.metric.ranked"), f"{len(scores.ranking)}")
m3.metric(tr("app.metric.suppressed", n=scores.min_respondents), f"{len(scores.suppressed)}")

(tab_rank, tab_uncertainty, tab_radar, tab_heat, tab_drill, tab_download,
 *method_tabs) = st.tabs([
    tr("app.compare.tab_ranking"), tr("app.compare.tab_uncertainty"),
    tr("app.compare.tab_radar"), tr("app.compare.tab_heatmap"), tr("app.compare.tab_drill"),
    tr("app.compare.tab_download"), *(tr(k) for k in methods.METHOD_TABS),
], key=TAB_KEY, on_change="rerun")  # only the open tab is computed (a fast first page)

if tab_rank.open:
    with tab_rank:
        ran = current_uncertainty(cur, result)
        ranked = interval_rank_range(scores.ranking).sort_values("rank", kind="stable")
        if ran is not None:  # a Monte Carlo run of this study: its 5–95 % rank bands
            bands = ran[1].monte_carlo.level(hierarchy.root)
            ranked = ranked.assign(
                best=ranked["community"].map(bands["rank_low"]).round().fillna(ranked["best"]),
                worst=ranked["community"].map(bands["rank_high"]).round().fillna(ranked["worst"]))
        pooled = scores.table[(scores.table["code"] == hierarchy.root)
                              & (scores.table["community"] == POOLED)]["score"]
        st.markdown(tr("app.rank.certainty", k=len(ranked), share=distinguishable_share(ranked),
                       leaders=len(leading_group(scores.ranking)),
                       trailing=len(trailing_group(scores.ranking))))
        st.html(ranking_chart(
            ranked, reference=float(pooled.iloc[0]) if len(pooled) else None,
            texts={"score": tr("col.score"), "ci": tr("chart.ci95"), "ranks": tr("app.rank.ranks"),
                   "community": tr("col.community"), "title": tr("chart.ranking.title")}))
        st.caption(tr("app.rank.chart_help") + " " + (
            tr("app.rank.mc_note") if ran is None else tr("app.rank.mc_used", draws=ran[0].draws)))
        st.markdown(f"**{tr('app.rank.table_title')}**")
        root = scores.table[(scores.table["code"] == hierarchy.root)
                            & scores.table["community"].isin(scores.suppressed)]
        rows = pd.DataFrame({
            tr("col.rank"): [str(int(r)) for r in ranked["rank"]],
            tr("col.community"): ranked["community"].tolist(),
            tr("col.score"): [f"{v:.3f}" for v in ranked["score"]],
            tr("methods.app.col_grade"): methods.grade_labels(result, ranked["community"]),
            tr("chart.ci95"): [f"{lo:.2f}–{hi:.2f}" if pd.notna(lo) else "–"
                               for lo, hi in zip(ranked["ci_low"], ranked["ci_high"], strict=True)],
            tr("app.rank.ranks"): [f"{int(b)}–{int(w)}" if b != w else f"{int(b)}"
                                   for b, w in zip(ranked["best"], ranked["worst"], strict=True)],
            tr("col.n"): [str(int(n)) for n in ranked["n"]],
        })
        hidden = pd.DataFrame({
            tr("col.rank"): "–", tr("col.community"): root["community"].tolist(),
            tr("col.score"): not_reported, tr("methods.app.col_grade"): "–",
            tr("chart.ci95"): "–", tr("app.rank.ranks"): "–",
            tr("col.n"): [str(int(n)) for n in root["n"]],
        })
        fitted_table(pd.concat([rows, hidden], ignore_index=True))
        st.caption(tr("app.rank.ranks_help"))
        if scores.suppressed:
            st.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                          names=joined(map(literal, scores.suppressed))))
        if scores.notes:  # suppression, items without answers, pooled row: Scores.notes
            st.info("\n".join([tr("report.scores.notes"),
                               *(f"- {localized(n, language)}" for n in scores.notes)]),
                    icon=":material/info:")

stem = "shanzhi_synthetic" if result.synthetic else "shanzhi"
published = scores.ranking.sort_values("rank")["community"].tolist()


@st.fragment
def radar_section() -> None:
    """Radar of the chosen communities; a new choice reruns only this part of the page."""
    picture, picker = st.columns([3, 2])
    chosen = picker.multiselect(tr("app.select_communities"), published,
                                default=default_radar_communities(result),
                                key="radar_communities", max_selections=8)
    if not chosen:
        picture.info(tr("app.compare.choose_one"))
        return
    radar = radar_png(cur.key, language, tuple(chosen), result)
    picture.image(radar, width="stretch")
    picker.download_button(
        f"{tr('app.chart.radar')} (PNG)", radar, file_name=f"{stem}_radar_{language}.png",
        mime="image/png", on_click="ignore", key="png_radar",
    )


def _dimension_label(code: str) -> str:
    return f"{code} {hierarchy.name(code, language)}"


def heatmap_section() -> None:
    """Community × dimension scores as a coloured table, dimension names at the top (sticky)."""
    dimensions = hierarchy.children(hierarchy.root)
    rows = scores.table[scores.table["code"].isin(dimensions)]
    wide = rows.pivot(index="community", columns="code", values="score").reindex(
        index=published, columns=dimensions)
    reference = rows[rows["community"] == POOLED].set_index("code")["score"].reindex(dimensions)
    wide.columns = [_dimension_label(c) for c in dimensions]
    reference.index = wide.columns
    mean_row = reference.to_frame(tr("chart.all_communities")).T
    st.html(colour_table(pd.concat([wide, mean_row]), reference, corner=tr("col.community"),
                         caption=tr("app.heat.caption")))
    if scores.suppressed:
        st.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                      names=joined(map(literal, scores.suppressed))))


@st.fragment
def drill_section() -> None:
    """One dimension's sub-indicators and items for the chosen communities, coloured against
    all communities, names in full; a new choice reruns only this part of the page."""
    dimensions = hierarchy.children(hierarchy.root)
    pick_dimension, pick_communities = st.columns([1, 2])
    dimension = pick_dimension.selectbox(
        tr("app.compare.dimension"), dimensions, key=f"drill_dimension_{language}",
        format_func=_dimension_label,
    )
    chosen = pick_communities.multiselect(
        tr("app.drill.communities"), published, default=default_radar_communities(result),
        key="drill_communities", max_selections=6)
    subtree = [code for sub in hierarchy.children(dimension)
               for code in (sub, *hierarchy.children(sub))]
    rows = scores.table[scores.table["code"].isin(subtree)]
    wide = rows.pivot(index="code", columns="community", values="score").reindex(
        index=subtree, columns=[*chosen, POOLED])
    reference = wide.pop(POOLED)
    wide[tr("app.drill.mean")] = reference
    # colour each cell by its gap to the all-community score of the same row
    gaps = wide.sub(wide[tr("app.drill.mean")], axis=0)
    labels = [("▸ " if hierarchy.nodes[c].level == "C" else "　") + f"{c} "
              + hierarchy.name(c, language) for c in subtree]
    shown = wide.set_axis(labels, axis=0)
    st.html(colour_table(shown, pd.Series(0.0, index=shown.columns), corner=tr("col.name"),
                         differences=gaps.set_axis(labels, axis=0),
                         caption=tr("app.drill.caption")))


def uncertainty_controls() -> UncertaintyControls:
    """The draws and sources chosen above the run button."""
    draws_col, panel_col, noise_col, residents_col = st.columns([1, 1, 1.3, 1], gap="medium")
    draws = draws_col.number_input(tr("app.uncertainty.draws"), min_value=100,
                                   max_value=10_000, value=1000, step=100, key="unc_draws",
                                   help=tr("app.uncertainty.draws_help"))
    panel = panel_col.toggle(tr("app.uncertainty.panel"), value=True, key="unc_panel",
                             help=tr("app.uncertainty.panel_help"))
    noise = noise_col.toggle(tr("app.uncertainty.noise"), value=False, key="unc_noise",
                             help=tr("app.uncertainty.noise_help"))
    probability = noise_col.slider(tr("app.uncertainty.noise_p"), min_value=0.05,
                                   max_value=0.5, value=0.1, step=0.05, key="unc_noise_p",
                                   disabled=not noise)
    residents = residents_col.toggle(tr("app.uncertainty.residents"), value=True,
                                     key="unc_residents", help=tr("app.uncertainty.residents_help"))
    return UncertaintyControls(int(draws), panel, probability if noise else 0.0, residents)


def rank_table(bands: pd.DataFrame, top: int) -> pd.DataFrame:
    """Nominal rank and score, score interval, rank band and P(top / bottom ``top``) in
    percent of the ranked communities, with translated headers."""
    shown = bands.assign(
        interval=[f"{low:.2f} – {high:.2f}"
                  for low, high in zip(bands["score_low"], bands["score_high"], strict=True)],
        band=[f"{low:.0f}–{high:.0f}"
              for low, high in zip(bands["rank_low"], bands["rank_high"], strict=True)],
        p_top=100 * bands["p_top"], p_bottom=100 * bands["p_bottom"],
    )
    labels = {
        "nominal_rank": tr("col.rank"), "community": tr("col.community"),
        "nominal_score": tr("col.score"), "interval": tr("col.score_interval"),
        "band": tr("col.rank_band"), "p_top": tr("col.p_top_n", n=top),
        "p_bottom": tr("col.p_bottom_n", n=top),
    }
    return shown.loc[:, list(labels)].rename(columns=labels)


def sensitivity_part(uncertainty: StudyUncertainty, pngs: dict[str, bytes]) -> None:
    """Tornado with its community picker, smallest weight change that alters the top rank,
    drop one dimension, weighting schemes."""
    st.subheader(tr("app.uncertainty.sensitivity"))
    picture, side = st.columns([3, 2], gap="medium")
    leader = uncertainty.tornado_community
    community = side.selectbox(tr("app.uncertainty.tornado_community"), published,
                               index=published.index(leader), key="tornado_community")
    picture.image(pngs["tornado"] if community == leader
                  else tornado_png(cur.key, language, community, result), width="stretch")
    oat = uncertainty.one_at_a_time
    dimension = oat.smallest_change_dimension
    if dimension is None:
        side.info(tr("app.uncertainty.no_change"))
    else:
        weight = float(oat.thresholds.set_index("dimension").loc[dimension, "weight"])
        side.metric(tr("app.uncertainty.smallest_change"), f"{oat.smallest_change:.3f}")
        side.caption(tr("app.uncertainty.smallest_change_detail",
                        dimension=literal(f"{dimension} {hierarchy.name(dimension, language)}"),
                        weight=weight, change=oat.smallest_change, leader=literal(leader)))
    thresholds = oat.thresholds.assign(
        dimension=[f"{c} {hierarchy.name(c, language)}" for c in oat.thresholds["dimension"]])
    fitted_table(
        headers(thresholds, {"dimension": "col.dimension", "weight": "col.weight",
                             "min_change": "col.min_change", "lower": "col.threshold_lower",
                             "leader_lower": "col.leader_lower", "upper": "col.threshold_upper",
                             "leader_upper": "col.leader_upper"}))
    st.caption(tr("app.uncertainty.thresholds_help"))

    st.markdown(f"**{tr('app.uncertainty.drop_one')}**")
    level = st.radio(
        tr("app.uncertainty.drop_level"), ["B", "C"], horizontal=True, key="drop_level",
        format_func=lambda lv: t(f"app.uncertainty.drop_level_{lv}", language),
    )
    summary = (uncertainty.drop_one if level == "B"
               else left_out(cur.key, level, result)).summary
    summary = summary.assign(
        dropped=[f"{c} {hierarchy.name(c, language)}" for c in summary["dropped"]])
    yes_no = {True: tr("app.yes"), False: tr("app.no")}
    fitted_table(
        headers(summary, {"dropped": "col.dropped",
                          "mean_abs_rank_change": "col.mean_abs_rank_change",
                          "max_abs_rank_change": "col.max_abs_rank_change",
                          "leader": "col.leader", "leader_changed": "col.leader_changed"}),
        {tr("col.mean_abs_rank_change"): ".2f", tr("col.max_abs_rank_change"): ".0f",
         tr("col.leader_changed"): lambda v: yes_no[bool(v)]})
    st.caption(tr("app.uncertainty.drop_one_help", what=tr(f"app.uncertainty.drop_what_{level}")))

    comparison = uncertainty.schemes
    scheme_names = {name: scheme_label(name) for name in comparison.ranks.columns}
    st.markdown(f"**{tr('app.uncertainty.schemes')}**")
    correlation = comparison.rank_correlation.iloc[0]
    st.caption(tr("app.uncertainty.schemes_help", first=scheme_names[comparison.ranks.columns[0]],
                  rho=("；" if language == "zh" else "; ").join(
                      f"{scheme_names[name]} {value:.3f}"
                      for name, value in correlation.iloc[1:].items())),
               help=tr("app.scheme.help"))
    ranks_col, weights_col = st.columns([2, 3], gap="medium")
    ranks = comparison.ranks.sort_values(comparison.ranks.columns[0], kind="stable")
    fitted_table(ranks.rename(columns=scheme_names).rename_axis(tr("col.community")),
                 dict.fromkeys(scheme_names.values(), ".0f"), index=True, container=ranks_col)
    weights = comparison.weights.rename(columns=scheme_names)
    weights.index = [f"{c} {hierarchy.name(c, language)}" for c in weights.index]
    fitted_table(weights.rename_axis(tr("col.dimension")), index=True, container=weights_col)


def pairwise_part(run_key: str, uncertainty: StudyUncertainty, ranked: list[str],
                  pngs: dict[str, bytes]) -> None:
    """P(row community scores higher than column community) for the chosen communities."""
    st.subheader(tr("app.uncertainty.pairwise"))
    default = ranked[:PAIRWISE_DEFAULT]
    chosen = st.multiselect(tr("app.select_communities"), ranked, default=default,
                            key="pairwise_communities", max_selections=15)
    if len(chosen) < 2:
        st.info(tr("app.uncertainty.choose_two"))
        return
    picture, side = st.columns([2, 3], gap="medium")
    picture.image(pngs["pairwise"] if chosen == default
                  else pairwise_png(run_key, language, tuple(chosen), result, uncertainty),
                  width="stretch")
    matrix = 100 * uncertainty.monte_carlo.pairwise_probabilities(chosen)
    matrix = matrix.mask(np.eye(len(chosen), dtype=bool)).rename_axis(index=None, columns=None)
    fitted_table(matrix.rename_axis(tr("col.community")),
                 {name: lambda v: f"{v:.0f}%" for name in matrix.columns}, index=True,
                 container=side)
    side.caption(tr("app.uncertainty.pairwise_help"))


@st.fragment
def uncertainty_section() -> None:
    """Monte Carlo controls and results, then weight sensitivity and pairwise probabilities;
    a change of the controls or pickers reruns only this part of the page, a finished run the
    whole page (so that the Excel download gets the uncertainty sheet)."""
    st.caption(tr("app.uncertainty.intro"))
    controls = uncertainty_controls()
    go = st.button(tr("app.uncertainty.run"), type="primary", key="unc_run",
                   icon=":material/casino:", disabled=not controls.any_source)
    if not controls.any_source:
        st.warning(tr("app.uncertainty.no_source"))
    if go:
        text = tr("app.uncertainty.running", draws=controls.draws)
        bar = st.progress(0.0, text=text)
        try:  # the draws fill 60 % of the bar, then the charts are drawn
            done = run_uncertainty(cur, result, controls, progress=lambda part: bar.progress(
                0.6 * min(max(part, 0.0), 1.0), text=text))
        except ValueError as exc:  # the libraries raise ValueError subclasses that name the data
            bar.empty()
            st.error(tr("app.uncertainty.failed", reason=error_text(exc, language)))
        else:
            bar.progress(0.6, text=tr("app.uncertainty.drawing"))
            uncertainty_pngs(uncertainty_key(cur, controls), language, result, done)
            remember_uncertainty(cur, controls)
            st.rerun()
    run = current_uncertainty(cur, result)
    if run is None:
        st.info(tr("app.uncertainty.not_run"))
        return
    applied, uncertainty = run
    mc = uncertainty.monte_carlo
    st.caption(tr("app.uncertainty.shown", draws=mc.draws, seed=mc.seed))
    if applied != controls:
        st.caption(tr("app.uncertainty.stale"))
    run_key = uncertainty_key(cur, applied)
    pngs = uncertainty_pngs(run_key, language, result, uncertainty)

    st.subheader(tr("app.uncertainty.ranking"))
    bands = mc.level(hierarchy.root).reset_index()
    picture = st.container()
    picture.image(pngs["ranking_uncertainty"], width="stretch")
    picture.caption(tr("app.uncertainty.ranking_help"))
    table = st.container()
    shown = rank_table(bands, mc.top)
    percent = lambda v: f"{v:.1f}%"  # noqa: E731
    fitted_table(shown, {tr("col.rank"): ".0f", tr("col.p_top_n", n=mc.top): percent,
                         tr("col.p_bottom_n", n=mc.top): percent}, container=table)
    if not mc.excluded.empty:
        table.caption(tr("app.uncertainty.excluded", names=joined(
            literal(f"{name} (n={n})")
            for name, n in zip(mc.excluded["community"], mc.excluded["n"], strict=True))))
    st.markdown(f"**{tr('app.uncertainty.sources')}**")
    sources = mc.sources.assign(
        source=[tr(f"source.{code}") for code in mc.sources["source"]],
        varied=["✓" if varied else "–" for varied in mc.sources["varied"]],
        detail=[localized(d, language) for d in mc.sources["detail"]],
    )
    st.table(headers(sources, {"source": "col.source", "varied": "col.varied",
                               "detail": "col.detail"}).set_index(tr("col.source")))
    for note in mc.notes:
        st.info(literal(localized(note, language)), icon=":material/info:")

    sensitivity_part(uncertainty, pngs)
    pairwise_part(run_key, uncertainty, bands["community"].tolist(), pngs)


if tab_uncertainty.open:
    with tab_uncertainty:
        uncertainty_section()

if tab_radar.open:
    with tab_radar:
        radar_section()

if tab_heat.open:
    with tab_heat:
        heatmap_section()

if tab_drill.open:
    with tab_drill:
        drill_section()

if tab_download.open:
    with tab_download:
        ran = current_uncertainty(cur, result)
        report_key = cur.key if ran is None else uncertainty_key(cur, ran[0])
        st.download_button(
            tr("app.download.report"),
            lambda: report_xlsx(report_key, language, result, None if ran is None else ran[1]),
            file_name=f"{stem}_report_{language}.xlsx", mime=XLSX_MIME, icon=":material/download:",
            on_click="ignore", type="primary",
        )
        st.caption(tr("app.uncertainty.report_hint") if ran is None
                   else tr("app.uncertainty.report_included", draws=ran[0].draws))
        chart_cols = st.columns(3)
        for column, name in zip(chart_cols, ("ranking", "heatmap", "weights"), strict=True):
            column.download_button(
                f"{tr(f'app.chart.{name}')} (PNG)", lambda name=name: standard_png(name),
                file_name=f"{stem}_{name}_{language}.png",
                mime="image/png", on_click="ignore", key=f"png_{name}",
            )
        if ran is not None:
            extra = uncertainty_pngs(report_key, language, result, ran[1])
            for column, name in zip(st.columns(3), ("ranking_uncertainty", "tornado", "pairwise"),
                                    strict=True):
                column.download_button(
                    f"{tr(f'app.chart.{name}', n=PAIRWISE_DEFAULT)} (PNG)", extra[name],
                    file_name=f"{stem}_{name}_{language}.png",
                    mime="image/png", on_click="ignore", key=f"png_{name}",
                )

for tab, section in zip(method_tabs, (methods.grades_section, methods.improve_section,
                                      methods.groups_section, methods.schemes_section),
                        strict=True):
    if tab.open:
        with tab:
            section(result, cur.key)
