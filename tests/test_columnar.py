"""The exact columnar plan (engine/evaluate/columnar): byte for byte the per-record path.

Generated populations with bad rows of every kind, scores exactly on grade boundaries (110.0,
79.5, 74.5), roundings exactly half way, float traps (0.1 + 0.2), quoted and non-NFC text,
interleaved employees; every range of the file through the plan (in tiny chunks, so chunk
ends fall everywhere) against :func:`engine.evaluate.parallel.evaluate_range`; whole reports
with 2 and 3 workers against the plan switched off (``HRPOLICY_COLUMNAR=0``). The exact
integer arithmetic is checked against Decimal itself.
"""

from __future__ import annotations

import csv
import decimal
import io
import random
import sys
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import csv_rows, write_csv
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.evaluate import Engine, parallel
from engine.evaluate.columnar import cells as cell_bytes
from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar import plan as columnar_plan
from engine.evaluate.columnar import reading
from engine.evaluate.columnar import run as columnar
from engine.evaluate.columnar.numbers import Num
from engine.report import csvblock
from engine.report.results import SPLIT_RENDERERS
from engine.report.stream import write_report
from engine.rounding import MODES, round_decimal

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

CSV = SPLIT_RENDERERS["csv"]


def _write(path: Path, rows: list[list[str]], newline: str = "\r\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def _agreed(emp: str, first: bool) -> list[str]:
    """The goal agreement and development plan (policies/japan_mbo.yaml's record requirements),
    on the employee's first row only, as bench/gen_population.py writes them."""
    if not first:
        return [""] * 10
    return ["M000001", emp, "2026-04-10", "担当業務の遂行力の向上", "次の等級への育成", "ojt", "M000001", emp,
            "2026-04-20", "2026-10-15"]  # fmt: skip


def _qualitative(
    emp: str, name: str, segment: str, achievements: list[str], weights: list[int]
) -> list[list[str]]:
    """An employee of qualitative goals only: 3 performance then process lines."""
    rows = []
    for i, (a, w) in enumerate(zip(achievements, weights, strict=True)):
        category = "performance" if i < 3 else "process"
        rows.append(
            [
                emp,
                name,
                segment,
                "false",
                "目標",
                category,
                "qualitative",
                str(w),
                "項目",
                "基準",
                "手段",
                "2027-03",
                "",
                "",
                "higher",
                a,
                "1.0",
                "false",
                "false",
            ]
        )
    for i, row in enumerate(rows):
        row.extend(_agreed(emp, i == 0))
    return rows


def _boundaries() -> list[list[list[str]]]:
    """Employees whose score lands exactly on a boundary (after the declared roundings)."""
    five = [20, 20, 20, 20, 20]
    return [
        _qualitative("B000001", "境界 一", "manager", ["110.0"] * 5, five),  # 110.00: S (min 110)
        _qualitative("B000002", "境界 二", "manager", ["79.5"] * 5, five),  # 79.5 -> 80: C
        _qualitative("B000003", "境界 三", "manager", ["79.4"] * 5, five),  # 79.4 -> 79: D
        _qualitative("B000004", "境界 四", "general", ["74.5"] * 5, five),  # 74.5 -> 75: C
        _qualitative("B000005", "境界 五", "general", ["104.5"] * 5, five),  # 104.5 -> 105: S
        _qualitative("B000006", "境界 六", "manager", ["109.95"] * 5, five),  # 109.95 -> 110.0 (1 place): S
        _qualitative("B000007", "境界 七", "manager", ["0.1", "0.2", "0.3", "0.1", "0.2"], five),  # 0.18
        _qualitative("B000008", "境界 八", "general", ["0.05", "0.05", "0.05", "0.05", "0.05"], five),
        _qualitative("B000009", "境界 九", "manager", ["0", "0", "0", "0", "0"], five),  # score 0.00
        _qualitative("B000010", "境界 十", "manager", ["100.00", "99.990", "100", "100.0", "100"], five),
    ]


def _quantitative(emp: str, pairs: list[tuple[str, str, str]]) -> list[list[str]]:
    """An employee of quantitative goals: (target, actual, direction) per line, 20 % each."""
    rows = []
    for i, (target, actual, direction) in enumerate(pairs):
        category = "performance" if i < 3 else "process"
        rows.append(
            [
                emp,
                "数量 太郎",
                "general",
                "false",
                "売上高",
                category,
                "quantitative",
                "20",
                "項目",
                "基準",
                "手段",
                "2027-03",
                target,
                actual,
                direction,
                "",
                "1.1",
                "false",
                "false",
            ]
        )
    for i, row in enumerate(rows):
        row.extend(_agreed(emp, i == 0))
    return rows


def _traps() -> list[list[list[str]]]:
    return [
        # 43.02 / 40 = 107.55 exactly: half way, rounded up to 107.6; 1/3: never ends.
        _quantitative(
            "Q000001",
            [
                ("40", "43.02", "higher"),
                ("3", "1", "higher"),
                ("8", "8.6", "higher"),
                ("7", "7", "lower"),
                ("1208", "1123", "lower"),
            ],
        ),
        # target / actual = 2 exactly: 200 (the clamp's bound); actual 0: the 200 branch.
        _quantitative(
            "Q000002",
            [
                ("10", "5", "lower"),
                ("10", "0", "lower"),
                ("0.3", "0.1", "lower"),
                ("1", "3", "lower"),
                ("6", "7", "higher"),
            ],
        ),
        # Numbers as the reader takes them but not in their plainest form.
        _quantitative(
            "Q000003",
            [
                (" 40", "43.02 ", "higher"),
                ("+1000", "1000.", "higher"),
                ("1E+2", "100", "higher"),
                ("4.000", "4", "higher"),
                ("0.0001", "0.00003", "higher"),
            ],
        ),
        # Negative and huge values: a negative achievement floors at 0; 15-digit targets.
        _quantitative(
            "Q000004",
            [
                ("100", "-5", "higher"),
                ("999999999999999", "123456789012345", "higher"),
                ("-0", "5", "higher"),
                ("5", "5", "sideways"),
                ("5", "5", "higher"),
            ],
        ),
        _quantitative(
            "Q000005",
            [
                ("5", "0", "higher"),
                ("0", "5", "higher"),
                ("2", "1", "higher"),
                ("2", "1", "higher"),
                ("2", "1", "higher"),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 generated employees plus boundary and trap employees, with bad rows of every kind."""
    folder = tmp_path_factory.mktemp("columnar")
    path = folder / "pop.csv"
    generate(600, str(path), seed=12)
    rows = csv_rows(path)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    first: dict[str, int] = {}
    for number, row in enumerate(body):
        first.setdefault(row[0], number)

    def line(emp: str, offset: int = 0) -> list[str]:
        return body[first[emp] + offset]

    line("E000010")[col["weight"]] = "99"  # weight band
    line("E000011")[col["weight"]] = "abc"  # not a number
    line("E000012")[col["weight"]] = " 30 "  # padded: the reader strips it
    line("E000013")[col["segment"]] = "Manager"  # not an enum value
    line("E000014", 1)[col["segment"]] = (
        "general" if line("E000014")[col["segment"]] == "manager" else "manager"
    )
    line("E000015")[col["difficulty"]] = "1.05"  # not a declared step
    line("E000016")[col["what"]] = "   "  # a required field blank
    line("E000017")[col["dedicated_large_project"]] = "TRUE"
    for k in range(3):  # a large-project exception (the plan leaves it to the per-record path)
        line("E000018", k)[col["dedicated_large_project"]] = "true"
    line("E000018")[col["large_project"]] = "true"
    line("E000019")[col["name"]] = "=cmd|' /C calc'!A0"  # the spreadsheet guard
    for k in range(len([r for r in body if r[0] == "E000020"])):
        line("E000020", k)[col["name"]] = "Doe; Jane\u3000"  # an ideographic space: stripped
    line("E000021")[col["name"]] = "  spaced  "
    line("E000022")[col["kind"]] = ""  # a required enum left empty
    line("E000023")[col["direction"]] = ""  # default: higher
    line("E000024")[col["difficulty"]] = ""  # default: 1.0
    line("E000025")[col["category"]] = "process"  # counts per category broken
    line("E000026")[col["weight"]] = "30%"  # a percent field written with %
    line("E000028")[col["development_plan_mid_term"]] = ""  # a requirement declared a warning
    line("E000029")[col["goals_agreed_on"]] = "2026-05-10"  # outside the agreement's dates
    line("E000027")[col["kind"]] = "qualitative"
    line("E000027")[col["assessed_achievement"]] = ""  # qualitative without its rate: an error
    extra = [*([""] * len(header))]
    extra[col["name"]] = "no id"
    body.insert(first["E000030"], extra)  # a row without an id
    body.insert(first["E000040"] + 1, [""] * len(header))  # a blank row
    for group in _boundaries() + _traps():
        body.extend(group)
    _write(path, [header, *body])
    return path


def _parts_equal(engine: Engine, path: str, chunk: int, workers: int = 2) -> None:
    ranges = parallel.plan_ranges(path, workers, 0)
    assert ranges is not None
    for part in ranges:
        want = parallel.evaluate_range(engine, path, part, None, CSV)
        got = columnar._columnar(engine, path, part, None, CSV, None, None, chunk)
        assert got is not None
        assert got.text == want.text
        assert got.evaluated == want.evaluated
        assert got.checks == want.checks
        assert got.read.header == want.read.header
        assert got.read.rows == want.read.rows
        assert got.read.grouped == want.read.grouped
        assert got.read.ids == want.read.ids
        assert got.warnings == want.warnings


@pytest.mark.parametrize("chunk", [600, 4096, 2**20])
def test_every_range_is_the_per_record_ranges(population: Path, chunk: int) -> None:
    """Chunks of 600 bytes hold a few lines: employees start and end across chunk ends, and an
    employee longer than a chunk grows the chunk."""
    _parts_equal(Engine.from_file(JAPAN), str(population), chunk)


def test_the_plan_does_the_plain_employees_and_leaves_the_rest(population: Path) -> None:
    engine = Engine.from_file(JAPAN)
    ranges = parallel.plan_ranges(str(population), 1 + 1, 0)
    assert ranges is not None
    seen: list[int] = []
    real = columnar._Job._per_record

    def counting(self: columnar._Job, begin: int, finish: int, first_row: int) -> object:
        seen.append(first_row)
        return real(self, begin, finish, first_row)

    columnar._Job._per_record = counting  # type: ignore[method-assign]
    try:
        part = columnar._columnar(engine, str(population), ranges[0], None, CSV, None, None, 2**20)
    finally:
        columnar._Job._per_record = real  # type: ignore[method-assign]
    assert part is not None
    # E000010-E000027 (but the padded weight and the defaults, read as the reader reads them),
    # the id-less and the blank rows: a handful of spans, not the whole range.
    assert 5 <= len(seen) <= 30
    assert part.evaluated > 250


def _report(path: Path, workers: int, switch: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    monkeypatch.setenv(columnar.SWITCH, switch)
    out = io.StringIO()
    outcome = write_report(Engine.from_file(JAPAN), str(path), "csv", out, workers=workers, min_bytes=1000)
    notes = [f"{p.origin} {p.rule} {p.message}" for p in (*outcome.problems, *outcome.warnings)]
    return out.getvalue(), notes


@pytest.mark.parametrize("workers", [2, 3])
def test_whole_reports_are_byte_identical(
    population: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, plain_problems = _report(population, workers, "0", monkeypatch)
    fast, fast_problems = _report(population, workers, "1", monkeypatch)
    assert fast == plain
    assert fast_problems == plain_problems
    rows = list(csv.reader(io.StringIO(plain)))
    graded = {row[0]: row[2:] for row in rows[2:]}
    assert graded["B000001"] == ["110.00", "S", "100"]
    assert graded["B000002"] == ["79.50", "C", "40"]
    assert graded["B000003"] == ["79.40", "D", "20"]
    assert graded["B000004"] == ["74.50", "C", "40"]
    assert graded["B000005"] == ["104.50", "S", "100"]
    assert graded["B000006"] == ["110.00", "S", "100"]  # each 109.95 rounds to 110.0 first
    assert graded["B000007"] == ["0.18", "D", "20"]
    assert graded["B000008"] == ["0.10", "D", "20"]  # each 0.05 rounds to 0.1
    assert graded["B000009"] == ["0.00", "D", "20"]
    assert "E000027" not in graded and "E000010" not in graded


def test_files_the_plan_cannot_split_keep_the_per_record_path(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quoted cell, a name not in NFC, an employee whose rows are interleaved with another's:
    the same report (or the same whole-file fallback) with the plan as without."""
    rows = csv_rows(population)
    quoted = tmp_path / "quoted.csv"
    rows[5][1] = 'say "hi"'
    _write(quoted, rows)
    nfd = tmp_path / "nfd.csv"
    rows = csv_rows(population)
    for row in rows[1:40]:
        row[1] = "Jose\u0301"
    _write(nfd, rows)
    interleaved = tmp_path / "interleaved.csv"
    rows = csv_rows(population)
    rows.insert(300, list(rows[3]))
    _write(interleaved, rows)
    for path in (quoted, nfd, interleaved):
        assert _report(path, 2, "1", monkeypatch) == _report(path, 2, "0", monkeypatch)


# -- the arithmetic against Decimal ---------------------------------------------------------

_decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)


def _num(values: list[Decimal]) -> Num:
    nums, dens = [], []
    for value in values:
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        exponent = min(exponent, 0)
        nums.append(int(value.scaleb(-exponent)))
        dens.append(10 ** (-exponent))
    n = len(values)
    return Num(np.array(nums, np.int64), np.array(dens, np.int64), np.zeros(n, bool), np.zeros(n, bool))


def _as_decimal(num: int, den: int) -> Decimal:
    return Decimal(num).scaleb(-(len(str(den)) - 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_decimals, _decimals), min_size=1, max_size=20))
def test_sums_products_and_quotients_are_decimals(pairs: list[tuple[Decimal, Decimal]]) -> None:
    a = _num([x.normalize() if x.is_zero() else x for x, _ in pairs])
    b = _num([y.normalize() if y.is_zero() else y for _, y in pairs])
    with np.errstate(all="ignore"):
        total, product, quotient = nb.add(a, b), nb.mul(a, b), nb.div(a, b)
    for i in range(len(pairs)):
        x, y = _as_decimal(int(a.num[i]), int(a.den[i])), _as_decimal(int(b.num[i]), int(b.den[i]))
        for got, want in ((total, x + y), (product, x * y)):
            if got.bad[i] or (want.is_zero() and want.is_signed()):
                continue
            assert str(_as_decimal(int(got.num[i]), int(got.den[i]))) == str(want)
        if y == 0:
            assert quotient.bad[i]
            continue
        if quotient.bad[i]:
            continue
        exact = x / y
        if not quotient.approx[i] and not (exact.is_zero() and exact.is_signed()):
            assert str(_as_decimal(int(quotient.num[i]), int(quotient.den[i]))) == str(exact)


_tens = st.builds(lambda j, k: Decimal(10**j).scaleb(-k), st.integers(0, 4), st.integers(0, 3))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_decimals, min_size=1, max_size=20),
    st.one_of(_tens.map(lambda t: [t]), st.lists(_tens, min_size=1)),
)
def test_quotients_by_powers_of_ten_are_decimals(values: list[Decimal], tens: list[Decimal]) -> None:
    """``x / 100`` (one divisor for every row, or each its own): exact, at Decimal's exponent."""
    xs = [x.normalize() if x.is_zero() else x for x in values]
    ys = [tens[i % len(tens)] for i in range(len(xs))]
    a, b = _num(xs), _num(ys)
    quotient = nb.div(a, b)
    for i in range(len(xs)):
        x, y = _as_decimal(int(a.num[i]), int(a.den[i])), _as_decimal(int(b.num[i]), int(b.den[i]))
        exponent = (x / y).as_tuple().exponent
        assert isinstance(exponent, int)
        assert bool(quotient.approx[i]) == (exponent > 0)  # 5 / 0.01 is 5E+2: not in hundredths
        assert not quotient.bad[i]
        if exponent <= 0:
            assert str(_as_decimal(int(quotient.num[i]), int(quotient.den[i]))) == str(x / y)


_extremes = st.integers(-(2**63), 2**63 - 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _extremes, _extremes, st.booleans(), st.booleans()), min_size=1))
def test_where_takes_each_row_from_its_side(rows: list[tuple[bool, int, int, bool, bool]]) -> None:
    """``where`` (all one side, or mixed) keeps every int64 as it is, flags with it."""
    cond = np.array([r[0] for r in rows], bool)
    left = np.array([r[1] for r in rows], np.int64)
    right = np.array([r[2] for r in rows], np.int64)
    flags = np.array([r[3] for r in rows], bool)
    other = np.array([r[4] for r in rows], bool)
    a = Num(left, right, flags, other)
    b = Num(right, left, other, flags)
    for c in (cond, np.ones(len(rows), bool), np.zeros(len(rows), bool)):
        got = nb.where(c, a, b)
        for i, row in enumerate(rows):
            side = (row[1], row[2], row[3], row[4]) if c[i] else (row[2], row[1], row[4], row[3])
            assert (int(got.num[i]), int(got.den[i]), bool(got.approx[i]), bool(got.bad[i])) == side
        got.bad |= True  # a new Num: its flags are its own
        assert (a.bad == other).all() and (b.bad == flags).all()
    constant = Num.const(-7, -2, len(rows))  # -0.07 (a literal): on either side, as a column
    column = Num(constant.num.copy(), constant.den.copy(), constant.approx, constant.bad)
    for c in (cond, np.ones(len(rows), bool), np.zeros(len(rows), bool)):
        for one, two in ((constant, b), (a, constant)):
            as_column = (column, b) if one is constant else (a, column)
            got, want = nb.where(c, one, two), nb.where(c, *as_column)
            assert (got.num == want.num).all() and (got.den == want.den).all()
            assert (got.approx == want.approx).all() and (got.bad == want.bad).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-(10**9), 10**9), st.integers(1, 10**6)), min_size=1, max_size=20),
    st.sampled_from(sorted(MODES)),
    st.integers(-2, 4),
)
def test_roundings_are_the_declared_roundings(
    fractions: list[tuple[int, int]], mode: str, places: int
) -> None:
    """Fractions (exact or not) rounded in integers as engine.rounding rounds their Decimal;
    a fraction Decimal cannot hold exactly that lands on a boundary is left undecided."""
    n = len(fractions)
    value = Num(
        np.array([f[0] for f in fractions], np.int64),
        np.array([f[1] for f in fractions], np.int64),
        np.ones(n, bool),
        np.zeros(n, bool),
    )
    with decimal.localcontext() as context:
        context.prec = 60  # the true fraction, near enough to decide every rounding here
        wants = [round_decimal(Decimal(num) / Decimal(den), places, mode) for num, den in fractions]
    got = nb.round_to(value, places, mode)
    for i, want in enumerate(wants):
        if got.bad[i]:
            continue
        assert Decimal(int(got.num[i])) / Decimal(int(got.den[i])) == want


def test_a_random_population_many_times(tmp_path: Path) -> None:
    """Random small files of random plausible and implausible cells, each through the plan."""
    engine = Engine.from_file(JAPAN)
    rng = random.Random(3)
    cells = [
        "",
        " ",
        "0",
        "-0",
        "5",
        "30",
        "1.0",
        "1.1",
        "1.30",
        "abc",
        "100.05",
        "79.5",
        "true",
        "no",
        "1e1",
    ]
    for round_ in range(6):
        path = tmp_path / f"r{round_}.csv"
        generate(40, str(path), seed=round_)
        rows = csv_rows(path)
        for row in rows[1:]:
            if rng.random() < 0.05:
                row[rng.randrange(1, len(row))] = rng.choice(cells)
        _write(path, rows, rng.choice(["\r\n", "\n"]))
        _parts_equal(engine, str(path), rng.choice([300, 2000, 2**20]), rng.choice([2, 3]))


# -- the chain and record requirement review over columns -----------------------------------

#: policies/japan_mbo.yaml with two chains chosen by a condition, the managers' first stage
#: signed in a field, and a warning with a condition and a check (the column review's building
#: blocks beyond japan's own).
_CHAINS = """evaluator_chains:
  managers:
    label: {en: Managers}
    when: segment == 'manager'
    stages:
      - {id: first, evaluator: direct_superior, mode: absolute, field: development_plan_agreed_by}
      - {id: second, evaluator: department_head, mode: absolute}
  all_staff:
    label: {en: Everyone else}
    stages:
      - {id: first, evaluator: direct_superior, mode: absolute}
"""
_TRANSFER = """  transfer_note:
    label: {en: Transfer of a manager}
    severity: warning
    when: segment == 'manager'
    checks:
      - id: no_transfer
        check: development_measure != 'transfer'
        message: {en: A manager's transfer is agreed by HR}
"""


def _variant(folder: Path) -> str:
    text = Path(JAPAN).read_text(encoding="utf-8")
    start, end = text.index("evaluator_chains:\n"), text.index('\n# Seed intro: "本制度は')
    text = text[:start] + _CHAINS + text[end:]
    text = text.replace("record_requirements:\n", "record_requirements:\n" + _TRANSFER, 1)
    path = folder / "japan_chains.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


#: Employee -> {field: cell} on the employee's first row, each a way the review fails, warns or
#: needs the per-employee review (a padded cell the reader strips) -- or surely passes (None).
_REVIEWED: dict[str, dict[str, str]] = {
    "E000001": {"goals_agreed_by_employee": "E000002"},  # the employee's own signature: another's
    "E000002": {"goals_agreed_by": "E000002"},  # the superior's signature: the employee's own
    "E000003": {"goals_agreed_by": "   "},  # blank with spaces: missing
    "E000004": {"goals_agreed_by": " M000001 "},  # padded: stripped, met
    "E000006": {"goals_agreed_on": "2026-03-31"},  # a day before the window
    "E000008": {"goals_agreed_on": "2026-05-01"},  # a day after it
    "E000009": {"development_plan_reviewed_on": "2026-04-19"},  # before the plan (04-20)
    "E000012": {"development_plan_reviewed_on": "2027-04-01"},  # a day after the window
    "E000013": {"development_measure": ""},  # a required enum missing
    "E000014": {"development_plan_short_term": "\u3000"},  # an ideographic space: blank
    "E000015": {"development_plan_mid_term": ""},  # a warning
    "E000016": {"goals_agreed_on": " 2026-04-10"},  # padded date: stripped, met
    "E000017": {"goals_agreed_on": ""},  # missing
    "E000018": {"development_plan_agreed_on": ""},  # missing; the review date then follows nothing
    "E000019": {"development_plan_agreed_by_employee": "e000019"},  # not the id (case)
}
_SURE: dict[str, dict[str, str]] = {
    "E000005": {"goals_agreed_on": "2026-04-01"},  # the window's first day
    "E000007": {"goals_agreed_on": "2026-04-30"},  # its last day
    "E000010": {"development_plan_reviewed_on": "2026-04-20"},  # the plan's own day: not before
    "E000011": {"development_plan_reviewed_on": "2027-03-31"},  # the window's last day
}
#: With the variant's chains: employee -> (segment, {field: cell}).
_CHAIN_REVIEWED: dict[str, tuple[str, dict[str, str]]] = {
    "E000021": ("manager", {"development_plan_agreed_by": "M000002"}),  # stage 'first' is M000002
    "E000022": ("manager", {"development_plan_agreed_by": "E000022"}),  # signs their own stage
    "E000023": ("manager", {"development_measure": "transfer"}),  # the warning's check fails
    "E000024": ("manager", {"development_plan_agreed_by": " M000001 "}),  # padded: stripped, met
    "E000025": ("manager", {"development_plan_agreed_by": ""}),  # stage unsigned: its plan unsigned
}
_CHAIN_SURE: dict[str, tuple[str, dict[str, str]]] = {
    "E000026": ("general", {"development_measure": "transfer"}),  # the warning does not apply
    "E000027": ("manager", {}),  # signed by M000001 for stage 'first' and both parties
    "E000020": ("general", {"development_plan_agreed_by": "M000002"}),  # all_staff: no field
    # stage 'first' signed by M000002, who also signed the goals: the same superior
    "E000028": ("manager", {"development_plan_agreed_by": "M000002", "goals_agreed_by": "M000002"}),
}


def _review_population(folder: Path) -> Path:
    path = folder / "review.csv"
    generate(60, str(path), seed=5)
    rows = csv_rows(path)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    first: dict[str, int] = {}
    for number, row in enumerate(body):
        first.setdefault(row[0], number)
    cases = {**_REVIEWED, **_SURE}
    segments = {emp: case for emp, case in {**_CHAIN_REVIEWED, **_CHAIN_SURE}.items()}
    for emp, (segment, cells) in segments.items():
        cases[emp] = cells
        for row in body:
            if row[0] == emp:
                row[col["segment"]] = segment
    for emp, cells in cases.items():
        for name, cell in cells.items():
            body[first[emp]][col[name]] = cell
    _write(path, [header, *body])
    return path


def _reviewed_ids(policy: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The employees the plan left to its per-employee review (each read with check_mapping,
    then Engine.review), over every range of the file."""
    engine = Engine.from_file(policy)
    seen: list[str] = []
    real = columnar_plan.check_mapping

    def counting(raw: dict[str, Any], rules: Any) -> Any:
        seen.append(raw["id"])
        return real(raw, rules)

    monkeypatch.setattr(columnar_plan, "check_mapping", counting)
    ranges = parallel.plan_ranges(str(path), 2, 0)
    assert ranges is not None
    for part in ranges:
        assert columnar._columnar(engine, str(path), part, None, CSV, None, None, 2**20) is not None
    monkeypatch.setattr(columnar_plan, "check_mapping", real)
    return sorted(seen)


def test_the_review_over_columns_leaves_only_the_doubtful_to_the_per_employee_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _review_population(tmp_path)
    # japan's own requirements: its stage has no field, so the managers' cases that sign the plan
    # by another superior or need a transfer note are sure; the self-signed, padded and unsigned
    # plans are not.
    assert _reviewed_ids(JAPAN, path, monkeypatch) == sorted({*_REVIEWED, "E000022", "E000024", "E000025"})
    variant = _variant(tmp_path)
    # The variant's managers chain signs stage 'first' in development_plan_agreed_by: every
    # manager whose plan that superior signed passes; the cases above still need the review.
    assert _reviewed_ids(variant, path, monkeypatch) == sorted({*_REVIEWED, *_CHAIN_REVIEWED})


def test_the_review_over_columns_reports_what_the_per_record_path_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _review_population(tmp_path)
    for policy in (JAPAN, _variant(tmp_path)):
        for workers in (2, 3):
            monkeypatch.setenv(columnar.SWITCH, "0")
            plain = io.StringIO()
            slow = write_report(
                Engine.from_file(policy), str(path), "csv", plain, workers=workers, min_bytes=1000
            )
            monkeypatch.setenv(columnar.SWITCH, "1")
            fast_out = io.StringIO()
            fast = write_report(
                Engine.from_file(policy), str(path), "csv", fast_out, workers=workers, min_bytes=1000
            )
            assert fast_out.getvalue() == plain.getvalue()
            assert fast.problems == slow.problems
            assert fast.warnings == slow.warnings
    # The variant's notes, worked out from the cases above.
    notes = [(p.employee_id, p.rule) for p in (*fast.problems, *fast.warnings)]
    assert notes == [
        ("E000001", "requirement-party"), ("E000002", "requirement-party"),
        ("E000003", "requirement-missing"), ("E000006", "requirement-date"),
        ("E000008", "requirement-date"), ("E000009", "requirement-date"),
        ("E000012", "requirement-date"), ("E000013", "requirement-missing"),
        ("E000014", "requirement-missing"), ("E000017", "requirement-missing"),
        ("E000018", "requirement-missing"), ("E000019", "requirement-party"),
        ("E000021", "requirement-party"), ("E000022", "chain-self-evaluation"),
        ("E000022", "requirement-party"), ("E000022", "requirement-party"),
        ("E000025", "requirement-missing"),
        ("E000015", "requirement-missing"), ("E000023", "requirement-check-no_transfer"),
    ]  # fmt: skip
    texts = {p.employee_id: p.message for p in fast.problems}
    assert texts["E000021"] == (
        "goal_agreement (Goal agreement between superior and subordinate): goals_agreed_by is signed by"
        " M000001, but stage 'first' is evaluated by M000002; the superior must be that evaluator"
    )
    assert texts["E000009"] == (
        "development_plan (Development plan): development_plan_reviewed_on 2026-04-19 is before"
        " development_plan_agreed_on 2026-04-20"
    )


# -- result lines written a block at a time ---------------------------------------------------


def _one_by_one(engine: Engine, path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The employees whose result line the plan wrote one by one (the report's row function),
    over every range of the file; the others were written from the columns."""
    seen: list[str] = []
    real = columnar._Job._one_by_one

    def counting(self: columnar._Job, chunk: Any, g: int, h: int) -> Any:
        seen.extend(chunk.ids[g:h])
        return real(self, chunk, g, h)

    monkeypatch.setattr(columnar._Job, "_one_by_one", counting)
    _parts_equal(engine, str(path), 2**20)
    monkeypatch.setattr(columnar._Job, "_one_by_one", real)
    return sorted(seen)


def test_result_lines_from_the_columns_are_the_report_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names a spreadsheet would run, or that the reader strips, are written by the report's
    own row function; every other line straight from the columns: the same bytes."""
    path = tmp_path / "names.csv"
    generate(80, str(path), seed=9)
    rows = csv_rows(path)
    names = {
        "E000003": "=1+2",
        "E000004": "+81 田中",
        "E000005": "-5",  # a plain number: the guard keeps it, the block leaves it to the row function
        "E000006": "@home",
        "E000007": "＝全角",
        "E000008": "\u3000花子",  # stripped by the reader
        "E000009": "花子 ",
        "E000010": "",  # no name
        "E000011": "O'Brien; Jr",
    }
    for row in rows[1:]:
        if row[0] in names:
            row[1] = names[row[0]]
    _write(path, rows)
    engine = Engine.from_file(JAPAN)
    assert _one_by_one(engine, path, monkeypatch) == [
        "E000003", "E000004", "E000005", "E000006", "E000007", "E000008", "E000009",
    ]  # fmt: skip
    monkeypatch.setenv(columnar.SWITCH, "0")
    plain = io.StringIO()
    write_report(engine, str(path), "csv", plain, workers=2, min_bytes=1000)
    monkeypatch.setenv(columnar.SWITCH, "1")
    fast = io.StringIO()
    write_report(engine, str(path), "csv", fast, workers=2, min_bytes=1000)
    assert fast.getvalue() == plain.getvalue()
    lines = {line.split(",")[0]: line for line in plain.getvalue().splitlines()}
    assert lines["E000003"].startswith("E000003,'=1+2,")
    assert lines["E000005"].startswith("E000005,-5,")
    assert lines["E000008"].startswith("E000008,花子,")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-(10**12), 10**12), st.integers(0, 8)), min_size=1, max_size=30),
    st.sampled_from(sorted(MODES)),
    st.integers(0, 6),
)
def test_numbers_from_the_columns_are_shown_as_the_report_shows_them(
    values: list[tuple[int, int]], mode: str, places: int
) -> None:
    """A value ``num / 10**exp`` shown with the column's places and rounding: what
    ``str(Decimal.quantize)`` writes, wherever the block writer vouches for it."""
    num = np.array([v for v, _ in values], np.int64)
    den = np.array([10**e for _, e in values], np.int64)
    text, ok = csvblock._number(num, den, places, mode)
    quantum = Decimal(1).scaleb(-places)
    for i, (v, e) in enumerate(values):
        want = str(Decimal(v).scaleb(-e).quantize(quantum, rounding=MODES[mode]))
        if ok[i]:
            assert text[i].as_py() == want
        else:
            assert v < 0


def test_no_space_after_the_last_the_reader_knows() -> None:
    """The plan's blank and padded cells are those with Python's spaces; it looks for them up
    to cells.LAST_SPACE only."""
    spaces = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert spaces[-1] == cell_bytes.LAST_SPACE


def test_a_chunk_is_normalized_only_if_every_cell_is() -> None:
    """The per-record reader reads every text in NFC: a chunk with a cell in another form (in
    any column, among ASCII cells) is left to it."""
    import pyarrow as pa

    plain = [pa.array(["E1", "E2"]), pa.array(["佐藤 花子", "Jos\u00e9"]), pa.array(["", "ｶﾞ"])]
    assert reading.normalized(plain)
    for cells in (["x", "Jose\u0301"], ["e\u0301", "y"], ["\u212b", ""]):  # NFD, a singleton (Å sign)
        assert not reading.normalized([*plain, pa.array(cells)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-(10**6), 10**6), st.integers(0, 26), st.integers(0, 20)), min_size=1))
def test_factors_two_and_five_divided_out(values: list[tuple[int, int, int]]) -> None:
    den = np.array([v * 5**f * 2**t for v, f, t in values if abs(v * 5**f * 2**t) < 2**62], np.int64)
    got = nb._without_twos_and_fives(den)
    for d, r in zip(den.tolist(), got.tolist(), strict=True):
        want = d if d > 0 else 1
        while want % 2 == 0:
            want //= 2
        while want % 5 == 0:
            want //= 5
        assert r == want


_quotient_terms = st.builds(
    lambda coefficient, places: Decimal(coefficient).scaleb(-places),
    st.one_of(st.integers(-(10**6), 10**6), st.sampled_from([0, 1, 8, 64, 125, 1024, 3125, 80000])),
    st.integers(0, 4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_quotient_terms, _quotient_terms), min_size=1, max_size=20), st.booleans())
# Exact at 18 places, its coefficient 4,611,721,038,818,359,375 just above the plan's bound
# (nb.LIMIT, 2**62): approximate, with the true fraction (found by hypothesis).
@example([(Decimal("241787"), Decimal("52428.8"))], False)
@example([(Decimal("241787"), Decimal("52428.8"))], True)
def test_quotients_are_exact_exactly_where_decimals_are(
    pairs: list[tuple[Decimal, Decimal]], wide: bool
) -> None:
    """Every quotient Decimal gives exactly (at an exponent from -18 to 0) is exact here, at
    that exponent, while its coefficient is well within the magnitudes the plan's integers
    keep (below 2**61; :data:`nb.LIMIT` is 2**62, judged in float); at that bound it may be
    approximate instead, then holding the true fraction, so that any decision a rounding could
    change goes to the per-record path. Every other quotient is approximate. ``wide``: one
    divisor of the chunk is above the small denominators' tables, so the general path (a gcd
    per row) decides."""
    xs = [x.normalize() if x.is_zero() else x for x, _ in pairs]
    ys = [y.normalize() if y.is_zero() else y for _, y in pairs]
    if wide:
        xs, ys = [*xs, Decimal(1)], [*ys, Decimal(nb._SMALL + 7)]
    a, b = _num(xs), _num(ys)
    quotient = nb.div(a, b)
    for i in range(len(xs)):
        x, y = _as_decimal(int(a.num[i]), int(a.den[i])), _as_decimal(int(b.num[i]), int(b.den[i]))
        if y == 0:
            assert quotient.bad[i]
            continue
        assert not quotient.bad[i]
        with localcontext() as context:
            context.traps[Inexact] = True
            try:
                want: Decimal | None = x / y
            except Inexact:
                want = None
        exponent = want.as_tuple().exponent if want is not None else None
        shown = want is not None and isinstance(exponent, int) and -18 <= exponent <= 0
        if not shown:
            assert quotient.approx[i], (x, y, want)
            continue
        assert want is not None and isinstance(exponent, int)
        num, den = int(quotient.num[i]), int(quotient.den[i])
        if quotient.approx[i]:  # only at the bound, and then the very value
            assert abs(int(want.scaleb(-exponent))) >= 2**61, (x, y, want)
            assert Fraction(num, den) == Fraction(want)
        elif not (want.is_zero() and want.is_signed()):
            assert str(_as_decimal(num, den)) == str(want)


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 600), st.integers(1, 9))
def test_each_branch_is_evaluated_over_the_rows_that_take_it(rng: Any, n: int, share: int) -> None:
    """``x / y if c else (y / x if x > 0 else 7)`` row by row as Decimal evaluates it: only the
    branch taken can fail a row (a division by zero in the other is never made), from chunks
    small enough to walk both branches whole to chunks whose branches each take their rows."""
    from engine.evaluate.columnar.vectors import Col, Walker
    from engine.formula.parse import parse_or_raise

    rows = [(rng.randint(-3, 3), rng.randint(-3, 3), rng.random() < share / 10) for _ in range(n)]
    none = np.zeros(n, bool)
    cols = {
        "x": Col("num", none, none, _num([Decimal(x) for x, _, _ in rows])),
        "y": Col("num", none, none, _num([Decimal(y) for _, y, _ in rows])),
        "c": Col("bool", none, none, codes=np.array([int(c) for _, _, c in rows], np.int64)),
    }
    parsed = parse_or_raise("x / y if c else (y / x if x > 0 else 7)")
    with np.errstate(all="ignore"):
        got = Walker(parsed, n, cols.__getitem__, None).run()
    assert got.num is not None
    for i, (x, y, c) in enumerate(rows):
        assert bool(got.bad[i]) == (c and y == 0), (x, y, c)
        if c and y == 0:
            continue
        # the true quotient (an approximate one is kept as its fraction)
        want = Fraction(x, y) if c else (Fraction(y, x) if x > 0 else Fraction(7))
        assert Fraction(int(got.num.num[i]), int(got.num.den[i])) == want, (x, y, c)


def test_a_chunk_is_freed_without_the_cyclic_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunk's two levels (goal lines, employees) refer to each other while it is computed;
    the plan unlinks them, so that reference counting frees every column of a chunk as soon as
    its report is written. Left linked, the chunks of a range piled up until the collector's
    rare full pass: a worker grew some 120 bytes an employee (bench/RESULTS.md)."""
    import gc
    import weakref

    from engine.evaluate.columnar import levels
    from engine.evaluate.columnar.build import build_plan
    from engine.evaluate.columnar.reading import read_chunk
    from engine.io.model import compile_inputs
    from engine.io.records import stream_csv

    path = tmp_path / "japan.csv"
    generate(40, str(path), 3)
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    inputs, scales = data["inputs"], data.get("scales") or {}
    raw = path.read_bytes()
    body = raw[raw.index(b"\n") + 1 :]
    part = (len(raw) - len(body),) * 2 + (2,)
    header, values, _, _ = stream_csv(str(path), inputs, scales=scales, part=part)
    plan = build_plan(engine, header.plan, compile_inputs(inputs, scales), values)
    made: list[weakref.ref[Any]] = []
    real = levels.Level.__init__

    def noted(self: Any, *args: Any) -> None:
        real(self, *args)
        made.append(weakref.ref(self))

    monkeypatch.setattr(levels.Level, "__init__", noted)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for detail in (False, True):
            chunk = plan.evaluate(read_chunk(body, header.plan.width), detail=detail)
            assert int(chunk.clean.sum()) == 40
            del chunk
        # read before the collector is on again (its first pass would free a cycle too)
        alive = [ref() is not None for ref in made]
    finally:
        if enabled:
            gc.enable()
    assert alive == [False] * 4


def _dedicated_population(path: Path) -> dict[str, list[list[str]]]:
    """60 generated employees, a third under the large-project exception (bench/gen_population.py
    --dedicated), and four sheets broken around it; the rows by employee id."""
    generate(60, str(path), 7, 1 / 3)
    header, *rows = csv_rows(path)
    col = {name: header.index(name) for name in ("id", "dedicated_large_project", "weight", "large_project")}
    by_id: dict[str, list[list[str]]] = {}
    for row in rows:
        by_id.setdefault(row[col["id"]], []).append(row)
    dedicated = [i for i, rs in by_id.items() if rs[0][col["dedicated_large_project"]] == "true"]
    plain = [i for i in by_id if i not in dedicated]
    first, second, third = (by_id[i] for i in dedicated[:3])
    first[0][col["weight"]] = "101"  # the marked goal above the relaxed band (and the total off)
    second[1][col["weight"]] = "35"  # an unmarked goal of a dedicated employee above 30
    third[0][col["large_project"]] = ""  # the mark left empty: the line is not relaxed
    by_id[plain[0]][0][col["large_project"]] = "true"  # marked without the exception
    write_csv(path, [header, *(row for rs in by_id.values() for row in rs)])
    return {"dedicated": [[i] for i in dedicated], "plain": [[i] for i in plain]}


def test_the_plan_applies_the_large_project_exception_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """japan_mbo's exception (dedicated to a large project: the marked goal may weigh up to
    100 %) decided over the columns: the sheets it makes clean are the plan's (not read again one
    by one), and the reports are the per-record path's byte for byte, as CSV and JSON, the four
    broken sheets included (each reported by the per-record checks)."""
    from engine.evaluate.columnar.build import build_plan
    from engine.evaluate.columnar.reading import read_chunk
    from engine.io.model import compile_inputs
    from engine.io.records import stream_csv

    path = tmp_path / "dedicated.csv"
    who = _dedicated_population(path)
    assert len(who["dedicated"]) == 18  # the generator's draw with seed 7
    for fmt in ("csv", "json"):
        reports = []
        for switch in ("0", "1"):
            monkeypatch.setenv(columnar.SWITCH, switch)
            out = io.StringIO()
            write_report(Engine.from_file(JAPAN), str(path), fmt, out, workers=1)
            reports.append(out.getvalue())
        assert reports[0] == reports[1], fmt
    problems = [line for line in reports[0].splitlines() if '"rule"' in line]
    assert any("sheet-weight-band" in line for line in problems)
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    raw = path.read_bytes()
    body = raw[raw.index(b"\n") + 1 :]
    part = (len(raw) - len(body),) * 2 + (2,)
    header, values, _, _ = stream_csv(str(path), data["inputs"], scales=data.get("scales") or {}, part=part)
    plan = build_plan(engine, header.plan, compile_inputs(data["inputs"], data.get("scales") or {}), values)
    chunk = plan.evaluate(read_chunk(body, header.plan.width), detail=False)
    clean = dict(zip(chunk.ids, chunk.clean.tolist(), strict=True))
    dedicated = [i for (i,) in who["dedicated"]]
    # the three broken dedicated sheets go to the per-record checks; the other 15 are the plan's
    assert [i for i in dedicated if not clean[i]] == dedicated[:3]
    assert not clean[who["plain"][0][0]] and all(clean[i] for (i,) in who["plain"][1:])
