"""A goal sheet checked and evaluated in one generated pass over its lines.

:func:`checked_flat_function` writes, once per policy, ``_checked_flat(params, fields, id,
lines)``: the clean-sheet test of :mod:`engine.evaluate.sheet_fast` and the per-employee
function of :mod:`engine.formula.flat` sharing one loop over the goal lines (each line's
``fields`` fetched once, one call per employee instead of two). It returns what
:func:`engine.evaluate.employee.evaluate_flat` returns when the test finds the sheet clean, and
False where the test does not (not known clean). False, or any exception, says nothing: the
caller then checks the sheet rule by rule and evaluates as before, so both answers are exactly
those of the two functions run one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.evaluate.sheet import SheetRules
from engine.evaluate.sheet_fast import SheetWriter
from engine.formula.flat import FlatPlan, RecordFuser

#: ``(parameters, employee fields, id, goal lines) -> (values, grades)``, or False.
CheckedFlat = Callable[[Mapping[str, Any], Mapping[str, Any], str, Any], Any]


def checked_flat_source(plan: FlatPlan, rules: SheetRules) -> tuple[str, dict[str, Any]]:
    """The function's text and its globals (the fuser's and the writer's, one module). Where the
    writer has a memo of the line rules, ``_checked_flat`` answers by it and leaves a sheet it
    does not answer to ``_checked_flat_exact``, the same function without it."""
    fuser = RecordFuser(plan)
    writer = SheetWriter(rules, fuser.module)
    checks = writer.parts()
    fuser.shared = writer.reads  # each field the checks read, read once
    evaluation = fuser.parts()
    if writer.memo is None:
        return _function("_checked_flat", fuser, checks, evaluation), fuser.module.globals
    exact = _function("_checked_flat_exact", fuser, checks, evaluation)
    memo = writer.memo_parts("_checked_flat_exact(_p, _e, _id, lines)")
    return exact + _function("_checked_flat", fuser, memo, evaluation), fuser.module.globals


Parts = tuple[list[str], list[str], list[str]]


def _function(name: str, fuser: RecordFuser, checks: Parts, evaluation: Parts) -> str:
    """One function: the checks' and the evaluation's statements before, in and after the loop."""
    check_before, check_loop, check_after = checks
    before, loop, after = evaluation
    body_loop = [*check_loop, *loop]
    signature = fuser.parameters("_p, _e, _id, lines", body_loop)
    text = [f"def {name}({signature}):", *(f"    {t}" for t in [*check_before, *before])]
    text += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in body_loop)]
    text += [f"    {t}" for t in [*check_after, *after]]
    return "\n".join(text) + "\n"


def checked_flat_function(plan: FlatPlan, rules: SheetRules) -> CheckedFlat:
    """The generated function for ``plan`` and ``rules`` (see the module's text)."""
    source, scope = checked_flat_source(plan, rules)
    exec(compile(source, "<checked flat employee>", "exec"), scope)  # only generated, checked text
    fn: CheckedFlat = scope.pop("_checked_flat")
    return fn
