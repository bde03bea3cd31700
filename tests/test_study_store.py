"""The whole study in the store (panel/): waves, publish, lifecycle, audit, retention,
archives, viewer links; on SQLite and on a real PostgreSQL server (conftest: db_target)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from evaluation.study import StudySettings
from panel.archive import ArchiveError
from panel.store import JudgmentStore, StoreError, TokenError
from panel.waves import DuplicateWaveError

SECRET = "organizer-secret-for-tests"


@pytest.fixture
def store(db_target) -> JudgmentStore:
    return JudgmentStore(db_target, organizer_secret=SECRET)


@pytest.fixture
def organizer(store):
    org = store.create_study("杭州 2024", SECRET, framework=SAMPLE_FRAMEWORK, study_id="hz")
    org.import_judgments(pd.read_csv(SAMPLE_JUDGMENTS, dtype=str), add_experts=True)
    org.set_settings(StudySettings(bootstrap=50, seed=7))
    return org


def _second_wave(org):
    """Wave 2: the stored wave with one community's answers raised by one point."""
    first = org.wave_answers("2023")
    target = first.community.iloc[0]
    answers = first.answers.copy()
    rows = (first.community == target).to_numpy()
    answers.loc[rows] = np.minimum(answers.loc[rows] + 1, 5)
    return replace(first, answers=answers, source="wave2.csv"), target


def test_wave_publish_lifecycle_and_same_numbers_twice(store, organizer):
    assert organizer.state() == "draft"
    wave = organizer.add_wave("2023", SAMPLE_RESPONSES)
    assert (wave.n_received, wave.n_valid) == (405, 370)
    assert wave.details["screening"]["valid"] == 370 and wave.details["dropped_columns"]
    assert organizer.state() == "collecting"
    with pytest.raises(DuplicateWaveError, match="already stored as wave '2023'"):
        organizer.add_wave("2024", SAMPLE_RESPONSES)
    organizer.set_state("closed")
    first = organizer.publish()
    assert organizer.state() == "published"
    second = organizer.publish()
    assert first.payload_sha256 == second.payload_sha256
    assert second.result_id == first.result_id + 1
    pd.testing.assert_frame_equal(first.ranking, second.ranking)
    assert list(first.ranking.columns) == ["community", "score", "ci_low", "ci_high", "rank", "n"]
    assert set(first.summary) >= {"settings", "input_hashes", "code_version", "seed"}
    assert first.summary["seed"] == 7
    assert abs(first.tables["scores"].query("code == 'A'")["score"].iloc[-1] - 3.78) < 0.01
    # a new store object (an app restart) reads the same snapshot
    again = JudgmentStore(store.db.url.render_as_string(hide_password=False)
                          if store.db.path is None else store.path, organizer_secret=SECRET)
    assert again.open_organizer("hz", SECRET).result().payload_sha256 == first.payload_sha256


def test_second_wave_changes_and_retention(organizer):
    organizer.add_wave("2023", SAMPLE_RESPONSES)
    organizer.publish()
    wave2, raised = _second_wave(organizer)
    organizer.add_wave("2024", wave2)
    assert organizer.state() == "collecting"  # a new wave reopens collecting
    result = organizer.publish("2024")
    changes = result.changes
    assert result.lists["changes_from"] == "2023"
    mine = changes[(changes["community"] == raised) & (changes["code"] == "A")].iloc[0]
    assert mine["change"] > 0.5 and mine["excludes_zero"]
    others = changes[(changes["community"] != raised)]
    assert (others["change"].abs() < 1e-9).all() and not others["excludes_zero"].any()
    # retention: the answers go, the published aggregates stay
    organizer.delete_wave_answers("2023")
    with pytest.raises(StoreError, match="answers were deleted"):
        organizer.wave_answers("2023")
    assert organizer.result("2023").ranking.equals(organizer.result("2023").ranking)
    actions = organizer.audit()["action"].tolist()
    assert actions.count("publish") == 2 and "wave.delete_answers" in actions


def test_audit_records_organizer_actions_and_judgment_edits(store, organizer):
    tokens = organizer.create_panel(["王五"])
    expert = store.open_expert("hz", tokens[next(iter(tokens))])
    expert.set_judgment("A", "B1", "B2", 3)
    expert.set_judgment("A", "B1", "B2", 5)
    organizer.revoke(expert.expert_id)
    log = organizer.audit()
    edits = log[log["action"] == "judgment.set"]["detail"].map(json.loads).tolist()
    assert [(e["old"], e["new"]) for e in edits] == [(None, 3.0), (3.0, 5.0)]
    assert {"study.create", "judgments.import", "link.issue", "link.revoke"} <= set(log["action"])


def test_viewer_sees_aggregates_only_and_revocation(store, organizer):
    organizer.add_wave("2023", SAMPLE_RESPONSES)
    organizer.set_settings(StudySettings(bootstrap=50, seed=7, min_respondents=14))
    organizer.publish()
    token = organizer.issue_viewer("district office")
    viewer = store.open_viewer(token)
    assert viewer.study_id == "hz" and viewer.published_waves() == ["2023"]
    seen = viewer.result()
    full = organizer.result()
    assert full.lists["suppressed"], "the test needs a community under the minimum"
    assert not set(full.lists["suppressed"]) & set(seen.tables["scores"]["community"])
    assert "expert_cr" not in seen.tables and "excluded" not in seen.tables
    assert "suppressed" not in seen.lists and "input_hashes" not in seen.summary
    organizer.revoke_viewer(1)
    with pytest.raises(TokenError, match="revoked"):
        viewer.result()
    with pytest.raises(TokenError):
        store.open_viewer(token)
    with pytest.raises(TokenError):
        store.open_viewer("not-a-token")


def test_archive_round_trip_and_tampering_refused_whole(store, organizer, tmp_path):
    organizer.add_wave("2023", SAMPLE_RESPONSES)
    published = organizer.publish()
    data = organizer.export_archive()
    target = JudgmentStore(tmp_path / "other.sqlite3", organizer_secret=SECRET)
    copy = target.import_archive(data, SECRET)
    assert copy.study.name == "杭州 2024"
    assert copy.result().payload_sha256 == published.payload_sha256
    pd.testing.assert_frame_equal(copy.judgments(), organizer.judgments())
    assert len(copy.wave_answers("2023")) == 370
    assert copy.audit()["action"].iloc[-1] == "study.import"
    # same database: the id is taken, so the import gets a new one
    again = store.import_archive(data, SECRET)
    assert again.study_id != "hz" and again.result().payload_sha256 == published.payload_sha256
    before = store.study_states()
    # tampered: one judgment changed, the manifest untouched
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as changed:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "judgments.csv":
                content = content.replace(b",3.0,", b",5.0,", 1)
            changed.writestr(info, content)
    with pytest.raises(ArchiveError, match=r"judgments\.csv does not match"):
        store.import_archive(out.getvalue(), SECRET)
    with pytest.raises(ArchiveError, match="not a readable zip"):
        store.import_archive(data[: len(data) // 2], SECRET)
    pd.testing.assert_frame_equal(store.study_states(), before)  # nothing half-imported


def test_delete_study_removes_everything(store, organizer):
    organizer.add_wave("2023", SAMPLE_RESPONSES)
    organizer.publish()
    organizer.issue_viewer()
    organizer.delete_study()
    assert "hz" not in store.studies()["study_id"].tolist()
    with store._read() as tx:
        for table in ("waves", "wave_answers", "results", "viewers", "audit", "judgments"):
            count = tx.execute(f"SELECT COUNT(*) FROM {table} WHERE study_id = 'hz'").scalar()
            assert count == 0, table
