"""Tables of the other evaluation methods for the report's sheets 等级 Grades, 重点改进 IPA,
权重方案 Schemes and 群体比较 Groups (:func:`method_tables`), and the chart set of those methods
(:func:`method_figures`). Shared by the CLI and the app through :mod:`reports.outputs`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from evaluation.schemes import SCHEME_LABELS, AllSchemes
from evaluation.study import StudyResult
from i18n import bilingual, localized, t
from reports import method_charts
from reports.fonts import use_cjk_font
from survey.scoring import POOLED

__all__ = ["group_sentence", "method_figures", "method_tables"]


def _names(result: StudyResult, lang: str) -> dict[str, str]:
    return {code: result.hierarchy.name(code, lang) for code in result.hierarchy.nodes}


def _with_name(frame: pd.DataFrame, column: str, names: dict[str, str]) -> pd.DataFrame:
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, "name", out[column].map(names))
    return out


def group_sentence(row: pd.Series, lang: str, hierarchy=None) -> str:
    """One plain-words line on a group comparison row of ``GroupResults.table``."""
    code = str(row["code"])
    what = hierarchy.name(code, lang) if hierarchy is not None else code
    differ = row["p"] < 0.05
    df = f"{row['df1']:.0f}" if pd.isna(row["df2"]) else f"{row['df1']:.0f}, {row['df2']:.1f}"
    return t(
        "methods.groups.sentence_yes" if differ else "methods.groups.sentence_no",
        lang,
        column=row["column"],
        node=f"{code} {what}",
        test=t(f"methods.test.{row['test']}", lang),
        statistic=f"{row['statistic']:.2f}",
        df=df,
        p=f"{row['p']:.3f}" if row["p"] >= 0.001 else "<0.001",
        effect_name=t(f"methods.effect.{row['effect_name']}", lang),
        effect=f"{row['effect_size']:.3f}",
        word=t(f"methods.effect_word.{row['effect_word']}", lang),
    ) + (t("methods.groups.hidden", lang, count=int(row["hidden"])) if row["hidden"] else "")


def method_tables(
    result: StudyResult, schemes: AllSchemes | None = None, lang: str = "zh"
) -> dict[str, dict[str, pd.DataFrame]]:
    """Sheet key → section title → table, for :func:`reports.excel_report.write_report`."""
    names = _names(result, lang)
    out: dict[str, dict[str, pd.DataFrame]] = {}
    if result.grades is not None:
        g = result.grades
        levels = [result.hierarchy.levels[0], result.hierarchy.levels[1]]
        table = g.table(lang)
        table = table[table["level"].isin(levels)].drop(columns=["grade"])
        table = _with_name(table.rename(columns={"score": "grade_score"}), "code", names)
        grade_set = pd.DataFrame({
            "level": list(g.grades.levels), "grade_zh": list(g.grades.labels_zh),
            "grade_en": list(g.grades.labels_en), "grade_score": list(g.grades.scores),
        })
        out["grades"] = {
            bilingual("methods.report.grades", lang, operator=g.operator): table,
            bilingual("methods.report.grade_set", lang): grade_set,
        }
    if result.ipa is not None:
        improve = result.ipa.improve.reset_index()
        full = result.ipa.table.reset_index()
        keep = ["community", "item", "name", "dimension", "importance", "performance",
                "weighted_gap"]
        out["ipa"] = {
            bilingual("methods.report.improve", lang): _with_name(improve, "item", names)[keep],
            bilingual("methods.report.ipa_full", lang): _with_name(full, "item", names),
        }
    if schemes is not None:
        label = {k: SCHEME_LABELS.get(k, k) for k in schemes.scores.columns}
        pairs = schemes.pairs()
        for c in ("scheme1", "scheme2"):
            pairs[c] = pairs[c].map(label)
        section = {
            bilingual("methods.report.scheme_dimensions", lang):
                _with_name(schemes.dimension_weights.rename(columns=label).reset_index(), "code",
                           names),
            bilingual("methods.report.scheme_ranks", lang):
                schemes.ranks.rename(columns=label).rename_axis("community").reset_index(),
            bilingual("methods.report.scheme_scores", lang):
                schemes.scores.rename(columns=label).rename_axis("community").reset_index(),
            bilingual("methods.report.spearman", lang):
                schemes.spearman.rename(index=label, columns=label).rename_axis("scheme"),
            bilingual("methods.report.kendall", lang):
                schemes.kendall.rename(index=label, columns=label).rename_axis("scheme"),
            bilingual("methods.report.pairs", lang): pairs,
        }
        if not schemes.bands.empty:
            section[bilingual("methods.report.bands", lang, draws=schemes.draws)] = (
                schemes.bands.assign(scheme=schemes.bands["scheme"].map(label))
            )
        section[bilingual("methods.report.scheme_items", lang)] = _with_name(
            schemes.item_weights.rename(columns=label).reset_index(), "item", names
        )
        if result.topsis is not None:
            section[bilingual("methods.report.topsis", lang)] = pd.DataFrame({
                "community": result.topsis.closeness.index.astype(str),
                "closeness": result.topsis.closeness.to_numpy(),
                "rank": result.topsis.rank.to_numpy(),
            }).sort_values("rank")
        out["schemes"] = section
    if result.groups is not None:
        gr = result.groups
        tests = gr.table.copy()
        tests.insert(2, "name", tests["code"].map(names))
        tests["summary"] = [group_sentence(row, lang, result.hierarchy)
                            for _, row in gr.table.iterrows()]
        tests["test"] = tests["test"].map(lambda x: t(f"methods.test.{x}", lang))
        out["groups"] = {
            bilingual("methods.report.group_tests", lang, n=gr.min_group_size):
                tests.rename(columns={"test": "group_test"}),
            bilingual("methods.report.group_posthoc", lang): gr.posthoc,
            bilingual("methods.report.group_stats", lang): gr.groups,
        }
        if not gr.errors.empty:
            out["groups"][bilingual("methods.report.group_errors", lang)] = gr.errors
    notes = [localized(n, lang) for n in result.method_notes]
    if schemes is not None:
        notes += [localized(n, lang) for n in schemes.notes]
    if notes and out:
        first = next(iter(out))
        out[first][bilingual("methods.report.notes", lang)] = pd.DataFrame({"note": notes})
    return out


def method_figures(
    result: StudyResult, schemes: AllSchemes | None = None, lang: str = "zh", *, note: str = ""
) -> dict[str, Figure]:
    """IPA quadrant (whole study), stacked grade bars (goal) and the scheme bump chart."""
    use_cjk_font()
    names = _names(result, lang)
    figures: dict[str, Figure] = {}
    if result.ipa is not None:
        figures["ipa"] = method_charts.ipa_chart(
            result.ipa.of(POOLED), names=names, lang=lang, note=note
        )
    if result.grades is not None:
        table = result.grades.table(lang, level=result.hierarchy.levels[0])
        table = table[table["community"] != POOLED]
        if not table.empty:
            figures["grades"] = method_charts.grade_bars_chart(
                table, result.grades.grades.labels(lang), lang=lang, note=note
            )
    if schemes is not None:
        figures["schemes"] = method_charts.schemes_chart(
            schemes.ranks, labels=SCHEME_LABELS, lang=lang, note=note
        )
    return figures
