"""Errors raised by the Delphi engine (rooted in :class:`i18n.errors.ShanzhiError`)."""

from i18n.errors import ShanzhiError


class DelphiError(ShanzhiError):
    """Delphi ratings that cannot be analysed; the message names the expert and indicator."""
