"""Reading employee records (YAML, JSON, CSV, Excel) and writing output files atomically."""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import openpyxl
import pytest

from engine.errors import DataError, Problem, UsageError
from engine.io import atomic
from engine.io.atomic import open_atomic, write_atomic
from engine.io.records import Population, read_population
from engine.loader import load_yaml_file

DATA = Path(__file__).resolve().parent / "data" / "io"

# A small japan_mbo-like policy `inputs`, as the loader hands it over (non-integers are Decimal).
INPUTS: dict[str, Any] = {
    "employee": {
        "id": {"type": "string", "label": {"en": "Employee number"}},
        "segment": {"type": "enum", "values": ["manager", "general"], "label": {"en": "Segment"}},
        "dedicated_large_project": {"type": "boolean", "default": False, "label": {"en": "Dedicated"}},
        "joined": {"type": "date", "required": False, "label": {"en": "Joined"}},
        "x-note": "owner's note, not a field",
    },
    "indicator": {
        "title": {"type": "string", "label": {"ja": "目標"}},
        "category": {"type": "enum", "values": ["performance", "process"], "label": {"en": "Category"}},
        "weight": {"type": "decimal", "min": 0, "max": 100, "label": {"en": "Weight"}},
        "target": {"type": "decimal", "required": False, "label": {"en": "Target"}},
        "actual": {"type": "decimal", "required": False, "label": {"en": "Actual"}},
        "difficulty": {
            "type": "decimal",
            "min": Decimal("1.0"),
            "max": Decimal("1.3"),
            "default": Decimal("1.0"),
            "label": {"en": "Difficulty"},
        },
        "rating": {"type": "scale", "scale": "s_to_d", "required": False, "label": {"en": "Rating"}},
        "count": {"type": "integer", "required": False, "min": 0, "label": {"en": "Count"}},
    },
    "parameters": {"X": {"type": "decimal", "required": False, "label": {"en": "Base raise rate"}}},
}
SCALES = {"s_to_d": {"levels": [{"code": code} for code in "SABCD"]}}

D = Decimal
# The people.* fixtures, worked out by hand: defaults filled in (difficulty 1.0, not dedicated).
EXPECTED = [
    (
        {"id": "E001", "name": "山田 太郎", "segment": "manager", "dedicated_large_project": False},
        [
            {
                "title": "売上高",
                "category": "performance",
                "weight": D("30"),
                "target": D("1000"),
                "actual": D("1100"),
                "difficulty": D("1.1"),
            },
            {
                "title": "粗利益",
                "category": "performance",
                "weight": D("70"),
                "target": D("0.3"),
                "actual": D("0.1"),
                "difficulty": D("1.0"),
            },
        ],
        {},
    ),
    (
        {"id": "E002", "name": "김민수", "segment": "general", "dedicated_large_project": True},
        [
            {
                "title": "업무개선 노력도",
                "category": "process",
                "weight": D("33.3"),
                "rating": "A",
                "difficulty": D("1.0"),
            },
            {
                "title": "부서목표 기여도",
                "category": "process",
                "weight": D("66.7"),
                "rating": "B",
                "difficulty": D("1.2"),
            },
        ],
        {},
    ),
    (
        {"id": "E003", "name": "佐藤 花子", "segment": "general", "dedicated_large_project": False},
        [],
        {
            "midterm": [
                {
                    "title": "新規顧客数",
                    "category": "performance",
                    "weight": D("100"),
                    "target": D("12"),
                    "actual": D("9"),
                    "difficulty": D("1.0"),
                }
            ],
            "final": [
                {
                    "title": "新規顧客数",
                    "category": "performance",
                    "weight": D("100"),
                    "target": D("12"),
                    "actual": D("13"),
                    "difficulty": D("1.0"),
                }
            ],
        },
    ),
]


def exact(value: Any) -> Any:
    """Values with their type and digits: Decimal('30') and Decimal('30.0') differ here."""
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact(v) for v in value]
    return (type(value).__name__, repr(value))


def summary(population: Population) -> list[Any]:
    return [
        (
            dict(e.fields),
            [dict(i.fields) for i in e.indicators],
            {p: [dict(i.fields) for i in lines] for p, lines in e.periods.items()},
        )
        for e in population.employees
    ]


def read(path: Path, **kwargs: Any) -> Population:
    return read_population(path, INPUTS, scales=SCALES, **kwargs)


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "indicators") -> None:
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "README"
    cover.append(["この表は indicators シートを読みます"])
    data = book.create_sheet(sheet)
    for row in rows:
        data.append(row)
    book.save(path)


def csv_as_cells(text: str) -> list[list[Any]]:
    """The people.csv rows typed as Excel stores them: numbers, booleans, empty cells."""

    def cell(raw: str) -> Any:
        if raw == "":
            return None
        if raw == "true":
            return True
        try:
            return int(raw)
        except ValueError:
            pass
        try:
            return float(raw)
        except ValueError:
            return raw

    return [[cell(c) for c in line.split(",")] for line in text.splitlines()]


# --- the four formats -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["people.yaml", "people.json", "people.csv", "people.xlsx"])
def test_every_format_reads_the_same_records(name: str, tmp_path: Path) -> None:
    path = DATA / name
    if name.endswith(".xlsx"):
        path = tmp_path / name
        write_xlsx(path, csv_as_cells((DATA / "people.csv").read_text(encoding="utf-8")))
    population = read(path)
    assert population.problems == []
    assert exact(summary(population)) == exact(EXPECTED)
    assert [e.id for e in population.employees] == ["E001", "E002", "E003"]


def test_csv_origins_are_rows_counting_the_header(tmp_path: Path) -> None:
    population = read(DATA / "people.csv")
    e1, e2, e3 = population.employees
    csv_file = str(DATA / "people.csv")
    assert e1.origin == f"{csv_file}:row 2"
    assert [i.origin for i in e1.indicators] == [f"{csv_file}:row 2", f"{csv_file}:row 3"]
    assert e2.origin == f"{csv_file}:row 4"
    assert e3.periods["final"][0].origin == f"{csv_file}:row 7"


def test_json_origins_are_json_paths_and_org_tree_is_read() -> None:
    path = DATA / "people.json"
    population = read(path)
    e3 = population.employees[2]
    assert e3.origin == f"{path}:$.employees[2]"
    assert e3.periods["midterm"][0].origin == f"{path}:$.employees[2].periods.midterm.indicators[0]"
    assert population.org_parent == {"sales": None, "sales_1": "sales"}
    assert population.org_names == {"sales": "営業本部", "sales_1": "영업1팀"}
    assert population.parameters == {"X": Decimal("3.0")}
    assert population.policy_id == "japan_mbo"
    assert population.source == str(path)


def test_yaml_origins_are_line_and_column() -> None:
    path = DATA / "people.yaml"
    population = read(path)
    e1 = population.employees[0]
    # people.yaml: "  - id: E001" is line 8 (the mapping starts at column 5); its first
    # indicator is the flow mapping "{title: 売上高 ...}" on line 12, column 9.
    assert e1.origin == f"{path}:8:5"
    assert e1.indicators[0].origin == f"{path}:12:9"
    assert population.org_parent == {"sales": None, "sales_1": "sales"}


# --- text and numbers kept exactly ------------------------------------------------------


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_korean_and_japanese_text_round_trip_through_csv(bom: str, tmp_path: Path) -> None:
    path = tmp_path / "사원.csv"
    text = (
        "id,name,segment,title,category,weight\n"
        "K-01,박지성 (朴智星),general,고객만족도 제고,performance,100\n"
        "J-01,鈴木 一郎,manager,「売上」前年比１１０％,process,100\n"
    )
    write_atomic(path, bom + text)
    population = read(path)
    assert population.problems == []
    assert [(e.id, e.fields["name"], e.indicators[0].fields["title"]) for e in population.employees] == [
        ("K-01", "박지성 (朴智星)", "고객만족도 제고"),
        ("J-01", "鈴木 一郎", "「売上」前年比１１０％"),
    ]


def test_decimal_text_stays_exact_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "id,segment,title,category,weight,count\n"
        "E1,general,a,process,0.1,3.0\n"
        "E1,general,b,process,0.1,\n"
        "E1,general,c,process,0.1,\n",
        encoding="utf-8",
    )
    (employee,) = read(path).employees
    weights = [i.fields["weight"] for i in employee.indicators]
    assert [repr(w) for w in weights] == ["Decimal('0.1')"] * 3
    # 0.1 + 0.1 + 0.1 = 0.3 exactly; as floats it would be 0.30000000000000004.
    assert sum(weights, Decimal(0)) == Decimal("0.3")
    assert employee.indicators[0].fields["count"] == 3 and type(employee.indicators[0].fields["count"]) is int


def test_excel_float_cells_become_their_shortest_decimal(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    write_xlsx(
        path,
        [
            ["id", "segment", "joined", "title", "category", "weight", "target"],
            ["E1", "general", __import__("datetime").datetime(2026, 4, 1), "a", "process", 0.1, 7],
            ["E1", "general", None, "b", "process", 99.9, None],
        ],
    )
    (employee,) = read(path).employees
    assert exact([i.fields["weight"] for i in employee.indicators]) == exact([D("0.1"), D("99.9")])
    assert exact(employee.indicators[0].fields["target"]) == exact(D("7"))
    assert employee.fields["joined"] == "2026-04-01"


def test_excel_reads_first_sheet_and_keeps_excel_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "gap.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "segment", "title", "category", "weight"])
    sheet.append(["E1", "general", "a", "process", 100])
    sheet.append([])  # row 3 left empty
    sheet.append(["E2", "general", "b", "process", "百"])
    book.save(path)
    population = read(path)
    assert [e.id for e in population.employees] == ["E1"]
    assert population.problems == [
        Problem("E2", 1, "record-type", "weight: expected a decimal number, got '百'", f"{path}:row 4")
    ]


# --- every rule id, with its exact message and row -----------------------------------------

HEADER = "id,name,segment,title,category,weight,difficulty,rating\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "E1,A,manager,t,performance,abc,,\n",
            ("E1", 1, "record-type", "weight: expected a decimal number, got 'abc'", 2, []),
        ),
        (
            "E1,A,manager,t,performance,100,1.0,\nE1,A,manager,u,process,130,,\n",
            ("E1", 2, "record-range", "weight: 130 is above the maximum 100", 3, []),
        ),
        (
            "E1,A,manager,t,performance,100,0.9,\n",
            ("E1", 1, "record-range", "difficulty: 0.9 is below the minimum 1.0", 2, []),
        ),
        (
            "E1,A,manager,t,perfomance,100,,\n",
            (
                "E1",
                1,
                "record-enum",
                "category: 'perfomance' is not one of: performance, process (did you mean 'performance'?)",
                2,
                [],
            ),
        ),
        (
            "E1,A,manager,t,process,100,,X\n",
            ("E1", 1, "record-enum", "rating: 'X' is not a level of scale 's_to_d': S, A, B, C, D", 2, []),
        ),
        (
            "E1,A,manager,t,process,,,\n",
            ("E1", 1, "record-missing", "weight: required field is missing", 2, []),
        ),
        (
            "E1,A,boss,t,process,100,,\n",
            ("E1", None, "record-enum", "segment: 'boss' is not one of: manager, general", 2, []),
        ),
        (
            "E1,A,manager,t,process,50,,\nE1,A,general,u,process,50,,\n",
            ("E1", None, "record-conflict", "segment: 'general' conflicts with 'manager' on row 2", 3, []),
        ),
        (
            "E1,A,manager,t,process,100,,\n,A,manager,u,process,50,,\n",
            # Row 3 has no id (its problem names no employee); E1 on row 2 is whole and read.
            (None, None, "record-missing", "id: required field is missing", 3, ["E1"]),
        ),
    ],
)
def test_csv_problem_rule_message_and_row(rows: str, expected: tuple[Any, ...], tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    population = read(path)
    employee_id, indicator, rule, message, row, read_ids = expected
    # The only problem naming no employee here is a row's without an id: marked as such.
    no_id = employee_id is None
    assert population.problems == [Problem(employee_id, indicator, rule, message, f"{path}:row {row}", no_id)]
    # An employee with a problem is left out; everyone else is read.
    assert [e.id for e in population.employees] == read_ids


def test_later_rows_restate_or_conflict_row_by_row(tmp_path: Path) -> None:
    # E1's rows 3 and 4 leave the segment empty (the same cells twice: the second is the
    # remembered restatement), row 5 states another segment (a conflict), row 6 leaves it empty
    # again and row 7 repeats row 5: each conflicting row is reported, the others are not
    rows = [
        "E1,A,manager,t,performance,20,,", "E1,A,,u,performance,20,,", "E1,A,,v,performance,20,,",
        "E1,A,general,w,process,20,,", "E1,A,,x,process,10,,", "E1,A,general,y,process,10,,",
    ]  # fmt: skip
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    population = read(path)
    message = "segment: 'general' conflicts with 'manager' on row 2"
    assert population.problems == [
        Problem("E1", None, "record-conflict", message, f"{path}:row 5"),
        Problem("E1", None, "record-conflict", message, f"{path}:row 7"),
    ]
    assert population.employees == []
    # without the conflicts the employee is read whole, its first row's cells kept
    path.write_text(HEADER + "\n".join(r.replace("general", "") for r in rows) + "\n", encoding="utf-8")
    (employee,) = read(path).employees
    seen = (employee.fields["segment"], employee.fields["name"], len(employee.indicators))
    assert seen == ("manager", "A", 6)


def test_csv_unknown_column_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,segment,title,category,weight,weigth\nE1,general,t,process,100,5\n", encoding="utf-8")
    population = read(path)
    assert population.problems == [
        Problem(
            None,
            None,
            "record-unknown-field",
            "unknown column 'weigth' (did you mean 'weight'?)",
            f"{path}:row 1",
        )
    ]
    assert [e.id for e in population.employees] == ["E1"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "id,segment,title,weight",
            "missing required column 'category' (the policy's inputs.indicator declares it)",
        ),
        (
            # A misspelt column is still named, since the file is not read any further.
            "id,title,weigth",
            "missing required column 'segment' (the policy's inputs.employee declares it); "
            "missing required columns 'category', 'weight' (the policy's inputs.indicator declares them); "
            "column 'weigth' may be 'weight' misspelt",
        ),
    ],
    ids=["one", "several-and-misspelt"],
)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_missing_required_column_stops_the_read(
    header: str, message: str, suffix: str, tmp_path: Path
) -> None:
    # Every row would lack the field: one DataError for the file, not an empty population.
    path = tmp_path / f"x{suffix}"
    rows = [header.split(","), ["E1", "general", "t", "50"], ["E2", "general", "t", "100"]]
    if suffix == ".csv":
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    else:
        write_xlsx(path, [list(row) for row in rows])
    with pytest.raises(DataError) as info:
        read(path)
    assert str(info.value) == f"{path}: {message}"


def test_optional_and_defaulted_columns_may_be_left_out(tmp_path: Path) -> None:
    # No name, dedicated_large_project, joined, target, actual, difficulty, rating or count
    # column: all optional or defaulted (difficulty 1.0, dedicated_large_project false).
    path = tmp_path / "x.csv"
    path.write_text("id,segment,title,category,weight\nE1,general,t,process,100\n", encoding="utf-8")
    population = read(path)
    assert population.problems == []
    (employee,) = population.employees
    assert dict(employee.fields) == {"id": "E1", "segment": "general", "dedicated_large_project": False}
    assert exact(dict(employee.indicators[0].fields)) == exact(
        {"title": "t", "category": "process", "weight": D("100"), "difficulty": D("1.0")}
    )


def test_csv_column_prefix_resolves_a_name_used_at_both_levels(tmp_path: Path) -> None:
    inputs = {**INPUTS, "employee": {**INPUTS["employee"], "title": {"type": "string", "label": {"en": "t"}}}}
    path = tmp_path / "x.csv"
    path.write_text(
        "id,segment,title,indicator.title,category,weight\nE1,general,부장,売上高,process,100\n",
        encoding="utf-8",
    )
    (employee,) = read_population(path, inputs).employees
    assert employee.fields["title"] == "부장"
    assert employee.indicators[0].fields["title"] == "売上高"


def test_csv_rows_of_one_employee_need_not_be_consecutive(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "id,segment,title,category,weight\n"
        "E2,general,a,process,40\nE1,general,b,process,100\nE2,,c,process,60\n",  # E2 restated, segment empty
        encoding="utf-8",
    )
    population = read(path)
    assert population.problems == []
    assert [(e.id, [i.fields["title"] for i in e.indicators]) for e in population.employees] == [
        ("E2", ["a", "c"]),
        ("E1", ["b"]),
    ]


def test_csv_rows_without_period_mixed_with_period_rows_conflict(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "id,segment,period,title,category,weight\nE1,general,final,a,process,100\nE1,general,,b,process,100\n",
        encoding="utf-8",
    )
    assert read(path).problems == [
        Problem(
            "E1",
            None,
            "record-conflict",
            "rows without a period are mixed with rows for period final",
            f"{path}:row 3",
        )
    ]


def test_json_duplicate_id_keeps_both_copies_out(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    sheet = [{"title": "a", "category": "process", "weight": 100}]
    employees = [
        {"id": "E1", "segment": "general", "indicators": sheet},
        {"id": "E2", "segment": "general", "indicators": sheet},
        {"id": "E1", "segment": "manager", "indicators": sheet},
    ]
    path.write_text(json.dumps({"employees": employees}), encoding="utf-8")
    population = read(path)
    assert [e.id for e in population.employees] == ["E2"]
    assert population.problems == [
        Problem(
            "E1",
            None,
            "record-duplicate-id",
            f"employee id 'E1' is used more than once (first at {path}:$.employees[0])",
            f"{path}:$.employees[2]",
        )
    ]


def test_json_problems_name_the_indicator_and_its_json_path(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    employee = {
        "id": "E1",
        "segment": "general",
        "dedicated_large_project": "maybe",
        "periods": {
            "final": {"indicators": [{"title": "a", "category": "process", "weight": 100, "wieght": 1}]}
        },
        "evaluations": [{"stage": "first", "evaluator": "E9", "grade": "A"}],
    }
    path.write_text(json.dumps({"employees": [employee]}), encoding="utf-8")
    population = read(path)
    assert population.employees == []
    assert population.problems == [
        Problem(
            "E1",
            None,
            "record-type",
            "dedicated_large_project: expected true or false, got 'maybe'",
            f"{path}:$.employees[0].dedicated_large_project",
        ),
        Problem(
            "E1",
            1,
            "record-unknown-field",
            "final: unknown field 'wieght' (did you mean 'weight'?)",
            f"{path}:$.employees[0].periods.final.indicators[0].wieght",
        ),
    ]


def test_json_evaluations_and_indicators_or_periods(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    sheet = [{"title": "a", "category": "process", "weight": 100}]
    good = {
        "id": "E1",
        "segment": "general",
        "indicators": sheet,
        "evaluations": [{"stage": "first", "evaluator": "E9", "grade": "II"}],
    }
    both = {
        "id": "E2",
        "segment": "general",
        "indicators": sheet,
        "periods": {"final": {"indicators": sheet}},
    }
    path.write_text(json.dumps({"employees": [good, both]}), encoding="utf-8")
    population = read(path)
    assert [e.id for e in population.employees] == ["E1"]
    assert population.employees[0].evaluations == ({"stage": "first", "evaluator": "E9", "grade": "II"},)
    assert population.problems == [
        Problem(
            "E2",
            None,
            "record-conflict",
            "give either indicators or periods, not both",
            f"{path}:$.employees[1]",
        )
    ]


def test_yaml_unknown_key_is_located_at_the_key(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "employees:\n"
        "  - id: E1\n"
        "    segmnt: general\n"
        "    indicators:\n"
        "      - {title: 目標, category: process, weight: 100.5}\n",
        encoding="utf-8",
    )
    population = read(path)
    assert population.employees == []
    assert population.problems == [
        Problem(
            "E1",
            None,
            "record-unknown-field",
            "unknown field 'segmnt' (did you mean 'segment'?)",
            f"{path}:3:5",
        ),
        Problem("E1", None, "record-missing", "segment: required field is missing", f"{path}:2:5"),
        Problem(
            "E1", 1, "record-range", "weight: 100.5 is above the maximum 100", f"{path}:5:48"
        ),  # 100.5 starts at column 48
    ]


# --- parameters and the policy id --------------------------------------------------------


def test_parameters_from_file_and_run_time(tmp_path: Path) -> None:
    path = DATA / "people.json"
    assert read(path, parameters={"X": "2.5"}).parameters == {"X": Decimal("2.5")}
    population = read(path, parameters={"Y": "1"})
    assert population.parameters == {"X": Decimal("3.0")}
    assert population.problems == [
        Problem(
            None, None, "record-unknown-field", "parameters: unknown field 'Y'", "run-time parameters"
        )
    ]
    # Reading never demands a parameter: it is required only where an output being computed
    # reads it (engine.evaluate.parameters.require_parameters, issue 10 point 11).
    required = {**INPUTS, "parameters": {"X": {"type": "decimal", "label": {"en": "X"}}}}
    assert read_population(DATA / "people.csv", required).problems == []
    assert read_population(DATA / "people.csv", required, parameters={"X": "x"}).problems == [
        Problem(
            None,
            None,
            "record-type",
            "parameters: X: expected a decimal number, got 'x'",
            "run-time parameters",
        )
    ]


def test_data_for_another_policy_is_a_warning_not_a_problem() -> None:
    population = read(DATA / "people.json", policy_id="kumho_like")
    assert population.problems == []
    assert population.warnings == [
        Problem(
            None,
            None,
            "record-policy-mismatch",
            "the data is for policy 'japan_mbo', not 'kumho_like'",
            str(DATA / "people.json"),
        )
    ]
    assert read(DATA / "people.json", policy_id="japan_mbo").warnings == []


# --- 1,000 sheets, 3 bad ---------------------------------------------------------------------


def test_thousand_sheets_three_bad_reads_997(tmp_path: Path) -> None:
    lines = ["id,name,segment,title,category,weight"]
    for n in range(1000):
        for k in range(5):
            lines.append(f"E{n:04d},社員{n},general,目標{k},process,20")
    # Employee n's line k (0-based) is on row 2 + 5n + k (row 1 is the header), lines[row - 1].
    lines[504 - 1] = "E0100,社員100,general,目標2,process,x"  # 2 + 500 + 2 = row 504, line 3
    lines[2503 - 1] = "E0500,社員500,manager,目標1,process,20"  # 2 + 2500 + 1 = row 2503, line 2
    lines[5001 - 1] = "E0999,社員999,general,目標4,,20"  # 2 + 4995 + 4 = row 5001, line 5
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    population = read(path)
    assert len(population.employees) == 997
    assert population.problems == [
        Problem(
            "E0100", 3, "record-type", "weight: expected a decimal number, got 'x'", f"{path}:row 504"
        ),
        Problem(
            "E0500",
            None,
            "record-conflict",
            "segment: 'manager' conflicts with 'general' on row 2502",
            f"{path}:row 2503",
        ),
        Problem(
            "E0999", 5, "record-missing", "category: required field is missing", f"{path}:row 5001"
        ),
    ]
    assert {"E0100", "E0500", "E0999"}.isdisjoint(e.id for e in population.employees)


# --- files that cannot be read at all -------------------------------------------------------


def test_csv_said_to_be_utf8_but_not_is_one_data_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id,name\nE1,김\n".encode("cp949"))
    with pytest.raises(DataError) as info:
        read(path, encoding="utf-8")
    assert str(info.value) == (
        f"{path}: line 2 is not UTF-8 text (byte 0xb1); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    )


CANNOT_READ: list[tuple[str, bytes, Callable[[Path], str]]] = [
    ("x.csv", b"", lambda p: f"{p}: no header row (the table is empty)"),
    ("x.csv", b"name,segment\nA,general\n", lambda p: f"{p}: row 1: the header has no 'id' column"),
    (
        "x.csv",
        b"id,weight,weight\n",
        lambda p: f"{p}: row 1: column 'weight' appears twice (columns 2 and 3)",
    ),
    (
        "x.json",
        b"{x}",
        lambda p: f"{p}:1:2: not valid JSON: Expecting property name enclosed in double quotes",
    ),
    ("x.json", b"[]", lambda p: f"{p}: expected a mapping with an 'employees' list, got a list"),
    (
        "x.json",
        b'{"employees": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        lambda p: (
            f"{p}: the JSON is nested too deeply to read (a records file needs only a few levels of brackets)"
        ),
    ),
    (
        "x.json",
        b'{"employees": [{"id": "E1", "indicators": []},\n'
        b' {"id": "E2", "indicators": [{"weight": 1}, {"weight": 1, "title": "t", "weight": 2}]}]}',
        lambda p: (
            f"{p}:$.employees[1].indicators[1]: duplicate key 'weight' (JSON would keep only the last); "
            "keep one entry per key"
        ),
    ),
    (
        "x.json",
        b'{"employees": [], "policy": "a", "employees": [{"id": "E1"}]}',
        lambda p: f"{p}:$: duplicate key 'employees' (JSON would keep only the last); keep one entry per key",
    ),
    ("x.xlsx", b"id,name\n", lambda p: f"{p}: not an Excel .xlsx workbook (File is not a zip file)"),
    (
        "x.txt",
        b"id\n",
        lambda p: f"{p}: unsupported data file type '.txt'; use .yaml, .yml, .json, .csv or .xlsx",
    ),
    ("x.yaml", b"employees: [\n", lambda p: f"{p}:"),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), CANNOT_READ, ids=[f"{n}-{case[0]}" for n, case in enumerate(CANNOT_READ)]
)
def test_unreadable_file_is_one_data_error(
    name: str, content: bytes, message: Callable[[Path], str], tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read(path)
    text = str(info.value)
    assert "\n" not in text
    if name.endswith(".yaml"):
        assert text.startswith(message(path))  # the YAML parser's own words follow the location
    else:
        assert text == message(path)


def test_excel_with_a_cut_off_sheet_is_one_data_error(tmp_path: Path) -> None:
    whole = tmp_path / "whole.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "segment", "title", "category", "weight"])
    for n in range(1, 9):
        sheet.append([f"E{n}", "general", "t", "process", 100])
    book.save(whole)
    # Copy the workbook with its sheet XML cut off inside row 6, just after "<row r="6"><c".
    path = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<row r="6">') + len(b'<row r="6">')
                data = data[: start + 2]
            target.writestr(item, data)
    with pytest.raises(DataError) as info:
        read(path)
    # Rows 1-5 were read; the XML parser stops at the unclosed "<c" (its 0-based column).
    assert str(info.value) == (
        f"{path}: damaged Excel workbook: sheet 'Sheet' cannot be read after row 5 "
        f"(ParseError: unclosed token: line 1, column {start})"
    )


def test_excel_with_a_cut_off_workbook_part_is_one_data_error(tmp_path: Path) -> None:
    whole = tmp_path / "whole.xlsx"
    write_xlsx(whole, [["id"], ["E1"]])
    path = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[:1] if item.filename == "xl/styles.xml" else data)
    with pytest.raises(DataError) as info:
        read(path)
    # One byte "<" is left of the styles part: the token opened at column 0 is never closed.
    assert str(info.value) == (
        f"{path}: damaged Excel workbook, cannot open it (ParseError: unclosed token: line 1, column 0)"
    )


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError, match=f"^{re.escape(str(path))}: no such file$"):
        read(path)


# --- the examples in docs/records.md --------------------------------------------------------

ROOT = DATA.parent.parent.parent
# A fenced block right after "<!-- example: POLICY NAME -->" is a complete file for that policy.
EXAMPLE = re.compile(r"<!-- example: (\S+) (\S+) -->\n```\w*\n(.*?)```", re.S)


def doc_examples() -> dict[str, tuple[str, str]]:
    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    return {name: (policy, body) for policy, name, body in EXAMPLE.findall(text)}


def policy_data(policy_id: str) -> dict[str, Any]:
    doc = load_yaml_file(str(ROOT / "policies" / f"{policy_id}.yaml"))
    assert doc.diagnostics == []
    return doc.data  # type: ignore[no-any-return]


def test_docs_records_examples_are_all_found() -> None:
    assert {name: policy for name, (policy, _) in doc_examples().items()} == {
        "inputs": "japan_mbo",
        "people.yaml": "japan_mbo",
        "people.json": "kepco_like",
        "people.csv": "japan_mbo",
    }


@pytest.mark.parametrize(
    ("name", "ids"),
    [("people.yaml", ["E001", "E002"]), ("people.csv", ["E001", "E002"]), ("people.json", ["K001"])],
)
def test_docs_records_example_reads_without_a_problem(name: str, ids: list[str], tmp_path: Path) -> None:
    policy_id, body = doc_examples()[name]
    policy = policy_data(policy_id)
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    population = read_population(
        path, policy["inputs"], scales=policy.get("scales"), policy_id=policy["metadata"]["id"]
    )
    assert (population.problems, population.warnings) == ([], [])
    assert [e.id for e in population.employees] == ids
    if not name.endswith(".csv"):  # the nested forms also fit the records schema editors use
        schema = json.loads((ROOT / "schema" / "records.schema.json").read_text(encoding="utf-8"))
        document = load_yaml_file(str(path)).data  # JSON is YAML too
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(document)) == []


def test_docs_records_csv_example_is_the_yaml_example_as_a_table(tmp_path: Path) -> None:
    examples = doc_examples()
    inputs = policy_data("japan_mbo")["inputs"]
    read_back = []
    for name in ("people.yaml", "people.csv"):
        (tmp_path / name).write_text(examples[name][1], encoding="utf-8")
        read_back.append(exact(summary(read_population(tmp_path / name, inputs))))
    assert read_back[0] == read_back[1]
    # E002's large-project goal: 50 %, assessed 100, difficulty 1.3 (given), direction higher (default).
    large = read_population(tmp_path / "people.csv", inputs).employees[1].indicators[0].fields
    assert exact([large[k] for k in ("weight", "difficulty", "direction", "large_project")]) == exact(
        [D("50"), D("1.3"), "higher", True]
    )


def test_docs_records_inputs_excerpt_matches_the_policy(tmp_path: Path) -> None:
    # Every field and every key of its declaration as in the policy; labels may be shortened to
    # some of the policy's languages, but say the same in those.
    path = tmp_path / "inputs.yaml"
    path.write_text(doc_examples()["inputs"][1], encoding="utf-8")
    excerpt = load_yaml_file(str(path)).data["inputs"]
    declared = policy_data("japan_mbo")["inputs"]
    assert list(excerpt) == list(declared) == ["employee", "indicator"]
    for level in declared:
        assert list(excerpt[level]) == list(declared[level])
        for name, decl in declared[level].items():
            shown = excerpt[level][name]
            assert exact({k: v for k, v in shown.items() if k != "label"}) == exact(
                {k: v for k, v in decl.items() if k != "label"}
            ), name
            for lang, label in shown["label"].items():
                assert decl["label"][lang].startswith(label), (name, lang)


# --- atomic writes -------------------------------------------------------------------------


def test_write_atomic_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "id,名前\nE1,김민수\n")
    assert target.read_bytes() == "id,名前\nE1,김민수\n".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_write_atomic_new_file_is_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    write_atomic(target, "{}")
    assert target.stat().st_mode & 0o777 == atomic.NEW_FILE_MODE


@pytest.mark.parametrize("step", ["chmod", "replace"])
def test_write_atomic_failure_leaves_target_and_no_temp(
    step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old complete file", encoding="utf-8")

    def fail(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(UsageError) as info:
        write_atomic(target, "new " * 100_000)
    assert str(info.value) == f"{target}: cannot write the file: No space left on device"
    assert target.read_text(encoding="utf-8") == "old complete file"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_write_atomic_interrupted_removes_temp_and_reraises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.csv", "data")
    assert os.listdir(tmp_path) == []


def test_open_atomic_write_error_leaves_target_and_no_temp(tmp_path: Path) -> None:
    """A write failing midway (a full disk is seen when the data is written) is one line and
    leaves the old file whole: the rename never happens."""
    target = tmp_path / "out.csv"
    target.write_text("old complete file", encoding="utf-8")
    with pytest.raises(UsageError) as info, open_atomic(target) as out:
        out.write("new, half written")
        raise OSError(28, "No space left on device")
    assert str(info.value) == f"{target}: cannot write the file: No space left on device"
    assert target.read_text(encoding="utf-8") == "old complete file"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_write_atomic_into_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "out.csv"
    with pytest.raises(UsageError) as info:
        write_atomic(target, "x")
    assert str(info.value) == f"{target}: cannot write the file: No such file or directory"


# --- the records schema ------------------------------------------------------------------------


def test_records_schema_accepts_the_fixtures_and_documents_every_property() -> None:
    import yaml

    schema = json.loads(
        (DATA.parent.parent.parent / "schema" / "records.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for document in (
        json.loads((DATA / "people.json").read_text(encoding="utf-8")),
        yaml.safe_load((DATA / "people.yaml").read_text(encoding="utf-8")),
    ):
        assert list(validator.iter_errors(document)) == []
    both = {"employees": [{"id": "E1", "indicators": [], "periods": {}}]}
    assert [e.validator for e in validator.iter_errors(both)] == ["not"]

    undocumented = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for group in ("properties", "patternProperties"):
                for name, sub in node.get(group, {}).items():
                    if not ("title" in sub and "description" in sub):
                        undocumented.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")

    walk(schema, "$")
    assert undocumented == []
