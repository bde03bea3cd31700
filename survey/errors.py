"""Errors raised by the survey engine (rooted in :class:`i18n.errors.ShanzhiError`)."""

from i18n.errors import ShanzhiError


class SurveyError(ShanzhiError):
    """Questionnaire data that cannot be loaded or screened.

    The message names the place: file, sheet, row, column and respondent id where they apply.
    """


class ColumnMatchError(SurveyError):
    """The questionnaire's columns cannot be matched to the framework's items (by a mapping,
    by item codes in the headers, or by order); ``items`` is how many the framework has and
    ``found`` how many Likert columns the file has. A mapping step can fix this."""

    def __init__(self, message: str, items: int, found: int) -> None:
        super().__init__(message)
        self.items = items
        self.found = found
