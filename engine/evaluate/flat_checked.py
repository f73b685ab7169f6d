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
    """The function's text and its globals (the fuser's and the writer's, one module)."""
    fuser = RecordFuser(plan)
    writer = SheetWriter(rules, fuser.module, plan.sheet.fields)
    check_before, check_loop, check_after = writer.parts()
    fuser.shared = writer.shared()  # each field the checks read, read once
    before, loop, after = fuser.parts()
    body_loop = [*check_loop, *loop]
    signature = fuser.parameters("_p, _e, _id, lines", body_loop)
    text = [f"def _checked_flat({signature}):", *(f"    {t}" for t in [*check_before, *before])]
    text += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in body_loop)]
    text += [f"    {t}" for t in [*check_after, *after]]
    return "\n".join(text) + "\n", fuser.module.globals


def checked_flat_function(plan: FlatPlan, rules: SheetRules) -> CheckedFlat:
    """The generated function for ``plan`` and ``rules`` (see the module's text)."""
    source, scope = checked_flat_source(plan, rules)
    exec(compile(source, "<checked flat employee>", "exec"), scope)  # only generated, checked text
    fn: CheckedFlat = scope.pop("_checked_flat")
    return fn
