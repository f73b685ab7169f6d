"""``hrpolicy pay``: merit raises, the incentive pool and its shares, promotion points.

Reads the policy and the data file (:mod:`engine.io.payfile`),
computes every section the policy's ``pay`` declares (:func:`engine.pay.build_pay_report`),
renders (:mod:`engine.report.pay`); a problem with one employee is reported with its id and
line:col and the others go on (exit 1).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from engine.commands.common import Echo, Reading, check_output, deliver_in_pieces, finish, guard_output
from engine.errors import HRPolicyError, UsageError
from engine.evaluate import EmployeeResult, Engine
from engine.evaluate.each import evaluate_each
from engine.evaluate.parameters import parameters_read, pay_texts, require_parameters
from engine.io.datafile import DATA_SUFFIXES, TableReading
from engine.io.fields import check_mapping
from engine.io.keyed import IdStore
from engine.io.model import EmployeeRecord, ReadWhole, compile_inputs
from engine.io.payfile import read_pay_file
from engine.limits import MAX_YAML_BYTES
from engine.pay import PayReport, build_pay_report
from engine.provenance import Stamp
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.pay import RENDERERS, write_csv, write_text, write_workbook
from engine.report.payjson import write_json
from engine.report.paylines import Lines
from engine.report.paypage import write_page
from engine.report.progress import ProgressBar
from engine.report.results import format_problem
from engine.report.xlsx import relabel_rows
from engine.validate import load_policy


def _overrides(policy: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, Any]:
    """``--param`` values converted by the policy's parameter declarations; a UsageError if one
    is not declared or does not fit its declaration."""
    rules = compile_inputs(policy.get("inputs") or {}, policy.get("scales") or {}).parameters
    values, issues = check_mapping(given, rules)
    if issues:
        raise UsageError(f"--param: {issues[0].message}")
    return {name: values[name] for name in given}


def run_pay(
    policy_path: str,
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    base_rate: str | None = None,
    options: ReportOptions | None = None,
    params: Mapping[str, str] | None = None,
    reading: Reading | None = None,
    records: str | None = None,
) -> int:
    """Compute pay for the employees in ``data_path`` under ``policy_path``; report as ``fmt``.

    ``base_rate`` (``--base-rate``) overrides the parameter named by ``pay.merit.base_rate``;
    ``params`` (``--param NAME=VALUE``) any declared parameter, over the file's; ``reading``:
    how to read a data file that is a CSV file or a workbook (``--encoding``, ``--sheet``);
    ``records`` (``--records``) a records file whose goal sheets are evaluated for the bonus
    (``reading``'s progress bar drawn while it is read).
    Returns 0 without problems, 1 with any; raises :class:`DataError`/:class:`UsageError` for an
    unreadable file, a policy without ``pay`` or a missing base rate.
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    check_output(output, fmt)
    guard_output(output, [policy_path, data_path, *([records] if records else [])])
    policy = load_policy(policy_path)
    if not policy.data.get("pay"):
        raise UsageError(f"{policy_path}: the policy declares no pay section")
    overrides = _overrides(policy.data, params or {})
    if records is not None and not (policy.data.get("pay") or {}).get("bonus"):
        raise UsageError(f"--records: {policy_path} declares no pay.bonus that reads evaluated results")
    how = reading or Reading()
    evaluated = None
    if records is not None:
        bar = how.bar(records)
        evaluated = _evaluated(policy_path, records, how.encoding, overrides, echo, bar)
    try:
        return _report(
            policy.data, data_path, fmt, output, echo, base_rate, options, how, overrides, evaluated
        )
    finally:
        if evaluated is not None:
            evaluated.store.close()


def _report(
    policy: Mapping[str, Any],
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    base_rate: str | None,
    options: ReportOptions | None,
    how: Reading,
    overrides: Mapping[str, Any],
    evaluated: Mapping[str, Mapping[str, Any] | str] | None,
) -> int:
    """Read the pay file, compute and deliver the report, once the records (if any) are evaluated."""
    table = TableReading(how.encoding, how.sheet)
    report = _built(policy, data_path, table, echo, base_rate, overrides, evaluated)
    read = parameters_read(policy, pay_texts(policy))
    require_parameters(policy, read, report.parameters)
    options = options or ReportOptions()
    deliver_in_pieces(report, fmt, output, echo, options, policy, write_workbook, _write)
    labels = Labels(policy, options.lang)
    return finish(report.problems, report.employees, "employees", fmt, echo, labels)


def _built(
    policy: Mapping[str, Any],
    data_path: str,
    table: TableReading,
    echo: Echo,
    base_rate: str | None,
    overrides: Mapping[str, Any],
    evaluated: Mapping[str, Mapping[str, Any] | str] | None,
) -> PayReport:
    """The pay report over the data file read an employee at a time (a YAML or JSON file too),
    or read whole where its stream gives up: on anything the whole read alone reports
    (:class:`ReadWhole`), and on an error the whole read would find first (a syntax error
    further on) in a file it can read (no bigger than its bound; a bigger one keeps the
    stream's error)."""
    policy_id = str(policy["metadata"]["id"])
    data = read_pay_file(policy, data_path, table, stream=True)
    for note in table.notes:
        echo(f"hrpolicy: note: {note}", err=True)
    try:
        return build_pay_report(policy_id, data, base_rate, overrides, evaluated)
    except ReadWhole:
        pass
    except HRPolicyError:
        if data.records is None or not data.doc.file.lower().endswith(DATA_SUFFIXES):
            raise  # (read whole, or a table: its error is the one)
        if os.path.getsize(data_path) > MAX_YAML_BYTES:
            raise
    data = read_pay_file(policy, data_path)
    return build_pay_report(policy_id, data, base_rate, overrides, evaluated)


def _write(
    report: PayReport, fmt: str, labels: Labels, options: ReportOptions, stamps: Sequence[Stamp], out: IO[str]
) -> None:
    """The text, JSON, CSV or HTML report with the policy's stamps (as :func:`stamped` adds them)."""
    if fmt == "html":
        write_page(report, labels, options, stamps, out.write)
        return
    first = True

    def write(piece: str) -> None:
        nonlocal first
        if first and piece:
            piece, first = stamped(fmt, stamps, piece), False
        out.write(piece)

    if fmt == "csv":
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as raw:
            write_csv(report, raw, labels)
            batched = Lines(write)
            relabel_rows(lambda: _reread(raw), labels, batched)
            batched.flush()
    elif fmt == "text":
        write_text(report, write, labels)
    else:
        write_json(report, write)


def _reread(spool: IO[str]) -> Iterator[list[str]]:
    spool.seek(0)
    return csv.reader(spool)


def _evaluated(
    policy_path: str,
    records: str,
    encoding: str | None,
    overrides: Mapping[str, Any],
    echo: Echo,
    bar: ProgressBar | None = None,
) -> _Evaluated:
    """Employee id -> the employee formulas' values and grades of the evaluated goal sheet in
    ``records``, or the first problem that kept the employee from being evaluated; kept on disk
    (:class:`~engine.io.keyed.IdStore`), whatever the number of employees.

    The records are read as ``evaluate`` reads them: in ``encoding`` (None: detected) with the
    ``--param`` values; their warnings (e.g. a desirable plan missing) and the file's own problems
    (an unknown column) go to stderr. ``--sheet``
    names the pay file's sheet, not the records'."""
    engine = Engine.from_file(policy_path)
    formulas = set(engine.policy.employee_names)
    store = IdStore()
    calls = 0

    def kept(_: EmployeeRecord, result: EmployeeResult) -> None:
        nonlocal calls
        values: dict[str, Any] = {k: v for k, v in result.values.items() if k in formulas}
        values.update({name: g.band.grade for name, g in result.grades.items() if g.band is not None})
        store.put(result.id, (calls, values))
        calls += 1

    # A CSV file is read an employee at a time: only these values are kept of each, on disk.
    outcome, results, _ = evaluate_each(
        engine, records, kept, overrides or None, encoding=encoding, progress=bar
    )
    if bar is not None:
        bar.finish()  # before the records' warnings
    found = _Evaluated(store, calls - len(results))
    for warning in outcome.warnings:
        echo(f"hrpolicy: {format_problem(warning, 'warning')}", err=True)
    for problem in outcome.problems:
        if problem.employee_id is None:  # the file's own (an unknown column): no employee to blame
            echo(f"hrpolicy: {format_problem(problem)}", err=True)
        elif problem.employee_id not in found:
            store.put(problem.employee_id, (calls, f"{records}: [{problem.rule}] {problem.message}"))
    return found


class _Evaluated(Mapping[str, Mapping[str, Any] | str]):
    """The values (or why there are none) by employee id: those kept from the employee ``first``
    on (before it: a streamed read that gave up, read again whole)."""

    def __init__(self, store: IdStore, first: int) -> None:
        self.store, self.first = store, first

    def __getitem__(self, emp: str) -> Mapping[str, Any] | str:
        number, value = self.store[emp]
        if number < self.first:
            raise KeyError(emp)
        return value  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return (emp for emp in self.store if emp in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)
