"""Delphi consultation of experts: screening an indicator system before the AHP panel weighs it.

Pure numpy/scipy/pandas; imports nothing else of shanzhi.
"""

from delphi.errors import DelphiError as DelphiError
from delphi.kendall import KendallW as KendallW
from delphi.kendall import kendall_w as kendall_w
from delphi.rounds import BASIS as BASIS
from delphi.rounds import FAMILIARITY as FAMILIARITY
from delphi.rounds import INFLUENCE as INFLUENCE
from delphi.rounds import DelphiRound as DelphiRound
from delphi.rounds import KeepRule as KeepRule
from delphi.rounds import NextRound as NextRound
from delphi.rounds import delphi_round as delphi_round
from delphi.rounds import kept_framework as kept_framework
from delphi.rounds import next_round as next_round
