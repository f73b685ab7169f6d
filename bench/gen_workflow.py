"""A ``workflow`` table for kepco_like: one result notice per employee, one in ten with an
objection filed in time instead, as one CSV table (a ``record`` column says which), written a
row at a time:

    python bench/gen_workflow.py 100000 /tmp/memsurvey/wf_100k.csv

Every notice is the final result's, round 1, of Wed 2027-02-03 (its window ends Fri 2027-02-12:
examples/kepco_like/workflow.yaml works it out); every objection is filed Tue 2027-02-09 on two
indicators. Ids ``K0000001``...
"""

from __future__ import annotations

import argparse
import csv

HEADER = ["record", "employee", "name", "period", "round", "notice", "filed", "indicators[]"]


def generate(count: int, path: str) -> None:
    """``count`` employees' records written to ``path`` (UTF-8)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, count + 1):
            employee = f"K{number:07d}"
            if number % 10:
                writer.writerow(["notice", employee, "김민준", "final", 1, "2027-02-03", "", ""])
            else:
                writer.writerow(
                    ["objection", employee, "김민준", "final", 1, "2027-02-03", "2027-02-09",
                     "mgmt_kpi_tracking, work_improvement"]
                )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    args = parser.parse_args()
    generate(args.count, args.path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
