"""``hrpolicy pay``: merit raises, the incentive pool and its shares, promotion points.

Reads the policy and the data file (:mod:`engine.io.payfile`),
computes every section the policy's ``pay`` declares (:func:`engine.pay.build_pay_report`),
renders (:mod:`engine.report.pay`); a problem with one employee is reported with its id and
line:col and the others go on (exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.commands.common import Echo, Reading, check_output, deliver_report, finish, guard_output
from engine.errors import UsageError
from engine.evaluate import EmployeeResult, Engine
from engine.evaluate.each import evaluate_each
from engine.evaluate.parameters import parameters_read, pay_texts, require_parameters
from engine.io.datafile import TableReading
from engine.io.fields import check_mapping
from engine.io.model import EmployeeRecord, compile_inputs
from engine.io.payfile import read_pay_file
from engine.pay import build_pay_report
from engine.report import renderer
from engine.report.labels import Labels
from engine.report.options import ReportOptions
from engine.report.pay import RENDERERS
from engine.report.results import format_problem
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
    ``records`` (``--records``) a records file whose goal sheets are evaluated for the bonus.
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
    evaluated = _evaluated(policy_path, records, how.encoding, overrides, echo) if records else None
    table = TableReading(how.encoding, how.sheet)
    data = read_pay_file(policy.data, data_path, table)
    for note in table.notes:
        echo(f"hrpolicy: note: {note}", err=True)
    report = build_pay_report(str(policy.data["metadata"]["id"]), data, base_rate, overrides, evaluated)
    read = parameters_read(policy.data, pay_texts(policy.data))
    require_parameters(policy.data, read, report.parameters)
    deliver_report(RENDERERS, fmt, report, output, echo, options or ReportOptions(), policy.data)
    labels = Labels(policy.data, (options or ReportOptions()).lang)
    return finish(report.problems, report.employees, "employees", fmt, echo, labels)


def _evaluated(
    policy_path: str, records: str, encoding: str | None, overrides: Mapping[str, Any], echo: Echo
) -> dict[str, Mapping[str, Any] | str]:
    """Employee id -> the employee formulas' values and grades of the evaluated goal sheet in
    ``records``, or the first problem that kept the employee from being evaluated.

    The records are read as ``evaluate`` reads them: in ``encoding`` (None: detected) with the
    ``--param`` values; their warnings (e.g. a desirable plan missing) and the file's own problems
    (an unknown column) go to stderr. ``--sheet``
    names the pay file's sheet, not the records'."""
    engine = Engine.from_file(policy_path)
    formulas = set(engine.policy.employee_names)

    def kept(_: EmployeeRecord, result: EmployeeResult) -> tuple[str, dict[str, Any]]:
        values: dict[str, Any] = {k: v for k, v in result.values.items() if k in formulas}
        values.update({name: g.band.grade for name, g in result.grades.items() if g.band is not None})
        return result.id, values

    # A CSV file is read an employee at a time: only these values are kept of each.
    outcome, results, _ = evaluate_each(engine, records, kept, overrides or None, encoding=encoding)
    for warning in outcome.warnings:
        echo(f"hrpolicy: {format_problem(warning, 'warning')}", err=True)
    found: dict[str, Mapping[str, Any] | str] = dict(results)
    for problem in outcome.problems:
        if problem.employee_id is None:  # the file's own (an unknown column): no employee to blame
            echo(f"hrpolicy: {format_problem(problem)}", err=True)
        elif problem.employee_id not in found:
            found[problem.employee_id] = f"{records}: [{problem.rule}] {problem.message}"
    return found
