"""The per-record path's reading, side by side in one run (issue 12): a hand-written script
(csv.reader, Decimal() of the cells it needs, score and grade, exact), hrpolicy's read alone and
its read + ``flat_when_clean`` per employee, each also with the reader before it was generated
(tests/reader_reference.py, the reference the test suite compares it with).

    python bench/bench_record_path.py --count 20000 --repeat 5

CPU time (``time.process_time``), the collector paused as the engine pauses it, best of
``--repeat`` rounds, every round running each contender once in turn
(:func:`bench.bench_anchors.best_in_rounds`). The hand script's grades are asserted equal to
hrpolicy's, and the reference's records to the reader's.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench.bench_anchors as anchors  # noqa: E402
from bench.bench_anchors import POLICY, Grades, best_in_rounds, grade_of  # noqa: E402
from bench.gen_population import generate  # noqa: E402
from engine.evaluate import Engine  # noqa: E402
from tests.reader_reference import reference_reading  # noqa: E402


def hand(path: str) -> Grades:
    """Read, score and grade japan_mbo's population by hand: exact Decimal, no checks."""
    tenth, one, hundred, zero, cap = Decimal("0.1"), Decimal(1), Decimal(100), Decimal(0), Decimal(200)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        at = {name: i for i, name in enumerate(next(rows))}
        names = ("id", "segment", "kind", "direction", "actual", "target", "assessed_achievement")
        iid, iseg, ikind, idir, iact, itgt, iass = (at[k] for k in names)
        iw, idf = at["weight"], at["difficulty"]
        out: Grades = []
        current, score, segment = None, zero, ""
        for row in rows:
            if row[iid] != current:
                if current is not None:
                    out.append(grade_of(segment, score.quantize(one, ROUND_HALF_UP)))
                current, segment, score = row[iid], row[iseg], zero
            if row[ikind] != "quantitative":
                a = Decimal(row[iass])
            elif row[idir] == "higher":
                a = max(Decimal(row[iact]) / Decimal(row[itgt]) * hundred, zero)
            else:
                act = Decimal(row[iact])
                a = min(max(Decimal(row[itgt]) / act * hundred, zero), cap) if act > 0 else cap
            score += Decimal(row[iw]) * a.quantize(tenth, ROUND_HALF_UP) * Decimal(row[idf]) / hundred
        out.append(grade_of(segment, score.quantize(one, ROUND_HALF_UP)))
    return out


def contenders(engine: Engine, path: str) -> list[tuple[str, Callable[[], Grades]]]:
    def read() -> Grades:
        return [str(len(engine.read(path).employees))]

    def graded() -> Grades:
        population = engine.read(path)
        flat, params = engine.flat_when_clean, population.parameters
        out: Grades = []
        for record in population.employees:
            found = flat(record, params)  # None: a sheet its checks reject (none here)
            out.append(None if found is None else found[1][0][0])
        return out

    def before(fn: Callable[[], Grades]) -> Callable[[], Grades]:
        def run() -> Grades:
            with reference_reading():
                return fn()

        return run

    return [
        ("hand-written: csv.reader + Decimal + score + grade", lambda: hand(path)),
        ("hrpolicy read", read),
        ("hrpolicy read, reader before (reference)", before(read)),
        ("hrpolicy read + flat_when_clean", graded),
        ("hrpolicy read + flat_when_clean, reader before", before(graded)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--data", default=str(ROOT / "bench" / "out"), help="where the population is kept")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    anchors.CLOCK = time.process_time
    path = os.path.join(args.data, f"japan_{args.count}.csv")
    if not os.path.exists(path):
        generate(args.count, path)
    engine = Engine.from_file(str(POLICY))
    found = best_in_rounds(args.repeat, contenders(engine, path))
    names = [name for name, _ in contenders(engine, path)]
    hand_s, hand_grades = found[names[0]]
    assert hand_grades == found[names[3]][1] == found[names[4]][1], "the grades differ"
    with reference_reading():
        before = repr(engine.read(path).employees)
    assert repr(engine.read(path).employees) == before, "the reference reads other records"
    print(f"{args.count} japan employees, {path}; best of {args.repeat} rounds, CPU time")
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    for name in names:
        seconds = found[name][0]
        print(f"  {name:<52} {seconds * 1000:8.1f} ms  {seconds / hand_s:5.2f}x hand")
    for now, then in ((names[1], names[2]), (names[3], names[4])):
        print(f"  {now}: {found[now][0] / found[then][0]:.2f}x the reader before")


if __name__ == "__main__":
    main()
