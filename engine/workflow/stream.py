"""A ``workflow`` table (a CSV file or a workbook) checked a record at a time: the rows are read
once (:func:`engine.io.tabledoc.stream_table_document`), each notice's line is made as it is
read, each objection and goal change waits on disk for its employee's others, then each
employee's are checked together (:mod:`engine.workflow.checker`); the lines are read back from
disk in file order as the report is written (:class:`engine.workflow.collect.StreamedReport`).
Memory holds one employee's records, not the file's: the rows may come in any order.

A YAML or JSON file is read the same way, a record of its ``notices``, ``objections`` and
``goal_changes`` lists at a time (:func:`engine.io.yamllists.stream_lists_document`: the loader's
own values and line marks), by :func:`stream_workflow_document`.

The report, its problems and its errors are those of the whole read
(:func:`engine.workflow.run.build_workflow_report` over
:func:`engine.io.datafile.read_data_file`), whatever the order of the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from engine.errors import DataError, UsageError
from engine.io.csvfile import Progress
from engine.io.datafile import DataDocument, TableReading, need_list, unknown_keys, where
from engine.io.model import ReadWhole
from engine.io.tabledoc import stream_table_document
from engine.io.yamllists import is_streamed, stream_lists_document
from engine.workflow.checker import TOP, Checker
from engine.workflow.collect import OnDisk, StreamedReport
from engine.workflow.records import TOP_KEYS, WORKFLOW_LISTS
from engine.workflow.run import LIST_ORDER


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


def stream_workflow_document(
    policy_id: str, policy: Mapping[str, Any], path: str, today: date | None = None
) -> StreamedReport:
    """The report of the YAML or JSON file at ``path``, its records read one at a time and its
    lines on disk until the report's ``store`` is closed: the report, problems and errors of
    :func:`engine.workflow.run.build_workflow_report` over the whole read. Raises
    :class:`ReadWhole` when the file must be read whole (the whole read then reports it or
    reads it)."""
    opened = stream_lists_document(path, WORKFLOW_LISTS)
    if opened is None:
        raise ReadWhole("not streamed")
    doc, records = opened
    store = OnDisk()
    try:
        checker = Checker(policy, doc, today, store, keep=True)
        for key, index, record in records:
            checker.take(key, index, record)
        _check_top(doc, checker, store)
        checker.check_held()
        checker.raise_first(key for key in doc.data if key in LIST_ORDER)
        return store.report(policy_id, doc.file, today)
    except BaseException:
        store.close()
        raise


def _check_top(doc: DataDocument, checker: Checker, store: OnDisk) -> None:
    """What the whole read checks of the file's top level before its records (here once every
    record is read: none of it depends on them, and their errors wait for :meth:`raise_first`)."""
    data = doc.data
    if not any(key in data for key in WORKFLOW_LISTS):
        raise DataError(f"{where(doc, ())}: the file has no 'notices', 'objections' or 'goal_changes' list")
    store.problems(TOP, (d.about("file") for d in unknown_keys(doc, (), data, TOP_KEYS, "the file")))
    if ("notices" in data or "objections" in data) and not checker.declared:
        raise UsageError("the policy declares no workflows.objections: objections cannot be checked")
    for key in WORKFLOW_LISTS:
        if key in data and not is_streamed(data[key]):
            try:
                need_list(doc, (key,), data[key], key)
            except DataError as exc:
                checker.fail((LIST_ORDER[key], -1), exc)
