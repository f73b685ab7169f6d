"""The sheet rules of a policy over a chunk's goal lines, as columns: which employees' sheets
the per-record checks might fault (those employees then go through those checks).

Every rule is decided per goal line or per employee with numpy over the whole chunk; a rule
the columns cannot decide surely (an overflow, an exception to the bounds) marks the employee
for the per-record path rather than guessing.
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
from engine.evaluate.columnar.vectors import Call, Unsupported, Walker, truth


def sheet_bad(
    rules: Any, calls: Mapping[str, Call], rows: Level, people: Level, starts: Ints, gid: Ints
) -> Mask:
    """Employees whose sheet the per-record checks might fault (then those checks run)."""
    n_people = len(starts)
    bad = np.zeros(n_people, bool)
    counts = np.diff(np.append(starts, len(gid)))
    for exc in rules.exceptions:  # an exception changes the bounds: the per-record path
        holds, doubt = truth(Walker(exc.when.parsed, n_people, people.get, None, calls).run())
        bad |= holds | doubt
    bad |= _outside(counts, rules.total.min, rules.total.max)
    cat = rules.category_field
    if rules.categories or rules.kinds:
        category = rows.get(cat)
        if category.kind != "cat" or category.codes is None:
            raise Unsupported("category field is not an enum")
        bad |= any_per_group(category.missing | category.bad, starts)
        for name, bounds in rules.categories.items():
            code = category.vocab.index(name) if name in category.vocab else -5
            have = np.add.reduceat((category.codes == code).astype(np.int64), starts)
            bad |= _outside(have, bounds.min, bounds.max)
        if rules.kinds:
            kind = rows.get(rules.kind_field)
            if kind.kind != "cat" or kind.codes is None:
                raise Unsupported("kind field is not an enum")
            wrong = np.zeros(len(gid), bool)
            for name, allowed in rules.kinds.items():
                if not allowed or name not in category.vocab:
                    continue
                codes = [kind.vocab.index(k) for k in allowed if k in kind.vocab]
                wrong |= (category.codes == category.vocab.index(name)) & (
                    ~np.isin(kind.codes, codes) | kind.missing
                )
            bad |= any_per_group(wrong, starts)
    bad |= _weights(rules, rows, starts)
    for name in rules.required_fields:
        col = rows.get(name)
        bad |= any_per_group(col.missing | col.bad, starts)
    if rules.difficulty_rule is not None:
        bad |= _difficulty(rules, rows, starts)
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


def _weights(rules: Any, rows: Level, starts: Ints) -> Mask:
    n_people = len(starts)
    if rules.weight_min is None and rules.weight_max is None and rules.weight_total is None:
        return np.zeros(n_people, bool)
    weight = rows.get(rules.weight_field)
    if weight.kind != "num" or weight.num is None:
        raise Unsupported("weight field is not a number")
    n = len(weight.missing)
    wrong = weight.bad.copy()
    for bound, lower in ((rules.weight_min, True), (rules.weight_max, False)):
        if bound is None:
            continue
        sign, doubt = nb.compare(weight.num, const_num(bound, n))
        wrong |= ~weight.missing & (doubt | ((sign < 0) if lower else (sign > 0)))
    bad = any_per_group(wrong, starts)
    if rules.weight_total is None:
        return bad
    zero = Num.const(0, 0, n)
    amounts = nb.where(weight.missing, zero, weight.num)
    if rules.total_scope != "category":
        return bad | _total_wrong(group_sum(amounts, starts), rules.weight_total, None)
    category = rows.get(rules.category_field)
    if category.kind != "cat" or category.codes is None:
        raise Unsupported("category field is not an enum")
    bad |= any_per_group(category.missing | category.bad, starts)
    for code in range(len(category.vocab)):  # one total per category on the sheet
        inside = category.codes == code
        present = any_per_group(inside, starts)
        total = group_sum(nb.where(inside, amounts, zero), starts)
        bad |= _total_wrong(total, rules.weight_total, present)
    return bad


def _difficulty(rules: Any, rows: Level, starts: Ints) -> Mask:
    diff = rules.difficulty_rule
    col = rows.get(diff.field)
    if col.kind != "num" or col.num is None:
        raise Unsupported("difficulty field is not a number")
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
    return any_per_group(wrong, starts)


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
