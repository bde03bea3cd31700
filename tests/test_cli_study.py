"""``shanzhi study …``: the full cycle by command line, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from cli.main import main
from panel.store import JudgmentStore


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_study_cycle_by_cli(db_target, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("SHANZHI_ORGANIZER_SECRET", raising=False)
    db = str(db_target)
    status, out, _ = run(capsys, "study", "create", "--db", db, "--name", "杭州 [2024]",
                         "--framework", str(SAMPLE_FRAMEWORK))
    assert status == 0
    sid = out.strip().splitlines()[-1]
    base = ["--db", db, "--study", sid]
    judged = run(capsys, "study", "add-judgments", *base, "--judgments", str(SAMPLE_JUDGMENTS))
    assert judged[0] == 0
    status, out, _ = run(capsys, "study", "add-wave", *base, "--wave", "2023",
                         "--responses", str(SAMPLE_RESPONSES))
    assert status == 0 and "405 received, 370 valid" in out
    status, _, err = run(capsys, "study", "add-wave", *base, "--wave", "again",
                         "--responses", str(SAMPLE_RESPONSES))
    assert status == 2 and "already stored as wave '2023'" in err
    assert run(capsys, "study", "publish", *base, "--bootstrap", "50")[0] == 0
    status, out, _ = run(capsys, "study", "show", *base, "--format", "csv")
    ranking = pd.read_csv(io.StringIO(out))
    assert list(ranking.columns) == ["community", "score", "ci_low", "ci_high", "rank", "n"]
    assert len(ranking) >= 20 and ranking["rank"].min() == 1
    # a second wave: the same questionnaire with one community's answers raised
    frame = pd.read_excel(SAMPLE_RESPONSES, dtype=str, engine="openpyxl")
    second = tmp_path / "wave2024.csv"
    last_item = [c for c in frame.columns if c.split("、", 1)[-1].startswith("(")][-1]
    frame.loc[frame.index[:40], last_item] = "非常不同意"
    frame.to_csv(second, index=False)
    assert run(capsys, "study", "add-wave", *base, "--wave", "2024",
               "--responses", str(second))[0] == 0
    assert run(capsys, "study", "state", *base)[1].strip() == "collecting"
    assert run(capsys, "study", "publish", *base, "--bootstrap", "50")[0] == 0
    status, out, _ = run(capsys, "study", "changes", *base, "--format", "csv")
    changes = pd.read_csv(io.StringIO(out))
    assert {"community", "code", "change", "ci_low", "ci_high", "excludes_zero"} <= set(changes)
    assert np.isfinite(changes["change"]).all()
    report = tmp_path / "report.xlsx"
    status, out, _ = run(capsys, "study", "report", *base, "--out", str(report))
    assert status == 0
    from openpyxl import load_workbook

    book = load_workbook(report)
    assert {"变化 Changes", "审计 Audit", "排名 Ranking"} <= set(book.sheetnames)
    audit_actions = {row[3] for row in book["审计 Audit"].iter_rows(min_row=3, values_only=True)}
    assert {"publish", "wave.add"} <= audit_actions
    assert book["变化 Changes"].max_row >= len(changes)
    status, out, _ = run(capsys, "study", "show", *base, "--format", "csv", "--wave", "2023")
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(out)), ranking)
    status, out, _ = run(capsys, "study", "viewer-link", *base, "--label", "区政府")
    token = out.strip().splitlines()[-1].split("view=")[1]
    store = JudgmentStore(db_target)
    assert len(store.open_viewer(token).result().ranking) == len(ranking)
    archive = tmp_path / "study.zip"
    assert run(capsys, "study", "export", *base, "--out", str(archive))[0] == 0
    other = tmp_path / "other.sqlite3"
    status, out, _ = run(capsys, "study", "import", "--db", str(other), "--archive", str(archive))
    copy_id = out.strip().splitlines()[-1]
    status, out, _ = run(capsys, "study", "show", "--db", str(other), "--study", copy_id,
                         "--format", "csv", "--wave", "2023")
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(out)), ranking)
    assert run(capsys, "study", "delete-wave", *base, "--wave", "2023")[0] == 0
    status, out, _ = run(capsys, "study", "audit", *base, "--format", "csv")
    actions = pd.read_csv(io.StringIO(out))["action"].tolist()
    assert actions.count("publish") == 2 and "viewer.issue" in actions
    assert run(capsys, "study", "revoke-viewer", *base, "--viewer", "1")[0] == 0
    with pytest.raises(ValueError, match="revoked"):
        store.open_viewer(token)
