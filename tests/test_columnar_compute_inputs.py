"""The columnar plan's ``compute`` leaves its typed columns as it found them: the benchmark (and
any caller) may compute the same chunk again, with or without the sheet checks, and must get the
same answer. A line whose formula cannot be evaluated (a target of 0 divides by zero) marks its
employee bad in the result, never in the caller's mask."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.bench_anchors import POLICY, columnar_plan
from bench.gen_population import generate
from engine.evaluate import Engine
from engine.evaluate.columnar.reading import read_chunk


def _zero_target(path: Path) -> None:
    """The first quantitative goal line whose direction is 'higher' gets the target 0."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    target, kind, direction = header.index("target"), header.index("kind"), header.index("direction")
    for i, line in enumerate(lines[1:], 1):
        cells = line.rstrip("\n").split(",")
        if cells[kind] == "quantitative" and cells[direction] == "higher":
            cells[target] = "0"
            lines[i] = ",".join(cells) + "\n"
            break
    path.write_text("".join(lines), encoding="utf-8")


def test_compute_without_checks_leaves_the_callers_mask(tmp_path: Path) -> None:
    data = tmp_path / "japan.csv"
    generate(200, str(data), 5)
    _zero_target(data)
    plan, body, width = columnar_plan(Engine.from_file(str(POLICY)), data)
    frame = read_chunk(body, width)
    assert frame is not None
    typed = plan.typed(frame)
    before = np.array(typed.bad, copy=True)
    assert not before.any()
    first = plan.compute(typed, checks=False)[0]
    assert int(np.count_nonzero(~first)) == 1  # the employee with the target of 0
    assert np.array_equal(typed.bad, before)
    again = plan.compute(typed, checks=True)[0]
    assert int(np.count_nonzero(~again)) == 1
    assert np.array_equal(typed.bad, before)
