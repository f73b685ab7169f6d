"""A japan_mbo population where every employee has a problem: each employee's first goal
weight one off (a ``sheet-weight-total`` each), from a CSV file of :mod:`bench.gen_population`.

    python bench/gen_bad.py /tmp/b/japan_100k.csv /tmp/problems-mem/japan_bad_100k.csv

Read and written a line at a time (the generated files hold no quotes): memory stays flat.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a CSV file written by bench/gen_population.py")
    parser.add_argument("target", help="where to write the population with a problem each")
    args = parser.parse_args()
    with (
        open(args.source, encoding="utf-8", newline="") as source,
        open(args.target, "w", encoding="utf-8", newline="") as target,
    ):
        header = source.readline()
        target.write(header)
        names = header.rstrip("\r\n").split(",")
        id_at, weight_at = names.index("id"), names.index("weight")
        last = None
        for line in source:
            cells = line.split(",")
            if cells[id_at] != last:  # the employee's first goal line
                last = cells[id_at]
                cells[weight_at] = str(int(cells[weight_at]) + 1)
                line = ",".join(cells)
            target.write(line)


if __name__ == "__main__":
    main()
