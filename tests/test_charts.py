"""Tests for reports.charts: every chart renders Chinese with no missing glyph, and shows the
right things (order, suppression, reference, annotations) on small hand-made tables."""

from __future__ import annotations

import warnings
from io import BytesIO

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from reports.charts import (
    ChartDataError,
    figure_png,
    heatmap,
    pairwise_probability_chart,
    radar_chart,
    ranking_chart,
    save_figure,
    shorten_label,
    sunburst_chart,
    tornado_chart,
    weights_chart,
    wrap_label,
)
from survey.scoring import POOLED

DIMS = ["B1", "B2", "B3", "B4", "B5", "B6", "B7"]
ZH = ["科学", "参与", "透明", "正义", "责任", "回应性", "有效性"]
NAMES_ZH = dict(zip(DIMS, ZH, strict=True))
NAMES_ZH |= {"C01": "治理目标完成度", "C02": "治理流程科学度", "C03": "参与途径",
             "C04": "基本信息公开"}
COMMUNITIES = ["芦花社区", "石桥里社区", "翠岭社区", "星河社区", "梅坞社区"]
SUPPRESSED = ["梅坞社区"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _strict_glyphs():
    """Any UserWarning (notably "Glyph … missing from font(s)") fails the test.

    matplotlib attributes that warning to the caller's module, so pyproject's
    ``error::UserWarning:matplotlib.*`` filter alone would not catch it here.
    """
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text()]


def _png(fig: Figure) -> bytes:
    data = figure_png(fig)
    assert data.startswith(PNG)
    return data


@pytest.fixture
def table() -> pd.DataFrame:
    """Tidy score table: 5 communities (one suppressed) + the pooled row; levels A and B."""
    rng = np.random.default_rng(1)
    rows = []
    for i, community in enumerate([*COMMUNITIES, POOLED]):
        hidden = community in SUPPRESSED
        b = np.round(3.4 + 0.8 * rng.random(7), 3)
        a = float(b.mean())
        n = 6 if hidden else 12 + i
        rows.append((community, "A", "A", np.nan if hidden else a, n, hidden))
        rows += [(community, "B", code, np.nan if hidden else v, n, hidden)
                 for code, v in zip(DIMS, b, strict=True)]
    frame = pd.DataFrame(rows, columns=["community", "level", "code", "score", "n", "suppressed"])
    return frame.assign(ci_low=frame["score"] - 0.1, ci_high=frame["score"] + 0.1)


@pytest.fixture
def ranking() -> pd.DataFrame:
    return pd.DataFrame({
        "community": ["石桥里社区", "芦花社区", "翠岭社区", "星河社区"],
        "score": [3.99, 4.03, 3.70, 3.85],
        "ci_low": [3.8, 3.9, 3.5, 3.7],
        "ci_high": [4.1, 4.2, 3.9, 4.0],
        "rank": pd.array([2, 1, 4, 3], dtype="Int64"),
        "n": [13, 11, 15, 14],
    })


@pytest.fixture
def weights() -> pd.DataFrame:
    codes = ["A", "B1", "B2", "C01", "C02", "C03", "C04"]
    frame = pd.DataFrame({
        "level": ["A", "B", "B", "C", "C", "C", "C"],
        "parent": [None, "A", "A", "B1", "B1", "B2", "B2"],
        "local": [1.0, 0.4, 0.6, 0.7, 0.3, 0.5, 0.5],
    }, index=pd.Index(codes, name="code"))
    frame["global"] = [1.0, 0.4, 0.6, 0.28, 0.12, 0.3, 0.3]
    return frame


# ----------------------------------------------------------------------------- ranking
def test_ranking_orders_by_score_and_lists_suppressed(ranking):
    frame = pd.concat([ranking, pd.DataFrame({"community": ["梅坞社区"], "score": [np.nan]})])
    fig = ranking_chart(frame, suppressed=SUPPRESSED, reference=3.9, lang="zh", note="注：合成数据")
    _png(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["1. 芦花社区  (n=11)", "2. 石桥里社区  (n=13)", "3. 星河社区  (n=14)",
                      "4. 翠岭社区  (n=15)"]
    texts = _texts(fig)
    assert any("不报告" in s and "梅坞社区" in s for s in texts)
    assert any("注：合成数据" in s for s in texts)
    assert any("全部社区" in s for s in texts)
    assert "社区综合得分排名" in texts


def test_ranking_with_rank_bands_draws_a_second_panel(ranking):
    bands = ranking.assign(rank_low=[1, 1, 3, 2], rank_high=[3, 2, 4, 4])
    fig = ranking_chart(bands, lang="en")
    _png(fig)
    assert len(fig.axes) == 2
    assert {"1–2", "1–3", "2–4", "3–4"} <= set(_texts(fig))
    assert "Rank (Monte Carlo 5%–95% band)" in _texts(fig)


def test_ranking_skips_the_pooled_row_and_needs_columns(ranking):
    pooled = pd.DataFrame({"community": [POOLED], "score": [3.9], "ci_low": [3.8],
                           "ci_high": [4.0]})
    fig = ranking_chart(pd.concat([ranking, pooled]), lang="zh")
    assert not any(POOLED in t.get_text() for t in fig.axes[0].get_yticklabels())
    with pytest.raises(ChartDataError, match=r"ranking_chart.*\['ci_high'\]"):
        ranking_chart(ranking.drop(columns="ci_high"))
    with pytest.raises(ChartDataError, match="no community"):
        ranking_chart(ranking, suppressed=list(ranking["community"]))


def test_ranking_without_intervals(ranking):
    fig = ranking_chart(ranking.assign(ci_low=np.nan, ci_high=np.nan), lang="zh")
    _png(fig)
    assert "4.030" in _texts(fig)


# ----------------------------------------------------------------------------- radar
def test_radar_draws_communities_and_reference(table):
    fig = radar_chart(table, ["芦花社区", "翠岭社区", "梅坞社区"], names=NAMES_ZH, lang="zh",
                      note="注：合成数据")
    _png(fig)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["芦花社区", "翠岭社区", "全部社区"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(NAMES_ZH.values())[:7]
    assert any("梅坞社区" in s and "不报告" in s for s in _texts(fig))
    pooled = table[(table["community"] == POOLED) & (table["level"] == "B")]["score"].to_numpy()
    reference = next(line for line in ax.get_lines() if line.get_label() == "全部社区")
    np.testing.assert_allclose(reference.get_ydata()[:7], pooled)


def test_radar_rejects_unknown_community(table):
    with pytest.raises(ChartDataError, match=r"无此社区.*not in"):
        radar_chart(table, ["无此社区"])


# ----------------------------------------------------------------------------- heatmap
def test_heatmap_annotates_values_and_suppression(table):
    fig = heatmap(table, names=NAMES_ZH, lang="zh", note="注：合成数据")
    _png(fig)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[-1] == "全部社区" and rows[-2] == "梅坞社区"
    overall = table[(table["level"] == "A") & ~table["suppressed"]
                    & (table["community"] != POOLED)]
    assert rows[:-2] == list(overall.sort_values("score", ascending=False)["community"])
    texts = _texts(fig)
    assert "n<10 不报告" in texts
    value = table[(table["community"] == "芦花社区") & (table["code"] == "B3")]["score"].iloc[0]
    assert f"{value:.2f}" in texts
    assert [t.get_text() for t in ax.get_xticklabels()] == list(NAMES_ZH.values())[:7]


def test_heatmap_without_pooled_row_uses_mean_of_reported(table):
    no_pool = table[table["community"] != POOLED]
    fig = heatmap(no_pool, names=NAMES_ZH, lang="en")
    _png(fig)
    b1 = no_pool[(no_pool["code"] == "B1") & ~no_pool["suppressed"]]["score"].mean()
    assert f"{b1:.2f}" in _texts(fig)


# ----------------------------------------------------------------------------- weights
def test_weights_chart_groups_by_dimension(weights):
    fig = weights_chart(weights, level="C", names=NAMES_ZH, lang="zh", note="注")
    _png(fig)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels == [f"{c} {NAMES_ZH[c]}" for c in ("C01", "C02", "C03", "C04")]
    assert "0.280 (0.70)" in _texts(fig)
    colours = {bar.get_facecolor() for bar in fig.axes[1].patches}
    assert len(colours) == 2  # one colour per dimension


def test_weights_chart_dimension_level_is_one_panel(weights):
    fig = weights_chart(weights.reset_index(), level="B", names=NAMES_ZH, lang="en")
    _png(fig)
    assert len(fig.axes) == 1
    assert {"0.400", "0.600"} <= set(_texts(fig))  # local = global here: no brackets
    with pytest.raises(ChartDataError, match="no level 'D'"):
        weights_chart(weights, level="D")


# ----------------------------------------------------------------------------- sunburst
def test_sunburst_wedges_are_global_weights_under_their_parent(weights):
    fig = sunburst_chart(weights, names=NAMES_ZH, lang="zh", note="注")
    _png(fig)
    ax = fig.axes[0]
    wedges = [p for p in ax.patches if hasattr(p, "theta1")]
    assert len(wedges) == 6  # two dimensions, four sub-indicators
    spans = {round((w.theta2 - w.theta1) / 360, 6) for w in wedges}
    assert spans == {0.4, 0.6, 0.28, 0.12, 0.3}
    inner, outer = wedges[:2], wedges[2:]
    # C01, C02 (children of B1) lie inside B1's wedge, C03, C04 inside B2's
    for parent, kids in ((inner[0], outer[:2]), (inner[1], outer[2:])):
        span = parent.theta2 - parent.theta1
        for kid in kids:
            middle = (kid.theta1 + kid.theta2) / 2
            assert (middle - parent.theta1) % 360 <= span
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["B1 科学  0.400", "B2 参与  0.600"]
    assert {"B1", "B2", "C01", "C04"} <= set(_texts(fig))
    with pytest.raises(ChartDataError, match="one goal row"):
        sunburst_chart(weights.drop(index="A").assign(parent=None))


# ----------------------------------------------------------------------------- tornado
def test_tornado_sorts_by_range():
    sens = pd.DataFrame({"parameter": ["B1", "B2", "B3"], "low": [3.77, 3.70, 3.76],
                         "high": [3.79, 3.85, 3.80], "base": 3.78})
    fig = tornado_chart(sens, names=NAMES_ZH, lang="zh", note="注")
    _png(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["参与", "透明", "科学"]
    assert "权重敏感性" in _texts(fig)
    with pytest.raises(ChartDataError, match="base"):
        tornado_chart(sens.drop(columns="base"))


def test_tornado_with_varying_base_and_rank_outcome():
    sens = pd.DataFrame({"parameter": ["B1", "B2"], "low": [5.0, 2.0], "high": [3.0, 9.0],
                         "base": [4.0, 6.0]})
    fig = tornado_chart(sens, xlabel="名次", lang="zh")
    _png(fig)
    assert fig.axes[0].get_xlabel() == "名次"


# ----------------------------------------------------------------------------- pairwise
def test_pairwise_chart_blanks_diagonal_and_annotates_percent():
    names = ["芦花社区", "石桥里社区", "翠岭社区"]
    p = pd.DataFrame([[0.0, 0.9, 0.97], [0.1, 0.0, 0.6], [0.03, 0.4, 0.0]],
                     index=names, columns=names)
    fig = pairwise_probability_chart(p, lang="zh", note="注")
    _png(fig)
    texts = _texts(fig)
    assert {"90", "97", "10", "60", "3", "40"} <= set(texts)
    assert "0" not in texts  # the diagonal is not annotated
    with pytest.raises(ChartDataError, match="same communities"):
        pairwise_probability_chart(p.iloc[:, ::-1])


# ----------------------------------------------------------------------------- helpers
def test_wrap_and_shorten_labels():
    justice = "Justice (rule of law and fairness)"
    assert wrap_label(justice, 17) == "Justice (rule of\nlaw and fairness)"
    assert wrap_label(justice, 16) == "Justice (rule of\nlaw and\nfairness)"
    assert wrap_label("治理流程科学度", 6) == "治理流\n程科学\n度"
    assert shorten_label("平台促进了社会组织参与社区议事", 10) == "平台促进…"
    assert shorten_label("short", 10) == "short"


def test_save_figure_writes_png_at_150_dpi(tmp_path, ranking):
    fig = ranking_chart(ranking)
    path = tmp_path / "r.png"
    save_figure(fig, path)
    assert path.read_bytes().startswith(PNG)
    buffer = BytesIO()
    save_figure(fig, buffer, dpi=75)
    small = len(buffer.getvalue())
    assert small < path.stat().st_size
    width = int.from_bytes(path.read_bytes()[16:20], "big")
    assert width > fig.get_figwidth() * 150 * 0.9
