"""``hrpolicy pay``: merit raises, the incentive pool and its shares, promotion points.

The data file (YAML or JSON, docs/jobeval-and-pay.md "Commands and data formats") holds
``parameters`` (the base rate X, ...), ``company`` (pool inputs and eligibility facts),
optionally ``zone_from`` (which employee fields give the pay grade and salary a zone is found
from), and ``employees``. Every section the policy's ``pay`` declares is computed; a problem with
one employee is reported with its id and line:col and the others go on (exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.commands.common import (
    Echo,
    deliver,
    finish,
    guard_output,
    need_list,
    need_mapping,
    read_data_file,
    unknown_keys,
    where,
)
from engine.errors import DataError, Diagnostic, HRPolicyError, UsageError
from engine.evaluate.parameters import parameters_read, parse_param_options, pay_texts, require_parameters
from engine.formula import table_axes
from engine.io.fields import check_mapping
from engine.io.model import compile_inputs
from engine.loader import MAX_EXPONENT, MAX_NUMBER_CHARS, LoadedDocument
from engine.location import Path
from engine.pay import (
    IncentiveResult,
    PromotionInput,
    PromotionResult,
    compute_incentive,
    individual_values,
    merit_raise,
    promotion_points,
    run_parameters,
    zone_of,
)
from engine.pay.mix import MixResult, mix_targets
from engine.report.jobeval import Problem
from engine.report.pay import RENDERERS, MeritLine, PayReport
from engine.validate import load_policy

TOP_KEYS = frozenset({"policy", "parameters", "company", "zone_from", "employees"})
ZONE_FROM_KEYS = frozenset({"grade", "salary", "field"})
PROMOTION_KEYS = frozenset({"history", "credits", "required_credits"})
#: Employee keys the command reads itself; every other key is a field the policy's formulas read.
RESERVED = frozenset({"id", "name", "promotion"})


@dataclass
class _Run:
    """What one ``pay`` run reads and collects."""

    policy: Mapping[str, Any]
    doc: LoadedDocument
    problems: list[Problem] = field(default_factory=list)

    def problem(
        self, subject: str, path: Path, rule: str, message: str, suggestion: str | None = None
    ) -> None:
        self.problems.append((subject, Diagnostic(self.doc.source.locate(path), rule, message, suggestion)))

    @property
    def pay(self) -> Mapping[str, Any]:
        spec: Mapping[str, Any] = self.policy.get("pay") or {}
        return spec


@dataclass(frozen=True)
class _Employee:
    index: int
    id: str
    fields: dict[str, Any]
    raw: Mapping[str, Any]

    @property
    def path(self) -> Path:
        return ("employees", self.index)


def _number(value: str, what: str) -> Decimal:
    """``value`` as an exact number, bounded like the loader bounds the numbers of a file.

    An exponent such as ``1e-999999`` is a finite Decimal, but a raise computed from it loses
    the base rate's digits (and later roundings fail), so the same limits apply here.
    """
    too_long = len(value.strip()) > MAX_NUMBER_CHARS
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise UsageError(f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise UsageError(f"{what} {value!r} is not a finite number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an integral exponent
    if too_long or abs(exponent) > MAX_EXPONENT or abs(number.adjusted()) > MAX_EXPONENT:
        shown = value if len(value) <= 24 else value[:20] + "..."
        raise UsageError(
            f"{what} {shown!r} is out of range: at most {MAX_NUMBER_CHARS} characters"
            f" and a decimal exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}"
        )
    return number


def _given(run: _Run, overrides: Mapping[str, str]) -> dict[str, Any]:
    """``--param`` values converted by the policy's parameter declarations; a UsageError if one
    is not declared or does not fit its declaration."""
    rules = compile_inputs(run.policy.get("inputs") or {}, run.policy.get("scales") or {}).parameters
    values, issues = check_mapping(overrides, rules)
    if issues:
        raise UsageError(f"--param: {issues[0].message}")
    return values


def _parameters(run: _Run, base_rate: str | None, overrides: Mapping[str, str]) -> dict[str, Any]:
    """The file's ``parameters`` with ``--param`` values over them, and ``--base-rate`` over the
    one ``pay.merit.base_rate`` names."""
    data = run.doc.data
    given = need_mapping(run.doc, ("parameters",), data.get("parameters", {}), "parameters")
    params = run_parameters(run.policy, given)
    overridden = _given(run, overrides)
    params.update({name: overridden[name] for name in overrides if name in overridden})
    merit = run.pay.get("merit")
    if merit is None:
        return params
    name = str(merit["base_rate"])
    if base_rate is not None:
        params[name] = _number(base_rate, "--base-rate")
    if name not in params:
        raise UsageError(
            f"the merit raise needs the base raise rate {name}: give it under 'parameters:' in"
            f" {run.doc.file} or with --base-rate"
        )
    return params


def _employees(run: _Run) -> list[_Employee]:
    data = run.doc.data
    if "employees" not in data:
        raise DataError(f"{where(run.doc, ())}: the file has no 'employees' list")
    found, seen = [], set()
    for index, raw in enumerate(need_list(run.doc, ("employees",), data["employees"], "employees")):
        record = need_mapping(run.doc, ("employees", index), raw, "an employee")
        if record.get("id") is None:
            raise DataError(f"{where(run.doc, ('employees', index))}: an employee needs an 'id'")
        emp = str(record["id"])
        if emp in seen:
            run.problem(
                emp, ("employees", index, "id"), "pay-duplicate-employee", f"employee {emp} appears twice"
            )
        seen.add(emp)
        fields = {k: v for k, v in record.items() if k not in RESERVED}
        found.append(_Employee(index, emp, {**_defaults(run.policy), "id": emp, **fields}, record))
    return found


def _defaults(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The declared defaults of ``inputs.employee`` (a pay file may leave those fields out)."""
    declared = (policy.get("inputs") or {}).get("employee") or {}
    return {name: spec["default"] for name, spec in declared.items() if "default" in spec}


def _zone_field(run: _Run, zone_from: Mapping[str, Any] | None) -> str | None:
    """The field that holds the zone: ``zone_from.field``, else the merit table's axis whose keys
    are the zones of ``pay.ranges.zones``; ``None`` when neither names one.

    Raises :class:`DataError` when ``zone_from`` asks for zones but no field can hold them.
    """
    if zone_from is not None and zone_from.get("field"):
        return str(zone_from["field"])
    zones = [str(z) for z in (run.pay.get("ranges") or {}).get("zones") or []]
    table_name = str((run.pay.get("merit") or {}).get("table"))
    for name, keys in table_axes((run.policy.get("tables") or {}).get(table_name)):
        if zones and set(keys) == set(zones):
            return name
    if zone_from is None:
        return None  # the zone is no key of the merit table: the formula reads the fields as given
    raise DataError(
        f"{where(run.doc, ('zone_from',))}: no axis of table {table_name} (pay.merit.table) has the"
        f" zones of pay.ranges.zones ({', '.join(zones) or 'none declared'}) as its keys, so the"
        " zone found from the salary has no field to go in; name it with zone_from.field"
    )


def _computed_zone(run: _Run, emp: _Employee, zone_from: Mapping[str, Any]) -> tuple[str | None, str]:
    grade_key, salary_key = str(zone_from.get("grade")), str(zone_from.get("salary"))
    grade, salary = emp.fields.get(grade_key), emp.fields.get(salary_key)
    if grade is None or isinstance(salary, bool) or not isinstance(salary, int | Decimal):
        run.problem(
            emp.id,
            emp.path,
            "pay-zone-input",
            f"employee {emp.id}: the zone needs '{grade_key}' and a numeric '{salary_key}'",
        )
        return None, ""
    try:
        zone = zone_of(run.policy, str(grade), Decimal(salary))
    except DataError as exc:
        run.problem(emp.id, (*emp.path, grade_key), "pay-zone-input", f"employee {emp.id}: {exc}")
        return None, ""
    if zone.zone is None:
        run.problem(
            emp.id,
            (*emp.path, salary_key),
            "pay-zone-outside-range",
            f"employee {emp.id}: {zone.explanation}",
        )
    return zone.zone, f"zone from {salary_key} in grade {grade}: {zone.explanation}"


def _zone(
    run: _Run, emp: _Employee, zone_from: Mapping[str, Any] | None, key: str | None
) -> tuple[str | None, str]:
    if key is None:
        return None, ""
    given = emp.fields.get(key)
    if zone_from is None:
        return (str(given), f"zone {given} (given)") if given is not None else (None, "")
    computed, why = _computed_zone(run, emp, zone_from)
    if given is not None and computed is not None and str(given) != computed:
        run.problem(
            emp.id,
            (*emp.path, key),
            "pay-zone-mismatch",
            f"employee {emp.id}: {key} {given} is given, but the salary puts the employee in zone {computed}",
        )
    return (str(given), f"zone {given} (given); {why}") if given is not None else (computed, why)


def _merit(run: _Run, staff: Sequence[_Employee], params: Mapping[str, Any]) -> tuple[MeritLine, ...]:
    data = run.doc.data
    zone_from = None
    if "zone_from" in data:
        zone_from = need_mapping(run.doc, ("zone_from",), data["zone_from"], "zone_from")
        run.problems += [
            ("file", d) for d in unknown_keys(run.doc, ("zone_from",), zone_from, ZONE_FROM_KEYS, "zone_from")
        ]
    key = _zone_field(run, zone_from)
    lines = []
    for emp in staff:
        zone, why = _zone(run, emp, zone_from, key)
        if zone is None and zone_from is not None:
            lines.append(MeritLine(emp.id, None, why, None, ("no merit raise: no zone",)))
            continue
        values = {**emp.fields, key: zone} if key is not None and zone is not None else emp.fields
        try:
            result = merit_raise(run.policy, values, params)
        except UsageError:
            raise
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-merit", f"employee {emp.id}: {exc}")
            lines.append(MeritLine(emp.id, zone, why, None, ()))
            continue
        lines.append(MeritLine(emp.id, zone, why, result.value, result.explanation))
    return tuple(lines)


def _incentive(run: _Run, staff: Sequence[_Employee], params: Mapping[str, Any]) -> IncentiveResult | None:
    """Eligibility, pool and shares; ``None`` (with located problems) when a value cannot be computed."""
    raw = run.doc.data.get("company", {})
    company = {**params, **need_mapping(run.doc, ("company",), raw, "company")}
    ok = True
    for emp in staff:  # one by one, so that a failing formula names its employee
        try:
            individual_values(run.policy, company, [emp.fields])
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-incentive", f"employee {emp.id}: {exc}")
            ok = False
    if not ok:
        return None
    try:
        return compute_incentive(run.policy, company, [emp.fields for emp in staff])
    except HRPolicyError as exc:
        at: Path = ("company",) if "company" in run.doc.data else ()
        run.problem("incentive", at, "pay-incentive", str(exc))
        return None


def _mix(run: _Run, staff: Sequence[_Employee]) -> MixResult | None:
    """Each employee's pay-mix target; an employee without the field is a located problem."""
    fine = []
    for emp in staff:
        try:
            mix_targets(run.policy, [emp.fields])
        except HRPolicyError as exc:
            run.problem(emp.id, emp.path, "pay-mix", str(exc))
            continue
        fine.append(emp.fields)
    return mix_targets(run.policy, fine)


def _credits(run: _Run, emp: _Employee, spec: Mapping[str, Any], key: str) -> Decimal | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        run.problem(
            emp.id,
            (*emp.path, "promotion", key),
            "pay-promotion",
            f"employee {emp.id}: {key} is not a number",
        )
        return None
    return Decimal(value)


def _promotion(run: _Run, staff: Sequence[_Employee]) -> tuple[PromotionResult, ...]:
    found = []
    for emp in staff:
        if "promotion" not in emp.raw:
            continue
        at: Path = (*emp.path, "promotion")
        spec = need_mapping(run.doc, at, emp.raw["promotion"], "promotion")
        run.problems += [(emp.id, d) for d in unknown_keys(run.doc, at, spec, PROMOTION_KEYS, "promotion")]
        history = need_mapping(run.doc, (*at, "history"), spec.get("history", {}), "history")
        person = PromotionInput(
            emp.id,
            {str(year): str(grade) for year, grade in history.items()},
            _credits(run, emp, spec, "credits"),
            _credits(run, emp, spec, "required_credits"),
            emp.fields,
        )
        try:
            found.append(promotion_points(run.policy, person))
        except HRPolicyError as exc:
            run.problem(emp.id, (*at, "history"), "pay-promotion", str(exc))
    return tuple(found)


def build_pay_report(
    policy_id: str,
    policy: Mapping[str, Any],
    doc: LoadedDocument,
    base_rate: str | None,
    overrides: Mapping[str, str] | None = None,
) -> PayReport:
    """Every pay section the policy declares, over a loaded data file (``overrides``: the
    ``--param NAME=VALUE`` values, converted as the policy declares them, over the file's)."""
    run = _Run(policy, doc)
    run.problems += [("file", d) for d in unknown_keys(doc, (), doc.data, TOP_KEYS, "the file")]
    params = _parameters(run, base_rate, overrides or {})
    require_parameters(policy, parameters_read(policy, pay_texts(policy)), params)
    staff = _employees(run)
    merit = _merit(run, staff, params) if run.pay.get("merit") else ()
    incentive = _incentive(run, staff, params) if run.pay.get("incentive") else None
    promotion = _promotion(run, staff) if run.pay.get("promotion") else ()
    mix = _mix(run, staff) if run.pay.get("mix_target") else None
    unit = Decimal(((run.pay.get("incentive") or {}).get("rounding") or {}).get("unit", 1))
    return PayReport(
        policy_id,
        doc.file,
        str(run.pay.get("currency", "")),
        params,
        tuple(emp.id for emp in staff),
        {emp.id: str(emp.raw.get("name", "")) for emp in staff},
        merit,
        incentive,
        unit,
        promotion,
        tuple(run.problems),
        mix,
    )


def run_pay(
    policy_path: str,
    data_path: str,
    fmt: str,
    output: str | None,
    echo: Echo,
    base_rate: str | None = None,
    params: Sequence[str] = (),
) -> int:
    """Compute pay for the employees in ``data_path`` under ``policy_path``; report as ``fmt``.

    ``base_rate`` (``--base-rate``) overrides the parameter named by ``pay.merit.base_rate``.
    Returns 0 without problems, 1 with any; raises :class:`DataError`/:class:`UsageError` for an
    unreadable file, a policy without ``pay`` or a missing base rate.
    """
    if fmt not in RENDERERS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(RENDERERS)}")
    guard_output(output, [policy_path, data_path])
    policy = load_policy(policy_path)
    if not policy.data.get("pay"):
        raise UsageError(f"{policy_path}: the policy declares no pay section")
    doc = read_data_file(data_path)
    overrides = parse_param_options(params)
    report = build_pay_report(str(policy.data["metadata"]["id"]), policy.data, doc, base_rate, overrides)
    deliver(RENDERERS[fmt](report), output, echo)
    return finish(report.problems, report.employees, "employees", fmt, echo)
