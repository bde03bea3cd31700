"""Credentials: organizer secret from the environment, expert and viewer tokens, their hashes.

Tokens are ``secrets.token_urlsafe(32)`` (256 random bits). Expert tokens are stored as
``HMAC-SHA256(study salt, token)``; viewer tokens (found from the link alone, ``?view=TOKEN``)
as ``SHA-256(token)``. A slow password hash guards guessable secrets; a 256-bit random token
cannot be guessed, so a fast hash gives the same protection. Comparisons are constant-time.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Mapping
from hashlib import sha256
from urllib.parse import urlencode

ORGANIZER_SECRET_ENV = "SHANZHI_ORGANIZER_SECRET"
"""Environment variable holding the organizer secret."""

TOKEN_BYTES = 32
_HASH_SCHEME = "hmac-sha256"
MAX_TOKEN_LENGTH = 256
STUDY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EXPERT_ID_PATTERN = re.compile(r"E\d+")
MAX_NAME_LENGTH = 200



def organizer_secret_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The organizer secret from ``SHANZHI_ORGANIZER_SECRET`` (``None`` when unset or blank)."""
    value = (os.environ if environ is None else environ).get(ORGANIZER_SECRET_ENV, "")
    return value.strip() or None


def expert_link(base_url: str, study_id: str, token: str) -> str:
    """The link an expert opens: ``base_url?study=<id>&token=<token>`` (URL-encoded)."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urlencode({'study': study_id, 'token': token})}"


def hash_token(salt: bytes, token: str) -> str:
    digest = hmac.new(salt, token.encode("utf-8"), sha256).hexdigest()
    return f"{_HASH_SCHEME}${digest}"


def matches(stored: str | None, candidate: str) -> bool:
    return stored is not None and hmac.compare_digest(
        stored.encode("ascii"), candidate.encode("ascii")
    )



def new_token() -> str:
    """A fresh token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def viewer_hash(token: str) -> str:
    """The stored form of a viewer token: ``sha256$<hex>``."""
    return "sha256$" + sha256(token.encode("utf-8")).hexdigest()


def viewer_link(base_url: str, token: str) -> str:
    """The link an official opens: ``base_url?view=<token>``."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urlencode({'view': token})}"
