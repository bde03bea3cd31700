"""Resident questionnaires: loading, screening, reliability and scores per community."""

from survey.errors import SurveyError as SurveyError
from survey.identifiers import IDENTIFIER_PATTERNS as IDENTIFIER_PATTERNS
from survey.identifiers import is_identifier as is_identifier
from survey.loading import DEFAULT_LABELS as DEFAULT_LABELS
from survey.loading import MISSING_MARKERS as MISSING_MARKERS
from survey.loading import load_responses as load_responses
from survey.responses import ColumnMapping as ColumnMapping
from survey.responses import Responses as Responses
from survey.screening import ScreeningReport as ScreeningReport
from survey.screening import ScreeningRules as ScreeningRules
from survey.screening import screen as screen
