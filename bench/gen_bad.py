"""A population where employees have a problem, from a CSV file of :mod:`bench.gen_population`
(or :mod:`bench.gen_kumho`): by default each employee's first goal weight one off (a
``sheet-weight-total`` each, found by the sheet checks); with ``--cell``, a weight cell that is
not a number on every one of the employee's rows (a problem per row, found while reading).
``--every N`` makes every N-th employee bad (the first one included), the others untouched.

    python bench/gen_bad.py /tmp/b/japan_100k.csv /tmp/problems-mem/japan_bad_100k.csv
    python bench/gen_bad.py --cell /tmp/b/japan_1m.csv /tmp/read-problems/japan_cells_1m.csv
    python bench/gen_bad.py --cell --every 2 /tmp/b/kumho_100k.csv /tmp/read-problems/kumho_cells_100k.csv

Read and written a line at a time (the generated files hold no quotes): memory stays flat.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a CSV file written by bench/gen_population.py or bench/gen_kumho.py")
    parser.add_argument("target", help="where to write the population with problems")
    parser.add_argument("--cell", action="store_true", help="a weight cell that is not a number on every row")
    parser.add_argument("--every", type=int, default=1, help="every N-th employee bad (default: every one)")
    args = parser.parse_args()
    with (
        open(args.source, encoding="utf-8", newline="") as source,
        open(args.target, "w", encoding="utf-8", newline="") as target,
    ):
        header = source.readline()
        target.write(header)
        names = header.rstrip("\r\n").split(",")
        id_at, weight_at = names.index("id"), names.index("weight")
        last, count, bad = None, 0, False
        for line in source:
            cells = line.split(",")
            first = cells[id_at] != last  # the employee's first goal line
            if first:
                last, count = cells[id_at], count + 1
                bad = (count - 1) % max(1, args.every) == 0
            if bad and (args.cell or first):
                cells[weight_at] = f"{cells[weight_at]}x" if args.cell else str(int(cells[weight_at]) + 1)
                line = ",".join(cells)
            target.write(line)


if __name__ == "__main__":
    main()
