"""The sheet rules of a policy over a chunk's goal lines, as columns: which employees' sheets
the per-record checks might fault (those employees then go through those checks).

Every rule is decided per goal line or per employee with numpy over the whole chunk; a rule
the columns cannot decide surely (an overflow, an exception to the bounds other than one
relaxing the weight band of the lines it marks) marks the employee for the per-record path
rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from engine.evaluate.columnar import numbers as nb
from engine.evaluate.columnar.levels import Level, const_num, group_sum
from engine.evaluate.columnar.numbers import Ints, Mask, Num
from engine.evaluate.columnar.reading import any_per_group
from engine.evaluate.columnar.vectors import Call, Col, Unsupported, Walker, truth
from engine.evaluate.sheet_lines import optional_decimal


def sheet_bad(
    rules: Any, calls: Mapping[str, Call], rows: Level, people: Level, starts: Ints, gid: Ints
) -> Mask:
    """Employees whose sheet the per-record checks might fault (then those checks run).

    The rules over single goal lines (categories and kinds filled in and allowed, required
    fields, weight and difficulty bounds) mark lines, reduced to employees once; the counts per
    category are one ``bincount`` over (employee, category)."""
    n_people = len(starts)
    bad = np.zeros(n_people, bool)
    band = _line_exception(rules)
    relaxed: tuple[Mask, Any, Any] | None = None
    for exc in rules.exceptions:
        holds, doubt = truth(Walker(exc.when.parsed, n_people, people.get, None, calls).run())
        bad |= doubt
        if exc is not band:  # another change of the bounds: the per-record path
            bad |= holds
            continue
        assert exc.lines is not None
        marked, unsure = truth(Walker(exc.lines.parsed, len(gid), rows.get, None, calls).run())
        lines = holds[gid]  # the employee's exception holds on each of their lines
        bad |= any_per_group(lines & unsure, starts)
        low = optional_decimal(exc.relax.get("weight_min", rules.weight_min))
        high = optional_decimal(exc.relax.get("weight_max", rules.weight_max))
        relaxed = (lines & marked, low, high)
    sizes = np.diff(np.append(starts, len(gid)))
    bad |= _outside(sizes, rules.total.min, rules.total.max)
    wrong = np.zeros(len(gid), bool)  # goal lines a rule faults
    if rules.categories or rules.kinds:
        category = _enum(rows, rules.category_field, "category")
        wrong |= category.missing | category.bad
        bad |= _category_counts(rules, category, gid, n_people)
        if rules.kinds:
            wrong |= _kind_wrong(rules, category, _enum(rows, rules.kind_field, "kind"))
    wrong |= _weight_lines(rules, rows, relaxed)
    for name in rules.required_fields:
        col = rows.get(name)
        wrong |= col.missing | col.bad
    if rules.difficulty_rule is not None:
        wrong |= _difficulty(rules, rows)
    bad |= any_per_group(wrong, starts) | _weight_totals(rules, rows, starts, gid)
    for constraint in rules.constraints:
        applies = np.ones(n_people, bool)
        if constraint.when is not None:
            when = Walker(constraint.when.parsed, n_people, people.get, None, calls)
            applies, doubt = truth(when.run())
            bad |= doubt
        people.aggregate_rows, people.starts, people.gid = rows, starts, gid
        holds, doubt = truth(
            Walker(constraint.check.parsed, n_people, people.get, people.aggregate, calls).run()
        )
        bad |= applies & (~holds | doubt)
    return bad


def _enum(rows: Level, name: str, what: str) -> Col:
    col = rows.get(name)
    if col.kind != "cat" or col.codes is None:
        raise Unsupported(f"{what} field is not an enum")
    return col


def _category_counts(rules: Any, category: Col, gid: Ints, n_people: int) -> Mask:
    """Employees with a declared category's goal lines out of its bounds: every category's
    count per employee in one ``bincount`` (a code out of the vocabulary counts nowhere)."""
    assert category.codes is not None
    width = len(category.vocab) + 1
    codes = _in_vocabulary(category.codes, width - 1)
    counts = np.bincount(gid * width + codes, minlength=n_people * width).reshape(n_people, width)
    bad = np.zeros(n_people, bool)
    for name, bounds in rules.categories.items():
        have = (
            counts[:, category.vocab.index(name)] if name in category.vocab else np.zeros(n_people, np.int64)
        )
        bad |= _outside(have, bounds.min, bounds.max)
    return bad


def _kind_wrong(rules: Any, category: Col, kind: Col) -> Mask:
    """Goal lines of a category with allowed kinds whose kind is missing or not allowed: a
    table over (category, kind) codes."""
    assert category.codes is not None and kind.codes is not None
    ruled = np.zeros(len(category.vocab) + 1, bool)
    allowed = np.zeros((len(category.vocab) + 1, len(kind.vocab) + 1), bool)
    for name, kinds in rules.kinds.items():
        if not kinds or name not in category.vocab:
            continue
        code = category.vocab.index(name)
        ruled[code] = True
        for k in kinds:
            if k in kind.vocab:
                allowed[code, kind.vocab.index(k)] = True
    last_c, last_k = len(category.vocab), len(kind.vocab)
    c = _in_vocabulary(category.codes, last_c)
    missing = ruled[c] & kind.missing if kind.missing.any() else np.zeros(len(c), bool)
    refused = ruled[:, None] & ~allowed  # (category, kind) pairs a line may not have
    if not refused.any():  # (every kind allowed wherever kinds are ruled: japan_mbo)
        return missing
    k = _in_vocabulary(kind.codes, last_k)
    wrong: Mask = refused.ravel()[c * (last_k + 1) + k] | missing
    return wrong


def _in_vocabulary(codes: Ints, size: int) -> Ints:
    """``codes``, each one out of ``0 .. size - 1`` (none known, or an error) as ``size``: the
    column itself where every code is in (the usual case: no copy)."""
    if not len(codes) or (int(codes.min()) >= 0 and int(codes.max()) < size):
        return codes
    inside = (codes >= 0) & (codes < size)
    return nb.pick(inside, codes, size)


def _line_exception(rules: Any) -> Any:
    """The one exception the columns apply themselves, or None: it relaxes only the weight band,
    on the goal lines its ``lines`` condition marks (japan_mbo's large project), and no other
    exception changes the bounds. Any other shape sends the employees it holds for to the
    per-record path."""
    if len(rules.exceptions) != 1:
        return None
    exc = rules.exceptions[0]
    return exc if exc.lines is not None and set(exc.relax) <= {"weight_min", "weight_max"} else None


def _weight_lines(rules: Any, rows: Level, relaxed: tuple[Mask, Any, Any] | None = None) -> Mask:
    """Goal lines whose weight is bad or out of the declared bounds (or may be); ``relaxed``:
    the lines an exception relaxes, and their band (as ``engine.evaluate.sheet_lines``'s
    ``_line_band`` gives it)."""
    if rules.weight_min is None and rules.weight_max is None and rules.weight_total is None:
        return np.zeros(rows.n, bool)
    weight = _number(rows, rules.weight_field, "weight")
    assert weight.num is not None
    wrong = weight.bad | _outside_band(weight, rules.weight_min, rules.weight_max)
    if relaxed is not None:
        lines, low, high = relaxed
        relaxed_wrong = weight.bad | _outside_band(weight, low, high)
        wrong = (lines & relaxed_wrong) | (~lines & wrong)  # (np.where branches on mixed masks)
    return wrong


def _outside_band(weight: Col, low: Any, high: Any) -> Mask:
    """Given weights below ``low`` or above ``high`` (None: no bound), or maybe."""
    assert weight.num is not None
    n = len(weight.missing)
    wrong = np.zeros(n, bool)
    for bound, lower in ((low, True), (high, False)):
        if bound is None:
            continue
        inside, doubt = nb.within(weight.num, const_num(bound, n), lower, True)
        wrong |= ~weight.missing & (doubt | ~inside)
    return wrong


def _weight_totals(rules: Any, rows: Level, starts: Ints, gid: Ints) -> Mask:
    """Employees whose weights do not add up to the declared total (per sheet, or per category
    present on the sheet), or whose category is missing where totals are per category."""
    n_people = len(starts)
    if rules.weight_total is None:
        return np.zeros(n_people, bool)
    weight = _number(rows, rules.weight_field, "weight")
    assert weight.num is not None
    n = len(weight.missing)
    zero = Num.const(0, 0, n)
    amounts = nb.where(weight.missing, zero, weight.num)
    if rules.total_scope != "category":
        return _total_wrong(group_sum(amounts, starts, gid), rules.weight_total, None)
    category = _enum(rows, rules.category_field, "category")
    assert category.codes is not None
    bad = any_per_group(category.missing | category.bad, starts)
    for code in range(len(category.vocab)):  # one total per category on the sheet
        inside = category.codes == code
        present = any_per_group(inside, starts)
        total = group_sum(nb.where(inside, amounts, zero), starts, gid)
        bad |= _total_wrong(total, rules.weight_total, present)
    return bad


def _number(rows: Level, name: str, what: str) -> Col:
    col = rows.get(name)
    if col.kind != "num" or col.num is None:
        raise Unsupported(f"{what} field is not a number")
    return col


def _difficulty(rules: Any, rows: Level) -> Mask:
    """Goal lines whose difficulty is bad, out of its bounds or not one of its steps."""
    diff = rules.difficulty_rule
    col = _number(rows, diff.field, "difficulty")
    assert col.num is not None
    fast = _difficulty_on_one_scale(diff, col)
    if fast is not None:
        return fast
    n = len(col.missing)
    wrong = col.bad.copy()
    for bound, lower in ((diff.min, True), (diff.max, False)):
        if bound is not None:
            sign, doubt = nb.compare(col.num, const_num(bound, n))
            wrong |= ~col.missing & (doubt | ((sign < 0) if lower else (sign > 0)))
    if diff.steps:
        allowed = np.zeros(n, bool)
        for step in diff.steps:
            sign, doubt = nb.compare(col.num, const_num(step, n))
            allowed |= sign == 0
            wrong |= doubt
        wrong |= ~col.missing & ~allowed
    return wrong


def _difficulty_on_one_scale(diff: Any, col: Col) -> Mask | None:
    """:func:`_difficulty` where every present value has one denominator ``d`` and every
    bound and step is a whole number of ``1/d`` (``1.2`` and ``1.0`` in tenths): integer
    comparisons and one ``isin``, no fractions. None where that does not hold."""
    num = col.num
    assert num is not None
    present = ~col.missing
    one = nb.one_of(num.den)  # (one denominator on every row: on the present ones too)
    dens = num.den[present] if one is None else None
    if not present.any() or num.approx.any() or num.bad.any():
        return None
    if dens is not None and not bool((dens == dens[0]).all()):
        return None
    den = int(dens[0]) if dens is not None else one
    assert den is not None
    scaled = [None if v is None else Decimal(v) * den for v in (diff.min, diff.max, *diff.steps)]
    if any(v is not None and (v != v.to_integral_value() or abs(v) >= nb.LIMIT) for v in scaled):
        return None
    if int(np.abs(num.num).max()) >= nb.LIMIT:
        return None
    low, high, *steps = (None if v is None else int(v) for v in scaled)
    wrong = np.zeros(len(present), bool)
    if low is not None:
        wrong |= num.num < low
    if high is not None:
        wrong |= num.num > high
    if len(steps) > 16:
        wrong |= ~np.isin(num.num, np.array(steps, np.int64))
    elif steps:  # (a few steps: one comparison each, cheaper than ``np.isin``'s sort)
        allowed = np.zeros(len(present), bool)
        for step in steps:
            allowed |= num.num == step
        wrong |= ~allowed
    out: Mask = col.bad | (present & wrong)
    return out


def _total_wrong(total: Num, wanted: Decimal, present: Mask | None) -> Mask:
    """Groups whose weight total differs from ``wanted`` (or may: an overflow); ``present``:
    only the groups that have such lines (a category absent from a sheet has no total)."""
    sign, doubt = nb.compare(total, const_num(wanted, len(total.num)))
    wrong: Mask = doubt | (sign != 0)
    return wrong if present is None else wrong & present


def _outside(counts: Ints, low: int | None, high: int | None) -> Mask:
    bad = np.zeros(len(counts), bool)
    if low is not None:
        bad |= counts < low
    if high is not None:
        bad |= counts > high
    return bad
