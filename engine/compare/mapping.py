"""A declared mapping from the canonical population to one scheme's records, validated like a policy.

Load (YAML with line marks) -> shape (``engine/data/mapping.schema.json``) -> meaning: target
fields the policy declares, source fields and lists the population has, formulas compiled by
the policy formula compiler against those names. Every problem is a located diagnostic.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from engine.compare.headline import headline, levels_of
from engine.compare.population import CanonicalPopulation
from engine.errors import DataError, Diagnostic, Severity, UsageError
from engine.formula import CompiledFormula, FormulaError, Scope, compile_formula
from engine.loader import LoadedDocument, load_yaml_file
from engine.location import Path
from engine.resources import schema_file
from engine.schema import validate_with
from engine.suggest import did_you_mean

#: Record fields every scheme has whatever its policy declares (see docs/records.md).
BUILT_IN = {"employee": {"id", "name"}, "indicator": {"title"}}


@functools.cache
def _validator() -> Draft202012Validator:
    path = schema_file("mapping.schema.json")
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class FieldRule:
    """How one target field gets its value: copy, constant or formula, then the default."""

    target: str
    kind: str  # "from", "value" or "expr"
    source: Any
    formula: CompiledFormula | None
    default: Any
    has_default: bool


@dataclass(frozen=True)
class Let:
    name: str
    over: str | None
    formula: CompiledFormula


@dataclass(frozen=True)
class RowRule:
    """One block of goal-sheet lines: a list of the person (or one line per person)."""

    source: str | None
    when: CompiledFormula | None
    lets: tuple[Let, ...]
    fields: tuple[FieldRule, ...]
    path: Path


@dataclass(frozen=True)
class CompiledMapping:
    """A compiled mapping for one policy."""

    file: str
    policy_id: str
    parameters: Mapping[str, Any]
    lets: tuple[Let, ...]
    employee: tuple[FieldRule, ...]
    indicators: tuple[RowRule, ...]
    periods: Mapping[str, tuple[RowRule, ...]]
    result: Mapping[str, str]
    pay: Mapping[str, Any] | None
    #: Per other policy id: its headline grade -> this scheme's (``grade_correspondence``).
    correspondence: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Where each (other policy id, its grade) is declared, for a problem found when comparing.
    correspondence_at: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class _Checker:
    doc: LoadedDocument
    policy: Mapping[str, Any]
    population: CanonicalPopulation
    problems: list[Diagnostic] = field(default_factory=list)

    def report(self, path: Path, rule: str, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Diagnostic(self.doc.source.locate(path, key=key), rule, message, hint))

    def declared(self, level: str) -> set[str]:
        inputs = (self.policy.get("inputs") or {}).get(level) or {}
        return set(inputs) | BUILT_IN.get(level, set())

    def formula(self, path: Path, text: str, scope: Scope) -> CompiledFormula | None:
        try:
            return compile_formula(text, scope)
        except FormulaError as exc:
            loc = self.doc.source.locate(path)
            style = self.doc.source.styles.get(path)
            for p in exc.problems:
                # The column of the offending character itself, when the formula is on one line.
                col = loc.col if style in ("|", ">") else loc.col + p.offset + (1 if style else 0)
                message = f'{p.message} in "{text}"'
                where = replace(loc, col=col)
                self.problems.append(Diagnostic(where, f"map-{p.rule}", message, p.suggestion))
            return None

    def lets(self, raw: Mapping[str, Any], path: Path, scalars: dict[str, str]) -> tuple[Let, ...]:
        out = []
        lists = self.population.list_fields()
        for name, spec in raw.items():
            over = spec.get("over")
            columns: dict[str, str] = {}
            if over is not None:
                if over not in lists:
                    self.report(
                        (*path, name, "over"),
                        "map-unknown-list",
                        f"the population has no list '{over}'",
                        did_you_mean(over, lists) or "lists: " + ", ".join(sorted(lists)),
                    )
                    continue
                columns = {f: "any" for f in lists[over]}
            compiled = self.formula((*path, name, "expr"), str(spec["expr"]), Scope(scalars, columns))
            if compiled is not None:
                out.append(Let(name, over, compiled))
            scalars[name] = "any"
        return tuple(out)

    def fields(
        self, raw: Mapping[str, Any], path: Path, level: str, sources: set[str], scalars: Mapping[str, str]
    ) -> tuple[FieldRule, ...]:
        allowed = self.declared(level)
        out = []
        for target, spec in raw.items():
            if target not in allowed:
                self.report(
                    (*path, target),
                    "map-unknown-field",
                    f"policy {self.policy['metadata']['id']} declares no {level} field '{target}'",
                    did_you_mean(target, allowed) or "declared: " + ", ".join(sorted(allowed)),
                    key=True,
                )
                continue
            kind = next(k for k in ("from", "value", "expr") if k in spec)
            formula = None
            if kind == "from" and spec["from"] not in sources:
                self.report(
                    (*path, target, "from"),
                    "map-unknown-source",
                    f"no person in {self.population.file} has a field '{spec['from']}'",
                    did_you_mean(str(spec["from"]), sources),
                )
                continue
            if kind == "expr":
                formula = self.formula((*path, target, "expr"), str(spec["expr"]), Scope(scalars))
                if formula is None:
                    continue
            out.append(FieldRule(target, kind, spec[kind], formula, spec.get("default"), "default" in spec))
        return tuple(out)

    def rows(self, raw: Sequence[Mapping[str, Any]], path: Path, base: dict[str, str]) -> tuple[RowRule, ...]:
        lists = self.population.list_fields()
        out = []
        for index, block in enumerate(raw):
            where = (*path, index)
            source = block.get("from")
            scalars = dict(base)
            if source is not None:
                if source not in lists:
                    self.report(
                        (*where, "from"),
                        "map-unknown-list",
                        f"the population has no list '{source}'",
                        did_you_mean(source, lists) or "lists: " + ", ".join(sorted(lists)),
                    )
                    continue
                scalars.update({f: "any" for f in lists[source]})
            scalars["position"] = "decimal"
            when = (
                self.formula((*where, "when"), str(block["when"]), Scope(scalars))
                if "when" in block
                else None
            )
            lets = self.lets(block.get("let") or {}, (*where, "let"), scalars)
            sources = set(scalars)
            fields = self.fields(block["fields"], (*where, "fields"), "indicator", sources, scalars)
            out.append(RowRule(source, when, lets, fields, where))
        return tuple(out)

    def shape(self, data: Mapping[str, Any]) -> None:
        """Checks of meaning that need the policy: its id, periods, results and pay."""
        policy_id = self.policy["metadata"]["id"]
        if data["policy"] != policy_id:
            self.report(
                ("policy",),
                "map-policy-mismatch",
                f"the mapping is for policy '{data['policy']}', not '{policy_id}'",
            )
        self.goal_sheets(data, policy_id)
        self.results(data, policy_id)
        self.correspondence(data)
        self.pay_and_parameters(data, policy_id)

    def goal_sheets(self, data: Mapping[str, Any], policy_id: str) -> None:
        """A policy with periods maps each period; one without maps its one goal sheet."""
        periods = self.policy.get("periods") or {}
        declared = [k for k, v in periods.items() if isinstance(v, Mapping)]
        if declared and set(data.get("periods") or {}) != set(declared):
            self.report(
                ("periods",) if "periods" in data else (),
                "map-periods",
                f"policy {policy_id} has periods {', '.join(declared)}: map each under 'periods'",
            )
        if not declared and "indicators" not in data:
            self.report(
                (), "map-indicators", f"policy {policy_id} reads one goal sheet: map it under 'indicators'"
            )

    def results(self, data: Mapping[str, Any], policy_id: str) -> None:
        """Each mapped result names a result the policy computes."""
        names = _result_names(self.policy)
        for key, value in (data.get("result") or {}).items():
            if value not in names:
                self.report(
                    ("result", key),
                    "map-unknown-result",
                    f"policy {policy_id} has no result '{value}'",
                    did_you_mean(value, names),
                )

    def pay_and_parameters(self, data: Mapping[str, Any], policy_id: str) -> None:
        """Pay needs a policy with a merit raise; each parameter must be one the policy declares."""
        if "pay" in data and not (self.policy.get("pay") or {}).get("merit"):
            self.report(("pay",), "map-no-pay", f"policy {policy_id} declares no merit raise")
        for name in data.get("parameters") or {}:
            if name not in ((self.policy.get("inputs") or {}).get("parameters") or {}):
                self.report(
                    ("parameters", name),
                    "map-unknown-field",
                    f"policy {policy_id} declares no parameter '{name}'",
                    key=True,
                )

    def correspondence(self, data: Mapping[str, Any]) -> None:
        """Each declared grade reads as a level of this scheme's headline grade."""
        levels = levels_of(self.policy, headline(self.policy, data.get("result") or {})[1])
        for other, table in (data.get("grade_correspondence") or {}).items():
            for grade, ours in table.items():
                if str(ours) not in levels:
                    self.report(
                        ("grade_correspondence", other, grade),
                        "map-unknown-grade",
                        f"policy {self.policy['metadata']['id']} has no grade '{ours}'"
                        f" on its headline scale ({', '.join(levels) or 'none'})",
                        did_you_mean(str(ours), levels),
                    )


def _result_names(policy: Mapping[str, Any]) -> set[str]:
    formulas = policy.get("formulas") or {}
    names = set(formulas.get("employee") or {})
    names |= set(policy.get("grade_tables") or {}) | set(policy.get("distributions") or {})
    blend = (policy.get("periods") or {}).get("blend")
    return names | ({blend} if blend else set())


def _read(path: str) -> LoadedDocument:
    """Load the mapping file and check its shape; raise :class:`DataError` on any problem."""
    try:
        doc = load_yaml_file(path, display=path)
    except UsageError as exc:
        raise DataError(str(exc)) from None
    problems = [d for d in doc.diagnostics if d.severity is Severity.ERROR]
    if not problems:
        problems = validate_with(_validator(), doc.data, doc.source)
    if problems:
        raise DataError(_listed(problems))
    return doc


def _correspondence(doc: LoadedDocument) -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], str]]:
    """The declared grade correspondence as text, and where each of its grades is declared."""
    declared = doc.data.get("grade_correspondence") or {}
    tables = {str(other): {str(k): str(v) for k, v in table.items()} for other, table in declared.items()}
    at = {
        (str(other), str(k)): str(doc.source.locate(("grade_correspondence", other, k), key=True))
        for other, table in declared.items()
        for k in table
    }
    return tables, at


def load_mapping(path: str, policy: Mapping[str, Any], population: CanonicalPopulation) -> CompiledMapping:
    """Read, check and compile a mapping; raise :class:`DataError` listing every located problem."""
    doc = _read(path)
    data = doc.data
    checker = _Checker(doc, policy, population)
    checker.shape(data)
    if any(p.rule == "map-policy-mismatch" for p in checker.problems):
        raise DataError(_listed(checker.problems))  # every other problem would be noise
    scalars = {name: "any" for name in population.field_names()}
    lets = checker.lets(data.get("let") or {}, ("let",), scalars)
    employee = checker.fields(data.get("employee") or {}, ("employee",), "employee", set(scalars), scalars)
    indicators = checker.rows(data.get("indicators") or [], ("indicators",), scalars)
    periods = {
        name: checker.rows(rows, ("periods", name), scalars)
        for name, rows in (data.get("periods") or {}).items()
    }
    if checker.problems:
        raise DataError(_listed(sorted(checker.problems, key=Diagnostic.sort_key)))
    correspondence, correspondence_at = _correspondence(doc)
    return CompiledMapping(
        path,
        str(data["policy"]),
        dict(data.get("parameters") or {}),
        lets,
        employee,
        indicators,
        periods,
        dict(data.get("result") or {}),
        data.get("pay"),
        correspondence,
        correspondence_at,
    )


def _listed(problems: Sequence[Diagnostic]) -> str:
    lines = []
    for d in problems:
        lines.append(f"{d.location}: error [{d.rule}] {d.message}")
        if d.suggestion:
            lines.append(f"  suggestion: {d.suggestion}")
    return "the mapping is invalid:\n" + "\n".join(lines)
