"""The incentive pool: eligibility, the pool formula, and each person's share of it to the currency unit.

Rule (docs/jobeval-and-pay.md): the whole pool, rounded to the currency unit, is always shared
out in proportion to each person's ``individual`` value ("scaled so the total fits the pool").
Each exact share is rounded down to the unit; with ``remainder: largest_remainder`` the units
left over go one each to the largest remainders, equal remainders by employee id, so the paid
amounts add up to the pool exactly: no won is created or lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, overload

from engine.errors import DataError
from engine.io.spool import ItemSpool
from engine.pay.formulas import PayFormulas, as_env
from engine.pay.merit import PayValue, run_parameters
from engine.pay.shares import Allocation
from engine.rounding import round_decimal


@dataclass(frozen=True)
class Eligibility:
    """One eligibility condition: did it hold, and why (its formula with the company's values)."""

    id: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Share:
    """One person's incentive: individual value, exact share of the pool, amount paid."""

    employee: str
    individual: Decimal
    exact: Decimal
    amount: Decimal
    extra_unit: bool
    explanation: str
    #: The value the share is proportional to after ``spread`` (``None``: no spread declared).
    adjusted: Decimal | None = None


@dataclass(frozen=True)
class IncentiveResult:
    """The whole incentive run: eligibility, pool, shares; ``sum(amounts) == paid_pool`` when shared."""

    eligible: bool
    eligibility: tuple[Eligibility, ...]
    pool: Decimal
    paid_pool: Decimal
    shares: Sequence[Share]
    trace: Sequence[str]
    #: The sum of the amounts paid, when it was added up as the shares were made.
    paid: Decimal | None = None

    @property
    def total(self) -> Decimal:
        if self.paid is not None:
            return self.paid
        return sum((s.amount for s in self.shares), Decimal(0))


def _incentive(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = (policy.get("pay") or {})["incentive"]
    return spec


def check_eligibility(
    policy: Mapping[str, Any], company: Mapping[str, Any], formulas: PayFormulas | None = None
) -> list[Eligibility]:
    """Evaluate every ``pay.incentive.eligibility`` condition on the company's data."""
    env = as_env(company)
    formulas = formulas or PayFormulas(policy)
    results = []
    for rule in _incentive(policy).get("eligibility") or []:
        formula = formulas.formula(str(rule["when"]), "company", env)
        passed = bool(formula(env))
        verdict = "holds" if passed else "fails"
        results.append(
            Eligibility(
                str(rule["id"]), passed, f"{rule['id']} {verdict}: {formula.text}, {formula.explain(env)}"
            )
        )
    return results


def incentive_pool(
    policy: Mapping[str, Any], company: Mapping[str, Any], formulas: PayFormulas | None = None
) -> PayValue:
    """The pool the ``pool`` formula gives on the company's data (before rounding to the unit).

    Raises :class:`DataError` for a negative pool: shares of it would be debts, and "paid 0 of
    a negative pool" would hide figures that are wrong (a negative total base pay, ...).
    """
    env = as_env(company)
    formula = (formulas or PayFormulas(policy)).formula(str(_incentive(policy)["pool"]), "company", env)
    value = Decimal(formula(env))
    line = f"pool = {formula.text} = {formula.explain(env)} = {value}"
    if value < 0:
        raise DataError(f"the incentive pool is negative: {line}; check the company's figures")
    return PayValue(value, (line,))


def individual_values(
    policy: Mapping[str, Any],
    company: Mapping[str, Any],
    employees: Sequence[Mapping[str, Any]],
    formulas: PayFormulas | None = None,
) -> list[tuple[str, PayValue]]:
    """Each person's ``individual`` value; the person's fields over the company's. Needs ``id``."""
    expr = str(_incentive(policy)["individual"])
    formulas = formulas or PayFormulas(policy)
    found = []
    for person in employees:
        env = {**as_env(company), **as_env(person)}
        formula = formulas.formula(expr, "employee", env)
        value = Decimal(formula(env))
        if value < 0:
            raise DataError(f"employee {person['id']}: individual value {value} is negative")
        found.append(
            (str(person["id"]), PayValue(value, (f"{formula.text} = {formula.explain(env)} = {value}",)))
        )
    return found


def allocate(
    pool: Decimal, individual: Sequence[tuple[str, Decimal]], unit: Decimal, mode: str, remainder: str | None
) -> list[Share]:
    """Share ``pool`` (a multiple of ``unit``) in proportion to the individual values.

    Exact shares are rational (Fraction) so that remainders compare exactly; amounts are Decimal.
    """
    allocation = Allocation(pool, unit, mode, remainder, lambda: individual)
    return [_share(allocation, emp, value) for emp, value in individual]


def _share(allocation: Allocation, emp: str, value: Decimal) -> Share:
    """One person's share of ``allocation`` for ``value``, with the line that explains it."""
    exact, paid, extra = allocation.share(emp, value)
    unit = allocation.unit
    exact_won = Decimal(exact.numerator) * unit / Decimal(exact.denominator)
    why = f"{allocation.pool} x {value} / {allocation.total} = {exact_won} -> {paid * unit}" + (
        f" + {unit} (largest remainder)" if extra else ""
    )
    return Share(emp, value, exact_won, (paid + extra) * unit, extra, why)


@dataclass(frozen=True)
class _Spread:
    """``pay.incentive.spread``: adjusted = pivot + (individual - pivot) x coefficient, at least 0."""

    k: Decimal
    pivot: Decimal

    def exact(self, value: Decimal) -> Decimal:
        return self.pivot + (value - self.pivot) * self.k

    def line(self, emp: str, value: Decimal) -> str:
        exact = self.exact(value)
        note = " -> 0 (below 0)" if exact < 0 else ""
        return f"adjusted {emp}: {self.pivot} + ({value} - {self.pivot}) x {self.k} = {exact}{note}"


def _spread(
    policy: Mapping[str, Any], company: Mapping[str, Any], formulas: PayFormulas, trace: list[str]
) -> _Spread | None:
    """The declared spread (its coefficient's line added to ``trace``), or None."""
    spec = _incentive(policy).get("spread")
    if not spec:
        return None
    env = as_env(company)
    formula = formulas.formula(str(spec["coefficient"]), "company", env)
    k = Decimal(formula(env))
    if k < 0:
        raise DataError(f"the spread coefficient is negative: {formula.text} = {k}")
    pivot = Decimal(str(spec["pivot"]))
    trace.append(f"spread coefficient = {formula.text} = {formula.explain(env)} = {k}; pivot {pivot}")
    return _Spread(k, pivot)


def spread(
    policy: Mapping[str, Any],
    company: Mapping[str, Any],
    values: list[tuple[str, Decimal]],
    trace: list[str],
    formulas: PayFormulas | None = None,
) -> list[tuple[str, Decimal]]:
    """The individual values after ``pay.incentive.spread`` (``values`` itself when none is declared).

    adjusted = pivot + (individual - pivot) x coefficient: the coefficient widens (above 1) or
    narrows (below 1) every distance from the pivot, so it changes who gets what; the shares are
    still scaled to the pool. A value pushed below 0 counts 0 (a share is never a debt).
    """
    found = _spread(policy, company, formulas or PayFormulas(policy), trace)
    if found is None:
        return values
    trace.extend(found.line(emp, value) for emp, value in values)
    return [(emp, max(found.exact(value), Decimal(0))) for emp, value in values]


#: Each person's individual value, in order, started again by each call (a spool read back).
Individuals = Callable[[], Iterable[tuple[str, PayValue]]]


class Trace(Sequence[str]):
    """An incentive run's explanation lines: its own lines and those made again, each time it is
    read, from the people's values and shares (a million people's lines are never all held)."""

    def __init__(self, parts: Sequence[Callable[[], Iterable[str]]]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[str]:
        for part in self._parts:
            yield from part()

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]


def share_pool(
    policy: Mapping[str, Any],
    company: Mapping[str, Any],
    individuals: Individuals,
    formulas: PayFormulas | None = None,
    keep: Callable[[], list[Share] | ItemSpool[Share]] | None = None,
) -> IncentiveResult:
    """Eligibility, pool, and the share of everyone whose individual value ``individuals()``
    gives (computed once, by the caller); an ineligible company pays a pool of 0. ``keep``
    makes what holds the shares (a spool); without it they are a tuple, the trace too."""
    spec = _incentive(policy)
    formulas = formulas or PayFormulas(policy)
    company = run_parameters(policy, company)  # a declared default (the coefficient, ...) applies
    checks = check_eligibility(policy, company, formulas)
    head = [c.reason for c in checks]
    if not all(c.passed for c in checks):
        head.append("not paid: an eligibility condition fails")
        return IncentiveResult(False, tuple(checks), Decimal(0), Decimal(0), (), tuple(head))
    pool = incentive_pool(policy, company, formulas)
    head.extend(pool.explanation)
    rounding = spec.get("rounding") or {}
    unit, mode = Decimal(rounding.get("unit", 1)), str(rounding.get("mode", "down"))
    paid_pool = round_decimal(pool.value / unit, 0, mode) * unit
    head.append(f"pool paid in units of {unit} ({mode}): {paid_pool}")
    spread_lines: list[str] = []
    found = _spread(policy, company, formulas, spread_lines)

    def adjusted() -> Iterator[tuple[str, Decimal]]:
        for emp, value in individuals():
            yield emp, value.value if found is None else max(found.exact(value.value), Decimal(0))

    allocation = Allocation(paid_pool, unit, mode, rounding.get("remainder"), adjusted)
    shares = keep() if keep is not None else []
    paid = Decimal(0)
    for emp, value in individuals():
        share = _share(
            allocation, emp, value.value if found is None else max(found.exact(value.value), Decimal(0))
        )
        if found is not None:
            share = replace(share, individual=value.value, adjusted=share.individual)
        shares.append(share)
        paid += share.amount

    def spreads() -> Iterator[str]:
        if found is not None:
            yield from spread_lines
            yield from (found.line(emp, value.value) for emp, value in individuals())

    parts: list[Callable[[], Iterable[str]]] = [
        lambda: head,
        lambda: (f"individual {emp}: {value.explanation[0]}" for emp, value in individuals()),
        spreads,
        lambda: (f"share {s.employee}: {s.explanation}" for s in shares),
        lambda: [f"paid {paid} of {paid_pool}"],
    ]
    trace: Sequence[str] = Trace(parts)
    if keep is None:
        shares, trace = tuple(shares), tuple(trace)  # type: ignore[assignment]
    return IncentiveResult(True, tuple(checks), pool.value, paid_pool, shares, trace, paid)


def compute_incentive(
    policy: Mapping[str, Any],
    company: Mapping[str, Any],
    employees: Sequence[Mapping[str, Any]],
    formulas: PayFormulas | None = None,
) -> IncentiveResult:
    """Eligibility, pool, and everyone's share; an ineligible company pays a pool of 0. The
    individual values are computed once, when the pool is to be shared."""
    formulas = formulas or PayFormulas(policy)
    values: list[tuple[str, PayValue]] = []
    done = False

    def individuals() -> list[tuple[str, PayValue]]:
        nonlocal done
        if not done:
            values.extend(individual_values(policy, run_parameters(policy, company), employees, formulas))
            done = True
        return values

    return share_pool(policy, company, individuals, formulas)
