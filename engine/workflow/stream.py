"""A ``workflow`` table (a CSV file or a workbook) checked a record at a time: the rows are read
once (:func:`engine.io.tabledoc.stream_table_document`), each notice's line is made as it is
read, each objection and goal change waits on disk for its employee's others, then each
employee's are checked together (:mod:`engine.workflow.checker`); the lines are read back from
disk in file order as the report is written (:class:`engine.workflow.collect.StreamedReport`).
Memory holds one employee's records, not the file's: the rows may come in any order.

The report, its problems and its errors are those of the whole read
(:func:`engine.workflow.run.build_workflow_report` over
:func:`engine.io.datafile.read_data_file`), whatever the order of the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from engine.errors import DataError
from engine.io.csvfile import Progress
from engine.io.datafile import TableReading, where
from engine.io.tabledoc import stream_table_document
from engine.workflow.checker import Checker
from engine.workflow.collect import OnDisk, StreamedReport
from engine.workflow.records import WORKFLOW_LISTS


def stream_workflow_report(
    policy_id: str,
    policy: Mapping[str, Any],
    path: str,
    table: TableReading,
    today: date | None = None,
    read: Callable[[], None] = lambda: None,
    progress: Progress | None = None,
) -> StreamedReport:
    """The report of the table at ``path`` (read as ``table`` says), its lines on disk until the
    report's ``store`` is closed. ``read`` is called once every row is read (before any error of
    the checks is raised), as the whole read's caller goes on once the file is read;
    ``progress`` is told the bytes and rows read."""
    doc, records = stream_table_document(
        path, WORKFLOW_LISTS, table.sections, encoding=table.encoding, sheet=table.sheet, notes=table.notes,
        progress=progress,
    )  # fmt: skip
    store = OnDisk()
    try:
        checker = Checker(policy, doc, today, store, keep=True)
        for key, index, record in records:
            checker.take(key, index, record)
        read()
        if not checker.met:
            raise DataError(
                f"{where(doc, ())}: the file has no 'notices', 'objections' or 'goal_changes' list"
            )
        checker.raise_first(checker.met)  # (a policy without objections: before any check)
        checker.check_held()
        checker.raise_first(checker.met)
        return store.report(policy_id, doc.file, today)
    except BaseException:
        store.close()
        raise
