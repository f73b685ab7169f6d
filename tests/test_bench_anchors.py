"""The exact anchors of bench/bench_anchors.py compute what hrpolicy computes: a ratio against an
anchor that does less (a rule left out, a grade wrong) would flatter hrpolicy. Each is run here on
a generated population, some of whose sheets are broken one rule at a time, against the engine."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from bench.bench_anchors import POLICY, checked_people, hand_decimal, hand_decimal_checked, plain
from bench.gen_population import generate
from engine.evaluate import Engine
from engine.io.records import EmployeeRecord

#: One breach per rule of japan_mbo's sheet (index of the line, field, value); an employee gets
#: the breach of its number modulo 20 (the others stay clean).
BREACHES: list[tuple[int, str, Any]] = [
    (0, "weight", Decimal(31)),  # above the band 5..30 (and the total off 100)
    (1, "weight", Decimal("4")),  # below the band
    (2, "kind", "other"),  # not a kind of its category
    (1, "difficulty", Decimal("1.05")),  # between the steps 1.0, 1.1, 1.2, 1.3
    (3, "how", "   "),  # a required text blank
    (0, "what", None),  # a required text missing
    (1, "large_project", True),  # marked as the large project without the exception
]


#: The employees (modulo 20) whose sheet is cut to four goals.
SHORT = 15


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, list[EmployeeRecord], Any]:
    path = tmp_path_factory.mktemp("anchors") / "japan.csv"
    generate(400, str(path), 11)
    engine = Engine.from_file(str(POLICY))
    read = engine.read(str(path))
    records = list(read.employees)
    for number, record in enumerate(records):
        if number % 20 < len(BREACHES):
            line, field, value = BREACHES[number % 20]
            record.indicators[line].fields[field] = value
    for number in range(SHORT, len(records), 20):  # a sheet of four goals: too few
        records[number] = replace(records[number], indicators=records[number].indicators[:4])
    return engine, records, read.parameters


def engine_grades(engine: Engine, records: list[EmployeeRecord], parameters: Any) -> list[str | None]:
    grades: list[str | None] = []
    for record in records:
        problems, flat = engine.check_flat(record, parameters)
        grades.append(None if problems else flat[1][0][0] if flat else None)
    return grades


def test_the_checked_anchor_rejects_exactly_the_sheets_the_engine_rejects(population: Any) -> None:
    engine, records, parameters = population
    expected = engine_grades(engine, records, parameters)
    lines = [(r.id, str(r.fields["segment"]), [i.fields for i in r.indicators]) for r in records]
    assert hand_decimal_checked(checked_people(records, lines)) == expected
    # the engine rejects every breach and every short sheet, and grades all the others
    rejected = {n for n, grade in enumerate(expected) if grade is None}
    assert rejected == {n for n in range(len(records)) if n % 20 < len(BREACHES) or n % 20 == SHORT}


def test_the_unchecked_anchor_grades_as_the_engine_on_clean_sheets(population: Any) -> None:
    engine, records, parameters = population
    expected = engine_grades(engine, records, parameters)
    clean = [r for r, grade in zip(records, expected, strict=True) if grade is not None]
    exact, _ = plain(clean)
    grades = hand_decimal(exact)
    assert grades == [g for g in expected if g is not None]
    # 400 people, 8 in every 20 rejected (7 breaches, one short sheet): 240 graded, not all alike
    assert len(grades) == 240 and len(set(grades)) > 1
