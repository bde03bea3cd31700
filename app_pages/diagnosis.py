"""Community diagnosis: one community's dimensions against all communities, and its weakest
items by the gap to the all-community score weighted by the item's global weight."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support import (
    current,
    fitted_table,
    lang,
    ranked_result,
    tr,
)
from evaluation.certainty import interval_rank_range
from reports.web_charts import colour_table
from survey.scoring import POOLED

language = lang()
cur = current()
result = ranked_result(cur, "app.page.diagnosis")

scores = result.scores
hierarchy = result.hierarchy
ranked = interval_rank_range(scores.ranking).sort_values("rank", kind="stable")
published = ranked["community"].tolist()
st.caption(tr("app.diag.intro"))
community = st.selectbox(tr("app.diag.community"), published, key="diagnosis_community")

table = scores.table
mine = table[table["community"] == community].set_index("code")["score"]
mean = table[table["community"] == POOLED].set_index("code")["score"]
weight = result.panel.weights.table["global"]


def label(code: str) -> str:
    return f"{code} {hierarchy.name(code, language)}"


dimensions = hierarchy.children(hierarchy.root)
gap = (mine.reindex(dimensions) - mean.reindex(dimensions))
row = ranked.set_index("community").loc[community]
st.markdown(tr("app.diag.summary", community=community, score=float(row["score"]),
               rank=int(row["rank"]), best=int(row["best"]), worst=int(row["worst"]),
               strong=label(str(gap.idxmax())), weak=label(str(gap.idxmin()))))

st.subheader(tr("app.diag.dimensions"))
frame = pd.DataFrame({community: mine.reindex(dimensions).to_numpy(),
                      tr("col.all_mean"): mean.reindex(dimensions).to_numpy()},
                     index=[label(c) for c in dimensions])
st.html(colour_table(frame, pd.Series(0.0, index=frame.columns), corner=tr("col.dimension"),
                     differences=frame.sub(frame[tr("col.all_mean")], axis=0), sticky=False))

items = hierarchy.items
detail = pd.DataFrame({
    "code": items,
    "score": mine.reindex(items).to_numpy(),
    "mean": mean.reindex(items).to_numpy(),
    "weight": weight.reindex(items).to_numpy(),
}).dropna(subset=["score", "mean"])
detail["gap"] = detail["score"] - detail["mean"]
detail["priority"] = -detail["gap"] * detail["weight"] * 1000
detail["name"] = [hierarchy.name(c, language) for c in detail["code"]]
detail["dimension"] = [label(str(hierarchy.nodes[str(hierarchy.nodes[c].parent)].parent))
                       for c in detail["code"]]
columns = {"code": tr("col.code"), "name": tr("col.name"), "dimension": tr("col.dimension"),
           "score": community, "mean": tr("col.all_mean"), "gap": tr("col.gap"),
           "priority": tr("col.priority")}
formats = {community: ".2f", tr("col.all_mean"): ".2f", tr("col.gap"): "+.2f",
           tr("col.priority"): ".2f"}
st.subheader(tr("app.diag.weakest"))
weakest = detail.sort_values("priority", ascending=False).head(10)
fitted_table(weakest[list(columns)].rename(columns=columns), formats)
st.caption(tr("app.diag.priority_help"))
st.subheader(tr("app.diag.strongest"))
strongest = detail.sort_values("gap", ascending=False).head(5)
fitted_table(strongest[list(columns)].drop(columns="priority").rename(columns=columns), formats)
