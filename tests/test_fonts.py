"""Tests for reports.fonts: a CJK font is found, set, and draws Chinese without missing glyphs."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from io import BytesIO

import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from reports.fonts import PREFERRED_FONTS, CJKFontError, CJKFontWarning, use_cjk_font


@pytest.fixture(autouse=True)
def _restore_rc():
    with mpl.rc_context():
        yield


def _render(text: str) -> None:
    fig = Figure(figsize=(3, 1))
    fig.text(0.05, 0.5, text)
    fig.savefig(BytesIO(), format="png")


def test_sets_a_preferred_font_first_and_plain_minus():
    name = use_cjk_font()
    assert name in PREFERRED_FONTS
    assert mpl.rcParams["font.family"] == ["sans-serif"]
    assert mpl.rcParams["font.sans-serif"][0] == name
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_chinese_renders_without_missing_glyphs():
    use_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _render("社区善治评价 科学 参与 透明 −0.25 n<10 不报告 “零失管”（平台）")


def test_missing_glyph_guard_fires():
    """The guard used by the chart tests really turns a missing glyph into an error."""
    use_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(UserWarning, match="missing from font"):
            _render("\U0001f600")


def test_no_font_raises_with_install_hint():
    with pytest.raises(CJKFontError, match="fonts-wqy-microhei"):
        use_cjk_font(("No Such Font 123",))


def test_no_font_can_warn_instead_and_leaves_fonts_alone():
    before = list(mpl.rcParams["font.sans-serif"])
    with pytest.warns(CJKFontWarning, match="fonts-noto-cjk"):
        assert use_cjk_font(("No Such Font 123",), required=False) == ""
    assert list(mpl.rcParams["font.sans-serif"]) == before


def test_font_path_that_does_not_exist_is_named(tmp_path):
    missing = tmp_path / "nope.otf"
    with pytest.raises(CJKFontError, match=r"nope\.otf"):
        use_cjk_font(font_path=missing)


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig not installed")
def test_font_path_registers_the_file():
    out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
    path = out.splitlines()[0].rstrip().rstrip(":")
    expected = font_manager.FontProperties(fname=path).get_name()
    assert use_cjk_font(font_path=path) == expected
    assert mpl.rcParams["font.sans-serif"][0] == expected
