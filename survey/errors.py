"""Errors raised by the survey engine."""


class SurveyError(ValueError):
    """Questionnaire data that cannot be loaded or screened.

    The message names the place: file, sheet, row, column and respondent id where they apply.
    """
