"""Benchmark: forced distribution over 1,000,000 people in 5,000 groups (target <= 5 s).

Run ``python bench/bench_distribution.py`` (``--people``/``--groups``/``--seed`` to vary).
Only :func:`engine.distribution.ranking.distribute` is timed (CPU, ``time.process_time``: the
machine is shared); generating the population is not.
Peak RSS is the process's high-water mark (``resource.getrusage``), population included.
With ``--iterate`` the candidates are given as a generator (each let go once packed, as the
engine's own path never holds them): the generating is then inside ``distribute()``'s time,
and is timed apart in a run of its own (made and dropped) to be subtracted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_distribution import CODES, SPEC, candidates, org_parents, population
from engine.distribution import Candidate, compile_distribution, distribute

TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--iterate", action="store_true", help="Give distribute() a generator, not a list.")
    args = parser.parse_args()

    tree = org_parents(max(1, args.groups // 5))
    rule = compile_distribution(SPEC, CODES, name="bench")
    started = time.process_time()
    if args.iterate:
        for _ in candidates(args.people, args.groups, args.seed):
            pass
        generated = time.process_time() - started
        people: Iterable[Candidate] = candidates(args.people, args.groups, args.seed)
    else:
        people = population(args.people, args.groups, args.seed)
        generated = time.process_time() - started

    started = time.process_time()
    result = distribute(rule, people, tree)
    seconds = time.process_time() - started - (generated if args.iterate else 0)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    graded = sum(g.size for g in result.groups)
    print(f"python           {platform.python_version()} on {platform.machine()}")
    how = "a generator, made in" if args.iterate else "a list, generated in"
    print(f"people           {args.people:,} ({how} {generated:.2f} s, not timed)")
    print(
        f"groups formed    {args.groups:,} -> {len(result.groups):,} final "
        f"({sum(g.merged for g in result.groups)} took in merged groups)"
    )
    print(f"graded           {graded:,}; not graded {sum(len(p.members) for p in result.problems):,}")
    print(f"boundary ties    {sum(len(g.ties) for g in result.groups):,}")
    print(f"distribute()     {seconds:.3f} s  ({args.people / seconds:,.0f} candidates/s)")
    print(f"peak RSS         {peak_mib:,.0f} MiB")
    verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
    print(f"target           <= {TARGET_SECONDS} s: {verdict}")
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
