"""The report formats of one population side by side, and ``explain`` of one employee in it.

    python bench/bench_reports.py DATA [--employee E050000] [--repeat 2] [--before TREE]

Runs, interleaved ``--repeat`` times (a burst of load hits every command alike):
``hrpolicy evaluate policies/japan_mbo.yaml DATA --format F -o OUT --no-progress`` for F in csv,
json and text, and ``hrpolicy explain ... --employee X``. Printed per command: the best wall
time, its CPU time and its peak RSS summed over the processes (bench/measure.py). ``--before``
names another checkout of the engine (``git archive COMMIT | tar -x -C TREE``): its commands run
in the same rounds, with ``PYTHONPATH=TREE`` (their outputs are compared with ``cmp``).
"""

from __future__ import annotations

import argparse
import compileall
import filecmp
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.measure import measure  # noqa: E402

POLICY = str(ROOT / "policies" / "japan_mbo.yaml")


def commands(data: str, employee: str, out: str) -> dict[str, list[str]]:
    """Each command, by name; ``out`` is the folder the reports go to."""
    found = {
        f"evaluate --format {fmt}": [
            sys.executable, "-m", "engine", "evaluate", POLICY, data, "--format", fmt,
            "-o", os.path.join(out, f"report.{fmt}"), "--no-progress",
        ]
        for fmt in ("csv", "json", "text")
    }  # fmt: skip
    found[f"explain --employee {employee}"] = [
        sys.executable, "-m", "engine", "explain", POLICY, data, "--employee", employee,
    ]  # fmt: skip
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--employee", default="E050000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--before", help="another checkout of the engine, run in the same rounds")
    args = parser.parse_args()
    trees = {"now": str(ROOT)}
    if args.before:
        trees["before"] = str(Path(args.before).resolve())
    runs: dict[tuple[str, str], list[tuple[float, float, int, int, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        plans = {}
        for tree, path in trees.items():
            compileall.compile_dir(Path(path) / "engine", quiet=1)
            os.makedirs(os.path.join(folder, tree))
            plans[tree] = commands(args.data, args.employee, os.path.join(folder, tree))
        for _ in range(args.repeat):
            for name in plans["now"]:
                for tree, path in trees.items():
                    os.environ["PYTHONPATH"] = path  # (run from the tree: -m engine finds it first)
                    os.chdir(path)
                    runs.setdefault((name, tree), []).append(measure(plans[tree][name]))
        print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat} (wall), its CPU and peak RSS")
        for (name, tree), found in runs.items():
            wall, cpu, peak, seen, code = min(found)
            print(f"  {tree:<6} {name:<32} wall {wall:6.2f} s  CPU {cpu:6.2f} s  "
                  f"{peak / 1024:5.0f} MiB over {seen} process(es), exit {code}")  # fmt: skip
        if args.before:
            for fmt in ("csv", "json", "text"):
                same = filecmp.cmp(*(os.path.join(folder, t, f"report.{fmt}") for t in trees), shallow=False)
                print(f"  {fmt} reports now and before: {'identical' if same else 'DIFFERENT'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
