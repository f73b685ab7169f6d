"""The exceptions of the indicator rules inline in the one-pass clean-sheet test.

An exception relaxes the weight band (on every line, or on the lines its ``lines`` condition
selects) and the bounds of the number of lines, for the employees its condition holds for
(japan_mbo: a goal above 30 % for the one employee dedicated to a large project). When every
exception's condition is inline code (:func:`inline_exceptions`),
:class:`engine.evaluate.sheet_fast.SheetWriter` tests them before its loop and holds each line
and the sheet to the bounds :func:`engine.evaluate.sheet._relaxed` and
:func:`engine.evaluate.sheet_lines._line_band` give, in the same order: a relaxed sheet gets the
fast answer too, instead of being left to the rule-by-rule check.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from engine.evaluate.sheet_lines import optional_decimal
from engine.evaluate.sheet_rules import SheetRules

#: The locals of the bounds in force: the weight band's ends and the number of lines' bounds.
WEIGHT_MIN, WEIGHT_MAX, COUNT_MIN, COUNT_MAX = "_wlo", "_whi", "_cmin", "_cmax"
_BOUND = {"weight_min": WEIGHT_MIN, "weight_max": WEIGHT_MAX, "count_min": COUNT_MIN, "count_max": COUNT_MAX}


def inline_exceptions(rules: SheetRules, inlined: Mapping[int, str] | None) -> bool:
    """Whether the exceptions can be applied inline: there are some and the conditions are inline
    code (``inlined``; an exception's condition reads the employee's fields and the parameters
    only, never the lines, so it can be tested before the loop)."""
    return bool(rules.exceptions) and inlined is not None


def flag(index: int) -> str:
    """The local that holds whether exception ``index`` applies to the employee."""
    return f"_xe{index}"


def before_loop(rules: SheetRules, inlined: Mapping[int, str], k: Callable[[Any], str]) -> list[str]:
    """Each exception's condition, then the bounds in force for the whole sheet: the policy's,
    replaced in declaration order by each exception that holds (a ``lines`` exception relaxes
    the number of lines only: its weight band is the lines' own, see :func:`weight_band`)."""
    out = [f"{flag(i)} = {inlined[id(e.when)]}" for i, e in enumerate(rules.exceptions)]
    base: dict[str, Any] = {"weight_min": rules.weight_min, "weight_max": rules.weight_max}
    base |= {"count_min": rules.total.min, "count_max": rules.total.max}
    out += [f"{_BOUND[key]} = {k(value)}" for key, value in base.items()]
    for i, e in enumerate(rules.exceptions):
        relaxed = {key: v for key, v in e.relax.items() if key in _BOUND}
        if e.lines is not None:
            relaxed = {key: v for key, v in relaxed.items() if not key.startswith("weight")}
        sets = [f"{_BOUND[key]} = {k(_value(key, v))}" for key, v in relaxed.items()]
        if sets:
            out.append(f"if {flag(i)}: {'; '.join(sets)}")
    return out


def _value(key: str, value: Any) -> Any:
    """A relaxed bound as the rule-by-rule check holds it (weights as Decimal)."""
    return optional_decimal(value) if key.startswith("weight") else value


def weight_band(rules: SheetRules, k: Callable[[Any], str]) -> list[str]:
    """The line's weight (``_w``) within the band in force, relaxed again on this line by each
    ``lines`` exception that holds and selects it."""
    out: list[str] = []
    low, high = WEIGHT_MIN, WEIGHT_MAX
    by_line = [(i, e) for i, e in enumerate(rules.exceptions) if e.lines is not None]
    if by_line:
        low, high = "_lo", "_hi"
        out.append(f"_lo = {WEIGHT_MIN}; _hi = {WEIGHT_MAX}")
        for i, e in by_line:
            assert e.lines is not None
            pairs = (("weight_min", "_lo"), ("weight_max", "_hi"))
            sets = [f"{name} = {k(_value(key, e.relax[key]))}" for key, name in pairs if key in e.relax]
            if sets:
                out.append(f"if {flag(i)} and {k(e.lines.fast)}(_f): {'; '.join(sets)}")
    tests = _tests("_w", low, high, *_present(rules, "weight"))
    return [*out, f"if _w is not None and ({tests}): return False"] if tests else out


def employee_read(name: str) -> str:
    """The code that reads an employee-level name where a condition's environment finds it:
    the employee's field, else the parameter."""
    return f"(_e[{name!r}] if {name!r} in _e else _p[{name!r}])"


def reuse_flags(rules: SheetRules, inlined: Mapping[int, str]) -> dict[int, str]:
    """``inlined`` with the constraints reading an exception's flag where they read the one name
    its condition is (japan_mbo's ``dedicated_large_project``): the flag holds that name's value,
    read once before the loop, from the same unchanged environment."""
    out = dict(inlined)
    for i, e in enumerate(rules.exceptions):
        body = e.when.parsed.tree.body
        if not isinstance(body, ast.Name):
            continue
        read = employee_read(body.id)
        for c in rules.constraints:
            for f in (c.when, c.check):
                if f is not None:
                    out[id(f)] = out[id(f)].replace(read, flag(i))
    return out


def count_bounds(rules: SheetRules) -> list[str]:
    """The number of lines within the bounds in force."""
    tests = _tests("_len(lines)", COUNT_MIN, COUNT_MAX, *_present(rules, "count"))
    return [f"if {tests}: return False"] if tests else []


def _present(rules: SheetRules, kind: str) -> tuple[str, str]:
    """For each end of a bound: ``"always"`` (the policy sets it), ``"maybe"`` (only an exception
    does: None otherwise) or ``""`` (nothing sets it: no test)."""
    base = (rules.weight_min, rules.weight_max) if kind == "weight" else (rules.total.min, rules.total.max)
    relaxed = {key for e in rules.exceptions for key in e.relax}
    ends = []
    for end, value in zip(("min", "max"), base, strict=True):
        ends.append("always" if value is not None else "maybe" if f"{kind}_{end}" in relaxed else "")
    return ends[0], ends[1]


def _tests(value: str, low: str, high: str, low_set: str, high_set: str) -> str:
    """``value`` outside ``low..high`` (an end that may be None tested only when set)."""
    tests = []
    for end, op, present in ((low, "<", low_set), (high, ">", high_set)):
        if present == "always":
            tests.append(f"{value} {op} {end}")
        elif present == "maybe":
            tests.append(f"({end} is not None and {value} {op} {end})")
    return " or ".join(tests)


__all__ = [
    "before_loop", "count_bounds", "employee_read", "flag", "inline_exceptions", "reuse_flags", "weight_band"
]  # fmt: skip
