"""A Delphi round of 15 experts over the 57-item framework, end to end in a real browser.

The organizer signs in, opens round 1 on the Delphi page; 14 experts' ratings go in through the
store (to keep the test fast), one expert rates in the browser on the Delphi page (with the
self-rating) and finds the rating again after a reload; the organizer sees Kendall's W and the
keep/drop counts, opens round 2 with the kept indicators, the expert sees the anonymised group
feedback, and the kept-framework CSV downloads. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK
from test_app_browser import (  # the same server and browser set-up
    ARTIFACTS,
    CHROMIUM,
    SECRET,
    browser,  # noqa: F401  (fixture)
    server,  # noqa: F401  (fixture)
    settle,
)

from ahp.hierarchy import Hierarchy
from panel.delphi_files import DelphiRatings, delphi_indicators
from panel.delphi_rounds import DelphiExpert, DelphiOrganizer
from panel.store import JudgmentStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]


def _ratings(codes: list[str], names: list[str]) -> DelphiRatings:
    rng = np.random.default_rng(3)
    base = rng.uniform(2.8, 4.9, len(codes))
    rows = []
    for name in names:
        x = np.clip(np.round(base + rng.normal(0, 0.6, len(codes))), 1, 5)
        rows += [{"round": 1, "expert": name, "indicator": c, "rating": float(v), "comment": ""}
                 for c, v in zip(codes, x, strict=True)]
    experts = pd.DataFrame([{"round": 1, "expert": n, "familiarity": "熟悉",
                             "basis": {"theory": "大", "practice": "大", "peers": "中",
                                       "intuition": "小"}} for n in names])
    return DelphiRatings(pd.DataFrame(rows), experts)


def test_delphi_round_end_to_end(server, browser, tmp_path: Path) -> None:  # noqa: F811
    base, db = server
    ARTIFACTS.mkdir(exist_ok=True)
    store = JudgmentStore(db, organizer_secret=SECRET)
    org = store.create_study("德尔菲测试", SECRET, framework=SAMPLE_FRAMEWORK,
                             study_id="delphi15")
    names = [f"专家{i:02d}" for i in range(1, 16)]
    tokens = org.create_panel(names)
    ids = dict(zip(org.experts()["name"], org.experts()["expert_id"], strict=True))
    codes = delphi_indicators(Hierarchy.from_csv(SAMPLE_FRAMEWORK))
    assert len(codes) == 7 + 22 + 57

    # organizer: sign in, go to the Delphi page (same session), open round 1
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{base}/organizer?lang=zh")
    settle(page)
    page.get_by_role("textbox", name="组织者密钥").fill(SECRET)
    page.get_by_role("button", name="登录").click()
    settle(page)
    page.get_by_role("link", name="德尔菲专家咨询").click()
    settle(page)
    page.get_by_role("button", name="开启第 1 轮").click()
    settle(page)
    page.get_by_text("第 1 轮已开启：86 个指标").wait_for(timeout=30_000)

    # 14 experts through the store
    DelphiOrganizer(store.open_organizer("delphi15", SECRET)).import_ratings(
        _ratings(codes, names[:14]))

    # the 15th expert in the browser: self-rating and three ratings, autosaved
    token = tokens[ids[names[14]]]
    link = f"{base}/delphi?study=delphi15&token={token}&lang=zh"
    phone = browser.new_page(viewport={"width": 400, "height": 1400})
    phone.goto(link)
    settle(phone)
    phone.get_by_text("第 1 轮 · 专家15").wait_for(timeout=30_000)
    phone.get_by_role("radio", name="熟悉", exact=True).click(force=True)
    settle(phone)
    for code, value in (("B1", "5"), ("B2", "4"), ("C01", "2")):
        phone.locator(f".st-key-delphi_box_{code}").get_by_role(
            "radio", name=value, exact=True).click()
        settle(phone)
    phone.screenshot(path=str(ARTIFACTS / "delphi_expert_zh.png"))
    expert = DelphiExpert(store.open_expert("delphi15", token))
    saved = expert.ratings()
    assert {c: saved[c][0] for c in ("B1", "B2", "C01")} == {"B1": 5, "B2": 4, "C01": 2}
    assert expert.self_rating()[0] == "familiar"
    phone.reload()
    settle(phone)
    phone.get_by_text("已评 3 / 86 个指标").wait_for(timeout=30_000)
    for code in codes:  # the rest of this expert's ratings through the store
        if code not in ("B1", "B2", "C01"):
            expert.set_rating(code, 4)

    # organizer: live statistics
    organizer = DelphiOrganizer(store.open_organizer("delphi15", SECRET))
    stats = organizer.round_statistics(1)
    assert stats.responded == 15 and stats.kendall is not None
    page.get_by_role("link", name="德尔菲专家咨询").click()
    settle(page)
    page.get_by_text(f"Kendall's W = {stats.kendall.w:.4f}").wait_for(timeout=30_000)
    page.get_by_text(f"{len(stats.kept)} / 86").first.wait_for(timeout=30_000)
    assert 0 < len(stats.kept) < 86
    page.screenshot(path=str(ARTIFACTS / "delphi_organizer_zh.png"))

    # round 2 with the kept indicators; the expert sees the anonymised feedback
    page.get_by_role("button", name="以保留的指标开启第 2 轮").click()
    settle(page)
    page.get_by_text(f"第 2 轮已开启：{len(stats.kept)} 个指标").wait_for(timeout=30_000)
    assert organizer.current().indicators == stats.kept
    phone.reload()
    settle(phone)
    phone.get_by_text("第 2 轮 · 专家15").wait_for(timeout=30_000)
    phone.get_by_text("第 1 轮全体专家（匿名）：均值").first.wait_for(timeout=30_000)
    assert "专家01" not in phone.content()
    phone.screenshot(path=str(ARTIFACTS / "delphi_expert_round2_zh.png"))

    # two experts rate round 2 so it has statistics; the final framework CSV downloads
    DelphiOrganizer(store.open_organizer("delphi15", SECRET)).import_ratings(
        DelphiRatings(pd.DataFrame([
            {"round": 2, "expert": n, "indicator": c, "rating": 5.0 if i % 7 else 4.0,
             "comment": ""}
            for n in names[:2] for i, c in enumerate(stats.kept)])))
    page.get_by_role("button", name="结束本轮（最后一轮）").click()
    settle(page)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="保留指标的框架 CSV").click()
    kept = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert list(kept.columns)[:3] == ["level", "code", "parent"]
    assert set(kept["code"]) <= set(stats.kept)
    page.close()
    phone.close()
