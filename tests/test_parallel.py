"""A big CSV file shared between forked workers gives the very report one process gives.

The threshold is lowered (``min_bytes``) so that a generated file of 2,000 employees is split.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import csv_rows, unstamped

import engine.limits as limits
from engine.cli import cli
from engine.errors import DataError
from engine.evaluate import Engine, RunOutcome, parallel, pieces, ranges
from engine.evaluate.columnar import run as columnar_run
from engine.evaluate.parallel import fork_all, plan_ranges, run_report
from engine.io.csvfile import read_csv_part
from engine.report.results import RENDERERS, SPLIT_RENDERERS

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

COUNT = 2000


def _write(path: Path, rows: list[list[str]], newline: str = "\r\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated employees with problems of every kind in both halves of the file."""
    path = tmp_path_factory.mktemp("par") / "pop.csv"
    generate(COUNT, str(path), seed=5)
    rows = csv_rows(path)
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    header.append("colour")  # unknown column: one header problem, whatever the workers
    for row in rows[1:]:
        row.append("")
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        first.setdefault(row[0], number)

    def line(emp: str) -> list[str]:
        return rows[first[emp] - 1]

    line("E000010")[col["weight"]] = "99"  # sheet check: weight band (first half)
    line("E001900")[col["weight"]] = "99"  # and in the second half
    line("E000020")[col["difficulty"]] = "abc"  # reading: not a number (first half)
    line("E001950")[col["difficulty"]] = "abc"  # (second half)
    zero = line("E001970")  # evaluation error: 5 / 0 on a quantitative line
    zero[col["kind"]], zero[col["target"]], zero[col["actual"]] = "quantitative", "0", "5"
    zero[col["direction"]] = "higher"
    conflict = list(line("E001960"))
    conflict[2] = "general" if conflict[2] == "manager" else "manager"
    blank = ["", "nameless", *[""] * (len(header) - 2)]
    # inserted from the bottom up so that the rows found above stay where they are
    rows.insert(first["E001980"], blank)  # a row without an id right after E001980's first row
    rows.insert(first["E001960"], conflict)  # record-conflict, right after E001960's first row
    rows.insert(first["E000030"] - 1, blank)  # a row without an id right before E000030's
    _write(path, rows)
    return path


def _report(path: Path, workers: int, fmt: str = "csv") -> tuple[RunOutcome, str]:
    split = SPLIT_RENDERERS.get(fmt)
    return run_report(JAPAN, str(path), RENDERERS[fmt], split, workers=workers, min_bytes=1000)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_two_and_three_workers_write_the_one_process_report(population: Path, fmt: str) -> None:
    one, text = _report(population, 1, fmt)
    assert len(one.results) == COUNT - 6  # 6 employees have problems
    for workers in (2, 3):
        split, split_text = _report(population, workers, fmt)
        assert split.results == []  # the workers rendered the rows: the split path was taken
        assert split_text == text
        assert split.problems == one.problems
        assert split.warnings == one.warnings == []
        assert split.failed_employees == one.failed_employees


def test_problems_keep_the_files_row_numbers(population: Path) -> None:
    split, _ = _report(population, 2)
    numbers: dict[str, int] = {}
    for number, line in enumerate(csv_rows(population), start=1):
        numbers.setdefault(line[0], number)
    shown = [(p.employee_id, p.rule, p.origin.rsplit(":", 1)[1]) for p in split.problems]
    row = {emp: f"row {number}" for emp, number in numbers.items()}
    # reading problems first (header; rows without an id; employees in file order), then sheet
    # checks and evaluation errors in file order: the two halves interleave as one process does
    assert shown == [
        (None, "record-unknown-field", "row 1"),
        (None, "record-missing", f"row {numbers['E000030'] - 1}"),
        (None, "record-missing", f"row {numbers['E001980'] + 1}"),
        ("E000020", "record-type", row["E000020"]),
        ("E001950", "record-type", row["E001950"]),
        ("E001960", "record-conflict", f"row {numbers['E001960'] + 1}"),
        ("E000010", "sheet-weight-band", row["E000010"]),
        ("E000010", "sheet-weight-total", row["E000010"]),
        ("E001900", "sheet-weight-band", row["E001900"]),
        ("E001900", "sheet-weight-total", row["E001900"]),
        ("E001970", "evaluation-error", row["E001970"]),
    ]
    ranges = plan_ranges(str(population), 2, min_bytes=1000)
    assert ranges is not None  # the first problems are the first worker's, the others the second's
    assert numbers["E000030"] < ranges[1].first_row < numbers["E001900"]
    messages = {(p.employee_id, p.rule): p.message for p in split.problems}
    formula = Engine.from_file(JAPAN).policy.indicator_steps[0].formula.text
    assert messages[("E001970", "evaluation-error")] == (
        f"achievement: division by zero in '{formula}' "
        "(actual=5, target=0, direction='higher', kind='quantitative', assessed_achievement=113.2)"
    )
    # located at its goal line: the employee's first row is its first line here
    assert [p.indicator for p in split.problems if p.rule == "evaluation-error"] == [1]
    assert messages[("E001950", "record-type")] == "difficulty: expected a decimal number, got 'abc'"
    assert messages[("E001900", "sheet-weight-band")] == "weight 99 is outside the band 5..30"
    assert messages[(None, "record-unknown-field")] == "unknown column 'colour'"
    # the conflict names the employee's first row, in the second half too
    assert messages[("E001960", "record-conflict")].endswith(f" on row {numbers['E001960']}")
    assert split.problems[0].origin == f"{population}:row 1"


def test_ranges_start_at_a_new_employee_with_the_right_row(population: Path) -> None:
    data = population.read_bytes()
    ranges = plan_ranges(str(population), 3, min_bytes=1000)
    assert ranges is not None and len(ranges) == 3
    assert ranges[0].start == data.index(b"\n") + 1 and ranges[0].first_row == 2
    assert ranges[-1].end == len(data)
    for before, after in itertools.pairwise(ranges):
        assert before.end == after.start
        previous = data[: after.start].splitlines()[-1].split(b",")[0]
        current = data[after.start :].split(b"\r\n", 1)[0].split(b",")[0]
        assert previous != current and current.startswith(b"E")
        assert after.first_row == data[: after.start].count(b"\n") + 1


def test_a_range_reads_with_its_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffid,name\nA,あ\nB,い\nC,う\n".encode())
    start = path.read_bytes().index(b"B")
    end = path.read_bytes().index(b"C")
    assert list(read_csv_part(str(path), "t.csv", start, end, 3)) == [(1, ["id", "name"]), (3, ["B", "い"])]
    # UTF-8 with a bad byte (a line of UTF-8 beyond ASCII says so): the bad line named
    path.write_bytes("id,name\nA,あ\n".encode() + b"B,\xff\n")
    with pytest.raises(DataError) as caught:
        list(read_csv_part(str(path), "t.csv", 14, 18, 3))
    assert str(caught.value) == (
        "t.csv: line 3 is not UTF-8 text (byte 0xff); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    )
    # Not UTF-8 at all: a range is decoded in the encoding the whole read detects (cp1006 here)
    path.write_bytes(b"id,name\nA,\xff\n")
    assert list(read_csv_part(str(path), "t.csv", 8, 12, 2)) == [(1, ["id", "name"]), (2, ["A", "\ufe7d"])]


def test_lf_only_files_split_too(population: Path, tmp_path: Path) -> None:
    path = tmp_path / "lf.csv"
    _write(path, csv_rows(population), "\n")
    assert plan_ranges(str(path), 2, min_bytes=1000) is not None
    one, text = _report(path, 1)
    split, split_text = _report(path, 2)
    assert split.results == [] and split_text == text and split.problems == one.problems


def _fell_back(path: Path) -> None:
    one, text = _report(path, 1)
    again, again_text = _report(path, 2)
    assert again.results == one.results != []  # one process did it all
    assert again_text == text and again.problems == one.problems


@pytest.mark.parametrize("columnar", ["1", "0"])
def test_a_quote_in_the_file_keeps_one_process(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columnar: str
) -> None:
    """The worker whose range holds the quote gives up: the columnar one when its block reaches
    it (require_uncut), the per-record one before it reads (require_cuttable)."""
    monkeypatch.setenv("HRPOLICY_COLUMNAR", columnar)
    rows = csv_rows(population)
    rows[5][4] = "売上高, 東京"  # the writer quotes it
    path = tmp_path / "quoted.csv"
    _write(path, rows)
    assert b'"' in path.read_bytes()
    first, second = _checked(path)  # the quote is in the first range: its worker gives up
    assert (first, second) == (False, True)
    _fell_back(path)


def _checked(path: Path, workers: int = 2) -> tuple[bool, ...]:
    """Whether each range planned for ``path`` passes the check its worker makes first."""
    parts = plan_ranges(str(path), workers, min_bytes=1000)
    assert parts is not None and len(parts) == workers
    return tuple(_passes(part) for part in parts)


def _passes(part: ranges.Range) -> bool:
    try:
        ranges.require_cuttable(part)
    except ranges.UncutFile:
        return False
    return True


def test_a_quote_in_the_header_is_not_cut(population: Path, tmp_path: Path) -> None:
    data = population.read_bytes()
    path = tmp_path / "quoted_header.csv"
    path.write_bytes(b'"id"' + data[2:])  # (the header starts with ``id``)
    assert data.startswith(b"id,") and plan_ranges(str(path), 2, min_bytes=1000) is None
    _fell_back(path)


@pytest.mark.parametrize("columnar", ["1", "0"])
def test_a_lone_carriage_return_keeps_one_process(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columnar: str
) -> None:
    monkeypatch.setenv("HRPOLICY_COLUMNAR", columnar)
    path = tmp_path / "cr.csv"
    data = population.read_bytes()
    cut = data.index(b"\r\n", len(data) // 3)
    path.write_bytes(data[:cut] + b"\r" + data[cut + 2 :])
    assert _checked(path) == (False, True)
    _fell_back(path)


def test_a_file_over_the_table_bound_is_not_cut(population: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader refuses it at once: the cut, which searches the file for line ends (the whole
    of a 4 GiB sparse file without one), is not tried."""
    size = population.stat().st_size
    assert plan_ranges(str(population), 2, min_bytes=1000) is not None
    monkeypatch.setattr(limits, "MAX_TABLE_BYTES", size - 1)
    assert plan_ranges(str(population), 2, min_bytes=1000) is None
    monkeypatch.setattr(limits, "MAX_TABLE_BYTES", size)
    assert plan_ranges(str(population), 2, min_bytes=1000) is not None


def test_an_employee_in_two_ranges_keeps_one_process(population: Path, tmp_path: Path) -> None:
    rows = csv_rows(population)
    rows.append(list(rows[1]))  # E000001's first line again at the very end: one employee, 2 ranges
    path = tmp_path / "split_employee.csv"
    _write(path, rows)
    assert plan_ranges(str(path), 2, min_bytes=1000) is not None
    _fell_back(path)


def test_a_failed_worker_keeps_one_process(population: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = parallel.evaluate_range

    def dies(*args: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("worker dies")
        return real(*args)

    monkeypatch.setattr(parallel, "evaluate_range", dies)
    monkeypatch.setattr(columnar_run, "evaluate_range", dies)  # the columnar plan's runner too
    _fell_back(population)


def test_small_files_other_formats_and_distributions_keep_one_process(population: Path) -> None:
    csv_split = SPLIT_RENDERERS["csv"]
    one, _ = run_report(JAPAN, str(population), RENDERERS["csv"], csv_split, workers=2)  # 1.8 MB < MIN_BYTES
    assert len(one.results) == COUNT - 6
    as_text, _ = _report(population, 2, "text")  # aligned over every row: one process
    assert len(as_text.results) == COUNT - 6
    engine = Engine.from_file(JAPAN)
    data = {**engine.source.data, "distributions": {"x": {}}}
    relative = dataclasses.replace(engine, source=dataclasses.replace(engine.source, data=data))
    csv, text = SPLIT_RENDERERS["csv"], SPLIT_RENDERERS.get("text")  # text: aligned over every row
    assert parallel.evaluate_split(relative, str(population), csv, workers=2, min_bytes=1000) is None
    assert parallel.evaluate_split(engine, str(population), csv, workers=2, min_bytes=1000) is not None
    assert parallel.evaluate_split(engine, str(population), text, workers=2, min_bytes=1000) is None


def test_fork_all_returns_the_results_in_the_tasks_order() -> None:
    def late() -> int:
        time.sleep(0.5)  # (ends after the second: the results keep the tasks' order)
        return 42

    assert fork_all([late, lambda: "ok"]) == [42, "ok"]


def test_a_failed_task_stops_the_others() -> None:
    """Every caller reads the file in one process when a worker fails: the others are stopped at
    once, not waited for (one that ran to its end would give its result: 1)."""

    def fails() -> int:
        time.sleep(0.2)
        raise ValueError("no")

    def slow() -> int:
        time.sleep(120)
        return 1

    assert fork_all([slow, fails, slow]) == [None, None, None]


def test_the_command_writes_the_same_file_and_messages(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def evaluate(out: Path) -> tuple[int, str, str]:
        args = ["evaluate", JAPAN, str(population), "--format", "csv", "-o", str(out)]
        result = CliRunner().invoke(cli, args)
        return result.exit_code, result.stdout, result.stderr

    one = evaluate(tmp_path / "one.csv")
    split: list[bool] = []
    real = parallel.evaluate_split

    def spy(*args: Any, **kwargs: Any) -> Any:
        done = real(*args, **kwargs)
        split.append(done is not None)
        return done

    monkeypatch.setattr(ranges, "MIN_BYTES", 1000)
    monkeypatch.setattr(parallel, "evaluate_split", spy)
    two = evaluate(tmp_path / "two.csv")
    assert split == [True]  # the workers made the report
    assert one == two and one[0] == 1  # exit 1: some employees were not evaluated
    assert one[2].endswith(
        "hrpolicy: 6 employee(s) not evaluated; 3 problem(s) with the file or its parameters;"
        " see the problems above\n"
    )
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    lines = unstamped((tmp_path / "two.csv").read_text(encoding="utf-8-sig"), "csv", JAPAN).splitlines()
    assert lines[0] == "id,name,score,rating,rating_points" and len(lines) == 1 + COUNT - 6


def test_rows_without_flat_values_come_from_full_results(
    population: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, text = _report(population, 1)
    monkeypatch.setattr(pieces, "evaluate_flat", lambda *args: None)  # every row the long way
    split, split_text = _report(population, 2)
    assert split.results == [] and split_text == text


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_ranges_are_the_same_whatever_the_blocks_the_scan_reads(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    """Blocks of a few bytes: a carriage return and its newline fall in two blocks, a quote or
    a lone carriage return at a block's first or last byte; the rows counted are the same."""
    path = tmp_path / "blocks.csv"
    _write(path, csv_rows(population)[:80], newline)
    want = plan_ranges(str(path), 3, min_bytes=1000)
    assert want is not None and len(want) == 3
    rows = [part.first_row for part in want]  # (counted on first use: with the usual blocks)
    data = path.read_bytes()
    for size in (1, 2, 7, 4096):
        monkeypatch.setattr(ranges, "_CHUNK", size)
        got = plan_ranges(str(path), 3, min_bytes=1000)
        assert got == want and [part.first_row for part in got] == rows
        for bad in (b'"', b"\r"):
            for where in (len(data) // 5, len(data) - 3):  # in the first range, in the last one
                while data[where : where + 1] in (b"\r", b"\n"):
                    where += 1  # not a carriage return before a newline
                broken = tmp_path / "broken.csv"
                broken.write_bytes(data[:where] + bad + data[where:])
                passed = _checked(broken, 3)
                assert passed == ((False, True, True) if where < len(data) // 2 else (True, True, False))


@pytest.mark.parametrize("block", [b'E1,"a, b"\r\n', b"E1,a\rb\r\n", b"E1,a\r"])
def test_a_block_with_a_quote_or_a_lone_carriage_return_stops_a_planned_range(block: bytes) -> None:
    planned = ranges.Range(10, 20, 2, 5, "people.csv")
    with pytest.raises(ranges.UncutFile):
        ranges.require_uncut(planned, block)
    ranges.require_uncut(planned, b"E1,a\r\nE2,b\n")  # (CRLF and LF line ends alone: read on)
    ranges.require_uncut(ranges.Range(10, 20, 2), block)  # (a whole file: checked by whole_range)


def test_copy_bytes_sends_the_rest_of_a_part_after_the_text_written(tmp_path: Path) -> None:
    """To a UTF-8 file (the kernel's sendfile), to a text buffer (decoded), and where sendfile
    cannot send (a pipe's reader is this test: a file copied by read and write instead)."""
    part = tmp_path / "part"
    part.write_bytes("skip|二行目,1\n三行目,2\n".encode())
    target = tmp_path / "out.csv"
    with open(part, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
        source.seek(len(b"skip|"))
        out.write("head\n")
        parallel.copy_bytes(source, out)
        out.write("tail\n")
        assert source.read() == b""  # (left at its end)
    assert target.read_text(encoding="utf-8") == "head\n二行目,1\n三行目,2\ntail\n"
    text = io.StringIO()
    with open(part, "rb") as source:
        parallel.copy_bytes(source, text)
    assert text.getvalue() == "skip|二行目,1\n三行目,2\n"


def test_copy_bytes_copies_what_sendfile_did_not_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = tmp_path / "part"
    part.write_bytes(b"0123456789" * 1000)
    calls: list[int] = []
    send = os.sendfile

    def stingy(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        calls.append(offset)
        if len(calls) > 2:
            raise OSError(22, "no more")  # (as sendfile to a file it cannot send to)
        return send(out_fd, in_fd, offset, min(count, 7))

    monkeypatch.setattr(os, "sendfile", stingy)
    target = tmp_path / "out"
    with open(part, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
        parallel.copy_bytes(source, out)
    assert calls == [0, 7, 14] and target.read_bytes() == part.read_bytes()


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The spans whose newlines are counted; the workers run in this process, one after the
    other (a forked worker's counts would not be seen here)."""
    counted: list[tuple[int, int]] = []
    newlines = ranges._newlines

    def spy(path: str, start: int, end: int) -> int:
        counted.append((start, end))
        return newlines(path, start, end)

    monkeypatch.setattr(ranges, "_newlines", spy)
    monkeypatch.setattr(parallel, "fork_all", lambda tasks, poll=None: [task() for task in tasks])
    return counted


def test_a_clean_range_never_counts_the_lines_before_it(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columnar plan words no problem and reads no span per record in the second range of a
    clean file: the lines of the first are never counted. With a problem there, they are, once,
    and the problem names the file's real row."""
    header, *body = csv_rows(population)
    rows = [
        header,
        *(row for row in body if row[0] and row[0] < "E000300" and row[0] not in ("E000010", "E000020")),
    ]
    clean = tmp_path / "clean.csv"
    _write(clean, rows)
    one, text = _report(clean, 1)
    assert one.problems == [p for p in one.problems if p.employee_id is None]  # (the header's)
    counted = _counting(monkeypatch)
    split, split_text = _report(clean, 2)
    assert split.results == [] and split_text == text and counted == []
    last = rows[-1][0]
    rows[-1][rows[0].index("difficulty")] = "abc"  # the last row: a cell that is not a number
    _write(clean, rows)
    one, text = _report(clean, 1)
    where = next(p.origin for p in one.problems if p.employee_id == last)
    assert where == f"{clean}:row {len(rows)}"
    split, split_text = _report(clean, 2)
    assert split.results == [] and split_text == text and split.problems == one.problems
    parts = plan_ranges(str(clean), 2, min_bytes=1000)
    assert parts is not None and counted == [(parts[1].row_at, parts[1].start)]


def test_a_file_over_the_row_bound_only_counted_whole_is_read_in_one_process(
    population: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each range's own lines are within the bound, the file's are not: the parent sees it from
    the ranges' lines (none counted the lines before it) and one process says so."""
    lines = population.read_bytes().count(b"\n")
    monkeypatch.setattr(limits, "MAX_ROWS", lines - 1)  # (the file: ``lines`` rows)
    with pytest.raises(DataError, match=f"more than {lines - 1} rows"):
        _report(population, 2)
    monkeypatch.setattr(limits, "MAX_ROWS", lines)
    split, _ = _report(population, 2)
    assert split.results == []  # (within the bound: the split run stands)
