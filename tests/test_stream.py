"""Streamed reports (engine/report/stream.py): the bytes of a whole-file run, whatever the path
(one employee at a time, whole file, 1 to 3 workers, tiny chunks), atomic on failure, with a
progress bar on a terminal's stderr only."""

from __future__ import annotations

import collections
import io
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import csv_rows, drain_terminal, stamp_line, write_csv

from engine.cli import cli
from engine.evaluate import Engine, RunOutcome, explained, parallel
from engine.evaluate.explained import explain_streamed
from engine.io import failed, spool
from engine.io.model import Population
from engine.io.records import Interleaved, stream_csv
from engine.io.spool import ProblemSpool
from engine.report import jsonreport, results
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.progress import ProgressBar
from engine.report.results import RENDERERS
from engine.report.safety import terminal_text
from engine.report.stream import write_report
from engine.report.textparts import TextParts

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

COUNT = 300


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated employees with a header problem, a row without an id, a bad value, a sheet
    check, an evaluation error, a name that needs the spreadsheet guard and one with an escape."""
    path = tmp_path_factory.mktemp("stream") / "pop.csv"
    generate(COUNT, str(path), seed=11)
    rows = csv_rows(path)
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    header.append("colour")
    for row in rows[1:]:
        row.append("")
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=1):
        first.setdefault(row[0], number)
    rows[first["E000010"]][col["weight"]] = "99"  # sheet-weight-band
    rows[first["E000020"]][col["difficulty"]] = "abc"  # record-type
    zero = rows[first["E000250"]]  # division by zero
    zero[col["kind"]], zero[col["target"]], zero[col["actual"]] = "quantitative", "0", "5"
    for emp, name in (("E000030", "=SUM(A1)"), ("E000040", "Esc\x1b[31m 長い名前")):
        for row in rows[1:]:
            if row[0] == emp:
                row[col["name"]] = name
    rows.insert(first["E000100"], ["", "nameless", *[""] * (len(header) - 2)])
    write_csv(path, rows)
    return path


def _whole(path: Path, fmt: str) -> str:
    engine = Engine.from_file(JAPAN)
    return str(RENDERERS[fmt](engine.evaluate(engine.read(str(path)))))


def _reported(path: Path, fmt: str) -> str:
    """What the command writes: the whole-file report with the policy's stamp at its head."""
    engine = Engine.from_file(JAPAN)
    return stamped(fmt, [engine.policy.stamp], _whole(path, fmt))


def _streamed(
    path: Path, fmt: str, *, workers: int, chunk: int = 512, min_bytes: int | None = None
) -> tuple[str, int]:
    engine = Engine.from_file(JAPAN)
    out = io.StringIO()
    outcome = write_report(engine, str(path), fmt, out, workers=workers, chunk=chunk, min_bytes=min_bytes)
    return out.getvalue(), outcome.streamed


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_streamed_reports_are_the_whole_file_reports(population: Path, fmt: str) -> None:
    whole = _whole(population, fmt)
    assert {"csv": "E000011,", "json": '"evaluated": 297,', "text": "297 evaluated"}[fmt] in whole
    for chunk in (1, 7, 512):
        text, streamed = _streamed(population, fmt, workers=1, chunk=chunk)
        # E000010, E000020, E000250 not evaluated; the text table is aligned over every row
        # from the spooled rows (none kept in memory)
        assert streamed == COUNT - 3
        assert text == whole
    for workers in (2, 3):
        text, streamed = _streamed(population, fmt, workers=workers, min_bytes=0)
        assert streamed == COUNT - 3 and text == whole


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_split_reports_to_a_file_are_the_stamped_whole_reports(
    population: Path, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers' parts copied as bytes into a real file (not a StringIO) between the stamped
    head and the tail; the text table aligned by the workers over every part's rows."""
    engine = Engine.from_file(JAPAN)
    split = _noting_splits(monkeypatch)
    for workers in (2, 3):
        path = tmp_path / f"out{workers}.{fmt}"
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write("\ufeff")  # (what is written before stays first)
            outcome = write_report(
                engine, str(population), fmt, out, workers=workers, min_bytes=0, stamps=[engine.policy.stamp]
            )
        assert outcome.streamed == COUNT - 3
        assert path.read_text(encoding="utf-8") == "\ufeff" + _reported(population, fmt)
    assert split == [True, True]  # (both runs shared between processes)


def _noting_splits(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each run was shared between processes (evaluate_split gave a report)."""
    noted: list[bool] = []
    original = parallel.evaluate_split

    def noting(*args: Any, **kwargs: Any) -> Any:
        done = original(*args, **kwargs)
        noted.append(done is not None)
        return done

    monkeypatch.setattr(parallel, "evaluate_split", noting)
    return noted


def test_a_failed_rewrite_of_the_text_table_keeps_one_process(
    population: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies while writing its part's lines: nothing of the split run is written,
    one process writes the very same report."""
    parent = os.getpid()
    real = TextParts._lines

    def dies(self: TextParts, source: str, target: str) -> None:
        if os.getpid() != parent:
            raise RuntimeError("worker dies")
        real(self, source, target)

    monkeypatch.setattr(TextParts, "_lines", dies)
    split = _noting_splits(monkeypatch)
    text, streamed = _streamed(population, "text", workers=2, min_bytes=0)
    assert split == [False] and streamed == COUNT - 3 and text == _whole(population, "text")


def _nobody_evaluated(population: Path, tmp_path: Path) -> Path:
    """The population with every goal weighing 99 (outside the band): no employee is evaluated."""
    rows = csv_rows(population)
    weight = rows[0].index("weight")
    for row in rows[1:]:
        if row[0]:
            row[weight] = "99"
    path = tmp_path / "none.csv"
    write_csv(path, rows)
    return path


def test_a_split_report_without_results(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _nobody_evaluated(population, tmp_path)
    split = _noting_splits(monkeypatch)
    for fmt in ("csv", "json", "text"):
        text, streamed = _streamed(path, fmt, workers=2, min_bytes=0)
        assert streamed == 0 and text == _whole(path, fmt)
    assert split == [True] * 3


def test_the_text_report_aligns_wide_names_and_strips_control_characters(population: Path) -> None:
    text, _ = _streamed(population, "text", workers=1, chunk=5)
    line = next(line for line in text.splitlines() if line.startswith("E000040"))
    assert line.startswith("E000040  Esc[31m 長い名前  ")  # the escape is gone, the names aligned
    csv_text, _ = _streamed(population, "csv", workers=1, chunk=5)
    assert "E000030,'=SUM(A1)," in csv_text  # the spreadsheet guard in CSV, not in the text table
    assert "E000030  =SUM(A1)  " in text


def test_the_text_table_fitted_to_a_terminal_is_the_whole_reports(population: Path) -> None:
    engine = Engine.from_file(JAPAN)
    whole = RENDERERS["text"](engine.evaluate(engine.read(str(population))), ReportOptions(width=39))
    # the points column's header over two lines (its numbers are 3 cells), then the text
    # columns narrowed to 6 cells, the ids and names wrapped inside them
    assert whole.splitlines()[2:5] == [
        "id      name     score  rating  rating_",
        "                                 points",
        "------  ------  ------  ------  -------",
    ]
    assert "\nE00004  Esc[31  110.03  S           100\n0       m\n        長い名\n        前\n" in whole
    for workers in (1, 2):
        out = io.StringIO()
        outcome = write_report(engine, str(population), "text", out, workers=workers, min_bytes=0, width=39)
        assert out.getvalue() == whole and outcome.streamed == COUNT - 3 and outcome.results == []


def test_no_results_at_all(population: Path, tmp_path: Path) -> None:
    path = _nobody_evaluated(population, tmp_path)
    for fmt in ("csv", "json", "text"):
        text, streamed = _streamed(path, fmt, workers=1)
        assert streamed == 0 and text == _whole(path, fmt)
    assert _streamed(path, "json", workers=1)[0].count('"results": [],') == 1


def test_rows_of_one_employee_apart_are_read_whole(population: Path, tmp_path: Path) -> None:
    rows = csv_rows(population)
    rows.append(list(rows[1]))  # E000001's first line again at the end: one employee, apart
    path = tmp_path / "apart.csv"
    write_csv(path, rows)
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    stream, _, _, _ = stream_csv(str(path), data["inputs"], scales=data.get("scales"))
    with pytest.raises(Interleaved, match="E000001"):
        list(stream)
    for fmt in ("csv", "json", "text"):
        text, streamed = _streamed(path, fmt, workers=1, chunk=3)
        assert streamed == 0  # read whole: the results were kept
        assert text == _whole(path, fmt)


def test_the_stream_holds_one_employee_at_a_time(population: Path) -> None:
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    stream, _, _, _ = stream_csv(str(population), data["inputs"], scales=data.get("scales"))
    ids = [record.id for record in stream]
    assert ids[:3] == ["E000001", "E000002", "E000003"] and len(ids) == COUNT - 1  # E000020 unread
    assert stream.part.employees == [] and len(stream.part.ids) == COUNT
    assert [p.rule for p in stream.part.problems] == ["record-unknown-field", "record-missing", "record-type"]


def test_a_failure_late_in_the_file_writes_nothing(population: Path, tmp_path: Path) -> None:
    bad = tmp_path / "late.csv"
    bad.write_bytes(population.read_bytes() + b"E999999,\xff\xfe,general\r\n")
    out = tmp_path / "out.csv"
    for args in (["--format", "csv", "-o", str(out)], ["--format", "text"]):
        result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(bad), *args])
        assert result.exit_code == 2
        assert result.stdout == ""
        line = len(population.read_bytes().splitlines()) + 1
        assert result.stderr == (
            f"hrpolicy: {bad}: line {line} is not UTF-8 text (byte 0xff); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')\n"
        )
    assert sorted(os.listdir(tmp_path)) == ["late.csv"]  # no output, no temporary file


def test_the_command_writes_the_same_bytes_to_a_file_and_to_stdout(population: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "json", "text"):
        out = tmp_path / f"out.{fmt}"
        args = ["evaluate", JAPAN, str(population), "--format", fmt]
        to_file = CliRunner().invoke(cli, [*args, "-o", str(out)])
        to_stdout = CliRunner().invoke(cli, args)
        assert to_file.exit_code == to_stdout.exit_code == 1
        whole = _reported(population, fmt)
        mark = "\ufeff" if fmt == "csv" else ""  # a CSV file starts with a byte-order mark
        assert out.read_text(encoding="utf-8") == mark + whole
        assert to_stdout.stdout == terminal_text(whole)  # what reaches a terminal: no escapes
        assert to_file.stdout == ""


def test_the_progress_bar_line() -> None:
    now = [100.0]
    stream = io.StringIO()
    bar = ProgressBar(1000, stream, clock=lambda: now[0])
    now[0] = 102.0
    bar(250, 5000)
    assert stream.getvalue() == "\r[######..................]  25%  5,000 rows  2,500 rows/s  6 s left"
    now[0] = 102.1
    bar(300, 6000)  # within 0.2 s of the last drawing: not drawn
    now[0] = 210.0
    bar(1000, 20000)
    bar.finish()
    assert stream.getvalue().split("\r")[-1] == (
        "[########################] 100%  20,000 rows  182 rows/s  1 min 50 s\n"
    )


def test_a_short_run_draws_no_bar() -> None:
    """The bar is for long runs: nothing before DELAY seconds (then the first drawing), and a
    run over before it leaves nothing on the terminal, not even the line end."""
    now = [100.0]
    stream = io.StringIO()
    bar = ProgressBar(1000, stream, clock=lambda: now[0])
    now[0] = 100.4
    bar(900, 18000)
    bar(1000, 20000)
    bar.finish()
    assert stream.getvalue() == ""
    slow = ProgressBar(1000, stream, clock=lambda: now[0])
    now[0] = 100.8
    slow(100, 2000)
    assert stream.getvalue() == ""  # 0.4 s since it started
    now[0] = 100.9
    slow(200, 4000)
    assert stream.getvalue() == "\r[####....................]  20%  4,000 rows  8,000 rows/s  2 s left"


def test_a_bar_of_several_phases_draws_a_line_each() -> None:
    """``then`` ends a phase's line full (it is over, whatever it was last told) and counts the
    next on a line of its own, at once where the run was drawn already; a run not drawn yet
    waits for the delay from its first phase's start."""
    now = [100.0]
    stream = io.StringIO()
    bar = ProgressBar(1000, stream, clock=lambda: now[0])
    now[0] = 104.0
    bar(990, 19_000)
    bar.then("grading", 50, "grades")
    now[0] = 104.1
    bar(10, 10)  # drawn at once: the run is on the terminal already
    now[0] = 106.1
    bar(50, 50)
    bar.finish()
    assert stream.getvalue().split("\n") == [
        "\r[#######################.]  99%  19,000 rows  4,750 rows/s  0 s left"
        "\r[########################] 100%  19,000 rows  4,750 rows/s  4 s" + " " * 5,
        "\rgrading [####....................]  20%  10 grades  100 grades/s  0 s left"
        "\rgrading [########################] 100%  50 grades  24 grades/s  2 s" + " " * 6
        + "\rgrading [########################] 100%  50 grades  24 grades/s  2 s",  # (finish)
        "",
    ]
    quiet = io.StringIO()
    short = ProgressBar(1000, quiet, clock=lambda: now[0])
    now[0] += 0.2
    short.then("writing", 10, "people")
    now[0] += 0.1
    short(5, 5)
    assert quiet.getvalue() == ""  # 0.3 s since the run started
    now[0] += 0.3
    short(6, 6)
    assert quiet.getvalue() == "\rwriting [##############..........]  60%  6 people  15 people/s  0 s left"


def _run_on_a_terminal(args: list[str]) -> tuple[int, bytes, bytes]:
    """The real command with stderr on a pseudo-terminal and stdout on a pipe."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *args], stdout=subprocess.PIPE, stderr=follower, cwd=ROOT
    )
    os.close(follower)
    stdout = process.stdout.read() if process.stdout else b""
    seen = drain_terminal(leader)
    return process.wait(), stdout, seen


def test_a_progress_bar_on_a_terminal_only(population: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRPOLICY_PROGRESS_DELAY", "0")  # this short run drawn from its start
    args = ["evaluate", JAPAN, str(population), "--format", "csv"]
    code, stdout, terminal = _run_on_a_terminal(args)
    assert code == 1 and stdout.decode("utf-8") == terminal_text(_reported(population, "csv"))
    assert b"\r[########################] 100%  " in terminal and b" rows  " in terminal
    _, stdout_off, terminal_off = _run_on_a_terminal([*args, "--no-progress"])
    assert stdout_off == stdout and b"[####" not in terminal_off
    command = [sys.executable, "-m", "engine", *args]
    piped = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    assert piped.stdout == stdout and b"[####" not in piped.stderr  # stderr not a terminal
    monkeypatch.delenv("HRPOLICY_PROGRESS_DELAY")  # asked for, the bar is drawn at once
    forced = CliRunner().invoke(cli, [*args, "--progress"])
    assert forced.stdout == stdout.decode("utf-8") and "100%" in forced.stderr


def test_explain_reads_only_the_employees_rows(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = csv_rows(population)
    rows.append(list(next(row for row in rows if row[0] == "E000005")))  # E000005's rows apart
    path = tmp_path / "apart.csv"
    write_csv(path, rows)
    cases = [("E000007", "text"), ("E000007", "json"), ("E000005", "text"), ("E000010", "text"),
             ("E000250", "json"), ("E000020", "text"), ("E00007", "text")]  # fmt: skip

    def explain(emp: str, fmt: str) -> tuple[int, str, str]:
        args = ["explain", JAPAN, str(path), "--employee", emp, "--format", fmt]
        result = CliRunner().invoke(cli, args)
        return result.exit_code, result.stdout, result.stderr

    fast = [explain(emp, fmt) for emp, fmt in cases]
    read: list[str] = []
    monkeypatch.setattr(explained, "explain_streamed", lambda engine, data, emp, *_: read.append(emp))
    assert fast == [explain(emp, fmt) for emp, fmt in cases]  # the whole-file run says the same
    assert read == [emp for emp, _ in cases]  # (the spy: the whole file was read each time)
    # The unknown column 'colour' is the file's problem: said after every explanation, exit 1 as
    # evaluate's (the row without an id is not: the search by id never reads it). E000020 is
    # left out while reading: explain shows its problems (exit 1), as the whole run does.
    assert [code for code, _, _ in fast] == [1, 1, 1, 1, 1, 1, 2]
    colour = (
        f"{path}:row 1: file: error [record-unknown-field] unknown column 'colour'\n"
        "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above\n"
    )
    assert fast[0][2] == fast[1][2] == colour
    assert all(err.endswith(colour) for _, _, err in fast[2:6])
    assert fast[0][1].split("\n", 1)[1].startswith("employee E000007 (") and '"id": "E000007"' in fast[1][1]
    assert "[sheet-weight-band] weight 99 is outside the band 5..30" in fast[3][2]
    assert "[sheet-weight-total]" in fast[2][2]  # E000005's rows apart: one sheet, a line twice
    assert fast[6][2] == f"hrpolicy: no employee 'E00007' in {path}; did you mean 'E000207'?\n"
    e5 = Engine.from_file(JAPAN)
    found = explain_streamed(e5, str(path), "E000005")
    assert found is not None and found[0].population.employees[0].id == "E000005"
    assert len(found[0].population.employees[0].indicators) == sum(1 for row in rows if row[0] == "E000005")
    # A bad value (no record of E000020): the file is read through, and there E000005's rows
    # apart stop the stream: the whole run reports it.
    assert explain_streamed(e5, str(path), "E000020") is None


NAMES = ("japan_mbo", "kepco_like", "kumho_like")  # as validate finds them in policies/


def test_validate_imports_only_what_it_needs() -> None:
    """openpyxl is not imported to validate policies (nor the policy tests' coverage, which
    imports the whole engine). The CLI's ``--format`` choices come from every renderer
    registry, which import the evaluation engine: not lazy yet."""
    script = (
        "import atexit, sys\n"
        "heavy = ('openpyxl', 'engine.policytest', 'engine.policytest.coverage')\n"
        "atexit.register(lambda: print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr))\n"
        "sys.argv = ['hrpolicy', 'validate', 'policies/']\n"
        "from engine.cli import main\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, cwd=ROOT, text=True, check=False)
    assert done.returncode == 0  # the stamps and summary go to stderr, then the heavy modules seen
    stamps = "".join(stamp_line(f"policies/{n}.yaml", ROOT / "policies" / f"{n}.yaml") for n in NAMES)
    assert done.stderr.startswith(stamps + "checked 3 files: 3 valid, 0 invalid")
    assert done.stderr.endswith("'hrpolicy:'\n[]\n")


def test_the_employees_warnings_are_in_the_report_whatever_the_path(tmp_path: Path) -> None:
    """A record requirement declared as a warning (§8②, a mid-term plan) is reported by one
    streaming process as by the workers and the whole-file run."""
    path = tmp_path / "warned.csv"
    generate(60, str(path), seed=5)
    rows = csv_rows(path)
    column = rows[0].index("development_plan_mid_term")
    for emp in ("E000004", "E000040"):
        next(row for row in rows[1:] if row[0] == emp)[column] = ""
    write_csv(path, rows)
    whole = _whole(path, "json")
    assert whole.count('"rule": "requirement-missing"') == 2
    for workers in (1, 2):
        out = io.StringIO()
        write_report(Engine.from_file(JAPAN), str(path), "json", out, workers=workers, min_bytes=0)
        assert out.getvalue() == whole


def test_text_parts_of_one_shape_need_no_second_pass(tmp_path: Path) -> None:
    """Parts whose rows give the same shape: each worker's lines (written with its measure)
    are the table's, no rewrite; parts of other shapes are rewritten in the merged one."""
    engine = Engine.from_file(JAPAN)
    table = TextParts(RunOutcome(engine.policy, Population([], {}, {}, {}, None, [], "x.csv")), None)
    rows = {
        "a": "E1,山田 太郎,97.25,B,60\nE2,Bo,100,A,80\n",
        "b": "E3,鈴木 一郎,12.50,C,40\nE9,Al,250,S,100\n",  # the same widths and places
        "c": "E4,X,1.125,D,20\n",  # three places: the others padded to them
    }
    for key, text in rows.items():
        (tmp_path / key).write_text(text, encoding="utf-8")
    summed = {key: table.summary(str(tmp_path / key)) for key in rows}
    assert table.rewrite([summed["a"], summed["b"]]) is None
    assert (tmp_path / "a.final").read_text(encoding="utf-8") == (
        "E1  山田 太郎   97.25  B                  60\nE2  Bo         100.00  A                  80\n"
    )
    rewrite = table.rewrite([summed["a"], summed["c"]])
    assert rewrite is not None
    rewrite(str(tmp_path / "a"), str(tmp_path / "a.final"))
    assert (tmp_path / "a.final").read_text(encoding="utf-8") == (
        "E1  山田 太郎   97.250  B                  60\nE2  Bo         100.000  A                  80\n"
    )


def test_problems_spooled_to_files_give_the_same_reports_and_leave_nothing(
    population: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every employee's weights off (a problem each) and a spool threshold of 2: one process
    spools its problems to an anonymous temp file, workers (the columnar plan, falling back to
    the per-record path for them) to named files their parent reads back; every report is the
    whole-file run's, the problems the same in the same order, and the temp folder ends empty."""
    rows = csv_rows(population)
    weight = rows[0].index("weight")
    for row in rows[1:]:
        if row[0]:
            row[weight] = "99"
    path = tmp_path / "all-bad.csv"
    write_csv(path, rows)
    engine = Engine.from_file(JAPAN)
    whole = engine.evaluate(engine.read(str(path)))
    # Each goal line's weight of 99 is outside its band: 1,961 lines but E000020's 6 (its bad
    # value keeps it out), and each of the 299 others' total; the unknown column, the row without
    # an id and E000020's bad value.
    rules = collections.Counter(p.rule for p in whole.problems)
    assert rules == {"sheet-weight-band": 1955, "sheet-weight-total": 299, "record-unknown-field": 1,
                     "record-missing": 1, "record-type": 1}  # fmt: skip
    reports = {fmt: str(RENDERERS[fmt](whole)) for fmt in ("csv", "json", "text")}
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(spool, "THRESHOLD", 2)
    # the failed ids sorted through runs of 5 in a temp file; the problems written 3 at a time
    monkeypatch.setattr(failed, "RUN", 5)
    monkeypatch.setattr(jsonreport, "_CHUNK", 3)
    monkeypatch.setattr(results, "_CHUNK", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    merged: list[int] = []
    merge = parallel._merge

    def merging(engine: Engine, path: str, parts: list[parallel.Part], render: Any) -> Any:
        merged.append(len(parts))
        assert all(isinstance(p.checks, ProblemSpool) and p.checks.spilled for p in parts)
        return merge(engine, path, parts, render)

    monkeypatch.setattr(parallel, "_merge", merging)
    for fmt, report in reports.items():
        for workers in (1, 2, 3):
            out = io.StringIO()
            outcome = write_report(engine, str(path), fmt, out, workers=workers, min_bytes=0)
            assert out.getvalue() == report
            assert isinstance(outcome.problems, ProblemSpool) and outcome.problems.spilled == 2256
            assert list(outcome.problems) == whole.problems
            assert outcome.failed_employees == whole.failed_employees
            # two sorted runs: E000020's bad value is a reading problem, listed before the checks
            assert len(outcome.failed_employees._runs) == 2
            assert len(outcome.failed_employees) == COUNT  # (E000020 through its bad value)
            outcome.problems.close()
    assert merged == [2, 3] * 3  # the workers' parts merged (not one process after a failure)
    assert list(temp.iterdir()) == []
