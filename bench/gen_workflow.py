"""A ``workflow`` table for kepco_like: one result notice per employee, one in ten with an
objection filed in time instead, as one CSV table (a ``record`` column says which), written a
row at a time:

    python bench/gen_workflow.py 100000 /tmp/memsurvey/wf_100k.csv
    python bench/gen_workflow.py 100000 /tmp/wf_100k_shuffled.csv --shuffle 7

``--shuffle SEED`` writes the same rows in a random order (the employees' records not grouped:
``workflow`` must still check each employee's together); the rows are shuffled in memory.
A path ending in ``.yaml`` or ``.json`` gets the same records as a data file's ``notices`` and
``objections`` lists (a record a line, in flow style; the order of the rows, each list's own):

    python bench/gen_workflow.py 100000 /tmp/wf_100k.yaml

Every notice is the final result's, round 1, of Wed 2027-02-03 (its window ends Fri 2027-02-12:
examples/kepco_like/workflow.yaml works it out); every objection is filed Tue 2027-02-09 on two
indicators. Ids ``K0000001``...
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterable, Iterator

HEADER = ["record", "employee", "name", "period", "round", "notice", "filed", "indicators[]"]


def _rows(count: int) -> Iterator[list[object]]:
    for number in range(1, count + 1):
        employee = f"K{number:07d}"
        if number % 10:
            yield ["notice", employee, "김민준", "final", 1, "2027-02-03", "", ""]
        else:
            yield ["objection", employee, "김민준", "final", 1, "2027-02-03", "2027-02-09",
                   "mgmt_kpi_tracking, work_improvement"]  # fmt: skip


def generate(count: int, path: str, shuffle: int | None = None) -> None:
    """``count`` employees' records written to ``path`` (UTF-8), in a random order from seed
    ``shuffle`` if one is given."""
    rows: Iterable[list[object]] = _rows(count)
    if shuffle is not None:
        rows = list(rows)
        random.Random(shuffle).shuffle(rows)
    if path.endswith((".yaml", ".json")):
        _document(rows, path)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _document(rows: Iterable[list[object]], path: str) -> None:
    """The rows as a YAML or JSON file's ``notices`` and ``objections`` (the first list written
    as the rows go by, the second spooled through a temporary file)."""
    import json
    import tempfile

    as_json = path.endswith(".json")
    keys = HEADER[1:]
    with open(path, "w", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as later:
        out.write('{"policy": "kepco_like",\n"notices": [\n' if as_json else "policy: kepco_like\nnotices:\n")
        first = {"notice": True, "objection": True}
        for row in rows:
            record = {k: v for k, v in zip(keys, row[1:], strict=True) if v != ""}
            if "indicators[]" in record:
                record["indicators"] = [i.strip() for i in str(record.pop("indicators[]")).split(",")]
            text = json.dumps(record, ensure_ascii=False)
            kind = str(row[0])
            sep = "" if first[kind] or not as_json else ",\n"
            first[kind] = False
            (out if kind == "notice" else later).write(f"{sep}{text}\n" if as_json else f"  - {text}\n")
        later.seek(0)
        out.write('],\n"objections": [\n' if as_json else "objections:\n")
        for line in later:
            out.write(line)
        out.write("]}\n" if as_json else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    parser.add_argument("--shuffle", type=int, metavar="SEED", help="the rows in a random order")
    args = parser.parse_args()
    generate(args.count, args.path, args.shuffle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
