"""Tests of survey.scoring: hand-computed scores, suppression, bootstrap, vectorized = naive."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy, HierarchyWeights
from survey.errors import SurveyError
from survey.responses import ColumnMapping, Responses
from survey.scoring import (
    POOLED,
    Aggregation,
    bootstrap_item_sums,
    item_sums_by_group,
    level_scores,
    score,
)

# Toy framework: A → B1 (C1: D1 D2; C2: D3 D4), B2 (C3: D5 D6). No A row: the goal is implicit.
FRAMEWORK_CSV = """level,code,parent,name_zh,name_en,source
B,B1,A,科学,Soundness,test
B,B2,A,参与,Participation,test
C,C1,B1,目标,Goals,test
C,C2,B1,流程,Process,test
C,C3,B2,途径,Channels,test
D,D1,C1,题一,Item one,test
D,D2,C1,题二,Item two,test
D,D3,C2,题三,Item three,test
D,D4,C2,题四,Item four,test
D,D5,C3,题五,Item five,test
D,D6,C3,题六,Item six,test
"""
ITEMS = ["D1", "D2", "D3", "D4", "D5", "D6"]
LOCAL = {
    "A": [0.6, 0.4],  # B1, B2
    "B1": [0.25, 0.75],  # C1, C2
    "C1": [0.4, 0.6],  # D1, D2
    "C2": [0.5, 0.5],  # D3, D4
    "C3": [0.2, 0.8],  # D5, D6   (B2 has the single child C3: local weight 1)
}
# Community X (2 respondents) and Y (3 respondents; y2 skipped D2).
ROWS = {
    "x1": ("X", [5, 4, 3, 2, 1, 5]),
    "x2": ("X", [3, 4, 5, 4, 3, 1]),
    "y1": ("Y", [2, 2, 2, 2, 5, 5]),
    "y2": ("Y", [4, np.nan, 2, 4, 5, 4]),
    "y3": ("Y", [3, 5, 2, 3, 5, 3]),
}
# Hand computation.
# X item means: D1 4, D2 4, D3 4, D4 3, D5 2, D6 3
#   C1 = .4*4 + .6*4 = 4; C2 = .5*4 + .5*3 = 3.5; C3 = .2*2 + .8*3 = 2.8
#   B1 = .25*4 + .75*3.5 = 3.625; B2 = 2.8; A = .6*3.625 + .4*2.8 = 3.295
# Y item means (available cases, D2 over 2 answers): D1 3, D2 3.5, D3 2, D4 3, D5 5, D6 4
#   C1 = .4*3 + .6*3.5 = 3.3; C2 = .5*2 + .5*3 = 2.5; C3 = .2*5 + .8*4 = 4.2
#   B1 = .25*3.3 + .75*2.5 = 2.7; B2 = 4.2; A = .6*2.7 + .4*4.2 = 3.3
# Pooled (5 respondents): D1 17/5 = 3.4, D2 15/4 = 3.75, D3 14/5 = 2.8, D4 15/5 = 3,
#   D5 19/5 = 3.8, D6 18/5 = 3.6
#   C1 = .4*3.4 + .6*3.75 = 3.61; C2 = .5*2.8 + .5*3 = 2.9; C3 = .2*3.8 + .8*3.6 = 3.64
#   B1 = .25*3.61 + .75*2.9 = 3.0775; B2 = 3.64; A = .6*3.0775 + .4*3.64 = 3.3025
EXPECTED = {
    "X": {"A": 3.295, "B1": 3.625, "B2": 2.8, "C1": 4.0, "C2": 3.5, "C3": 2.8, "D2": 4.0},
    "Y": {"A": 3.3, "B1": 2.7, "B2": 4.2, "C1": 3.3, "C2": 2.5, "C3": 4.2, "D2": 3.5},
    POOLED: {"A": 3.3025, "B1": 3.0775, "B2": 3.64, "C1": 3.61, "C2": 2.9, "C3": 3.64,
             "D2": 3.75},
}


def make_responses(rows: dict[str, tuple[object, list[float]]]) -> Responses:
    ids = pd.Index(list(rows), name="respondent_id")
    answers = pd.DataFrame([v for _, v in rows.values()], index=ids, columns=ITEMS, dtype=float)
    community = pd.Series([c for c, _ in rows.values()], index=ids, name="community")
    meta = pd.DataFrame(
        {"row": np.arange(2, len(ids) + 2), "duration_seconds": np.nan,
         "submitted_at": pd.NaT, "source": ""},
        index=ids,
    )
    cells = pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value", "reason"])
    mapping = ColumnMapping(method="codes", columns={i: i for i in ITEMS})
    return Responses(
        answers=answers, community=community, meta=meta, invalid_cells=cells,
        dropped_columns=[], mapping=mapping, source="test.csv",
    )


@pytest.fixture
def hierarchy(tmp_path) -> Hierarchy:
    path = tmp_path / "framework.csv"
    path.write_text(FRAMEWORK_CSV, encoding="utf-8")
    return Hierarchy.from_csv(path)


@pytest.fixture
def weights(hierarchy) -> HierarchyWeights:
    return hierarchy.weights({k: np.array(v) for k, v in LOCAL.items()})


def cell(result, community: str, code: str, column: str = "score"):
    table = result.table
    row = table[(table["community"] == community) & (table["code"] == code)]
    assert len(row) == 1
    return row[column].iloc[0]


def test_scores_match_hand_computation(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=2, bootstrap=0)
    for community, expected in EXPECTED.items():
        for code, value in expected.items():
            assert cell(result, community, code) == pytest.approx(value, abs=1e-12), (
                community, code)
    assert cell(result, "Y", "D2", "n") == 2  # item rows count the answers to that item
    assert cell(result, "Y", "A", "n") == 3
    assert cell(result, POOLED, "A", "n") == 5
    assert result.suppressed == []
    assert list(result.table.columns) == [
        "community", "level", "code", "score", "n", "ci_low", "ci_high", "suppressed"]
    assert result.table["ci_low"].isna().all()  # bootstrap=0: no intervals


def test_ranking_strengths_and_wide(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=2, bootstrap=0)
    ranking = result.ranking
    assert ranking["community"].tolist() == ["Y", "X"]  # 3.3 > 3.295
    assert ranking["rank"].tolist() == [1, 2]
    assert ranking["n"].tolist() == [3, 2]
    # Dimension means over the two communities: B1 (3.625 + 2.7)/2 = 3.1625, B2 3.5.
    strengths = result.strengths.set_index("community")
    assert strengths.loc["X", "strongest"] == "B1"
    assert strengths.loc["X", "weakest"] == "B2"
    assert strengths.loc["X", "strongest_gap"] == pytest.approx(3.625 - 3.1625)
    assert strengths.loc["Y", "strongest"] == "B2"
    assert strengths.loc["Y", "weakest_gap"] == pytest.approx(2.7 - 3.1625)
    wide = result.wide("B")
    assert wide.index.tolist() == ["X", "Y", POOLED]
    assert wide.columns.tolist() == ["B1", "B2"]
    assert wide.loc["Y", "B2"] == pytest.approx(4.2)
    with pytest.raises(SurveyError, match="level 'E'"):
        result.wide("E")


def test_goal_equals_global_item_weights_times_item_means(hierarchy, weights):
    rng = np.random.default_rng(3)
    means = rng.uniform(1, 5, size=(4, 6))
    scores = level_scores(means, hierarchy, weights)
    expected = means @ weights.item_weights.loc[ITEMS].to_numpy()
    np.testing.assert_allclose(scores["A"][:, 0], expected)
    assert scores["C"].shape == (4, 3) and scores["B"].shape == (4, 2)


def test_level_scores_broadcasts_stacked_weights(hierarchy, weights):
    agg = Aggregation.from_hierarchy(hierarchy)
    rng = np.random.default_rng(4)
    base = agg.local_vector(weights)
    assert agg.nodes[:2] == ("B1", "B2") and agg.nodes[5:7] == ("D1", "D2")
    draws = np.stack([base, base, base])
    draws[1, :2] = [0.3, 0.7]  # another A vector (B1, B2)
    draws[2, 5:7] = [0.9, 0.1]  # another C1 vector (D1, D2)
    means = rng.uniform(1, 5, size=(5, 6))
    stacked = level_scores(means, agg, draws)
    assert stacked["A"].shape == (3, 5, 1)
    for d in range(3):
        one = level_scores(means, agg, draws[d])
        for level in agg.levels:
            np.testing.assert_allclose(stacked[level][d], one[level])
    b = stacked["B"][1]
    np.testing.assert_allclose(stacked["A"][1, :, 0], 0.3 * b[:, 0] + 0.7 * b[:, 1])
    c1 = stacked["C"][2, :, 0]
    np.testing.assert_allclose(c1, 0.9 * means[:, 0] + 0.1 * means[:, 1])


def test_level_scores_checks_shapes(hierarchy, weights):
    with pytest.raises(SurveyError, match=r"item_means must end with \(6,\)"):
        level_scores(np.ones((2, 5)), hierarchy, weights)
    with pytest.raises(SurveyError, match="local weights must end"):
        level_scores(np.ones((2, 6)), hierarchy, np.ones(3))


@pytest.mark.parametrize("block_cells", [1 << 20, 50])  # one block; blocks of 8 rows
def test_item_sums_by_group_equals_pandas_loop(monkeypatch, block_cells):
    monkeypatch.setattr("survey.scoring._BLOCK_CELLS", block_cells)
    rng = np.random.default_rng(5)
    values = rng.integers(1, 6, size=(300, 6)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    groups = rng.integers(0, 7, size=300)
    sums, counts = item_sums_by_group(values, groups, 8)  # group 7 is empty
    frame = pd.DataFrame(values)
    for g in range(8):
        part = frame[groups == g]
        np.testing.assert_allclose(sums[g], part.sum().to_numpy())
        np.testing.assert_array_equal(counts[g], part.notna().sum().to_numpy())
    assert counts[7].sum() == 0


def test_bootstrap_sums_equal_naive_loop():
    # Draw convention (changed for speed, same stratified bootstrap): groups in code order, each
    # drawing integers(0, n_g, (draws, n_g)) for its respondents in original order.
    rng = np.random.default_rng(6)
    values = rng.integers(1, 6, size=(40, 6)).astype(float)
    values[rng.random(values.shape) < 0.15] = np.nan
    groups = rng.integers(0, 4, size=40)
    groups[groups == 2] = 0  # group 2 is empty: it draws nothing
    sums, counts = bootstrap_item_sums(values, groups, 4, 25, np.random.default_rng(11))
    # Naive: the same random offsets, then a loop over draws and groups.
    naive = np.random.default_rng(11)
    assert counts[:, 2].sum() == 0 and sums[:, 2].sum() == 0
    for g in (0, 1, 3):
        members = np.flatnonzero(groups == g)
        offsets = naive.integers(0, len(members), size=(25, len(members)), dtype=np.uint8)
        for d in range(25):
            rows = values[members[offsets[d]]]
            np.testing.assert_array_equal(sums[d, g], np.nansum(rows, axis=0))
            np.testing.assert_array_equal(counts[d, g], (~np.isnan(rows)).sum(axis=0))


def test_bootstrap_sums_chunked_draws_are_resamples(monkeypatch):
    # Chunking by draws (to bound memory) is part of the draw convention: deterministic, and
    # every draw is still a resample of the group's own respondents.
    import survey.scoring as scoring

    rng = np.random.default_rng(3)
    values = rng.integers(1, 6, size=(60, 4)).astype(float)
    groups = rng.integers(0, 3, size=60)
    monkeypatch.setattr(scoring, "_MAX_RESAMPLED", 50)
    sums, counts = bootstrap_item_sums(values, groups, 3, 30, np.random.default_rng(5))
    again = bootstrap_item_sums(values, groups, 3, 30, np.random.default_rng(5))
    np.testing.assert_array_equal(sums, again[0])
    assert (counts == np.bincount(groups, minlength=3)[None, :, None]).all()
    for g in range(3):
        part = values[groups == g]
        assert (sums[:, g] >= part.min(axis=0) * len(part)).all()
        assert (sums[:, g] <= part.max(axis=0) * len(part)).all()
    assert len({tuple(row) for row in sums[:, 0]}) > 1


def testpercentile_interval_equals_nanquantile():
    from survey.scoring import percentile_interval

    rng = np.random.default_rng(8)
    samples = rng.normal(size=(101, 7, 5))
    samples[rng.random(samples.shape) < 0.05] = np.nan
    samples[:, 2, 3] = np.nan
    samples[:, 4] = rng.normal(size=(101, 5))
    low, high = percentile_interval(samples, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(samples, [0.05, 0.95], axis=0)
    # Same numbers up to rounding (the vectorised path interpolates in a different order).
    np.testing.assert_allclose(low, expected[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(high, expected[1], rtol=1e-12, atol=1e-14)
    assert np.isnan(low[2, 3]) and not np.isnan(low).all()


def random_responses(seed: int = 0, per_community: tuple[int, ...] = (30, 25, 40)) -> Responses:
    rng = np.random.default_rng(seed)
    rows = {}
    for c, size in enumerate(per_community):
        level = rng.uniform(2, 4)
        for i in range(size):
            answer = np.clip(np.round(level + rng.normal(0, 1, 6)), 1, 5)
            answer[rng.random(6) < 0.05] = np.nan
            rows[f"c{c}r{i}"] = (f"社区{c}", answer.tolist())
    return make_responses(rows)


def test_bootstrap_is_seeded_and_intervals_contain_estimate(hierarchy, weights):
    responses = random_responses()
    first = score(responses, hierarchy, weights, bootstrap=300, seed=42)
    again = score(responses, hierarchy, weights, bootstrap=300, seed=42)
    other = score(responses, hierarchy, weights, bootstrap=300, seed=43)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert not first.table["ci_low"].equals(other.table["ci_low"])
    pd.testing.assert_series_equal(first.table["score"], other.table["score"])
    table = first.table
    assert table["ci_low"].notna().all()
    assert (table["ci_low"] <= table["score"]).all()
    assert (table["score"] <= table["ci_high"]).all()
    assert (table["ci_low"] < table["ci_high"]).all()
    pooled = table[table["community"] == POOLED]
    single = table[table["community"] == "社区0"]
    # The pooled interval (95 respondents) is narrower than one community's (30).
    width = lambda t: (t["ci_high"] - t["ci_low"]).to_numpy()  # noqa: E731
    assert (width(pooled) < width(single)).all()
    ranking = first.ranking
    assert ranking["ci_low"].notna().all()


def test_small_community_is_suppressed_everywhere(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=3, bootstrap=50)
    assert result.suppressed == ["X"]
    x_rows = result.table[result.table["community"] == "X"]
    assert x_rows["suppressed"].all()
    assert x_rows[["score", "ci_low", "ci_high"]].isna().all().all()
    assert "X" not in result.ranking["community"].tolist()
    assert "X" not in result.strengths["community"].tolist()
    # X holds 2 < 3 respondents, so the pooled row covers Y only (else X = pooled − Y).
    for code, value in EXPECTED["Y"].items():
        assert cell(result, POOLED, code) == pytest.approx(value)
    assert cell(result, POOLED, "A", "n") == 3
    assert any("pooled" in note for note in result.notes)
    x_values = {3.295, 3.625, 2.8}  # X's A, B1 and C3 (B2): no Y item or node has them
    shown = set(np.round(result.table["score"].dropna().to_numpy(), 6))
    shown |= set(np.round(result.ranking["score"].dropna().to_numpy(), 6))
    assert not (x_values & shown)


def test_pooled_keeps_suppressed_when_they_are_numerous_enough(hierarchy, weights):
    rows = dict(ROWS)
    rows |= {f"z{i}": ("Z", [4, 4, 4, 4, 4, 4]) for i in range(2)}  # X 2 + Z 2 = 4 hidden
    result = score(make_responses(rows), hierarchy, weights, min_respondents=3, bootstrap=0)
    assert result.suppressed == ["X", "Z"]
    assert cell(result, POOLED, "A", "n") == 7
    assert not any("pooled" in note for note in result.notes)


def test_empty_and_listed_communities(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=2, bootstrap=20,
                   communities=["Z", "Y"])
    assert result.table["community"].unique().tolist() == ["Z", "Y", "X", POOLED]
    assert result.suppressed == ["Z"]
    assert cell(result, "Z", "A", "n") == 0
    assert np.isnan(cell(result, "Z", "A"))
    assert cell(result, "Y", "A") == pytest.approx(3.3)


def test_categorical_community_lists_unused_category(hierarchy, weights):
    responses = make_responses(ROWS)
    community = responses.community.astype(pd.CategoricalDtype(["X", "Y", "W"]))
    responses = replace(responses, community=community)
    result = score(responses, hierarchy, weights, min_respondents=2, bootstrap=0)
    assert result.suppressed == ["W"]
    assert cell(result, "W", "B1", "n") == 0


def test_item_missing_for_a_community_leaves_ancestors_empty(hierarchy, weights):
    rows = {rid: (c, list(v)) for rid, (c, v) in ROWS.items()}
    for rid in ("y1", "y3"):
        rows[rid][1][1] = np.nan  # now nobody in Y answered D2
    result = score(make_responses(rows), hierarchy, weights, min_respondents=2, bootstrap=30)
    for code in ("D2", "C1", "B1", "A"):
        assert np.isnan(cell(result, "Y", code)), code
    for code, value in {"C2": 2.5, "C3": 4.2, "B2": 4.2, "D1": 3.0}.items():
        assert cell(result, "Y", code) == pytest.approx(value)
    assert cell(result, "X", "A") == pytest.approx(3.295)
    assert any(note.startswith("Y: no answers to D2") for note in result.notes)
    ranking = result.ranking.set_index("community")
    assert pd.isna(ranking.loc["Y", "rank"]) and ranking.loc["X", "rank"] == 1


def test_item_absent_from_file_and_no_community(hierarchy, weights):
    responses = make_responses(ROWS)
    community = responses.community.copy()
    community["x1"] = np.nan
    responses = replace(responses, answers=responses.answers.drop(columns="D6"),
                        community=community)
    result = score(responses, hierarchy, weights, min_respondents=1, bootstrap=0)
    assert np.isnan(cell(result, "Y", "A"))
    assert cell(result, "Y", "B1") == pytest.approx(2.7)
    assert cell(result, "X", "D1", "n") == 1
    assert result.notes[0].startswith("items not in the data: D6")
    assert not any("no answers to D6" in note for note in result.notes)  # said once, not per row
    assert any("without a community" in note for note in result.notes)


def test_bad_inputs(hierarchy, weights):
    responses = make_responses(ROWS)
    with pytest.raises(SurveyError, match="min_respondents"):
        score(responses, hierarchy, weights, min_respondents=0)
    with pytest.raises(SurveyError, match="bootstrap"):
        score(responses, hierarchy, weights, bootstrap=-1)
    bad = make_responses({**ROWS, "y9": ("Y", [1, 2, 7, 1, 1, 1])})
    with pytest.raises(SurveyError, match="respondent y9, item D3: answer 7"):
        score(bad, hierarchy, weights, bootstrap=0)
    named = make_responses({"p": (POOLED, [1, 2, 3, 4, 5, 1])})
    with pytest.raises(SurveyError, match="may not be named"):
        score(named, hierarchy, weights, bootstrap=0)


def published(result) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything a reader sees about published cells: unsuppressed table rows, ranking,
    strengths."""
    table = result.table[~result.table["suppressed"]].reset_index(drop=True)
    return table, result.ranking, result.strengths


@pytest.mark.parametrize("x_answers", [[1, 1, 1, 1, 1, 1], [5, 5, 5, 5, 5, 5]])
def test_suppressed_answers_leak_nowhere(hierarchy, weights, x_answers):
    # X (2 respondents < 3) is suppressed: whatever X answered, no published figure changes,
    # not in the table, the pooled row (complementary suppression), the ranking nor the
    # strengths (whose means are over published communities only), intervals included.
    rows = dict(ROWS)
    rows |= {f"w{i}": ("W", [3, 4, 4, 2, 5, 1]) for i in range(4)}
    base = score(make_responses(rows), hierarchy, weights, min_respondents=3, bootstrap=40)
    changed = dict(rows) | {"x1": ("X", x_answers), "x2": ("X", x_answers[::-1])}
    other = score(make_responses(changed), hierarchy, weights, min_respondents=3, bootstrap=40)
    assert base.suppressed == other.suppressed == ["X"]
    for seen, seen_other in zip(published(base), published(other), strict=True):
        pd.testing.assert_frame_equal(seen, seen_other)
    hidden = base.table[base.table["community"] == "X"]
    assert hidden["score"].isna().all() and (hidden["n"] == 2).all()
    assert base.notes == other.notes
    assert "1 of 3 communities have fewer than 3 respondents" in base.notes[0]
    assert base.notes[0].endswith(": X")


def test_nothing_published_is_said_not_raised(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=6, bootstrap=30)
    assert result.suppressed == ["X", "Y"]
    assert result.table["suppressed"].all()
    assert result.table[["score", "ci_low", "ci_high"]].isna().all().all()
    assert result.ranking.empty and result.strengths.empty
    assert list(result.ranking.columns) == ["community", "score", "ci_low", "ci_high", "rank", "n"]
    assert cell(result, POOLED, "A", "n") == 0  # 5 hidden < 6: the pool holds nobody
    assert any(note.startswith("no score is published") for note in result.notes)
    assert not any("covers the published communities only" in note for note in result.notes)
    assert result.wide("B").isna().all().all()


def test_only_the_pooled_row_is_published(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=4, bootstrap=0)
    assert result.suppressed == ["X", "Y"]  # 2 and 3 < 4, together 5 ≥ 4
    assert cell(result, POOLED, "A") == pytest.approx(EXPECTED[POOLED]["A"])
    assert result.ranking.empty
    assert any(note.startswith(f"only the pooled row {POOLED}") for note in result.notes)


def test_no_respondents_at_all(hierarchy, weights):
    empty = make_responses(ROWS).subset([])
    result = score(empty, hierarchy, weights, bootstrap=20)
    assert result.table["community"].unique().tolist() == [POOLED]
    assert result.table["suppressed"].all() and (result.table["n"] == 0).all()
    assert result.ranking.empty and result.strengths.empty
    assert any(note.startswith("no score is published") for note in result.notes)
    listed = score(empty, hierarchy, weights, bootstrap=20, communities=["X"])
    assert listed.suppressed == ["X"] and cell(listed, "X", "A", "n") == 0


def test_community_that_answered_nothing(hierarchy, weights):
    rows = dict(ROWS) | {f"z{i}": ("Z", [np.nan] * 6) for i in range(3)}
    result = score(make_responses(rows), hierarchy, weights, min_respondents=2, bootstrap=30)
    z = result.table[result.table["community"] == "Z"]
    assert z["score"].isna().all() and not z["suppressed"].any()
    assert (z[z["level"] == "D"]["n"] == 0).all() and cell(result, "Z", "A", "n") == 3
    assert any(note.startswith("Z: no answers to D1, D2, D3, D4, D5, D6") for note in result.notes)
    ranking = result.ranking.set_index("community")
    assert pd.isna(ranking.loc["Z", "rank"]) and ranking.loc["Y", "rank"] == 1
    strengths = result.strengths.set_index("community")
    assert strengths.loc["Z"].drop(["strongest_gap", "weakest_gap"]).isna().all()
    assert strengths.loc["X", "strongest"] == "B1"  # Z's empty scores do not shift the means
    assert cell(result, POOLED, "D1") == pytest.approx(3.4)  # Z adds no answers to the pool


def test_single_published_community_has_no_strongest_dimension(hierarchy, weights):
    result = score(make_responses(ROWS), hierarchy, weights, min_respondents=3, bootstrap=0)
    strengths = result.strengths.set_index("community")
    assert strengths.index.tolist() == ["Y"]
    assert pd.isna(strengths.loc["Y", "strongest"]) and pd.isna(strengths.loc["Y", "weakest"])
    assert strengths.loc["Y", "strongest_gap"] == 0.0


def test_defaults_suppress_below_ten_and_draw_a_thousand(hierarchy, weights):
    result = score(random_responses(per_community=(10, 9)), hierarchy, weights)
    assert (result.min_respondents, result.bootstrap, result.seed) == (10, 1000, 0)
    assert result.suppressed == ["社区1"]  # 9 < 10 respondents
    assert result.ranking["community"].tolist() == ["社区0"]
    assert result.ranking["ci_low"].notna().all()
