"""What each goal line adds to its sheet's tallies, remembered per distinct line (the memo of
:mod:`engine.evaluate.sheet_fast`).

The line rules other than the required fields (category and kind, weight band, difficulty) and
the line's part of the sheet's tallies (a category's count, a filtered count, the weight total)
depend only on a few fields whose values repeat from line to line: the readers give equal cells
one object, and a Decimal keeps its hash. :class:`LineMemo` answers a line by those values (its
*key*) with one int that packs its tallies, ``None`` for a line it does not answer (a breach, an
error, a value it cannot pack): the generated code then leaves the whole sheet to the exact
generated test, which gives the answer it always gave.

The answer is found by the rule-by-rule code itself (:func:`line_checks`, the tally of
:mod:`engine.evaluate.sheet`) on a line made of the key, once per key; the generated code only
adds the ints. A key is looked up by equality, so a value equal to a remembered one (``5``,
``5.0``, ``Decimal('5.00')``) gets the remembered answer: every rule the memo answers compares
numbers by value (bounds, allowed steps, literal filters) or sums them exactly (the total), so
equal values have equal answers. Text is only equal to text; a category that is not text is
never remembered (its text decides its category). The memo is bounded: when full, a new line
is answered but not remembered.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from decimal import Decimal
from typing import Any

from engine.evaluate.sheet_lines import SheetReport, line_checks
from engine.evaluate.sheet_rules import SheetRules
from engine.formula.codegen import CountKey
from engine.io.records import EmployeeRecord, IndicatorRecord

#: Bits of each count in the packed int (a sheet has fewer than 2**32 lines).
WIDTH = 32
#: The weight total is summed in units of 10**-SCALE ...
SCALE = 8
#: ... for weights below this magnitude (then every partial sum of a sheet stays within 28
#: digits, so the Decimal sum of the rule-by-rule check is exact too, and equal to this one).
LARGEST = 10**10
#: Distinct keys remembered at most.
LIMIT = 4096

_NOBODY = EmployeeRecord("", {}, (), {}, (), "")


class LineMemo:
    """The packed tallies of a line by its key (see the module's text).

    ``fields``: the line fields of the key, in order; ``counts``: the filtered counts the
    conditions read. Packed, low bits first: one count per category of ``rules.categories``,
    one per filtered count, then (signed, in the top bits) the weight in units of
    10**-:data:`SCALE` when the policy declares a total.
    """

    def __init__(self, rules: SheetRules, fields: Sequence[str], counts: Sequence[CountKey]) -> None:
        # required fields are tested line by line by the generated code: their text is free
        self.checks = line_checks(replace(rules, required_fields=()), rules.plain_bounds)
        self.rules = rules
        self.fields = tuple(fields)
        self.categories = tuple(rules.categories)
        self.counts = tuple(counts)
        self.known: dict[tuple[Any, ...], int] = {}
        self.category = self.fields.index(rules.category_field)

    @property
    def weight_shift(self) -> int:
        """Where the weight total starts in the packed int."""
        return WIDTH * (len(self.categories) + len(self.counts))

    def verdict(self, *key: Any) -> int | None:
        """The packed tallies of a line with these values (remembered if it may be), or None."""
        try:
            packed = self._pack(key)
        except Exception:  # a value a rule cannot compare: the exact test decides
            return None
        if packed is not None and len(self.known) < LIMIT and type(key[self.category]) is str:
            with suppress(TypeError):  # a value with no hash (a list, a signaling NaN): not remembered
                self.known[key] = packed
        return packed

    def _pack(self, key: tuple[Any, ...]) -> int | None:
        fields = dict(zip(self.fields, key, strict=True))  # a field the line lacks reads None
        line = IndicatorRecord(fields, "")
        report = SheetReport(_NOBODY)
        for check in self.checks:
            check([line], report)
        if report.problems:
            return None
        rules = self.rules
        category = fields[rules.category_field]
        category = category if type(category) is str else str(category)  # as the check counts it
        packed = sum(1 << (WIDTH * i) for i, c in enumerate(self.categories) if category == c)
        for j, (_, filters) in enumerate(self.counts, len(self.categories)):
            if all(fields.get(name) == value for name, value in filters):  # as agg_count keeps lines
                packed += 1 << (WIDTH * j)
        if rules.weight_total is not None:
            weight = fields.get(rules.weight_field)
            units = scaled(weight if type(weight) is Decimal else Decimal(weight or 0))
            if units is None:
                return None
            packed += units << self.weight_shift
        return packed


def scaled(amount: Decimal) -> int | None:
    """``amount`` in units of 10**-:data:`SCALE`, if it is a whole number of them below
    :data:`LARGEST`; else None."""
    numerator, denominator = amount.as_integer_ratio()
    units, rest = divmod(numerator * 10**SCALE, denominator)
    return units if not rest and abs(amount) < LARGEST else None
