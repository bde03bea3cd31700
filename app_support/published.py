"""Published results in the app: a study's immutable snapshot read from the store, for the
organizer (comparison and home pages with a study chosen) and for an official opening a viewer
link ``?view=TOKEN`` (no upload, no sign-in).

Nothing is recomputed on a rerun: a snapshot is read once per result id
(:func:`snapshot`, ``st.cache_resource``) and the tables the page shows are built once per result
id and language (:func:`view`). Every rerun re-checks only the viewer token (one indexed query)
and which result is the latest. A viewer gets :meth:`panel.publish.Published.for_viewer`:
aggregates only, no community under the minimum n, no expert names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import streamlit as st

from ahp.hierarchy import Hierarchy
from app_support.access import organizer_for, store
from app_support.language import headers, lang, tr
from app_support.text import csv_bytes, literal
from panel.publish import Published

__all__ = ["STUDY_PARAM", "VIEW_PARAM", "PublishedView", "latest_per_wave", "published_page",
           "remember_study", "snapshot", "study_page", "view"]

VIEW_PARAM = "view"
"""Query parameter of a viewer link: ``?view=TOKEN``."""
STUDY_PARAM = "study"
"""Query parameter mirroring the chosen study, so that a reload keeps it."""
ACTIVE_KEY = "active_study"  # the same session key as app_support.current.ACTIVE_KEY


class _Source(Protocol):
    def results(self) -> pd.DataFrame: ...
    def result(self, wave: str | None = None, result_id: int | None = None) -> Published: ...


def remember_study() -> None:
    """Keep the chosen study across a browser reload: the session's choice is mirrored in the
    URL (``?study=ID``) and restored from it in a new session."""
    if ACTIVE_KEY not in st.session_state:
        wanted = st.query_params.get(STUDY_PARAM)
        if wanted:
            try:
                store().study(wanted)
            except ValueError:
                wanted = None
        st.session_state[ACTIVE_KEY] = wanted or None
    chosen = st.session_state.get(ACTIVE_KEY)
    if chosen and st.query_params.get(STUDY_PARAM) != chosen:
        st.query_params[STUDY_PARAM] = chosen
    elif not chosen and STUDY_PARAM in st.query_params:
        del st.query_params[STUDY_PARAM]


def latest_per_wave(results: pd.DataFrame) -> pd.DataFrame:
    """The latest result of each wave (``result_id, wave, published_at``), oldest wave first."""
    if results.empty:
        return results.loc[:, ["result_id", "wave", "published_at"]]
    latest = results.sort_values("result_id").groupby("wave", sort=False).tail(1)
    order = results.drop_duplicates("wave")["wave"].tolist()  # first publication order
    return latest.set_index("wave").loc[order].reset_index()[["result_id", "wave",
                                                              "published_at"]]


@st.cache_resource(show_spinner=False, max_entries=16)
def snapshot(key: str, _source: _Source, result_id: int) -> Published:
    """The published result ``result_id`` (read and parsed once per ``key``)."""
    return _source.result(result_id=result_id)


@dataclass(frozen=True)
class PublishedView:
    """The tables a page shows of one snapshot, in one language (headers translated)."""

    ranking: pd.DataFrame
    dimensions: pd.DataFrame
    changes: pd.DataFrame | None
    only_before: list[str]
    only_after: list[str]
    suppressed: int
    valid: int | None
    received: int | None
    experts: int | None
    weights: pd.DataFrame


def _name(hierarchy: Hierarchy | None, code: str, language: str) -> str:
    try:
        return f"{code} {hierarchy.name(code, language)}" if hierarchy is not None else code
    except KeyError:
        return code


@st.cache_resource(show_spinner=False, max_entries=32)
def view(key: str, language: str, _pub: Published, _hierarchy: Hierarchy | None) -> PublishedView:
    """The page tables of a snapshot (built once per result and language)."""
    pub = _pub
    ranking = pub.ranking.sort_values("rank").reset_index(drop=True)
    ranking = ranking.assign(ci=[f"{lo:.2f} – {hi:.2f}" if pd.notna(lo) else ""
                                 for lo, hi in zip(ranking["ci_low"], ranking["ci_high"],
                                                   strict=True)])
    shown = headers(ranking, {"rank": "col.rank", "community": "col.community",
                              "score": "col.score", "ci": "chart.ci95", "n": "col.n"})
    scores = pub.tables["scores"]
    if "suppressed" in scores:
        scores = scores[~scores["suppressed"].astype(bool)]
    level = pub.tables["weights"].set_index("code")["level"]
    top = [c for c in level.index if level[c] == "B"]
    wide = (scores[scores["code"].isin(top)]
            .pivot(index="community", columns="code", values="score")
            .reindex(index=ranking["community"], columns=top))
    wide.columns = [_name(_hierarchy, c, language) for c in wide.columns]
    wide = wide.rename_axis(tr_lang("col.community", language)).reset_index()
    changes = None
    if pub.changes is not None and not pub.changes.empty:
        c = pub.changes
        flag = np.where(~c["excludes_zero"].astype(bool), "",
                        np.where(c["change"] > 0, "▲", "▼"))
        changes = pd.DataFrame({
            tr_lang("col.community", language): c["community"],
            tr_lang("store.col.node", language): [_name(_hierarchy, x, language)
                                                  for x in c["code"]],
            tr_lang("store.col.before", language): c["before"],
            tr_lang("store.col.after", language): c["after"],
            tr_lang("store.col.change", language): c["change"],
            tr_lang("store.col.change_ci", language): [
                f"{lo:+.2f} – {hi:+.2f}" for lo, hi in zip(c["ci_low"], c["ci_high"],
                                                           strict=True)],
            tr_lang("store.col.flag", language): flag,
            tr_lang("store.col.n_before", language): c["n_before"],
            tr_lang("store.col.n_after", language): c["n_after"],
        })
    weights = pub.tables["weights"]
    dims = weights[weights["level"] == "B"]
    weight_table = pd.DataFrame({
        tr_lang("col.dimension", language): [_name(_hierarchy, c, language) for c in dims["code"]],
        tr_lang("col.global", language): dims["global"].to_numpy(),
    }).sort_values(tr_lang("col.global", language), ascending=False)
    screening = pub.summary.get("screening") or {}
    suppressed = pub.lists.get("suppressed_count", len(pub.lists.get("suppressed", [])))
    return PublishedView(shown, wide, changes, list(pub.lists.get("only_before", [])),
                         list(pub.lists.get("only_after", [])), int(suppressed),
                         screening.get("valid"), screening.get("received"),
                         pub.summary.get("experts"), weight_table)


def tr_lang(key: str, language: str, **fields: Any) -> str:
    from i18n import t

    return t(key, language, **fields)


def _choose_wave(results: pd.DataFrame, key: str) -> pd.Series:
    waves = results["wave"].tolist()
    if len(waves) == 1:
        return results.iloc[0]
    wave = st.selectbox(tr("store.published.wave"), waves, index=len(waves) - 1,
                        key=f"published_wave_{key}")
    return results[results["wave"] == wave].iloc[0]


def published_page(source: _Source, *, cache_id: str, study_name: str,
                   hierarchy: Hierarchy | None, page: str = "compare") -> bool:
    """The comparison (``page="compare"``) or home (``"home"``) page of a study's published
    result; ``False`` (nothing drawn) when nothing is published yet."""
    results = latest_per_wave(source.results())
    if results.empty:
        return False
    language = lang()
    st.title(literal(study_name) if page == "compare" else tr("app.title"))
    if page == "home":
        st.subheader(tr("app.home.current", name=literal(study_name)))
    row = _choose_wave(results, f"{cache_id}_{page}")
    rid = int(row["result_id"])
    pub = snapshot(f"{cache_id}|{rid}", source, rid)
    shown = view(f"{cache_id}|{rid}", language, pub, hierarchy)
    st.caption(tr("store.published.caption", wave=literal(row["wave"]), id=rid,
                  at=str(row["published_at"])[:19].replace("T", " ")))
    cols = st.columns(4)
    cols[0].metric(tr("app.metric.ranked"), f"{len(shown.ranking)}")
    cols[1].metric(tr("store.metric.suppressed"), f"{shown.suppressed}")
    cols[2].metric(tr("app.metric.valid"), "–" if shown.valid is None else f"{shown.valid}")
    cols[3].metric(tr("app.metric.experts"), "–" if shown.experts is None else f"{shown.experts}")
    number = st.column_config.NumberColumn(format="%.3f")
    if page == "home":
        left, right = st.columns(2)
        left.markdown(f"**{tr('app.home.top')}**")
        left.dataframe(shown.ranking.head(5), hide_index=True, width="stretch",
                       column_config={tr("col.score"): number})
        left.page_link("app_pages/compare.py", label=tr("app.home.to_compare"),
                       icon=":material/leaderboard:")
        right.markdown(f"**{tr('app.home.dimension_weights')}**")
        right.dataframe(shown.weights, hide_index=True, width="stretch",
                        column_config={tr("col.global"): number})
        return True
    names = [tr("app.compare.tab_ranking"), tr("store.tab.dimensions")]
    if shown.changes is not None or shown.only_before or shown.only_after:
        names.append(tr("store.tab.changes"))
    names.append(tr("app.compare.tab_download"))
    tabs = dict(zip(names, st.tabs(names), strict=True))
    with tabs[tr("app.compare.tab_ranking")]:
        st.dataframe(shown.ranking, hide_index=True, width="stretch",
                     column_config={tr("col.score"): number})
        if shown.suppressed:
            st.caption(tr("store.published.suppressed", count=shown.suppressed))
    with tabs[tr("store.tab.dimensions")]:
        st.dataframe(shown.dimensions, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.2f")
                                    for c in shown.dimensions.columns[1:]})
    if tr("store.tab.changes") in tabs:
        with tabs[tr("store.tab.changes")]:
            _changes(pub, shown)
    with tabs[tr("app.compare.tab_download")]:
        st.download_button(tr("store.download.ranking_csv"), csv_bytes(shown.ranking),
                           file_name=f"shanzhi_ranking_{rid}.csv", mime="text/csv",
                           on_click="ignore", key=f"ranking_csv_{page}")
        if shown.changes is not None:
            st.download_button(tr("store.download.changes_csv"), csv_bytes(shown.changes),
                               file_name=f"shanzhi_changes_{rid}.csv", mime="text/csv",
                               on_click="ignore", key=f"changes_csv_{page}")
    return True


def _changes(pub: Published, shown: PublishedView) -> None:
    since = pub.lists.get("changes_from")
    if shown.changes is None:
        st.info(tr("store.changes.none"))
    else:
        st.caption(tr("store.changes.help", before=literal(since or "–"),
                      after=literal(pub.wave), draws=pub.lists.get("change_draws", "–")))
        flagged = int((shown.changes[tr("store.col.flag")] != "").sum())
        st.metric(tr("store.changes.flagged"), f"{flagged}")
        st.dataframe(shown.changes, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.3f")
                                    for c in (tr("store.col.before"), tr("store.col.after"),
                                              tr("store.col.change"))})
    for key, names in (("store.changes.only_before", shown.only_before),
                       ("store.changes.only_after", shown.only_after)):
        if names:
            wave = since if key.endswith("before") else pub.wave
            st.markdown(f"**{tr(key, count=len(names), wave=literal(wave))}**")
            st.dataframe(pd.DataFrame({tr("col.community"): names}), hide_index=True,
                         width="stretch", height=min(35 * (len(names) + 1) + 3, 300))


def study_page(page: str) -> bool:
    """The comparison or home page of the chosen study's published result (organizer). ``True``
    when the page was drawn from a snapshot (or a sign-in is needed); ``False`` to fall back to
    the live evaluation (sample study, or a study not yet published)."""
    study_id = st.session_state.get(ACTIVE_KEY)
    if study_id is None:
        return False
    organizer = organizer_for(study_id)
    if organizer is None:
        st.title(tr("app.page.compare") if page == "compare" else tr("app.title"))
        st.info(tr("store.published.sign_in"))
        return True
    info = store().study(study_id)
    return published_page(organizer, cache_id=f"{store().path}|{study_id}|organizer",
                          study_name=info.name, hierarchy=info.hierarchy, page=page)
