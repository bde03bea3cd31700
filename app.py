"""shanzhi web app: ``streamlit run app.py``.

A thin shell over :mod:`ahp` and :mod:`survey`: this file sets up the page, the language switch
and the navigation; each page lives in ``app_pages/`` and only calls the libraries (through the
cached helpers of :mod:`app_support`). The first page shows the bundled synthetic sample study.

Configuration (environment): ``SHANZHI_DB`` (judgment database, default
``~/.shanzhi/shanzhi.sqlite3``), ``SHANZHI_ORGANIZER_SECRET`` (organizer access; or
``organizer_secret`` in ``.streamlit/secrets.toml``).

A viewer link ``?view=TOKEN`` opens only the published result of its study
(``app_pages/viewer.py``); the chosen study is kept in the URL (``?study=ID``).
"""

from __future__ import annotations

import streamlit as st

from app_support import language_switch, tr
from app_support.guarded import ensure_sandbox
from app_support.published import VIEW_PARAM, remember_study

st.set_page_config(page_title="善治评价 shanzhi", page_icon=":material/location_city:",
                   layout="wide")
language_switch()
ensure_sandbox()  # once per process: the fork server that parses uploads (app_support.guarded)
# HTML tables wrap long cells (links, item texts) instead of running past the page's edge
st.html("""<style>
[data-testid='stTable'] td, [data-testid='stTable'] th {
  overflow-wrap: anywhere; white-space: normal; }
[data-testid='stTable'] td *, [data-testid='stTable'] th * {
  overflow-wrap: inherit !important; white-space: inherit !important; }
@media (max-width: 640px) {
  [data-testid='stTable'] table { font-size: 0.78rem; }
  [data-testid='stTable'] td, [data-testid='stTable'] th {
    padding: 0.25rem 0.3rem !important; min-width: 0 !important; }
}
</style>""")


def page(path: str, title_key: str, icon: str, url_path: str | None = None) -> st.Page:
    """A page of ``app_pages/`` with its translated title and a fixed URL path (the page
    without one is the default page, at the app's root URL)."""
    return st.Page(f"app_pages/{path}", title=tr(title_key), icon=f":material/{icon}:",
                   url_path=url_path, default=url_path is None)


if st.query_params.get(VIEW_PARAM):  # a viewer link: the published result only, nothing else
    st.navigation([st.Page("app_pages/viewer.py", title=tr("store.viewer.title"),
                           icon=":material/visibility:", default=True)],
                  position="hidden").run()
    st.stop()
remember_study()

pages = {
    tr("app.nav.results"): [
        page("home.py", "app.page.home", "home"),
        page("compare.py", "app.page.compare", "leaderboard", "compare"),
        page("diagnosis.py", "app.page.diagnosis", "troubleshoot", "diagnosis"),
        page("survey_data.py", "app.page.survey", "fact_check", "survey"),
        page("weights.py", "app.page.weights", "balance", "weights"),
    ],
    tr("app.nav.panel"): [
        page("expert.py", "app.page.experts", "rate_review", "expert"),
        page("delphi.py", "app.page.delphi", "how_to_vote", "delphi"),
        page("organizer.py", "app.page.organizer", "key", "organizer"),
    ],
}
st.navigation(pages).run()
