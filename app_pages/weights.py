"""Weights: each expert's CR per node, exclusions and why, AIJ/AIP, consensus, local and
global weights (table, bar chart and sunburst)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support import (
    current,
    current_weights,
    fitted_table,
    headers,
    joined,
    lang,
    set_settings,
    settings,
    show_problem,
    sunburst_png,
    synthetic_banner,
    tr,
    weights_key,
    weights_png,
)
from i18n import localized, t

language = lang()
cur = current()
st.title(tr("app.page.weights"))
synthetic_banner(cur)
if cur.judgments is None:
    show_problem(cur)
    st.stop()

chosen = settings()
c1, c2 = st.columns(2)
aggregation = c1.radio(
    tr("app.weights.aggregation"), ["AIJ", "AIP"], horizontal=True,
    index=["AIJ", "AIP"].index(chosen.aggregation),
    format_func=lambda a: t(f"app.weights.{a.lower()}", language), key=f"aggregation_{language}",
    help=tr("app.aggregation.help"),
)
exclude = c2.checkbox(tr("app.weights.exclude", cr=chosen.threshold),
                      value=chosen.exclude_inconsistent, key=f"exclude_{language}")
if (aggregation, exclude) != (chosen.aggregation, chosen.exclude_inconsistent):
    set_settings(aggregation=aggregation, exclude_inconsistent=exclude)
    cur = current()

with st.spinner(tr("app.working")):
    panel = current_weights(cur)
if panel is None:
    st.stop()
hierarchy = cur.hierarchy

st.subheader(tr("app.weights.table_title"))
key = weights_key(cur)
bars, rings = st.tabs([tr("app.weights.bars"), tr("app.weights.sunburst")])
bars.image(weights_png(key, language, hierarchy, panel, cur.synthetic), width="stretch")
rings.image(sunburst_png(key, language, hierarchy, panel, cur.synthetic), width="stretch")
table = panel.weights.table.reset_index()
table["name"] = [hierarchy.name(code, language) for code in table["code"]]
fitted_table(
    headers(table, {"code": "col.code", "level": "col.level", "parent": "col.parent",
                    "name": "col.name", "local": "col.local", "global": "col.global"}),
    {tr("col.local"): ".4f", tr("col.global"): ".4f"})

st.subheader(tr("report.expert.title", cr=panel.threshold))
nodes = pd.DataFrame({
    "node": panel.group_cr.index,
    "name": [hierarchy.name(code, language) for code in panel.group_cr.index],
    "group_cr": panel.group_cr.to_numpy(),
    "consensus": panel.consensus.reindex(panel.group_cr.index).to_numpy(),
})
g1, g2 = st.columns([2, 3])
with g1:
    st.markdown(f"**{tr('app.weights.group')}**")
    fitted_table(
        headers(nodes, {"node": "col.node", "name": "col.name", "group_cr": "app.weights.group_cr",
                        "consensus": "report.expert.consensus"}))
with g2:
    st.markdown(f"**{tr('app.weights.expert_summary', cr=panel.threshold)}**")
    crs = panel.expert_cr
    high = crs.ge(panel.threshold)
    summary = pd.DataFrame({
        tr("col.expert"): crs.index.astype(str),
        tr("app.weights.max_cr"): [f"{v:.3f}" if pd.notna(v) else "–" for v in crs.max(axis=1)],
        tr("app.weights.high_nodes", cr=panel.threshold): [
            ("🔴 " + joined(f"{n} ({crs.loc[e, n]:.3f})" for n in crs.columns[high.loc[e]]))
            if high.loc[e].any() else "–" for e in crs.index],
    })
    fitted_table(summary)
    st.caption(tr("app.weights.expert_cr_help", cr=panel.threshold))
    with st.expander(tr("app.weights.full_matrix")):
        styled = crs.rename_axis(tr("col.expert")).style.format("{:.3f}", na_rep="–").map(
            lambda v: "background-color: #f8c9c4" if pd.notna(v) and v >= panel.threshold
            else "")
        st.dataframe(styled, width="stretch")

st.markdown(f"**{tr('report.expert.excluded')}**")
if panel.excluded.empty and not settings().exclude_inconsistent and high.to_numpy().any():
    st.info(tr("app.weights.exclusion_off", cr=panel.threshold))
elif panel.excluded.empty:
    st.info(tr("app.weights.none_excluded", cr=panel.threshold))
else:
    reasons = panel.excluded["reason"].map(lambda why: localized(why, lang()))
    fitted_table(headers(panel.excluded.assign(reason=reasons),
                         {"node": "col.node", "expert": "col.expert", "reason": "col.reason"}))
