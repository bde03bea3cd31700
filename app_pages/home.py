"""Home: what the tool does, the current study at a glance, how to start a new study."""

from __future__ import annotations

import streamlit as st

from app_support import (
    XLSX_MIME,
    current,
    current_result,
    fitted_table,
    headers,
    lang,
    nothing_ranked,
    score_text,
    show_problem,
    source_text,
    synthetic_banner,
    template_xlsx,
    tr,
)
from app_support.published import study_page
from app_support.text import literal
from i18n import t


def step_summary(step) -> str:
    """A step's line in the page language: the loader's source, the method names and the
    removed columns (as a list whose items keep their 、) translated."""
    fields = dict(step.fields)
    if step.name == "weights":
        return tr("app.steps.weights", experts=fields["experts"],
                  aggregation=tr(f"app.aggregation.{str(fields['aggregation']).lower()}"),
                  method=tr(f"app.method.{fields['method']}"), excluded=fields["excluded"])
    if step.name == "load":
        dropped = fields.get("dropped")
        fields["source"] = source_text(str(fields["source"]))
        fields["method"] = tr(f"app.survey.method.{fields['method']}")
        fields["dropped"] = ("；" if lang() == "zh" else "; ").join(
            f"“{d}”" if lang() == "zh" else f"'{d}'" for d in dropped
        ) if isinstance(dropped, tuple) else tr("app.none")
        return t("step.load", lang(), **fields)
    return step.summary(lang())
if study_page("home"):  # a chosen study: its published snapshot, nothing recomputed
    st.stop()
cur = current()
st.title(tr("app.title"))
st.caption(tr("app.subtitle"))
synthetic_banner(cur)
st.subheader(tr("app.home.current", name=literal(cur.title)))

result = current_result(cur)
if result is None:
    show_problem(cur)
else:
    rep = result.scores
    row = st.container(horizontal=True, gap="medium")  # wraps on a phone
    cols = [row] * 5
    cols[0].metric(tr("app.metric.overall"), score_text(result.overall_score))
    cols[1].metric(tr("app.metric.valid"), f"{result.screening.valid}",
                   help=tr("app.metric.valid_help", received=result.screening.received,
                           rate=result.screening.rate))
    cols[2].metric(tr("app.metric.experts"), f"{len(result.panel.expert_cr)}")
    cols[3].metric(tr("app.metric.ranked"), f"{len(rep.ranking)}")
    cols[4].metric(tr("app.metric.suppressed", n=rep.min_respondents), f"{len(rep.suppressed)}")

    if not nothing_ranked(result):
        ranked = rep.ranking.sort_values("rank")
        columns = {"rank": "col.rank", "community": "col.community", "score": "col.score",
                   "n": "col.n"}
        formats = {tr("col.score"): ".3f", tr("col.rank"): ".0f", tr("col.n"): ".0f"}
        top, bottom = st.columns(2)
        top.markdown(f"**{tr('app.home.top')}**")
        fitted_table(headers(ranked.head(5), columns), formats, container=top)
        bottom.markdown(f"**{tr('app.home.bottom')}**")
        fitted_table(headers(ranked.tail(5), columns), formats, container=bottom)
    links = st.container(horizontal=True)
    links.page_link("app_pages/compare.py", label=tr("app.home.to_compare"),
                    icon=":material/leaderboard:")
    links.page_link("app_pages/diagnosis.py", label=tr("app.home.diagnose"),
                    icon=":material/troubleshoot:")
    st.markdown(f"**{tr('app.home.dimension_weights')}**")
    table = result.panel.weights.table
    dims = table[table["level"] == "B"].reset_index()
    dims["name"] = [result.hierarchy.name(code, lang()) for code in dims["code"]]
    fitted_table(headers(dims.sort_values("global", ascending=False),
                         {"code": "col.code", "name": "col.name", "global": "col.global"}))
    with st.expander(tr("app.home.steps")):
        for step in result.steps:
            st.markdown(f"- **{step.label(lang())}** ({step.seconds:.2f} s): "
                        f"{literal(step_summary(step))}")

st.divider()
st.subheader(tr("app.home.new_study"))
st.markdown(tr("app.home.new_study_steps"))
c1, c2, c3, c4 = st.columns(4)
for column, (name, key, icon) in zip((c1, c2, c3, c4), [
    ("organizer", "app.home.step_organizer", "key"),
    ("survey_data", "app.home.step_survey", "fact_check"),
    ("weights", "app.home.step_weights", "balance"),
    ("compare", "app.home.step_compare", "leaderboard"),
], strict=True):
    column.page_link(f"app_pages/{name}.py", label=tr(key), icon=f":material/{icon}:")
d1, d2 = st.columns(2)
d1.download_button(
    tr("app.home.template_judgments"),
    template_xlsx(cur.framework_key, "judgments", lang(), cur.hierarchy),
    file_name="expert_template.xlsx", mime=XLSX_MIME, on_click="ignore",
)
d2.download_button(
    tr("app.home.template_questionnaire"),
    template_xlsx(cur.framework_key, "questionnaire", lang(), cur.hierarchy),
    file_name="questionnaire_template.xlsx", mime=XLSX_MIME, on_click="ignore",
)
