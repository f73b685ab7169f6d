"""`hrpolicy validate policies/` against yamllint and check-jsonschema, whole processes, one run.

    python bench/bench_validate.py [--repeat 7]

The three commands run in turn, ``--repeat`` times each (interleaved, so a burst of load hits
all three alike); printed: each one's best wall time and its CPU time (user + system of the
process), and hrpolicy's ratios (lower is better for us). yamllint checks YAML style only,
check-jsonschema the shape only; hrpolicy checks YAML, shape and meaning.

First the engine package's bytecode is compiled (``compileall``), as ``pip install`` leaves it
and as yamllint's and check-jsonschema's already are: with an editable install under
``PYTHONDONTWRITEBYTECODE`` every run would otherwise compile some 45 modules again (~80 ms of
CPU, a third of the command), which measures the checkout, not the tool.
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], must_pass: bool = False) -> tuple[float, float]:
    """(wall s, CPU s) of one run; with ``must_pass`` a run that exits other than 0 stops the
    benchmark (a command failing early would look fast). yamllint exits 1 on the policies' long
    lines, which is its answer, not a failure."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    if must_pass and done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def compile_engine() -> None:
    """Write the engine's bytecode, as ``pip install`` does (see the module's docstring)."""
    compileall.compile_dir(ROOT / "engine", quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    compile_engine()
    schema = subprocess.run(["hrpolicy", "schema", "--path"], capture_output=True, text=True, check=True)
    policies = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").glob("*.yaml")
                      if "hrpolicy:" in p.read_text(encoding="utf-8"))  # fmt: skip
    commands = {
        "hrpolicy validate policies/": ["hrpolicy", "validate", "policies/"],
        "yamllint policies/": ["yamllint", "policies/"],
        "check-jsonschema": ["check-jsonschema", "--schemafile", schema.stdout.strip(), *policies],
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            runs[name].append(run(command, must_pass=name.startswith("hrpolicy")))
    best = {name: min(found) for name, found in runs.items()}
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat} (wall), its CPU time")
    for name, (wall, cpu) in best.items():
        print(f"  {name:<30} wall {wall:.3f} s  CPU {cpu:.3f} s")
    ours = best["hrpolicy validate policies/"]
    for name in ("yamllint policies/", "check-jsonschema"):
        wall, cpu = best[name]
        print(f"  hrpolicy / {name:<19} wall {ours[0] / wall:.2f}x  CPU {ours[1] / cpu:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
