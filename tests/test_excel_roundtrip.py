"""Done-when of issue 15: a kumho population typed in Korean in Excel (Korean headers = the
policy's labels, percent cells, a title row), saved as xlsx and as CP949 CSV, evaluates to an
xlsx that opens with Korean headers and exact figures.

The figures are hand-worked in examples/kumho_like/employees.yaml (H001: KPIs (50x75 + 30x50 +
20x75)/100 = 67.5, contribution 50, performance (67.5x80 + 50x20)/100 = 64.00, competency
(58.5 + 62.5 + 66.75)/3 = 62.583.. -> 62.58); H001-H005 are one group of five (civil_div K3),
graded I=1, II=1, III=2, IV=1 by score.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.validate import load_policy
from tests import kumho_sheet

HEADERS = [
    "사번",
    "성명",
    "직무KPI 점수",
    "업무기여도 점수",
    "업적 점수",
    "역량 점수",
    "업적 종합판정",
    "역량 종합판정",
]
#: (id, name, kpi, contribution, performance, competency, performance grade, competency grade)
ROWS = [
    ("H001", "김도윤", "67.50", "50.00", "64.00", "62.58", "Ⅲ", "Ⅲ"),
    ("H002", "이하준", "90.00", "0.00", "90.00", "77.83", "Ⅰ", "Ⅰ"),
    ("H003", "박서준", "42.50", "62.50", "46.50", "44.50", "Ⅳ", "Ⅳ"),
    ("H004", "최예준", "75.00", "75.00", "75.00", "65.33", "Ⅱ", "Ⅱ"),
    ("H005", "정시우", "62.50", "75.00", "65.00", "59.75", "Ⅲ", "Ⅲ"),
]


def evaluate(data: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["evaluate", str(kumho_sheet.POLICY), str(data), "-o", str(out), "--param", "X=3.0", *extra]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stderr


def read_back(path: Path) -> tuple[list[str], list[tuple[str, ...]], list[str], list[list[str]]]:
    """Headers, rows as text (numbers with their cell's places), number formats, problem rows."""
    book = openpyxl.load_workbook(path)
    results, problems, policy = book.worksheets
    stamp = load_policy(str(kumho_sheet.POLICY)).stamp()
    assert [c.value for c in policy[2]] == [stamp.id, stamp.version, stamp.sha256]
    assert results.freeze_panes == "A2" and results.auto_filter.ref == "A1:H6"
    header = [c.value for c in results[1]]
    rows, formats = [], []
    for row in results.iter_rows(min_row=2):
        cells = []
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                places = len(cell.number_format.partition(".")[2])
                cells.append(str(Decimal(repr(cell.value)).quantize(Decimal(1).scaleb(-places))))
                formats.append(cell.number_format)
            else:
                cells.append(cell.value)
        rows.append(tuple(cells))
    notes = [[str(c.value) for c in row] for row in problems.iter_rows(min_row=2)]
    return header, rows, sorted(set(formats)), notes


@pytest.mark.parametrize("saved_as", ["xlsx", "cp949 csv"])
def test_korean_excel_population_evaluates_to_a_korean_workbook(saved_as: str, tmp_path: Path) -> None:
    if saved_as == "xlsx":
        data = kumho_sheet.write_workbook(tmp_path / "평가표.xlsx")
    else:
        data = kumho_sheet.write_cp949_csv(tmp_path / "평가표.csv")
    out = tmp_path / "결과.xlsx"
    code, stderr = evaluate(data, out)
    assert code == 0, stderr
    header, rows, formats, notes = read_back(out)
    assert header == HEADERS  # the policy's own Korean labels, without --lang (its language)
    assert rows == ROWS
    assert formats == ["0.00"]  # every score declares or defaults to 2 places
    rules = [n[3] for n in notes]
    if saved_as == "xlsx":
        assert rules == ["read-sheet", "read-title-rows", "read-percent-cells"]
    else:
        assert rules == ["read-encoding", "read-title-rows"]
        assert notes[0][4] == "not UTF-8: read as cp949 (detected); give --encoding if that is wrong"
        assert "hrpolicy: note: " in stderr and "read as cp949 (detected)" in stderr


def test_the_same_workbook_in_english_and_japanese_headers(tmp_path: Path) -> None:
    data = kumho_sheet.write_workbook(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    assert evaluate(data, out, "--lang", "en")[0] == 0
    header, rows, _, _ = read_back(out)
    assert header == [
        "Employee ID",
        "Name",
        "Job KPI score",
        "Work contribution score",
        "Performance score",
        "Competency score",
        "Overall performance grade",
        "Overall competency grade",
    ]
    assert rows[0] == ("H001", "김도윤", "67.50", "50.00", "64.00", "62.58", "III", "III")
    assert evaluate(data, out, "--lang", "ja")[0] == 0
    # kumho declares no Japanese labels: every column keeps its id, the built-in ones are Japanese.
    assert read_back(out)[0][:3] == ["社員番号", "氏名", "kpi_score"]
