"""A ``workflow`` table for kepco_like: one result notice per employee, one in ten with an
objection filed in time instead, as one CSV table (a ``record`` column says which), written a
row at a time:

    python bench/gen_workflow.py 100000 /tmp/memsurvey/wf_100k.csv
    python bench/gen_workflow.py 100000 /tmp/wf_100k_shuffled.csv --shuffle 7

``--shuffle SEED`` writes the same rows in a random order (the employees' records not grouped:
``workflow`` must still check each employee's together); the rows are shuffled in memory.

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
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


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
