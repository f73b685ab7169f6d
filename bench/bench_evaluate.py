"""Benchmark: evaluating japan_mbo over 100,000 employees (5-8 goals each).

    python bench/bench_evaluate.py [--count 100000] [--baseline 5000] [--repeat 3]

Targets (issue 3): the evaluation step (scores and grades, no traces) >= 100,000 employees/s;
``hrpolicy evaluate ... --format csv -o out.csv`` from a CSV file <= 10 s, start-up included;
peak memory <= 1 GB. The population is generated (seeded) into bench/out/ when missing. Each
timing is the best of ``--repeat`` runs: the machine is shared, so the best run is the least
disturbed one.

Prints, in order:

* one process: reading the whole file; the evaluation step as the CSV report does it
  (:func:`engine.evaluate.employee.evaluate_flat`: formula values, grades and points, no result objects)
  and with full :class:`EmployeeResult` objects (:func:`evaluate_employee`); the sheet checks;
* the split design of :mod:`engine.evaluate.parallel`, 2 forked workers, each reading only its byte
  range of the file: both read, wait for each other at a barrier, then evaluate their own
  employees at once. The rate is employees / (from the barrier's release, i.e. the moment
  both have finished reading, to the moment the last one has finished evaluating); each
  worker's own rate is its employees / its own evaluation time;
* the CLI's workers (:func:`engine.evaluate.parallel.evaluate_range`): read, check + evaluate, render;
* plain simpleeval as a baseline;
* the end-to-end CLI run (a subprocess), with its memory sampled every 10 ms from /proc:
  the peak of the sum of the RSS of the CLI and its workers at one moment, and the sum of each
  process's own peak (VmHWM), an upper bound.
"""

from __future__ import annotations

import argparse
import multiprocessing
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
from engine.evaluate import Engine, evaluate_employee, evaluate_flat  # noqa: E402
from engine.evaluate.parallel import Part, Range, evaluate_range, fork_all, plan_ranges  # noqa: E402
from engine.gcpause import paused_gc  # noqa: E402
from engine.io.records import EmployeeRecord, read_csv_range  # noqa: E402
from engine.report.results import SPLIT_RENDERERS  # noqa: E402

POLICY = ROOT / "policies" / "japan_mbo.yaml"


def best(repeat: int, fn: Callable[[], Any]) -> float:
    """The shortest of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def evaluation_step(engine: Engine, records: Sequence[EmployeeRecord], params: Any, flat: bool) -> None:
    """Score and grade ``records`` (no sheet checks, no traces), flat or as full results."""
    policy = engine.policy
    with paused_gc():
        if flat:
            done = [evaluate_flat(policy, r, params) for r in records]
            assert all(d is not None for d in done)
        else:
            [evaluate_employee(policy, r, params) for r in records]


def _split_task(engine: Engine, data: Path, part: Range, barrier: Any, flat: bool) -> Callable[[], Any]:
    def task() -> tuple[int, float, float, float, int]:
        inputs = engine.source.data.get("inputs") or {}
        scales = engine.source.data.get("scales") or {}
        read, params, _ = read_csv_range(
            str(data), inputs, start=part.start, end=part.end, first_row=part.first_row, scales=scales
        )
        done_reading = time.perf_counter()
        barrier.wait()
        start = time.perf_counter()
        evaluation_step(engine, read.employees, params, flat)
        end = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return len(read.employees), done_reading, start, end, peak

    return task


def split_evaluation(engine: Engine, data: Path, flat: bool) -> tuple[float, list[float], int]:
    """(employees/s of both workers at once, each worker's own rate, peak RSS sum in KiB)."""
    ranges = plan_ranges(str(data), 2)
    assert ranges is not None and len(ranges) == 2
    _ = engine.policy.fused, engine.policy.fast_grades
    barrier = multiprocessing.get_context("fork").Barrier(len(ranges))
    parts = fork_all([_split_task(engine, data, r, barrier, flat) for r in ranges])
    done = [p for p in parts if p is not None]
    assert len(done) == len(ranges)
    count = sum(p[0] for p in done)
    released = max(p[1] for p in done)
    finished = max(p[3] for p in done)
    own = [p[0] / (p[3] - p[2]) for p in done]
    return count / (finished - released), own, sum(p[4] for p in done)


def cli_workers(engine: Engine, data: Path) -> list[Part]:
    """The CLI's own worker function on each range, forked at once as the CLI does."""
    ranges = plan_ranges(str(data), 2)
    assert ranges is not None
    _ = engine.policy.fused, engine.policy.fast_grades
    csv = SPLIT_RENDERERS["csv"]
    tasks = [lambda r=r: evaluate_range(engine, str(data), r, None, csv) for r in ranges]
    parts = fork_all(tasks)
    assert all(p is not None for p in parts)
    return [p for p in parts if p is not None]


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


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            continue
        todo.extend(int(c) for c in text.split())
    return found


def _status_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; zeros once it has gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    fields = (line.partition(":") for line in lines)
    values = {k: int(v.split()[0]) for k, _, v in fields if k in ("VmRSS", "VmHWM")}
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def cli_run(data: Path, out: Path) -> tuple[float, int, int, int]:
    """``hrpolicy evaluate <policy> <data> --format csv -o <out>`` in a subprocess.

    Returns (seconds, peak of the summed RSS of its processes, sum of each one's own peak,
    number of processes seen), sampling /proc every 10 ms.
    """
    command = ["hrpolicy", "evaluate", str(POLICY), str(data), "--format", "csv", "-o", str(out)]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    peak_sum, own_peaks = 0, dict[int, int]()
    while child.poll() is None:
        total = 0
        for pid in _tree(child.pid):
            rss, hwm = _status_kib(pid)
            total += rss
            own_peaks[pid] = max(own_peaks.get(pid, 0), hwm)
        peak_sum = max(peak_sum, total)
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    assert child.returncode == 0
    return seconds, peak_sum, sum(own_peaks.values()), len(own_peaks)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
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
    engine = Engine.from_file(str(POLICY))

    # The CLI run first, while this process is still small.
    out = ROOT / "bench" / "out" / "result.csv"
    runs = [cli_run(data, out) for _ in range(args.repeat)]
    seconds = min(r[0] for r in runs)
    print(
        f"end to end (hrpolicy evaluate ... --format csv -o {out.relative_to(ROOT)}): {seconds:.2f} s "
        f"(runs: {', '.join(f'{r[0]:.2f}' for r in runs)})"
    )
    for name, index in (("peak of the summed RSS", 1), ("sum of each process's peak", 2)):
        print(f"  memory, {name}: {max(r[index] for r in runs) / 1024:,.0f} MiB over {runs[0][3]} processes")

    for flat in (True, False):
        kind = "flat values" if flat else "full results"
        split = [split_evaluation(engine, data, flat) for _ in range(args.repeat)]
        rate, own, peak = max(split, key=lambda r: r[0])
        print(
            f"evaluation step, 2 workers at once ({kind}): {rate:,.0f} employees/s "
            f"(each worker: {', '.join(f'{r:,.0f}/s' for r in own)}; peak RSS sum {peak / 1024:,.0f} MiB)"
        )

    parts = cli_workers(engine, data)
    for i, p in enumerate(parts):
        t = p.times
        print(
            f"CLI worker {i + 1}: read {t['read'] - t['start']:.2f} s, check + evaluate "
            f"{t['evaluated'] - t['read']:.2f} s ({p.evaluated:,} evaluated), render "
            f"{t['rendered'] - t['evaluated']:.2f} s"
        )

    start = time.perf_counter()
    population = engine.read(str(data))
    records, params = population.employees, population.parameters
    n = len(records)
    lines = sum(len(r.indicators) for r in records)
    print(f"one process: read {n:,} employees ({lines:,} goal lines) in {time.perf_counter() - start:.2f} s")
    rates: dict[bool, float] = {}
    for flat in (True, False):
        kind = "flat values" if flat else "full results"
        seconds = best(args.repeat, lambda: evaluation_step(engine, records, params, flat))  # noqa: B023
        rates[flat] = n / seconds
        print(f"evaluation step, 1 process ({kind}): {seconds:.2f} s, {n / seconds:,.0f} employees/s")
    with paused_gc():
        seconds = best(args.repeat, lambda: [engine.check(r, params) for r in records])
    print(f"sheet checks, 1 process: {seconds:.2f} s, {n / seconds:,.0f} employees/s")

    subset = records[: args.baseline]
    seconds = simpleeval_baseline(engine, subset, params)
    base_rate = len(subset) / seconds
    print(f"simpleeval baseline ({len(subset):,} employees): {seconds:.2f} s, {base_rate:,.0f} employees/s")
    print(
        f"speed-up over simpleeval, 1 process: {rates[True] / base_rate:.1f}x (flat), "
        f"{rates[False] / base_rate:.1f}x (full results)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
