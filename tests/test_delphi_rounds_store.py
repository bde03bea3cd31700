"""Delphi rounds in the store, the Delphi files (CSV, workbooks) and ``shanzhi delphi``."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK

from ahp.hierarchy import Hierarchy
from cli.main import main
from delphi import DelphiError, KeepRule
from panel.delphi_files import (
    DelphiRatings,
    analyse_rounds,
    delphi_indicators,
    read_delphi_csv,
    read_delphi_xlsx,
    write_delphi_template,
)
from panel.delphi_rounds import DelphiExpert, DelphiOrganizer
from panel.store import JudgmentStore, TokenError

SECRET = "delphi-secret"


@pytest.fixture(scope="module")
def framework() -> Hierarchy:
    return Hierarchy.from_csv(SAMPLE_FRAMEWORK)


def long_ratings(framework: Hierarchy, experts: int = 15, seed: int = 1) -> pd.DataFrame:
    codes = delphi_indicators(framework)
    rng = np.random.default_rng(seed)
    base = rng.uniform(2.8, 4.8, len(codes))
    rows = []
    fams = ["很熟悉", "熟悉", "较熟悉", "一般"]
    for e in range(1, experts + 1):
        x = np.clip(np.round(base + rng.normal(0, 0.7, len(codes))), 1, 5)
        for i, c in enumerate(codes):
            first = i == 0
            rows.append({"expert": f"X{e:02d}", "indicator": c, "rating": int(x[i]),
                         "comment": "=合并" if (e == 3 and i == 5) else "",
                         "familiarity": fams[e % 4] if first else "",
                         "basis_theory": "大" if first else "",
                         "basis_practice": "中" if first else "",
                         "basis_peers": "小" if first else "",
                         "basis_intuition": "小" if first else ""})
    return pd.DataFrame(rows)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ files and CLI
def test_csv_reads_self_ratings_and_authority(framework, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    long_ratings(framework).to_csv(path, index=False)
    data = read_delphi_csv(path, framework)
    assert data.rounds == [1]
    fam, basis = data.self_ratings(1)
    assert fam["X01"] == "熟悉" and basis["X01"]["practice"] == "中"
    analysis = analyse_rounds(data, framework, rule=KeepRule())
    r = analysis.rounds[0]
    assert r.responded == 15 and r.response_rate == 1.0
    # Ca = 0.3 + 0.4 + 0.1 + 0.1 = 0.9; Cs of 熟悉 = 0.8 → Cr = 0.85
    assert r.authority.loc["X01", "cr"] == pytest.approx(0.85)
    assert r.kendall.df == len(delphi_indicators(framework)) - 1
    assert set(analysis.kept["code"]) <= set(framework.nodes)
    assert data.comments(1)["comment"].tolist() == ["=合并"]


def test_cli_delphi_prints_rounds_and_writes_sheet_and_framework(framework, tmp_path) -> None:
    path = tmp_path / "r.csv"
    long_ratings(framework).to_csv(path, index=False)
    status, out, err = run("delphi", "--ratings", str(path), "--framework", str(SAMPLE_FRAMEWORK),
                           "--out", str(tmp_path / "d.xlsx"), "--kept-framework",
                           str(tmp_path / "kept.csv"), "--max-cv", "0.3", "--lang", "en")
    assert status == 0, err
    assert "response rate 积极系数 15/15 = 100.0%" in out and "Kendall W" in out
    assert "DROP 删除" in out and "keep 保留" in out
    book = load_workbook(tmp_path / "d.xlsx")
    assert "德尔菲 Delphi" in book.sheetnames
    cells = [c for row in book["德尔菲 Delphi"].iter_rows(values_only=True) for c in row]
    assert "Kendall's W" in cells and "Full-mark share" in cells
    assert "'=合并" not in cells  # comments are not in the sheet; nothing runs as a formula
    kept = pd.read_csv(tmp_path / "kept.csv")
    assert list(kept.columns) == ["level", "code", "parent", "name_zh", "name_en", "source",
                                  "reverse"]


def test_cli_delphi_bad_input_is_one_line(framework, tmp_path) -> None:
    frame = long_ratings(framework, experts=1)
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    status, out, err = run("delphi", "--ratings", str(path), "--framework", str(SAMPLE_FRAMEWORK))
    assert status == 2 and "at least 2 experts" in err and err.count("\n") == 1
    frame = long_ratings(framework, experts=3)
    frame["rating"] = frame["rating"].astype(object)
    frame.loc[frame["expert"] == "X02", "rating"] = ""
    frame.to_csv(path, index=False)
    status, out, err = run("delphi", "--ratings", str(path), "--framework", str(SAMPLE_FRAMEWORK))
    assert status == 0 and "rated nothing" in out and "X02" in out
    frame.loc[0, "rating"] = "7"
    frame.to_csv(path, index=False)
    status, out, err = run("delphi", "--ratings", str(path), "--framework", str(SAMPLE_FRAMEWORK))
    assert status == 2 and "line 2" in err and "'7'" in err


def test_workbook_round_trip(framework, tmp_path) -> None:
    codes = delphi_indicators(framework)[:10]
    ratings = {c: (i % 5) + 1 for i, c in enumerate(codes)}
    path = tmp_path / "E01.xlsx"
    write_delphi_template(framework, path, "=HYPERLINK(1)", round_number=2, indicators=codes,
                          ratings=ratings, comments={codes[0]: "+太宽"}, familiarity="熟悉",
                          basis={"theory": "大", "practice": "大", "peers": "中",
                                 "intuition": "小"})
    data = read_delphi_xlsx(path, framework)
    assert data.rounds == [2]
    assert set(data.ratings["expert"]) == {"=HYPERLINK(1)"}
    assert dict(zip(data.ratings["indicator"], data.ratings["rating"], strict=True)) == ratings
    assert data.ratings["comment"].iloc[0] == "+太宽"
    fam, _basis = data.self_ratings(2)
    assert fam == {"=HYPERLINK(1)": "熟悉"}
    book = load_workbook(path)
    assert book["评分 Ratings"]["B1"].data_type == "s"
    template = tmp_path / "t.xlsx"
    status, _out, _ = run("template", "delphi", "--framework", str(SAMPLE_FRAMEWORK), "--out",
                         str(template))
    assert status == 0
    with pytest.raises(DelphiError, match=r"no indicators|2 experts"):
        analyse_rounds(read_delphi_xlsx(template, framework), framework)


# ------------------------------------------------------------------ store
@pytest.fixture()
def study(tmp_path):
    store = JudgmentStore(tmp_path / "db.sqlite3", organizer_secret=SECRET)
    org = store.create_study("Delphi", SECRET, framework=SAMPLE_FRAMEWORK, study_id="d1")
    by_id = org.create_panel([f"X{i:02d}" for i in range(1, 16)])
    names = dict(zip(org.experts()["expert_id"], org.experts()["name"], strict=True))
    return store, org, {names[e]: token for e, token in by_id.items()}


def test_rounds_persist_and_carry_kept_indicators(study, framework, tmp_path) -> None:
    store, org, tokens = study
    delphi = DelphiOrganizer(org)
    first = delphi.open_round(KeepRule(min_mean=3.5, max_cv=0.25))
    assert first.number == 1 and first.indicators == delphi_indicators(framework)
    long = long_ratings(framework)
    from panel.delphi_files import read_delphi_csv

    path = tmp_path / "r.csv"
    long[long["expert"] != "X15"].to_csv(path, index=False)
    delphi.import_ratings(read_delphi_csv(path, framework))
    expert = DelphiExpert(store.open_expert("d1", tokens["X15"]))
    for code in first.indicators:
        expert.set_rating(code, 4)
    expert.set_comment(first.indicators[0], "请细化")
    expert.set_self_rating("familiar", {"theory": "large"})
    expert.set_self_rating(basis={"practice": "large", "peers": "small", "intuition": "small"})
    # a new store over the same file (a restart) finds everything
    again = DelphiOrganizer(JudgmentStore(store.path, organizer_secret=SECRET)
                            .open_organizer("d1", SECRET))
    stats = again.round_statistics(1)
    assert stats.responded == 15 and stats.kendall is not None
    assert stats.authority.loc["X15", "cr"] == pytest.approx((1.0 + 0.8) / 2)
    progress = again.progress()
    assert progress.set_index("name").loc["X15", "rated"] == len(first.indicators)
    second = again.open_round()
    assert second.number == 2 and second.indicators == stats.kept
    expert = DelphiExpert(store.open_expert("d1", tokens["X15"]))
    feedback = expert.feedback()
    assert list(feedback.index) == stats.kept
    assert "X15" not in feedback.to_string() and "X01" not in feedback.to_string()
    assert expert.ratings() == {}  # a fresh round
    with pytest.raises(DelphiError):
        expert.set_rating(next(c for c in first.indicators if c not in stats.kept), 5)
    for name in ("X01", "X02"):
        e = DelphiExpert(store.open_expert("d1", tokens[name]))
        for code in second.indicators:
            e.set_rating(code, 5 if code != second.indicators[0] else 3)
    analysis = again.analysis()
    assert analysis.numbers == [1, 2]
    assert len(analysis.kept) <= len(framework.to_frame())


def test_single_expert_and_revoked_link(study, framework) -> None:
    store, org, tokens = study
    delphi = DelphiOrganizer(org)
    delphi.open_round()
    expert = DelphiExpert(store.open_expert("d1", tokens["X01"]))
    expert.set_rating("B1", 5)
    with pytest.raises(DelphiError, match="at least 2 experts"):
        delphi.round_statistics(1)
    with pytest.raises(DelphiError, match="at least 2 experts"):
        delphi.open_round()
    org.revoke(org.experts().set_index("name").loc["X01", "expert_id"])
    with pytest.raises(TokenError):
        expert.set_rating("B2", 4)
    with pytest.raises(DelphiError, match="1–5"):
        DelphiExpert(store.open_expert("d1", tokens["X02"])).set_rating("B1", 6)


def test_import_rejects_unknown_experts(study, framework) -> None:
    _, org, _ = study
    delphi = DelphiOrganizer(org)
    delphi.open_round()
    data = DelphiRatings(pd.DataFrame({"round": [1], "expert": ["Nobody"], "indicator": ["B1"],
                                       "rating": [4.0], "comment": [""]}))
    with pytest.raises(DelphiError, match="Nobody"):
        delphi.import_ratings(data)
