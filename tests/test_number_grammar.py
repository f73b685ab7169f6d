"""One grammar of a number written as text (engine.io.fields.NUMBER), whoever reads it.

``Decimal()`` alone reads ``1_000`` (digit groups: a typo ``1_5`` would be 15), ``１２`` and
other scripts' digits. A number cell or field takes an optional sign, ASCII digits with an
optional point and an optional exponent, spaces around; anything else is the cell's problem,
worded the same by every reader (CSV, YAML, JSON, a workbook's text cell) and by both paths of
a CSV file (the columnar plan hands every cell it does not read itself to the same converter).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import engine.io.fields as fields
from engine.errors import UsageError
from engine.evaluate import Engine, parallel
from engine.evaluate.columnar import run as columnar
from engine.io.fields import NUMBER, FieldError, compile_fields, number_hint, shown
from engine.io.payfile import parse_number
from engine.io.records import read_population
from engine.report.results import SPLIT_RENDERERS

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

UNDERSCORE = "'_' is not allowed in a number"
DIGITS = "only the digits 0-9 are read (not full-width or other scripts' digits)"


def _converters() -> tuple[object, object]:
    rules = compile_fields({"d": {"type": "decimal"}, "i": {"type": "integer"}})
    return rules["d"].convert, rules["i"].convert


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", Decimal("12")),
        ("-12.50", Decimal("-12.50")),
        ("+12", Decimal("12")),
        ("  12.5\u3000", Decimal("12.5")),  # spaces around, an ideographic one too
        ("1e3", Decimal("1E+3")),
        ("1.5E+3", Decimal("1.5E+3")),  # a spreadsheet's export of a number shown so
        ("2.5e-1", Decimal("0.25")),
        (".5", Decimal("0.5")),
        ("5.", Decimal("5")),
        ("007", Decimal("7")),
    ],
)
def test_numbers_in_the_grammar_are_decimal_of_their_text(text: str, value: Decimal) -> None:
    decimal, _ = _converters()
    got = decimal(text)  # type: ignore[operator]
    assert (got, str(got)) == (value, str(value))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1_000", f"expected a decimal number, got '1_000': {UNDERSCORE}; write 1000 if that is meant"),
        ("1_5", f"expected a decimal number, got '1_5': {UNDERSCORE}; write 15 if that is meant"),
        (
            " 1_000.5_0 ",
            f"expected a decimal number, got ' 1_000.5_0 ': {UNDERSCORE}; write 1000.50 if that is meant",
        ),
        ("１２", f"expected a decimal number, got '１２': {DIGITS}; write 12 if that is meant"),
        ("-１２", f"expected a decimal number, got '-１２': {DIGITS}; write -12 if that is meant"),
        ("٣", f"expected a decimal number, got '٣': {DIGITS}; write 3 if that is meant"),
        (
            "１_２",
            f"expected a decimal number, got '１_２': {UNDERSCORE} and {DIGITS}; write 12 if that is meant",
        ),
        ("１．５", f"expected a decimal number, got '１．５': {DIGITS}"),  # a full-width point: no guess
        ("NaN", "expected a decimal number, got 'NaN'"),
        ("-Infinity", "expected a decimal number, got '-Infinity'"),
        ("1,000", "expected a decimal number, got '1,000'"),
        (".", "expected a decimal number, got '.'"),
        ("e3", "expected a decimal number, got 'e3'"),
        ("1e", "expected a decimal number, got '1e'"),
        ("--1", "expected a decimal number, got '--1'"),
    ],
)
def test_other_text_is_refused_naming_what_is_wrong(text: str, message: str) -> None:
    decimal, integer = _converters()
    with pytest.raises(FieldError) as refused:
        decimal(text)  # type: ignore[operator]
    assert (refused.value.rule, refused.value.message) == ("record-type", message)
    with pytest.raises(FieldError) as refused:
        integer(text)  # type: ignore[operator]
    expected = message.replace("expected a decimal number", "expected an integer")
    assert (refused.value.rule, refused.value.message) == ("record-type", expected)


def _outcome(read: object, text: str) -> tuple[str, str]:
    try:
        got = read(text)  # type: ignore[operator]
    except FieldError as exc:
        return exc.rule, exc.message
    return "ok", repr(got)


@settings(max_examples=500, deadline=None)
@given(st.text("0123456789+-.eE_ \t\x0b\x1cInfityaNs１٣\u3000", max_size=12))
@example("Infinity")
@example(" sNaN12 ")
@example("\x1c-1.5e+3\x1f")
@example("1" * 101)
@example("1e99999999999999999999")
def test_the_ascii_hot_path_reads_as_the_grammar_reads(text: str) -> None:
    """ASCII text without '_' is read by ``Decimal()`` straight away (the per-record reader's hot
    path): the same value or problem as the grammar's own reading, whatever the text."""
    decimal, _ = _converters()
    assert _outcome(decimal, text) == _outcome(fields._text_decimal, text), text


def test_an_exponent_beyond_decimals_own_bounds_is_out_of_range() -> None:
    decimal, _ = _converters()
    with pytest.raises(FieldError) as refused:
        decimal("1e99999999999999999999")  # type: ignore[operator]
    assert (refused.value.rule, refused.value.message) == (
        "record-range",
        "the number 1e99999999999999999999 is out of range: at most 100 characters and a decimal "
        "exponent between -100 and 100",
    )


def test_the_base_rate_option_reads_the_same_grammar() -> None:
    assert parse_number(" 3.5 ", "--base-rate") == Decimal("3.5")
    with pytest.raises(
        UsageError, match=r"^--base-rate '1_0' is not a number: '_' is not allowed in a number; "
    ):
        parse_number("1_0", "--base-rate")
    with pytest.raises(
        UsageError, match=r"^--base-rate '１２' is not a number: only the digits 0-9 are read"
    ):
        parse_number("１２", "--base-rate")
    with pytest.raises(UsageError, match=r"^--base-rate '1e99999999999999999999' is out of range"):
        parse_number("1e99999999999999999999", "--base-rate")


# -- every reader ----------------------------------------------------------------------------


def _base(folder: Path) -> list[list[str]]:
    path = folder / "base.csv"
    generate(3, str(path), seed=2)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _as_yaml_or_json(rows: list[list[str]]) -> dict[str, object]:
    """The table as a nested records file, every cell text (as a quoted YAML or JSON string)."""
    header, employees = rows[0], {}
    indicator_fields = header[header.index("title") : header.index("large_project") + 1]
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        emp = employees.setdefault(cells["id"], {"indicators": []})
        for name, cell in cells.items():
            if cell and name not in indicator_fields:
                emp[name] = cell
        emp["indicators"].append({k: cells[k] for k in indicator_fields if cells[k]})  # type: ignore[union-attr]
    return {"employees": list(employees.values())}


@pytest.mark.parametrize("cell", ["1_000", "１００", "1E+2"])
def test_every_reader_reads_a_text_cell_by_the_one_grammar(cell: str, tmp_path: Path) -> None:
    rows = _base(tmp_path)
    at = rows[0].index("target")
    line = next(i for i, row in enumerate(rows) if i and row[at])
    rows[line][at] = cell
    engine = Engine.from_file(JAPAN)
    inputs, scales = engine.source.data["inputs"], engine.source.data.get("scales")
    data = _as_yaml_or_json(rows)
    files = {"csv": tmp_path / "p.csv", "yaml": tmp_path / "p.yaml", "json": tmp_path / "p.json"}
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    files["csv"].write_text(buffer.getvalue(), encoding="utf-8")
    files["json"].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    files["yaml"].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)  # every cell a text cell
    files["xlsx"] = tmp_path / "p.xlsx"
    book.save(files["xlsx"])
    seen = {}
    for kind, path in files.items():
        population = read_population(str(path), inputs, scales=scales)
        seen[kind] = ([(p.employee_id, p.indicator, p.rule, p.message) for p in population.problems],
                      len(population.employees))  # fmt: skip
    assert len({repr(v) for v in seen.values()}) == 1, seen
    problems, count = seen["csv"]
    if NUMBER.fullmatch(cell):
        assert (problems, count) == ([], 3)
    else:
        message = f"target: expected a decimal number, got {shown(cell)}{number_hint(cell)}"
        emp = rows[line][0]
        goal = line - next(i for i, row in enumerate(rows) if row[0] == emp) + 1  # the employee's goal line
        assert (problems, count) == ([(emp, goal, "record-type", message)], 2)
        assert (emp, goal) == ("E000001", 2)  # the first goal line with a target: a quantitative goal


# -- both paths of a CSV file, over random cell texts -------------------------------------------

#: What a number cell's text is made of: ASCII, full-width and Arabic-Indic digits, the
#: grammar's signs, points and exponents, a digit separator, spaces, letters of NaN and inf (no
#: comma: the cell would be quoted, and a file with quotes is not split into ranges).
CHARS = "0123456789０１２９٣.．+-－eE_ \u3000\xa0NaIinfy"
FIELDS = ("target", "actual", "weight", "difficulty")
#: Cell texts: random ones of those characters, and numbers near the grammar with a piece of
#: them possibly put in front or after (a sign, a second point, an underscore, a space).
TEXTS = st.one_of(
    st.text(CHARS, max_size=8),
    st.builds(
        lambda left, number, right: left + number + right,
        st.sampled_from(["", "", "", " ", "+", "-", "0", "_", "."]),
        st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,2})?", fullmatch=True),
        st.sampled_from(["", "", "", " ", "0", "_0", ".", "e", "\u3000", "２"]),
    ),
)


@pytest.fixture(scope="module")
def base_rows(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """6 generated japan employees: about 35 goal lines."""
    path = tmp_path_factory.mktemp("grammar") / "base.csv"
    generate(6, str(path), seed=9)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def japan() -> Engine:
    return Engine.from_file(JAPAN)


def _ranges_equal(engine: Engine, path: str) -> list[str]:
    """Every range of the file through the plan and through the per-record reader: the same
    report text and problems; returns the problems' messages."""
    ranges = parallel.plan_ranges(path, 2, 0)
    assert ranges is not None
    messages = []
    for part in ranges:
        want = parallel.evaluate_range(engine, path, part, None, SPLIT_RENDERERS["csv"])
        got = columnar._columnar(engine, path, part, None, SPLIT_RENDERERS["csv"], None, None, 600)
        assert got is not None
        assert (got.text, got.evaluated) == (want.text, want.evaluated)
        assert got.read.problems == want.read.problems
        assert got.checks == want.checks
        messages += [p.message for p in want.read.problems]
    return messages


@settings(max_examples=30, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(FIELDS), TEXTS), max_size=6))
@example(
    edits=[
        (1, "target", "1_000"),
        (9, "actual", "１２"),
        (20, "weight", "1E+1"),
        (30, "difficulty", " +1.1 "),
    ]
)
@example(edits=[(3, "target", "1_5"), (4, "actual", "٣"), (5, "weight", "20."), (6, "difficulty", ".11e1")])
@example(
    edits=[(2, "target", "0123"), (9, "weight", "020"), (15, "actual", "-0"), (22, "difficulty", "01.10")]
)
def test_both_paths_read_any_cell_text_alike(
    edits: list[tuple[int, str, str]],
    base_rows: list[list[str]],
    japan: Engine,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Random texts in number cells (all four are decimal fields): the plan's ranges are the
    per-record reader's, and a text is refused, naming the cell's field and text, exactly when
    it is not blank and not in the grammar."""
    rows = [list(row) for row in base_rows]
    header = rows[0]
    cells = {(1 + line % (len(rows) - 1), header.index(field)) for line, field, _ in edits}
    for line, field, text in edits:
        rows[1 + line % (len(rows) - 1)][header.index(field)] = text
    path = tmp_path_factory.mktemp("cells") / "p.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    messages = _ranges_equal(japan, str(path))
    for row, col in cells:
        text = rows[row][col]
        refused = f"{header[col]}: expected a decimal number, got {shown(text)}{number_hint(text)}"
        bad = bool(text.strip()) and NUMBER.fullmatch(text.strip()) is None
        assert (refused in messages) is bad, text
