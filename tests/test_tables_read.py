"""Reading the tables HR people have: labels as headers, title rows, percent and formula cells,
sheets, CSV encodings (issue 15, point 3)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from engine.errors import DataError, UsageError
from engine.errors import Problem as RecordProblem
from engine.io.records import Population, read_population
from tests import kumho_sheet

POLICY = yaml.safe_load(kumho_sheet.POLICY.read_text(encoding="utf-8"))


def read(path: Path, **kwargs: Any) -> Population:
    return read_population(path, POLICY["inputs"], scales=POLICY["scales"], parameters={"X": "3.0"}, **kwargs)


def first_lines(population: Population) -> list[tuple[str, str, Decimal, str]]:
    """(id, first item's category, its weight, its rating) per employee."""
    out = []
    for e in population.employees:
        f = e.indicators[0].fields
        out.append((e.id, f["category"], f["weight"], f["rating"]))
    return out


def test_korean_workbook_reads_with_labels_title_block_percent_cells(tmp_path: Path) -> None:
    path = kumho_sheet.write_workbook(tmp_path / "평가.xlsx")
    population = read(path)
    assert population.problems == []
    assert [e.id for e in population.employees] == ["H001", "H002", "H003", "H004", "H005"]
    h001 = population.employees[0]
    assert h001.fields["name"] == "김도윤" and h001.fields["role_grade"] == "K3"
    assert h001.fields["year_in_grade"] == 3 and h001.fields["has_team_kpi"] is True
    # 50 %, 30 %, 20 %: percent cells of a percent field read as 50, 30, 20, not 0.5, 0.3, 0.2.
    assert [i.fields["weight"] for i in h001.indicators[:3]] == [50, 30, 20]
    assert first_lines(population)[0] == ("H001", "job_kpi", Decimal(50), "E")
    assert population.warnings == [
        RecordProblem(
            None,
            None,
            "read-sheet",
            "read sheet '평가표': '작성 안내' has no header row with an 'id' column",
            str(path),
        ),
        RecordProblem(
            None,
            None,
            "read-title-rows",
            "row 1 above the header (row 3) skipped as a title block",
            f"{path}:row 3",
        ),
        RecordProblem(
            None,
            None,
            "read-percent-cells",
            "weight: cells formatted as percent were read as percent (a cell showing 30% is 30), "
            "as the field's unit is percent",
            f"{path}:row 3",
        ),
    ]


def test_cp949_csv_is_detected_and_named(tmp_path: Path) -> None:
    path = kumho_sheet.write_cp949_csv(tmp_path / "평가.csv")
    population = read(path)
    assert population.problems == []
    assert first_lines(population) == first_lines(read(kumho_sheet.write_workbook(tmp_path / "b.xlsx")))
    assert [w.message for w in population.warnings] == [
        "not UTF-8: read as cp949 (detected); give --encoding if that is wrong",
        "row 1 above the header (row 3) skipped as a title block",
    ]
    # Given, the encoding is used as is and nothing is said about it.
    given = read(path, encoding="cp949")
    assert [w.rule for w in given.warnings] == ["read-title-rows"]
    assert first_lines(given) == first_lines(population)


def test_shift_jis_csv_with_japanese_headers(tmp_path: Path) -> None:
    inputs = {
        "employee": {"name": {"type": "string", "label": {"ja": "氏名"}}},
        "indicator": {
            "title": {"type": "string", "label": {"ja": "目標項目名"}},
            "weight": {"type": "decimal", "unit": "percent", "label": {"ja": "ウエイト"}},
        },
    }
    path = tmp_path / "社員.csv"
    path.write_bytes(
        (
            "社員番号,氏名,目標項目名,ウエイト\r\n"
            "E001,山田 太郎,売上高,60%\r\nE001,山田 太郎,新規顧客,40%\r\n"
        ).encode("shift_jis")
    )
    population = read_population(path, inputs)
    assert population.problems == []
    (e,) = population.employees
    assert (e.id, e.fields["name"]) == ("E001", "山田 太郎")
    assert [(i.fields["title"], i.fields["weight"]) for i in e.indicators] == [
        ("売上高", 60),
        ("新規顧客", 40),
    ]
    assert (
        population.warnings[0].message
        == "not UTF-8: read as cp932 (detected); give --encoding if that is wrong"
    )


def test_unknown_encoding_and_options_for_the_wrong_file_are_usage_errors(tmp_path: Path) -> None:
    path = kumho_sheet.write_cp949_csv(tmp_path / "a.csv")
    with pytest.raises(
        UsageError, match=r"^unknown encoding 'klingon'; e\.g\. utf-8, cp949, euc-kr, shift_jis, cp932$"
    ):
        read(path, encoding="klingon")
    with pytest.raises(UsageError, match=r"--sheet is for Excel workbooks, not CSV files$"):
        read(path, sheet="x")
    book = kumho_sheet.write_workbook(tmp_path / "a.xlsx")
    with pytest.raises(UsageError, match=r"--encoding is for CSV files; an Excel workbook names its own$"):
        read(book, encoding="cp949")


def test_sheet_option_and_a_sheet_without_header_named(tmp_path: Path) -> None:
    path = kumho_sheet.write_workbook(tmp_path / "a.xlsx")
    assert len(read(path, sheet="평가표").employees) == 5
    with pytest.raises(DataError) as info:
        read(path, sheet="작성 안내")
    assert str(info.value) == (
        f"{path}: row 1: the header has no 'id' column"
        " (in sheet '작성 안내'; choose another with --sheet: '평가표')"
    )
    with pytest.raises(DataError) as info:
        read(path, sheet="없음")
    assert str(info.value) == f"{path}: no sheet '없음'; the workbook has '작성 안내', '평가표'"


def test_formula_cell_without_saved_value_is_reported_as_such(tmp_path: Path) -> None:
    path = kumho_sheet.write_workbook(tmp_path / "a.xlsx", count=1, instructions=False)
    book = openpyxl.load_workbook(path)
    sheet = book["평가표"]
    sheet["J4"] = "=0.25*2"  # H001's first weight: openpyxl saves formulas without a result
    sheet["E5"] = "=1+2"  # year_in_grade on H001's second row
    book.save(path)
    population = read(path)
    assert population.employees == []
    assert [(p.rule, p.message, p.origin) for p in population.problems] == [
        (
            "record-formula-no-value",
            "weight: cell J4 holds a formula with no saved value; open the workbook in Excel "
            "and save it (or paste the values) so that the result is stored",
            f"{path}:row 4",
        ),
        (
            "record-formula-no-value",
            "year_in_grade: cell E5 holds a formula with no saved value; open the workbook in Excel "
            "and save it (or paste the values) so that the result is stored",
            f"{path}:row 5",
        ),
    ]


def test_headers_by_id_or_any_label_mixed(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "ID,Name,직급 (역할 직급),org,Year in the current grade (1 = 1st year),"
        "평가항목,category,Item weight,rating\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        read(path)
    # "ID" and "Name" match the id and the English label; the misspelt English label does not.
    assert str(info.value) == (
        f"{path}: missing required column 'year_in_grade' (the policy's inputs.employee declares it)"
    )


@pytest.mark.parametrize("chunk", [1 << 20, 97, 31])
def test_formula_cells_are_found_across_chunk_boundaries(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.io.xlsxfile as xlsxfile

    path = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, 41):
        sheet.append([f"E{row}", row, f"=B{row}*2" if row % 7 == 0 else row * 3])
    book.save(path)
    monkeypatch.setattr(xlsxfile, "SCAN_CHUNK", chunk)
    loaded = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = xlsxfile.formula_cells_without_value(loaded, loaded.worksheets[0])
    finally:
        loaded.close()
    assert found == {"C7", "C14", "C21", "C28", "C35"}
