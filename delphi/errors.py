"""Errors raised by the Delphi engine."""


class DelphiError(ValueError):
    """Delphi ratings that cannot be analysed; the message names the expert and indicator."""
