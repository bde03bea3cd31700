"""The judgment store and organizer access: the secret, sign-in, sessions and app links."""


from __future__ import annotations

import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_support.language import tr
from panel.tokens import (
    ORGANIZER_SECRET_ENV,
    GuessThrottle,
    organizer_secret_from_env,
    secret_weakness,
)

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


def weak_secret_reason() -> str | None:
    """Why the configured organizer secret is too weak to switch organizer access on (in the
    page's language), or ``None`` (also when none is configured)."""
    configured = organizer_secret()
    weakness = None if configured is None else secret_weakness(configured)
    if weakness is None:
        return None
    code, fields = weakness
    return tr(f"app.secret.{code}", **fields)


@st.cache_resource(show_spinner=False)
def throttles() -> tuple[GuessThrottle, GuessThrottle]:
    """Process-wide back-off of wrong organizer secrets: per client and session (3 free
    guesses, then 1, 2, 4 … s up to 5 min) and over all clients (20 free, up to 60 s, so that
    guessing from many addresses is slowed too, while the organizer is never locked out long).
    Kept for the life of the server: a reload does not reset it."""
    return GuessThrottle(free=3, base=1.0, cap=300.0), GuessThrottle(free=20, base=1.0, cap=60.0)


def _guess_keys() -> tuple[str, ...]:
    """The client's address (``X-Forwarded-For`` behind a proxy) and this session."""
    forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    address = forwarded or st.context.ip_address or "unknown"
    ctx = get_script_run_ctx()
    session = ctx.session_id if ctx is not None else "none"
    return f"client:{address}", f"session:{session}"


def sign_in_wait() -> float:
    """Seconds before this client may try another secret (0 when it may now)."""
    per_client, overall = throttles()
    return max(per_client.wait(*_guess_keys()), overall.wait("all"))


def sign_in(secret: str) -> bool:
    """Keep ``secret`` in the session if it is the configured organizer secret (a strong one);
    a wrong secret counts towards the back-off (:func:`throttles`), and while it runs nothing
    is compared."""
    configured = organizer_secret()
    if configured is None or secret_weakness(configured) is not None or sign_in_wait() > 0:
        return False
    per_client, overall = throttles()
    keys = _guess_keys()
    ok = hmac.compare_digest(secret.strip().encode("utf-8"), configured.encode("utf-8"))
    if ok:
        per_client.succeeded(*keys)
        st.session_state[ORGANIZER_KEY] = secret.strip()
    else:
        per_client.failed(*keys)
        overall.failed("all")
    return ok


def signed_in() -> str | None:
    """The organizer secret of this session, if the organizer has signed in."""
    secret = st.session_state.get(ORGANIZER_KEY)
    configured = organizer_secret()
    if configured is None or secret_weakness(configured) is not None:
        return None
    if secret and hmac.compare_digest(secret.encode(), configured.encode()):
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


