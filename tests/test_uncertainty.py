"""Tests of evaluation.uncertainty: collapse without sources, known answers, a naive
per-draw loop."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from ahp.group import aggregate_judgments
from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, panel_weights
from ahp.priorities import priorities
from ahp.scale import SAATY_VALUES, nearest_saaty
from evaluation.uncertainty import SUMMARY_COLUMNS, monte_carlo
from evaluation.uncertainty.panel_draws import noise_steps
from evaluation.uncertainty.ranking import count_cells, rank_cells, rank_quantile
from evaluation.uncertainty.residents import Residents
from survey.errors import SurveyError
from survey.responses import ColumnMapping, Responses
from survey.scoring import level_scores, score

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def panel() -> PanelJudgments:
    return PanelJudgments(pd.read_csv(FIXTURES / "small_panel.csv", dtype=str))


def make_responses(
    answers: np.ndarray, communities: list[str] | np.ndarray, items: list[str]
) -> Responses:
    ids = pd.Index([f"r{i:04d}" for i in range(len(answers))], name="respondent_id")
    meta = pd.DataFrame(
        {"row": np.arange(2, len(ids) + 2), "duration_seconds": np.nan,
         "submitted_at": pd.NaT, "source": ""},
        index=ids,
    )
    cells = pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value", "reason"])
    return Responses(
        answers=pd.DataFrame(np.asarray(answers, dtype=float), index=ids, columns=items),
        community=pd.Series(list(communities), index=ids, name="community"),
        meta=meta,
        invalid_cells=cells,
        dropped_columns=[],
        mapping=ColumnMapping(method="codes", columns={i: i for i in items}),
        source="test",
    )


def random_study(
    items: list[str], sizes: dict[str, int], seed: int = 0, shift: dict[str, float] | None = None
) -> Responses:
    rng = np.random.default_rng(seed)
    labels = np.repeat(list(sizes), list(sizes.values()))
    base = np.array([(shift or {}).get(c, 0.0) for c in labels])[:, None]
    answers = np.clip(np.rint(3 + base + rng.normal(0, 1, (len(labels), len(items)))), 1, 5)
    return make_responses(answers, labels, items)


def identical_panel(hierarchy: Hierarchy, experts: int = 4, seed: int = 3) -> PanelJudgments:
    """Every expert gives the same perfectly consistent judgments a_ij = w_i / w_j, with w_i
    in {1, 2, 4, 8} so that every ratio is on Saaty's scale (CR = 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for node in hierarchy.compared_nodes():
        kids = hierarchy.children(node)
        w = rng.choice([1.0, 2.0, 4.0, 8.0], size=len(kids))
        for i, a in enumerate(kids):
            for j in range(i + 1, len(kids)):
                rows += [(f"E{e}", node, a, kids[j], w[i] / w[j]) for e in range(experts)]
    return PanelJudgments(pd.DataFrame(rows, columns=["expert", "node", "row", "col", "value"]))


@pytest.fixture(scope="module")
def study(hierarchy) -> Responses:
    sizes = {"甲": 14, "乙": 12, "丙": 20, "丁": 11, "戊": 5}
    return random_study(hierarchy.items, sizes, seed=1, shift={"甲": 0.4, "丁": -0.3})


# ---------------------------------------------------------------------------- collapse
@pytest.mark.parametrize("aggregation", ["AIJ", "AIP"])
def test_without_sources_every_draw_is_the_nominal_score(hierarchy, panel, study, aggregation):
    result = monte_carlo(
        study, hierarchy, panel, draws=25, panel=False, residents=False,
        aggregation=aggregation,
    )
    weights = panel_weights(hierarchy, panel, aggregation=aggregation).weights
    nominal = score(study, hierarchy, weights, bootstrap=0).table
    s = result.summary
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    for column in ("mean_score", "score_low", "score_high"):
        np.testing.assert_allclose(s[column], s["nominal_score"], rtol=1e-6)
    for column in ("mean_rank", "median_rank", "rank_low", "rank_high"):
        np.testing.assert_array_equal(s[column], s["nominal_rank"])
    assert set(s["p_top"]) <= {0.0, 1.0} and set(s["p_bottom"]) <= {0.0, 1.0}
    expected = nominal.set_index(["community", "code"])["score"]
    got = s.set_index(["community", "code"])["nominal_score"]
    np.testing.assert_allclose(got, expected.reindex(got.index), rtol=1e-12)
    assert set(s["code"]) == {"A", "B1", "B2", "B3"}
    assert not result.sources["varied"].any()


def test_identical_experts_give_no_spread_from_panel_resampling(hierarchy, study):
    result = monte_carlo(
        study, hierarchy, identical_panel(hierarchy), draws=200, panel=True, residents=False
    )
    s = result.summary
    np.testing.assert_allclose(s["score_low"], s["nominal_score"], rtol=1e-6)
    np.testing.assert_allclose(s["score_high"], s["nominal_score"], rtol=1e-6)
    assert result.sources.set_index("source").loc["panel", "varied"]


def test_each_source_alone_creates_spread(hierarchy, panel, study):
    width = {}
    for name, options in {
        "panel": {"panel": True, "residents": False},
        "noise": {"panel": False, "residents": False, "judgment_noise": 0.3},
        "residents": {"panel": False, "residents": True},
    }.items():
        result = monte_carlo(study, hierarchy, panel, draws=300, seed=5, **options)
        goal = result.level("A")
        width[name] = float((goal["score_high"] - goal["score_low"]).mean())
    assert all(w > 1e-3 for w in width.values()), width


def test_experts_excluded_by_the_cr_rule_stay_excluded_in_every_draw(hierarchy, study):
    """Four identical experts and one inconsistent one (A: 9, 1/9, 9; CR far above 0.10)."""
    table = identical_panel(hierarchy).table
    odd = table[table["expert"] == "E0"].assign(expert="odd")
    odd.loc[odd["node"] == "A", "value"] = [9.0, 1 / 9, 9.0]
    panel = PanelJudgments(pd.concat([table, odd], ignore_index=True))
    options = {"draws": 150, "panel": True, "residents": False, "seed": 2}
    kept = monte_carlo(study, hierarchy, panel, exclude_inconsistent=True, **options).level("A")
    np.testing.assert_allclose(kept["score_high"] - kept["score_low"], 0.0, atol=1e-6)
    mixed = monte_carlo(study, hierarchy, panel, **options).level("A")
    assert (mixed["score_high"] - mixed["score_low"]).max() > 1e-3


def test_judgment_noise_moves_identical_experts(hierarchy, study):
    result = monte_carlo(
        study, hierarchy, identical_panel(hierarchy), draws=200, panel=True, residents=False,
        judgment_noise=0.5,
    )
    goal = result.level("A")
    assert (goal["score_high"] - goal["score_low"]).min() > 1e-4


# ---------------------------------------------------------------------------- known answers
def test_far_apart_communities_are_ordered_with_certainty(hierarchy, panel):
    rng = np.random.default_rng(2)
    items = hierarchy.items
    high = rng.integers(4, 6, (15, len(items)))
    low = rng.integers(1, 3, (15, len(items)))
    middle = rng.integers(2, 5, (15, len(items)))
    responses = make_responses(
        np.vstack([low, high, middle]), ["低"] * 15 + ["高"] * 15 + ["中"] * 15, items
    )
    result = monte_carlo(responses, hierarchy, panel, draws=400, judgment_noise=0.2, seed=9)
    p = result.pairwise
    assert list(p.index) == ["高", "中", "低"]
    assert p.loc["高", "低"] == 1.0 and p.loc["低", "高"] == 0.0
    np.testing.assert_allclose(np.diag(p), 0.0)
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose((p.to_numpy() + p.to_numpy().T)[off], 1.0)
    goal = result.level("A")
    assert goal.loc["高", "p_top"] == 1.0 and goal.loc["高", "rank_high"] == 1
    assert goal.loc["低", "p_bottom"] == 1.0
    chosen = result.pairwise_probabilities(["低", "高"])
    assert chosen.loc["高", "低"] == 1.0 and list(chosen.columns) == ["低", "高"]


def test_resident_bootstrap_has_the_spread_of_a_mean(hierarchy):
    """One community: the bootstrap sd of the goal score is sd_pop(respondent score) / √n."""
    rng = np.random.default_rng(4)
    items = hierarchy.items
    answers = rng.integers(1, 6, (40, len(items))).astype(float)
    responses = make_responses(answers, ["X"] * 40, items)
    weights = identical_panel(hierarchy)
    result = monte_carlo(responses, hierarchy, weights, draws=4000, panel=False, seed=1)
    item_weights = panel_weights(hierarchy, weights).weights.item_weights.reindex(items)
    per_respondent = answers @ item_weights.to_numpy()
    expected = per_respondent.std() / np.sqrt(40)
    draws = result.goal_draws[0]
    assert draws.std() == pytest.approx(expected, rel=0.06)
    assert draws.mean() == pytest.approx(per_respondent.mean(), abs=5 * expected / np.sqrt(4000))


# ---------------------------------------------------------------------------- reproducibility
def test_same_seed_same_numbers_and_chunks_do_not_matter(hierarchy, panel, study):
    options = {"draws": 120, "judgment_noise": 0.2, "seed": 11}
    first = monte_carlo(study, hierarchy, panel, **options)
    same = monte_carlo(study, hierarchy, panel, **options)
    pd.testing.assert_frame_equal(first.summary, same.summary)
    np.testing.assert_array_equal(first.goal_draws, same.goal_draws)
    chunked = monte_carlo(study, hierarchy, panel, chunk_draws=7, **options)
    np.testing.assert_allclose(first.goal_draws, chunked.goal_draws, rtol=1e-6)
    other = monte_carlo(study, hierarchy, panel, **{**options, "seed": 12})
    assert not np.array_equal(first.goal_draws, other.goal_draws)


def test_switching_a_source_off_leaves_the_other_streams_alone(hierarchy, study):
    """With identical experts the panel bootstrap changes no weight, so the resident draws
    must be the same whether the panel source is on or off (independent random streams)."""
    same = identical_panel(hierarchy)
    alone = monte_carlo(study, hierarchy, same, draws=50, seed=3, panel=False)
    both = monte_carlo(study, hierarchy, same, draws=50, seed=3, panel=True)
    np.testing.assert_allclose(both.goal_draws, alone.goal_draws, rtol=1e-6)
    assert np.ptp(alone.goal_draws, axis=1).min() > 0


# ---------------------------------------------------------------------------- naive loop
def _naive_draws(hierarchy, panel, responses, communities, draws, noise, seed, resample=True):
    """One draw at a time with the library's per-matrix functions and the same random numbers."""
    panel_rng, noise_rng, resident_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    experts = panel.experts
    counts = panel_rng.multinomial(len(experts), np.full(len(experts), 1 / len(experts)), draws)
    if not resample:
        counts = np.ones_like(counts)
    nominal = panel_weights(hierarchy, panel).weights
    scale = list(SAATY_VALUES)
    uniforms, stacks = {}, {}
    for node in hierarchy.compared_nodes():
        names, stack = panel.stack(node, hierarchy.children(node))
        pairs = len(np.triu_indices(stack.shape[1], 1)[0])
        stacks[node] = (names, stack)
        uniforms[node] = noise_rng.random((draws, len(names), pairs), dtype=np.float32)
    crowd = Residents.build(responses, hierarchy.items, communities)
    picks = crowd.picks(resident_rng, draws)
    answers = responses.answers.reindex(columns=hierarchy.items)
    members = {c: answers[responses.community == c].to_numpy() for c in communities}
    goal, dims = np.empty((draws, len(communities))), []
    for s in range(draws):
        local = {}
        for node, (names, stack) in stacks.items():
            n = stack.shape[1]
            rows, cols = np.triu_indices(n, 1)
            matrices, weights = [], []
            for e, name in enumerate(names):
                if counts[s, experts.index(name)] == 0:
                    continue
                a = stack[e].copy()
                for p, (i, j) in enumerate(zip(rows, cols, strict=True)):
                    here = scale.index(nearest_saaty(a[i, j]))
                    u = uniforms[node][s, e, p]
                    if u < np.float32(noise / 2):
                        here = here + 1 if here < 16 else 15
                    elif u < 2 * np.float32(noise / 2):
                        here = here - 1 if here > 0 else 1
                    a[i, j], a[j, i] = scale[here], 1 / scale[here]
                matrices.append(a)
                weights.append(counts[s, experts.index(name)])
            if matrices:
                local[node] = priorities(aggregate_judgments(np.array(matrices), weights))
            else:
                local[node] = nominal.local(node).to_numpy()
        hw = hierarchy.weights(local)
        start, means = 0, []
        for c in communities:
            size = len(members[c])
            chosen = members[c][picks[s, start:start + size]]
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                means.append(np.nanmean(chosen, axis=0))
            start += size
        scores = level_scores(np.array(means), hierarchy, hw)
        goal[s] = scores["A"][:, 0]
        dims.append(scores["B"])
    return goal, np.array(dims)


def test_vectorized_draws_equal_a_naive_per_draw_loop(hierarchy, panel, study):
    draws, noise, seed = 40, 0.3, 21
    result = monte_carlo(study, hierarchy, panel, draws=draws, judgment_noise=noise, seed=seed)
    goal, dims = _naive_draws(
        hierarchy, panel, study, list(result.communities), draws, noise, seed
    )
    np.testing.assert_allclose(result.goal_draws.T, goal, rtol=2e-6)
    assert not np.isnan(goal).any()
    b1 = result.level("B1").reindex(list(result.communities))
    low, high = np.quantile(dims[:, :, 0], [0.05, 0.95], axis=0)
    np.testing.assert_allclose(b1["score_low"], low, rtol=2e-6)
    np.testing.assert_allclose(b1["score_high"], high, rtol=2e-6)
    ranks = np.array([rankdata(-g, method="min") for g in goal])
    goal_summary = result.level("A").reindex(list(result.communities))
    np.testing.assert_allclose(goal_summary["mean_rank"], ranks.mean(axis=0))
    np.testing.assert_array_equal(
        goal_summary["rank_high"], np.quantile(ranks, 0.95, axis=0, method="inverted_cdf")
    )
    np.testing.assert_allclose(goal_summary["p_top"], (ranks <= 3).mean(axis=0))


# ---------------------------------------------------------------------------- pieces
def test_rank_cells_count_min_ranks_with_ties_and_gaps():
    scores = np.array(
        [[3.0, 1.0, 3.0, 2.0], [1.0, np.nan, 4.0, 4.0], [2.0, 2.0, 2.0, 2.0]], dtype=np.float32
    )
    tally = count_cells(rank_cells(scores), 4)
    expected = np.zeros((4, 4), dtype=np.int64)
    for row in scores:
        ok = ~np.isnan(row)
        ranks = rankdata(-row[ok], method="min").astype(int)
        for c, r in zip(np.flatnonzero(ok), ranks, strict=True):
            expected[c, r - 1] += 1
    np.testing.assert_array_equal(tally, expected)


def test_rank_quantile_is_the_inverted_cdf():
    rng = np.random.default_rng(0)
    ranks = rng.integers(1, 6, (3, 101))
    tally = np.stack([np.bincount(r - 1, minlength=5) for r in ranks])
    for q in (0.05, 0.5, 0.95):
        np.testing.assert_array_equal(
            rank_quantile(tally, q), np.quantile(ranks, q, axis=1, method="inverted_cdf")
        )


def test_noise_steps_follow_the_saaty_scale():
    logs = np.log(np.array([[9.0, 1 / 9, 1.0, 1 / 2]]))
    up, down = noise_steps(logs)
    np.testing.assert_allclose(np.exp(logs + up), [[8.0, 1 / 8, 2.0, 1.0]])
    np.testing.assert_allclose(np.exp(logs + down), [[8.0, 1 / 8, 1 / 2, 1 / 3]])


# ---------------------------------------------------------------------------- bookkeeping
def test_small_communities_are_excluded_not_ranked(hierarchy, panel, study):
    result = monte_carlo(study, hierarchy, panel, draws=20, min_respondents=10)
    assert "戊" not in set(result.summary["community"])
    row = result.excluded.set_index("community").loc["戊"]
    assert row["n"] == 5 and "fewer than 10" in row["reason"]
    goal = result.level("A")
    assert sorted(goal["nominal_rank"]) == [1, 2, 3, 4]
    assert goal.loc["丙", "n"] == 20


def test_items_without_answers_in_a_resample_are_reported(hierarchy, panel):
    items = hierarchy.items
    rng = np.random.default_rng(6)
    answers = rng.integers(1, 6, (24, len(items))).astype(float)
    answers[1:12, 0] = np.nan  # community P: only its first respondent answered D1
    responses = make_responses(answers, ["P"] * 12 + ["Q"] * 12, items)
    result = monte_carlo(responses, hierarchy, panel, draws=200, panel=False, seed=2)
    p = result.summary.set_index(["community", "code"])
    assert p.loc[("P", "A"), "defined_draws"] < 200
    assert p.loc[("P", "B2"), "defined_draws"] == 200  # D1 is under B1 only
    assert p.loc[("Q", "A"), "defined_draws"] == 200
    assert any("without answers" in note for note in result.notes)


def test_progress_is_reported(hierarchy, panel, study):
    seen: list[float] = []
    monte_carlo(study, hierarchy, panel, draws=30, chunk_draws=8, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 5


def test_fixed_weights_without_a_panel(hierarchy, panel, study):
    weights = panel_weights(hierarchy, panel).weights
    result = monte_carlo(study, hierarchy, weights=weights, panel=False, draws=50)
    sources = result.sources.set_index("source")["varied"]
    assert sources.to_dict() == {"panel": False, "judgment_noise": False, "residents": True}
    assert result.pairwise.shape == (4, 4)


def test_pairwise_matrix_is_skipped_for_many_communities(hierarchy, panel, study):
    result = monte_carlo(study, hierarchy, panel, draws=20, pairwise_max=3)
    assert result.pairwise.empty
    assert result.pairwise_probabilities().shape == (4, 4)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"draws": 0}, "draws must be a positive integer"),
        ({"judgment_noise": 1.5}, "judgment_noise is a probability"),
        ({"interval": (0.9, 0.1)}, "interval must be two probabilities"),
        ({"top": 0}, "top must be a positive integer"),
        ({"weights": "w"}, "either judgments"),
    ],
)
def test_bad_settings_name_the_setting(hierarchy, panel, study, options, message):
    with pytest.raises(SurveyError, match=message):
        monte_carlo(study, hierarchy, panel, **options)


def test_panel_sources_need_judgments(hierarchy, panel, study):
    weights = panel_weights(hierarchy, panel).weights
    with pytest.raises(SurveyError, match="need the expert judgments"):
        monte_carlo(study, hierarchy, weights=weights, draws=5)
    with pytest.raises(SurveyError, match="give the expert judgments or the weights"):
        monte_carlo(study, hierarchy, draws=5, panel=False)
    with pytest.raises(SurveyError, match="was not ranked"):
        monte_carlo(study, hierarchy, weights=weights, panel=False, draws=5)\
            .pairwise_probabilities(["戊"])


def test_missing_answers_match_the_naive_loop(hierarchy, panel, study):
    """Available-case means of resamples: 15 % missing, one item answered by one respondent."""
    rng = np.random.default_rng(13)
    answers = study.answers.to_numpy(copy=True)
    answers[rng.random(answers.shape) < 0.15] = np.nan
    members = np.flatnonzero(study.community.to_numpy() == "乙")
    answers[members[1:], 3] = np.nan
    gappy = make_responses(answers, study.community.to_list(), hierarchy.items)
    result = monte_carlo(gappy, hierarchy, panel, draws=60, panel=False, seed=4)
    goal, dims = _naive_draws(
        hierarchy, panel, gappy, list(result.communities), 60, 0.0, 4, resample=False
    )
    assert np.isnan(goal).any() and not np.isnan(goal).all()
    np.testing.assert_allclose(result.goal_draws.T, goal, rtol=2e-6)
    defined = result.level("B1").reindex(list(result.communities))["defined_draws"]
    np.testing.assert_array_equal(defined, (~np.isnan(dims[:, :, 0])).sum(axis=0))
