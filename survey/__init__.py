"""Resident questionnaires: loading, screening, reliability and scores per community."""

from survey.errors import SurveyError as SurveyError
from survey.identifiers import IDENTIFIER_PATTERNS as IDENTIFIER_PATTERNS
from survey.identifiers import is_identifier as is_identifier
from survey.loading import DEFAULT_LABELS as DEFAULT_LABELS
from survey.loading import MISSING_MARKERS as MISSING_MARKERS
from survey.loading import load_responses as load_responses
from survey.reliability import Alpha as Alpha
from survey.reliability import ReliabilityResult as ReliabilityResult
from survey.reliability import cronbach_alpha as cronbach_alpha
from survey.reliability import feldt_interval as feldt_interval
from survey.reliability import reliability as reliability
from survey.responses import ColumnMapping as ColumnMapping
from survey.responses import Responses as Responses
from survey.scoring import POOLED as POOLED
from survey.scoring import Scores as Scores
from survey.scoring import score as score
from survey.screening import ScreeningReport as ScreeningReport
from survey.screening import ScreeningRules as ScreeningRules
from survey.screening import screen as screen
