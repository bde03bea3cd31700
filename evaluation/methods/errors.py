"""Errors and warnings of the weighting and evaluation methods."""

from __future__ import annotations

from i18n.errors import ShanzhiError

__all__ = ["MethodError", "MethodWarning"]


class MethodError(ShanzhiError):
    """Input a method cannot use; the message names the column, row or group at fault."""


class MethodWarning(UserWarning):
    """A result that is computable but should be read with care (few alternatives, a criterion
    that barely varies, an empty membership row)."""
