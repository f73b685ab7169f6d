"""A whole ``pay`` run over a data file: every section the policy's ``pay`` declares (merit
raises with their zones, the incentive pool and its shares, promotion points); a problem with
one employee is a :class:`Diagnostic` about that employee and the others go on.

The employees are read and computed one at a time (:func:`build_pay_report`): each one's
figures become a :class:`PayLine`, kept in a spool (:class:`~engine.io.spool.ItemSpool`: in a
temp file past a few thousand), with the individual values the incentive pool is shared by in a
spool of their own; the pool is shared after the last employee (it needs every value's total),
reading those values back (:func:`engine.pay.incentive.share_pool`). The report's sections are
views over the lines, read again by each renderer: memory holds one employee and a compact
remainder per person for the pool, however many employees there are. Problems are kept per
section (each a spool) and reported in the order the sections come: reading, merit, incentive,
promotion, mix, grade changes, bonus.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from engine.errors import DataError, Diagnostic, HRPolicyError, UsageError
from engine.formula import table_axes
from engine.io.ids import SeenIds
from engine.io.spool import ItemSpool
from engine.location import Path
from engine.pay.bonus import BonusLine, bonus_amount
from engine.pay.formulas import PayFormulas
from engine.pay.grade_change import GradeChange, grade_change
from engine.pay.incentive import IncentiveResult, individual_values, share_pool
from engine.pay.merit import PayValue, merit_raise, run_parameters, zone_of
from engine.pay.mix import MixResult, MixTarget, mix_targets
from engine.pay.promotion import PromotionInput, PromotionResult, promotion_points
from engine.pay.views import Chained, Employees, Section


class PayEmployee(Protocol):
    """One employee of the data file, as the computations read it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def fields(self) -> dict[str, Any]: ...
    @property
    def bad(self) -> bool: ...


E = TypeVar("E", bound=PayEmployee)
T = TypeVar("T")


class PayData(Protocol[E]):
    """The data file of a ``pay`` run, read a section at a time when a computation needs it
    (:class:`engine.io.payfile.PayFile`), and where every problem is collected, in order."""

    @property
    def policy(self) -> Mapping[str, Any]: ...
    @property
    def pay(self) -> Mapping[str, Any]: ...
    @property
    def file(self) -> str: ...

    #: Where :meth:`problem` adds a problem (a run switches it from section to section).
    problems: list[Diagnostic] | ItemSpool[Diagnostic]

    @property
    def seen(self) -> SeenIds: ...

    def problem(
        self, subject: str, path: Path, rule: str, message: str, suggestion: str | None = None
    ) -> None: ...
    def where(self, path: Path) -> str: ...
    def has(self, key: str) -> bool: ...
    def parameters(
        self, base_rate: str | None, complete: Callable[[Mapping[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]: ...
    def employees(self) -> Iterator[E]: ...
    def zone_from(self) -> Mapping[str, Any] | None: ...
    def company(self, params: Mapping[str, Any]) -> dict[str, Any]: ...
    def promotion(self, emp: E) -> tuple[dict[str, Any], Decimal | None, Decimal | None] | None: ...


@dataclass(frozen=True)
class MeritLine:
    """One employee's merit raise (``None`` when a problem stopped it) and how it was found."""

    employee: str
    zone: str | None
    zone_explanation: str
    value: Decimal | None
    explanation: tuple[str, ...] = ()


class PayLine(NamedTuple):
    """One employee of a run: id, name, and each declared section's figure for the employee
    (``None`` where the section is not declared, does not apply, or had a problem)."""

    id: str
    name: str
    merit: MeritLine | None = None
    promotion: PromotionResult | None = None
    mix: MixTarget | None = None
    change: GradeChange | None = None
    bonus: BonusLine | None = None
    #: A bad value of the record: none of the employee's figures was computed.
    bad: bool = False


@dataclass(frozen=True)
class PayReport:
    """A whole ``pay`` run; sections the policy does not declare are empty (``incentive`` None).
    ``lines`` holds every employee in the order of the file; the sections read them."""

    policy: str
    data: str
    currency: str
    parameters: Mapping[str, Any]
    employees: Employees
    lines: Sequence[PayLine] = ()
    merit: Sequence[MeritLine] = ()
    incentive: IncentiveResult | None = None
    incentive_unit: Decimal = Decimal(1)
    promotion: Sequence[PromotionResult] = ()
    problems: Sequence[Diagnostic] = ()
    mix: MixResult | None = None
    grade_changes: Sequence[GradeChange] = ()
    bonus: Sequence[BonusLine] = ()


def _zone_field(run: PayData[E], zone_from: Mapping[str, Any] | None) -> str | None:
    """The field that holds the zone: ``zone_from.field``, else the merit table's axis whose keys
    are the zones of ``pay.ranges.zones``; ``None`` when neither names one.

    Raises :class:`DataError` when ``zone_from`` asks for zones but no field can hold them.
    """
    if zone_from is not None and zone_from.get("field"):
        return str(zone_from["field"])
    zones = [str(z) for z in (run.pay.get("ranges") or {}).get("zones") or []]
    table_name = str((run.pay.get("merit") or {}).get("table"))
    axis = _zone_axis(run.policy, table_name, zones)
    if axis is not None or zone_from is None:
        return axis  # None: the zone is no key of the merit table; the formula reads the fields as given
    raise DataError(
        f"{run.where(('zone_from',))}: no axis of table {table_name} (pay.merit.table) has the"
        f" zones of pay.ranges.zones ({', '.join(zones) or 'none declared'}) as its keys, so the"
        " zone found from the salary has no field to go in; name it with zone_from.field"
    )


def _zone_axis(policy: Mapping[str, Any], table_name: str, zones: Sequence[str]) -> str | None:
    """The axis of the merit table whose keys are the declared zones, or None."""
    if not zones:
        return None
    for name, keys in table_axes((policy.get("tables") or {}).get(table_name)):
        if set(keys) == set(zones):
            return name
    return None


def _computed_zone(run: PayData[E], emp: E, zone_from: Mapping[str, Any]) -> tuple[str | None, str]:
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
    run: PayData[E], emp: E, zone_from: Mapping[str, Any] | None, key: str | None
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


def _merit(
    run: PayData[E],
    emp: E,
    params: Mapping[str, Any],
    formulas: PayFormulas,
    zone: tuple[Mapping[str, Any] | None, str | None],
) -> MeritLine:
    """The employee's merit raise; ``zone``: ``zone_from`` and the field the zone goes in."""
    zone_from, key = zone
    found, why = _zone(run, emp, zone_from, key)
    if found is None and zone_from is not None:
        return MeritLine(emp.id, None, why, None, ("no merit raise: no zone",))
    values = {**emp.fields, key: found} if key is not None and found is not None else emp.fields
    try:
        result = merit_raise(run.policy, values, params, formulas)
    except UsageError:
        raise
    except HRPolicyError as exc:
        run.problem(emp.id, emp.path, "pay-merit", f"employee {emp.id}: {exc}")
        return MeritLine(emp.id, found, why, None, ())
    return MeritLine(emp.id, found, why, result.value, result.explanation)


def _individual(
    run: PayData[E], emp: E, company: Mapping[str, Any], formulas: PayFormulas
) -> PayValue | None:
    """The employee's individual value for the incentive pool (computed once: the pool is shared
    by these values); None, with the problem that names the employee, when it fails."""
    try:
        return individual_values(run.policy, company, [emp.fields], formulas)[0][1]
    except HRPolicyError as exc:
        run.problem(emp.id, emp.path, "pay-incentive", f"employee {emp.id}: {exc}")
        return None


def _promotion(run: PayData[E], emp: E, formulas: PayFormulas) -> PromotionResult | None:
    record = run.promotion(emp)
    if record is None:
        return None
    person = PromotionInput(emp.id, *record, emp.fields)
    try:
        return promotion_points(run.policy, person, formulas)
    except HRPolicyError as exc:
        run.problem(emp.id, (*emp.path, "promotion", "history"), "pay-promotion", str(exc))
        return None


def _mix(run: PayData[E], emp: E) -> MixTarget | None:
    """The employee's pay-mix target; an employee without the field is a located problem."""
    try:
        return mix_targets(run.policy, [emp.fields]).targets[0]
    except HRPolicyError as exc:
        run.problem(emp.id, emp.path, "pay-mix", str(exc))
        return None


def _grade_change(run: PayData[E], emp: E, formulas: PayFormulas) -> GradeChange | None:
    """The employee's grade change; its problems located at the employee (``pay-grade-change``)."""
    try:
        change = grade_change(run.policy, emp.fields, formulas)
    except HRPolicyError as exc:
        run.problem(emp.id, emp.path, "pay-grade-change", str(exc))
        return None
    for text in change.problems if change is not None else ():
        run.problem(emp.id, emp.path, "pay-grade-change", f"employee {emp.id}: {text}")
    return change


def _bonus(
    run: PayData[E],
    emp: E,
    params: Mapping[str, Any],
    evaluated: Mapping[str, Mapping[str, Any] | str] | None,
    formulas: PayFormulas,
) -> BonusLine:
    """The employee's bonus; with ``evaluated`` (employee id -> the evaluation's values, or why
    the employee has none), those values join the employee's fields, and a field the pay file
    gives differently is a problem (``pay-bonus``)."""
    values = dict(emp.fields)
    if evaluated is not None:
        found = evaluated.get(emp.id, "the records have no employee by this id")
        if isinstance(found, str):
            run.problem(emp.id, emp.path, "pay-bonus", f"employee {emp.id}: no evaluated result: {found}")
            return BonusLine(emp.id, None)
        clash = sorted(k for k, v in found.items() if values.get(k) is not None and values[k] != v)
        if clash:
            shown = ", ".join(f"{k} {values[k]} (evaluated: {found[k]})" for k in clash)
            run.problem(emp.id, emp.path, "pay-bonus", f"employee {emp.id}: the pay file gives {shown}")
            return BonusLine(emp.id, None)
        values.update(found)
    try:
        return bonus_amount(run.policy, values, params, formulas)
    except HRPolicyError as exc:
        run.problem(emp.id, emp.path, "pay-bonus", str(exc))
        return BonusLine(emp.id, None)


#: The sections of a run, in the order their problems are reported.
SECTIONS = ("read", "merit", "incentive", "promotion", "mix", "grade_change", "bonus")


class _Pass(Generic[E]):
    """One pass over the employees: each one's line, each section's problems in its own spool."""

    def __init__(
        self,
        run: PayData[E],
        params: Mapping[str, Any],
        evaluated: Mapping[str, Mapping[str, Any] | str] | None,
        threshold: int | None,
    ) -> None:
        self.run, self.params, self.evaluated, self.threshold = run, params, evaluated, threshold
        self.formulas = PayFormulas(run.policy)  # each formula compiled once for the whole run
        self.problems = {name: self.spool() for name in SECTIONS}
        self.problems["read"].extend(run.problems)
        pay = run.pay
        self.declared = {name: bool(pay.get(key)) for name, key in _DECLARED.items()}
        self.zone: tuple[Mapping[str, Any] | None, str | None] = (None, None)
        if self.declared["merit"]:
            run.problems = self.problems["merit"]
            zone_from = run.zone_from()
            self.zone = (zone_from, _zone_field(run, zone_from))
        self.company: dict[str, Any] = {}
        if self.declared["incentive"]:
            self.company = run.company(params)
        self.values: ItemSpool[tuple[str, PayValue]] = ItemSpool(threshold=threshold)
        self.unvalued = 0  # employees whose individual value failed
        self.counts = dict.fromkeys(_COUNTED, 0)  # the lines with each section's figure
        self.mix_total = Decimal(0)  # the pay-mix targets added up in order

    def spool(self) -> ItemSpool[Any]:
        return ItemSpool(threshold=self.threshold)

    def lines(self) -> ItemSpool[PayLine]:
        """Every employee's line, in the order of the file; what each section found counted."""
        lines: ItemSpool[PayLine] = self.spool()
        employees = self.run.employees()
        counts = self.counts
        while True:
            self.run.problems = self.problems["read"]  # a duplicate id, a bad value
            emp = next(employees, None)
            if emp is None:
                return lines
            line = self.line(emp) if not emp.bad else PayLine(emp.id, emp.name, bad=True)
            for index in _COUNTED:
                if line[index] is not None:
                    counts[index] += 1
            if line.mix is not None:
                self.mix_total += line.mix.target
            lines.append(line)

    def _in(self, section: str) -> bool:
        """Whether ``section`` is declared; its problems go to its spool from now on."""
        if self.declared[section]:
            self.run.problems = self.problems[section]
            return True
        return False

    def line(self, emp: E) -> PayLine:
        """The employee's figures for every declared section (a bad value is its employee's problem only)."""
        run, formulas = self.run, self.formulas
        merit = _merit(run, emp, self.params, formulas, self.zone) if self._in("merit") else None
        if self._in("incentive"):
            value = _individual(run, emp, run_parameters(run.policy, self.company), formulas)
            if value is None:
                self.unvalued += 1
            else:
                self.values.append((emp.id, value))
        promotion = _promotion(run, emp, formulas) if self._in("promotion") else None
        mix = _mix(run, emp) if self._in("mix") else None
        change = _grade_change(run, emp, formulas) if self._in("grade_change") else None
        bonus = _bonus(run, emp, self.params, self.evaluated, formulas) if self._in("bonus") else None
        return PayLine(emp.id, emp.name, merit, promotion, mix, change, bonus)

    def incentive(self) -> IncentiveResult | None:
        """Eligibility, pool and shares; ``None`` (with located problems) when a value cannot be computed."""
        if not self.declared["incentive"] or self.unvalued:
            return None
        run = self.run
        run.problems = self.problems["incentive"]
        values = self.values
        try:
            return share_pool(run.policy, self.company, lambda: values, self.formulas, self.spool)
        except HRPolicyError as exc:
            at: Path = ("company",) if run.has("company") else ()
            run.problem("incentive", at, "pay-incentive", str(exc))
            return None


#: The sections of a run and the key of ``pay`` that declares each.
_DECLARED = {
    "merit": "merit",
    "incentive": "incentive",
    "promotion": "promotion",
    "mix": "mix_target",
    "grade_change": "grade_change",
    "bonus": "bonus",
}


#: The places in a line of the sections' figures (counted as the lines are made).
_FIELDS = {name: PayLine._fields.index(name) for name in ("merit", "promotion", "mix", "change", "bonus")}
_COUNTED = tuple(_FIELDS.values())


def build_pay_report(
    policy_id: str,
    run: PayData[E],
    base_rate: str | None,
    overrides: Mapping[str, Any] | None = None,
    evaluated: Mapping[str, Mapping[str, Any] | str] | None = None,
    *,
    threshold: int | None = None,
) -> PayReport:
    """Every pay section the policy declares, over a data file being read; ``overrides`` (the
    ``--param`` values, converted) win over the file's parameters; ``evaluated`` (employee id ->
    the values of the evaluated goal sheet, or why there are none) feeds the bonus.
    ``threshold``: the items each spool holds in memory (None: the spools' default)."""
    given = dict(overrides or {})

    def complete(found: Mapping[str, Any]) -> dict[str, Any]:
        return {**run_parameters(run.policy, found), **given}

    params = run.parameters(base_rate, complete)
    step = _Pass(run, params, evaluated, threshold)
    lines = step.lines()
    incentive = step.incentive()
    counts = step.counts

    def section(name: str) -> Section[Any, PayLine]:
        index = _FIELDS[name]
        return Section(lines, operator.itemgetter(index), counts[index])

    mix = None
    if step.declared["mix"]:
        mix = MixResult(str(run.pay["mix_target"]["target"]), section("mix"), step.mix_total)
    unit = Decimal(((run.pay.get("incentive") or {}).get("rounding") or {}).get("unit", 1))
    return PayReport(
        policy_id,
        run.file,
        str(run.pay.get("currency", "")),
        params,
        Employees(lines, run.seen),
        lines,
        section("merit"),
        incentive,
        unit,
        section("promotion"),
        Chained([step.problems[name] for name in SECTIONS]),
        mix,
        section("change"),
        section("bonus"),
    )
