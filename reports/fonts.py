"""Find and activate a font that can draw Chinese characters in matplotlib charts.

matplotlib ships only DejaVu Sans, which has no CJK glyphs: Chinese labels come out as empty
boxes with a ``Glyph ... missing from font(s)`` warning. :func:`use_cjk_font` picks the first
installed font from :data:`PREFERRED_FONTS` (Linux, Windows and macOS names), looking both at
the fonts matplotlib already indexed and at the files ``fc-list :lang=zh`` reports (a font
installed after matplotlib built its cache is registered with ``font_manager.addfont``), and
sets it as the default sans-serif font.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Sequence
from functools import lru_cache
from os import PathLike
from pathlib import Path

from matplotlib import font_manager, rcParams

from i18n.errors import ShanzhiError

PREFERRED_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans TC",
    "Microsoft JhengHei",
    "Arial Unicode MS",
)
"""Font family names tried in order: open-licensed Noto / Source Han first, then the fonts
that come with common Linux distributions, Windows and macOS."""

INSTALL_HINT = (
    "No font with Chinese characters was found, so Chinese chart labels would be drawn as empty "
    "boxes. Install one and start Python again: on Debian/Ubuntu `sudo apt-get install "
    "fonts-wqy-microhei` (small) or `fonts-noto-cjk`; on Fedora `google-noto-sans-cjk-fonts`; "
    "on macOS and Windows a CJK font is already installed. Or download Noto Sans CJK SC "
    "(https://github.com/notofonts/noto-cjk, SIL Open Font License) and pass its path: "
    "use_cjk_font(font_path=...)."
)


class CJKFontError(ShanzhiError, RuntimeError):
    """No installed font can draw Chinese characters (a :class:`RuntimeError` too, as before)."""


class CJKFontWarning(UserWarning):
    """Charts will be drawn without a Chinese-capable font."""


def _fc_list_files() -> list[Path]:
    """Font files fontconfig knows to cover Chinese (``fc-list :lang=zh file``); [] without it."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = (line.strip().rstrip(":").strip() for line in out.splitlines())
    return sorted({Path(f) for f in files if f})


def _indexed_names() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


def _register(path: Path) -> str:
    """Add one font file to matplotlib's font manager and return its family name."""
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@lru_cache(maxsize=8)
def _find_font(preferred: tuple[str, ...], font_path: str | None) -> str | None:
    if font_path is not None:
        path = Path(font_path)
        if not path.is_file():
            raise CJKFontError(f"font file not found: {path}")
        return _register(path)
    names = _indexed_names()
    for name in preferred:
        if name in names:
            return name
    # Fonts installed after matplotlib built its cache: register what fontconfig reports.
    found = {}
    for path in _fc_list_files():
        try:
            found.setdefault(_register(path), path)
        except (OSError, RuntimeError, ValueError):
            continue
    for name in preferred:
        if name in found:
            return name
    return None


def use_cjk_font(
    preferred: Sequence[str] = PREFERRED_FONTS,
    *,
    font_path: str | PathLike[str] | None = None,
    required: bool = True,
) -> str:
    """Make matplotlib draw Chinese characters; return the family name of the font it set.

    Parameters
    ----------
    preferred
        Family names to try in order (default :data:`PREFERRED_FONTS`).
    font_path
        A font file (.ttf, .otf, .ttc) to use instead of searching, e.g. a Noto Sans CJK file
        shipped with a study.
    required
        When no font is found: raise :class:`CJKFontError` (``True``, default) or emit a
        :class:`CJKFontWarning` and return ``""`` leaving the fonts unchanged (``False``).

    Sets ``rcParams["font.family"] = "sans-serif"``, puts the font first in
    ``rcParams["font.sans-serif"]`` (DejaVu Sans stays behind it as a fallback for symbols) and
    ``rcParams["axes.unicode_minus"] = False`` (CJK fonts often lack U+2212 MINUS SIGN).
    The search result is cached per argument set; rcParams are set again on every call.
    """
    name = _find_font(tuple(preferred), None if font_path is None else str(font_path))
    if name is None:
        if required:
            raise CJKFontError(INSTALL_HINT)
        warnings.warn(INSTALL_HINT, CJKFontWarning, stacklevel=2)
        return ""
    rest = [f for f in rcParams["font.sans-serif"] if f != name]
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [name, *rest]
    rcParams["axes.unicode_minus"] = False
    return name
