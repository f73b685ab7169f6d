"""What one goal line's work costs per record, operation by operation (issue 12's per-record row).

    python bench/bench_decimal_ops.py [--number 500000]

Prints the time of each operation the per-record contenders do on a japan_mbo goal line
(``timeit``, best of 5, nanoseconds): exact ``Decimal`` arithmetic, the reads and the sheet
checks' tests, and what another number type would cost (Python ints, and the conversions from
the ``Decimal`` values the reader gives). It is the budget behind the per-record ratios of
bench/bench_anchors.py: hand-written Decimal code that checks nothing spends about one
microsecond and a third on a quantitative goal line, and the sheet rules' tests alone cost
about as much as the difference between it and hrpolicy's evaluation step.
"""

from __future__ import annotations

import argparse
import platform
import timeit
from decimal import ROUND_HALF_UP, Decimal

#: (what, statement): a quantitative goal line's operations, as bench_anchors' contenders do them.
OPERATIONS = (
    ("dict subscript (a field of the line)", "f['actual']"),
    ("Decimal a / t", "a / t"),
    ("Decimal a / t * 100", "a / t * h"),
    ("Decimal quantize(0.1, half up)", "x.quantize(tenth, R)"),
    ("Decimal w * a * d / 100", "w * y * d / h"),
    ("Decimal + (the sum)", "y + h"),
    ("Decimal < (a bound)", "y < h"),
    ("builtin max of two Decimals", "max(x, z)"),
    ("conditional max of two Decimals", "z if z > x else x"),
    ("Decimal in a frozenset (difficulty steps)", "d in steps"),
    ("str.strip (a required text)", "s.strip()"),
    ("Python int *", "i * j"),
    ("Python int * // (a scaled division)", "i * 1000 // j"),
    ("int(Decimal) (an integral weight)", "int(w)"),
    ("float(Decimal)", "float(y)"),
    ("Decimal.as_integer_ratio()", "y.as_integer_ratio()"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--number", type=int, default=500_000)
    args = parser.parse_args()
    a, t, h = Decimal("87.5"), Decimal("120"), Decimal(100)
    scope = {
        "a": a, "t": t, "h": h, "z": Decimal(0), "x": a / t * h, "y": Decimal("87.5"),
        "w": Decimal(20), "d": Decimal("1.2"), "tenth": Decimal("0.1"), "R": ROUND_HALF_UP,
        "steps": frozenset(Decimal(s) for s in ("1.0", "1.1", "1.2", "1.3")),
        "s": "some text", "f": {"actual": a}, "i": 875, "j": 120,
    }  # fmt: skip
    print(f"Python {platform.python_version()}, {platform.machine()}, best of 5 x {args.number:,}")
    for what, statement in OPERATIONS:
        best = min(timeit.repeat(statement, globals=scope, number=args.number, repeat=5))
        print(f"{best / args.number * 1e9:8.0f} ns  {what}  ({statement})")


if __name__ == "__main__":
    main()
