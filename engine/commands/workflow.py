"""``hrpolicy workflow``: objection deadlines and checks of objection and goal-change records.

Reads the policy and the data file (:mod:`engine.io.datafile`, :mod:`engine.workflow.records`),
checks every record (:func:`engine.workflow.build_workflow_report`), renders
(:mod:`engine.report.workflow`). A file that cannot be read, or a record that lacks a field or
has a malformed date or number, is a :class:`DataError` (exit 2); a broken workflow rule is a
located problem with a rule id, the other records are still checked, and the exit code is 1.
"""

from __future__ import annotations

from engine.commands.common import Echo, Reading, check_output, deliver_report, finish, guard_output
from engine.errors import DataError, UsageError
from engine.io.datafile import TableReading, read_data_file
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.workflow import RENDERERS
from engine.validate import load_policy
from engine.workflow import as_date, build_workflow_report
from engine.workflow.records import WORKFLOW_LISTS


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
    file that is a CSV file or a workbook of notices and objections (``--encoding``, ``--sheet``).
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
    doc = read_data_file(data_path, WORKFLOW_LISTS, table=table)
    for note in table.notes:
        echo(f"hrpolicy: note: {note}", err=True)
    report = build_workflow_report(str(policy.data["metadata"]["id"]), policy.data, doc, day)
    deliver_report(RENDERERS, fmt, report, output, echo, options or ReportOptions(), policy.data)
    labels = Labels(policy.data, (options or ReportOptions()).lang)
    return finish(report.all_problems(), report.employees(), "employees", fmt, echo, labels)
