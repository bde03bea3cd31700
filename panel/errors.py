"""Errors of the study store: every one a ``ValueError`` naming the study and the place."""

from __future__ import annotations

from panel.db import DatabaseError


class StoreError(DatabaseError):
    """The study store was asked for something it does not hold or cannot do."""


class AccessError(StoreError):
    """Access refused: a missing, wrong or revoked credential."""


class TokenError(AccessError):
    """An expert token is missing, wrong, revoked or belongs to another study."""


class OrganizerSecretError(AccessError):
    """The organizer secret is missing, wrong, or not configured."""
