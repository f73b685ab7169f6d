"""The rules a goal sheet's lines are checked against, each one loop over the lines: the weight
band (relaxed on the lines an exception selects), allowed kinds, required fields, difficulty."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from engine.errors import Problem
from engine.formula import CompiledFormula
from engine.io.records import EmployeeRecord, IndicatorRecord

if TYPE_CHECKING:  # the compiled rules build their line checks from this module
    from engine.evaluate.sheet_rules import Difficulty, SheetRules


def optional_decimal(value: Any) -> Decimal | None:
    """A declared bound as a Decimal; None where none is declared."""
    return None if value is None else Decimal(value)


class SheetReport:
    """The problems of one goal sheet, sheet-level or of a line, in the order reported."""

    def __init__(self, record: EmployeeRecord) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def sheet(self, rule: str, message: str) -> None:
        """A problem of the whole sheet."""
        self.problems.append(Problem(self.record.id, None, rule, message, self.record.origin))

    def line(self, index: int, ind: IndicatorRecord, rule: str, message: str) -> None:
        """A problem of line ``index`` (0-based) of the sheet."""
        self.problems.append(Problem(self.record.id, index + 1, rule, message, ind.origin))


#: One line rule over every line of a sheet: (lines, report).
LineCheck = Callable[[Sequence[IndicatorRecord], SheetReport], None]


def line_checks(rules: SheetRules, bounds: Mapping[str, Any]) -> list[LineCheck]:
    """The line rules that apply to this sheet, in the order their problems are reported."""
    found: list[LineCheck] = []
    low, high = bounds["weight_min"], bounds["weight_max"]
    if bounds.get("line_exceptions"):
        found.append(partial(_check_line_weight_bands, rules.weight_field, bounds))
    elif low is not None or high is not None:
        found.append(partial(_check_weight_band, rules.weight_field, low, high))
    if rules.kinds:
        found.append(partial(_check_kinds, rules))
    if rules.required_fields:
        found.append(partial(_check_required, rules.required_fields))
    if rules.required_when:
        found.append(partial(_check_required_when, rules.required_when))
    if rules.difficulty_rule is not None:
        found.append(partial(_check_difficulties, rules.difficulty_rule))
    return found


def _check_weight_band(
    field: str,
    low: Decimal | None,
    high: Decimal | None,
    indicators: Sequence[IndicatorRecord],
    report: SheetReport,
    start: int = 0,
) -> None:
    """Each line's weight within ``low..high`` (``start``: the first line's index in the sheet)."""
    for index, ind in enumerate(indicators, start):
        weight = ind.fields.get(field)
        if weight is None:
            continue
        if (low is not None and weight < low) or (high is not None and weight > high):
            report.line(index, ind, "sheet-weight-band", f"weight {weight} is outside the band {low}..{high}")


def _check_line_weight_bands(
    field: str, bounds: Mapping[str, Any], indicators: Sequence[IndicatorRecord], report: SheetReport
) -> None:
    """The weight band of a sheet with exceptions that relax it on some lines only."""
    for index, ind in enumerate(indicators):
        low, high = _line_band(bounds, ind.fields)
        _check_weight_band(field, low, high, [ind], report, index)


def _check_kinds(rules: SheetRules, indicators: Sequence[IndicatorRecord], report: SheetReport) -> None:
    kinds_of, kind_field, cat_field = rules.kinds, rules.kind_field, rules.category_field
    for index, ind in enumerate(indicators):
        get = ind.fields.get
        category = get(cat_field)
        kinds = kinds_of.get(category if type(category) is str else str(category))
        if kinds and get(kind_field) not in kinds:
            report.line(
                index, ind, "sheet-kind",
                f"kind '{get(kind_field)}' is not allowed in category '{get(cat_field)}' "
                f"(allowed: {', '.join(kinds)})",
            )  # fmt: skip


def _check_required(
    required: tuple[str, ...], indicators: Sequence[IndicatorRecord], report: SheetReport
) -> None:
    _require(required, "", enumerate(indicators), report)


def _check_required_when(
    required_when: Sequence[tuple[CompiledFormula, tuple[str, ...]]],
    indicators: Sequence[IndicatorRecord],
    report: SheetReport,
) -> None:
    """The fields a line must state when its ``required_when`` condition holds (one condition at a
    time; the problems are put back in line order after the line rules ran)."""
    for condition, names in required_when:
        lines = ((index, ind) for index, ind in enumerate(indicators) if condition(ind.fields))
        _require(names, f" ({condition.text})", lines, report)


def _check_difficulties(diff: Difficulty, indicators: Sequence[IndicatorRecord], report: SheetReport) -> None:
    """The cheap test first; the messages only for a line that breaks a difficulty rule."""
    field, low, high, steps = diff.field, diff.min, diff.max, diff.steps
    for index, ind in enumerate(indicators):
        value = ind.fields.get(field)
        if value is not None and (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (steps and (value if type(value) is Decimal else Decimal(value)) not in steps)
        ):
            _check_difficulty(diff, index, ind, report)



def _require(
    names: tuple[str, ...], why: str, lines: Iterable[tuple[int, IndicatorRecord]], report: SheetReport
) -> None:
    """A problem for each of ``names`` a line leaves empty (``why``: the condition that asks)."""
    for index, ind in lines:
        get = ind.fields.get
        for name in names:
            value = get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                report.line(index, ind, "sheet-required-field", f"the goal does not state '{name}'{why}")


def _check_difficulty(diff: Difficulty, index: int, ind: IndicatorRecord, report: SheetReport) -> None:
    value = ind.fields.get(diff.field)
    if value is None:
        return
    low, high = diff.min, diff.max
    if (low is not None and value < low) or (high is not None and value > high):
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is outside {low}..{high}")
    if diff.steps and Decimal(value) not in diff.steps:
        report.line(index, ind, "sheet-difficulty", f"difficulty {value} is not one of {diff.shown}")


def _line_band(
    bounds: Mapping[str, Any], fields: Mapping[str, Any]
) -> tuple[Decimal | None, Decimal | None]:
    """The weight band of one goal line: the sheet's band, relaxed by each exception whose
    ``lines`` condition holds for the line."""
    low, high = bounds["weight_min"], bounds["weight_max"]
    for exc in bounds.get("line_exceptions") or ():
        assert exc.lines is not None
        if exc.lines(fields):
            low = optional_decimal(exc.relax.get("weight_min", low))
            high = optional_decimal(exc.relax.get("weight_max", high))
    return low, high
