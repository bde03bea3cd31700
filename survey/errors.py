"""Errors raised by the survey engine (rooted in :class:`i18n.errors.ShanzhiError`)."""

from i18n.errors import ShanzhiError


class SurveyError(ShanzhiError):
    """Questionnaire data that cannot be loaded or screened.

    Raised with a locale key and its fields (``SurveyError("error.load.empty", where=…)``, texts
    in ``i18n/locale/<lang>/survey_errors.json``): ``str(error)`` is the English line,
    ``error.text(lang)`` the line in the app's language. The message names the place: file,
    sheet, row, column and respondent id where they apply.
    """


class ColumnMatchError(SurveyError):
    """The questionnaire's columns cannot be matched to the framework's items (by a mapping,
    by item codes in the headers, or by order); ``items`` is how many the framework has and
    ``found`` how many Likert columns the file has (also fields of the message when it is
    given as a locale key). A mapping step can fix this."""

    def __init__(self, message: str, items: int, found: int, **fields: object) -> None:
        if fields:
            fields = {"items": items, "found": found, **fields}
        super().__init__(message, **fields)
        self.items = items
        self.found = found

    def __reduce__(self):  # pickled across the sandbox's process boundary (app uploads)
        return (type(self), (self.message, self.items, self.found))
