"""Community comparison: ranking with confidence intervals, radar, heatmap, drill-down,
downloads. Communities under the minimum number of respondents are listed as not reported."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support import (
    XLSX_MIME,
    current,
    current_result,
    figure_pngs,
    headers,
    lang,
    radar_png,
    report_xlsx,
    show_problem,
    synthetic_banner,
    tr,
)
from survey.outputs import default_radar_communities
from survey.scoring import POOLED

cur = current()
st.title(tr("app.page.compare"))
synthetic_banner(cur)
result = current_result(cur)
if result is None:
    show_problem(cur)
    st.stop()

language = lang()
scores = result.scores
hierarchy = result.hierarchy
pngs = figure_pngs(cur.key, language, result)
not_reported = tr("report.suppressed", n=scores.min_respondents)

m1, m2, m3 = st.columns(3)
m1.metric(tr("app.metric.overall"), f"{result.overall_score:.3f}")
m2.metric(tr("app.metric.ranked"), f"{len(scores.ranking)}")
m3.metric(tr("app.metric.suppressed", n=scores.min_respondents), f"{len(scores.suppressed)}")

# Issue 6 (uncertainty) adds its tab to this list: rank bands through
# study_figures(..., uncertainty_ranking=...), the tornado chart and pairwise probabilities.
tab_rank, tab_radar, tab_heat, tab_drill, tab_download = st.tabs([
    tr("app.compare.tab_ranking"), tr("app.compare.tab_radar"), tr("app.compare.tab_heatmap"),
    tr("app.compare.tab_drill"), tr("app.compare.tab_download"),
])

with tab_rank:
    st.image(pngs["ranking"], width="stretch")
    root = scores.table[(scores.table["level"] == hierarchy.levels[0])
                        & scores.table["community"].isin(scores.suppressed)]
    shown = pd.concat(
        [scores.ranking.assign(status=""),
         root[["community", "n"]].assign(status=not_reported)],
        ignore_index=True,
    )
    st.dataframe(
        headers(shown, {"rank": "col.rank", "community": "col.community", "score": "col.score",
                        "ci_low": "col.ci_low", "ci_high": "col.ci_high", "n": "col.n",
                        "status": "col.suppressed"}),
        hide_index=True, width="stretch",
        column_config={tr(c): st.column_config.NumberColumn(format="%.3f")
                       for c in ("col.score", "col.ci_low", "col.ci_high")},
    )
    if scores.suppressed:
        st.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                      names="、".join(scores.suppressed)))

with tab_radar:
    published = scores.ranking.sort_values("rank")["community"].tolist()
    chosen = st.multiselect(tr("app.select_communities"), published,
                            default=default_radar_communities(result), key="radar_communities",
                            max_selections=8)
    if chosen:
        st.image(radar_png(cur.key, language, tuple(chosen), result), width="stretch")
    else:
        st.info(tr("app.compare.choose_one"))

with tab_heat:
    st.image(pngs["heatmap"], width="stretch")

with tab_drill:
    dimensions = hierarchy.children(hierarchy.root)
    dimension = st.selectbox(
        tr("app.compare.dimension"), dimensions, key="drill_dimension",
        format_func=lambda code: f"{code} {hierarchy.name(code, language)}",
    )
    subtree = [code for sub in hierarchy.children(dimension)
               for code in (sub, *hierarchy.children(sub))]
    rows = scores.table[scores.table["code"].isin(subtree)
                        & ~scores.table["community"].isin(scores.suppressed)]
    wide = rows.pivot(index="code", columns="community", values="score").reindex(
        index=subtree, columns=[*published, POOLED])
    wide = wide.rename(columns={POOLED: tr("chart.all_communities")})
    wide.insert(0, tr("col.name"), [hierarchy.name(code, language) for code in subtree])
    wide.insert(0, tr("col.level"), [hierarchy.nodes[code].level for code in subtree])
    wide.index.name = tr("col.code")
    st.dataframe(wide, width="stretch", column_config={
        c: st.column_config.NumberColumn(format="%.2f") for c in wide.columns[2:]})
    if scores.suppressed:
        st.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                      names="、".join(scores.suppressed)))

with tab_download:
    stem = "shanzhi_synthetic" if result.synthetic else "shanzhi"
    st.download_button(
        tr("app.download.report"), lambda: report_xlsx(cur.key, language, result),
        file_name=f"{stem}_report_{language}.xlsx", mime=XLSX_MIME, icon="📥",
        on_click="ignore", type="primary",
    )
    chart_cols = st.columns(4)
    for column, name in zip(chart_cols, ("ranking", "radar", "heatmap", "weights"), strict=True):
        data = pngs[name] if name != "radar" or not chosen else radar_png(
            cur.key, language, tuple(chosen), result)
        column.download_button(
            f"{tr(f'app.chart.{name}')} (PNG)", data, file_name=f"{stem}_{name}_{language}.png",
            mime="image/png", on_click="ignore", key=f"png_{name}",
        )
