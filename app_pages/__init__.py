"""Streamlit pages of the app, one file per page (run by ``st.navigation`` in app.py)."""
