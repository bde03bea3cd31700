"""shanzhi web server: ``streamlit run server.py`` (what ``make app`` runs).

It serves the app of ``app.py`` and, before answering the first request, does the work a
fresh process would otherwise do on its first visit (imports, the upload sandbox, the store,
the sample study: :mod:`app_server.warm`), so that the first page an official or an expert
opens is drawn as fast as a later one; the front end's static files go out gzip-compressed
(:mod:`app_server.compression`). ``streamlit run app.py`` serves the same pages without either.
"""

import streamlit as st
from starlette.middleware import Middleware

from app_server.compression import CompressedStatic
from app_server.warm import lifespan

app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(CompressedStatic)])
