"""Run a command and print its wall time, CPU time and peak RSS summed over its processes.

    python bench/measure.py [--repeat N] -- hrpolicy evaluate policies/japan_mbo.yaml data.csv -o out.csv

CPU time is the user + system time of the command and every process it waited for (the
machine is shared: wall time depends on the load, CPU time much less). Memory is sampled from
/proc every 10 ms: the peak of the RSS summed over the process tree; the kernel's peak of the
largest single process is printed too (robust to a forked child caught before its exec). With ``--repeat`` the
least disturbed run (the smallest wall time) is printed, with every run's wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_evaluate import _status_kib, _tree


def measure(command: list[str]) -> tuple[float, float, int, int, int]:
    """(wall s, CPU s, peak summed RSS KiB, processes seen, exit code) of one run."""
    before = os.times()
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak, seen = 0, set[int]()
    while child.poll() is None:
        total = 0
        for pid in _tree(child.pid):
            seen.add(pid)
            total += _status_kib(pid)[0]
        peak = max(peak, total)
        time.sleep(0.01)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak, len(seen), child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    runs = [measure(args.command) for _ in range(args.repeat)]
    wall, cpu, peak, seen, code = min(runs)
    print(f"command      {' '.join(args.command)}")
    print(f"runs (wall)  {', '.join(f'{r[0]:.2f} s' for r in runs)}; load average {os.getloadavg()[0]:.1f}")
    print(f"best run     wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS summed {peak / 1024:.0f} MiB "
          f"over {seen} process(es), exit {code}")  # fmt: skip
    # The kernel's own peak of the largest process (every run): a short-lived child forked by
    # the command (ctypes' find_library runs ldconfig) shares the parent's pages, which the sum
    # sampled above counts twice if it catches the child before its exec.
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"largest      peak RSS of the largest single process {largest / 1024:.0f} MiB (any run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
