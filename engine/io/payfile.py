"""Reading a ``pay`` data file (docs/jobeval-and-pay.md "Commands and data formats"):
``parameters`` (the base rate X, ...), ``company`` (pool inputs and eligibility facts), optionally
``zone_from`` (which employee fields give the pay grade and salary a zone is found from), and
``employees``.

A file of the wrong shape is a located :class:`DataError`; a problem with one employee (a
duplicate id, an unknown key, a credit that is not a number) is collected as a
:class:`Diagnostic` about that employee, and the others are still read. :class:`PayFile` is what
:func:`engine.pay.build_pay_report` reads each section through (its ``PayData``), when it needs it.

The employees are read one at a time (:meth:`PayFile.employees`): a CSV file or a workbook a
row at a time (:func:`engine.io.tabledoc.stream_table_document`), so a table of a million
employees is never held whole; so is a YAML or JSON file's ``employees`` list for the ``pay``
command (:func:`engine.io.yamlstream.stream_document`: the loader's own values and line marks,
an employee at a time), which reads the file whole where the stream gives up. The ids met are
kept compact (:class:`~engine.io.ids.SeenIds`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import DataError, Diagnostic, UsageError
from engine.io.datafile import (
    TableReading,
    need_list,
    need_mapping,
    open_data_file,
    unknown_keys,
    value_problems,
    where,
)
from engine.io.fields import NUMBER, FieldError, FieldRule, compile_fields, is_absent, number_hint
from engine.io.ids import SeenIds
from engine.io.spool import ItemSpool
from engine.loader import MAX_EXPONENT, MAX_NUMBER_CHARS, LoadedDocument
from engine.location import Path, json_path

TOP_KEYS = frozenset({"policy", "parameters", "company", "zone_from", "employees"})
ZONE_FROM_KEYS = frozenset({"grade", "salary", "field"})
PROMOTION_KEYS = frozenset({"history", "credits", "required_credits"})
#: Employee keys the command reads itself; every other key is a field the policy's formulas read.
RESERVED = frozenset({"id", "name", "promotion"})


#: An employee's ``promotion`` record: grade history by year, credits, required credits.
PromotionRecord = tuple[dict[str, Any], Decimal | None, Decimal | None]


@dataclass
class PayFile:
    """A ``pay`` data file being read, with every problem found in it (and while computing from it)."""

    policy: Mapping[str, Any]
    doc: LoadedDocument
    #: Where :meth:`problem` adds a problem (a pay run switches it from section to section).
    problems: list[Diagnostic] | ItemSpool[Diagnostic] = field(default_factory=list)
    #: A table's records, read one at a time (None: the document holds them).
    records: Iterator[tuple[str, int, dict[str, Any]]] | None = None
    #: The employee ids met so far.
    seen: SeenIds = field(default_factory=SeenIds)

    def problem(
        self, subject: str, path: Path, rule: str, message: str, suggestion: str | None = None
    ) -> None:
        """Collect a problem about ``subject`` at ``path`` of the data file."""
        location = self.doc.source.locate(path)
        self.problems.append(Diagnostic(location, rule, message, suggestion, subject=subject))

    def unknown_keys(
        self, subject: str, path: Path, record: Mapping[str, Any], allowed: frozenset[str], what: str
    ) -> None:
        """Collect the unknown keys of ``record`` (at ``path``) as problems about ``subject``."""
        self.problems.extend(d.about(subject) for d in unknown_keys(self.doc, path, record, allowed, what))

    @property
    def pay(self) -> Mapping[str, Any]:
        """The policy's ``pay`` section."""
        spec: Mapping[str, Any] = self.policy.get("pay") or {}
        return spec

    @property
    def file(self) -> str:
        return self.doc.file

    def where(self, path: Path) -> str:
        """``file:line:col`` of a node of the file."""
        return where(self.doc, path)

    def has(self, key: str) -> bool:
        """Whether the file has the top-level ``key``."""
        return key in self.doc.data

    def parameters(
        self, base_rate: str | None, complete: Callable[[Mapping[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        return read_parameters(self, base_rate, complete)

    def employees(self) -> Iterator[PayEmployee]:
        return read_employees(self)

    def zone_from(self) -> Mapping[str, Any] | None:
        return read_zone_from(self)

    def company(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return read_company(self, params)

    def promotion(self, emp: PayEmployee) -> PromotionRecord | None:
        return read_promotion(self, emp)


def read_pay_file(
    policy: Mapping[str, Any], path: str, table: TableReading | None = None, *, stream: bool = False
) -> PayFile:
    """Open the data file ``path`` for a ``pay`` run; its unknown top-level keys are problems.
    ``table``: it may be a CSV file or a workbook (employees; a workbook's ``parameters``,
    ``company`` and ``zone_from`` sheets), read as it says. ``stream``: a YAML or JSON file's
    employees read one at a time too (:func:`~engine.io.datafile.open_data_file`: reading them
    may raise :class:`~engine.io.model.ReadWhole`, then the file is to be read whole)."""
    if table is not None:  # the caller's reading is not changed; its notes list is shared
        table = replace(table, sections=("parameters", "company", "zone_from"))
    doc, records = open_data_file(path, ("employees",), table=table, stream=stream)
    pay = PayFile(policy, doc, records=records)
    pay.unknown_keys("file", (), doc.data, TOP_KEYS, "the file")
    return pay


@dataclass(frozen=True)
class PayEmployee:
    """One employee record: its place in the file, its id, the fields formulas read, the record."""

    index: int
    id: str
    fields: dict[str, Any]
    raw: Mapping[str, Any]
    #: A value of the record is bad (its problem is collected): the employee is not computed.
    bad: bool = False

    @property
    def path(self) -> Path:
        return ("employees", self.index)

    @property
    def name(self) -> str:
        return str(self.raw.get("name", ""))


def parse_number(value: str, what: str) -> Decimal:
    """``value`` (the option ``what``) as an exact number, written as a records file's number is
    (:data:`~engine.io.fields.NUMBER`) and bounded like the loader bounds a file's.

    An exponent such as ``1e-999999`` is a finite Decimal, but a raise computed from it loses
    the base rate's digits (and later roundings fail), so the same limits apply here.
    """
    if NUMBER.fullmatch(value.strip()) is None:  # no 1_000, no １２, no NaN
        raise UsageError(f"{what} {value!r} is not a number{number_hint(value)}")
    try:
        number: Decimal | None = Decimal(value)
    except InvalidOperation:  # an exponent beyond even Decimal's own bounds
        number = None
    if number is None or len(value.strip()) > MAX_NUMBER_CHARS or not _bounded(number):
        shown = value if len(value) <= 24 else value[:20] + "..."
        raise UsageError(
            f"{what} {shown!r} is out of range: at most {MAX_NUMBER_CHARS} characters"
            f" and a decimal exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}"
        )
    return number


def _bounded(number: Decimal) -> bool:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # the grammar admits finite numbers only
    return abs(exponent) <= MAX_EXPONENT and abs(number.adjusted()) <= MAX_EXPONENT


def read_parameters(
    run: PayFile, base_rate: str | None, complete: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """The file's ``parameters`` made the run's by ``complete`` (the policy's declared defaults
    under them), with ``--base-rate`` over the one ``pay.merit.base_rate`` names."""
    data = run.doc.data
    given = need_mapping(run.doc, ("parameters",), data.get("parameters", {}), "parameters")
    params = complete(given)
    merit = run.pay.get("merit")
    if merit is None:
        return params
    name = str(merit["base_rate"])
    if base_rate is not None:
        params[name] = parse_number(base_rate, "--base-rate")
    if name not in params:
        raise UsageError(
            f"the merit raise needs the base raise rate {name}: give it under 'parameters:' in"
            f" {run.doc.file} or with --base-rate"
        )
    return params


def read_employees(run: PayFile) -> Iterator[PayEmployee]:
    """The ``employees`` list, one at a time; a duplicate id is a problem, a record without one
    a DataError."""
    seen = run.seen
    rules = compile_fields((run.policy.get("inputs") or {}).get("employee"), run.policy.get("scales"))
    given = defaults(run.policy)
    for index, raw in _records(run):
        record = need_mapping(run.doc, ("employees", index), raw, "an employee")
        if record.get("id") is None:
            raise DataError(f"{where(run.doc, ('employees', index))}: an employee needs an 'id'")
        emp = str(record["id"])
        if not seen.add(emp):
            run.problem(
                emp, ("employees", index, "id"), "pay-duplicate-employee", f"employee {emp} appears twice"
            )
        fields = {k: v for k, v in record.items() if k not in RESERVED}
        bad = _bad_values(run, emp, ("employees", index), fields, rules)
        yield PayEmployee(index, emp, {**given, "id": emp, **fields}, record, bad)


def _records(run: PayFile) -> Iterator[tuple[int, Any]]:
    """Each record of ``employees`` with its index: a table's as its rows are read."""
    data = run.doc.data
    if run.records is None:
        if "employees" not in data:
            raise DataError(f"{where(run.doc, ())}: the file has no 'employees' list")
        yield from enumerate(need_list(run.doc, ("employees",), data["employees"], "employees"))
        return
    count = 0
    for _, index, record in run.records:  # (a table's records are all employees: its one list)
        count += 1
        yield index, record
    if not count and "employees" not in data:  # (a YAML file's empty list is a list)
        raise DataError(f"{where(run.doc, ())}: the file has no 'employees' list")


def _bad_values(
    run: PayFile, emp: str, at: Path, fields: Mapping[str, Any], rules: Mapping[str, FieldRule]
) -> bool:
    """Collect the record's bad values: those the loader left as text (``.nan``, ``yes``,
    ``1e400``) and declared fields of the wrong type; True if any (no formula is to see them)."""
    problems = value_problems(run.doc, at, emp)
    flagged = {d.location.path for d in problems}
    for key, value in fields.items():
        rule = rules.get(str(key))
        if rule is None or is_absent(value) or json_path((*at, str(key))) in flagged:
            continue
        try:
            rule.convert(value)
        except FieldError as exc:
            location = run.doc.source.locate((*at, str(key)))
            problems.append(Diagnostic(location, exc.rule, f"{key}: {exc.message}", subject=emp))
    run.problems.extend(problems)
    return bool(problems)


def defaults(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The declared defaults of ``inputs.employee`` (a pay file may leave those fields out)."""
    declared = (policy.get("inputs") or {}).get("employee") or {}
    return {name: spec["default"] for name, spec in declared.items() if "default" in spec}


def read_zone_from(run: PayFile) -> Mapping[str, Any] | None:
    """The file's ``zone_from`` (its unknown keys are problems of the file), or None."""
    data = run.doc.data
    if "zone_from" not in data:
        return None
    zone_from = need_mapping(run.doc, ("zone_from",), data["zone_from"], "zone_from")
    run.unknown_keys("file", ("zone_from",), zone_from, ZONE_FROM_KEYS, "zone_from")
    return zone_from


def read_company(run: PayFile, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with the file's ``company`` facts over them."""
    raw = run.doc.data.get("company", {})
    return {**params, **need_mapping(run.doc, ("company",), raw, "company")}


def read_promotion(run: PayFile, emp: PayEmployee) -> PromotionRecord | None:
    """The employee's ``promotion`` record (history, credits), or None when it has none."""
    if "promotion" not in emp.raw:
        return None
    at: Path = (*emp.path, "promotion")
    spec = need_mapping(run.doc, at, emp.raw["promotion"], "promotion")
    run.unknown_keys(emp.id, at, spec, PROMOTION_KEYS, "promotion")
    history = need_mapping(run.doc, (*at, "history"), spec.get("history", {}), "history")
    return (
        {str(year): g if isinstance(g, Mapping) else str(g) for year, g in history.items()},
        _credits(run, emp, spec, "credits"),
        _credits(run, emp, spec, "required_credits"),
    )


def _credits(run: PayFile, emp: PayEmployee, spec: Mapping[str, Any], key: str) -> Decimal | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        run.problem(
            emp.id,
            (*emp.path, "promotion", key),
            "pay-promotion",
            f"employee {emp.id}: {key} is not a number",
        )
        return None
    return Decimal(value)
