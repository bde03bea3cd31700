"""The judgment store and organizer access: the secret, sign-in, sessions and app links."""


from __future__ import annotations

import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import streamlit as st

from app_support.language import tr
from panel.tokens import ORGANIZER_SECRET_ENV, organizer_secret_from_env

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when a page first needs it, not for the sample
    from panel.store import JudgmentStore, OrganizerSession


def organizer_secret() -> str | None:
    """The configured organizer secret: ``SHANZHI_ORGANIZER_SECRET`` or
    ``organizer_secret`` in ``.streamlit/secrets.toml`` (``None`` when neither is set)."""
    value = organizer_secret_from_env()
    if value:
        return value
    try:
        configured = st.secrets.get("organizer_secret")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return str(configured).strip() or None if configured else None


@st.cache_resource(show_spinner=False)
def _store(path: str, secret: str | None) -> JudgmentStore:
    from panel.store import JudgmentStore

    return JudgmentStore(path, organizer_secret=secret)


def store() -> JudgmentStore:
    """The judgment store at ``SHANZHI_DB`` (default ``~/.shanzhi/shanzhi.sqlite3``)."""
    from panel.store import default_db_path

    return _store(str(default_db_path()), organizer_secret())


ORGANIZER_KEY = "organizer_secret"


def sign_in(secret: str) -> bool:
    """Keep ``secret`` in the session if it is the configured organizer secret."""
    configured = organizer_secret()
    ok = configured is not None and hmac.compare_digest(
        secret.strip().encode("utf-8"), configured.encode("utf-8")
    )
    if ok:
        st.session_state[ORGANIZER_KEY] = secret.strip()
    return ok


def signed_in() -> str | None:
    """The organizer secret of this session, if the organizer has signed in."""
    secret = st.session_state.get(ORGANIZER_KEY)
    configured = organizer_secret()
    if secret and configured and hmac.compare_digest(secret.encode(), configured.encode()):
        return secret
    return None


def secret_help() -> None:
    """How to switch organizer access on (shown when no secret is configured)."""
    st.warning(tr("app.organizer.no_secret", env=ORGANIZER_SECRET_ENV))
    st.code(f"export {ORGANIZER_SECRET_ENV}='…'\nstreamlit run app.py", language="bash")


def organizer_for(study_id: str) -> OrganizerSession | None:
    """The organizer's session for a study (``None`` when not signed in)."""
    secret = signed_in()
    return None if secret is None else store().open_organizer(study_id, secret)


def app_origin() -> str:
    """``scheme://host:port`` of the app as the browser sees it."""
    url = st.context.url or ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


