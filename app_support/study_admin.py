"""The organizer's study administration (drawn on the organizer page): the study list with each
study's lifecycle state, lifecycle actions, waves ("add a wave", stored in the study; the same
file twice is recognised by its hash), publishing, viewer links (shown once; list; revoke), the
audit log (table and CSV) and retention (delete a wave's answers, delete the study), with
confirmation ticks for what cannot be undone. Every action is one call of
:class:`panel.store.OrganizerSession`; the store writes the audit entry."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app_support import guarded
from app_support.access import app_origin, store
from app_support.files import SURVEY_TYPES, Upload, check_upload
from app_support.language import headers, lang, tr
from app_support.text import csv_bytes, literal
from panel.errors import StoreError
from panel.store import OrganizerSession
from panel.waves import DuplicateWaveError
from survey.errors import ColumnMatchError, SurveyError
from untrusted import UntrustedFileError

__all__ = ["VIEWER_LINK_KEY", "study_admin", "study_list", "viewer_link"]

VIEWER_LINK_KEY = "fresh_viewer_link"
NOTICE_KEY = "organizer_notice"


def viewer_link(token: str) -> str:
    """The app URL a viewer opens: ``<origin>/?view=TOKEN&lang=…``."""
    return f"{app_origin()}/?view={token}&lang={lang()}"


def _notice(text: str) -> None:
    st.session_state[NOTICE_KEY] = text
    st.rerun()


def _when(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, errors="coerce").dt.strftime("%Y-%m-%d %H:%M UTC")


def study_list(secret: str) -> None:
    """Every study with its lifecycle state, waves and latest publication."""
    studies = store().studies()
    if studies.empty:
        return
    rows = []
    for sid in studies["study_id"]:
        org = store().open_organizer(sid, secret)
        results = org.results()
        rows.append({"state": tr(f"store.state.{org.state()}"), "waves": len(org.waves()),
                     "published": "" if results.empty else
                     f"#{int(results['result_id'].iloc[-1])} · {results['wave'].iloc[-1]}"})
    table = pd.concat([studies.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    table["created_at"] = _when(table["created_at"])
    st.dataframe(headers(table, {"study_id": "store.col.study_id", "name": "col.name",
                                 "state": "store.col.state", "waves": "store.col.waves",
                                 "published": "store.col.published",
                                 "created_at": "store.col.created"}),
                 hide_index=True, width="stretch")


def study_admin(organizer: OrganizerSession) -> None:
    """Lifecycle, waves, publish, viewer links, audit and retention of one study."""
    st.subheader(tr("store.admin.title", name=literal(organizer.study.name)))
    _lifecycle(organizer)
    _waves(organizer)
    _publish(organizer)
    _viewers(organizer)
    _audit(organizer)
    _retention(organizer)


def _lifecycle(organizer: OrganizerSession) -> None:
    state = organizer.state()
    st.markdown(tr("store.admin.state", state=tr(f"store.state.{state}")))
    st.caption(tr("store.admin.state_help"))
    c1, c2 = st.columns(2)
    if c1.button(tr("store.action.collect"), key="state_collect",
                 disabled=state == "collecting", icon=":material/play_arrow:"):
        _move(organizer, "collecting")
    if c2.button(tr("store.action.close"), key="state_close",
                 disabled=state != "collecting", icon=":material/stop:"):
        _move(organizer, "closed")


def _move(organizer: OrganizerSession, state: str) -> None:
    try:
        organizer.set_state(state)
    except StoreError as exc:
        st.error(tr("app.organizer.failed", reason=guarded.problem_text(exc)))
    else:
        _notice(tr("store.admin.moved", state=tr(f"store.state.{state}")))


def _waves(organizer: OrganizerSession) -> None:
    st.markdown(f"**{tr('store.wave.title')}**")
    waves = organizer.waves()
    if waves:
        table = pd.DataFrame({
            "label": [w.label for w in waves], "file": [w.file_name for w in waves],
            "received": [w.n_received for w in waves], "valid": [w.n_valid for w in waves],
            "created": _when(pd.Series([w.created_at for w in waves])),
            "answers": [tr("store.wave.deleted") if w.answers_deleted_at else tr("store.wave.kept")
                        for w in waves],
        })
        st.dataframe(headers(table, {"label": "store.col.wave", "file": "store.col.file",
                                     "received": "col.received", "valid": "col.valid",
                                     "created": "store.col.created",
                                     "answers": "store.col.answers"}),
                     hide_index=True, width="stretch")
    else:
        st.info(tr("store.wave.none"))
    with st.form("add_wave", clear_on_submit=False):
        st.caption(tr("store.wave.help"))
        label = st.text_input(tr("store.wave.label"), value=str(date.today().year),
                              max_chars=100, key="wave_label")
        file = st.file_uploader(tr("store.wave.file"), key="wave_file")
        if st.form_submit_button(tr("store.wave.add"), type="primary",
                                 icon=":material/add:") and file is not None:
            _add_wave(organizer, label, Upload(file.name, file.getvalue()))


def _add_wave(organizer: OrganizerSession, label: str, upload: Upload) -> None:
    problem = check_upload(upload, SURVEY_TYPES)
    if problem:
        st.error(problem)
        return
    mapping = st.session_state.get(f"mapping_{upload.key}")  # applied on the survey page
    try:
        # parsed in the sandbox first: a file that crashes or floods the parser ends there
        if organizer.study.hierarchy is not None:
            guarded.load_survey(upload, organizer.study.hierarchy,
                                organizer.settings().community_column,
                                dict(mapping) if mapping else None)
        wave = organizer.add_wave(label, upload.data, file_name=upload.name,
                                  mapping=dict(mapping) if mapping else None)
    except DuplicateWaveError as exc:
        st.warning(tr("store.wave.duplicate", name=literal(upload.name), wave=literal(exc.label)),
                   icon=":material/content_copy:")
    except ColumnMatchError as exc:
        st.error(tr("store.wave.unmatched", reason=guarded.problem_text(exc)))
    except UntrustedFileError as exc:
        st.error(tr("app.organizer.failed", reason=guarded.problem_text(exc)))
    except (SurveyError, StoreError, ValueError) as exc:
        st.error(tr("app.organizer.failed", reason=guarded.problem_text(exc)))
    else:
        _notice(tr("store.wave.added", wave=literal(wave.label), valid=wave.n_valid,
                   received=wave.n_received, name=literal(upload.name)))


def _publish(organizer: OrganizerSession) -> None:
    st.markdown(f"**{tr('store.publish.title')}**")
    waves = [w.label for w in organizer.waves() if w.answers_deleted_at is None]
    results = organizer.results()
    if not results.empty:
        shown = results.assign(published_at=_when(results["published_at"]),
                               payload_sha256=results["payload_sha256"].str[:12])
        st.dataframe(headers(shown, {"result_id": "store.col.result", "wave": "store.col.wave",
                                     "published_at": "store.col.published_at",
                                     "published_by": "store.col.by",
                                     "payload_sha256": "store.col.sha"}),
                     hide_index=True, width="stretch")
    if not waves:
        st.caption(tr("store.publish.no_wave"))
        return
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    wave = c1.selectbox(tr("store.col.wave"), waves, index=len(waves) - 1,
                       key=f"publish_wave_{waves[-1]}")
    if c2.button(tr("store.publish.button"), type="primary", key="publish",
                 icon=":material/publish:"):
        with st.spinner(tr("store.publish.running")):
            try:
                pub = organizer.publish(wave)
            except (StoreError, ValueError) as exc:  # e.g. a SurveyError: in the page language
                st.error(tr("app.organizer.failed", reason=guarded.problem_text(exc)))
                return
        _notice(tr("store.publish.done", id=pub.result_id, wave=literal(pub.wave),
                   at=str(pub.published_at)[:19].replace("T", " "),
                   sha=pub.payload_sha256[:12]))


def _viewers(organizer: OrganizerSession) -> None:
    st.markdown(f"**{tr('store.viewer.links')}**")
    fresh = st.session_state.get(VIEWER_LINK_KEY)
    if fresh and fresh[0] == organizer.study_id:
        st.warning(tr("store.viewer.once"), icon=":material/link:")
        st.code(fresh[1], language=None)
        if st.button(tr("app.organizer.links_copied"), key="viewer_copied"):
            st.session_state[VIEWER_LINK_KEY] = None
            st.rerun()
    with st.form("issue_viewer"):
        name = st.text_input(tr("store.viewer.label"), value=tr("store.viewer.default_label"),
                             max_chars=200)
        if st.form_submit_button(tr("store.viewer.issue"), icon=":material/add_link:"):
            token = organizer.issue_viewer(name.strip() or "viewer")
            st.session_state[VIEWER_LINK_KEY] = (organizer.study_id, viewer_link(token))
            st.rerun()
    viewers = organizer.viewers()
    if viewers.empty:
        return
    shown = viewers.assign(created_at=_when(viewers["created_at"]),
                           revoked_at=_when(viewers["revoked_at"]))
    st.dataframe(headers(shown, {"viewer_id": "store.col.viewer", "label": "col.name",
                                 "created_at": "store.col.created",
                                 "revoked_at": "store.col.revoked"}),
                 hide_index=True, width="stretch", placeholder="–")
    active = viewers[viewers["revoked_at"].isna()]
    if active.empty:
        return
    names = dict(zip(active["viewer_id"].astype(int), active["label"], strict=True))
    with st.form("revoke_viewer"):
        which = st.selectbox(tr("store.col.viewer"), list(names),
                             format_func=lambda v: f"{v} · {names[v]}")
        sure = st.checkbox(tr("store.viewer.revoke_confirm"))
        if st.form_submit_button(tr("store.viewer.revoke")):
            if not sure:
                st.warning(tr("app.organizer.revoke_unconfirmed"))
            else:
                organizer.revoke_viewer(int(which))
                fresh = st.session_state.get(VIEWER_LINK_KEY)
                if fresh and fresh[0] == organizer.study_id:
                    st.session_state[VIEWER_LINK_KEY] = None
                _notice(tr("store.viewer.revoked_done", viewer=which))


def _audit(organizer: OrganizerSession) -> None:
    with st.expander(tr("store.audit.title")):
        log = organizer.audit()
        shown = headers(log.assign(at=_when(log["at"])),
                        {"seq": "store.col.seq", "at": "store.col.at", "actor": "store.col.actor",
                         "action": "store.col.action", "detail": "store.col.detail"})
        st.dataframe(shown, hide_index=True, width="stretch", height=300)
        st.download_button(tr("store.audit.csv"), csv_bytes(log),
                           file_name=f"shanzhi_audit_{organizer.study_id}.csv", mime="text/csv",
                           on_click="ignore", key="audit_csv", icon=":material/download:")


def _retention(organizer: OrganizerSession) -> None:
    with st.expander(tr("store.retention.title")):
        st.caption(tr("store.retention.help"))
        kept = [w.label for w in organizer.waves() if w.answers_deleted_at is None]
        if kept:
            with st.form("delete_wave"):
                wave = st.selectbox(tr("store.col.wave"), kept)
                sure = st.checkbox(tr("store.retention.wave_confirm"))
                if st.form_submit_button(tr("store.retention.wave_button")):
                    if not sure:
                        st.warning(tr("store.retention.unconfirmed"))
                    else:
                        organizer.delete_wave_answers(wave)
                        _notice(tr("store.retention.wave_done", wave=literal(wave)))
        with st.form("delete_study"):
            sure = st.checkbox(tr("store.retention.study_confirm",
                                  name=literal(organizer.study.name)))
            if st.form_submit_button(tr("store.retention.study_button"), type="primary"):
                if not sure:
                    st.warning(tr("store.retention.unconfirmed"))
                else:
                    name = organizer.study.name
                    organizer.delete_study()
                    st.session_state["active_study"] = None
                    st.session_state["survey_upload"] = None
                    _notice(tr("store.retention.study_done", name=literal(name)))
