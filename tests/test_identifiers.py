"""Tests of survey.identifiers: which headers count as direct identifiers."""

from pathlib import Path

import openpyxl
import pytest

from survey import load_responses
from survey.identifiers import fold_header, is_identifier


@pytest.mark.parametrize(
    "header",
    [
        "1、您的姓名", "名字", "2、手机号码", "联系电话", "联系方式", "身份证号", "微信号",
        "微信openid", "openid", "昵称", "QQ", "QQ号", "邮箱", "email", "E-mail", "Ｅｍａｉｌ",
        "家庭住址地址", "来自IP", "IP", "来源详情", "Name", "first_name", "Full name",
        "Phone number", "telephone", "Mobile", "WeChat ID", "Nickname", "Home address", "ID card",
        "Surname", "username",
        # added after the security review (issue 14)
        "家庭住址", "5、您的家庭住址", "住址", "电子邮件", "电子邮件地址", "Tel", "Tel.", "TEL:",
        "证件号码", "证件号", "身份证号码", "门牌号", "门牌号码", "您家的门牌号是？", "出生日期",
        "出生年月", "您的生日", "联系人", "紧急联系人", "联系人电话", "6、联系人：", "Email",
        "E-Mail", "telephone", "Address", "Date of birth", "Birthdate", "DOB", "ID number",
        "ID No.", "Passport", "Contact person",
    ],
)
def test_identifiers_are_recognized(header):
    assert is_identifier(header)


@pytest.mark.parametrize(
    "header",
    [
        "序号", "提交答卷时间", "所用时间", "来源", "社区", "所在社区", "社区地址",
        "3、您所在的社区是？", "tip", "Zip", "description", "renamed", "4、(平台运行稳定)", "D01",
        "community",
        # items and demographics that only look like the identifiers added for issue 14
        "社区住址变更", "网格联系人服务及时", "10、社区网格联系人能及时回应诉求", "门牌号标识清晰",
        "楼栋门牌标识是否清楚", "联系群众", "办理证件方便", "您的年龄", "hotel", "telecom",
        "Stella", "contact with officials", "birth year", "rebirth",
    ],
)
def test_other_headers_are_kept(header):
    assert not is_identifier(header)


def test_fold_header_folds_full_width_and_case():
    assert fold_header("  ＱＱ号 ") == "qq号"


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "synthetic_wjx_export.xlsx"
FRAMEWORK = Path(__file__).resolve().parents[1] / "data" / "framework.csv"
SECRET_HEADERS = ("来源详情", "来自IP", "1、您的姓名")


def everything_held(responses) -> str:
    """Every value the loaded Responses hold, as one text (indexes and cells of all tables)."""
    parts = [
        responses.answers.reset_index().astype(str).to_csv(),
        responses.meta.reset_index().astype(str).to_csv(),
        responses.invalid_cells.astype(str).to_csv(),
        responses.community.reset_index().astype(str).to_csv(),
        repr(responses.mapping.columns),
        repr(responses.mapping.unmatched_columns),
        responses.source,
    ]
    return "\n".join(parts)


def test_sample_export_identifiers_are_dropped_and_reported():
    book = openpyxl.load_workbook(SAMPLE, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = list(rows[0])
    kept = {
        str(v) for r in rows[1:] for h, v in zip(header, r, strict=True) if h not in SECRET_HEADERS
    }
    secrets = {  # values of the identifier columns that no kept column holds (来源 can be 微信)
        h: {str(r[header.index(h)]) for r in rows[1:] if r[header.index(h)] not in (None, "")}
        - kept
        for h in SECRET_HEADERS
    }
    assert all(len(values) > 0 for values in secrets.values())  # the sample does hold them
    responses = load_responses(SAMPLE, FRAMEWORK)
    assert set(SECRET_HEADERS) <= set(responses.dropped_columns)
    assert all(is_identifier(h) for h in responses.dropped_columns)
    held = everything_held(responses)
    for h, values in secrets.items():
        leaked = sorted(v for v in values if v in held)
        assert leaked == [], f"values of column {h} kept: {leaked[:3]}"
    ips = {v.split("(")[0] for v in secrets["来自IP"]}  # the bare address, without the region
    assert not any(ip in held for ip in ips)
    assert not set(SECRET_HEADERS) & set(responses.mapping.columns)
    assert not set(SECRET_HEADERS) & set(responses.mapping.unmatched_columns)
    assert len(responses) == len(rows) - 1  # every questionnaire kept, only columns dropped
