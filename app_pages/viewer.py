"""An official's page, opened by a viewer link ``?view=TOKEN``: the comparison page of the study's
latest published result (or of a chosen wave), with no upload and no sign-in. A revoked or
unknown link is refused with a clear message. Only published aggregates are shown
(:meth:`panel.publish.Published.for_viewer`)."""

from __future__ import annotations

import streamlit as st

from app_support import store, tr
from app_support.published import VIEW_PARAM, published_page
from panel.errors import TokenError
from panel.viewers import open_viewer

token = st.query_params.get(VIEW_PARAM)
try:
    viewer = open_viewer(store(), token)
except TokenError as exc:
    st.title(tr("store.viewer.title"))
    revoked = getattr(exc.message, "key", "") == "error.store.viewer_revoked"
    st.error(tr("store.viewer.revoked" if revoked else "store.viewer.unknown"),
             icon=":material/link_off:")
    st.stop()

info = store().study(viewer.study_id)
st.caption(tr("store.viewer.banner"))
if not published_page(viewer, cache_id=f"{store().path}|{viewer.study_id}|viewer",
                      study_name=viewer.study_name, hierarchy=info.hierarchy):
    st.title(tr("store.viewer.title"))
    st.info(tr("store.viewer.nothing_yet"))
