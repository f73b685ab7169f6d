"""The exact columnar plan's parts, CPU time, over one population as one chunk:

    python bench/bench_columnar_parts.py [--count N] [--repeat R]

``read_chunk`` (the CSV bytes split into text columns by Arrow), ``typed`` (every declared cell
converted, the employees grouped, the rows the plan cannot take), ``compute`` with and without
the sheet checks (their difference is what the checks cost) and ``evaluate`` (all of it for a
CSV report: conversion, checks, the chain review, the step, ids and names). japan_mbo, the
population of ``bench/bench_anchors.py`` (generated once into bench/out). Best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_anchors import POLICY, generate  # noqa: E402

from engine.evaluate.columnar.build import build_plan  # noqa: E402
from engine.evaluate.columnar.reading import read_chunk  # noqa: E402
from engine.evaluate.run import Engine  # noqa: E402
from engine.io.model import compile_inputs  # noqa: E402
from engine.io.records import stream_csv  # noqa: E402


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    data = ROOT / "bench" / "out" / f"japan_{args.count}.csv"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        generate(args.count, str(data), 7)
    engine = Engine.from_file(str(POLICY))
    raw = data.read_bytes()
    body = raw[raw.index(b"\n") + 1 :]
    inputs, scales = engine.source.data["inputs"], engine.source.data.get("scales") or {}
    part = (len(raw) - len(body), len(raw) - len(body), 2)
    header, values, _, _ = stream_csv(str(data), inputs, scales=scales, part=part)
    plan = build_plan(engine, header.plan, compile_inputs(inputs, scales), values)
    frame = read_chunk(body, header.plan.width)
    assert frame is not None
    typed = plan.typed(frame)
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("read_chunk", lambda: read_chunk(body, header.plan.width)),
        ("typed", lambda: plan.typed(frame)),
        ("compute, sheet checks", lambda: plan.compute(typed, checks=True)),
        ("compute, no checks", lambda: plan.compute(typed, checks=False)),
        ("evaluate (detail=False)", lambda: plan.evaluate(frame, detail=False)),
    ]
    print(f"{len(typed.starts):,} employees, {len(typed.gid):,} goal lines, CPU best of {args.repeat}")
    for label, fn in parts:
        print(f"{label}: {best(args.repeat, fn) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
