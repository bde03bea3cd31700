"""Direct identifiers in questionnaire exports, recognized by column header.

Columns whose header names a person or a device (name, phone, ID card or other ID document,
WeChat, e-mail, address, house number, date of birth, contact person, IP, the 问卷星
``来源详情`` channel detail) are dropped on import, before anything is stored or
shown: under China's Personal Information Protection Law (PIPL, 2021) an IP address together with
a community and a timestamp identifies a resident. Headers are compared after NFKC folding
(full-width → half-width) and lower-casing; English words must stand alone (``name`` matches
``Name``, ``first_name`` and ``full name``; ``ip`` matches ``来自IP`` but not ``tip``).
``地址`` / ``住址`` (address) match unless the header is about the community (``社区``), which is
the unit of analysis, not an identifier. A header is only a hint: the loader never drops the
community column nor a column explicitly matched to an item.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = r"(?<![a-z]){}(?![a-z])"
_END = r"(?:是|为)?(?:多少|什么)?[\s:?*.。()_-]*$"  # compared after NFKC: "？" is "?"
"""End of a header: ``联系人`` and ``门牌号`` count only as the header's last words (``紧急联系人``,
``门牌号是？``), not inside a statement rated by residents (``网格联系人服务及时``)."""

IDENTIFIER_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"姓名",
        r"名字",
        r"手机",
        r"电话",
        r"联系方式",
        r"身份证",
        r"微信",
        r"openid",
        r"昵称",
        r"邮箱",
        r"来源详情",
        r"电子邮件",
        r"证件号",
        r"出生日期",
        r"出生年月",
        r"生日",
        r"联系人(?:姓名|电话|手机|方式)?" + _END,
        r"门牌(?:号码?)?" + _END,
        _WORD.format("qq"),
        _WORD.format("ip"),
        _WORD.format("e-?mail"),
        _WORD.format("(?:sur|user)?name"),
        _WORD.format("(?:tele)?phone"),
        _WORD.format("mobile"),
        _WORD.format("wechat"),
        _WORD.format("nickname"),
        _WORD.format("address"),
        _WORD.format("id ?(?:card|number|no)"),
        _WORD.format("tel"),
        _WORD.format("passport"),
        _WORD.format("(?:date of birth|birth ?date|birthday|dob)"),
        _WORD.format("contact person"),
    )
)
"""Regular expressions searched in the folded, lower-cased header; any hit marks an identifier."""

_ADDRESS = re.compile(r"地址|住址")
_COMMUNITY = re.compile(r"社区")


def fold_header(header: object) -> str:
    """Header text folded for matching: NFKC (full-width → half-width), stripped, lower case."""
    return unicodedata.normalize("NFKC", str(header)).strip().lower()


def is_identifier(header: object) -> bool:
    """True when the column header names a direct identifier (see :data:`IDENTIFIER_PATTERNS`).

    >>> is_identifier("3、您的姓名"), is_identifier("来自IP"), is_identifier("所在社区")
    (True, True, False)
    """
    text = fold_header(header)
    if any(p.search(text) for p in IDENTIFIER_PATTERNS):
        return True
    return bool(_ADDRESS.search(text)) and not _COMMUNITY.search(text)
