"""``hrpolicy workflow``: objection deadlines and checks of objection and goal-change records.

Reads the policy and the data file, checks every record and renders
(:mod:`engine.report.workflow`). A table (a CSV file or a workbook) is read a record at a time
(:func:`engine.workflow.stream.stream_workflow_report`: each employee's objections and goal
changes wait on disk for each other, the lines are read back from disk as the report is
written), and so is a YAML or JSON file, a record of its lists at a time
(:func:`engine.workflow.stream.stream_workflow_document`); where that stream gives up (a problem
only the whole read reports), or fails on a file the whole read can read (no bigger than
:data:`~engine.limits.MAX_YAML_BYTES`), the file is read whole
(:func:`engine.workflow.build_workflow_report`): the same report, or the whole read's error.
A file that cannot be read, or a record that lacks a field or has a malformed date or number, is
a :class:`DataError` (exit 2); a broken workflow rule is a located problem with a rule id, the
other records are still checked, and the exit code is 1. Nothing is written when the run fails.
"""

from __future__ import annotations

import os
from typing import Any

from engine.commands.common import Echo, Reading, check_output, deliver_in_pieces, finish, guard_output
from engine.errors import DataError, HRPolicyError, UsageError
from engine.io.datafile import DATA_SUFFIXES, TableReading, read_data_file
from engine.io.model import ReadWhole
from engine.io.tabledoc import TABLE_SUFFIXES
from engine.limits import MAX_YAML_BYTES
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.workflow import RENDERERS, write_report, write_workbook
from engine.validate import load_policy
from engine.workflow import as_date, build_workflow_report
from engine.workflow.records import WORKFLOW_LISTS
from engine.workflow.stream import stream_workflow_document, stream_workflow_report


def run_workflow(
    policy_path: str,
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    today: str | None = None,
    options: ReportOptions | None = None,
    reading: Reading | None = None,
) -> int:
    """Check the workflow records in ``data_path`` under ``policy_path``; report as ``fmt``.

    ``today`` (``--today``, YYYY-MM-DD) says which notices' windows are still open. Returns 0
    when every record is acceptable, 1 otherwise; raises :class:`DataError`/:class:`UsageError`
    for an unreadable file or a policy without ``workflows``. ``reading``: how to read a data
    file that is a CSV file or a workbook of notices and objections (``--encoding``, ``--sheet``),
    and where to draw a progress bar while a table is read.
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    try:
        day = None if today is None else as_date(today, "--today")
    except DataError as exc:
        raise UsageError(str(exc)) from None
    check_output(output, fmt)
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("workflows"):
        raise UsageError(f"{policy_path}: the policy declares no workflows section")
    how = reading or Reading()
    table = TableReading(how.encoding, how.sheet)

    bar = how.bar(data_path) if data_path.lower().endswith(TABLE_SUFFIXES) else None

    def notes() -> None:
        if bar is not None:
            bar.finish()  # the file read: the notes, the checks' problems and the report follow
        for note in table.notes:
            echo(f"hrpolicy: note: {note}", err=True)

    policy_id = str(policy.data["metadata"]["id"])
    report: Any
    if data_path.lower().endswith(TABLE_SUFFIXES):
        report = stream_workflow_report(policy_id, policy.data, data_path, table, day, notes, bar)
    else:
        report = _document_report(policy_id, policy.data, data_path, table, day)
        notes()
    options = options or ReportOptions()
    try:
        deliver_in_pieces(report, fmt, output, echo, options, policy.data, write_workbook, write_report)
        labels = Labels(policy.data, options.lang)
        return finish(report.all_problems(), report.employees(), "employees", fmt, echo, labels)
    finally:
        store = getattr(report, "store", None)
        if store is not None:
            store.close()


def _document_report(
    policy_id: str, policy: dict[str, Any], data_path: str, table: TableReading, day: Any
) -> Any:
    """The report of a YAML or JSON file: streamed, else read whole (see the module's text)."""
    if table.encoding is None and table.sheet is None and data_path.lower().endswith(DATA_SUFFIXES):
        try:
            return stream_workflow_document(policy_id, policy, data_path, day)
        except ReadWhole:
            pass
        except HRPolicyError:
            if os.path.getsize(data_path) > MAX_YAML_BYTES:
                raise  # (the whole read refuses the file: the stream's error is the one)
    doc = read_data_file(data_path, WORKFLOW_LISTS, table=table)
    return build_workflow_report(policy_id, policy, doc, day)
