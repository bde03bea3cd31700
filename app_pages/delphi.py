"""Delphi consultation: the experts' Delphi mode and the organizer's round view.

* An expert opens ``/delphi?study=…&token=…`` (the same personal token as the AHP page): the
  open round's indicators, each with a compact 1–5 control (saved at once, like the AHP page),
  an optional comment, the self-rating (familiarity Cs, basis Ca) once per round, and from
  round 2 the group's anonymised feedback of the previous round. Nothing of any expert is shown
  without a valid token.
* The organizer (signed in) chooses a study, issues links, opens round 1 with a keep rule,
  follows progress and the live statistics (response rate, authority Cr, Kendall's W, keep/drop
  per indicator), opens the next round with the kept indicators, imports Delphi workbooks and
  downloads the Delphi report and the kept framework CSV.

Persistence: :mod:`panel.delphi_rounds`. Statistics: :mod:`delphi`. Nothing is computed here.
"""

from __future__ import annotations

from io import BytesIO

import pandas as pd
import streamlit as st

from app_support import XLSX_MIME, app_origin, lang, signed_in, store, tr
from app_support.files import Upload
from app_support.guarded import problem_text, read_delphi
from app_support.text import literal
from delphi import BASIS, FAMILIARITY, INFLUENCE, DelphiError, DelphiRound, KeepRule
from i18n import localized
from panel.delphi_files import write_delphi_template
from panel.delphi_rounds import DelphiExpert, DelphiOrganizer, RoundInfo
from panel.store import StoreError, expert_link
from untrusted import UntrustedFileError

language = lang()
LEVEL_NAMES = {"zh": 1, "en": 2}
SCALE = [1, 2, 3, 4, 5]

study_id = st.query_params.get("study")
token = st.query_params.get("token")


def _one_line(exc: BaseException) -> str:
    """The error on one line, in the page's language when it has both (``exc.text``)."""
    text = getattr(exc, "text", None)
    return literal(" ".join((text(language) if callable(text) else str(exc)).split()))


# ---------------------------------------------------------------------------- expert mode
def _expert() -> DelphiExpert:
    return DelphiExpert(store().open_expert(study_id, token))


def _save_rating(code: str) -> None:
    try:
        _expert().set_rating(code, st.session_state[f"delphi_r_{code}"])
    except (StoreError, DelphiError) as exc:
        st.session_state["delphi_error"] = _one_line(exc)


def _save_comment(code: str) -> None:
    try:
        _expert().set_comment(code, st.session_state[f"delphi_c_{code}"] or "")
    except (StoreError, DelphiError) as exc:
        st.session_state["delphi_error"] = _one_line(exc)


def _save_self(kind: str) -> None:
    try:
        if kind == "familiarity":
            _expert().set_self_rating(familiarity=st.session_state["delphi_fam"])
        else:
            level = st.session_state[f"delphi_b_{kind}"]
            if level is not None:
                _expert().set_self_rating(basis={kind: level})
    except (StoreError, DelphiError) as exc:
        st.session_state["delphi_error"] = _one_line(exc)


def expert_mode() -> None:
    st.title(tr("app.page.delphi"))
    try:
        expert = _expert()
    except StoreError:
        st.error(tr("app.expert.bad_link"))
        st.stop()
    hierarchy = expert.session.study.hierarchy
    info = expert.current()
    if info is None or hierarchy is None:
        st.info(tr("app.delphi.no_round"))
        st.stop()
    if "delphi_error" in st.session_state:
        st.error(st.session_state.pop("delphi_error"))
    st.subheader(f"{tr('app.delphi.round', number=info.number)} · {literal(expert.session.name)}")
    st.caption(tr("app.delphi.expert_intro"))
    st.caption(tr("app.delphi.scale"))
    saved = expert.ratings()
    done = sum(1 for code in info.indicators if saved.get(code, (None, ""))[0] is not None)
    st.progress(done / max(len(info.indicators), 1),
                text=tr("app.delphi.progress", done=done, total=len(info.indicators)))
    familiarity, basis = expert.self_rating()
    with st.expander(tr("app.delphi.self_title"),
                     expanded=familiarity is None or len(basis) < len(BASIS)):
        keys = list(FAMILIARITY)
        st.radio(tr("app.delphi.familiarity"), keys, key="delphi_fam", horizontal=True,
                 index=None if familiarity is None else keys.index(familiarity),
                 format_func=lambda k: FAMILIARITY[k][1 if language == "zh" else 2],
                 on_change=_save_self, args=("familiarity",))
        st.markdown(tr("app.delphi.basis"))
        for key, (_, zh, en) in BASIS.items():
            st.session_state.setdefault(f"delphi_b_{key}", basis.get(key))
            st.segmented_control(zh if language == "zh" else en, list(INFLUENCE),
                                 key=f"delphi_b_{key}",
                                 format_func=lambda k: INFLUENCE[k][0 if language == "zh" else 1],
                                 on_change=_save_self, args=(key,))
    feedback = expert.feedback()
    level = None
    for code in info.indicators:
        node = hierarchy.nodes[code]
        if node.level != level:
            level = node.level
            st.markdown(f"#### {tr(f'app.delphi.level.{level}')}")
        rating, comment = saved.get(code, (None, ""))
        st.session_state.setdefault(f"delphi_r_{code}", rating)
        st.session_state.setdefault(f"delphi_c_{code}", comment)
        with st.container(border=True, key=f"delphi_box_{code}"):
            st.markdown(f"**{literal(code)}** {literal(hierarchy.name(code, language))}")
            st.segmented_control(
                code, SCALE, key=f"delphi_r_{code}", label_visibility="collapsed",
                on_change=_save_rating, args=(code,))
            if feedback is not None and code in feedback.index:
                fb = feedback.loc[code]
                counts = " · ".join(f"{s}: {int(fb[f'rated_{s}'])}" for s in SCALE)
                st.caption(tr("app.delphi.feedback", number=info.number - 1, mean=fb["mean"],
                              sd=fb["sd"], counts=counts))
                if fb["comments"]:
                    st.caption(tr("app.delphi.feedback_comments",
                                  comments=" | ".join(map(literal, fb["comments"]))))
            st.text_input(tr("app.delphi.comment"), key=f"delphi_c_{code}",
                          label_visibility="collapsed", placeholder=tr("app.delphi.comment"),
                          on_change=_save_comment, args=(code,))
    buffer = BytesIO()
    write_delphi_template(
        hierarchy, buffer, expert.session.name, round_number=info.number,
        indicators=info.indicators, feedback=feedback,
        ratings={c: r for c, (r, _) in saved.items() if r is not None},
        comments={c: m for c, (_, m) in saved.items() if m},
        familiarity=FAMILIARITY[familiarity][1] if familiarity else None,
        basis={k: INFLUENCE[v][0] for k, v in basis.items()})
    st.download_button(tr("app.delphi.download_own"), buffer.getvalue(),
                       file_name=f"delphi_round{info.number}.xlsx", mime=XLSX_MIME)


# ---------------------------------------------------------------------------- organizer mode
def _links(tokens: dict[str, str], names: dict[str, str], sid: str) -> None:
    base = f"{app_origin()}/delphi"
    st.session_state["delphi_links"] = pd.DataFrame({
        tr("col.expert"): [names.get(e, e) for e in tokens],
        tr("app.delphi.link"): [expert_link(base, sid, t) + f"&lang={language}"
                                for t in tokens.values()],
    })


def _chosen_study() -> tuple[str, DelphiOrganizer]:
    """The study picker (the active study preselected); the chosen study's id and its Delphi
    consultation. Stops the page when nobody is signed in, no study exists or the study cannot
    be opened."""
    secret = signed_in()
    if secret is None:
        st.info(tr("app.delphi.sign_in_first"))
        st.stop()
    studies = store().studies()
    if studies.empty:
        st.info(tr("app.delphi.no_study"))
        st.stop()
    ids = list(studies["study_id"])
    labels = dict(zip(studies["study_id"], studies["name"], strict=True))
    active = st.session_state.get("active_study")
    sid = st.selectbox(tr("app.delphi.study"), ids, format_func=lambda s: f"{labels[s]} ({s})",
                       index=ids.index(active) if active in ids else len(ids) - 1,
                       key="delphi_study")
    try:
        return sid, DelphiOrganizer(store().open_organizer(sid, secret))
    except (StoreError, DelphiError) as exc:
        st.error(_one_line(exc))
        st.stop()


def _expert_links(delphi: DelphiOrganizer, sid: str) -> None:
    """The experts' links: names to issue links for, and the table of issued links (open while
    the study has no expert)."""
    with st.expander(tr("app.delphi.links_title"), expanded=delphi.session.experts().empty):
        names = st.text_area(tr("app.delphi.names"), key="delphi_names")
        if st.button(tr("app.delphi.issue"), key="delphi_issue"):
            try:
                wanted = [n.strip() for n in names.splitlines() if n.strip()]
                tokens = delphi.session.create_panel(wanted)
                experts = delphi.session.experts()
                _links(tokens, dict(zip(experts["expert_id"], experts["name"], strict=True)),
                       sid)
            except UntrustedFileError as exc:
                st.error(problem_text(exc))
            except (StoreError, DelphiError) as exc:
                st.error(_one_line(exc))
        if "delphi_links" in st.session_state:
            st.caption(tr("app.delphi.links_help"))
            st.dataframe(st.session_state["delphi_links"], hide_index=True, width="stretch",
                         column_config={tr("app.delphi.link"): st.column_config.LinkColumn()})


def _keep_rule(current: RoundInfo | None) -> KeepRule:
    """The keep rule's three inputs (minimum mean, maximum CV, minimum full-mark share),
    starting from the current round's rule; the rule they give."""
    st.markdown(f"**{tr('app.delphi.rule')}**")
    r1, r2, r3 = st.columns(3)
    rule = current.rule if current else KeepRule()
    min_mean = r1.number_input(tr("app.delphi.min_mean"), 1.0, 5.0, rule.min_mean or 3.5, 0.1,
                               key="delphi_min_mean")
    max_cv = r2.number_input(tr("app.delphi.max_cv"), 0.0, 2.0, rule.max_cv or 0.25, 0.01,
                             key="delphi_max_cv")
    full = r3.number_input(tr("app.delphi.min_full_mark"), 0.0, 1.0, rule.min_full_mark or 0.0,
                           0.05, key="delphi_full")
    return KeepRule(min_mean=min_mean, max_cv=max_cv, min_full_mark=full or None)


def _round_start(delphi: DelphiOrganizer, current: RoundInfo | None) -> None:
    """The keep rule and the button that opens round 1, or the next round with the indicators
    the current round keeps."""
    rule = _keep_rule(current)
    label = tr("app.delphi.open_first") if current is None else \
        tr("app.delphi.open_next", number=current.number + 1)
    if st.button(label, key="delphi_open", type="primary"):
        try:
            opened = delphi.open_round(rule)
            st.session_state["delphi_message"] = tr("app.delphi.opened", number=opened.number,
                                                    count=len(opened.indicators))
            st.rerun()
        except (StoreError, DelphiError) as exc:
            st.error(_one_line(exc))


def _round_close(delphi: DelphiOrganizer, current: RoundInfo) -> None:
    """The button that closes the open round, or the note that the round is closed."""
    if current.open:
        if st.button(tr("app.delphi.close"), key="delphi_close"):
            delphi.close_round()
            st.rerun()
    else:
        st.info(tr("app.delphi.closed", number=current.number))


def _expert_progress(delphi: DelphiOrganizer, current: RoundInfo) -> None:
    """Per expert of the round: indicators rated, self-rating given, last change."""
    st.subheader(tr("app.delphi.progress_title", number=current.number))
    progress = delphi.progress()
    st.dataframe(progress.rename(columns={
        "expert_id": tr("col.expert"), "name": tr("col.name"), "access": "access",
        "rated": tr("app.delphi.rated"), "of": tr("app.delphi.of"),
        "self_rating": tr("app.delphi.self_rating"), "last_change": tr("app.delphi.last_change"),
    }), hide_index=True, width="stretch", height=240)


def _workbook_import(delphi: DelphiOrganizer, current: RoundInfo) -> None:
    """Importing the round's Delphi workbooks (read sandboxed), and the blank workbook of the
    round to download."""
    with st.expander(tr("app.delphi.import")):
        files = st.file_uploader(tr("app.delphi.import"), type=["xlsx"],
                                 accept_multiple_files=True, key="delphi_upload",
                                 label_visibility="collapsed")
        if files and st.button(tr("app.delphi.import"), key="delphi_import"):
            try:
                uploads = [Upload(f.name, f.getvalue()) for f in files]  # read sandboxed
                data = read_delphi(uploads, delphi.hierarchy, current.number)
                count = delphi.import_ratings(data)
                st.session_state["delphi_message"] = tr("app.delphi.imported", count=count)
                st.rerun()
            except (StoreError, DelphiError) as exc:
                st.error(_one_line(exc))
        template = BytesIO()
        write_delphi_template(delphi.hierarchy, template, round_number=current.number,
                              indicators=current.indicators)
        st.download_button(tr("app.delphi.download_template"), template.getvalue(),
                           file_name=f"delphi_template_round{current.number}.xlsx",
                           mime=XLSX_MIME)


def _round_summary(stats: DelphiRound) -> None:
    """The round's figures: response rate, mean authority Cr, Kendall's W (with its χ² test)
    and the indicators kept; then the round's warnings."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("app.delphi.response_rate"),
              f"{stats.responded}/{stats.invited} = {stats.response_rate:.0%}")
    m2.metric(tr("app.delphi.authority"),
              f"{stats.mean_cr:.3f}" if stats.mean_cr is not None else "–")
    k = stats.kendall
    m3.metric(tr("app.delphi.kendall"), f"{k.w:.4f}" if k is not None else "–",
              help=tr("app.delphi.kendall_test", chi2=k.statistic, df=k.df, p=k.pvalue)
              if k is not None else None)
    m4.metric(tr("app.delphi.kept"), f"{len(stats.kept)} / {len(stats.indicators)}")
    if k is not None:
        st.caption(f"Kendall's W = {k.w:.4f}; "
                   + tr("app.delphi.kendall_test", chi2=k.statistic, df=k.df, p=k.pvalue))
    for warning in stats.warnings:
        st.warning(localized(warning, language), icon=":material/warning:")


def _keep_drop_list(delphi: DelphiOrganizer, stats: DelphiRound) -> None:
    """Per indicator: its statistics and keep/drop (dropped rows shaded, with the reason)."""
    table = stats.indicators.rename_axis("code").reset_index()
    table.insert(1, "name", [delphi.hierarchy.name(c, language) for c in table["code"]])
    table["keep"] = [tr("delphi.keep") if x else tr("delphi.drop") for x in table["keep"]]
    dropped = (~stats.indicators["keep"]).to_numpy()
    shown = table.rename(columns={c: tr(f"col.{c}") for c in table.columns})
    styled = shown.style.apply(
        lambda row: ["background-color: #f8cbad" if dropped[row.name] else "" for _ in row],
        axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", height=400, column_config={
        tr(f"col.{c}"): st.column_config.NumberColumn(format="%.3f")
        for c in ("mean", "sd", "cv", "full_mark_share")})


def _round_statistics(delphi: DelphiOrganizer, current: RoundInfo) -> None:
    """The round's statistics: its summary and keep/drop list, or why they cannot be computed
    yet."""
    st.subheader(tr("app.delphi.statistics", number=current.number))
    try:
        stats = delphi.round_statistics(current.number)
    except DelphiError as exc:
        st.info(tr("app.delphi.not_yet", reason=_one_line(exc)))
        return
    _round_summary(stats)
    _keep_drop_list(delphi, stats)


def _report_downloads(delphi: DelphiOrganizer) -> None:
    """The Delphi report (every round) and the kept framework CSV, once a round has ratings;
    a warning when the kept framework has a problem."""
    try:
        analysis = delphi.analysis()
    except DelphiError:
        return
    from reports.excel_report import write_report

    report = BytesIO()
    write_report(report, delphi.hierarchy, lang=language, delphi=analysis.rounds)
    d1, d2 = st.columns(2)
    d1.download_button(tr("app.delphi.download_report"), report.getvalue(),
                       file_name="delphi_report.xlsx", mime=XLSX_MIME, key="delphi_report")
    d2.download_button(tr("app.delphi.download_framework"),
                       analysis.kept.to_csv(index=False).encode("utf-8"),
                       file_name="framework_kept.csv", mime="text/csv", key="delphi_kept")
    if analysis.problem:
        st.warning(tr("app.delphi.framework_problem", reason=literal(analysis.problem)))


def organizer_mode() -> None:
    """The organizer's round view (signed in): study, expert links, keep rule and round start,
    then for the current round its close button, progress, workbook import, statistics and the
    report downloads."""
    st.title(tr("app.page.delphi"))
    sid, delphi = _chosen_study()
    if "delphi_message" in st.session_state:
        st.success(st.session_state.pop("delphi_message"))
    _expert_links(delphi, sid)
    rounds = delphi.rounds()
    current = rounds[-1] if rounds else None
    _round_start(delphi, current)
    if current is None:
        st.stop()
    _round_close(delphi, current)
    _expert_progress(delphi, current)
    _workbook_import(delphi, current)
    _round_statistics(delphi, current)
    _report_downloads(delphi)


if study_id and token:
    expert_mode()
else:
    organizer_mode()
