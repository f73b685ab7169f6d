"""Problems found while reading a records file, spooled as evaluate's are (engine/io/spool.py):
a bad cell on every row of many employees, rows without an id and a header problem give the
bytes and the problems (in the same order) of the whole-file run, with the spool's threshold at
its default or at one problem, through every path (one process, the workers' columnar plan and
per-record path, a JSON file's workers, distributions, calibrate); and a table row without an id
is told by a mark, not by its message."""

from __future__ import annotations

import dataclasses
import importlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import csv_rows, write_csv

import engine.commands.calibrate as calibrate_command
from engine.cli import cli
from engine.errors import Problem
from engine.evaluate import Engine, parallel, pieces
from engine.evaluate.columnar import run as columnar
from engine.io import spool, tablerows
from engine.io.spool import ProblemSpool
from engine.io.table import TablePart
from engine.report.results import RENDERERS
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_formats import dump_json, employees  # noqa: E402
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate as generate_japan  # noqa: E402


def _spoil(path: Path, every: int, unknown: bool, step: int = 1) -> int:
    """Every ``every``-th employee's weight cells not numbers (a problem per row, found while
    reading), two rows without an id (one in each half: each worker has one), one employee's
    first weight ``step`` off (a sheet check, found after reading), and with ``unknown`` a column
    the policy does not know (the header's problem). How many rows were spoiled."""
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    if unknown:
        rows[0].append("colour")
        for row in rows[1:]:
            row.append("")
    order = list(dict.fromkeys(row[0] for row in rows[1:]))
    bad = set(order[::every])
    spoiled = 0
    for row in rows[1:]:
        if row[0] in bad:
            row[col["weight"]] += "x"
            spoiled += 1
    checked = next(n for n, row in enumerate(rows) if n and row[0] == order[1])
    rows[checked][col["weight"]] = str(int(rows[checked][col["weight"]]) + step)
    blank = ["", "nameless", *[""] * (len(rows[0]) - 2)]
    for emp in (order[len(order) // 4], order[3 * len(order) // 4]):
        rows.insert(next(n for n, row in enumerate(rows) if row[0] == emp), list(blank))
    write_csv(path, rows)
    return spoiled


@pytest.fixture(scope="module")
def japan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("read-problems") / "japan.csv"
    generate_japan(200, str(path), seed=17)
    return path, _spoil(path, 3, unknown=True)


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("read-problems") / "kumho.csv"
    generate_kumho(200, str(path), seed=17)
    return path, _spoil(path, 4, unknown=False, step=-1)  # (a KPI weight of 101 is out of range)


@pytest.fixture(scope="module")
def japan_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The japan population as a JSON records file: every third employee's weights text, one
    item without an id (the 51st: not one of those). How many weights were spoiled."""
    path = tmp_path_factory.mktemp("read-problems") / "japan.json"
    people = list(employees(120, 17))
    for person in people[::3]:
        for line in person["indicators"]:
            line["weight"] = f"{line['weight']}x"
    del people[50]["id"]
    with open(path, "w", encoding="utf-8") as out:
        dump_json(people, out)
    return path, sum(len(person["indicators"]) for person in people[::3])


class Reads:
    """Spies on the merge of a streamed run's problems: each read part's spools, as they come."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[int, int, int, int]] = []  # (rows, rows spilled, grouped, spilled)
        real = pieces.settle_problems

        def spy(outcome: Any, first: Any, reads: list[TablePart], checks: Any) -> None:
            for read in reads:
                assert isinstance(read.rows, ProblemSpool) and isinstance(read.grouped, ProblemSpool)
                self.seen.append((len(read.rows), read.rows.spilled, len(read.grouped), read.grouped.spilled))
            real(outcome, first, reads, checks)

        monkeypatch.setattr(pieces, "settle_problems", spy)
        monkeypatch.setattr(parallel, "settle_problems", spy)

    def take(self) -> list[tuple[int, int, int, int]]:
        seen, self.seen = self.seen, []
        return seen


#: The paths of a streamed run: (workers, HRPOLICY_COLUMNAR).
PATHS = [(1, "1"), (2, "1"), (2, "0")]


def _runs(
    policy: str, path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch, reads: Reads
) -> Iterator[tuple[str, int, str, list[Problem], list[tuple[int, int, int, int]]]]:
    """Each path's report at each threshold: (columnar switch, workers, text, problems, parts)."""
    for threshold in (spool.THRESHOLD, 1):
        for workers, switch in PATHS:
            with monkeypatch.context() as patch:
                patch.setenv(columnar.SWITCH, switch)
                patch.setattr(spool, "THRESHOLD", threshold)
                out = io.StringIO()
                engine = Engine.from_file(policy)
                outcome = write_report(engine, str(path), fmt, out, workers=workers, min_bytes=0)
                problems = list(outcome.problems)
                assert isinstance(outcome.problems, ProblemSpool)
                outcome.problems.close()
            yield f"{switch}/{threshold}", workers, out.getvalue(), problems, reads.take()


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_read_problems_are_spooled_on_every_path_with_the_whole_runs_bytes(
    japan: tuple[Path, int], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, spoiled = japan
    engine = Engine.from_file(JAPAN)
    whole = engine.evaluate(engine.read(str(path)))
    report = str(RENDERERS[fmt](whole))
    rules = [p.rule for p in whole.problems]
    # the unknown column, two rows without an id, then 67 employees' weights (a problem on each
    # of their rows), then the one sheet check
    assert rules[:3] == ["record-unknown-field", "record-missing", "record-missing"]
    assert rules[3:-1] == ["record-type"] * spoiled and rules[-1] == "sheet-weight-total"
    assert len({p.employee_id for p in whole.problems[3:-1]}) == 67
    assert [p.row_without_id for p in whole.problems[:4]] == [False, True, True, False]
    reads = Reads(monkeypatch)
    for label, workers, text, problems, parts in _runs(JAPAN, path, fmt, monkeypatch, reads):
        assert text == report, label
        assert problems == whole.problems, label  # the same problems, in the same order
        assert len(parts) == workers and sum(p[0] for p in parts) == 2 and sum(p[2] for p in parts) == spoiled
        if label.endswith("/1"):  # every problem read went to a temp file where it was read
            assert all(p[1] == p[0] and p[3] == p[2] for p in parts), label
        if workers == 2:
            assert [p[0] for p in parts] == [1, 1], label  # a row without an id in each half


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_json_records_files_read_problems_are_spooled_with_the_same_bytes(
    japan_json: tuple[Path, int], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, spoiled = japan_json
    engine = Engine.from_file(JAPAN)
    whole = engine.evaluate(engine.read(str(path)))
    report = str(RENDERERS[fmt](whole))
    # in item order: 40 employees' weights, the item without an id's (marked: it names no one)
    marked = [(p.rule, p.message) for p in whole.problems if p.row_without_id]
    assert marked == [("record-missing", "id: required field is missing")]
    assert [p.rule for p in whole.problems if not p.row_without_id] == ["record-type"] * spoiled
    assert len({p.employee_id for p in whole.problems}) == 41  # (None: the item without an id)
    reads = Reads(monkeypatch)
    for label, workers, text, problems, parts in _runs(JAPAN, path, fmt, monkeypatch, reads):
        assert text == report, label
        assert problems == whole.problems, label
        assert len(parts) == workers and sum(p[2] for p in parts) == len(whole.problems)
        if label.endswith("/1"):
            assert all(p[3] == p[2] for p in parts), label


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_read_problems_under_distributions_are_spooled_with_the_same_bytes(
    kumho: tuple[Path, int], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, spoiled = kumho
    engine = Engine.from_file(KUMHO)
    whole = engine.evaluate(engine.read(str(path)))
    report = str(RENDERERS[fmt](whole))
    read = [p for p in whole.problems if p.rule.startswith("record-")]
    assert [p.rule for p in read[:2]] == ["record-missing", "record-missing"]
    assert [p.rule for p in read[2:]] == ["record-type"] * spoiled
    assert len({p.employee_id for p in read[2:]}) == 50
    assert whole.problems[-1].rule.startswith("sheet-") and whole.relative  # the other 150 graded
    reads = Reads(monkeypatch)
    for label, workers, text, problems, parts in _runs(KUMHO, path, fmt, monkeypatch, reads):
        assert text == report, label
        assert problems == whole.problems, label
        assert len(parts) == workers and sum(p[2] for p in parts) == spoiled
        if label.endswith("/1"):
            assert all(p[1] == p[0] and p[3] == p[2] for p in parts), label


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_calibrate_spools_read_problems_with_the_same_bytes(
    kumho: tuple[Path, int], fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spoiled = kumho[1]
    closed: list[tuple[int, int]] = []
    real = TablePart.close

    def close(part: TablePart) -> None:
        assert isinstance(part.grouped, ProblemSpool)
        closed.append((len(part.grouped), part.grouped.spilled))
        real(part)

    def run(threshold: int, whole: bool) -> tuple[int, str, bytes]:
        out = tmp_path / f"out.{fmt}"
        with monkeypatch.context() as patch:
            patch.setattr(spool, "THRESHOLD", threshold)
            patch.setattr(TablePart, "close", close)
            if whole:
                patch.setattr(calibrate_command, "streamable", lambda *_: False)
            args = ["calibrate", KUMHO, str(kumho[0]), "--format", fmt, "-o", str(out)]
            result = CliRunner().invoke(cli, args)
        return result.exit_code, result.stderr, out.read_bytes()

    expected = run(spool.THRESHOLD, whole=True)
    assert expected[0] == 1 and b"record-type" in expected[2] and closed == []
    assert run(spool.THRESHOLD, whole=False) == expected
    assert run(1, whole=False) == expected
    # the stream's problems, in memory then each in the temp file, let go once copied
    assert closed == [(spoiled, 0), (spoiled, spoiled)]


def test_a_row_without_an_id_is_told_by_its_mark_not_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """explain leaves a table row without an id out of the file's problems (its search by id never
    reads such rows) by the reader's mark: its message reworded, it still does; a problem of
    no employee whose message happens to start as that one's did ("id: ") is the file's."""
    path = tmp_path / "noid.csv"
    generate_japan(3, str(path), seed=17)
    rows = csv_rows(path)
    rows.append(["", *rows[-1][1:]])  # a copy of the last row without its id
    write_csv(path, rows)
    real = tablerows._row_problem

    def reworded(*args: Any) -> Problem | None:
        found = real(*args)
        return None if found is None else dataclasses.replace(found, message="this row names no employee")

    monkeypatch.setattr(tablerows, "_row_problem", reworded)
    explained = importlib.import_module("engine.evaluate.explained")
    monkeypatch.setattr(explained, "explain_streamed", lambda *_: None)  # the whole file read: the row too
    emp = rows[1][0]
    result = CliRunner().invoke(cli, ["explain", JAPAN, str(path), "--employee", emp, "--format", "json"])
    assert result.exit_code == 0 and result.stderr == ""
    result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(path), "--format", "csv"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:row {len(rows)}: file: error [record-missing] this row names no employee",
        "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above",
    ]
    origin = f"{path}:row {len(rows)}"
    lookalike = Problem(None, None, "record-missing", "id: required field is missing", origin)
    assert not tablerows.of_a_row_without_id(lookalike)
    marked = Problem(None, None, "record-missing", "this row names no employee", origin, row_without_id=True)
    assert tablerows.of_a_row_without_id(marked)
    with ProblemSpool([lookalike, marked], threshold=1) as spooled:  # the mark kept in a temp file
        assert spooled.spilled == 2 and [p.row_without_id for p in spooled] == [False, True]
