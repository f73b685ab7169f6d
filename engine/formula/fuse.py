"""Fuse all the formulas of a goal sheet into one generated function (the evaluation hot path).

:class:`SheetFuser` writes ``_sheet(base, lines)``: every indicator formula is one expression
over local variables read once per goal line (with the declared defaults), the declared
roundings are inline, the columns are plain lists, then the employee formulas run over them.
It reuses :class:`engine.formula.codegen.Generator` to write each expression, so the same
whitelist and safety rules hold: only checked trees, names as quoted keys, no builtins.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.formula.codegen import Generator, Module
from engine.formula.parse import Parsed
from engine.formula.types import Column, Scope


@dataclass(frozen=True)
class FuseStep:
    """One checked formula to fuse: its name, tree, scope, the names it reads, its rounding."""

    name: str
    parsed: Parsed
    scope: Scope
    reads: frozenset[str]
    quantum: Decimal | None
    mode: str | None
    negative: bool  # rounded to tens or more: quantize to 1 afterwards (engine.rounding)


@dataclass(frozen=True)
class SheetPlan:
    """What a goal sheet computes: per-line formulas, then employee formulas over columns.

    ``fields`` maps each declared indicator field to its default (None when it has none);
    ``columns`` are the per-line names the employee formulas read as columns.
    """

    line_steps: tuple[FuseStep, ...]
    person_steps: tuple[FuseStep, ...]
    fields: Mapping[str, Any]
    columns: tuple[str, ...]


class _Names(dict[str, str]):
    """Name -> local variable; remembers which names were read (to build only those columns)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


class SheetFuser:
    """Writes one function ``_sheet(base, lines) -> (employee values, per-line values)``.

    ``base`` is the employee's environment (parameters, field defaults, fields, id) and
    ``lines`` its :class:`~engine.io.records.IndicatorRecord` s. Every formula of the sheet is
    one expression over local variables, each read once per line with the same precedence as
    the mapping environments of :mod:`engine.evaluate.employee` (step > line field > field default >
    employee). Only checked trees reach it; names appear only as repr'd dictionary keys and
    generated local names. Any exception means: run the checked path for this employee.
    """

    def __init__(self, plan: SheetPlan) -> None:
        self.plan = plan
        self.module = Module()
        self.count = 0
        self.head: list[str] = []  # employee-level reads before the loop

    def local(self) -> str:
        self.count += 1
        return f"_v{self.count}"

    def base_read(self, name: str, strict: bool = True) -> str:
        """An employee-level value, read before the loop (a KeyError sends us to the checked path)."""
        var = self.local()
        self.head.append(f"{var} = base[{name!r}]" if strict else f"{var} = base.get({name!r})")
        return var

    def line_read(self, name: str, names: dict[str, str], body: list[str], strict: bool = True) -> None:
        var = self.local()
        if name in self.plan.fields:
            default = self.plan.fields[name]
            tail = "" if default is None else f", {self.module.hoist(default)}"
            body.append(f"{var} = _f.get({name!r}{tail})")
        else:
            body.append(f"{var} = _f.get({name!r}, {self.base_read(name, strict)})")
        names[name] = var

    def step(self, step: FuseStep, names: dict[str, str], columns: Mapping[str, str], out: list[str]) -> None:
        code = Generator(step.parsed, step.scope, module=self.module, names=names, columns=columns).emit(
            step.parsed.tree.body
        )
        var = self.local()
        out.append(f"{var} = {code.text}")
        bind = self.module.bind
        dec, typ, int_ = bind("_D", Decimal), bind("_type", type), bind("_int", int)
        quantize = ""
        if step.quantum is not None:
            quantize = f".quantize({self.module.hoist(step.quantum)}, {self.module.hoist(step.mode)})"
            if step.negative:
                quantize += f".quantize({self.module.hoist(Decimal(1))})"
        if code.decimal and quantize:
            out.append(f"{var} = {var}{quantize}")  # not a Decimal after all: AttributeError
        elif not code.decimal:
            # Python's ints become Decimal and Decimals are rounded, as the checked path does.
            out.append(f"_c = {typ}({var})")
            if quantize:
                out.append(f"if _c is {dec}: {var} = {var}{quantize}")
            out.append(f"{'el' if quantize else ''}if _c is {int_}: {var} = {dec}({var}){quantize}")
        names[step.name] = var

    def source(self) -> str:
        """The whole ``_sheet(base, lines)`` function: the loop over the lines, then the employee."""
        line, lists = self.line_loop()
        person, tail = self.person(lists)
        init = ["_out = []", *(f"{v} = []" for v in lists.values()), "_rows = []"]
        body = ["def _sheet(base, lines):", *(f"    {t}" for t in [*self.head, *init])]
        body += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in line)]
        body += [f"    {t}" for t in [*person, tail]]
        return "\n".join(body) + "\n"

    def line_loop(self) -> tuple[list[str], dict[str, str]]:
        """The body of the loop over the lines: each line's formulas, then what is kept of the
        line (its values, the columns and the rows the employee formulas' filters read); and the
        local list that gathers each column."""
        plan = self.plan
        line: list[str] = []
        names: dict[str, str] = {}
        for step in plan.line_steps:
            for name in sorted(step.reads - names.keys()):
                self.line_read(name, names, line)
            self.step(step, names, {}, line)
        lists = {c: self.local() for c in plan.columns}
        filters = _filter_names(plan)
        for name in sorted((set(plan.columns) | set(filters)) - names.keys()):
            self.line_read(name, names, line, strict=name not in filters or name in plan.columns)
        values = ", ".join(f"{s.name!r}: {names[s.name]}" for s in plan.line_steps)
        line.append(f"_out.append({{{values}}})")
        line += [f"{lists[c]}.append({names[c]})" for c in plan.columns]
        if filters:
            line.append("_rows.append({" + ", ".join(f"{k!r}: {names[k]}" for k in filters) + "})")
        return line, lists

    def person(self, lists: Mapping[str, str]) -> tuple[list[str], str]:
        """The employee formulas (columns built only for the names read outside sum/count)."""
        names = _Names()
        objects = {c: self.local() for c in self.plan.columns}
        names.update(objects)
        steps: list[str] = []
        head_before = len(self.head)
        for step in self.plan.person_steps:
            for name in sorted(step.reads - names.keys()):
                dict.__setitem__(names, name, self.base_read(name))
            self.step(step, names, lists, steps)
        reads = self.head[head_before:]
        del self.head[head_before:]
        column = self.module.bind("_Column", Column)
        built = [f"{objects[c]} = {column}({lists[c]}, _rows)" for c in self.plan.columns if c in names.read]
        result = ", ".join(dict.__getitem__(names, s.name) for s in self.plan.person_steps)
        comma = "," if len(self.plan.person_steps) == 1 else ""
        return [*built, *reads, *steps], f"return ({result}{comma}), _out"

    def build(self) -> tuple[str, Callable[[Any, Any], Any]]:
        """The function source and the function, compiled with an empty ``__builtins__``."""
        source = self.source()
        scope: dict[str, Any] = self.module.globals
        exec(compile(source, "<fused sheet>", "exec"), scope)  # only generated, checked text
        fn: Callable[[Any, Any], Any] = scope.pop("_sheet")
        return source, fn


def _filter_names(plan: SheetPlan) -> list[str]:
    """The line fields the employee formulas filter on (``sum(x, category="a")``), sorted."""
    return sorted({k.arg for s in plan.person_steps for k in _keywords(s.parsed) if k.arg})


def _keywords(parsed: Parsed) -> list[ast.keyword]:
    return [k for n in ast.walk(parsed.tree) if isinstance(n, ast.Call) for k in n.keywords]
