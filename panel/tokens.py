"""Credentials: organizer secret from the environment, expert and viewer tokens, their hashes.

Tokens are ``secrets.token_urlsafe(32)`` (256 random bits). Expert tokens are stored as
``HMAC-SHA256(study salt, token)``; viewer tokens (found from the link alone, ``?view=TOKEN``)
as ``SHA-256(token)``. A slow password hash guards guessable secrets; a 256-bit random token
cannot be guessed, so a fast hash gives the same protection. Comparisons are constant-time.
"""

from __future__ import annotations

import hmac
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
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



MIN_SECRET_CHARS = 12
"""Shortest organizer secret accepted."""
MIN_SECRET_BITS = 50.0
"""Least estimated strength (bits) of an organizer secret: its length × log2 of the alphabet its
character classes span (26 lower, 26 upper, 10 digits, 33 other, 100 for non-Latin letters),
a repeated character counting a quarter, so ``aaaaaaaaaaaa`` scores ~18 bits, ``123456789012``
~35 and ``browser-test-secret`` ~70. An estimate in the spirit of NIST SP 800-63B's advice: length
first, and refuse the obvious (common words, one repeated character, keyboard runs)."""
_COMMON_SECRETS = frozenset({
    "password", "passw0rd", "123456", "12345678", "123456789", "1234567890", "qwerty",
    "qwertyuiop", "abc123", "admin", "administrator", "organizer", "organiser", "secret",
    "changeme", "letmein", "welcome", "shanzhi", "iloveyou", "000000", "111111", "asdfghjkl",
})
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


def _secret_bits(secret: str) -> float:
    """Estimated bits: distinct characters (a repeated one counts a quarter) × log2(alphabet)."""
    alphabet = (26 * any(c.islower() for c in secret) + 26 * any(c.isupper() for c in secret)
                + 10 * any(c.isdigit() for c in secret)
                + 33 * any(not c.isalnum() for c in secret)
                + 100 * any(ord(c) > 127 and c.isalpha() for c in secret))
    seen: set[str] = set()
    weight = 0.0
    for char in secret:
        weight += 0.25 if char in seen else 1.0
        seen.add(char)
    return weight * math.log2(max(alphabet, 2))


def secret_weakness(secret: str | None) -> tuple[str, dict[str, object]] | None:
    """Why ``secret`` is too weak for organizer access, as a reason code and its fields, or
    ``None`` when it is strong enough. Codes: ``"short"`` (fewer than
    :data:`MIN_SECRET_CHARS` characters), ``"common"`` (a common password, or one with a
    year or digits appended, or a run such as ``abcdefghijkl``), ``"guessable"`` (under
    :data:`MIN_SECRET_BITS` estimated bits, e.g. one repeated character or digits only)."""
    text = (secret or "").strip()
    if len(text) < MIN_SECRET_CHARS:
        return "short", {"length": len(text), "minimum": MIN_SECRET_CHARS}
    folded = text.lower()
    stem = folded.rstrip("0123456789!.-_ ")
    if folded in _COMMON_SECRETS or stem in _COMMON_SECRETS or any(
        folded in run or folded in run[::-1] for run in _RUNS
    ):
        return "common", {}
    bits = _secret_bits(text)
    if bits < MIN_SECRET_BITS:
        return "guessable", {"bits": round(bits), "minimum": round(MIN_SECRET_BITS)}
    return None


SECRET_WEAKNESS_TEXT = {
    "short": "the organizer secret has {length} characters; use at least {minimum}",
    "common": "the organizer secret is a common password or a simple run of characters",
    "guessable": "the organizer secret is too easy to guess (about {bits} bits of strength; "
                 "at least {minimum} needed): mix letters, digits and other characters, or use "
                 "several unrelated words",
}
"""English texts of :func:`secret_weakness`'s codes (the app shows ``app.secret.<code>``)."""


class GuessThrottle:
    """Exponential back-off of wrong guesses, by key (a client address, a session, "all").

    After ``free`` wrong guesses under a key, each further one locks the key for
    ``base × 2^(wrong − free)`` seconds, at most ``cap``; a right guess clears the key. The
    state lives in this object (one per process, see ``app_support.access``), so reloading the
    page, which starts a new session, does not reset the lock of the client address. Thread-safe.
    """

    def __init__(self, free: int = 3, base: float = 1.0, cap: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.clock = free, base, cap, clock
        self._wrong: dict[str, int] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may guess again (0 when all may)."""
        now = self.clock()
        with self._lock:
            return max([0.0, *(self._until.get(k, 0.0) - now for k in keys)])

    def failed(self, *keys: str) -> float:
        """Record a wrong guess under every key; returns the new wait."""
        now = self.clock()
        with self._lock:
            for key in keys:
                wrong = self._wrong.get(key, 0) + 1
                self._wrong[key] = wrong
                if wrong >= self.free:
                    delay = min(self.cap, self.base * 2 ** (wrong - self.free))
                    self._until[key] = now + delay
            if len(self._wrong) > 100_000:  # keep the table bounded: forget the oldest keys
                for key in list(self._wrong)[:50_000]:
                    self._wrong.pop(key, None)
                    self._until.pop(key, None)
        return self.wait(*keys)

    def succeeded(self, *keys: str) -> None:
        """Clear ``keys`` after a right guess."""
        with self._lock:
            for key in keys:
                self._wrong.pop(key, None)
                self._until.pop(key, None)


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
