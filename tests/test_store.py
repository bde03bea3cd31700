"""Tests for panel.store: persistence, concurrency, access control, import/export."""

from __future__ import annotations

import sqlite3
import sys
import threading
import types
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_zh_ahp_messages import english_words

from ahp.consistency import consistency
from ahp.errors import JudgmentError
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import read_judgments_xlsx
from ahp.panel import PanelJudgments
from panel.store import (
    SCHEMA_VERSION,
    JudgmentStore,
    OrganizerSecretError,
    StoreError,
    TokenError,
    default_db_path,
    expert_link,
    organizer_secret_from_env,
)

SECRET = "organizer-secret-for-tests"
DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE_FRAMEWORK = DATA / "framework.csv"
SAMPLE_WORKBOOKS = DATA / "sample" / "synthetic_expert_workbooks"

# Goal A → B1 (C1, C2, C3), B2 (C4, C5); C items → D items. Compared nodes: A, B1, B2, C1.
FRAMEWORK = """level,code,parent,name_zh,name_en
B,B1,A,科学,Science
B,B2,A,参与,Participation
C,C1,B1,目标,Goals
C,C2,B1,流程,Process
C,C3,B1,预警,Warning
C,C4,B2,主体,Actors
C,C5,B2,途径,Channels
D,D1,C1,条目1,Item 1
D,D2,C1,条目2,Item 2
D,D3,C2,条目3,Item 3
D,D4,C3,条目4,Item 4
D,D5,C4,条目5,Item 5
D,D6,C5,条目6,Item 6
"""


@pytest.fixture
def db(db_target):
    """The database of each test: an SQLite file, then a PostgreSQL database (conftest)."""
    return db_target


def sqlite_only(db) -> None:
    if not isinstance(db, Path):
        pytest.skip("inspects the SQLite file itself")


@pytest.fixture
def store(db: Path) -> JudgmentStore:
    return JudgmentStore(db, organizer_secret=SECRET)


@pytest.fixture
def study(store: JudgmentStore):
    """An organizer session on a study with the small framework and a panel of two."""
    organizer = store.create_study("测试 Test", SECRET, framework=FRAMEWORK, study_id="t1")
    tokens = organizer.create_panel(["张三", "Li Si"])
    return organizer, tokens


# ------------------------------------------------------------------ persistence
def test_judgments_survive_reopening_the_store(db: Path, study):
    _, tokens = study
    expert = JudgmentStore(db).open_expert("t1", tokens["E01"])
    expert.set_judgment("B1", "C1", "C2", 3)
    expert.set_judgment("B1", "C3", "C1", "1/5")  # reversed pair: stored as (C1, C3) = 5
    expert.set_judgment("A", "B1", "B2", "２")  # full-width digit

    restarted = JudgmentStore(db)  # a new store object on the same file: an app restart
    again = restarted.open_expert("t1", tokens["E01"])
    assert again.judgments("B1") == {("C1", "C2"): 3.0, ("C1", "C3"): 5.0}
    assert again.judgments("A") == {("B1", "B2"): 2.0}
    assert again.name == "张三"
    assert restarted.schema_version() == SCHEMA_VERSION


def test_database_uses_wal_and_one_row_per_cell(db: Path, study):
    _, tokens = study
    sqlite_only(db)
    expert = JudgmentStore(db).open_expert("t1", tokens["E01"])
    for value in (3, 5, "1/7", 9):
        expert.set_judgment("B1", "C1", "C2", value)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("SELECT row_code, col_code, value FROM judgments").fetchall()
    assert rows == [("C1", "C2", 9.0)]


def test_matrix_is_reciprocal_in_hierarchy_order(store, study):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E02"])
    expert.set_judgment("B1", "C2", "C1", 4)
    matrix = expert.matrix("B1")
    expected = np.array([[1, 0.25, np.nan], [4, 1, np.nan], [np.nan, np.nan, 1]])
    np.testing.assert_allclose(matrix, expected)


# ------------------------------------------------------------------ concurrency
def _write_many(store: JudgmentStore, token: str, cells, barrier: threading.Barrier):
    session = store.open_expert("t1", token)
    barrier.wait()
    for node, row, col, value in cells:
        session.set_judgment(node, row, col, value)


def _cells_for(seed: int) -> list[tuple[str, str, str, float]]:
    rng = np.random.default_rng(seed)
    pairs = [("A", "B1", "B2"), ("B1", "C1", "C2"), ("B1", "C1", "C3"), ("B1", "C2", "C3"),
             ("B2", "C4", "C5"), ("C1", "D1", "D2")]
    values = rng.choice([1 / 9, 1 / 5, 1 / 3, 1, 2, 3, 5, 7, 9], size=(8, len(pairs)))
    return [(*pair, float(v)) for row in values for pair, v in zip(pairs, row, strict=True)]


def _stored_cells(table: pd.DataFrame, expert: str) -> dict[tuple[str, str, str], float]:
    rows = table[table["expert"] == expert]
    keys = zip(rows["node"], rows["row"], rows["col"], strict=True)
    return dict(zip(keys, rows["value"], strict=True))


def test_two_threads_two_experts_lose_nothing(db: Path, study):
    _, tokens = study
    barrier = threading.Barrier(2)
    cells = {"E01": _cells_for(1), "E02": _cells_for(2)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(_write_many, JudgmentStore(db), tokens[e], cells[e], barrier)
                for e in ("E01", "E02")]
        for job in jobs:
            job.result()  # re-raises any error of the thread (e.g. "database is locked")
    organizer = JudgmentStore(db, organizer_secret=SECRET).open_organizer("t1", SECRET)
    table = organizer.judgments(label="id")
    for expert_id, written in cells.items():
        last = {(n, r, c): v for n, r, c, v in written}  # the final value of each cell
        assert _stored_cells(table, expert_id) == last


def test_two_threads_same_expert_different_cells(db: Path, study):
    _, tokens = study
    barrier = threading.Barrier(2)
    first = [("B1", "C1", "C2", 3.0), ("B1", "C1", "C3", 5.0), ("A", "B1", "B2", 2.0)] * 8
    second = [("B1", "C2", "C3", 1 / 3), ("B2", "C4", "C5", 7.0), ("C1", "D1", "D2", 0.5)] * 8
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(_write_many, JudgmentStore(db), tokens["E01"], c, barrier)
                for c in (first, second)]
        for job in jobs:
            job.result()
    expert = JudgmentStore(db).open_expert("t1", tokens["E01"])
    assert expert.judgments("B1") == pytest.approx(
        {("C1", "C2"): 3.0, ("C1", "C3"): 5.0, ("C2", "C3"): 1 / 3}
    )
    assert expert.judgments("A") == {("B1", "B2"): 2.0}
    assert expert.judgments("B2") == {("C4", "C5"): 7.0}
    assert expert.judgments("C1") == {("D1", "D2"): 0.5}


def _process_writer(path: str, token: str, seed: int) -> int:
    session = JudgmentStore(path).open_expert("t1", token)
    cells = _cells_for(seed)
    for node, row, col, value in cells:
        session.set_judgment(node, row, col, value)
    return len(cells)


def test_two_processes_write_concurrently(db: Path, study, monkeypatch):
    organizer, tokens = study
    # "spawn" re-runs the parent's __main__ in each worker; after the Streamlit AppTest tests
    # that is app.py, so give the workers a bare __main__ to import instead.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        jobs = [pool.submit(_process_writer, str(db), tokens[e], s)
                for e, s in (("E01", 11), ("E02", 12))]
        assert [job.result() for job in jobs] == [48, 48]
    table = organizer.judgments(label="id")
    for expert_id, seed in (("E01", 11), ("E02", 12)):
        last = {(n, r, c): v for n, r, c, v in _cells_for(seed)}
        assert _stored_cells(table, expert_id) == last


# ------------------------------------------------------------------ expert tokens
def test_wrong_missing_and_other_study_tokens_are_refused(store, study):
    _, tokens = study
    other = store.create_study("Other", SECRET, framework=FRAMEWORK, study_id="t2")
    other_tokens = other.create_panel(["王五"])
    with pytest.raises(TokenError, match=r"study 't1': no expert token given"):
        store.open_expert("t1", None)
    with pytest.raises(TokenError, match="no expert token given"):
        store.open_expert("t1", "   ")
    with pytest.raises(TokenError, match=r"study 't1': the expert token is not valid"):
        store.open_expert("t1", tokens["E01"][:-1] + ("A" if tokens["E01"][-1] != "A" else "B"))
    with pytest.raises(TokenError, match="not valid for this study"):
        store.open_expert("t1", other_tokens["E01"])
    with pytest.raises(TokenError, match="not valid for this study"):
        store.open_expert("t1", "x" * 10_000)
    with pytest.raises(StoreError, match="study 'nope' does not exist"):
        store.open_expert("nope", tokens["E01"])
    assert store.authenticate("t1", tokens["E02"]) == "E02"
    assert store.authenticate("t2", other_tokens["E01"]) == "E01"


def test_an_expert_sees_and_changes_only_their_own_judgments(store, study):
    _, tokens = study
    zhang = store.open_expert("t1", tokens["E01"])
    li = store.open_expert("t1", tokens["E02"])
    zhang.set_judgment("B1", "C1", "C2", 7)
    li.set_judgment("B1", "C1", "C2", "1/3")
    assert zhang.judgments("B1") == {("C1", "C2"): 7.0}
    assert li.judgments("B1") == pytest.approx({("C1", "C2"): 1 / 3})
    assert li.clear_judgment("B1", "C2", "C1") is True
    assert zhang.judgments("B1") == {("C1", "C2"): 7.0}  # untouched by Li's delete
    assert li.judgments("B1") == {}
    assert set(li.export()["expert"]) == set()
    assert list(zhang.export()["expert"]) == ["张三"]
    # another expert's name in an import is refused, not written under their id
    frame = pd.DataFrame([{"expert": "张三", "node": "A", "row": "B1", "col": "B2", "value": 9}])
    with pytest.raises(StoreError, match="expert '张三' is not in this panel"):
        li.import_judgments(frame)
    assert zhang.judgments("A") == {}


def test_revoked_and_reissued_tokens_stop_working_at_once(store, study):
    organizer, tokens = study
    session = store.open_expert("t1", tokens["E01"])
    session.set_judgment("A", "B1", "B2", 3)
    organizer.revoke("E01")
    with pytest.raises(TokenError, match="revoked or replaced"):
        session.set_judgment("A", "B1", "B2", 5)  # the open session is cut off
    with pytest.raises(TokenError, match="revoked or replaced"):
        session.judgments("A")
    with pytest.raises(TokenError, match="revoked or replaced"):
        store.open_expert("t1", tokens["E01"])
    new = organizer.reissue("E01")
    assert new != tokens["E01"]
    assert store.open_expert("t1", new).judgments("A") == {("B1", "B2"): 3.0}  # kept
    with pytest.raises(TokenError, match="revoked or replaced"):
        store.open_expert("t1", tokens["E01"])
    newer = organizer.reissue("E01")  # reissue without revoking first
    with pytest.raises(TokenError, match="revoked or replaced"):
        store.open_expert("t1", new)
    assert store.authenticate("t1", newer) == "E01"
    assert organizer.experts().set_index("expert_id")["access"].to_dict() == {
        "E01": "active",
        "E02": "active",
    }


def test_tokens_are_not_stored_in_plain_text(db: Path, store, study):
    sqlite_only(db)
    organizer, tokens = study
    store.open_expert("t1", tokens["E01"]).set_judgment("A", "B1", "B2", 3)
    organizer.revoke("E02")
    raw = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    dump = "\n".join(sqlite3.connect(db).iterdump())
    for token in tokens.values():
        assert len(token) >= 43  # 32 random bytes, URL-safe base64
        assert token.encode() not in raw
        assert token not in dump
    assert SECRET not in dump and SECRET.encode() not in raw
    hashes = [h for (h,) in sqlite3.connect(db).execute("SELECT token_hash FROM experts")]
    assert hashes[0].startswith("hmac-sha256$") and hashes[1] is None


# ------------------------------------------------------------------ organizer secret
def test_organizer_secret_wrong_missing_or_unconfigured(db: Path, study):
    store = JudgmentStore(db, organizer_secret=SECRET)
    with pytest.raises(OrganizerSecretError, match="wrong organizer secret"):
        store.open_organizer("t1", SECRET + "x")
    with pytest.raises(OrganizerSecretError, match="no organizer secret given"):
        store.open_organizer("t1", None)
    with pytest.raises(OrganizerSecretError, match="no organizer secret given"):
        store.open_organizer("t1", "")
    with pytest.raises(OrganizerSecretError, match="wrong organizer secret"):
        store.create_study("Sneaky", "guess")
    unconfigured = JudgmentStore(db)
    with pytest.raises(OrganizerSecretError, match="SHANZHI_ORGANIZER_SECRET"):
        unconfigured.open_organizer("t1", SECRET)
    assert store.open_organizer("t1", f" {SECRET} ").study.name == "测试 Test"


def test_secret_and_path_from_environment(tmp_path: Path):
    assert organizer_secret_from_env({"SHANZHI_ORGANIZER_SECRET": " s3cret "}) == "s3cret"
    assert organizer_secret_from_env({"SHANZHI_ORGANIZER_SECRET": "  "}) is None
    assert organizer_secret_from_env({}) is None
    assert default_db_path({"SHANZHI_DB": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    assert default_db_path({}).name == "shanzhi.sqlite3"
    link = expert_link("http://localhost:8501/expert", "t1", "a+b/c")
    assert link == "http://localhost:8501/expert?study=t1&token=a%2Bb%2Fc"
    assert expert_link("http://h/?lang=zh", "t1", "x") == "http://h/?lang=zh&study=t1&token=x"


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("node", "row", "col", "value", "message"),
    [
        ("B1", "C1", "C2", 10, "10 is not on the Saaty scale"),
        ("B1", "C1", "C2", "1/10", "0.1 is not on the Saaty scale"),
        ("B1", "C1", "C2", 2.5, "2.5 is not on the Saaty scale"),
        ("B1", "C1", "C2", 0, "0 is not on the Saaty scale"),
        ("B1", "C1", "C2", "abc", "not a number"),
        ("B1", "C1", "C2", "", "blank"),
        ("B1", "C1", "C2", float("nan"), "blank"),
        ("B1", "C1", "C1", 3, "not compared with itself"),
        ("B1", "C1", "C4", 3, "'C4' is not a child of node 'B1'"),
        ("B9", "C1", "C2", 3, "node 'B9' is not in the study's framework"),
        ("D1", "C1", "C2", 3, "node 'D1' has 0 child"),
        ("C2", "D3", "D4", 3, "node 'C2' has 1 child"),
    ],
)
def test_invalid_judgments_name_the_place(store, study, node, row, col, value, message):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E01"])
    with pytest.raises(JudgmentError, match=message) as info:
        expert.set_judgment(node, row, col, value)
    assert "study 't1', expert 'E01', node" in str(info.value)
    zh = info.value.text("zh")  # the expert page in Chinese: the same place, in Chinese
    assert zh.startswith(f"研究“t1”，专家“E01”，节点“{node}”，单元格（{row}，{col}）："), zh
    assert not english_words(zh, ("abc",)), zh


def test_study_without_framework_accepts_any_codes(store):
    organizer = store.create_study("Free", SECRET, study_id="free", extended_scale=True)
    tokens = organizer.create_panel(["A. Expert"])
    expert = store.open_expert("free", tokens["E01"])
    expert.set_judgment("root", "zeta", "alpha", 2.5)  # extended scale; stored as (alpha, zeta)
    assert expert.judgments("root") == pytest.approx({("alpha", "zeta"): 0.4})
    with pytest.raises(JudgmentError, match="12 is not on the Saaty scale"):
        expert.set_judgment("root", "zeta", "alpha", 12)
    with pytest.raises(StoreError, match="has no framework"):
        expert.matrix("root")
    assert expert.progress().table["node"].tolist() == ["root"]


def test_study_settings_are_checked(store, tmp_path: Path):
    with pytest.raises(StoreError, match="ri_table must be one of"):
        store.create_study("X", SECRET, ri_table="made-up")
    with pytest.raises(StoreError, match="threshold must be in"):
        store.create_study("X", SECRET, threshold=1.5)
    with pytest.raises(StoreError, match="study id"):
        store.create_study("X", SECRET, study_id="a b")
    with pytest.raises(StoreError, match="cannot be read"):
        store.create_study("X", SECRET, framework=tmp_path / "missing.csv")
    path = tmp_path / "framework.csv"
    path.write_text(FRAMEWORK, encoding="utf-8")
    organizer = store.create_study("From file", SECRET, framework=path, study_id="f")
    path.unlink()  # the study keeps its own copy of the framework
    assert JudgmentStore(store.path).study("f").hierarchy.compared_nodes() == [
        "A", "B1", "B2", "C1"
    ]
    with pytest.raises(StoreError, match="already exists"):
        store.create_study("Again", SECRET, study_id="f")
    assert organizer.study_id in set(store.studies()["study_id"])
    with pytest.raises(StoreError, match=":memory:"):
        JudgmentStore(":memory:")


def test_panel_names_are_checked(study):
    organizer, _ = study
    with pytest.raises(StoreError, match="already on the panel"):
        organizer.create_panel(["张三"])
    with pytest.raises(StoreError, match="given twice"):
        organizer.create_panel(["Wang", "Wang"])
    for clash in (["E02"], ["E2"], ["E5", "E005"]):  # E02 is Li Si's id; E5 = E005
        with pytest.raises(StoreError, match="look like the id of another expert"):
            organizer.create_panel(clash)
    with pytest.raises(StoreError, match="non-empty"):
        organizer.create_panel([" "])
    assert list(organizer.create_panel(["Wang"])) == ["E03"]
    # a name shaped like a free id becomes the id as well; new numbers continue after it
    assert list(organizer.create_panel(["Zhao", "E07"])) == ["E08", "E07"]
    experts = organizer.experts()
    names = dict(zip(experts["expert_id"], experts["name"], strict=True))
    assert (names["E07"], names["E08"]) == ("E07", "Zhao")


# ------------------------------------------------------------------ done marks and progress
def test_mark_done_needs_all_judgments_and_a_confirmed_high_cr(store, study):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E01"])
    expert.set_judgment("B1", "C1", "C2", 9)
    with pytest.raises(StoreError, match="give the node's CR"):
        expert.mark_done("B1", None)
    with pytest.raises(StoreError, match="2 of 3 judgments are still missing"):
        expert.mark_done("B1", 0.0)
    expert.set_judgment("B1", "C2", "C3", 9)
    expert.set_judgment("B1", "C1", "C3", "1/9")  # very inconsistent
    cr = float(consistency(expert.matrix("B1")).cr)
    assert cr > 0.10
    with pytest.raises(StoreError, match=r"CR = .* is not below 0.1; revise"):
        expert.mark_done("B1", cr)
    expert.mark_done("B1", cr, confirmed=True)
    with pytest.raises(StoreError, match="1 of 1 judgments are still missing"):
        expert.mark_done("A", None)  # two children: no CR needed, but the judgment is
    progress = expert.progress()
    row = progress.table.set_index("node").loc["B1"]
    assert bool(row["done"]) and bool(row["confirmed_inconsistent"])
    assert row["cr"] == pytest.approx(cr) and row["pairs"] == 3 and row["filled"] == 3
    assert progress.table["node"].tolist() == ["A", "B1", "B2", "C1"]
    assert progress.table.set_index("node").loc["A", "filled"] == 0
    assert (progress.nodes_done, progress.nodes_total) == (1, 4)


def test_changing_a_judgment_reopens_the_node(store, study):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E01"])
    expert.set_judgment("A", "B1", "B2", 3)
    expert.mark_done("A", None)
    assert expert.progress().next_node == "B1"
    expert.set_judgment("A", "B2", "B1", 3)
    progress = expert.progress()
    assert progress.nodes_done == 0 and progress.next_node == "A"
    expert.mark_done("A", 0.0)
    expert.reopen("A")
    assert expert.progress().fraction_done == 0.0


def test_organizer_progress_covers_every_expert_and_node(store, study):
    organizer, tokens = study
    store.open_expert("t1", tokens["E02"]).set_judgment("C1", "D1", "D2", 2)
    progress = organizer.progress()
    assert progress.shape[0] == 2 * 4
    assert progress[["expert_id", "node"]].iloc[-1].tolist() == ["E02", "C1"]
    assert progress["filled"].sum() == 1
    experts = organizer.experts()
    assert experts["judgments"].tolist() == [0, 1]
    assert experts["name"].tolist() == ["张三", "Li Si"]


# ------------------------------------------------------------------ import and export
def test_export_import_round_trip(tmp_path: Path, study):
    organizer, tokens = study
    store = organizer._store
    zhang = store.open_expert("t1", tokens["E01"])
    li = store.open_expert("t1", tokens["E02"])
    for node, row, col, value in [("A", "B1", "B2", 3), ("B1", "C1", "C2", 5),
                                  ("B1", "C1", "C3", "1/2"), ("C1", "D1", "D2", 9)]:
        zhang.set_judgment(node, row, col, value)
    li.set_judgment("B2", "C5", "C4", 4)
    exported = organizer.judgments()
    assert list(exported.columns) == ["expert", "node", "row", "col", "value"]
    assert exported["node"].tolist() == ["A", "B1", "B1", "C1", "B2"]
    assert exported.iloc[-1].tolist() == ["Li Si", "B2", "C4", "C5", 0.25]

    csv = tmp_path / "judgments.csv"
    exported.to_csv(csv, index=False)
    target = JudgmentStore(tmp_path / "copy.sqlite3", organizer_secret=SECRET)
    copy = target.create_study("Copy", SECRET, framework=FRAMEWORK, study_id="t1")
    result = copy.import_judgments(pd.read_csv(csv), add_experts=True)
    assert result.cells == 5 and result.skipped == 0
    assert sorted(result.tokens) == ["E01", "E02"]
    pd.testing.assert_frame_equal(copy.judgments(), exported)
    assert target.open_expert("t1", result.tokens["E02"]).judgments("B2") == {("C4", "C5"): 0.25}


def test_bundled_expert_workbooks_import_into_a_new_study(store):
    """The sample workbooks name their experts E01 … E25: each joins the panel under that id."""
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    books = read_judgments_xlsx(SAMPLE_WORKBOOKS, hierarchy)
    organizer = store.create_study("样例 Sample", SECRET, framework=SAMPLE_FRAMEWORK, study_id="w")
    result = organizer.import_judgments(books.table, add_experts=True)
    ids = [f"E{k:02d}" for k in range(1, 26)]
    assert list(result.tokens) == ids and result.skipped == 0
    assert result.cells == len(books.table)
    experts = organizer.experts()
    assert experts["expert_id"].tolist() == ids and experts["name"].tolist() == ids
    key = ["expert", "node", "row", "col"]
    pd.testing.assert_frame_equal(
        organizer.judgments().sort_values(key).reset_index(drop=True),
        books.table.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    expert = store.open_expert("w", result.tokens["E07"])
    assert expert.name == "E07" and expert.matrix("A").shape == (7, 7)
    again = organizer.import_judgments(books.table, add_experts=True)  # same names: no new experts
    assert again.tokens == {} and len(organizer.experts()) == 25


def test_import_checks_every_row_and_writes_all_or_nothing(study):
    organizer, _ = study
    good = {"expert": "E01", "node": "A", "row": "B1", "col": "B2", "value": "3"}
    rows = [good, {**good, "node": "B1", "row": "C1", "col": "C2", "value": 11}]
    message = r"expert 'E01', node 'B1', cell \(C1, C2\): 11 is not on the Saaty"
    with pytest.raises(JudgmentError, match=message):
        organizer.import_judgments(pd.DataFrame(rows))
    assert organizer.judgments().empty  # nothing written
    with pytest.raises(JudgmentError, match="judged more than once"):
        organizer.import_judgments(pd.DataFrame([good, good]))
    contradicting = [good, {**good, "row": "B2", "col": "B1", "value": "3"}]
    with pytest.raises(JudgmentError, match="contradictory judgments"):
        organizer.import_judgments(pd.DataFrame(contradicting))
    with pytest.raises(JudgmentError, match="node 'B9' is not in the study's framework"):
        organizer.import_judgments(pd.DataFrame([{**good, "node": "B9"}]))
    with pytest.raises(JudgmentError, match="'C1' is not a child of node 'A'"):
        organizer.import_judgments(pd.DataFrame([{**good, "row": "C1"}]))
    assert organizer.judgments().empty
    with pytest.raises(StoreError, match="expert 'Nobody' is not in this panel"):
        organizer.import_judgments(pd.DataFrame([{**good, "expert": "Nobody"}]))
    with pytest.raises(StoreError, match="lacks column"):
        organizer.import_judgments(pd.DataFrame([{"expert": "E01"}]))
    blank = {**good, "node": "B2", "row": "C4", "col": "C5", "value": None}
    reciprocal = {**good, "row": "B2", "col": "B1", "value": 1 / 3}  # agrees with good
    diagonal = {**good, "row": "B1", "col": "B1", "value": 1}
    result = organizer.import_judgments(pd.DataFrame([good, blank, reciprocal, diagonal]))
    assert (result.cells, result.skipped, result.nodes) == (1, 3, [("E01", "A")])
    assert organizer.judgments()["value"].tolist() == [3.0]


def test_import_replace_drops_old_cells_of_the_node(store, study):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E01"])
    expert.set_judgment("B1", "C1", "C2", 3)
    expert.set_judgment("B1", "C2", "C3", 3)
    expert.set_judgment("A", "B1", "B2", 3)
    frame = pd.DataFrame([{"expert": "张三", "node": "B1", "row": "C1", "col": "C3", "value": 2}])
    expert.import_judgments(frame, replace=True)
    assert expert.judgments("B1") == {("C1", "C3"): 2.0}
    assert expert.judgments("A") == {("B1", "B2"): 3.0}


def test_remove_expert_deletes_their_rows(store, study):
    organizer, tokens = study
    store.open_expert("t1", tokens["E01"]).set_judgment("A", "B1", "B2", 3)
    organizer.remove_expert("E01")
    assert organizer.judgments().empty
    with pytest.raises(TokenError):
        store.open_expert("t1", tokens["E01"])
    with pytest.raises(StoreError, match="no expert 'E01'"):
        organizer.revoke("E01")


@pytest.mark.parametrize("extended_scale", [False, True])
def test_values_are_checked_exactly_as_panel_judgments_checks_them(store, extended_scale):
    """A single judgment is accepted (and snapped) iff PanelJudgments accepts it."""
    organizer = store.create_study(
        "Scale", SECRET, framework=FRAMEWORK, study_id="s", extended_scale=extended_scale
    )
    expert = store.open_expert("s", organizer.create_panel(["Z"])["E01"])
    candidates = [1 / 9.5, 1 / 9, 0.115, 0.14, 1 / 7, 0.2, 0.25, 0.33, 0.45, 0.5, 0.7, 1, 1.04,
                  1.3, 1.5, 2, 2.08, 2.5, 3, 3.3, 4.2, 6.5, 8.6, 9, 9.4, 10, 0, -1]
    for value in candidates:
        one = {"expert": "Z", "node": "A", "row": "B1", "col": "B2", "value": value}
        try:
            expected = PanelJudgments(pd.DataFrame([one]), extended_scale=extended_scale)
        except JudgmentError:
            with pytest.raises(JudgmentError, match="not on the Saaty scale"):
                expert.set_judgment("A", "B1", "B2", value)
            continue
        expert.set_judgment("A", "B1", "B2", value)
        assert expert.judgments("A")[("B1", "B2")] == expected.table["value"].iloc[0], value


def test_organizer_panel_feeds_the_panel_engine(store, study):
    organizer, tokens = study
    expert = store.open_expert("t1", tokens["E02"])
    expert.set_judgment("B1", "C3", "C1", 3)
    expert.set_judgment("B1", "C1", "C2", "1/2")
    panel = organizer.panel()
    assert panel.experts == ["Li Si"]
    _, stack = panel.stack("B1", ["C1", "C2", "C3"])
    np.testing.assert_allclose(stack[0], expert.matrix("B1"))
    assert organizer.judgments()["expert"].dtype == PanelJudgments(
        organizer.judgments()
    ).table["expert"].dtype


def test_schema_migrations_upgrade_old_files_and_refuse_newer_ones(tmp_path: Path):
    empty = tmp_path / "old.sqlite3"
    with sqlite3.connect(empty) as conn:  # a file from before any migration
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    assert JudgmentStore(empty).schema_version() == SCHEMA_VERSION
    with sqlite3.connect(empty) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    assert {"studies", "experts", "judgments", "node_status", "revoked_tokens"} <= tables
    with pytest.raises(StoreError, match="newer than this program"):
        JudgmentStore(empty)


def test_matrix_needs_a_compared_node(store, study):
    _, tokens = study
    expert = store.open_expert("t1", tokens["E01"])
    with pytest.raises(JudgmentError, match="node 'D1' has 0 child"):
        expert.matrix("D1")
    np.testing.assert_array_equal(expert.matrix("A"), [[1, np.nan], [np.nan, 1]])
