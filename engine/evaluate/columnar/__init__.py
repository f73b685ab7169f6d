"""The exact columnar plan: a policy's formulas, sheet rules and grade tables compiled once to
operations over whole columns of a CSV file, in scaled integers with the declared roundings.

Used by :mod:`engine.evaluate.parallel` for each range of a big CSV file rendered as CSV: the
employees the plan vouches for are computed a chunk at a time; every other employee (and any
policy, file or format the plan does not express) goes through the exact per-record path, so
the output is byte for byte the same. ``HRPOLICY_COLUMNAR=0`` switches the plan off.
"""

from engine.evaluate.columnar.run import enabled, evaluate_range

__all__ = ["enabled", "evaluate_range"]
