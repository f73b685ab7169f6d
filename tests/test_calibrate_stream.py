"""``calibrate`` over a CSV file read an employee at a time (engine/report/calibration_stream.py):
the bytes of the whole-file run in every format, a compact row per person, nothing written on
failure; problems, small groups, ties and interleaved rows included."""

from __future__ import annotations

import gc
import io
import os
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import csv_rows, workbook_cells, write_csv

import engine.commands.calibrate as command
import engine.limits as limits
from engine.cli import cli
from engine.distribution import describe_key
from engine.distribution.ids import Ids
from engine.errors import Problem
from engine.evaluate import Engine
from engine.evaluate.calibration import Calibrating, calibrate_population
from engine.io import spool
from engine.io.model import EmployeeRecord
from engine.io.spool import ItemSpool, ProblemSpool
from engine.report import calibration, calibration_frame, calibration_stream
from engine.report.calibration import PROBLEMS, RENDERERS, REVIEWS, generate_page, json_problem
from engine.report.calibration_frame import frame
from engine.report.calibration_stream import stream_calibration, streamable
from engine.report.labels import Labels
from engine.report.options import ReportOptions

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate as generate_japan  # noqa: E402

FORMATS = ["csv", "json", "text", "html", "xlsx"]


def _first_rows(rows: list[list[str]]) -> dict[str, int]:
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=1):
        first.setdefault(row[0], number)
    return first


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated kumho_like employees with a sheet problem (KPI weights off), a bad value,
    a row without an id, ten K4 people moved to a unit of their own (a group of exactly 10) and
    three K3 people to another (a group too small, and no org tree in a table). Equal scores
    are common (four rating levels): the tie keys decide."""
    path = tmp_path_factory.mktemp("calibrate") / "kumho.csv"
    generate_kumho(300, str(path), seed=11)
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    first = _first_rows(rows)
    rows[first["H0000010"]][col["weight"]] = "7"  # sheet-weight-total
    for row in rows[1:]:
        if row[0] == "H0000020":
            row[col["year_in_grade"]] = "abc"  # record-type: H0000020 is not read
    by_grade: dict[str, list[str]] = {}
    for row in rows[1:]:
        if row[0] not in ("H0000010", "H0000020") and row[0] not in by_grade.get(row[col["role_grade"]], []):
            by_grade.setdefault(row[col["role_grade"]], []).append(row[0])
    units = {pid: "hand10" for pid in by_grade["K4"][:10]} | {pid: "hand3" for pid in by_grade["K3"][:3]}
    for row in rows[1:]:
        row[col["org"]] = units.get(row[0], row[col["org"]])
    rows.insert(first["H0000100"], ["", "이름없음", *[""] * (len(rows[0]) - 2)])  # record-missing
    write_csv(path, rows)
    return path


@pytest.fixture(scope="module")
def japan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated japan_mbo employees (chains, no distributions), one with its weights off
    and one with a bad number."""
    path = tmp_path_factory.mktemp("calibrate") / "japan.csv"
    generate_japan(200, str(path), seed=3)
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    first = _first_rows(rows)
    rows[first["E000007"]][col["weight"]] = "55"  # sheet-weight-total
    rows[first["E000011"]][col["actual"]] = "many"  # record-type
    write_csv(path, rows)
    return path


Run = tuple[int, str, str, bytes]


def _cli(
    policy: str,
    data: Path,
    fmt: str,
    out: Path | None,
    *,
    whole: bool,
    mp: pytest.MonkeyPatch,
    more: tuple[str, ...] = (),
) -> Run:
    """(exit code, stdout, stderr, file bytes) of ``hrpolicy calibrate``, streamed or read whole."""
    calls: list[str] = []
    real = calibration_stream.stream_calibration

    def spy(*args: object, **kwargs: object) -> object:
        calls.append("streamed")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with mp.context() as patch:
        patch.setattr(command, "stream_calibration", spy)
        if whole:
            patch.setattr(command, "streamable", lambda *_: False)
        args = ["calibrate", policy, str(data), "--format", fmt, *more, *(["-o", str(out)] if out else [])]
        result = CliRunner().invoke(cli, args)
    assert calls == ([] if whole else ["streamed"])
    written = out.read_bytes() if out is not None else b""
    if out is not None:
        out.unlink()
    return result.exit_code, result.stdout, result.stderr, written


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["kumho", "japan"])
def test_every_format_has_the_bytes_of_the_whole_file_run(
    which: str, fmt: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = request.getfixturevalue(which)
    policy = KUMHO if which == "kumho" else JAPAN
    out = tmp_path / f"report.{fmt}"
    streamed = _cli(policy, data, fmt, out, whole=False, mp=monkeypatch)
    whole = _cli(policy, data, fmt, out, whole=True, mp=monkeypatch)
    assert streamed[:3] == whole[:3]
    assert streamed[0] == 1  # problems: a failed calibration
    if fmt == "xlsx":  # a workbook's zip records the time it was written: compare the cells
        assert workbook_cells(streamed[3]) == workbook_cells(whole[3])
    else:
        assert streamed[3] == whole[3]
        if fmt != "html":  # to stdout, the same text
            assert _cli(policy, data, fmt, None, whole=False, mp=monkeypatch)[1] == whole[3].decode(
                "utf-8-sig"
            )


@pytest.mark.parametrize("fmt", ["csv", "json", "text", "html"])
def test_one_distribution_in_another_language_has_the_same_bytes(
    kumho: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / f"report.{fmt}"
    more = ("--distribution", "competency", "--lang", "ko")
    streamed = _cli(KUMHO, kumho, fmt, out, whole=False, mp=monkeypatch, more=more)
    assert streamed == _cli(KUMHO, kumho, fmt, out, whole=True, mp=monkeypatch, more=more)
    assert b"performance" not in streamed[3]  # the one distribution asked for


def test_the_group_of_ten_has_the_seats_worked_out_by_hand(kumho: Path) -> None:
    """10 % / 20 % / 40 % / 20 % / 10 % of 10 people = 1/2/4/2/1 seats exactly; a table holds no
    evaluations, so nobody is proposed or given a final grade (no tolerance: 0 is outside a seat
    of 1 or more); three K3 people alone in their unit cannot be graded (fewer than 5 and no tree)."""
    engine = Engine.from_file(KUMHO)
    spool = io.StringIO()
    done = stream_calibration(engine, str(kumho), ["performance", "competency"], "csv", spool)
    assert done is not None
    report = RENDERERS["csv"](done.result)
    assert isinstance(report, str)
    lines = report.splitlines()
    group = '"(org=hand10, role_grade=K4)"'
    assert [line for line in lines if line.startswith(f"grade,performance,{group}")] == [
        f"grade,performance,{group},I,1,0,0,0,false,,,,",
        f"grade,performance,{group},II,2,0,0,0,false,,,,",
        f"grade,performance,{group},III,4,0,0,0,false,,,,",
        f"grade,performance,{group},IV,2,0,0,0,false,,,,",
        f"grade,performance,{group},V,1,0,0,0,false,,,,",
    ]
    small = [line for line in lines if line.startswith('not_graded,competency,"(org=hand3, role_grade=K3)"')]
    assert len(small) == 3
    assert small[0].endswith(
        ',distribution-unknown-org,"group (org=hand3, role_grade=K3) has 3 members, fewer than the '
        "minimum 5, and org 'hand3' is not in the org tree\""
    )
    rules = [p.rule for p in done.result.problems]
    # Reading (a bad value, a row without an id), the sheet checks, then two chain stages
    # missing for each of the 299 employees read (a table has no evaluations).
    assert rules[:3] == ["record-missing", "record-type", "sheet-weight-total"]
    assert rules[3:] == ["chain-stage-missing"] * 2 * 299
    assert done.result.reviewed == 299 and done.result.reviews == () and spool.getvalue() == ""


@pytest.mark.parametrize("chunk", [1, 7, 512])
def test_json_parts_are_joined_the_same_whatever_the_chunk(kumho: Path, chunk: int) -> None:
    engine = Engine.from_file(KUMHO)
    spool = io.StringIO()
    done = stream_calibration(engine, str(kumho), ["performance"], "json", spool, chunk=chunk)
    assert done is not None
    whole = calibrate_population(engine, engine.read(str(kumho)), ["performance"])
    pieces = list(frame("json", done.result, reviews=True))
    assert pieces.count(REVIEWS) == 1 and pieces.count(PROBLEMS) == 1
    items = ",\n    ".join(json_problem(p) for p in done.result.problems)
    parts = {REVIEWS: spool.getvalue(), PROBLEMS: items}
    assert "".join(parts.get(piece, piece) for piece in pieces) == RENDERERS["json"](whole)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_frame_comes_a_group_at_a_time(kumho: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report around the spooled parts lists every group's members (here everyone: a table
    has no final grades): it comes a group at a time in JSON and a few lines at a time in text
    (8 here: a group is at least 4, a blank line, its head, its table, who has no final grade),
    never as one text. (It was one: a calibration of 400,000 kumho employees as JSON peaked at
    857 MiB, 251 for 100,000; bench/RESULTS.md, the memory survey.)"""
    engine = Engine.from_file(KUMHO)
    done = stream_calibration(engine, str(kumho), ["performance", "competency"], fmt, io.StringIO())
    assert done is not None
    groups = sum(len(report.groups) for report in done.result.reports)
    assert groups == 32 and all(g.missing for r in done.result.reports for g in r.groups)
    monkeypatch.setattr(calibration_frame, "_LINES", 8)
    pieces = list(frame(fmt, done.result, reviews=fmt == "json"))
    if fmt == "json":
        assert max(piece.count('"missing": [') for piece in pieces) == 1
        assert sum(piece.count('"missing": [') for piece in pieces) == groups
    else:
        assert max(piece.count("no final grade: ") for piece in pieces) <= 2
        assert sum(piece.count("no final grade: ") for piece in pieces) == groups


def test_the_page_makes_a_group_table_as_it_is_written(kumho: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's quota tables (one a group, and a group a few dozen people) are made as the
    page is written, not all before its first piece. (They were: 400,000 kumho employees as a
    page peaked at 327 MiB, 126 for 100,000; bench/RESULTS.md, the memory survey.)"""
    engine = Engine.from_file(KUMHO)
    done = stream_calibration(engine, str(kumho), ["performance", "competency"], "html", io.StringIO())
    assert done is not None
    made: list[str] = []
    grade_rows = calibration._grade_rows
    monkeypatch.setattr(calibration, "_grade_rows", lambda g, *a: made.append(g.key) or grade_rows(g, *a))
    labels = Labels(engine.source.data, "en")
    page = generate_page(done.result, labels, ReportOptions())
    first = next(page)
    assert first.startswith("<!doctype html>") and made == []
    rest = "".join(page)
    assert len(made) == 32 and rest.count('<section class="table"') == 32 + 2  # the not graded, a table each
    assert first + rest == calibration.render_page(
        done.result, Labels(engine.source.data, "en"), ReportOptions()
    )


def test_the_members_without_a_final_grade_are_listed_and_no_grading_is_kept(
    kumho: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table has no final grades: every member of every group is listed as missing (the
    group of ten: its ten people). Each group's calibration is spooled as it is made, so once
    calibrated nothing references a grading's ids (the grading's compact ids were kept for the
    listed members until the report was written: some 30 bytes a person for kumho's two
    distributions, with the groups' positions)."""
    rows = csv_rows(kumho)
    at = {name: i for i, name in enumerate(rows[0])}
    hand10 = {row[0] for row in rows[1:] if row[at["org"]] == "hand10"}
    engine = Engine.from_file(KUMHO)
    made: list[weakref.ref[Ids]] = []
    init = Ids.__init__

    def noted(self: Ids, chunks: Any) -> None:
        init(self, chunks)
        made.append(weakref.ref(self))

    monkeypatch.setattr(Ids, "__init__", noted)
    done = stream_calibration(engine, str(kumho), ["performance", "competency"], "csv", io.StringIO())
    assert done is not None
    gc.collect()
    assert len(made) == 2 and [ref() for ref in made] == [None, None]  # both gradings let go
    for report in done.result.reports:
        assert isinstance(report.groups, ItemSpool) and isinstance(report.problems, ItemSpool)
        groups = {describe_key(g.key): g for g in report.groups}
        missing = groups["(org=hand10, role_grade=K4)"].missing
        assert len(hand10) == 10 and len(missing) == 10 and set(missing) == hand10
        assert type(missing) is tuple and all(type(m) is str for m in missing)
        for group in report.groups:
            assert len(group.missing) == group.size


def test_a_person_is_kept_as_a_compact_row(kumho: Path) -> None:
    """Per distribution: id, score, proposed and final grade, reason, then the group and tie
    fields only (the whole-file run kept every field and formula value of everyone)."""
    engine = Engine.from_file(KUMHO)
    calibrating = Calibrating(engine, ["performance"], {})
    data = engine.source.data
    population = engine.read(str(kumho))
    for record in population.employees[:3]:
        calibrating.add(record)
    seats = calibrating.seats[0]
    assert seats.kept == ("org", "role_grade", "competency_score")  # the id is the row's own
    assert len(seats.rows) == 3
    person = population.employees[0]
    row = next(iter(seats.rows))
    absent = Ellipsis  # no evaluations in a table: no proposed or final grade, no reason
    assert row[0] == person.id and row[2:5] == (absent, absent, absent)
    assert row[5:7] == (person.fields["org"], person.fields["role_grade"])
    assert len(row) == 8 and data["distributions"]["performance"]["score"] == "performance_score"
    # packed: the score a scaled integer, the grades and the group fields text codes
    kinds = [column.kind for column in seats.rows.freeze().columns.values()]
    assert kinds == ["number", "text", "text", "text", "text", "text", "number"]


def test_interleaved_rows_are_read_whole_with_the_same_bytes(
    kumho: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = csv_rows(kumho)
    moved = next(i for i, r in enumerate(rows) if r[0] == "H0000003")
    rows.append(rows.pop(moved))  # one of H0000003's rows at the very end
    path = tmp_path / "interleaved.csv"
    write_csv(path, rows)
    engine = Engine.from_file(KUMHO)
    assert stream_calibration(engine, str(path), ["performance"], "json", io.StringIO()) is None
    for fmt in ("json", "text"):
        out = tmp_path / f"r.{fmt}"
        streamed = _cli(KUMHO, path, fmt, out, whole=False, mp=monkeypatch)
        assert streamed == _cli(KUMHO, path, fmt, out, whole=True, mp=monkeypatch)
        assert "H0000003" in streamed[3].decode("utf-8")


def test_every_records_file_is_streamed_a_csv_file_in_any_encoding() -> None:
    assert streamable("a.csv", None, None) and streamable("A.CSV", None, None)
    assert streamable("a.csv", "cp949", None)  # (tests/test_encoding_commands.py runs it)
    for name in ("a.yaml", "a.YML", "a.json", "a.xlsx"):
        assert streamable(name, None, None)
    assert streamable("a.xlsx", None, "Sheet2")
    assert not streamable("a.json", None, "Sheet2") and not streamable("a.xlsx", "cp949", None)
    assert not streamable("a.txt", None, None)


def test_a_failure_late_in_the_file_writes_nothing(japan: Path, tmp_path: Path) -> None:
    bad = tmp_path / "late.csv"
    bad.write_bytes(japan.read_bytes() + b"E999999,\xff\xfe,general\r\n")
    out = tmp_path / "out.json"
    out.write_text("before\n", encoding="utf-8")
    line = len(japan.read_bytes().splitlines()) + 1
    for args in (["--format", "json", "-o", str(out)], ["--format", "text"]):
        result = CliRunner().invoke(cli, ["calibrate", JAPAN, str(bad), *args])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            f"hrpolicy: {bad}: line {line} is not UTF-8 text (byte 0xff); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')\n"
        )
    assert out.read_text(encoding="utf-8") == "before\n"  # left as it was
    assert sorted(os.listdir(tmp_path)) == ["late.csv", "out.json"]  # no temporary file left


def test_the_stream_holds_one_employee_record_at_a_time(kumho: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted while the stream runs: the records read are let go once calibrated (the whole-file
    run holds all 299 of them)."""
    alive: list[int] = []
    add = Calibrating.add

    def records() -> int:
        return sum(1 for o in gc.get_objects() if type(o) is EmployeeRecord)

    def counting(self: Calibrating, record: EmployeeRecord) -> Any:
        if self.count % 50 == 49:
            alive.append(records() - before)
        return add(self, record)

    gc.collect()
    before = records()  # what earlier tests still hold

    monkeypatch.setattr(Calibrating, "add", counting)
    engine = Engine.from_file(KUMHO)
    assert stream_calibration(engine, str(kumho), ["performance"], "json", io.StringIO()) is not None
    assert alive == [1] * 5  # the one being calibrated
    population = engine.read(str(kumho))
    assert records() - before >= len(population.employees) == 299


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["kumho", "japan"])
def test_problems_spooled_to_a_file_give_the_same_bytes_and_leave_no_file(
    which: str, fmt: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spool threshold of 3 problems (a temp file from the third) gives the bytes of the
    default (everything in memory here), streamed and read whole; every temp file made is
    closed afterwards and nothing is left in the temp folder."""
    data = request.getfixturevalue(which)
    policy = KUMHO if which == "kumho" else JAPAN
    out = tmp_path / f"out.{fmt}"
    default = _cli(policy, data, fmt, out, whole=False, mp=monkeypatch)
    temp = tmp_path / "temp"
    temp.mkdir()
    made: list[Any] = []
    real = tempfile.TemporaryFile

    def tracked(*args: Any, **kwargs: Any) -> Any:
        handle = real(*args, **kwargs)
        if kwargs.get("prefix") == "hrpolicy-problems-":  # the spool's, not the report's spool
            made.append(handle)
        return handle

    monkeypatch.setattr(spool, "THRESHOLD", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(tempfile, "TemporaryFile", tracked)
    tiny = _cli(policy, data, fmt, out, whole=False, mp=monkeypatch)
    whole = _cli(policy, data, fmt, out, whole=True, mp=monkeypatch)
    assert default[0] == 1 and tiny[:3] == default[:3] and whole[:3] == default[:3]
    if fmt == "xlsx":  # a workbook's zip records the time it was written: compare the cells
        assert workbook_cells(tiny[3]) == workbook_cells(default[3]) == workbook_cells(whole[3])
    else:
        assert tiny[3] == default[3] and whole[3] == default[3]
    assert made and all(handle.closed for handle in made)
    assert list(temp.iterdir()) == []


def test_a_spool_gives_back_its_problems_in_order() -> None:
    """Batches of 2 in the file, the rest in memory; read while adding; emptied when closed."""
    problems = [Problem(f"E{n}", n % 3 or None, "rule", f"message {n}", f"f.csv:row {n}") for n in range(7)]
    with ProblemSpool(problems[:3], threshold=2) as held:
        assert held.spilled == 2 and len(held) == 3 and held
        reading = iter(held)
        assert next(reading) == problems[0]
        held.extend(problems[3:])  # added while reading: the reader is not disturbed
        assert next(reading) == problems[1]
        assert list(held) == problems and held.spilled == 6
        assert held[4] == problems[4] and held[-1] == problems[-1]
        handle = held._file
    assert handle is not None and handle.closed and len(held) == 0 and not held


def test_calibrating_does_not_count_against_the_read_time_bound(
    japan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fake clock that only calibrating moves (10 s an employee: 199 employees are read,
    E000011's bad number keeps it out), under a read bound of 600 s: 1990 s pass and the file
    is read; reading took no time on that clock. Before, the bound counted the calibration too."""
    now = [0.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    monkeypatch.setenv("HRPOLICY_MAX_READ_SECONDS", "600")
    add = Calibrating.add

    def slow(self: Calibrating, record: EmployeeRecord) -> Any:
        now[0] += 10.0
        return add(self, record)

    monkeypatch.setattr(Calibrating, "add", slow)
    result = CliRunner().invoke(cli, ["calibrate", JAPAN, str(japan), "--format", "json"])
    assert now[0] == 1990.0
    # 199 chains without their stages, E000011's bad number, E000007's weights (total and band)
    assert result.exit_code == 1 and result.stderr == (
        "hrpolicy: calibration failed: 0 group(s) outside quota, 0 person(s) not graded, 202 problem(s)\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_late_in_the_file_leaves_no_report_and_no_spool(
    fmt: str, japan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The problems of the 200 employees before a line that is not UTF-8 went to spool files (a
    threshold of 3); the run fails (exit 2), the output is left as it was, every spool file made
    is closed and the temp folder is empty."""
    bad = tmp_path / "late.csv"
    bad.write_bytes(japan.read_bytes() + b"E999999,\xff\xfe,general\r\n")
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(b"before\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    made: list[Any] = []
    real = tempfile.TemporaryFile

    def tracked(*args: Any, **kwargs: Any) -> Any:
        handle = real(*args, **kwargs)
        made.append(handle)
        return handle

    monkeypatch.setattr(spool, "THRESHOLD", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(tempfile, "TemporaryFile", tracked)
    result = CliRunner().invoke(cli, ["calibrate", JAPAN, str(bad), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 2 and "is not UTF-8 text" in result.stderr
    assert out.read_bytes() == b"before\n"
    assert sorted(os.listdir(tmp_path)) == ["late.csv", f"out.{fmt}", "temp"]
    assert len(made) >= 2 and all(handle.closed for handle in made)
    assert list(temp.iterdir()) == []


def test_the_json_frame_lists_the_people_not_graded_a_problem_at_a_time(kumho: Path) -> None:
    """Each distribution's ``not_graded`` list comes an item at a time, as its groups do (it
    was in the report's head, one list naming every person not graded: some 15 bytes a person
    of 400,000 kumho employees; bench/RESULTS.md)."""
    engine = Engine.from_file(KUMHO)
    done = stream_calibration(engine, str(kumho), ["performance", "competency"], "json", io.StringIO())
    assert done is not None
    problems = [p for report in done.result.reports for p in report.problems]
    assert len(problems) == 30 and {p.rule for p in problems} == {"distribution-unknown-org"}
    pieces = list(frame("json", done.result, reviews=True))
    counts = [piece.count('"rule": "distribution-unknown-org"') for piece in pieces]
    assert max(counts) == 1 and sum(counts) == 30 and counts[0] == 0
