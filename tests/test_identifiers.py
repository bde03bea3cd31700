"""Tests of survey.identifiers: which headers count as direct identifiers."""

import pytest

from survey.identifiers import fold_header, is_identifier


@pytest.mark.parametrize(
    "header",
    [
        "1、您的姓名", "名字", "2、手机号码", "联系电话", "联系方式", "身份证号", "微信号",
        "微信openid", "openid", "昵称", "QQ", "QQ号", "邮箱", "email", "E-mail", "Ｅｍａｉｌ",
        "家庭住址地址", "来自IP", "IP", "来源详情", "Name", "first_name", "Full name",
        "Phone number", "telephone", "Mobile", "WeChat ID", "Nickname", "Home address", "ID card",
        "Surname", "username",
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
    ],
)
def test_other_headers_are_kept(header):
    assert not is_identifier(header)


def test_fold_header_folds_full_width_and_case():
    assert fold_header("  ＱＱ号 ") == "qq号"
