"""A ``pay`` file for the employees of a records CSV file (japan_mbo's bonus: id, name,
bonus_base), as CSV, JSON or YAML, written an employee at a time:

    python bench/gen_pay.py /tmp/b/japan_100k.csv /tmp/big-pages/pay_japan_100k.json

The suffix of the output names its format; the bonus bases are 300,000 to 1,299,000 yen, the
same for the same employee whatever the format.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator
from typing import IO


def people(records: str) -> Iterator[tuple[str, str, int]]:
    """(id, name, bonus base) of each employee of ``records``, in the file's order."""
    last = None
    with open(records, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at, named = header.index("id"), header.index("name")
        for row in reader:
            if row and row[at] and row[at] != last:
                last = row[at]
                yield row[at], row[named], 300_000 + (sum(map(ord, row[at])) * 7919) % 1000 * 1000


def write(records: str, out: IO[str], kind: str) -> None:
    if kind == "csv":
        out.write("id,name,bonus_base\n")
        for emp, name, base in people(records):
            out.write(f"{emp},{name},{base}\n")
        return
    if kind == "json":
        out.write('{"policy": "japan_mbo", "employees": [\n')
        first = True
        for emp, name, base in people(records):
            item = json.dumps({"id": emp, "name": name, "bonus_base": base}, ensure_ascii=False)
            out.write(("" if first else ",\n") + item)
            first = False
        out.write("\n]}\n")
        return
    out.write("policy: japan_mbo\nemployees:\n")
    for emp, name, base in people(records):
        out.write(f"  - {{id: {emp}, name: {json.dumps(name, ensure_ascii=False)}, bonus_base: {base}}}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records")
    parser.add_argument("output")
    args = parser.parse_args()
    kind = args.output.rsplit(".", 1)[-1].lower().replace("yml", "yaml")
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        write(args.records, out, kind)


if __name__ == "__main__":
    main()
