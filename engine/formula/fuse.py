"""Fuse all the formulas of a goal sheet into one generated function (the evaluation hot path).

:class:`SheetFuser` writes ``_sheet(base, lines)``: every indicator formula is one expression
over local variables read once per goal line (with the declared defaults), the declared
roundings are inline, the columns are plain lists, then the employee formulas run over them.
It reuses :class:`engine.formula.codegen.Generator` to write each expression, so the same
whitelist and safety rules hold: only checked trees, names as quoted keys, no builtins.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.formula.codegen import Code, Generator, Module
from engine.formula.parse import Parsed
from engine.formula.types import Column, Scope

#: A field read where it is used, while the line's code is written (a NUL never occurs in
#: generated text: names are repr'd, which escapes it).
_PLACEHOLDER = re.compile("\x00[0-9]+\x00")


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

    def __init__(self, plan: SheetPlan, *, keep_lines: bool = True) -> None:
        self.plan = plan
        #: Whether the function hands back each line's values (``_out``); the flat path does not.
        self.keep_lines = keep_lines
        self.module = Module()
        self.count = 0
        self.head: list[str] = []  # employee-level reads before the loop
        #: The locals that surely hold a Decimal (a step whose code is Decimal, rounded or not).
        self.decimals: set[str] = set()
        #: After :meth:`person`: each employee formula's name -> the local holding its value.
        self.values: dict[str, str] = {}
        #: Columns the employee formulas read only as ``sum(column)``: a running total each.
        self.sums: dict[str, str] = {}
        #: Line fields another generated function's loop has already read into a local, in the
        #: same loop: each local holds ``_f.get(name, default)``, the declared default or None.
        self.shared: Mapping[str, str] = {}

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
        body.append(f"{var} = {self.line_get(name, strict)}")
        names[name] = var

    def line_get(self, name: str, strict: bool = True) -> str:
        """The expression that reads ``name`` for the current line: its field, else the field's
        default, else the employee's value."""
        if name in self.plan.fields:
            default = self.plan.fields[name]
            tail = "" if default is None else f", {self.module.hoist(default)}"
            return f"_f.get({name!r}{tail})"
        return f"_f.get({name!r}, {self.base_read(name, strict)})"

    def step(self, step: FuseStep, names: dict[str, str], columns: Mapping[str, str], out: list[str]) -> None:
        generator = Generator(step.parsed, step.scope, module=self.module, names=names, columns=columns)
        generator.sums = self.sums
        node, var = step.parsed.tree.body, self.local()
        if isinstance(node, ast.IfExp):
            body, test, orelse = (generator.emit(n) for n in (node.body, node.test, node.orelse))
            if body.decimal != orelse.decimal:
                # As statements: the branch that is surely Decimal is rounded with no type test.
                out.append(f"if {test.text}:")
                out += [f"    {t}" for t in self.assign(var, body, step)]
                out.append("else:")
                out += [f"    {t}" for t in self.assign(var, orelse, step)]
                names[step.name] = var
                return
        code = generator.emit(node)
        if code.decimal:
            self.decimals.add(var)
        out += self.assign(var, code, step)
        names[step.name] = var

    def assign(self, var: str, code: Code, step: FuseStep) -> list[str]:
        """``var`` = the value of ``code``, an int made Decimal and a Decimal rounded as declared."""
        out = [f"{var} = {code.text}"]
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
        return out

    def source(self) -> str:
        """The whole ``_sheet(base, lines)`` function: the loop over the lines, then the employee."""
        line, lists = self.line_loop()
        person, tail = self.person(lists)
        init = [*(["_out = []"] if self.keep_lines else []), *self.init(lists)]
        signature = self.parameters("base, lines", line)
        body = [f"def _sheet({signature}):", *(f"    {t}" for t in [*self.head, *init])]
        body += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in line)]
        body += [f"    {t}" for t in [*person, tail]]
        return "\n".join(body) + "\n"

    def parameters(self, given: str, loop: list[str]) -> str:
        """The function's parameters: ``given``, then each global the loop over the lines reads
        as a parameter defaulting to it (a local is read faster, once per goal line)."""
        return ", ".join([given, *self.module.as_locals(loop)])

    def read_in_place(self, body: list[str], where: Mapping[str, str]) -> list[str]:
        """The line's formulas with each placeholder of ``where`` read in place: as ``_f[name]``
        first, and if a line lacks one of those fields (KeyError), all again with ``.get`` and
        the declared defaults. The statements only assign locals, so running them twice is
        running them once; a KeyError of another cause fails again, and the checked path runs."""
        if not where:
            return body

        def fill(text: str, read: Callable[[str], str]) -> str:
            return _PLACEHOLDER.sub(lambda m: read(where[m.group(0)]), text)

        fast = [fill(t, lambda name: f"_f[{name!r}]") for t in body]
        safe = [fill(t, self.line_get) for t in body]
        missing = self.module.bind("_KeyError", KeyError)
        return ["try:", *(f"    {t}" for t in fast), f"except {missing}:", *(f"    {t}" for t in safe)]

    def init(self, lists: Mapping[str, str]) -> list[str]:
        """Before the loop: an empty list per column, a zero per running total, and the rows
        the columns' filters read (when a column is kept whole)."""
        zero = self.module.hoist(Decimal(0))
        rows = ["_rows = []"] if lists or _filter_names(self.plan) else []
        return [*(f"{v} = []" for v in lists.values()), *(f"{v} = {zero}" for v in self.sums.values()), *rows]

    def line_loop(self) -> tuple[list[str], dict[str, str]]:
        """The body of the loop over the lines: each line's formulas, then what is kept of the
        line (its values, the columns and the rows the employee formulas' filters read); and the
        local list that gathers each column."""
        plan = self.plan
        line: list[str] = []
        names = {n: v for n, v in self.shared.items() if n in plan.fields}
        filters = _filter_names(plan)
        once = _read_once(plan, filters)
        where: dict[str, str] = {}  # a placeholder -> the field read where it is used
        for step in plan.line_steps:
            for name in sorted(step.reads - names.keys()):
                if name in once:  # read where it is used: a branch not taken does not read it
                    names[name] = f"\x00{len(where)}\x00"
                    where[names[name]] = name
                else:
                    self.line_read(name, names, line)
            self.step(step, names, {}, line)
        line = self.read_in_place(line, where)
        self.sums = {c: self.local() for c in _summed_only(plan)}
        lists = {c: self.local() for c in plan.columns if c not in self.sums}
        for name in sorted((set(plan.columns) | set(filters)) - names.keys()):
            self.line_read(name, names, line, strict=name not in filters or name in plan.columns)
        if self.keep_lines:
            values = ", ".join(f"{s.name!r}: {names[s.name]}" for s in plan.line_steps)
            line.append(f"_out.append({{{values}}})")
        line += [f"{lists[c]}.append({names[c]})" for c in plan.columns if c in lists]
        # sum() adds from Decimal(0) in line order: the same additions, without the list
        line += [f"{total} = {total} + {names[c]}" for c, total in self.sums.items()]
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
        self.values = {s.name: dict.__getitem__(names, s.name) for s in self.plan.person_steps}
        result = ", ".join(self.values.values())
        comma = "," if len(self.plan.person_steps) == 1 else ""
        return [*built, *reads, *steps], f"return ({result}{comma}), {'_out' if self.keep_lines else '[]'}"

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


#: A line field the line formulas name at most this often is read where it is used.
_IN_PLACE = 3


def _read_once(plan: SheetPlan, filters: list[str]) -> set[str]:
    """The line fields the line formulas name at a few places only, and nothing else keeps: read
    there, not before (a line takes one branch of ``x if c else y``, the other's fields unread;
    a subscript where used costs less than a ``.get`` into a local, up to a few uses)."""
    count: dict[str, int] = {}
    for step in plan.line_steps:
        for node in _value_names(step.parsed):
            count[node.id] = count.get(node.id, 0) + 1
    kept = set(plan.columns) | set(filters) | {s.name for s in plan.line_steps}
    return {n for n, k in count.items() if k <= _IN_PLACE and n in plan.fields and n not in kept}


def _summed_only(plan: SheetPlan) -> list[str]:
    """The columns the employee formulas read only as ``sum(column)``, without filters."""
    summed: set[str] = set()
    other: set[str] = set()
    for step in plan.person_steps:
        calls = [n for n in ast.walk(step.parsed.tree) if isinstance(n, ast.Call)]
        inside = {id(c.args[0]) for c in calls if _plain_sum(c)}
        for node in _value_names(step.parsed):
            (summed if id(node) in inside else other).add(node.id)
    return [c for c in plan.columns if c in summed and c not in other]


def _plain_sum(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Name) and func.id == "sum" and len(call.args) == 1 and not call.keywords
        and isinstance(call.args[0], ast.Name)
    )  # fmt: skip


def _value_names(parsed: Parsed) -> list[ast.Name]:
    """The names that read a value (not the names of called functions)."""
    called = {id(n.func) for n in ast.walk(parsed.tree) if isinstance(n, ast.Call)}
    return [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Name) and id(n) not in called]


def _keywords(parsed: Parsed) -> list[ast.keyword]:
    return [k for n in ast.walk(parsed.tree) if isinstance(n, ast.Call) for k in n.keywords]
