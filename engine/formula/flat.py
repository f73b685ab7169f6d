"""One generated function per policy for a whole employee: goal sheet, employee formulas, grades.

:class:`RecordFuser` writes ``_flat(params, fields, id, lines) -> (values, grades)``, what
:func:`engine.evaluate.employee.evaluate_flat` returns: the employee formulas' values and each
grade table's (grade, points). It is :class:`engine.formula.fuse.SheetFuser`'s function with
three differences that matter on the hot path:

* no merged environment: an employee-level name is read where the merged one would find it
  (``id`` first, then the record's fields, the field's declared default, the parameters);
* no per-line dictionaries: the lines' values are not handed back;
* the grade tables inline: each segment's condition as code over the same locals, the declared
  rounding, then the bands as one ``if``/``elif`` chain giving a constant (grade, points) pair.

Only checked trees reach it (the conditions go through :class:`Generator`, like every other
formula); any exception means: take the checked path for this employee.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.formula.codegen import Generator
from engine.formula.compiler import CompiledFormula
from engine.formula.fuse import SheetFuser, SheetPlan

#: One band of a segment: (min, max, min inclusive, max inclusive, (grade, points)).
FlatBand = tuple[Decimal | None, Decimal | None, bool, bool, tuple[str, Decimal | None]]


@dataclass(frozen=True)
class FlatGrade:
    """A grade table as :class:`RecordFuser` takes it: the value it reads, its rounding, and
    each segment's condition (None: always) with its bands in table order."""

    name: str
    input: str
    quantum: Decimal | None
    mode: str | None
    negative: bool  # rounded to tens or more: quantize to 1 afterwards (engine.rounding)
    segments: tuple[tuple[CompiledFormula | None, tuple[FlatBand, ...]], ...]


@dataclass(frozen=True)
class FlatPlan:
    """A policy's per-employee evaluation: the sheet, each employee field's default, the grades."""

    sheet: SheetPlan
    defaults: Mapping[str, Any]
    grades: tuple[FlatGrade, ...]


#: ``(parameters, record fields, record id, goal lines) -> (values, ((grade, points), ...))``.
FlatFunction = Callable[
    [Mapping[str, Any], Mapping[str, Any], str, Any], tuple[tuple[Any, ...], tuple[Any, ...]]
]

_NO_GRADE: tuple[None, None] = (None, None)
#: What holds when a comparison of the value with a constant failed.
_NEGATION = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


class RecordFuser(SheetFuser):
    """Writes ``_flat(_p, _e, _id, lines)`` for a :class:`FlatPlan` (see the module's text)."""

    def __init__(self, plan: FlatPlan) -> None:
        super().__init__(plan.sheet, keep_lines=False)
        self.flat = plan
        self.grade_reads: dict[str, str] = {}

    def base_read(self, name: str, strict: bool = True) -> str:
        """An employee-level value as ``{**params, **defaults, **fields, "id": id}[name]`` gives
        it (``.get`` when not ``strict``), without building that dictionary."""
        if name == "id":
            return "_id"
        var = self.local()
        if name in self.flat.defaults:
            default = self.flat.defaults[name]
            tail = "" if default is None else f", {self.module.hoist(default)}"
            text = f"_e.get({name!r}{tail})"
        else:
            param = f"_p[{name!r}]" if strict else f"_p.get({name!r})"
            text = f"_e[{name!r}] if {name!r} in _e else {param}"
        self.head.append(f"{var} = {text}")
        return var

    def parts(self) -> tuple[list[str], list[str], list[str]]:
        """The function's statements before the loop over the lines, the loop's body (after
        ``_f = _line.fields``), and after it up to its ``return`` (for :meth:`source`, or for a
        function that runs other code in the same loop: the locals are ``_v``/``_t`` numbered,
        ``_c``, ``_f``, ``_line``, ``_rows``, ``_out``)."""
        line, lists = self.line_loop()
        person, _ = self.person(lists)
        names = dict(self.values)
        grades: list[str] = []
        results = [self.grade(table, names, grades) for table in self.flat.grades]
        init = self.init(lists)
        done = f"return ({_tuple(self.values.values())}), ({_tuple(results)})"
        return [*self.head, *init], line, [*person, *grades, done]

    def source(self) -> str:
        """The whole function: the loop over the lines, the employee formulas, the grades."""
        before, line, after = self.parts()
        signature = self.parameters("_p, _e, _id, lines", line)
        body = [f"def _flat({signature}):", *(f"    {t}" for t in before)]
        body += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in line)]
        body += [f"    {t}" for t in after]
        return "\n".join(body) + "\n"

    def read(self, name: str, names: Mapping[str, str]) -> str:
        """The local holding ``name`` after the employee formulas (read once if from the record)."""
        if name in names:
            return names[name]
        if name not in self.grade_reads:
            self.grade_reads[name] = self.base_read(name)
        return self.grade_reads[name]

    def grade(self, table: FlatGrade, names: dict[str, str], out: list[str]) -> str:
        """One table into ``out``: value, rounding, segment, band; the local of its (grade, points)."""
        value = self.read(table.input, names)
        rounded, found = self.local(), self.local()
        quantize = ""
        if table.quantum is not None:
            quantize = f".quantize({self.module.hoist(table.quantum)}, {self.module.hoist(table.mode)})"
            if table.negative:
                quantize += f".quantize({self.module.hoist(Decimal(1))})"
        number = value if value in self.decimals else f"{self.decimal()}({value})"
        out.append(f"{rounded} = {number}{quantize}")
        out += self.segments(table, rounded, found, names)
        names[table.name] = f"{found}[0]"  # a later table's condition may read this grade
        return found

    def decimal(self) -> str:
        return self.module.bind("_D", Decimal)

    def segments(self, table: FlatGrade, rounded: str, found: str, names: Mapping[str, str]) -> list[str]:
        """The first segment whose condition holds, then its first band holding ``rounded``."""
        out: list[str] = []
        none = self.module.hoist(_NO_GRADE)
        keyword = "if"
        for when, bands in table.segments:
            if when is None:
                head = "else:" if keyword == "elif" else "if True:"
            else:
                head = f"{keyword} {self.condition(when, names)}:"
            out.append(head)
            out += [f"    {t}" for t in self.bands(bands, rounded, found, none)]
            if when is None:
                return out
            keyword = "elif"
        out += ["else:", f"    {found} = {none}"] if out else [f"{found} = {none}"]
        return out

    def condition(self, when: CompiledFormula, names: Mapping[str, str]) -> str:
        """A segment's condition over the locals (what it reads from the record, read first)."""
        local = {n: self.read(n, names) for n in sorted(when.names)}
        code = Generator(when.parsed, when.scope, module=self.module, names=local).emit(when.parsed.tree.body)
        return code.text

    def bands(self, bands: tuple[FlatBand, ...], rounded: str, found: str, none: str) -> list[str]:
        """The bands as one ``if``/``elif`` chain. A test the chain already settled is left out:
        when ``r >= 110`` failed, the next band's ``r < 110`` holds (Decimals are totally
        ordered; a NaN raises at the first comparison, on both paths)."""
        out: list[str] = []
        known: set[tuple[str, str]] = set()  # (operator, constant) that hold at this point
        for low, high, low_in, high_in, result in bands:
            parts = []
            if low is not None:
                parts.append((">=" if low_in else ">", self.module.hoist(low)))
            if high is not None:
                parts.append(("<=" if high_in else "<", self.module.hoist(high)))
            needed = [p for p in parts if p not in known]
            test = " and ".join(f"{rounded} {op} {k}" for op, k in needed) or "True"
            out += [f"{'elif' if out else 'if'} {test}:", f"    {found} = {self.module.hoist(result)}"]
            if not needed:
                return out  # this band holds whenever it is reached
            if len(needed) == 1:
                known.add((_NEGATION[needed[0][0]], needed[0][1]))
        out += ["else:", f"    {found} = {none}"] if out else [f"{found} = {none}"]
        return out

    def build_flat(self) -> tuple[str, FlatFunction]:
        """The function source and the function, compiled with an empty ``__builtins__``."""
        source = self.source()
        scope: dict[str, Any] = self.module.globals
        exec(compile(source, "<flat employee>", "exec"), scope)  # only generated, checked text
        fn: FlatFunction = scope.pop("_flat")
        return source, fn


def _tuple(items: Any) -> str:
    """A tuple display of the given texts (``x,`` for one, empty for none)."""
    items = list(items)
    return ", ".join(items) + ("," if len(items) == 1 else "")
