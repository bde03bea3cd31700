"""shanzhi web server: ``streamlit run server.py`` (what ``make app`` runs).

It serves the app of ``app.py`` and, before answering the first request, does the work a
fresh process would otherwise do on its first visit (imports, the upload sandbox, the store,
the sample study: :mod:`app_support.warm`), so that the first page an official or an expert
opens is drawn as fast as a later one. ``streamlit run app.py`` serves the same pages without
the warm-up.
"""

import streamlit as st

from app_support.warm import lifespan

app = st.App("app.py", lifespan=lifespan)
