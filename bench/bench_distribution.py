"""Benchmark: forced distribution over 1,000,000 people in 5,000 groups (target <= 5 s).

Run ``python bench/bench_distribution.py`` (``--people``/``--groups``/``--seed`` to vary).
Only :func:`engine.distribution.ranking.distribute` is timed; generating the population is not.
Peak RSS is the process's high-water mark (``resource.getrusage``), population included.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_distribution import CODES, SPEC, org_parents, population
from engine.distribution import compile_distribution, distribute

TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20260401)
    args = parser.parse_args()

    started = time.perf_counter()
    people = population(args.people, args.groups, args.seed)
    tree = org_parents(max(1, args.groups // 5))
    generated = time.perf_counter() - started
    rule = compile_distribution(SPEC, CODES, name="bench")

    started = time.perf_counter()
    result = distribute(rule, people, tree)
    seconds = time.perf_counter() - started

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    graded = sum(g.size for g in result.groups)
    print(f"python           {platform.python_version()} on {platform.machine()}")
    print(f"people           {len(people):,} (generated in {generated:.2f} s, not timed)")
    print(
        f"groups formed    {args.groups:,} -> {len(result.groups):,} final "
        f"({sum(g.merged for g in result.groups)} took in merged groups)"
    )
    print(f"graded           {graded:,}; not graded {sum(len(p.members) for p in result.problems):,}")
    print(f"boundary ties    {sum(len(g.ties) for g in result.groups):,}")
    print(f"distribute()     {seconds:.3f} s  ({len(people) / seconds:,.0f} candidates/s)")
    print(f"peak RSS         {peak_mib:,.0f} MiB")
    verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
    print(f"target           <= {TARGET_SECONDS} s: {verdict}")
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
