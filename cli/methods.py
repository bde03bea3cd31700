"""The ``shanzhi evaluate`` options and summary lines of the other evaluation methods: weighting
scheme (AHP, entropy, CRITIC, combined), fuzzy grades, IPA, TOPSIS, group comparisons and every
scheme side by side."""

from __future__ import annotations

import argparse

from evaluation.grades import DEFAULT_GRADE_TEXT, parse_grades
from evaluation.methods import OPERATORS
from evaluation.methods.group_comparison import TESTS
from evaluation.schemes import COMBINATIONS, OBJECTIVE_METHODS, SCHEME_LABELS, WEIGHT_SCHEMES
from evaluation.study import StudyResult
from survey.scoring import POOLED

__all__ = ["add_method_options", "method_lines", "method_settings"]


def add_method_options(ev: argparse.ArgumentParser) -> None:
    """Add the methods' options to the ``evaluate`` parser."""
    group = ev.add_argument_group("other methods 其他方法")
    group.add_argument(
        "--weights", choices=WEIGHT_SCHEMES, default="ahp",
        help="weights of the scores: ahp (expert panel, default), entropy or critic (objective "
             "weights from the community × item matrix of means, read as global item weights), "
             "combined (AHP × objective)",
    )
    group.add_argument("--objective", choices=OBJECTIVE_METHODS, default="entropy",
                       help="objective method combined with AHP by --weights combined "
                            "(default entropy)")
    group.add_argument("--combination", choices=COMBINATIONS, default=None,
                       help="multiplicative (AHP × objective, renormalised; default) or linear "
                            "(α·AHP + (1−α)·objective; implied by --alpha)")
    group.add_argument("--alpha", type=float, default=None, metavar="A",
                       help="share of AHP in the linear combination, 0..1 (default 0.5)")
    group.add_argument("--grades", default=None, metavar="SPEC",
                       help="grade set, one grade per Likert level as label:score, e.g. "
                            "\"优:100,良:80,中:60,较差:40,差:20\" (label may be 中文/English; "
                            f"default \"{DEFAULT_GRADE_TEXT}\")")
    group.add_argument("--fuzzy-operator", choices=OPERATORS, default="M(·,+)",
                       help="fuzzy composition operator (default M(·,+), weighted average)")
    group.add_argument("--group-by", action="append", default=None, metavar="COLUMN",
                       help="demographic column to compare groups on (repeat it or give a comma "
                            "list; a unique part of the header is enough); default: every "
                            "demographic column found")
    group.add_argument("--group-test", choices=TESTS, default="kruskal",
                       help="kruskal (Kruskal–Wallis + Dunn/Holm, default), anova (+ Tukey) "
                            "or welch (+ Games–Howell)")
    group.add_argument("--min-group-size", type=int, default=10, metavar="N",
                       help="groups with fewer respondents are never shown (default 10)")
    group.add_argument("--scheme-draws", type=int, default=200, metavar="N",
                       help="resident-bootstrap draws for the rank bands of every weighting "
                            "scheme in the report (default 200; 0 = no bands)")


def method_settings(args: argparse.Namespace) -> dict[str, object]:
    """StudySettings keyword arguments from the parsed options (bad values raise ValueError
    with a one-line message)."""
    alpha = getattr(args, "alpha", None)
    combination = getattr(args, "combination", None) or (
        "linear" if alpha is not None else "multiplicative")
    group_by = tuple(
        part.strip() for value in (getattr(args, "group_by", None) or [])
        for part in value.replace("，", ",").split(",") if part.strip()
    )
    if getattr(args, "scheme_draws", 200) < 0:
        raise ValueError(f"--scheme-draws must be 0 or more, got {args.scheme_draws}")
    settings: dict[str, object] = {
        "weights": getattr(args, "weights", "ahp"),
        "objective": getattr(args, "objective", "entropy"),
        "combination": combination,
        "alpha": 0.5 if alpha is None else alpha,
        "fuzzy_operator": getattr(args, "fuzzy_operator", "M(·,+)"),
        "group_by": group_by,
        "group_test": getattr(args, "group_test", "kruskal"),
        "min_group_size": getattr(args, "min_group_size", 10),
    }
    if getattr(args, "grades", None):
        settings["grades"] = parse_grades(args.grades)
    return settings


def method_lines(result: StudyResult, schemes=None, lang: str = "zh") -> list[str]:
    """Summary lines: weights used, grades, what to improve first, TOPSIS, group differences,
    rank correlations between schemes."""
    from reports.methods_report import group_sentence

    h = result.hierarchy
    s = result.settings
    lines: list[str] = []
    if s.weights != "ahp":
        how = s.weights if s.weights != "combined" else (
            f"combined AHP × {s.objective}" if s.combination == "multiplicative"
            else f"combined {s.alpha:g}·AHP + {1 - s.alpha:g}·{s.objective}")
        lines.append(f"weights 权重方案: {how} (objective item weights as global item weights)")
    if result.grades is not None:
        grade, value = result.grades.of(POOLED, h.root, lang)
        lines.append(f"grade 等级 ({result.grades.operator}): overall 总体 {grade} "
                     f"{value:.1f}; by community 各社区:")
        for community in result.published[:5]:
            g, v = result.grades.of(community, h.root, lang)
            lines.append(f"  {community:<10} {g} {v:.1f}")
    if result.ipa is not None:
        top = result.ipa.improve_first(POOLED, 3)
        listed = "; ".join(f"{item} {h.name(item, lang)}" for item in top.index) or "-"
        lines.append(f"improve first 重点改进 (all communities 全部): {listed}")
    if result.topsis is not None:
        order = result.topsis.rank.sort_values(kind="stable")
        lines.append("TOPSIS ranking 排名: " + ", ".join(
            f"{int(r)}. {c}" for c, r in order.head(5).items()))
    if result.groups is not None:
        root = result.groups.table[result.groups.table["code"] == h.root]
        for _, row in root.iterrows():
            lines.append(f"groups 群体差异: {group_sentence(row, lang, h)}")
        for _, row in result.groups.errors[result.groups.errors["code"] == h.root].iterrows():
            lines.append(f"groups 群体差异: {row['column']}: {row['message']}")
    if schemes is not None:
        pairs = schemes.pairs()
        lines.append("schemes 权重方案 Spearman ρ / Kendall τ:")
        for row in pairs.itertuples(index=False):
            lines.append(f"  {SCHEME_LABELS.get(row.scheme1, row.scheme1)} ~ "
                         f"{SCHEME_LABELS.get(row.scheme2, row.scheme2)}: "
                         f"{row.spearman:.3f} / {row.kendall:.3f}")
    return lines
