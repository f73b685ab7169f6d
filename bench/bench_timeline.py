"""Print the timeline of one run: where its serial time goes (issue 12).

    python bench/bench_timeline.py [--repeat N] -- hrpolicy evaluate policies/japan_mbo.yaml \\
        /tmp/b/japan_100k.csv --format csv -o /tmp/o.csv --no-progress

The command runs with ``HRPOLICY_TIMELINE=1`` (:mod:`engine.timeline`): each mark is printed
with its process (parent, or worker 1, 2, ... in order of their first mark), its time since
this script started the command (wall, one clock for every process) and the CPU time its
process had used by then. The process start is the line ``spawn``; ``exit`` is when the
command had ended. With ``--repeat`` the run with the smallest wall time is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

PREFIX = "hrpolicy-timeline"


def run(command: list[str]) -> tuple[float, list[tuple[str, str, float, float]]]:
    """(wall s, marks as (process, name, s since spawn, process CPU s)) of one run."""
    env = {**os.environ, "HRPOLICY_TIMELINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    names: dict[str, str] = {}
    marks = []
    for line in done.stderr.decode(errors="replace").splitlines():
        fields = line.split()
        if len(fields) != 5 or fields[0] != PREFIX:
            continue
        pid, name, at, cpu = fields[1], fields[2], float(fields[3]), float(fields[4])
        who = names.setdefault(pid, "parent" if not names else f"worker {len(names)}")
        marks.append((who, name, at - start, cpu))
    return wall, marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    wall, marks = min(run(args.command) for _ in range(args.repeat))
    print(f"command  {' '.join(args.command)}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'process':<10} {'mark':<18} {'wall s':>7} {'CPU s':>7}")
    print(f"{'parent':<10} {'spawn':<18} {0:7.3f}")
    for who, name, at, cpu in sorted(marks, key=lambda m: m[2]):
        print(f"{who:<10} {name:<18} {at:7.3f} {cpu:7.3f}")
    print(f"{'parent':<10} {'exit':<18} {wall:7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
