"""Writes notebooks/hangzhou_case.ipynb from the cells below (run: python notebooks/build_notebook.py).

The notebook is generated so that its source stays reviewable as plain Python; the executed
notebook is checked by tests/test_notebook.py (run by `make test`).
"""

from pathlib import Path

import nbformat as nbf

CELLS = [
    ("md", """# 杭州案例 · The Hangzhou case, end to end

This notebook reproduces the method of Zheng & Lu (2022), 《基于善治理论的基层智治平台绩效评价:以杭州为例》,
on the **synthetic** sample study bundled with shanzhi (`data/sample/`, made by `data/generate_sample.py`).
The numbers below are computed from that generated data, not copied from the paper; the paper's published
figures are printed next to them for comparison.

> ⚠️ 合成数据 / SYNTHETIC data: the 28 communities, 405 questionnaires and 25 experts are invented."""),
    ("code", """%matplotlib inline
from pathlib import Path

import pandas as pd

import ahp
from evaluation.study import StudySettings, run_study
from reports.outputs import study_figures

ROOT = Path.cwd() if (Path.cwd() / "data").exists() else Path.cwd().parent
DATA = ROOT / "data"
pd.set_option("display.precision", 4)"""),
    ("md", """## 1. The indicator system (framework)
7 dimensions (B), 22 sub-indicators (C), 57 questionnaire items (D). Names of B come from the paper; C and D are
partly reconstructed (see `data/README.md`). Four items are worded negatively and reverse-coded (6 − x)."""),
    ("code", """hierarchy = ahp.Hierarchy.from_csv(DATA / "framework.csv")
counts = {level: len(hierarchy.codes(level)) for level in "BCD"}
print(counts, "reverse-coded:", sorted(hierarchy.reverse_items))
pd.DataFrame(
    [(c, hierarchy.name(c, "zh"), hierarchy.name(c, "en"), len(hierarchy.children(c)))
     for c in hierarchy.codes("B")],
    columns=["code", "维度", "dimension", "sub-indicators"],
)"""),
    ("md", """## 2. Run the study
One call loads the 问卷星 export (identifier columns dropped), screens respondents, derives the panel's weights
(AIJ: geometric mean of the 25 experts' judgments, principal eigenvector), checks reliability and scores every
level per community with bootstrap intervals."""),
    ("code", """result = run_study(
    DATA / "framework.csv",
    DATA / "sample" / "synthetic_wjx_export.xlsx",
    DATA / "sample" / "synthetic_judgments.csv",
    StudySettings(min_respondents=10, bootstrap=1000, seed=0),
    synthetic=True,
)
for step in result.steps:
    print(f"{step.label('en'):<12} {step.seconds:6.2f} s  {step.summary('en')}")"""),
    ("md", """## 3. Validity (有效问卷)
The study received 405 questionnaires, 370 valid (91.4 %). Every exclusion has a reason."""),
    ("code", """rep = result.screening
print(f"received {rep.received}, valid {rep.valid}, rate {rep.rate:.1%}  (paper: 405 / 370 / 91.4%)")
rep.counts"""),
    ("md", """## 4. Expert consistency
Each expert's consistency ratio per node; CR ≥ 0.10 is flagged (Saaty). The group (AIJ) matrices are consistent
even when a few individual experts are not."""),
    ("code", """cr = result.panel.expert_cr
over = (cr >= 0.10)
print("experts with CR ≥ 0.10 somewhere:", sorted(cr.index[over.any(axis=1)]))
print("group CR per node (max):", round(float(result.panel.group_cr.max()), 4))
cr.round(3).head(8)"""),
    ("md", """## 5. Weights (like the paper's Table 2)
The paper reports the order of the first-level weights: B2 参与 > B6 回应性 > B7 有效性 > B5 责任 > B4 正义 > B3 透明 > B1 科学."""),
    ("code", """w = result.panel.weights.table
table2 = w[w["level"].isin(["B", "C"])].assign(name=lambda d: [hierarchy.name(c, "zh") for c in d.index])
order = " > ".join(f"{c} {hierarchy.name(c, 'zh')}" for c, _ in sorted(result.dimension_weights.items(), key=lambda kv: -kv[1]))
print(order)
table2[["level", "parent", "name", "local", "global"]]"""),
    ("md", """## 6. Reliability
Cronbach's α with its Feldt 95 % interval, overall and per dimension; warnings name any item that behaves like a
reversed item left uncoded."""),
    ("code", """rel = result.reliability
print("warnings:", rel.warnings or "none")
rel.scales.head(9)"""),
    ("md", """## 6b. Construct validity and item analysis (效度、项目分析)
Reviewers expect validity next to reliability. `run_study` computes it on the valid questionnaires: the KMO
measure of sampling adequacy with Kaiser's (1974) labels (≥ 0.9 marvelous, ≥ 0.8 meritorious, ≥ 0.7 middling,
≥ 0.6 mediocre, below 0.6 unsuitable), Bartlett's test of sphericity, an exploratory factor analysis (minres,
promax) whose number of factors comes from Horn's parallel analysis, the factors set against the framework's
seven dimensions, and the item analysis (critical ratio of the top and bottom 27 %, corrected item-total r)."""),
    ("code", """v = result.validity
print(v.verdict().text("en"))
for finding in v.findings():
    print("-", finding.text("en"))
v.variance_table()"""),
    ("code", """loadings = v.loadings_table()
loadings[loadings["off_dimension"]]  # items loading more strongly off their dimension"""),
    ("code", """warnings = v.item_warnings()
print(len(warnings), "item-analysis warnings, e.g.:")
for w in warnings[:5]:
    print("-", w.text("en"))
v.item_table().head()"""),
    ("md", """## 7. Scores (like the paper's Table 3)
Score of a node = Σ weight × score of its children, down to item means (paper: A = 3.7801, B7 = 3.7590,
基本信息公开 = 3.3964; every dimension above 3.5; 科学 highest, 透明 lowest)."""),
    ("code", """from survey.scoring import POOLED

table = result.scores.table
pooled = table[(table["community"] == POOLED) & table["level"].isin(["A", "B"])]
pooled = pooled.assign(name=[hierarchy.name(c, "zh") for c in pooled["code"]])
print(f"overall score: {result.overall_score:.4f} (paper 3.7801)")
pooled[["code", "name", "score", "ci_low", "ci_high", "n"]]"""),
    ("md", """## 8. Communities: ranking with intervals, strengths, suppression
Communities with fewer than 10 valid respondents are not scored (small-cell suppression)."""),
    ("code", """print("suppressed (n < 10):", result.scores.suppressed)
result.scores.ranking.head(10)"""),
    ("code", """figures = study_figures(result, "zh")
figures["ranking"]"""),
    ("code", """figures["radar"]"""),
    ("code", """figures["heatmap"]"""),
    ("md", """## 9. Reading the results
* The panel puts participation (参与) and responsiveness (回应性) first, science (科学) last — the paper's order.
* Residents rate science (科学) highest and transparency (透明) lowest; basic information disclosure
  (基本信息公开) is the weakest sub-indicator, as the paper found.
* The 95 % intervals of most communities overlap: ranks in the middle of the table are not distinguishable,
  so officials should read the ranking together with its intervals (and the Monte Carlo rank bands of
  `shanzhi evaluate --uncertainty`)."""),
]


def build() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        for kind, src in CELLS
    ]
    return nb


if __name__ == "__main__":
    path = Path(__file__).with_name("hangzhou_case.ipynb")
    nbf.write(build(), path)
    print(f"wrote {path}")
