"""The stored study in the app (``streamlit.testing.v1.AppTest``): the organizer's study list,
lifecycle, waves (the same file twice recognised), publish, viewer links (shown once, revoke),
audit log and retention; the comparison and home pages read the published snapshot; a viewer
link opens the published result with no sign-in, a revoked or unknown link is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from streamlit.testing.v1 import AppTest

from app_support.text import literal
from evaluation.study import StudySettings
from i18n import catalog
from panel.store import JudgmentStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SECRET = "test-organizer-secret"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "study.sqlite3"
    monkeypatch.setenv("SHANZHI_DB", str(path))
    monkeypatch.setenv("SHANZHI_ORGANIZER_SECRET", SECRET)
    return path


def make_study(db: Path, name: str = "杭州 2024", *, waves: int = 1):
    org = JudgmentStore(db, organizer_secret=SECRET).create_study(
        name, SECRET, framework=SAMPLE_FRAMEWORK, study_id="hz")
    org.import_judgments(pd.read_csv(SAMPLE_JUDGMENTS, dtype=str), add_experts=True)
    org.set_settings(StudySettings(bootstrap=50, seed=7))
    org.add_wave("2023", SAMPLE_RESPONSES)
    org.publish(change_draws=50)
    if waves > 1:
        first = org.wave_answers("2023")
        target = first.community.iloc[0]
        answers = first.answers.copy()
        rows = (first.community == target).to_numpy()
        answers.loc[rows] = np.minimum(answers.loc[rows] + 1, 5)
        gone = first.community.iloc[-1]  # one community only in the first wave
        second = replace(first, answers=answers, source="wave2.csv")
        second = second.subset(first.answers.index[(first.community != gone).to_numpy()])
        org.add_wave("2024", second)
        org.publish("2024", change_draws=50)
    return org


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def text(key: str, lang: str = "zh", **fields: object) -> str:
    return catalog(lang)[key].format(**fields) if fields else catalog(lang)[key]


def shown(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success",
                                  "title", "subheader") for e in getattr(at, kind)]
    return "\n".join(map(str, parts))


def organizer_app(**query: str) -> AppTest:
    at = app(**query)
    at.session_state["organizer_secret"] = SECRET
    at.run()
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_viewer_link_opens_the_published_ranking_without_sign_in(db: Path, lang: str) -> None:
    org = make_study(db, waves=2)
    token = org.issue_viewer("区长")
    at = app(view=token, lang=lang)
    at.run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    ranking = frames[0]
    published = org.result("2024").ranking
    assert len(ranking) == len(published)
    assert set(ranking[text("col.community", lang)]) == set(published["community"])
    # viewers see no upload, no sign-in, no expert names, no suppressed community
    assert not at.get("file_uploader") and not at.text_input
    everything = shown(at) + "".join(f.to_csv() for f in frames)
    for expert in org.experts()["name"]:
        assert expert not in everything
    for community in org.result("2024").lists["suppressed"]:
        assert community not in everything
    # the change table with its interval and flag, and the community of one wave only
    changes = next(f for f in frames if text("store.col.flag", lang) in f.columns)
    assert set(changes[text("store.col.flag", lang)]) <= {"", "▲", "▼"}
    assert (changes[text("store.col.flag", lang)] == "▲").any()
    only = org.result("2024").lists["only_before"]
    assert only and any(only[0] in f.to_csv() for f in frames)
    # a chosen wave: the earlier result
    at.selectbox[0].set_value("2023").run()
    assert len(at.dataframe[0].value) == len(org.result("2023").ranking)


def test_revoked_and_unknown_viewer_links_are_refused(db: Path) -> None:
    org = make_study(db)
    token = org.issue_viewer()
    org.revoke_viewer(1)
    at = app(view=token)
    at.run()
    assert at.error and at.error[0].value == text("store.viewer.revoked")
    assert not at.dataframe
    at = app(view="not-a-token")
    at.run()
    assert at.error[0].value == text("store.viewer.unknown")


def test_compare_and_home_read_the_snapshot(db: Path) -> None:
    org = make_study(db)
    at = organizer_app(study="hz")
    assert not at.exception
    assert at.session_state["active_study"] == "hz"
    assert "#1" in shown(at)  # home: published result #1
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(org.result().ranking)
    # not signed in: the study's results need a sign-in (or a viewer link)
    at = app(study="hz")
    at.run()
    assert text("store.published.sign_in") in shown(at)


def test_organizer_study_admin(db: Path) -> None:
    make_study(db)
    at = organizer_app(study="hz")
    at.switch_page("app_pages/organizer.py").run()
    assert not at.exception
    assert text("store.state.published") in at.dataframe[0].value[text("store.col.state")].tolist()
    # the same file again: recognised by its hash
    at.text_input(key="wave_label").set_value("2025")
    # the file uploader cannot be driven by AppTest: the store's duplicate check is tested in
    # test_study_store; here the lifecycle buttons, publish, viewer links and retention
    at.button(key="state_collect").click().run()
    assert text("store.admin.moved", state=text("store.state.collecting")) in shown(at)
    at.button(key="state_close").click().run()
    assert text("store.admin.moved", state=text("store.state.closed")) in shown(at)
    at.button(key="publish").click().run()
    assert not at.exception
    assert "#2" in shown(at)
    issue = next(b for b in at.button if b.label == text("store.viewer.issue"))
    issue.click().run()
    link = at.code[0].value
    assert "?view=" in link
    token = link.split("view=")[1].split("&")[0]
    assert JudgmentStore(db).study("hz") and app(view=token).run().dataframe
    audit = next(f for f in (d.value for d in at.dataframe)
                 if text("store.col.action") in f.columns)
    assert {"publish", "viewer.issue", "study.state"} <= set(audit[text("store.col.action")])


def test_retention_needs_the_tick(db: Path) -> None:
    make_study(db)
    at = organizer_app(study="hz")
    at.switch_page("app_pages/organizer.py").run()
    wave_form = text("store.retention.wave_button")
    next(b for b in at.button if b.label == wave_form).click().run()
    assert text("store.retention.unconfirmed") in shown(at)
    assert JudgmentStore(db, organizer_secret=SECRET).open_organizer("hz", SECRET).wave_answers()
    next(c for c in at.checkbox if c.label == text("store.retention.wave_confirm")).check()
    next(b for b in at.button if b.label == wave_form).click().run()
    org = JudgmentStore(db, organizer_secret=SECRET).open_organizer("hz", SECRET)
    assert org.waves()[0].answers_deleted_at is not None and len(org.result().ranking)
    box = next(c for c in at.checkbox if c.label.startswith(text("store.retention.study_confirm",
                                                                  name="")[:6]))
    box.check()
    next(b for b in at.button if b.label == text("store.retention.study_button")).click().run()
    assert JudgmentStore(db).studies().empty
    assert at.session_state["active_study"] is None


def test_add_a_wave_in_the_app_and_the_same_file_twice(db: Path) -> None:
    org = make_study(db)
    at = organizer_app(study="hz", lang="en")
    at.switch_page("app_pages/organizer.py").run()
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("wave_file"))
    uploader.set_value((SAMPLE_RESPONSES.name, SAMPLE_RESPONSES.read_bytes(),
                        "application/octet-stream"))
    at.text_input(key="wave_label").set_value("2025")
    next(b for b in at.button if b.label == text("store.wave.add", "en")).click().run()
    assert not at.exception
    # the bundled export is already wave 2023: recognised by its hash, nothing stored
    assert text("store.wave.duplicate", "en", name=literal(SAMPLE_RESPONSES.name),
                wave="2023") in shown(at), shown(at)
    assert [w.label for w in org.waves()] == ["2023"]
