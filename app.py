"""shanzhi web app: ``streamlit run app.py``.

A thin shell over :mod:`ahp` and :mod:`survey`: this file sets up the page, the language switch
and the navigation; each page lives in ``pages/`` and only calls the libraries (through the
cached helpers of :mod:`app_support`). The first page shows the bundled synthetic sample study.

Configuration (environment): ``SHANZHI_DB`` (judgment database, default
``~/.shanzhi/shanzhi.sqlite3``), ``SHANZHI_ORGANIZER_SECRET`` (organizer access; or
``organizer_secret`` in ``.streamlit/secrets.toml``).
"""

from __future__ import annotations

import streamlit as st

from app_support import language_switch, tr

st.set_page_config(page_title="善治评价 shanzhi", page_icon="🏘️", layout="wide")
language_switch()

pages = {
    tr("app.nav.results"): [
        st.Page("pages/home.py", title=tr("app.page.home"), icon="🏠", url_path="home",
                default=True),
        st.Page("pages/compare.py", title=tr("app.page.compare"), icon="📊", url_path="compare"),
        st.Page("pages/survey_data.py", title=tr("app.page.survey"), icon="📝",
                url_path="survey"),
        st.Page("pages/weights.py", title=tr("app.page.weights"), icon="⚖️", url_path="weights"),
    ],
    tr("app.nav.panel"): [
        st.Page("pages/expert.py", title=tr("app.page.experts"), icon="🧑‍🏫", url_path="expert"),
        st.Page("pages/organizer.py", title=tr("app.page.organizer"), icon="🔑",
                url_path="organizer"),
    ],
}
st.navigation(pages).run()
