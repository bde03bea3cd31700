"""Sections of the comparison page for the other evaluation methods: the grade next to the score,
等级 Grades, 重点改进 What to improve first (IPA), 群体差异 Group differences and 权重方案 Weight
schemes side by side. The page calls these functions; they only read the study run and the
cached results of :mod:`app_support.methods`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support import fitted_table, headers, joined, lang, scheme_label, set_settings, tr
from app_support.methods import (
    SCHEME_DRAWS,
    grade_bars_png,
    group_results,
    ipa_png,
    scheme_comparison,
    schemes_png,
)
from evaluation.methods.group_comparison import TESTS
from evaluation.schemes import WEIGHT_SCHEMES
from evaluation.study import StudyResult
from i18n import localized
from reports.methods_report import group_sentence
from reports.web_charts import colour_table
from survey.scoring import POOLED

__all__ = ["METHOD_TABS", "grade_labels", "grades_section", "groups_section", "improve_section",
           "schemes_section"]

METHOD_TABS = ("methods.app.tab_grades", "methods.app.tab_improve", "methods.app.tab_groups",
               "methods.app.tab_schemes")
"""Locale keys of the tabs this module fills, in order."""


def grade_labels(result: StudyResult, communities: pd.Series) -> list[str]:
    """The goal grade of each community (``"良 80.5"``; empty when not graded): for the ranking
    table, next to the score."""
    if result.grades is None:
        return [""] * len(communities)
    out = []
    for community in communities:
        label, value = result.grades.of(str(community), result.hierarchy.root, lang())
        out.append(f"{label} {value:.1f}" if label else "")
    return out


def grades_section(result: StudyResult, key: str) -> None:
    """等级 Grades: the grade of every community, overall and per dimension (a table coloured by
    the grade score against all communities, which fits a phone), and the bars."""
    if result.grades is None:
        st.info(tr("methods.app.not_available"))
        return
    language = lang()
    h = result.hierarchy
    g = result.grades
    grade, value = g.of(POOLED, h.root, language)
    st.markdown(tr("methods.app.overall_grade", grade=grade, score=f"{value:.1f}",
                   operator=g.operator))
    table = g.table(language)
    codes = [h.root, *h.codes(h.levels[1])]
    table = table[table["code"].isin(codes)]
    table["text"] = [f"{lab} {s:.1f}" for lab, s in zip(table["grade_label"], table["score"],
                                                          strict=True)]
    graded = set(table["community"])
    order = [c for c in [POOLED, *result.published] if c in graded]
    scores, texts = (table.pivot(index="community", columns="code", values=v)
                     .reindex(index=order, columns=codes) for v in ("score", "text"))
    shown = [f"{c} {h.name(c, language)}" for c in codes]
    scores.columns = texts.columns = shown
    everyone = {POOLED: tr("methods.app.all_communities")}
    st.html(colour_table(scores.rename(index=everyone), scores.loc[POOLED],
                         corner=tr("col.community"), texts=texts.rename(index=everyone),
                         caption=tr("methods.app.grades_colours")))
    st.caption(tr("methods.app.grades_caption", grades=joined(
        f"{lab} {s:g}" for lab, s in zip(reversed(g.grades.labels(language)),
                                         reversed(g.grades.scores), strict=True))))
    nodes = {f"{c} {h.name(c, language)}": c for c in codes}
    chosen = nodes[st.selectbox(tr("methods.app.grades_node"), list(nodes), key="grades_node")]
    st.image(grade_bars_png(key, language, chosen, result), width="stretch")


def improve_section(result: StudyResult, key: str) -> None:
    """重点改进 What to improve first: the IPA quadrant and list, per community."""
    if result.ipa is None:
        st.info(tr("methods.app.not_available"))
        return
    language = lang()
    h = result.hierarchy
    # options are the shown texts (a format_func reading the session language would not be
    # replayed by streamlit's AppTest)
    shown_names = {tr("methods.app.all_communities") if c == POOLED else c: c
                   for c in result.ipa.communities}
    community = shown_names[st.selectbox(tr("methods.app.improve_community"), list(shown_names),
                                         key="improve_community")]
    first = result.ipa.improve_first(community)
    if first.empty:
        st.success(tr("methods.app.improve_none"))
    else:
        listed = "\n".join(
            tr("methods.app.improve_item", rank=i, code=item, name=h.name(item, language),
               dimension=h.name(str(row["dimension"]), language),
               performance=f"{row['performance']:.2f}")
            for i, (item, row) in enumerate(first.head(5).iterrows(), start=1)
        )
        st.markdown(tr("methods.app.improve_lead", count=len(first)) + "\n\n" + listed)
    chart, table = st.columns([3, 2])
    chart.image(ipa_png(key, language, community, result), width="stretch")
    shown = first.reset_index().rename(columns={"index": "item"})
    if not shown.empty:
        shown["name"] = shown["item"].map(lambda c: h.name(c, language))
        fitted_table(
            headers(shown, {"item": "col.item", "name": "col.name",
                            "importance": "col.importance", "performance": "col.performance",
                            "weighted_gap": "col.weighted_gap"}),
            {tr("col.importance"): ".4f", tr("col.performance"): ".2f",
             tr("col.weighted_gap"): ".5f"}, container=table)
    table.caption(tr("methods.app.improve_caption"))


def groups_section(result: StudyResult, key: str) -> None:
    """群体差异 Group differences: choose a demographic column and a test; results in words."""
    language = lang()
    h = result.hierarchy
    columns = list(result.valid.demographics.columns)
    if not columns:
        st.info(tr("methods.app.no_demographics"))
        return
    left, right = st.columns(2)
    tests = {tr(f"methods.test_name.{x}"): x for x in TESTS}
    test = tests[right.radio(tr("methods.app.group_test"), list(tests), horizontal=True,
                             key="group_test", help=tr("methods.app.group_test_help"))]
    results = group_results(key, test, result)
    goal_rows = results.table[results.table["code"] == h.root]
    differing = goal_rows.loc[goal_rows["p"] < 0.05, "column"].tolist()
    st.markdown(tr("methods.app.groups_overview", columns=joined(differing))
                if differing else tr("methods.app.groups_overview_none"))
    default = columns.index(differing[0]) if differing else 0
    column = left.selectbox(tr("methods.app.group_column"), columns, index=default,
                            key="group_column")
    rows = results.table[results.table["column"] == column]
    errors = results.errors[results.errors["column"] == column]
    if rows.empty:
        st.warning(errors["message"].iloc[0] if not errors.empty
                   else tr("methods.app.not_available"))
        return
    goal = rows[rows["code"] == h.root]
    for _, row in goal.iterrows():
        (st.warning if row["p"] < 0.05 else st.success)(group_sentence(row, language, h))
    dims = rows[rows["code"] != h.root]
    differ = dims[dims["p"] < 0.05]
    if not differ.empty:
        st.markdown(tr("methods.app.groups_dims", dims=joined(
            f"{c} {h.name(c, language)}" for c in differ["code"])))
    else:
        st.markdown(tr("methods.app.groups_no_dims"))
    stats = results.groups[(results.groups["column"] == column)
                           & (results.groups["code"] == h.root)]
    st.dataframe(headers(stats, {"group": "col.group", "n": "col.n", "mean": "col.mean",
                                 "median": "col.median", "sd": "col.sd"}),
                 hide_index=True, width="stretch",
                 column_config={tr(k): st.column_config.NumberColumn(format="%.3f")
                                for k in ("col.mean", "col.median", "col.sd")})
    st.caption(tr("methods.app.groups_caption", n=results.min_group_size))
    with st.expander(f"{tr('methods.app.groups_details')} · {tr('app.table.wide')}"):
        # a test with one degree of freedom (Kruskal–Wallis) has no df2: "–", not "None"
        shown = rows.assign(name=rows["code"].map(lambda c: h.name(c, language)),
                            df2=["–" if pd.isna(v) else f"{v:.1f}" for v in rows["df2"]],
                            effect_word=[tr(f"methods.effect_word.{w}")
                                         for w in rows["effect_word"]])
        st.dataframe(headers(shown, {"code": "col.code", "name": "col.name",
                                     "statistic": "col.statistic", "df1": "col.df1",
                                     "df2": "col.df2", "p": "col.p",
                                     "effect_size": "col.effect_size",
                                     "effect_word": "col.effect_word", "n": "col.n",
                                     "hidden": "col.hidden"}),
                     hide_index=True, width="stretch")
        post = results.posthoc[(results.posthoc["column"] == column)
                               & (results.posthoc["code"] == h.root)]
        st.markdown(tr("methods.report.group_posthoc") + f" ({h.root})")
        st.dataframe(headers(post, {"group1": "col.group1", "group2": "col.group2",
                                    "estimate": "col.estimate", "statistic": "col.statistic",
                                    "p": "col.p", "p_adj": "col.p_adj"}),
                     hide_index=True, width="stretch")


def schemes_section(result: StudyResult, key: str) -> None:
    """权重方案 Weight schemes side by side: ranks (bump chart), the rank correlation of every
    pair of schemes (one table that fits a phone), rank bands (a wide table in an expander)."""
    language = lang()
    schemes = scheme_comparison(key, SCHEME_DRAWS, result)
    label = {k: scheme_label(k) for k in schemes.scores.columns}
    reference = schemes.spearman.columns[0]
    others = schemes.spearman[reference].drop(reference)
    lowest = others.idxmin()
    st.markdown(tr("methods.app.schemes_lead", lowest=label[lowest],
                   rho=f"{others.min():.2f}", reference=label[reference]),
                help=tr("app.scheme.help"))
    st.image(schemes_png(key, language, schemes, result), width="stretch")
    st.markdown("**" + tr("methods.report.pairs") + "**")
    pairs = schemes.pairs().replace({"scheme1": label, "scheme2": label})
    fitted_table(headers(pairs, {"scheme1": "col.scheme1", "scheme2": "col.scheme2",
                                 "spearman": "col.spearman", "kendall": "col.kendall"}),
                 dict.fromkeys((tr("col.spearman"), tr("col.kendall")), ".3f"))
    if not schemes.bands.empty:
        bands = schemes.bands.assign(
            text=[f"{int(r)} ({int(lo)}–{int(hi)})" if pd.notna(lo) else f"{int(r)}"
                  for r, lo, hi in zip(schemes.bands["rank"], schemes.bands["rank_low"],
                                       schemes.bands["rank_high"], strict=True)])
        wide = bands.pivot(index="community", columns="scheme", values="text")
        wide = wide.reindex(index=schemes.ranks.index, columns=list(schemes.ranks.columns))
        with st.expander(f"{tr('methods.report.bands', draws=schemes.draws)} · "
                         f"{tr('app.table.wide')}"):
            st.dataframe(wide.rename(columns=label).rename_axis(tr("col.community")),
                         width="stretch")
    for note in schemes.notes:
        st.caption(localized(note, language))
    current = result.settings.weights
    options = {tr(f"methods.scheme.{s}"): s for s in WEIGHT_SCHEMES}
    chosen = options[st.selectbox(tr("methods.app.use_scheme"), list(options),
                                  index=WEIGHT_SCHEMES.index(current), key="use_scheme")]
    if chosen != current:
        set_settings(weights=chosen)
        st.rerun()
    st.caption(tr("methods.app.schemes_caption"))
