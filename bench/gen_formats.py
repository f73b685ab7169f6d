"""The japan_mbo population of :mod:`bench.gen_population` written as YAML, JSON or an Excel
workbook (the same employees, seed for seed), a few employees at a time: memory stays flat
whatever the count.

    python bench/gen_formats.py 100000 bench/out/japan_100k.json [--seed 7]
    python bench/gen_formats.py 100000 bench/out/japan_100k.yaml
    python bench/gen_formats.py 100000 bench/out/japan_100k.xlsx

YAML and JSON hold one mapping per employee with its ``indicators`` list (numbers and booleans
as such, dates and text as strings); the workbook is the CSV table on a sheet named
``indicators`` (openpyxl's write-only mode), numbers as numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TextIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.gen_population import HEADER, employee_rows

#: Columns of the employee (the rest are the goal line's).
EMPLOYEE = (
    "id", "name", "segment", "dedicated_large_project", "goals_agreed_by", "goals_agreed_by_employee",
    "goals_agreed_on", "development_plan_short_term", "development_plan_mid_term", "development_measure",
    "development_plan_agreed_by", "development_plan_agreed_by_employee", "development_plan_agreed_on",
    "development_plan_reviewed_on",
)  # fmt: skip
NUMBERS = frozenset({"weight", "target", "actual", "assessed_achievement", "difficulty"})
BOOLEANS = frozenset({"dedicated_large_project", "shared", "large_project"})


def typed(name: str, cell: str) -> Any:
    """A CSV cell as a YAML/JSON value (None: left out)."""
    if cell == "":
        return None
    if name in BOOLEANS:
        return cell == "true"
    if name in NUMBERS:
        return int(cell) if cell.isdigit() else float(cell)
    return cell


def employees(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Each employee of :func:`bench.gen_population.generate` as a records mapping."""
    rng = random.Random(seed)
    for i in range(1, count + 1):
        rows = [dict(zip(HEADER, row, strict=True)) for row in employee_rows(i, rng)]
        person = {k: typed(k, rows[0][k]) for k in EMPLOYEE if rows[0][k] != ""}
        person["indicators"] = [
            {k: typed(k, v) for k, v in row.items() if k not in EMPLOYEE and v != ""} for row in rows
        ]
        yield person


def text(value: Any) -> str:
    """A value as JSON (and YAML) text: a number as its digits (a Decimal exactly), a date as
    its ISO text, a string quoted (a JSON string is a YAML one), a list or mapping in flow style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{text(str(k))}: {text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if isinstance(value, datetime.date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def dump_json(people: Iterable[dict[str, Any]], out: TextIO, head: str = '"policy": "japan_mbo"') -> None:
    """A JSON records file: the ``head`` entries (JSON text), then the employees, one a line."""
    out.write("{\n  " + (head + ",\n  " if head else "") + '"employees": [\n')
    for n, person in enumerate(people):
        out.write(("" if n == 0 else ",\n") + "    " + text(person))
    out.write("\n  ]\n}\n")


def dump_yaml(people: Iterable[dict[str, Any]], out: TextIO, head: str = "policy: japan_mbo") -> None:
    """A YAML records file in block style: the ``head`` lines, then the employees."""
    out.write((head + "\n" if head else "") + "employees:\n")
    for person in people:
        lines: list[str] = []
        for k, v in person.items():
            if k != "indicators":
                lines.append(f"  {'- ' if not lines else '  '}{k}: {text(v)}")
        if "indicators" in person and not isinstance(person["indicators"], list):
            lines.append(f"  {'- ' if not lines else '  '}indicators: {text(person['indicators'])}")
        elif "indicators" in person:
            lines.append(f"  {'- ' if not lines else '  '}indicators:")
            for item in person["indicators"]:
                fields = list(item.items()) if isinstance(item, dict) else []
                if not fields:
                    lines.append(f"      - {text(item)}")
                for n, (k, v) in enumerate(fields):
                    lines.append(f"      {'- ' if n == 0 else '  '}{k}: {text(v)}")
        out.write("\n".join(lines) + "\n")


def write_xlsx(count: int, path: str, seed: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("indicators")
    sheet.append(HEADER)
    rng = random.Random(seed)
    for i in range(1, count + 1):
        for row in employee_rows(i, rng):
            sheet.append([_cell(name, cell) for name, cell in zip(HEADER, row, strict=True)])
    book.save(path)


def _cell(name: str, cell: str) -> Any:
    value = typed(name, cell)
    return value if name not in BOOLEANS or value is None else cell


def generate(count: int, path: str, seed: int = 7) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".xlsx":
        write_xlsx(count, path, seed)
        return
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        (dump_json if suffix == ".json" else dump_yaml)(employees(count, seed), out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("path", help="a .yaml, .json or .xlsx file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.count, args.path, args.seed)


if __name__ == "__main__":
    main()
