"""``hrpolicy pay``: merit raises, the incentive pool and its shares, promotion points.

Reads the policy and the data file (:mod:`engine.io.payfile`),
computes every section the policy's ``pay`` declares (:func:`engine.pay.build_pay_report`),
renders (:mod:`engine.report.pay`); a problem with one employee is reported with its id and
line:col and the others go on (exit 1).
"""

from __future__ import annotations

from engine.commands.common import Echo, check_output, deliver_report, finish, guard_output
from engine.errors import UsageError
from engine.io.payfile import read_pay_file
from engine.pay import build_pay_report
from engine.report import renderer
from engine.report.options import ReportOptions
from engine.report.pay import RENDERERS
from engine.validate import load_policy


def run_pay(
    policy_path: str,
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    base_rate: str | None = None,
    options: ReportOptions | None = None,
) -> int:
    """Compute pay for the employees in ``data_path`` under ``policy_path``; report as ``fmt``.

    ``base_rate`` (``--base-rate``) overrides the parameter named by ``pay.merit.base_rate``.
    Returns 0 without problems, 1 with any; raises :class:`DataError`/:class:`UsageError` for an
    unreadable file, a policy without ``pay`` or a missing base rate.
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    check_output(output, fmt)
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("pay"):
        raise UsageError(f"{policy_path}: the policy declares no pay section")
    data = read_pay_file(policy.data, data_path)
    report = build_pay_report(str(policy.data["metadata"]["id"]), data, base_rate)
    deliver_report(RENDERERS, fmt, report, output, echo, options or ReportOptions(), policy.data)
    return finish(report.problems, report.employees, "employees", fmt, echo)
