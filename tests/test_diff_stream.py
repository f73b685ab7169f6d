"""``diff`` and ``simulate`` over a policy's own records keep each person's headline compactly
(engine/compare/headlines.py) and the people read in a spool: the very figures a mapping of
people gives (ties of equal scores written differently, grades a scale does not name), the same
bytes whatever the spool's threshold, and nothing written when the file goes bad halfway."""

from __future__ import annotations

import gc
import io
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import records_as_csv

import engine.io.spool as spool
from engine.cli import cli
from engine.compare.apply import Mapped
from engine.compare.headlines import CHUNK, Headlines
from engine.compare.outcome import (
    Comparison,
    PersonChange,
    PersonOutcome,
    ReadIds,
    SchemeResult,
    changes_between,
)
from engine.io.spool import RowSpool
from engine.provenance import Stamp
from engine.report.diff import diff_report
from engine.rounding import Rounding

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
JAPAN_2027 = str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
LEVELS = ("S", "A", "B")

#: (id, name, evaluated, score, grade) under two schemes; ties of equal scores written apart
#: (87.5 and 87.50), grades the scale does not name (X, Y), scores kept aside (a signed zero, 20
#: digits), people not evaluated under one scheme or both.
FIRST: list[tuple[str, bool, Any, str | None]] = [
    ("p1", True, Decimal("87.5"), "A"),
    ("p2", False, None, None),
    ("p3", True, Decimal("87.50"), "S"),
    ("p4", True, None, "X"),
    ("p5", True, Decimal("60"), "X"),
    ("p6", True, Decimal("875E1"), "Y"),
    ("p7", False, None, None),
    ("p8", True, Decimal("70.0"), None),
]
SECOND: list[tuple[str, bool, Any, str | None]] = [
    ("p1", True, Decimal("87.50"), "A"),  # the same score, written otherwise: no change
    ("p2", True, Decimal("50"), "B"),  # evaluated under the second only
    ("p3", True, Decimal("87.50"), "A"),  # grade moves
    ("p4", False, None, None),  # evaluated under the first only
    ("p5", True, Decimal("60.1"), "X"),  # score moves
    ("p6", True, Decimal("-0.0"), "Y"),  # kept aside
    ("p7", False, None, None),
    ("p8", True, Decimal("12345678901234567890.5"), None),  # kept aside
]


def _scheme(people: list[tuple[str, bool, Any, str | None]], compact: bool) -> SchemeResult:
    scheme = SchemeResult(
        "policy.yaml",
        Stamp("p", "1", "0" * 64),
        "P",
        "score",
        "grade",
        LEVELS,
        None,  # type: ignore[arg-type]  # no run behind these figures
        Mapped({}),
        rounding=Rounding("half_up", 1),
    )
    if not compact:
        scheme.people = {pid: PersonOutcome(pid, s, g, "") for pid, done, s, g in people if done}
        return scheme
    heads = Headlines(LEVELS)
    for _, done, score, grade in people:
        if done:
            heads.add(score, grade)
        else:
            heads.skip()
    scheme.headlines = heads
    return scheme


def _comparison(compact: bool) -> Comparison:
    schemes = [_scheme(FIRST, compact), _scheme(SECOND, compact)]
    names = {pid: f"name of {pid}" for pid, *_ in FIRST}
    if not compact:
        return Comparison("people.csv", list(names), names, schemes)
    read = RowSpool(([pid, name] for pid, name in names.items()), threshold=3)
    return Comparison("people.csv", ReadIds(read), {}, schemes, read)


def test_compact_headlines_give_the_figures_worked_out_by_hand() -> None:
    first = _comparison(compact=True).schemes[0]
    # levels first, then X and Y as met; p8 is graded nothing; p2 and p7 are not evaluated
    assert first.distribution() == [("S", 1), ("A", 1), ("B", 0), ("X", 2), ("Y", 1), ("-", 1)]
    # sorted: 60, 70.0, 87.5 (p1), 87.50 (p3), 8.75E+3: the median is p1's 87.5, as written
    # (a stable sort); the mean (60 + 70.0 + 87.5 + 87.50 + 8750) / 5 = 1811.0, rounded to 1 place
    stats = first.stats()
    assert {k: str(v) for k, v in stats.items()} == {
        "n": "5",
        "mean": "1811.0",
        "median": "87.5",
        "min": "60",
        "max": "8.75E+3",
    }
    second = _comparison(compact=True).schemes[1]
    # sorted: -0.0, 50, 60.1, 87.50 (p1), 87.50 (p3), 12345678901234567890.5 (sum
    # 12345678901234568175.60, / 6 = 2057613150205761362.6); the median (60.1 + 87.50) / 2 =
    # 73.80 -> 73.8
    assert {k: str(v) for k, v in second.stats().items()} == {
        "n": "6",
        "mean": "2057613150205761362.6",
        "median": "73.8",
        "min": "-0.0",
        "max": "12345678901234567890.5",
    }


def test_headlines_are_kept_in_whole_chunks_never_grown() -> None:
    """65,539 people: a chunk of 65,536 at 50 (grade B; the last one regraded A), then one not
    evaluated, one at 90.5 (S), one at 10 without a grade. Each column is two chunks of 65,536
    made whole, none moved as people are added (an ``array`` grown by ``append`` is moved by
    realloc, and the blocks it leaves stay in the process)."""
    heads = Headlines(LEVELS)
    heads.add(Decimal("50"), "B")
    first = [column.chunks[0].buffer_info() for column in (heads.codes, heads.coefs, heads.exps)]
    for _ in range(CHUNK - 1):
        heads.add(Decimal("50"), "B")
    heads.skip()
    heads.add(Decimal("90.5"), "S")
    heads.add(Decimal("10"), None)
    heads.regrade(CHUNK - 1, "A")
    assert CHUNK == 65_536 and len(heads) == CHUNK + 3
    for column, before in zip((heads.codes, heads.coefs, heads.exps), first, strict=True):
        assert [len(chunk) for chunk in column.chunks] == [CHUNK, CHUNK]
        assert column.chunks[0].buffer_info() == before  # the same block, never grown
    assert (heads.grade(CHUNK - 2), heads.grade(CHUNK - 1), heads.grade(CHUNK + 1)) == ("B", "A", "S")
    assert not heads.evaluated(CHUNK) and heads.evaluated(CHUNK + 2)
    assert (heads.score(CHUNK), heads.score(CHUNK + 1)) == (None, Decimal("90.5"))
    assert heads.grade(CHUNK + 2) is None
    assert heads.distribution() == [("S", 1), ("A", 1), ("B", 65_535), ("-", 1)]
    # 65,538 scores sorted: 10, 50 x 65,536, 90.5; the median (50 + 50) / 2 = 50 -> 50.0; the
    # mean (10 + 3,276,800 + 90.5) / 65,538 = 3,276,900.5 / 65,538 = 50.0000076... -> 50.0
    stats = {k: str(v) for k, v in _rounded(heads).items()}
    assert stats == {"n": "65538", "mean": "50.0", "median": "50.0", "min": "10", "max": "90.5"}
    with pytest.raises(IndexError):
        heads.codes[CHUNK + 3]  # past the people added, though inside the chunk


def test_statistics_are_made_once_from_positions_in_one_array(monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 people scored 0.0, 0.1, ... 9,999.9 (each once): the mean (0 + 9,999.9) / 2 =
    4,999.95, the median (4,999.9 + 5,000.0) / 2 = 4,999.95. A report asks for the statistics
    several times: they are worked out once (until a person is added). The positions in score
    order are one numpy array, not a list of Python ints (some 40 bytes a person more): the
    peak above the headlines stays under 30 bytes a person (25 here: the positions, the keys,
    the sort's order, 8 bytes each; it was 69)."""
    import tracemalloc

    heads = Headlines(LEVELS)
    n = 100_000
    for i in range(n):
        heads.add(Decimal(f"{(i * 7_919) % n}E-1"), "S")  # 7,919 is prime: every value once
    sorts = 0
    sort = Headlines._sorted

    def counted(self: Headlines) -> Any:
        nonlocal sorts
        sorts += 1
        return sort(self)

    monkeypatch.setattr(Headlines, "_sorted", counted)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        stats = heads.stats(None)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert {k: str(v) for k, v in stats.items()} == {
        "n": "100000",
        "mean": "4999.95",
        "median": "4999.95",
        "min": "0.0",
        "max": "9999.9",
    }
    assert peak < 30 * n, peak / n
    assert {k: str(v) for k, v in _rounded(heads).items()}["mean"] == "5000.0"  # rounded: no new sort
    assert sorts == 1
    heads.add(Decimal("-1"), "A")
    assert str(heads.stats(None)["min"]) == "-1" and sorts == 2


def _rounded(heads: Headlines) -> dict[str, Any]:
    return heads.stats(Rounding("half_up", 1))


def test_compact_headlines_are_what_a_mapping_of_people_gives() -> None:
    whole, compact = _comparison(compact=False), _comparison(compact=True)
    for k in (0, 1):
        assert compact.schemes[k].distribution() == whole.schemes[k].distribution()
        got, want = compact.schemes[k].stats(), whole.schemes[k].stats()
        assert [str(v) for v in got.values()] == [str(v) for v in want.values()]
    assert compact.transitions(0, 1) == whole.transitions(0, 1)
    assert list(compact.transitions(0, 1)[2]) == list(whole.transitions(0, 1)[2])  # first-met order
    moved, expected = changes_between(compact), changes_between(whole)
    assert moved == expected
    assert [(c.id, c.name) for c in moved] == [
        ("p2", "name of p2"),
        ("p3", "name of p3"),
        ("p4", "name of p4"),
        ("p5", "name of p5"),
        ("p6", "name of p6"),
        ("p8", "name of p8"),
    ]
    assert str(moved[4].new.score if moved[4].new else None) == "-0.0"


def _run(args: list[str], fmt: str, out: Path) -> tuple[Any, ...]:
    result = CliRunner().invoke(cli, [*args, "--format", fmt, "-o", str(out)])
    written = out.read_bytes()
    if fmt == "xlsx":  # a workbook's zip records the time it was written: compare the cells
        book = openpyxl.load_workbook(io.BytesIO(written))
        written = repr([[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book]).encode()
    return result.exit_code, result.stdout, result.stderr, written


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html", "xlsx"])
def test_diff_and_simulate_are_the_same_bytes_whatever_the_spools_threshold(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = ROOT / "examples"
    japan = records_as_csv(examples / "japan_mbo" / "employees.yaml", tmp_path / "japan.csv", copies=3)
    kumho = records_as_csv(examples / "kumho_like" / "employees.yaml", tmp_path / "kumho.csv", copies=2)
    runs = {
        "diff": ["diff", JAPAN, JAPAN_2027, "--population", str(japan)],
        "simulate": [
            *("simulate", KUMHO, "--population", str(kumho)),
            *("--vary", "distributions.performance.min_group_size=5,3"),
        ],
    }
    for name, args in runs.items():
        default = _run(args, fmt, tmp_path / f"{name}.{fmt}")
        monkeypatch.setattr(spool, "THRESHOLD", 1)
        tiny = _run(args, fmt, tmp_path / f"{name}.{fmt}")
        monkeypatch.undo()
        assert tiny == default


@pytest.mark.parametrize("command", ["diff", "simulate"])
def test_a_population_bad_halfway_leaves_no_output_file(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte that is not UTF-8 on the line after the first copy of the example: the run stops
    with the reader's message, after evaluating people (the spool spilled), and writes nothing."""
    monkeypatch.setattr(spool, "THRESHOLD", 2)
    example = "japan_mbo" if command == "diff" else "kumho_like"
    path = records_as_csv(ROOT / "examples" / example / "employees.yaml", tmp_path / "people.csv", copies=2)
    lines = path.read_bytes().split(b"\n")
    half = len(lines) // 2
    path.write_bytes(
        b"\n".join([*lines[:half], lines[half][:3] + b"\xff" + lines[half][3:], *lines[half + 1 :]])
    )
    if command == "diff":
        args = ["diff", JAPAN, JAPAN_2027, "--population", str(path)]
    else:
        args = [
            "simulate",
            KUMHO,
            "--population",
            str(path),
            "--vary",
            "distributions.performance.min_group_size=5,3",
        ]
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, [*args, "--format", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"hrpolicy: {path}: line {half + 1} is not UTF-8 text (byte 0xff); save the file as UTF-8 "
        "(in Excel: 'CSV UTF-8')\n"
    )
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["people.csv"]


def _reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` (a function's globals, modules and classes not
    followed: only what the object itself holds)."""
    seen: set[int] = set()
    found: list[object] = []
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type | types.ModuleType):
            continue
        seen.add(id(item))
        found.append(item)
        if isinstance(item, types.FunctionType):
            stack.extend(cell.cell_contents for cell in item.__closure__ or ())
            continue
        stack.extend(gc.get_referents(item))
    return found


def test_the_people_who_change_are_made_as_the_report_reads_them() -> None:
    """The diff report's people table and data are read from the spools each time: the rows
    worked out by hand, twice, and no row, no data item nor any PersonChange held by the report
    (a list of them grew with the people who change: ~1 KB each, 4 % of japan's employees)."""
    comparison = _comparison(compact=True)
    stamps = [Stamp("p", "1", "0" * 64), Stamp("p", "2", "1" * 64)]
    report = diff_report("old.yaml", "new.yaml", [], stamps, comparison, "en")
    table = report.tables[1]
    expected = [
        ["p2", "name of p2", "- -> B", " -> 50", ""],  # evaluated under the second only
        ["p3", "name of p3", "S -> A", "87.50 -> 87.50", "0.00"],
        ["p4", "name of p4", "X -> -", " -> ", ""],  # under the first only, without a score
        ["p5", "name of p5", "X -> X", "60 -> 60.1", "+0.1"],
        ["p6", "name of p6", "Y -> Y", "8.75E+3 -> -0.0", "-8750.0"],  # -0.0 - 875E1: exponent -1
        ["p8", "name of p8", "- -> -", "70.0 -> 12345678901234567890.5", "+12345678901234567820.5"],
    ]
    assert len(table.rows) == 6 and list(table.rows) == expected and list(table.rows) == expected
    people = report.data["people"]
    assert len(people) == 6 and [p["id"] for p in people] == ["p2", "p3", "p4", "p5", "p6", "p8"]
    assert list(people)[1] == {
        "id": "p3",
        "old": {"score": Decimal("87.50"), "grade": "S", "raise": None},
        "new": {"score": Decimal("87.50"), "grade": "A", "raise": None},
        "score_change": Decimal("0.00"),
        "raise_change": None,
    }
    held = _reachable(report)
    assert not [o for o in held if isinstance(o, PersonChange)]
    assert not [o for o in held if isinstance(o, list) and o in expected]
    assert not [o for o in held if isinstance(o, dict) and "score_change" in o]
    assert report.summary[-1] == "population people.csv: 6 of 8 people change score, grade or pay"
