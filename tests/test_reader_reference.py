"""The generated per-record table reader (engine/io/rowcode.py, the CSV lines split at their
commas) against the reader it replaced (tests/reader_reference.py, verbatim): the same records
(values, their types and their order), the same problems (rule, message, origin, order) and the
same notes, for generated populations, good and bad, and for hand-made damage of every kind the
reader reports, read whole, as a stream and by byte range, from CSV and from Excel."""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.io.csvfile as csvfile
import engine.io.table as table
from engine.errors import DataError
from engine.io.records import read_csv_range, read_population, stream_csv
from engine.io.table import Interleaved
from tests import kumho_sheet, reader_reference

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate as generate_japan  # noqa: E402

JAPAN = yaml.safe_load((ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8"))
KUMHO = yaml.safe_load((ROOT / "policies" / "kumho_like.yaml").read_text(encoding="utf-8"))


def typed(value: Any) -> Any:
    """``value`` spelt out with the type of everything in it (Decimal('1.0') is not 1, a dict's
    order counts), so that equal means the same records."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple((f.name, typed(getattr(value, f.name))) for f in fields))
    if isinstance(value, Mapping):
        return (type(value).__name__, tuple((k, typed(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(typed(v) for v in value))
    return (type(value).__name__, repr(value))


def outcome(read: Callable[[], Any]) -> Any:
    """What ``read`` returns, or the error it raises (its class and its text)."""
    try:
        return read()
    except DataError as exc:
        return ("DataError", type(exc).__name__, str(exc))


def same(read: Callable[[], Any]) -> Any:
    """What ``read`` returns by the engine's reader, asserted to be what it returns (typed:
    see :func:`typed`) by the reference."""
    new = outcome(read)
    with reader_reference.reference_reading():
        assert table.RowGrouper is reader_reference.RowGrouper  # the reference is in place
        old = outcome(read)
    assert table.RowGrouper is not reader_reference.RowGrouper
    assert typed(new) == typed(old)
    return new


def whole(path: Path, policy: dict[str, Any]) -> Callable[[], Any]:
    def read() -> Any:
        population = read_population(path, policy["inputs"], scales=policy.get("scales"))
        return population.employees, list(population.problems), population.warnings

    return read


def streamed(path: Path, policy: dict[str, Any]) -> Callable[[], Any]:
    def read() -> Any:
        stream, _, _, notes = stream_csv(str(path), policy["inputs"], scales=policy.get("scales"))
        try:
            employees = list(stream)
        except Interleaved as exc:
            return ("Interleaved", str(exc))
        part = stream.part
        return employees, list(part.header), list(part.rows), list(part.grouped), part.notes, notes

    return read


def ranged(path: Path, policy: dict[str, Any]) -> Callable[[], Any]:
    """The file's second half (from the first line after its middle), as a process of a
    parallel run reads it."""

    def read() -> Any:
        data = path.read_bytes()
        start = data.index(b"\n", len(data) // 2) + 1
        first_row = data[:start].count(b"\n") + 1
        scales, end = policy.get("scales"), len(data)
        part, _, _ = read_csv_range(
            str(path), policy["inputs"], scales=scales, start=start, end=end, first_row=first_row
        )
        return part.employees, part.problems, part.notes

    return read


def assert_same(path: Path, policy: dict[str, Any], *, stream: bool = True) -> Any:
    """The two readers agree on ``path`` read whole (and as a stream); the whole read's
    (employees, problems, warnings)."""
    if stream:
        same(streamed(path, policy))
    return same(whole(path, policy))


def test_generated_populations_read_the_same(tmp_path: Path) -> None:
    japan, kumho = tmp_path / "japan.csv", tmp_path / "kumho.csv"
    generate_japan(300, str(japan), 11)
    generate_kumho(300, str(kumho), 5)
    for path, policy in ((japan, JAPAN), (kumho, KUMHO)):
        employees, problems, _ = assert_same(path, policy)
        assert len(employees) == 300 and problems == []  # all read, no problem
        employees, problems, _ = same(ranged(path, policy))
        assert 100 < len(employees) < 200 and problems == []


@pytest.mark.parametrize("every", [1, 3])
def test_bad_cells_of_gen_bad_are_the_same_problems(tmp_path: Path, every: int) -> None:
    """A weight that is not a number on every row of every (every third) employee: one problem
    per row, the same ones in the same order, the other employees the same records."""
    source, bad = tmp_path / "japan.csv", tmp_path / "bad.csv"
    generate_japan(60, str(source), 5)
    script = ROOT / "bench" / "gen_bad.py"
    cmd = [sys.executable, str(script), "--cell", "--every", str(every), str(source), str(bad)]
    subprocess.run(cmd, check=True)
    employees, problems, _ = assert_same(bad, JAPAN)
    assert len(employees) == 60 - len(range(0, 60, every))
    assert len(problems) > 60 // every  # a problem per bad row: more rows than employees
    assert {p.rule for p in problems} == {"record-type"}


def _damaged_rows(source: Path) -> list[list[str]]:
    """The rows of a generated file with cells read in ways of their own on the first
    employees' lines (which stay clean: their records are compared), and damage of every kind
    the reader reports on the next ones' (each such employee left out, its problems compared)."""
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    at = {name: i for i, name in enumerate(rows[0])}
    lines: dict[str, list[int]] = {}
    for number, row in enumerate(rows[1:], start=1):
        lines.setdefault(row[0], []).append(number)
    first = [numbers[0] for numbers in lines.values()]

    def edit(row: int, **cells: str) -> None:
        for name, value in cells.items():
            rows[row][at[name]] = value

    # Clean employees: cells read in ways of their own.
    edit(first[0], title='目標, "引用" 付き\n二行目')  # quotes, a comma and a line end in one cell
    edit(first[0] + 1, direction="", difficulty="")  # defaults fill them
    edit(first[1], weight=rows[first[1]][at["weight"]] + "%")  # Excel's CSV of a percent cell
    for row in lines["E000003"]:  # Hangul saved decomposed, on each of the employee's rows
        edit(row, name=unicodedata.normalize("NFD", "김도윤"), what="  項目  ")
    edit(first[3] + 1, shared="yes", large_project="TRUE", target=" 20 ")
    edit(first[4] + 1, name="", segment="")  # a later row leaving the employee cells empty
    rows[first[5] + 1] = rows[first[5] + 1][: at["direction"]]  # a short row: the rest is empty
    # Employees with problems.
    edit(first[6], weight="1_000")  # a number Decimal() reads but the grammar does not
    edit(first[7], target="abc", actual="  ")  # not a number; blank text is absent
    edit(first[8], kind="")  # a required field left empty
    edit(first[9] + 1, segment="staff")  # a later row's employee cell conflicting with the first's
    edit(first[10], goals_agreed_on="2026/04/10")
    edit(first[11], kind="qualitative?")  # not one of the enum's values
    edit(first[12], weight="1e400")  # out of range
    rows[first[13]] = rows[first[13]] + ["", "surplus"]  # a cell right of the last column
    for row in lines["E000016"]:  # a required employee field left empty on every row
        edit(row, segment="")
    # Rows of no employee, and the first employee's rows resumed after the others' (merged).
    rows[first[14]:first[14]] = [[""] * len(at), ["", "名前だけ"] + [""] * (len(at) - 2), []]
    return [*rows, list(rows[1])]


def test_damaged_csv_gives_the_same_records_and_problems(tmp_path: Path) -> None:
    source, path = tmp_path / "japan.csv", tmp_path / "damaged.csv"
    generate_japan(30, str(source), 2)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(_damaged_rows(source))
    employees, problems, warnings = assert_same(path, JAPAN, stream=False)
    rules = {p.rule for p in problems}
    assert {"record-type", "record-missing", "record-conflict", "record-unknown-field"} <= rules
    assert "record-enum" in rules
    assert "record-range" in rules and len(employees) == 30 - 9 and warnings == []
    assert any(p.message == "segment: required field is missing" for p in problems)
    assert [e.id for e in employees[:6]] == [f"E{n:06}" for n in range(1, 7)]
    assert same(streamed(path, JAPAN)) == ("Interleaved", "E000001")


@pytest.mark.parametrize(
    "data",
    [
        b"id,name\nE1,x\n",  # required columns missing
        b'id,name,segment\nE1,"cut\n',  # the file ends inside a quoted cell
        b'id,name\nE1,"a"b\n',  # text after a closing quote
        "id,name\nE1,\ufeffx\n".encode(),  # a byte-order mark inside
        "id,name\nE1,김\n".encode() + b"E2,\xff\n",  # UTF-8 with a bad byte
        b"id,name\nE1,\xb1\xe8\xff\xff\n",  # no encoding found
        "사번,이름\nE1,김\n".encode("utf-16"),  # another encoding, detected
    ],
)
def test_unreadable_csv_is_the_same_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    assert same(whole(path, JAPAN))[0] == "DataError"


def test_workbooks_read_the_same(tmp_path: Path) -> None:
    """Excel's typed cells (numbers, booleans, percent cells of a percent field, a formula
    without its value, a number in a text field) take the generated code's other branches."""
    path = kumho_sheet.write_workbook(tmp_path / "평가.xlsx", 12)
    book = openpyxl.load_workbook(path)
    sheet = book["평가표"]
    sheet.cell(row=5, column=7).value = "=1+1"  # has_team_kpi: a formula saved without its value
    sheet.cell(row=6, column=9).value = 0  # a category of 0
    sheet.cell(row=7, column=2).value = 12345  # a number as a name
    sheet.cell(row=8, column=10).value = Decimal("0.25")  # weight: a plain number, not a percent
    sheet.cell(row=9, column=10).value = "abc"
    book.save(path)
    employees, problems, _ = assert_same(path, KUMHO, stream=False)
    assert len(employees) >= 6
    assert any("formula" in p.message for p in problems)
    cp949 = kumho_sheet.write_cp949_csv(tmp_path / "평가.csv", 12)
    assert_same(cp949, KUMHO, stream=False)


@pytest.mark.parametrize("ends", [b"\r", b"\r\n", b"\n\r\n"])
def test_line_ends_read_the_same(tmp_path: Path, ends: bytes) -> None:
    """Lines ended by a carriage return alone (old Macs), by CR LF, or blank lines between."""
    source, path = tmp_path / "japan.csv", tmp_path / "ends.csv"
    generate_japan(20, str(source), 4)
    path.write_bytes(ends.join(source.read_bytes().splitlines()) + ends)
    employees, problems, _ = assert_same(path, JAPAN)
    assert len(employees) == 20 and problems == []


def _csv_outcome(reader: Callable[[Any], Any], text: str) -> Any:
    """The records ``reader`` makes of ``text`` (a file's lines, read with newline=''), or the
    error it stops at, with the records before it."""
    records: list[Any] = []
    try:
        for record in reader(io.StringIO(text, newline="")):
            records.append(record)
    except (csv.Error, csvfile._StrayBom) as exc:
        return records, type(exc).__name__, str(exc)
    return records, None, None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list(',"\r\n\x00 ab\t한\u1100\u1161\ufeff')), max_size=60))
def test_csv_lines_split_as_the_csv_module_reads_them(text: str) -> None:
    """Any text of the characters the CSV grammar gives a meaning to (and NFD Hangul, a stray
    byte-order mark): the same records, or the same error after the same records."""
    assert _csv_outcome(csvfile._reader, text) == _csv_outcome(reader_reference._reader, text)
