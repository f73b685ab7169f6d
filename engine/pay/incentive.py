"""The incentive pool: eligibility, the pool formula, and each person's share of it to the currency unit.

Rule (docs/jobeval-and-pay.md): the whole pool, rounded to the currency unit, is always shared
out in proportion to each person's ``individual`` value ("scaled so the total fits the pool").
Each exact share is rounded down to the unit; with ``remainder: largest_remainder`` the units
left over go one each to the largest remainders, equal remainders by employee id, so the paid
amounts add up to the pool exactly: no won is created or lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine.errors import DataError
from engine.pay.formulas import PayFormulas, as_env
from engine.pay.merit import PayValue, run_parameters
from engine.rounding import SHARE_MODES, round_decimal


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
    shares: tuple[Share, ...]
    trace: tuple[str, ...]

    @property
    def total(self) -> Decimal:
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
    if mode not in SHARE_MODES:
        raise DataError(
            f"incentive shares rounded '{mode}' could exceed the pool; use one of {', '.join(SHARE_MODES)}"
        )
    total = sum((v for _, v in individual), Decimal(0))
    if total <= 0:
        raise DataError("the individual values add up to 0; the pool cannot be shared")
    units = int(pool / unit)
    exact = {emp: Fraction(units) * Fraction(v) / Fraction(total) for emp, v in individual}
    # Shares are never negative, so rounding down and floor are both the integer part.
    paid = {emp: q.numerator // q.denominator for emp, q in exact.items()}
    extra: set[str] = set()
    if remainder == "largest_remainder":
        left = units - sum(paid.values())
        order = sorted(exact, key=lambda emp: (-(exact[emp] - paid[emp]), emp))
        extra = set(order[:left])
    shares = []
    for emp, value in individual:
        amount = (paid[emp] + (emp in extra)) * unit
        exact_won = Decimal(exact[emp].numerator) * unit / Decimal(exact[emp].denominator)
        why = f"{pool} x {value} / {total} = {exact_won} -> {paid[emp] * unit}" + (
            f" + {unit} (largest remainder)" if emp in extra else ""
        )
        shares.append(Share(emp, value, exact_won, amount, emp in extra, why))
    return shares


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
    spec = _incentive(policy).get("spread")
    if not spec:
        return values
    env = as_env(company)
    formula = (formulas or PayFormulas(policy)).formula(str(spec["coefficient"]), "company", env)
    k = Decimal(formula(env))
    if k < 0:
        raise DataError(f"the spread coefficient is negative: {formula.text} = {k}")
    pivot = Decimal(str(spec["pivot"]))
    trace.append(f"spread coefficient = {formula.text} = {formula.explain(env)} = {k}; pivot {pivot}")
    out = []
    for emp, value in values:
        exact = pivot + (value - pivot) * k
        adjusted = max(exact, Decimal(0))
        note = " -> 0 (below 0)" if exact < 0 else ""
        trace.append(f"adjusted {emp}: {pivot} + ({value} - {pivot}) x {k} = {exact}{note}")
        out.append((emp, adjusted))
    return out


def compute_incentive(
    policy: Mapping[str, Any],
    company: Mapping[str, Any],
    employees: Sequence[Mapping[str, Any]],
    formulas: PayFormulas | None = None,
) -> IncentiveResult:
    """Eligibility, pool, and everyone's share; an ineligible company pays a pool of 0."""
    spec = _incentive(policy)
    formulas = formulas or PayFormulas(policy)
    company = run_parameters(policy, company)  # a declared default (the coefficient, ...) applies
    checks = check_eligibility(policy, company, formulas)
    trace = [c.reason for c in checks]
    if not all(c.passed for c in checks):
        trace.append("not paid: an eligibility condition fails")
        return IncentiveResult(False, tuple(checks), Decimal(0), Decimal(0), (), tuple(trace))
    pool = incentive_pool(policy, company, formulas)
    trace.extend(pool.explanation)
    rounding = spec.get("rounding") or {}
    unit, mode = Decimal(rounding.get("unit", 1)), str(rounding.get("mode", "down"))
    paid_pool = round_decimal(pool.value / unit, 0, mode) * unit
    trace.append(f"pool paid in units of {unit} ({mode}): {paid_pool}")
    values = individual_values(policy, company, employees, formulas)
    for emp, value in values:
        trace.append(f"individual {emp}: {value.explanation[0]}")
    raw = [(emp, v.value) for emp, v in values]
    adjusted = spread(policy, company, raw, trace, formulas)
    shares = allocate(paid_pool, adjusted, unit, mode, rounding.get("remainder"))
    if adjusted is not raw:
        pairs = zip(shares, raw, strict=True)
        shares = [replace(s, individual=r, adjusted=s.individual) for s, (_, r) in pairs]
    trace.extend(f"share {s.employee}: {s.explanation}" for s in shares)
    trace.append(f"paid {sum((s.amount for s in shares), Decimal(0))} of {paid_pool}")
    return IncentiveResult(True, tuple(checks), pool.value, paid_pool, tuple(shares), tuple(trace))
