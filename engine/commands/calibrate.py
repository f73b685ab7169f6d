"""``hrpolicy calibrate``: read the policy and the records, calibrate every chosen distribution and
review every employee's evaluator chain (:func:`engine.evaluate.calibration.calibrate_population`),
render (:mod:`engine.report.calibration`). A CSV file is read an employee at a time
(:mod:`engine.report.calibration_stream`): the same bytes, memory flat in the number of employees.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from typing import IO

from engine.commands.common import Echo, Reading, check_output, deliver_report, guard_output
from engine.evaluate import Engine
from engine.evaluate.calibration import PopulationCalibration, calibrate_population, chosen_distributions
from engine.io.atomic import open_atomic
from engine.provenance import Stamp, stamp_of
from engine.report import renderer
from engine.report.calibration import RENDERERS, frame, render_page, summary
from engine.report.calibration_stream import spooled, stream_calibration, streamable
from engine.report.labels import Labels
from engine.report.model import stamped
from engine.report.options import ReportOptions


def run_calibrate(
    policy_path: str,
    data_path: str,
    distribution: str | None,
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions | None = None,
    reading: Reading | None = None,
) -> int:
    """Calibrate DATA under POLICY; print or write (atomically) the report.

    Exit code 0 when every group's final grades are within quota and there is no problem, else 1.
    ``reading``: how to read a table, with the run-time parameters (``--param``).
    """
    renderer(RENDERERS, fmt)  # an unknown format is refused before anything is read
    check_output(output, fmt)
    guard_output(output, [policy_path, data_path])
    engine = Engine.from_file(policy_path)
    data = engine.source.data
    names = chosen_distributions(data, distribution, policy_path)
    reading = reading or Reading()
    options = options or ReportOptions()
    result = None
    if streamable(data_path, reading.encoding, reading.sheet):
        result = _streamed(engine, data_path, names, fmt, output, echo, options, reading)
    if result is None:
        population = engine.read(
            data_path, reading.parameters, encoding=reading.encoding, sheet=reading.sheet
        )
        result = calibrate_population(engine, population, names)
        deliver_report(RENDERERS, fmt, result, output, echo, options, data)
    try:
        if result.ok:
            return 0
        labels = Labels(data, options.lang)
        echo(f"hrpolicy: {labels.say('calibration_failed', summary=summary(result, labels))}", err=True)
        return 1
    finally:
        result.close()


def _streamed(
    engine: Engine,
    data_path: str,
    names: list[str],
    fmt: str,
    output: str | None,
    echo: Echo,
    options: ReportOptions,
    reading: Reading,
) -> PopulationCalibration | None:
    """Calibrate a records file as a stream and deliver the report; None (nothing delivered) when
    it must be read whole."""
    data = engine.source.data
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        done = stream_calibration(
            engine, data_path, names, fmt, spool, parameters=reading.parameters, sheet=reading.sheet
        )
        if done is None:
            return None
        result = done.result
        if spooled(fmt, result):
            head, tail = frame(fmt, result, Labels(data, options.lang))
            _deliver_framed(head, spool, tail, output, echo, fmt, [stamp_of(data)])
        else:
            renderers = dict(RENDERERS)
            if done.rows is not None:
                renderers["html"] = functools.partial(render_page, rows=done.rows)
            deliver_report(renderers, fmt, result, output, echo, options, data)
    return result


def _deliver_framed(
    head: str, spool: IO[str], tail: str, output: str | None, echo: Echo, fmt: str, stamps: list[Stamp]
) -> None:
    """``head``, the spooled parts and ``tail``, stamped as :func:`deliver` stamps a report: to
    ``output`` atomically, or echoed a megabyte at a time."""
    head = stamped(fmt, stamps, head)
    spool.seek(0)
    if output:
        with open_atomic(output) as out:
            out.write(head)
            shutil.copyfileobj(spool, out, 2**20)
            out.write(tail)
        return
    echo(head, nl=False)
    while block := spool.read(2**20):
        echo(block, nl=False)
    echo(tail, nl=False)
