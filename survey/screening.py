"""Screening of questionnaires for validity: every exclusion is reported with its reasons.

Rules (each can be switched off in :class:`ScreeningRules`), applied to all received
questionnaires independently, so that a respondent excluded for several reasons lists them all:

* ``off_scale`` — at least one answer off the 1..5 scale or not a number nor a known label
  (the loader's ``invalid_cells``).
* ``missing`` — share of unanswered items (among the framework items present in the file,
  invalid answers included) above ``max_missing_share``.
* ``straightlining`` — the same answer to every answered item, with at least
  ``straightlining_min_items`` answered. Judged on the raw answers (reverse-coded items turned back
  to the wording the respondent saw), since recoding breaks a straight line.
* ``too_fast`` — completion time (所用时间) below ``min_duration_seconds``; only when known.
* ``duplicate`` — the same answers (missing counted as equal) and the same community as an earlier
  questionnaire in file order; the first is kept and the later ones name the row they repeat.
* ``no_community`` — community missing.

The valid-questionnaire rate is ``valid / received`` (the Hangzhou study reported 405 received,
370 valid, 91.4 %: Zheng & Lu 2022). Speeding and straight-lining follow the satisficing
indicators in Krosnick (1991) and the survey-quality practice summarized by Leiner (2019).

References
----------
Krosnick, J. A. (1991). Response strategies for coping with the cognitive demands of attitude
measures in surveys. *Applied Cognitive Psychology*, 5(3), 213–236.
Leiner, D. J. (2019). Too fast, too straight, too weird: non-reactive indicators for meaningless
data in internet surveys. *Survey Research Methods*, 13(3), 229–248.
郑春勇、陆妍妍 (2022). 基于善治理论的基层智治平台绩效评价：以杭州为例. 社科纵横, 2022(5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from i18n import Message
from survey.errors import SurveyError
from survey.loading import SCALE_MAX, SCALE_MIN
from survey.responses import Responses, member_of

RULES: tuple[str, ...] = (
    "off_scale", "missing", "straightlining", "too_fast", "duplicate", "no_community"
)
"""Rule names, in report order."""

NO_COMMUNITY = "(无社区 no community)"
"""Label of respondents without a community in :attr:`ScreeningReport.by_community`."""

REASON_COLUMNS: tuple[str, ...] = ("respondent_id", "row", "community", "rule", "detail")


@dataclass(frozen=True)
class ScreeningRules:
    """Thresholds of the screening rules; ``None`` or ``False`` switches a rule off.

    Attributes
    ----------
    off_scale
        Exclude respondents with any invalid answer (off the scale or unreadable).
    max_missing_share
        Largest allowed share of missing answers among the items present (default 0.2).
    straightlining_min_items
        Flag identical answers to all answered items once at least this many are answered
        (default 10).
    min_duration_seconds
        Shortest plausible completion time in seconds (default 60).
    duplicates
        Exclude later copies of an identical answer vector in the same community.
    require_community
        Exclude respondents with no community.
    """

    off_scale: bool = True
    max_missing_share: float | None = 0.2
    straightlining_min_items: int | None = 10
    min_duration_seconds: float | None = 60.0
    duplicates: bool = True
    require_community: bool = True

    def __post_init__(self) -> None:
        share = self.max_missing_share
        if share is not None and not 0.0 <= share <= 1.0:
            raise SurveyError("error.arg.in_range", name="ScreeningRules.max_missing_share",
                              interval="[0, 1]", value=share)
        items = self.straightlining_min_items
        if items is not None and items < 2:
            raise SurveyError("error.arg.at_least", name="ScreeningRules.straightlining_min_items",
                              minimum=2, value=items)
        seconds = self.min_duration_seconds
        if seconds is not None and seconds < 0:
            raise SurveyError("error.arg.non_negative", name="ScreeningRules.min_duration_seconds",
                              value=seconds)


@dataclass(frozen=True)
class ScreeningReport:
    """Validity report.

    Attributes
    ----------
    received, valid
        Questionnaires loaded and kept; ``rate = valid / received`` (NaN when none received).
    reasons
        One row per (excluded respondent, rule): ``respondent_id, row, community, rule, detail``,
        ordered by row then rule.
    counts
        Respondents excluded by each rule (index :data:`RULES`; a respondent can count under
        several rules), plus ``excluded`` (distinct respondents).
    by_community
        Per community (missing as :data:`NO_COMMUNITY`): ``received``, ``valid``, ``rate``.
    rules
        The :class:`ScreeningRules` applied.
    notes
        What a rule could not check (:class:`~i18n.Message`), e.g. respondents whose
        completion time is missing or unreadable, so the too-fast rule skipped them.
    """

    received: int
    valid: int
    rate: float
    reasons: pd.DataFrame
    counts: pd.Series
    by_community: pd.DataFrame
    rules: ScreeningRules
    notes: list[Message] = field(default_factory=list)

    @property
    def excluded(self) -> list[str]:
        """Ids of the excluded respondents, in file order."""
        return list(dict.fromkeys(self.reasons["respondent_id"]))


def _flag(mask: pd.Series, rule: str, fields: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reason rows for the respondents where ``mask`` holds; each detail is the
    :class:`~i18n.Message` ``screen.<rule>`` with that respondent's row of ``fields``
    (built for the flagged respondents only)."""
    hit = mask[mask].index
    key = f"screen.{rule}"
    if fields is None:
        details = [Message(key)] * len(hit)
    else:
        details = [Message(key, **row) for row in fields.reindex(hit).to_dict("records")]
    # an object Series keeps the Message objects (an array would become pandas' str dtype)
    return pd.DataFrame({"respondent_id": np.asarray(hit, dtype=object), "rule": rule,
                         "detail": pd.Series(details, dtype=object)})


def _off_scale(responses: Responses) -> pd.DataFrame:
    cells = responses.invalid_cells
    if cells.empty:
        return _flag(pd.Series(False, index=responses.answers.index), RULES[0])
    number = cells["reason"].astype(str).str.startswith("off the")
    item, column, value = (cells[c].astype(str) for c in ("item", "column", "value"))
    text_en = (item + " (column '" + column + "'): '" + value + "' "
               + cells["reason"].astype(str))
    text_zh = (item + "（列“" + column + "”）：“" + value + "”"
               + np.where(number, f"不在 {SCALE_MIN}–{SCALE_MAX} 分的整数范围内",
                        "既不是数字，也不是已知的选项文字"))
    # both languages travel with the Message; each text shows its own ("{cells_zh:.0}" in the
    # English text formats to nothing, and "{cells:.0}" in the Chinese one)
    by = cells["respondent_id"].to_numpy()
    detail = pd.DataFrame({
        "cells": text_en.groupby(by, sort=False).agg("; ".join),
        "cells_zh": pd.Series(text_zh, index=cells.index).groupby(by, sort=False).agg("；".join),
    })
    mask = pd.Series(member_of(responses.answers.index, detail.index),
                     index=responses.answers.index)
    return _flag(mask, RULES[0], detail)


def _missing(answers: pd.DataFrame, share_max: float) -> pd.DataFrame:
    k = answers.shape[1]
    n_missing = answers.isna().sum(axis=1)
    share = n_missing / k if k else n_missing.astype(float)
    fields = pd.DataFrame({"count": n_missing, "total": k,
                           "share": (share * 100).round(0).astype(int),
                           "limit": round(share_max * 100)})
    return _flag(share > share_max, RULES[1], fields)


def _straightlining(responses: Responses, min_items: int) -> pd.DataFrame:
    raw = responses.answers.copy()
    reverse = [c for c in responses.reversed_items if c in raw.columns]
    raw[reverse] = (SCALE_MIN + SCALE_MAX) - raw[reverse]
    values = raw.to_numpy(dtype=float, na_value=np.nan)
    given = ~np.isnan(values)
    highest = np.where(given, values, -np.inf).max(axis=1, initial=-np.inf)
    lowest = np.where(given, values, np.inf).min(axis=1, initial=np.inf)
    answered = pd.Series(given.sum(axis=1), index=raw.index)
    mask = pd.Series(highest == lowest, index=raw.index) & (answered >= min_items)
    fields = pd.DataFrame({"value": np.where(mask, highest, 0).astype(int), "count": answered},
                          index=raw.index)
    return _flag(mask, RULES[2], fields)


def _too_fast(meta: pd.DataFrame, seconds: float) -> pd.DataFrame:
    duration = meta["duration_seconds"].astype(float)
    fields = pd.DataFrame({"seconds": duration, "limit": seconds})
    return _flag(duration < seconds, RULES[3], fields)


def _duplicates(responses: Responses) -> pd.DataFrame:
    answers = responses.answers
    key = answers.fillna(-1.0).assign(_community=responses.community.fillna(NO_COMMUNITY))
    group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup()
    first_pos = pd.Series(np.arange(len(key)), index=key.index).groupby(group).transform("min")
    mask = pd.Series(first_pos.to_numpy() != np.arange(len(key)), index=key.index)
    fields = pd.DataFrame({"respondent": answers.index.to_numpy()[first_pos.to_numpy()],
                           "row": responses.meta["row"].to_numpy()[first_pos.to_numpy()]},
                          index=answers.index)
    return _flag(mask, RULES[4], fields)


def _no_community(community: pd.Series) -> pd.DataFrame:
    return _flag(community.isna(), RULES[5])


def _unchecked_durations(responses: Responses, rules: ScreeningRules) -> list[Message]:
    """A note when the too-fast rule could not check some respondents: no completion-time
    column at all, or cells that are empty or unreadable (never a silent skip)."""
    if rules.min_duration_seconds is None or not len(responses.meta):
        return []
    unknown = responses.meta["duration_seconds"].isna()
    if unknown.all():
        return [Message("screen.note.no_duration")]
    if unknown.any():
        rows = responses.meta.loc[unknown, "row"].astype(int).tolist()
        shown = [*map(str, rows[:10]), *(["…"] if len(rows) > 10 else [])]
        return [Message("screen.note.unreadable_duration", count=len(rows), rows=tuple(shown))]
    return []


def screen(
    responses: Responses, rules: ScreeningRules | None = None
) -> tuple[Responses, ScreeningReport]:
    """Apply the screening rules; return the valid responses and the validity report.

    Every received questionnaire is either valid or listed in ``report.reasons`` with every rule
    it breaks, so ``received == valid + len(report.excluded)``.
    """
    rules = ScreeningRules() if rules is None else rules
    answers, ids = responses.answers, responses.answers.index
    flags = []
    if rules.off_scale:
        flags.append(_off_scale(responses))
    if rules.max_missing_share is not None:
        flags.append(_missing(answers, rules.max_missing_share))
    if rules.straightlining_min_items is not None:
        flags.append(_straightlining(responses, rules.straightlining_min_items))
    if rules.min_duration_seconds is not None:
        flags.append(_too_fast(responses.meta, rules.min_duration_seconds))
    if rules.duplicates and len(ids):
        flags.append(_duplicates(responses))
    if rules.require_community:
        flags.append(_no_community(responses.community))
    reasons = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("respondent_id", "rule", "detail")}
    )
    reasons = reasons.assign(
        row=responses.meta["row"].reindex(reasons["respondent_id"]).to_numpy(),
        community=responses.community.reindex(reasons["respondent_id"]).to_numpy(),
        _order=pd.Categorical(reasons["rule"], categories=RULES, ordered=True).codes,
    )
    reasons = (
        reasons.sort_values(["row", "_order"], kind="stable")
        .loc[:, list(REASON_COLUMNS)]
        .reset_index(drop=True)
    )
    excluded = pd.Index(reasons["respondent_id"].unique())
    kept = ~member_of(ids, excluded)
    valid_ids = ids[kept]
    valid = responses.subset(valid_ids)

    counts = reasons.groupby("rule").size().reindex(list(RULES), fill_value=0)
    counts = pd.concat([counts, pd.Series({"excluded": len(excluded)})]).rename("respondents")
    label = responses.community.fillna(NO_COMMUNITY)
    by_community = pd.DataFrame(
        {
            "received": label.value_counts(sort=False),
            "valid": label[kept].value_counts(sort=False),
        }
    ).fillna(0).astype(int)
    by_community["rate"] = by_community["valid"] / by_community["received"]
    by_community.index.name = "community"
    received = len(ids)
    report = ScreeningReport(
        notes=_unchecked_durations(responses, rules),
        received=received,
        valid=len(valid_ids),
        rate=len(valid_ids) / received if received else float("nan"),
        reasons=reasons,
        counts=counts,
        by_community=by_community.sort_index(),
        rules=rules,
    )
    return valid, report

