"""``hrpolicy workflow`` over a table read a record at a time (engine/workflow/stream.py): the
whole read's bytes in every format, whatever the order of the rows, an employee's objections
checked together however far apart the file has them, the whole read's error and nothing
written when a record is bad; and the file is never read whole.

The whole read is main's path (a YAML or JSON file streamed: test_workflow_documents.py):
``read_data_file`` (the table read into one document), ``build_workflow_report``,
``deliver_report`` with the registry's renderers.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pytest
from helpers import Echo

import engine.commands.workflow as command
import engine.io.spool as spool
from engine.commands.common import deliver_report, finish
from engine.commands.workflow import run_workflow
from engine.errors import DataError
from engine.io.datafile import TableReading, read_data_file
from engine.io.tabledoc import read_table_document
from engine.provenance import stamp_of
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.workflow import RENDERERS, render_csv, write_report
from engine.report.xlsx import diagnostic_rows, xlsx_renderer
from engine.validate import load_policy
from engine.workflow import build_workflow_report
from engine.workflow.checker import Checker
from engine.workflow.collect import OnDisk
from engine.workflow.records import WORKFLOW_LISTS

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
HEADER = "record,employee,name,period,round,notice,filed,indicators[]\n"
FORMATS = ("text", "json", "csv", "html", "xlsx")
SUFFIX = {"text": "txt", "json": "json", "csv": "csv", "html": "html", "xlsx": "xlsx"}


def _rows(count: int, seed: int) -> list[str]:
    """``count`` employees' rows (under :data:`MEMO_HEADER`) as bench/gen_workflow.py makes them,
    with notices on several days and objections in both rounds, some late, some filed before
    the notice, some a round 2 without a round 1; one row in eleven with an unknown ``memo``."""
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        who = f"K{n:05d}"
        notice = rng.choice(["2027-02-03", "2027-02-01", "2026-07-16", "2027-01-29"])
        period = "midterm" if notice.startswith("2026") else "final"
        memo = "checked" if n % 11 == 0 else ""
        if n % 7:
            rows.append(f"notice,{who},김민준,{period},1,{notice},,,{memo}\n")
            continue
        filed = rng.choice(["2027-02-09", "2027-02-15", "2026-07-21", "2027-01-20"])
        both = '"mgmt_kpi_tracking, work_improvement"'
        rows.append(f"objection,{who},이서연,{period},1,{notice},{filed},{both},{memo}\n")
        if n % 3 == 0:
            rows.append(f"objection,{who},이서연,{period},2,{notice},{filed},work_improvement,\n")
        if n % 5 == 0:  # round 2 with no round 1 on that indicator
            rows.append(f"objection,{who},이서연,{period},2,{notice},{filed},long_term_plan,{memo}\n")
    return rows


MEMO_HEADER = HEADER.replace("\n", ",memo\n")


def _write(path: Path, rows: list[str], header: str = HEADER) -> str:
    path.write_text(header + "".join(rows), encoding="utf-8")
    return str(path)


def _whole(data: str, fmt: str, out: Path, options: ReportOptions) -> tuple[int, Echo]:
    """Main's path: the table read whole, checked whole, rendered by the registry."""
    policy = load_policy(KEPCO)
    doc = read_data_file(data, WORKFLOW_LISTS, table=TableReading())
    report = build_workflow_report(str(policy.data["metadata"]["id"]), policy.data, doc, None)
    echo = Echo()
    deliver_report(RENDERERS, fmt, report, str(out), echo, options, policy.data)
    labels = Labels(policy.data, options.lang)
    finish(report.all_problems(), report.employees(), "employees", fmt, echo, labels)
    return len(report.all_problems()), echo


def _streamed(data: str, fmt: str, out: Path, options: ReportOptions) -> tuple[int, Echo]:
    echo = Echo()
    return run_workflow(KEPCO, data, fmt, str(out), echo, None, options), echo


def _content(path: Path, fmt: str) -> Any:
    """The file's bytes; a workbook's parts but its creation time (openpyxl stamps the clock)."""
    if fmt != "xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.fixture
def refuse_whole_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command may not read a table whole (nor the tables' whole reader be called)."""

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(command, "read_data_file", refused)
    monkeypatch.setattr("engine.io.datafile.read_table_document", refused)


@pytest.mark.parametrize("shuffled", [False, True], ids=["ordered", "shuffled"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_table_streamed_gives_the_whole_reads_bytes(
    tmp_path: Path, fmt: str, shuffled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(400, seed=12)
    if shuffled:
        random.Random(7).shuffle(rows)
    data = _write(tmp_path / "records.csv", rows, MEMO_HEADER)
    options = ReportOptions(lang="ko") if fmt in ("text", "csv") else ReportOptions()
    whole_out, streamed_out = tmp_path / f"whole.{SUFFIX[fmt]}", tmp_path / f"streamed.{SUFFIX[fmt]}"
    problems, whole_echo = _whole(data, fmt, whole_out, options)
    monkeypatch.setattr(spool, "THRESHOLD", 16)  # the spools spill to their files
    monkeypatch.setattr(command, "read_data_file", lambda *_, **__: pytest.fail("read whole"))
    code, echo = _streamed(data, fmt, streamed_out, options)
    assert problems > 50 and code == 1
    if fmt == "json":  # the unknown column: a problem of each record that fills it, in the file's order
        unknown = [
            p
            for p in json.loads(streamed_out.read_text(encoding="utf-8"))["problems"]
            if p["rule"] == "data-unknown-key"
        ]
        # 36 employees (11, 22, ... 396) fill it once; K00385 (5 x 7 x 11) on two objection rows
        assert len(unknown) == 37
    assert _content(streamed_out, fmt) == _content(whole_out, fmt)
    # every problem (but in text, which shows them), then how many of the 400 employees have one
    assert echo.stderr == whole_echo.stderr


def test_an_employees_rounds_far_apart_are_checked_together(tmp_path: Path, refuse_whole_read: None) -> None:
    """K009's round 2 comes 3,000 rows before its round 1 (filed earlier): in order. K010's round 2
    has no round 1 anywhere: out of order. K011's round 1 on long_term_plan is filed again 3,000
    rows on: a duplicate. Windows (kepco: 5 working days): notice Thu 2026-07-16 -> Fri 2026-07-24
    (Fri 17 제헌절, Sat 18 / Sun 19 weekend), notice Mon 2026-07-27 -> Mon 2026-08-03."""
    notices = [f"notice,K1{n:05d},김민준,final,1,2027-02-03,,\n" for n in range(3000)]
    rows = [
        "objection,K009,한지민,midterm,2,2026-07-27,2026-07-29,mgmt_eval_response\n",  # row 2
        "objection,K010,서도윤,midterm,2,2026-07-27,2026-07-29,mgmt_eval_response\n",  # row 3
        "objection,K011,오하은,midterm,1,2026-07-16,2026-07-21,long_term_plan\n",  # row 4
        *notices,  # rows 5 - 3004
        "objection,K011,오하은,midterm,1,2026-07-16,2026-07-22,long_term_plan\n",  # row 3005
        "objection,K009,한지민,midterm,1,2026-07-16,2026-07-21,mgmt_eval_response\n",  # row 3006
    ]
    data = _write(tmp_path / "far.csv", rows)
    out = tmp_path / "out.json"
    echo = Echo()
    assert run_workflow(KEPCO, data, "json", str(out), echo, "2026-07-30") == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["notices"]) == 3000
    objections = [(o["employee"], o["round"], o["deadline"], o["status"]) for o in report["objections"]]
    assert objections == [
        ("K009", 2, "2026-08-03", "in time"),
        ("K010", 2, "2026-08-03", "in time"),
        ("K011", 1, "2026-07-24", "in time"),
        ("K011", 1, "2026-07-24", "in time"),
        ("K009", 1, "2026-07-24", "in time"),
    ]
    found = [(p["line"], p["col"], p["subject"], p["rule"], p["message"]) for p in report["problems"]]
    assert found == [  # at the indicator named (column 8 of its row)
        (
            3,
            8,
            "K010",
            "objection-round-order",
            "round 2 on indicator mgmt_eval_response without an earlier round 1",
        ),
        (3005, 8, "K011", "objection-duplicate", "round 1 on indicator long_term_plan was already filed"),
    ]
    assert echo.stderr.endswith(
        "hrpolicy: 2 problems, 2 of 3003 employees affected; see the problems above\n"
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # A notice's bad date (row 53) is met before an objection's (row 52): notices come first.
        (
            [
                "objection,K001,김민준,final,1,2027-02-03,2027-02-31,\n",
                "notice,K002,이서연,final,1,2027-13-03,,\n",
            ],
            "{data}:53:1: notice: '2027-13-03' is not a date (YYYY-MM-DD)",
        ),
        # A row the reader refuses, even after a bad record: the file is read before it is checked.
        (
            ["notice,K002,이서연,final,1,2027-13-03,,\n", "memo,K003,박지훈,final,1,2027-02-03,,\n"],
            "{data}:53:1: record 'memo' is not one of notices, objections, goal_changes",
        ),
    ],
)
def test_a_bad_record_is_the_whole_reads_error_and_nothing_is_written(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    data = _write(
        tmp_path / "bad.csv", [f"notice,K{n:04d},김민준,final,1,2027-02-03,,\n" for n in range(50)] + rows
    )
    out = tmp_path / "out.csv"
    out.write_text("before\n", encoding="utf-8")
    with pytest.raises(DataError) as whole:
        read = read_data_file(data, WORKFLOW_LISTS, table=TableReading())
        build_workflow_report("kepco_like", load_policy(KEPCO).data, read)
    with pytest.raises(DataError) as streamed:
        run_workflow(KEPCO, data, "csv", str(out), Echo())
    assert str(streamed.value) == str(whole.value) == message.format(data=data)
    assert out.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out.csv"]


def test_the_command_never_reads_a_table_whole(tmp_path: Path, refuse_whole_read: None) -> None:
    data = _write(tmp_path / "records.csv", _rows(300, seed=3), MEMO_HEADER)
    for fmt in FORMATS:
        code, _ = _streamed(data, fmt, tmp_path / f"out.{SUFFIX[fmt]}", ReportOptions())
        assert code == 1


def test_goal_changes_held_on_disk_give_the_whole_reads_report(tmp_path: Path) -> None:
    """A table cannot hold a goal change's goal lines, so the example's YAML records go through
    the disk store here, the lists interleaved as a stream could give them: the whole read's
    report in every format (goal changes with their history, targets, located problems)."""
    policy = load_policy(KEPCO).data
    example = str(ROOT / "examples" / "kepco_like" / "workflow.yaml")
    doc = read_data_file(example, WORKFLOW_LISTS)
    whole = build_workflow_report("kepco_like", policy, doc, date(2027, 2, 10))
    store = OnDisk()
    checker = Checker(policy, doc, date(2027, 2, 10), store, keep=True)
    records = [(key, i, r) for key in WORKFLOW_LISTS for i, r in enumerate(doc.data.get(key, []))]
    # each list in its order (as a stream gives them), the lists interleaved, goal changes last
    for key, i, record in sorted(records, key=lambda k: (k[1], -WORKFLOW_LISTS.index(k[0]))):
        checker.take(key, i, record)
    checker.check_held()
    checker.raise_first(checker.met)
    streamed = store.report("kepco_like", doc.file, date(2027, 2, 10))
    try:
        assert len(whole.changes) == len(whole.targets) == 3 and whole.all_problems()
        for fmt in ("text", "json", "csv", "html"):
            labels = Labels(policy, "ko" if fmt in ("text", "html") else None)
            assert _render(streamed, fmt, labels) == _render(whole, fmt, labels)
        assert len(streamed.employees()) == len(whole.employees())
    finally:
        store.close()


def _render(report: Any, fmt: str, labels: Labels) -> str:
    out = io.StringIO()
    write_report(report, fmt, labels, ReportOptions(), (), out)
    return out.getvalue()


def test_the_workbook_is_the_generic_csv_workbook(tmp_path: Path) -> None:
    """The workbook written a row at a time is the one the generic renderer made of the whole CSV
    report (``xlsx_renderer``, the registry's entry before; quadratic in the rows)."""
    data = _write(tmp_path / "records.csv", _rows(300, seed=5), MEMO_HEADER)
    policy = load_policy(KEPCO).data
    report = build_workflow_report(
        "kepco_like", policy, read_data_file(data, WORKFLOW_LISTS, table=TableReading())
    )
    labels = Labels(policy, "ko")
    options = ReportOptions(stamps=(stamp_of(policy),))
    generic = xlsx_renderer(render_csv, lambda r: diagnostic_rows(r.all_problems()))(report, labels, options)
    (tmp_path / "generic.xlsx").write_bytes(generic)
    assert run_workflow(KEPCO, data, "xlsx", str(tmp_path / "streamed.xlsx"), Echo()) == 1
    assert _content(tmp_path / "streamed.xlsx", "xlsx") == _content(tmp_path / "generic.xlsx", "xlsx")


def test_a_workbook_streamed_gives_the_whole_reads_bytes(tmp_path: Path, refuse_whole_read: None) -> None:
    """The records on a workbook's sheet (rows shuffled) are read a row at a time too."""
    from openpyxl import Workbook

    rows = _rows(200, seed=9)
    random.Random(3).shuffle(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in csv.reader(io.StringIO(MEMO_HEADER + "".join(rows))):
        sheet.append(line)
    data = tmp_path / "records.xlsx"
    book.save(data)
    out = tmp_path / "streamed.json"
    assert run_workflow(KEPCO, str(data), "json", str(out), Echo()) == 1
    policy = load_policy(KEPCO).data
    whole = build_workflow_report("kepco_like", policy, read_table_document(str(data), WORKFLOW_LISTS))
    assert out.read_text(encoding="utf-8") == stamped("json", (stamp_of(policy),), RENDERERS["json"](whole))
