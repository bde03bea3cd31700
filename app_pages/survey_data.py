"""Survey and screening: the questionnaire upload (organizer), the column mapping step, the
validity report, the reliability tables and the identifier columns dropped on import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support import (
    SURVEY_KEY,
    SURVEY_TYPES,
    UPLOAD_LIMIT_MB,
    SurveyChoice,
    Upload,
    check_upload,
    current,
    current_screening,
    file_headers,
    fitted_table,
    headers,
    joined,
    lang,
    listed,
    load_survey,
    signed_in,
    source_text,
    synthetic_banner,
    tr,
)
from i18n import localized
from survey.errors import ColumnMatchError, SurveyError
from survey.matching import offered_columns, suggest_mapping
from survey.screening import NO_COMMUNITY

language = lang()
cur = current()
st.title(tr("app.page.survey"))
synthetic_banner(cur)

# ---------------------------------------------------------------------------- upload
def _mapping_step(upload: Upload, mapping_key: str,
                  mapping: tuple[tuple[str, str], ...] | None, community_column: str) -> None:
    """The column-mapping editor: the file's column for each framework item (the mapping in use
    filled in), applied with a button."""
    st.markdown(f"**{tr('app.survey.mapping_title')}**")
    st.caption(tr("app.survey.mapping_help"))
    found = offered_columns(file_headers(upload.key, upload), community_column)
    items = cur.hierarchy.items
    # the mapping in use, else the columns whose text matches an item's text
    header_of = ({code: header for header, code in mapping} if mapping
                 else suggest_mapping(found, cur.hierarchy))
    editor = pd.DataFrame({
        "code": items,
        "name": [cur.hierarchy.name(c, language) for c in items],
        "header": [header_of.get(c) for c in items],
    })
    edited = st.data_editor(
        editor, key=f"mapping_editor_{upload.key}", hide_index=True,
        disabled=["code", "name"], width="stretch", placeholder="–",
        column_config={
            "code": st.column_config.TextColumn(tr("col.code")),
            "name": st.column_config.TextColumn(tr("col.name")),
            "header": st.column_config.SelectboxColumn(tr("app.survey.file_column"), options=found)
            if found else st.column_config.TextColumn(tr("app.survey.file_column")),
        },
    )
    if st.button(tr("app.survey.apply_mapping"), key="apply_mapping"):
        pairs = edited.dropna(subset=["header"])
        st.session_state[mapping_key] = tuple(
            (str(h), str(c)) for h, c in zip(pairs["header"], pairs["code"], strict=True))
        st.rerun()


loaded_message = st.empty()  # "loaded": visible above the (possibly collapsed) upload section
with st.expander(tr("app.survey.upload_title"), expanded=cur.responses is None):
    if signed_in() is None:
        st.info(tr("app.survey.organizer_only"))
    else:
        st.caption(tr("app.upload.caption", limit=UPLOAD_LIMIT_MB))
        file = st.file_uploader(
            tr("app.survey.upload", limit=UPLOAD_LIMIT_MB), key="survey_file",
            help=tr("app.survey.upload_help"),
        )
        community_column = st.text_input(tr("app.survey.community_column"), value="社区",
                                         key="community_column")
        chosen: SurveyChoice | None = st.session_state.get(SURVEY_KEY)
        if chosen is not None and st.button(tr("app.survey.use_sample"), key="survey_reset"):
            st.session_state[SURVEY_KEY] = None
            st.rerun()
        if file is not None:
            upload = Upload(file.name, file.getvalue())
            problem = check_upload(upload, SURVEY_TYPES)
            if problem:
                st.error(problem)
            else:
                mapping_key = f"mapping_{upload.key}"
                mapping = st.session_state.get(mapping_key)
                choice = SurveyChoice(upload, cur.study_id, community_column.strip() or "社区",
                                      mapping)
                try:
                    load_survey(choice, cur.hierarchy, cur.framework_key)
                except ColumnMatchError as exc:
                    st.error(tr("app.survey.columns_unmatched", items=exc.items, found=exc.found))
                    _mapping_step(upload, mapping_key, mapping, choice.community_column)
                    st.stop()  # the results below would be those of the previous questionnaire
                except SurveyError as exc:  # not a matching problem: no mapping step
                    st.error(tr("app.survey.load_failed", reason=str(exc)))
                    st.stop()
                else:
                    if chosen != choice:
                        st.session_state[SURVEY_KEY] = choice
                        st.rerun()
                    loaded_message.success(tr("app.survey.loaded", name=upload.name),
                                           icon=":material/check_circle:")
                    if mapping is not None and st.toggle(tr("app.survey.edit_mapping"),
                                                         key=f"edit_{mapping_key}"):
                        _mapping_step(upload, mapping_key, mapping, choice.community_column)

cur = current()
if cur.responses is None:
    st.info(tr("app.survey.upload_first"))
    st.stop()

responses = cur.responses
valid, report, rel = current_screening(cur)

# ---------------------------------------------------------------------------- import
st.subheader(tr("app.survey.import_title"))
mapping = responses.mapping
st.markdown(f"**{tr('app.survey.source')}**: {source_text(responses.source)}")
i2, i3, i4 = st.columns(3)
i2.metric(tr("app.survey.matched_by"), tr(f"app.survey.method.{mapping.method}"))
i3.metric(tr("app.survey.items_matched"),
          f"{len(mapping.columns)} / {len(cur.hierarchy.items)}")
i4.metric(tr("app.survey.invalid_cells"), f"{len(responses.invalid_cells)}")
st.markdown(f"**{tr('app.survey.dropped')}**:\n\n"
            + (listed(f"“{c}”" if language == "zh" else f"'{c}'" for c in responses.dropped_columns)
               or tr("app.none")))
st.caption(tr("app.survey.dropped_help"))
if mapping.missing_items:
    st.warning(tr("app.survey.missing_items", items=joined(mapping.missing_items)))
if mapping.unmatched_columns:
    st.caption(tr("app.survey.unmatched", columns="")
               + "\n" + listed(mapping.unmatched_columns))
st.caption(tr("app.survey.community_used", column=mapping.community_column))

# ---------------------------------------------------------------------------- validity
st.subheader(tr("report.validity.title"))
v1, v2, v3 = st.columns(3)
v1.metric(tr("col.received"), f"{report.received}")
v2.metric(tr("col.valid"), f"{report.valid}")
v3.metric(tr("col.rate"), f"{report.rate:.1%}")
verdict = ("good" if report.rate >= 0.85 else "fair" if report.rate >= 0.70 else "poor")
st.markdown(tr("app.survey.validity_verdict", rate=report.rate,
               verdict=tr(f"app.survey.validity_{verdict}")))
for note in report.notes:  # what a rule could not check
    st.info(localized(note, language), icon=":material/info:")
left, right = st.columns(2)
with left:
    st.markdown(f"**{tr('report.validity.by_rule')}**")
    counts = report.counts.rename_axis("rule").reset_index(name="count")
    counts["rule"] = [tr(f"rule.{rule}") for rule in counts["rule"]]
    fitted_table(headers(counts, {"rule": "col.rule", "count": "col.count"}))
with right:
    st.markdown(f"**{tr('report.validity.by_community')}**")
    by_community = report.by_community.reset_index()
    by_community["community"] = by_community["community"].replace(
        NO_COMMUNITY, tr("app.survey.no_community"))
    fitted_table(headers(by_community, {"community": "col.community", "received": "col.received",
                                        "valid": "col.valid", "rate": "col.rate"}),
                 {tr("col.rate"): ".0%"})
with st.expander(tr("report.validity.reasons") + f" ({len(report.reasons)})"):
    reasons = report.reasons.assign(
        rule=[tr(f"rule.{r}") for r in report.reasons["rule"]],
        detail=[localized(d, language) for d in report.reasons["detail"]],
        community=report.reasons["community"].fillna(tr("app.survey.no_community")).replace(
            NO_COMMUNITY, tr("app.survey.no_community")),
    )
    fitted_table(
        headers(reasons, {"respondent_id": "col.respondent_id", "row": "col.row",
                          "community": "col.community", "rule": "col.rule",
                          "detail": "col.detail"}),
        {tr("col.row"): ".0f"})

# ---------------------------------------------------------------------------- reliability
st.subheader(tr("report.reliability.scales"))
for warning in rel.warnings:
    st.warning(warning)
scales = rel.scales.assign(
    scope=[tr(f"scope.{s}") for s in rel.scales["scope"]],
    name=[cur.hierarchy.name(c, language) for c in rel.scales["code"]],
)
alphas = rel.scales["alpha"].astype(float)
whole = alphas[rel.scales["scope"] == "overall"]
overall = float(whole.iloc[0]) if len(whole) else float("nan")
weak = rel.scales[alphas < 0.6]
if len(weak):
    st.warning(tr("app.survey.verdict.poor", weak=len(weak),
                  names=joined(cur.hierarchy.name(c, language) for c in weak["code"])))
elif (alphas < 0.7).any() or overall < 0.8:
    st.info(tr("app.survey.verdict.fair", alpha=overall, weak=int((alphas < 0.7).sum())))
else:
    st.success(tr("app.survey.verdict.good", alpha=overall))
fitted_table(
    headers(scales, {"scope": "col.scope", "code": "col.code", "name": "col.name",
                     "k": "col.k", "n": "col.n", "alpha": "col.alpha", "ci_low": "col.ci_low",
                     "ci_high": "col.ci_high"}),
    {tr("col.k"): ".0f", tr("col.n"): ".0f"})
with st.expander(tr("report.reliability.items")):
    items = rel.items.assign(scope=[tr(f"scope.{s}") for s in rel.items["scope"]])
    fitted_table(
        headers(items, {"scope": "col.scope", "code": "col.code", "item": "col.item",
                        "alpha_if_deleted": "col.alpha_if_deleted",
                        "item_rest_r": "col.item_rest_r"}))
