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
    screening_key,
    signed_in,
    source_text,
    synthetic_banner,
    tr,
)
from app_support.text import error_text, literal
from app_support.validity import METHODS, ROTATIONS, validity_report
from i18n import localized
from survey.errors import ColumnMatchError, SurveyError
from survey.loading import SCALE_MAX, SCALE_MIN
from survey.matching import offered_columns, suggest_mapping
from survey.screening import NO_COMMUNITY
from untrusted import UntrustedFileError, display_label

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


SHOWN_INVALID = 3
"""Invalid answers named in the line above the import figures (the screening table has all)."""


def _invalid_answers(cells: pd.DataFrame) -> str:
    """One line naming the answers read as missing: the first few, each with its row, item,
    value (shown literally, cut to 40 characters: it may be a formula or a long text) and
    why it cannot be scored."""
    shown = [
        tr("app.survey.invalid_cell", row=cell.row, item=literal(cell.item),
           value=literal(display_label(cell.value, 40)),
           reason=tr("app.survey.invalid_off_scale", low=SCALE_MIN, high=SCALE_MAX)
           if str(cell.reason).startswith("off the") else tr("app.survey.invalid_unreadable"))
        for cell in cells.head(SHOWN_INVALID).itertuples()
    ]
    more = len(cells) - len(shown)
    return tr("app.survey.invalid_found", count=len(cells),
              cells=joined(shown) + (tr("app.survey.invalid_more", more=more) if more else ""))


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
                    st.error(tr("app.survey.load_failed", reason=error_text(exc, language)))
                    st.stop()
                except UntrustedFileError as exc:  # refused before (or while) parsing
                    st.error(tr("app.survey.load_failed", reason=error_text(exc, language)))
                    st.stop()
                else:
                    if chosen != choice:
                        st.session_state[SURVEY_KEY] = choice
                        st.rerun()
                    loaded_message.success(tr("app.survey.loaded", name=literal(upload.name)),
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
st.markdown(f"**{tr('app.survey.source')}**: {literal(source_text(responses.source))}")
i2 = i3 = i4 = st.container(horizontal=True, gap="medium")  # metrics wrap on a phone
i2.metric(tr("app.survey.matched_by"), tr(f"app.survey.method.{mapping.method}"))
i3.metric(tr("app.survey.items_matched"),
          f"{len(mapping.columns)} / {len(cur.hierarchy.items)}")
i4.metric(tr("app.survey.invalid_cells"), f"{len(responses.invalid_cells)}")
if len(responses.invalid_cells):
    st.warning(_invalid_answers(responses.invalid_cells), icon=":material/warning:")
st.markdown(f"**{tr('app.survey.dropped')}**:\n\n"
            + (listed(literal(f"“{c}”" if language == "zh" else f"'{c}'")
                      for c in responses.dropped_columns) or tr("app.none")))
st.caption(tr("app.survey.dropped_help"))
if mapping.missing_items:
    st.warning(tr("app.survey.missing_items", items=joined(map(literal, mapping.missing_items))))
if mapping.unmatched_columns:
    st.caption(tr("app.survey.unmatched", columns="")
               + "\n" + listed(map(literal, mapping.unmatched_columns)))
st.caption(tr("app.survey.community_used", column=literal(mapping.community_column)))

# ---------------------------------------------------------------------------- validity
st.subheader(tr("report.validity.title"))
v1 = v2 = v3 = st.container(horizontal=True, gap="medium")
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
for warning in rel.warnings:  # naming the item or scale, in the page's language
    st.warning(literal(localized(warning, language)))
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

# ---------------------------------------------------------------------------- construct validity
st.subheader(tr("validity.title"))
with st.expander(tr("app.validity.settings")):
    s1, s2, s3 = st.columns(3)
    rotation = s1.selectbox(tr("app.validity.rotation"), ROTATIONS, key="validity_rotation")
    method = s2.selectbox(tr("app.validity.method"), METHODS, key="validity_method")
    chosen_factors = s3.number_input(tr("app.validity.n_factors"), min_value=0, max_value=20,
                                     value=0, step=1, key="validity_factors")
vkey = screening_key(cur)
report_v = validity_report(vkey, valid, cur.hierarchy, int(chosen_factors) or None, rotation,
                           method)
if report_v.kmo is not None and report_v.bartlett is not None:
    m1 = m2 = m3 = m4 = st.container(horizontal=True, gap="medium")
    m1.metric(tr("app.validity.kmo"), f"{report_v.kmo.overall:.3f}")
    m2.metric(tr("app.validity.bartlett", df=report_v.bartlett.df,
                 p="< 0.001" if report_v.bartlett.pvalue < 0.001
                 else f"= {report_v.bartlett.pvalue:.3f}"),
              f"{report_v.bartlett.statistic:.1f}")
    if report_v.efa is not None:
        m3.metric(tr("app.validity.factors"), f"{report_v.efa.n_factors}")
        m4.metric(tr("app.validity.kaiser"), f"{report_v.efa.kaiser}")
verdict = report_v.verdict().text(language)
if not report_v.ok:
    st.error(verdict if report_v.kmo is not None else
             tr("validity.failed", reason=literal(localized(report_v.error, language))),
             icon=":material/error:")
elif report_v.kmo is not None and report_v.kmo.overall >= 0.6:
    st.success(verdict, icon=":material/check_circle:")
else:
    st.warning(verdict, icon=":material/warning:")
findings = report_v.findings()
if findings:
    st.info(findings[0].text(language), icon=":material/info:")
    for finding in findings[1:]:
        st.warning(finding.text(language), icon=":material/warning:")
for note in report_v.notes:
    st.caption(localized(note, language))
if report_v.ok and report_v.efa is not None:
    ratio = {f: st.column_config.NumberColumn(format="%.3f")
             for f in [*report_v.efa.loadings.columns, tr("col.h2"), tr("col.msa")]}
    st.markdown(f"**{tr('validity.variance')}**")
    variance = report_v.variance_table().set_index("statistic").T.rename_axis(tr("col.factor"))
    variance.columns = [tr(f"col.{c}") for c in variance.columns]
    fitted_table(variance, index=True)
    loadings_box = st.expander(f"{tr('validity.loadings')} · {tr('app.table.wide')}")
    loadings_box.caption(tr("validity.loadings_help"))
    table = report_v.loadings_table()
    table.insert(1, "name", [cur.hierarchy.name(i, language) for i in table["item"]])
    columns = {"item": "col.item", "name": "col.name", "dimension": "col.dimension",
               **{f: f for f in report_v.efa.loadings.columns}, "h2": "col.h2",
               "factor": "col.factor", "dimension_factor": "col.dimension_factor",
               "off_dimension": "col.off_dimension", "msa": "col.msa"}
    shown = table.loc[:, list(columns)].rename(
        columns={c: (tr(k) if k.startswith("col.") else k) for c, k in columns.items()})
    off = table["off_dimension"].astype(bool).to_numpy()
    styled = shown.style.apply(
        lambda row: ["background-color: #f8cbad" if off[row.name] else "" for _ in row], axis=1)
    loadings_box.dataframe(styled, hide_index=True, width="stretch", height=360,
                           column_config=ratio)

st.subheader(tr("validity.items.title"))
item_warnings = report_v.item_warnings()
if report_v.items is not None:
    ia = report_v.items
    st.caption(tr("validity.items.summary", n=ia.n, n_high=ia.n_high, high=ia.high_cutoff,
                  n_low=ia.n_low, low=ia.low_cutoff, flagged=len(item_warnings)))
if item_warnings:
    st.warning("\n".join(f"- {w.text(language)}" for w in item_warnings),
               icon=":material/warning:")
elif report_v.items is not None:
    st.success(tr("validity.items.ok"))
if report_v.items is not None:
    with st.expander(tr("validity.items.title")):
        items_table = report_v.item_table()
        st.dataframe(
            headers(items_table, {"item": "col.item", "mean_high": "col.mean_high",
                                  "mean_low": "col.mean_low", "t": "col.t", "df": "col.df",
                                  "pvalue": "col.pvalue", "test": "col.test",
                                  "cr_flag": "col.cr_flag", "item_rest_r": "col.item_rest_r",
                                  "item_rest_flag": "col.item_rest_flag"}),
            hide_index=True, width="stretch",
            column_config={tr(c): st.column_config.NumberColumn(format="%.3f")
                           for c in ("col.mean_high", "col.mean_low", "col.t", "col.df",
                                     "col.pvalue", "col.item_rest_r")},
        )
