"""Organizer: sign in with the organizer secret, create a study and its expert panel (one
personal link per expert, shown once), follow each expert's progress, import expert workbooks,
and choose which study the result pages show."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sample_data import SAMPLE_FRAMEWORK

from ahp.errors import HierarchyError, JudgmentError, WorkbookError
from app_support import (
    ACTIVE_KEY,
    SURVEY_KEY,
    Upload,
    app_origin,
    check_upload,
    current,
    fitted_table,
    headers,
    lang,
    organizer_for,
    organizer_secret,
    secret_help,
    sign_in,
    signed_in,
    store,
    tr,
)
from app_support.access import sign_in_wait, weak_secret_reason
from app_support.guarded import problem_text, read_framework, read_workbooks
from app_support.study_admin import study_admin, study_list
from app_support.text import csv_bytes, literal
from i18n import t
from panel.store import ORGANIZER_SECRET_ENV, StoreError, expert_link
from untrusted import UntrustedFileError

LINKS_KEY = "fresh_links"
language = lang()

st.title(tr("app.page.organizer"))
if organizer_secret() is None:
    secret_help()
    st.stop()
if (weak := weak_secret_reason()) is not None:  # refuse to start with a guessable secret
    st.error(tr("app.organizer.weak_secret", reason=weak, env=ORGANIZER_SECRET_ENV))
    st.stop()

secret = signed_in()
if secret is None:
    with st.form("sign_in"):
        typed = st.text_input(tr("app.organizer.secret"), type="password")
        if st.form_submit_button(tr("app.organizer.sign_in")):
            if sign_in(typed):
                st.rerun()
            wait = sign_in_wait()
            st.error(tr("app.organizer.throttled", seconds=f"{wait:.0f}") if wait > 0
                     else tr("app.organizer.wrong_secret"))
    st.stop()


def _links(tokens: dict[str, str], names: dict[str, str], study_id: str) -> None:
    """Keep fresh links in the session until the organizer has copied them."""
    base = st.session_state.get("base_url") or f"{app_origin()}/expert"
    st.session_state[LINKS_KEY] = pd.DataFrame({
        "expert_id": list(tokens),
        "name": [names.get(e, e) for e in tokens],
        # the expert page opens in the organizer's language (the expert can switch)
        "link": [f"{expert_link(base, study_id, token)}&lang={lang()}"
                 for token in tokens.values()],
    })


def _names(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------- fresh links
notice = st.session_state.pop("organizer_notice", None)
if notice:
    st.success(notice)
fresh = st.session_state.get(LINKS_KEY)
if fresh is not None:
    st.warning(tr("app.organizer.links_once"), icon=":material/link:")
    fitted_table(headers(fresh, {"expert_id": "col.expert", "name": "col.name",
                                 "link": "app.organizer.link"}))
    st.download_button(tr("app.organizer.links_csv"), csv_bytes(fresh),
                       file_name="expert_links.csv", mime="text/csv", on_click="ignore")
    if st.button(tr("app.organizer.links_copied"), key="links_copied"):
        st.session_state[LINKS_KEY] = None
        st.rerun()

# ---------------------------------------------------------------------------- studies
studies = store().studies()
study_list(secret)
options = [None, *studies["study_id"].tolist()]
labels = dict(zip(studies["study_id"], studies["name"], strict=True))
active = st.session_state.get(ACTIVE_KEY)
chosen = st.selectbox(
    tr("app.organizer.active"), options, index=options.index(active) if active in options else 0,
    format_func=lambda s: t("app.sample_study", language) if s is None else f"{labels[s]} ({s})",
    key=f"active_choice_{language}_{active}",
)
if chosen != active:
    st.session_state[ACTIVE_KEY] = chosen
    st.session_state[SURVEY_KEY] = None
    st.rerun()
st.caption(tr("app.organizer.active_help"))

with st.expander(tr("app.organizer.create"), expanded=studies.empty), st.form("create_study"):
    name = st.text_input(tr("app.organizer.study_name"))
    framework = st.file_uploader(tr("app.organizer.framework"), type=["csv"])
    threshold = st.number_input(tr("app.organizer.threshold"), 0.01, 0.5, 0.10, 0.01)
    experts = st.text_area(tr("app.organizer.experts"), help=tr("app.organizer.experts_help"))
    st.text_input(tr("app.organizer.base_url"), value=f"{app_origin()}/expert",
                  key="base_url", help=tr("app.organizer.base_url_help"))
    if st.form_submit_button(tr("app.organizer.create_button"), type="primary"):
        try:
            if framework is not None:  # checked and validated in the sandbox first
                read_framework(Upload(framework.name, framework.getvalue()))
            text = (framework.getvalue().decode("utf-8-sig") if framework is not None
                    else SAMPLE_FRAMEWORK.read_text("utf-8"))
            organizer = store().create_study(name, secret, framework=text,
                                             threshold=float(threshold))
            names = _names(experts)
            if names:
                tokens = organizer.create_panel(names)
                _links(tokens, dict(zip(tokens, names, strict=True)), organizer.study_id)
        except UntrustedFileError as exc:
            st.error(tr("app.organizer.failed", reason=problem_text(exc)))
        except (StoreError, HierarchyError, UnicodeDecodeError) as exc:
            st.error(tr("app.organizer.failed", reason=problem_text(exc)))
        else:
            st.session_state[ACTIVE_KEY] = organizer.study_id
            st.session_state[SURVEY_KEY] = None
            st.rerun()

cur = current()
if cur.study_id is None:
    st.info(tr("app.organizer.sample_active"))
    st.stop()

organizer = organizer_for(cur.study_id)
st.subheader(tr("app.organizer.panel", name=literal(cur.title)))
panel = organizer.experts()
total = len(cur.hierarchy.compared_nodes())
panel["progress"] = [f"{d} / {total}" for d in panel["nodes_done"]]
panel["access"] = [tr(f"app.organizer.access_{a}") for a in panel["access"]]
panel["last_change"] = pd.to_datetime(panel["last_change"], utc=True).dt.strftime(
    "%Y-%m-%d %H:%M UTC")
fitted_table(
    headers(panel, {"expert_id": "col.expert", "name": "col.name", "access": "app.organizer.access",
                    "judgments": "app.organizer.judgments", "progress": "app.organizer.progress",
                    "last_change": "app.organizer.last_change"}),
    {tr("app.organizer.judgments"): ".0f"})
with st.expander(tr("app.organizer.progress_detail")):
    detail = organizer.progress()
    if not detail.empty:
        filled = detail.pivot(index="node", columns="expert_id", values="filled")
        filled = filled.reindex(cur.hierarchy.compared_nodes())
        fitted_table(filled.rename_axis(index=tr("col.node"), columns=None), index=True,
                     formats=dict.fromkeys(filled.columns, ".0f"))

a1, a2 = st.columns(2)
with a1, st.form("add_experts"):
    more = st.text_area(tr("app.organizer.add_experts"), help=tr("app.organizer.experts_help"))
    if st.form_submit_button(tr("app.organizer.add_button")):
        try:
            names = _names(more)
            tokens = organizer.create_panel(names)
            _links(tokens, dict(zip(tokens, names, strict=True)), cur.study_id)
        except StoreError as exc:
            st.error(tr("app.organizer.failed", reason=problem_text(exc)))
        else:
            st.rerun()
names_by_id = dict(zip(panel["expert_id"], panel["name"], strict=True))
with a2, st.form("reissue"):
    who = st.selectbox(tr("col.expert"), list(names_by_id),
                       format_func=lambda e: f"{e} {names_by_id[e]}")
    sure = st.checkbox(tr("app.organizer.revoke_confirm"), key="revoke_confirm")
    r1, r2 = st.columns(2)
    reissue = r1.form_submit_button(tr("app.organizer.reissue"))
    revoke = r2.form_submit_button(tr("app.organizer.revoke"))
    if who is not None and reissue:
        _links({who: organizer.reissue(who)}, names_by_id, cur.study_id)
        st.rerun()
    elif who is not None and revoke and not sure:
        st.warning(tr("app.organizer.revoke_unconfirmed"))
    elif who is not None and revoke:
        organizer.revoke(who)
        fresh = st.session_state.get(LINKS_KEY)
        if fresh is not None:  # a revoked link must not stay on screen as if it worked
            kept = fresh[fresh["expert_id"] != who]
            st.session_state[LINKS_KEY] = kept if len(kept) else None
        del st.session_state["revoke_confirm"]
        st.session_state["organizer_notice"] = tr("app.organizer.revoked",
                                                  expert=literal(f"{who} {names_by_id[who]}"))
        st.rerun()

with st.expander(tr("app.organizer.import")):
    st.caption(tr("app.organizer.import_help"))
    books = st.file_uploader(tr("app.organizer.import_files"), type=["xlsx"],
                             accept_multiple_files=True, key="organizer_import")
    if books and st.button(tr("app.expert.import_button"), key="organizer_import_go"):
        uploads = [Upload(b.name, b.getvalue()) for b in books]
        problems = [p for p in (check_upload(u, ("xlsx",)) for u in uploads) if p]
        if problems:
            for problem in problems:
                st.error(problem)
        else:
            try:
                frame = read_workbooks(uploads, cur.hierarchy).table  # sandboxed
                result = organizer.import_judgments(frame, add_experts=True)
            except UntrustedFileError as exc:  # "could not import", as on the expert page
                st.error(tr("app.expert.import_failed", reason=problem_text(exc)))
            except (WorkbookError, StoreError, JudgmentError) as exc:
                st.error(tr("app.expert.import_failed", reason=problem_text(exc)))
            else:
                if result.tokens:
                    now = organizer.experts()
                    _links(result.tokens, dict(zip(now["expert_id"], now["name"], strict=True)),
                           cur.study_id)
                st.session_state["organizer_notice"] = tr("app.expert.imported",
                                                          cells=result.cells)
                st.rerun()

st.divider()
study_admin(organizer)
