"""The bundled synthetic sample study, shipped as package data of ``sample_data``.

``pyproject.toml`` maps the package ``sample_data`` to this folder, so an installed wheel and a
clone find the same files: the framework (the paper's 7/22/57 indicator system), a 问卷星-style
questionnaire export, the expert panel's judgments (long CSV and one workbook per expert).
``generate_sample.py`` rebuilds them from a fixed seed; ``README.md`` says how they were made.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
SAMPLE_FRAMEWORK = DATA_DIR / "framework.csv"
SAMPLE_RESPONSES = DATA_DIR / "sample" / "synthetic_wjx_export.xlsx"
SAMPLE_JUDGMENTS = DATA_DIR / "sample" / "synthetic_judgments.csv"
SAMPLE_EXPERT_WORKBOOKS = DATA_DIR / "sample" / "synthetic_expert_workbooks"
