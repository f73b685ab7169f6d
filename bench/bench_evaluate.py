"""Benchmark: evaluating japan_mbo over 100,000 employees (5-8 goals each).

    python bench/bench_evaluate.py [--count 100000] [--baseline 5000] [--repeat 3]

Targets (issue 3): the evaluation step (scores and grades, no traces) >= 100,000 employees/s;
``hrpolicy evaluate ... --format csv -o out.csv`` from a CSV file <= 10 s, start-up included;
peak memory <= 1 GB. Prints the evaluation rate with 1 and 2 processes, the sheet-check rate,
the end-to-end time and peak RSS of the CLI (a subprocess), and plain simpleeval as a baseline.
The population is generated (seeded) into bench/out/ when missing. Each timing is the best of
``--repeat`` runs: the machine is shared, so the best run is the least disturbed one.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_population import generate  # noqa: E402
from engine.evaluate import EmployeeResult, evaluate_employee, paused_gc  # noqa: E402
from engine.io.records import EmployeeRecord  # noqa: E402
from engine.parallel import decode_results, encode_results, run_parts  # noqa: E402
from engine.run import Engine  # noqa: E402

POLICY = ROOT / "policies" / "japan_mbo.yaml"


def best(repeat: int, fn: Callable[[], Any]) -> float:
    """The shortest of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def evaluation_step(engine: Engine, records: Sequence[EmployeeRecord], params: Any, workers: int) -> float:
    """Seconds to score and grade ``records`` (no sheet checks, no traces) with ``workers``."""
    policy = engine.policy

    def work(part: Sequence[EmployeeRecord]) -> list[EmployeeResult]:
        return [evaluate_employee(policy, r, params) for r in part]

    start = time.perf_counter()
    with paused_gc():
        parts = run_parts(
            records,
            workers,
            work,
            lambda done: encode_results(policy, done),
            lambda data, _: decode_results(policy, data),
        )
    elapsed = time.perf_counter() - start
    assert sum(len(p) for p in parts) == len(records)
    return elapsed


def simpleeval_baseline(engine: Engine, records: Sequence[EmployeeRecord], params: Any) -> float:
    """Seconds for plain simpleeval: every formula text evaluated per line / per employee.

    Names are set per line (declared defaults, then the line's fields, the employee's fields
    and the values computed so far); the same Decimal inputs; each declared rounding applied
    with ``quantize``. Grading is not included (the engine's rate includes it).
    """
    from simpleeval import SimpleEval

    def clamp(x: Any, lo: Any, hi: Any) -> Any:
        return min(max(x, lo), hi)

    evaluator = SimpleEval(functions={"max": max, "min": min, "abs": abs, "clamp": clamp, "sum": sum})
    policy = engine.policy
    line_steps = [(s.name, s.formula.text, s.quantum, s.mode) for s in policy.indicator_steps]
    person_steps = [(s.name, s.formula.text, s.quantum, s.mode) for s in policy.employee_steps]
    start = time.perf_counter()
    for record in records:
        employee = {**params, **policy.employee_blank, **record.fields}
        columns: dict[str, list[Any]] = {name: [] for name, *_ in line_steps}
        for line in record.indicators:
            names = {**employee, **policy.indicator_blank, **line.fields}
            for name, text, quantum, mode in line_steps:
                evaluator.names = names
                value = evaluator.eval(text)
                if quantum is not None and isinstance(value, Decimal):
                    value = value.quantize(quantum, rounding=mode)
                names[name] = value
                columns[name].append(value)
        names = {**employee, **columns}
        for name, text, quantum, mode in person_steps:
            evaluator.names = names
            value = evaluator.eval(text)
            if quantum is not None and isinstance(value, Decimal):
                value = value.quantize(quantum, rounding=mode)
            names[name] = value
    return time.perf_counter() - start


def cli_run(data: Path, out: Path) -> float:
    """Seconds for ``hrpolicy evaluate <policy> <data> --format csv -o <out>`` in a subprocess."""
    command = ["hrpolicy", "evaluate", str(POLICY), str(data), "--format", "csv", "-o", str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    return time.perf_counter() - start


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {ram:.1f} GiB RAM, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="employees timed through simpleeval")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = ROOT / "bench" / "out" / f"japan_{args.count // 1000}k.csv"
    if not data.exists():
        print(f"generating {data} ...")
        generate(args.count, str(data))
    print(machine())

    start = time.perf_counter()
    engine = Engine.from_file(str(POLICY))
    population = engine.read(str(data))
    records, params = population.employees, population.parameters
    n = len(records)
    lines = sum(len(r.indicators) for r in records)
    print(f"read {n:,} employees ({lines:,} goal lines) in {time.perf_counter() - start:.2f} s")

    rates = {}
    for workers in (1, 2):
        seconds = min(evaluation_step(engine, records, params, workers) for _ in range(args.repeat))
        rates[workers] = n / seconds
        print(f"evaluation step, {workers} process(es): {seconds:.2f} s, {n / seconds:,.0f} employees/s")
    with paused_gc():
        seconds = best(args.repeat, lambda: [engine.check(r, params) for r in records])
    print(f"sheet checks: {seconds:.2f} s, {n / seconds:,.0f} employees/s")

    subset = records[: args.baseline]
    seconds = simpleeval_baseline(engine, subset, params)
    base_rate = len(subset) / seconds
    print(f"simpleeval baseline ({len(subset):,} employees): {seconds:.2f} s, {base_rate:,.0f} employees/s")
    ratios = f"{rates[1] / base_rate:.1f}x (1 process), {rates[2] / base_rate:.1f}x (2 processes)"
    print(f"speed-up over simpleeval: {ratios}")

    out = ROOT / "bench" / "out" / "result.csv"
    seconds = min(cli_run(data, out) for _ in range(args.repeat))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"end to end (hrpolicy evaluate ... --format csv -o {out.relative_to(ROOT)}): {seconds:.2f} s")
    print(f"peak RSS of the CLI run: {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
