"""A goal sheet known clean in one generated pass: the fast answer of most sheet checks.

:func:`clean_sheet_function` writes, once per policy, ``_clean(params, fields, lines)``: True
only when :func:`engine.evaluate.sheet.check_sheet` would find no problem in the sheet. It
follows the same rules in one loop over the lines, each rule inline with the policy's bounds as
constants, and stops at the first breach. False (or any exception) says nothing: the caller then
runs :func:`check_sheet`, which finds and words every problem. So a False is never wrong, and
True is given only where every rule was tested exactly as :func:`check_sheet` tests it:

* the exceptions' bounds are held inline (:mod:`engine.evaluate.sheet_relax`) when their
  conditions can be tested before the loop; otherwise a sheet for which an exception's
  condition holds is left to :func:`check_sheet`;
* the exceptions' and constraints' conditions run on the same environment as there (parameters,
  the employee's fields, a column of each field they read, the lines' fields as rows).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.evaluate import sheet_relax
from engine.evaluate.sheet import Bounds, SheetRules
from engine.formula import Column
from engine.formula.codegen import CountKey, Generator, Module, count_key

#: ``(parameters, employee fields, goal lines) -> known clean``.
CleanSheet = Callable[[Mapping[str, Any], Mapping[str, Any], Any], bool]


def clean_sheet_function(rules: SheetRules) -> CleanSheet:
    """The generated function for ``rules`` (see the module's text)."""
    writer = SheetWriter(rules)
    source = writer.source()
    scope = writer.module.globals
    exec(compile(source, "<clean sheet>", "exec"), scope)  # only generated text: names repr'd
    fn: CleanSheet = scope.pop("_clean")
    return fn


class SheetWriter:
    """Writes the clean-sheet test: :meth:`source` the whole function, :meth:`parts` its pieces
    for a function that runs them in its own loop over the lines (``return False``: not known
    clean). ``module``: the globals to share with other generated code; ``defaults``: the line
    fields' declared defaults, for that code's reading of them (:meth:`shared`)."""

    def __init__(
        self, rules: SheetRules, module: Module | None = None, defaults: Mapping[str, Any] | None = None
    ) -> None:
        self.rules = rules
        self.module = module or Module()
        self.k = self.module.hoist
        for name, obj in _BUILTINS.items():
            bound = self.module.bind(name, obj)
            assert bound == name, bound  # (the text below names them so)
        self.counters = {c: f"_c{i}" for i, c in enumerate(rules.categories)}
        self.reads: dict[str, str] = {}  # a field of the line -> its local
        self.defaults = defaults or {}
        #: A field read with its default too (:meth:`shared`) -> that second local.
        self.defaulted: dict[str, str] = {}
        #: The filtered counts the conditions read, each counted by the loop (see :meth:`inline`).
        self.line_counts: dict[CountKey, str] = {}
        #: Each exception's and constraint's condition as code, or None: each is called on an
        #: environment built as Engine.sheet_env builds it (its columns gathered by the loop).
        self.inlined = self.inline()
        names = rules.column_names if self.inlined is None else ()
        self.columns = {c: f"_col{i}" for i, c in enumerate(names)}
        #: Whether the exceptions are tested before the loop and their bounds held inline
        #: (:mod:`engine.evaluate.sheet_relax`); else a sheet one relaxes is not known clean.
        self.relaxing = sheet_relax.inline_exceptions(rules, self.inlined)
        if self.relaxing:
            assert self.inlined is not None
            self.inlined = sheet_relax.reuse_flags(rules, self.inlined)

    def inline(self) -> dict[int, str] | None:
        """The exceptions' and constraints' conditions as expressions over the parameters, the
        employee's fields and counts of lines, when every column they read is read only by
        ``count(column, field=literal, ...)`` (:func:`count_key`); None otherwise.

        The code is the formulas' own generated code (:class:`Generator`, as their compiled
        functions), each name read where the environment would find it (the employee's field,
        else the parameter) and each count the loop's tally of the lines its filter keeps."""
        r = self.rules
        formulas = [e.when for e in r.exceptions] + [f for c in r.constraints for f in (c.when, c.check) if f]
        columns = set(r.column_names)
        for f in formulas:
            calls = [n for n in ast.walk(f.parsed.tree) if isinstance(n, ast.Call)]
            for call in calls:
                key = count_key(f.parsed, call) if _called(call) == "count" else None
                if key is not None and key[0] in columns and key not in self.line_counts:
                    self.line_counts[key] = f"_n{len(self.line_counts)}"
        out: dict[int, str] = {}
        for f in formulas:
            names = {n: sheet_relax.employee_read(n) for n in f.names - columns}
            generator = Generator(f.parsed, f.scope, module=self.module, names=names)
            generator.counts = self.line_counts
            try:
                out[id(f)] = generator.emit(f.parsed.tree.body).at(_PARENS)
            except KeyError:  # a column read otherwise than counted
                self.line_counts.clear()
                return None
        return out

    def parts(self) -> tuple[list[str], list[str], list[str]]:
        """Before the loop over the lines, the loop's body (after ``_f = _line.fields``), after it."""
        loop = self.line_rules()
        after = [*self.environment(), *self.counts(), *self.totals(), *self.constraints()]
        return self.init(), loop, after

    def source(self) -> str:
        init, loop, after = self.parts()
        after.append("return True")
        signature = ", ".join(["_p, _e, lines", *self.module.as_locals(loop)])
        body = [f"def _clean({signature}):", *(f"    {t}" for t in init)]
        body += ["    for _line in lines:", "        _f = _line.fields", *(f"        {t}" for t in loop)]
        body += [f"    {t}" for t in after]
        return "\n".join(body) + "\n"

    def init(self) -> list[str]:
        r = self.rules
        out = [f"{v} = 0" for v in self.counters.values()]
        if any(r.fixed.values()):
            out.append("_present = _set()")
        if r.weight_total is not None:
            out.append(f"_tot = {self.k(Decimal(0))}" if r.total_scope != "category" else "_tots = {}")
        if self.columns:
            out += ["_srows = []", *(f"{v} = []" for v in self.columns.values())]
        if self.relaxing:
            assert self.inlined is not None
            out += sheet_relax.before_loop(r, self.inlined, self.k)
        return out + [f"{v} = 0" for v in self.line_counts.values()]

    def var(self, name: str) -> str:
        """The local holding the line's field ``name`` (read once, before the line's rules)."""
        if name not in self.reads:
            self.reads[name] = f"_r{len(self.reads)}"
        return self.reads[name]

    def line_rules(self) -> list[str]:
        """One line: its fields read, the tallies (category count, fixed goals, weight totals),
        then each line rule in :func:`engine.evaluate.sheet_lines.line_checks` order."""
        r = self.rules
        out = [f"_cat = {self.var(r.category_field)}"]
        if not self.counters:
            out.append("if _type(_cat) is not _str: _cat = _str(_cat)")
        else:
            # the check takes a category's text: a value that is not text is made text (then
            # counted as that text's category) after the text categories failed
            text = [f"    {t}" for t in ["_cat = _str(_cat)", *self.categories()]]
            out += [*self.categories(), "elif _type(_cat) is not _str:", *text]
        if any(r.fixed.values()):
            out.append(f"_present.add((_cat, {self.var(r.fixed_field)}))")
        out.append(f"_w = {self.var(r.weight_field)}")
        if r.weight_total is not None:
            # what the check adds: the value made Decimal (None adds 0, a float its exact value;
            # text Decimal cannot read raises, as it does in the check). A Decimal or an int
            # (a bool too) adds to a Decimal exactly as its Decimal does: only the others,
            # which Decimal's + refuses, are made Decimal first.
            amount = "_D(_w or 0)"
            if r.total_scope == "category":
                zero = self.k(Decimal(0))
                out += [
                    "try:", f"    _tots[_cat] = _tots.get(_cat, {zero}) + _w",
                    "except _TypeError:", f"    _tots[_cat] = _tots.get(_cat, {zero}) + {amount}",
                ]  # fmt: skip
            else:
                out += ["try:", "    _tot = _tot + _w", "except _TypeError:", f"    _tot = _tot + {amount}"]
        if self.columns:
            out.append("_srows.append(_f)")
            out += [f"{v}.append({self.var(c)})" for c, v in self.columns.items()]
        for key, counter in self.line_counts.items():
            out += _tally(key, counter, self.k, self.var)
        out += self.weight_band() + self.kinds() + self.required() + self.difficulty()
        return [*self.read_block(), *out]

    def categories(self) -> list[str]:
        """``_cat`` counted in its category, whose kinds are tested there."""
        r, out = self.rules, []
        for index, (category, counter) in enumerate(self.counters.items()):
            out += [f"{'el' if index else ''}if _cat == {self.k(category)}:", f"    {counter} += 1"]
            if r.kinds.get(category):
                kinds = self.k(tuple(r.kinds[category]))
                out.append(f"    if {self.var(r.kind_field)} not in {kinds}: return False")
        return out

    def read_block(self) -> list[str]:
        """The line's fields into locals: subscripts, and if the line lacks one, ``.get`` (None)
        for all; reading has no effect, so the second reading is the only one that counts. A
        field with a default in ``defaults`` is read into a second local too, holding what
        ``.get(name, default)`` gives (the formulas' reading of it: :meth:`shared`)."""
        first = [f"{v} = _f[{name!r}]" for name, v in self.reads.items()]
        again = [f"{v} = _f.get({name!r})" for name, v in self.reads.items()]
        if not first:
            return []
        for index, name in enumerate(self.reads):
            default = self.defaults.get(name)
            if default is not None:
                var = f"_rd{index}"
                self.defaulted[name] = var
                first[index] = f"{var} = {first[index]}"
                again.append(f"{var} = _f.get({name!r}, {self.k(default)})")
        return ["try:", *(f"    {t}" for t in first), "except _KeyError:", *(f"    {t}" for t in again)]

    def shared(self) -> dict[str, str]:
        """After :meth:`parts`: the locals of the line's fields the loop reads, for other code in
        the same loop, each holding what ``_f.get(name, default)`` gives (a field with a default
        in ``defaults`` has a second local, see :meth:`read_block`)."""
        return {name: self.defaulted.get(name, var) for name, var in self.reads.items()}

    def weight_band(self) -> list[str]:
        if self.relaxing:
            return sheet_relax.weight_band(self.rules, self.k)
        low, high = self.rules.weight_min, self.rules.weight_max
        tests = ([f"_w < {self.k(low)}"] if low is not None else []) + (
            [f"_w > {self.k(high)}"] if high is not None else []
        )
        return [f"if _w is not None and ({' or '.join(tests)}): return False"] if tests else []

    def kinds(self) -> list[str]:
        """The kinds of the categories the counting branches do not test (none: every category
        with kinds has its count)."""
        left = {c: kinds for c, kinds in self.rules.kinds.items() if c not in self.counters}
        if not left:
            return []
        kind = self.var(self.rules.kind_field)
        kinds = self.k(left)
        return [f"_ks = {kinds}.get(_cat)", f"if _ks and {kind} not in _ks: return False"]

    def required(self) -> list[str]:
        fields = [self.var(name) for name in self.rules.required_fields]
        out = [t for v in fields for t in _require(v, "")]
        if len(fields) > 1:
            # All stripped to something: none is blank (text with more than spaces, or a value
            # that is not text). Else, or if one has no strip (None), each is tested as above.
            exact = [f"    {t}" for t in out]
            test = " and ".join(f"{v}.strip()" for v in fields)
            out = ["try:", f"    _ok = {test}", "except _AttributeError:", "    _ok = False"]
            out += ["if not _ok:", *exact]
        for condition, names in self.rules.required_when:
            out.append(f"if {self.k(condition.fast)}(_f):")
            for name in names:  # read only on the lines the condition selects
                out += [f"    _v = _f.get({name!r})", *_require("_v", "    ")]
        return out

    def difficulty(self) -> list[str]:
        diff = self.rules.difficulty_rule
        if diff is None:
            return []
        tests = []
        if diff.min is not None:
            tests.append(f"_d < {self.k(diff.min)}")
        if diff.max is not None:
            tests.append(f"_d > {self.k(diff.max)}")
        read = f"_d = {self.var(diff.field)}"
        if diff.steps:
            steps = self.k(diff.steps)
            tests.append(f"(_d if _type(_d) is _D else _D(_d)) not in {steps}")
            low, high = diff.min, diff.max
            if all((low is None or low <= s) and (high is None or s <= high) for s in diff.steps):
                # one test, each step being within the bounds: a number is in the set exactly
                # when its Decimal is (equal values hash alike); text is not; a NaN is not, or
                # cannot be hashed (sNaN): not clean or an error, as the three tests say
                return [read, f"if _d not in {steps} and _d is not None: return False"]
        if not tests:
            return []
        return [read, f"if _d is not None and ({' or '.join(tests)}): return False"]

    def environment(self) -> list[str]:
        """What the exceptions and constraints read, as :meth:`Engine.sheet_env` builds it; a
        sheet an exception relaxes is left to the full check."""
        r = self.rules
        if not r.exceptions and not r.constraints:
            return []
        if self.relaxing:  # tested before the loop, their bounds held there
            return []
        if self.inlined is not None:
            return [f"if {self.inlined[id(e.when)]}: return False" for e in r.exceptions]
        column = self.k(Column)
        out = ["_env = _dict(_p)", "_env.update(_e)"]
        out += [f"_env[{c!r}] = {column}({v}, _srows)" for c, v in self.columns.items()]
        out += [f"if {self.k(e.when.fast)}(_env): return False" for e in r.exceptions]
        return out

    def counts(self) -> list[str]:
        r = self.rules
        if self.relaxing:
            out = sheet_relax.count_bounds(r)
        else:
            out = (
                [f"if {_breached('_len(lines)', r.total, self.k)}: return False"] if _bounded(r.total) else []
            )
        for category, bounds in r.categories.items():
            if _bounded(bounds):
                out.append(f"if {_breached(self.counters[category], bounds, self.k)}: return False")
        for category, ids in r.fixed.items():
            out += [f"if ({self.k(category)}, {self.k(i)}) not in _present: return False" for i in ids]
        return out

    def totals(self) -> list[str]:
        r = self.rules
        if r.weight_total is None:
            return []
        total = self.k(r.weight_total)
        if r.total_scope == "category":
            return ["for _t in _tots.values():", f"    if _t != {total}: return False"]
        return [f"if lines and _tot != {total}: return False"]

    def constraints(self) -> list[str]:
        out = []
        code = self.inlined
        for c in self.rules.constraints:
            check = f"not {code[id(c.check)]}" if code is not None else f"not {self.k(c.check.fast)}(_env)"
            when = ""
            if c.when is not None:
                when = f"{code[id(c.when)]} and " if code is not None else f"{self.k(c.when.fast)}(_env) and "
            out.append(f"if {when}{check}: return False")
        return out


#: The builtins the generated text calls (its ``__builtins__`` is empty).
_BUILTINS: dict[str, Any] = {
    "_D": Decimal, "_type": type, "_str": str, "_len": len, "_dict": dict, "_set": set,
    "_isinstance": isinstance, "_KeyError": KeyError, "_AttributeError": AttributeError,
    "_TypeError": TypeError,
}  # fmt: skip


#: Parentheses around a condition's code: the precedence above every operator's.
_PARENS = 1000


def _called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else None


def _tally(key: CountKey, counter: str, k: Callable[[Any], str], var: Callable[[str], str]) -> list[str]:
    """The line counted when it holds the filter: ``row.get(field) == value`` for each, as
    :func:`engine.formula.builtins.agg_count` selects lines (``var``: the local the line's read
    block puts that ``.get`` in)."""
    tests = [f"{var(field)} == {k(value)}" for field, value in key[1]]
    return [f"if {' and '.join(tests)}: {counter} += 1"] if tests else [f"{counter} += 1"]


def _require(var: str, indent: str) -> list[str]:
    """The test of :func:`engine.evaluate.sheet_lines._require` for a field read into ``var``."""
    return [f"{indent}if {var} is None or (_isinstance({var}, _str) and not {var}.strip()): return False"]


def _bounded(bounds: Bounds) -> bool:
    return bounds.min is not None or bounds.max is not None


def _breached(value: str, bounds: Bounds, k: Callable[[Any], str]) -> str:
    """The test of :meth:`Bounds.breached` for ``value``."""
    tests = ([f"{value} < {k(bounds.min)}"] if bounds.min is not None else []) + (
        [f"{value} > {k(bounds.max)}"] if bounds.max is not None else []
    )
    return " or ".join(tests)
