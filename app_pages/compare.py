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
    chart, table = st.columns([1, 1])
    chart.image(pngs["ranking"], width="stretch")
    root = scores.table[(scores.table["code"] == hierarchy.root)
                        & scores.table["community"].isin(scores.suppressed)]
    shown = pd.concat(
        [scores.ranking.assign(status=""),
         root[["community", "n"]].assign(status=not_reported)],
        ignore_index=True,
    )
    shown["ci"] = [f"{low:.2f} – {high:.2f}" if pd.notna(low) else ""
                   for low, high in zip(shown["ci_low"], shown["ci_high"], strict=True)]
    table.dataframe(
        headers(shown, {"rank": "col.rank", "community": "col.community", "score": "col.score",
                        "ci": "chart.ci95", "n": "col.n", "status": "col.suppressed"}),
        hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3, placeholder="–",
        column_config={tr("col.score"): st.column_config.NumberColumn(format="%.3f")},
    )
    if scores.suppressed:
        table.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                         names="、".join(scores.suppressed)))

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
    radar = (pngs["radar"] if chosen == default_radar_communities(result)
             else radar_png(cur.key, language, tuple(chosen), result))
    picture.image(radar, width="stretch")
    picker.download_button(
        f"{tr('app.chart.radar')} (PNG)", radar, file_name=f"{stem}_radar_{language}.png",
        mime="image/png", on_click="ignore", key="png_radar",
    )


@st.fragment
def drill_section() -> None:
    """Scores of one dimension's sub-indicators and items per community; choosing another
    dimension reruns only this part of the page."""
    dimensions = hierarchy.children(hierarchy.root)
    dimension = st.selectbox(
        tr("app.compare.dimension"), dimensions, key=f"drill_dimension_{language}",
        format_func=lambda code: f"{code} {hierarchy.name(code, language)}",
    )
    subtree = [code for sub in hierarchy.children(dimension)
               for code in (sub, *hierarchy.children(sub))]
    rows = scores.table[scores.table["code"].isin(subtree)
                        & ~scores.table["community"].isin(scores.suppressed)]
    wide = rows.pivot(index="code", columns="community", values="score").reindex(
        index=subtree, columns=[POOLED, *published])
    wide = wide.rename(columns={POOLED: tr("chart.all_communities")})
    wide.insert(0, tr("col.name"), [hierarchy.name(code, language) for code in subtree])
    wide.insert(0, tr("col.level"), [hierarchy.nodes[code].level for code in subtree])
    wide.index.name = tr("col.code")
    config: dict[str, object] = {c: st.column_config.NumberColumn(format="%.2f")
                                 for c in wide.columns[2:]}
    config[tr("col.name")] = st.column_config.TextColumn(width="medium", pinned=True)
    config[tr("col.level")] = st.column_config.TextColumn(width="small", pinned=True)
    st.dataframe(wide, width="stretch", height=35 * (len(wide) + 1) + 3, column_config=config)
    if scores.suppressed:
        st.caption(tr("chart.suppressed_list", n=scores.min_respondents,
                      names="、".join(scores.suppressed)))


with tab_radar:
    radar_section()

with tab_heat:
    st.image(pngs["heatmap"], width="stretch")

with tab_drill:
    drill_section()

with tab_download:
    st.download_button(
        tr("app.download.report"), lambda: report_xlsx(cur.key, language, result),
        file_name=f"{stem}_report_{language}.xlsx", mime=XLSX_MIME, icon=":material/download:",
        on_click="ignore", type="primary",
    )
    chart_cols = st.columns(3)
    for column, name in zip(chart_cols, ("ranking", "heatmap", "weights"), strict=True):
        column.download_button(
            f"{tr(f'app.chart.{name}')} (PNG)", pngs[name],
            file_name=f"{stem}_{name}_{language}.png",
            mime="image/png", on_click="ignore", key=f"png_{name}",
        )
