"""Bad input found by the input audit: each case gets a clear error naming the place (file,
sheet, row, column, cell, line, expert, node), never a traceback nor silent loss."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import cli.main as cli
from ahp.errors import HierarchyError, WorkbookError
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import read_judgments_csv, read_judgments_xlsx, write_template
from evaluation.study import StudySettings, read_judgments, run_study
from survey.errors import SurveyError
from survey.loading import _UNCACHED_FORMULA, load_responses

DATA = Path(__file__).resolve().parent.parent / "data"
FRAMEWORK = DATA / "framework.csv"
RESPONSES = DATA / "sample" / "synthetic_wjx_export.xlsx"
JUDGMENTS = DATA / "sample" / "synthetic_judgments.csv"
WORKBOOKS = DATA / "sample" / "synthetic_expert_workbooks"
COMMUNITY = "2、您所在的社区是？"


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return Hierarchy.from_csv(FRAMEWORK)


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    """The sample 问卷星 export as text cells."""
    return pd.read_excel(RESPONSES, dtype=str, engine="openpyxl").fillna("")


@pytest.fixture(scope="module")
def judgments() -> pd.DataFrame:
    return pd.read_csv(JUDGMENTS, dtype=str, keep_default_na=False)


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "r.csv", **kw) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, **kw)
    return path


def _cli(capsys, *argv: str) -> tuple[int, str]:
    status = cli.main(list(argv))
    return status, capsys.readouterr().err.strip()


def _evaluate(tmp_path: Path, *extra: str, framework=FRAMEWORK, responses=RESPONSES,
              judgments=JUDGMENTS, out: str = "r.xlsx") -> list[str]:
    return ["evaluate", "--framework", str(framework), "--responses", str(responses),
            "--judgments", str(judgments), "--out", str(tmp_path / out), "--bootstrap", "0",
            *extra]


# ---------------------------------------------------------------- questionnaire
def test_csv_row_with_extra_cells_is_one_line_naming_the_row(tmp_path, export):
    path = _csv(tmp_path, export)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra,extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SurveyError, match=r"r\.csv, row 4: 71 cells but the header row has 69"
                       ) as info:
        load_responses(path, FRAMEWORK)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_or_tab_separated_csv_is_read(tmp_path, export, sep):
    responses = load_responses(_csv(tmp_path, export, sep=sep), FRAMEWORK)
    assert responses.answers.shape == (405, 57)


def test_folder_given_as_questionnaire(tmp_path):
    folder = tmp_path / "export.xlsx"
    folder.mkdir()
    with pytest.raises(SurveyError, match=r"export\.xlsx is a folder, not a questionnaire"):
        load_responses(folder, FRAMEWORK)


def test_excel_error_cell_is_not_read_as_a_missing_answer(tmp_path):
    book = openpyxl.load_workbook(RESPONSES)
    cell = book.worksheets[0]["J3"]
    cell.value, cell.data_type = "#N/A", "e"
    book.save(tmp_path / "e.xlsx")
    with pytest.raises(SurveyError, match=r"e\.xlsx, sheet '.*': 1 cell\(s\) hold an Excel "
                       r"error value such as #N/A \(cells J3\)"):
        load_responses(tmp_path / "e.xlsx", FRAMEWORK)


def test_formula_without_value_is_not_read_as_a_missing_answer(tmp_path):
    book = openpyxl.load_workbook(RESPONSES)
    book.worksheets[0]["K5"] = "=SUM(1,2)"
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(SurveyError, match=r"formula without a computed value \(cells K5\)"):
        load_responses(tmp_path / "f.xlsx", FRAMEWORK)


def test_formula_with_a_stored_value_passes():
    assert _UNCACHED_FORMULA.search(b'<c r="J3"><f>1+1</f><v>2</v></c>') is None
    assert _UNCACHED_FORMULA.search(b'<c r="J3" t="str"><f>A1</f><v></v></c>') is not None
    assert _UNCACHED_FORMULA.search(b'<x:c r="J3"><x:f>A1</x:f></x:c>') is not None


def test_long_numeric_respondent_id_is_kept_as_typed(tmp_path, export):
    frame = export.copy()
    frame.loc[0, "序号"] = "12345678901234567890"
    responses = load_responses(_csv(tmp_path, frame), FRAMEWORK)
    assert responses.answers.index[0] == "12345678901234567890"


def test_community_column_empty_everywhere(tmp_path, export):
    frame = export.assign(**{COMMUNITY: ""})
    with pytest.raises(SurveyError, match=r"community column '2、您所在的社区是？' is empty on "
                       "every row"):
        load_responses(_csv(tmp_path, frame), FRAMEWORK)


def test_title_row_above_the_headers(tmp_path):
    book = openpyxl.load_workbook(RESPONSES)
    sheet = book.worksheets[0]
    sheet.insert_rows(1, 2)
    sheet["A1"] = "问卷标题"
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(SurveyError, match=r"row 1 holds '问卷标题' and 68 of 69 used columns "
                       "have no header"):
        load_responses(tmp_path / "t.xlsx", FRAMEWORK)


def test_community_whose_questionnaires_all_fail_is_reported(tmp_path, export):
    frame = export.copy()
    name = frame.loc[0, COMMUNITY]
    frame.loc[frame[COMMUNITY] == name, frame.columns[8:]] = ""
    result = run_study(FRAMEWORK, _csv(tmp_path, frame), JUDGMENTS,
                       StudySettings(bootstrap=0))
    assert name in result.scores.suppressed
    assert any(f"{name} (18)" in note and "no valid questionnaire" in note
               for note in result.scores.notes)


# ---------------------------------------------------------------- judgments CSV
def test_judgments_csv_in_gb18030(tmp_path, judgments):
    frame = judgments.assign(expert="专家" + judgments["expert"])
    panel = read_judgments_csv(_csv(tmp_path, frame, "j.csv", encoding="gb18030"))
    assert panel.experts[0] == "专家E01"


def test_judgments_file_that_is_not_text(tmp_path):
    path = tmp_path / "j.csv"
    path.write_bytes(bytes(range(128, 256)) * 8)
    with pytest.raises(WorkbookError, match=r"j\.csv: cannot decode it as UTF-8 or GB18030"):
        read_judgments_csv(path)


def test_judgments_headers_in_capitals_are_accepted(tmp_path, judgments):
    frame = judgments.rename(columns=lambda c: f" {c.upper()}")
    assert len(read_judgments_csv(_csv(tmp_path, frame, "j.csv"))) == len(judgments)


def test_judgments_header_only(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("expert,node,row,col,value\n", encoding="utf-8")
    with pytest.raises(WorkbookError, match=r"j\.csv has a header row but no judgments"):
        read_judgments_csv(path)


def test_judgments_empty_expert_names_the_csv_line(tmp_path, judgments):
    frame = judgments.copy()
    frame.loc[5, "expert"] = ""
    with pytest.raises(WorkbookError, match=r"j\.csv, line 7: empty expert"):
        read_judgments_csv(_csv(tmp_path, frame, "j.csv"))


@pytest.mark.parametrize(("column", "value", "message"), [
    ("node", "ZZ", r"line 5 \(expert 'E01'\): node 'ZZ' is not in the framework"),
    ("node", "D01", r"line 5 \(expert 'E01'\): node 'D01' has fewer than 2 children"),
    ("row", "C01", r"line 5 \(expert 'E01'\): 'C01' is not a child of node 'A'"),
])
def test_judgment_line_checked_against_the_framework(tmp_path, judgments, hierarchy, column,
                                                     value, message):
    frame = judgments.copy()
    frame.loc[3, column] = value
    with pytest.raises(WorkbookError, match=r"j\.csv, " + message):
        read_judgments_csv(_csv(tmp_path, frame, "j.csv"), hierarchy)


def test_judgments_path_that_does_not_exist(tmp_path, hierarchy):
    with pytest.raises(SurveyError, match=r"no such judgments file or folder: .*nope\.csv"):
        read_judgments(tmp_path / "nope.csv", hierarchy)


def test_judgments_folder_of_expert_workbooks(tmp_path, hierarchy):
    for name in ("E01.xlsx", "E02.xlsx"):
        shutil.copy(WORKBOOKS / name, tmp_path / name)
    assert read_judgments(tmp_path, hierarchy).experts == ["E01", "E02"]


# ---------------------------------------------------------------- expert workbooks
def test_merged_cells_in_the_matrix(tmp_path, hierarchy):
    book = openpyxl.load_workbook(WORKBOOKS / "E01.xlsx")
    book["A"].merge_cells("C4:D4")
    book.save(tmp_path / "E01.xlsx")
    with pytest.raises(WorkbookError, match=r"expert 'E01', sheet 'A', cells C4:D4: merged "
                       "cells in the matrix"):
        read_judgments_xlsx(tmp_path / "E01.xlsx", hierarchy)


def test_formula_without_value_in_the_matrix(tmp_path, hierarchy):
    book = openpyxl.load_workbook(WORKBOOKS / "E01.xlsx")
    book["A"]["C4"] = "=1/5"
    book.save(tmp_path / "E01.xlsx")
    with pytest.raises(WorkbookError, match=r"expert 'E01', sheet 'A', cell C4: the formula "
                       "'=1/5' has no computed value"):
        read_judgments_xlsx(tmp_path / "E01.xlsx", hierarchy)


def test_blank_workbook_is_named(tmp_path, hierarchy):
    write_template(hierarchy, tmp_path / "blank.xlsx")
    with pytest.raises(WorkbookError, match=r"every matrix is blank in: blank\)"):
        read_judgments_xlsx(tmp_path / "blank.xlsx", hierarchy)


# ---------------------------------------------------------------- framework
def test_framework_in_gb18030(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(FRAMEWORK.read_text(encoding="utf-8-sig").encode("gb18030"))
    assert len(Hierarchy.from_csv(path).items) == 57


@pytest.mark.parametrize(("kind", "message"), [
    ("absent", r"no such framework file: .*f\.csv"),
    ("folder", r"framework file .*f\.csv is a folder"),
    ("workbook", r"cannot decode it as UTF-8"),
])
def test_framework_file_that_is_not_a_csv(tmp_path, kind, message):
    path = tmp_path / "f.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "workbook":
        path.write_bytes(RESPONSES.read_bytes())
    with pytest.raises(HierarchyError, match=message):
        Hierarchy.from_csv(path)


def test_framework_with_a_repeated_column(tmp_path):
    frame = pd.read_csv(FRAMEWORK, dtype=str, keep_default_na=False)
    frame.insert(len(frame.columns), "code ", frame["code"])
    path = _csv(tmp_path, frame, "f.csv")
    with pytest.raises(HierarchyError, match=r"column 'code' appears more than once"):
        Hierarchy.from_csv(path)


def test_framework_csv_with_extra_cells_is_one_line(tmp_path):
    lines = FRAMEWORK.read_text(encoding="utf-8-sig").splitlines()
    lines[3] += ",x,y"
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(HierarchyError, match=r"framework file .*f\.csv: not a readable CSV "
                       r"file \(.*line 4, saw 9\)$"):
        Hierarchy.from_csv(path)


# ---------------------------------------------------------------- CLI options
@pytest.mark.parametrize(("option", "value", "message"), [
    ("--min-respondents", "0", "argument --min-respondents: must be at least 1, got 0"),
    ("--min-respondents", "abc", "argument --min-respondents: 'abc' is not a whole number"),
    ("--uncertainty", "-5", "argument --uncertainty: must be at least 0, got -5"),
    ("--seed", "-1", "argument --seed: must be at least 0, got -1"),
    ("--lang", "fr", "argument --lang: invalid choice: 'fr'"),
])
def test_bad_option_is_one_line(tmp_path, capsys, option, value, message):
    with pytest.raises(SystemExit) as info:
        cli.main(_evaluate(tmp_path, option, value))
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(("out", "message"), [
    ("r.csv", "give a name ending .xlsx"),
    ("blocker/r.xlsx", "blocker is a file, not a folder"),
])
def test_unwritable_report_path_fails_before_the_run(tmp_path, capsys, out, message):
    (tmp_path / "blocker").write_text("x")
    status, err = _cli(capsys, *_evaluate(tmp_path, out=out))
    assert status == 2 and message in err and len(err.splitlines()) == 1


def test_figures_path_that_is_a_file(tmp_path, capsys):
    (tmp_path / "figs").write_text("x")
    status, err = _cli(capsys, *_evaluate(tmp_path, "--figures", str(tmp_path / "figs")))
    assert status == 2 and "--figures" in err and "is a file" in err


def test_judgments_folder_on_the_command_line(tmp_path, capsys):
    status, err = _cli(capsys, *_evaluate(tmp_path, judgments=tmp_path))
    assert status == 2 and err == f"shanzhi: error: no .xlsx workbooks in folder {tmp_path}"


def test_unexpected_error_is_one_line_without_traceback(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "run_study", broken)
    monkeypatch.delenv("SHANZHI_DEBUG", raising=False)
    status, err = _cli(capsys, *_evaluate(tmp_path))
    assert status == 1 and err.startswith("shanzhi: internal error: KeyError")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_zip_that_is_not_a_workbook(tmp_path, capsys):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    (tmp_path / "z.xlsx").write_bytes(buffer.getvalue())
    status, err = _cli(capsys, *_evaluate(tmp_path, responses=tmp_path / "z.xlsx"))
    assert status == 2 and "z.xlsx is not a valid .xlsx file" in err
