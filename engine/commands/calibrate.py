"""``hrpolicy calibrate``: read the policy and the records, calibrate every chosen distribution and
review every employee's evaluator chain (:func:`engine.evaluate.calibration.calibrate_population`),
render (:mod:`engine.report.calibration`). A CSV file is read an employee at a time
(:mod:`engine.report.calibration_stream`) and its report written a piece at a time: the same
bytes (a workbook: the same cells), memory flat in the number of employees.
"""

from __future__ import annotations

import tempfile

from engine.commands.common import Echo, Reading, check_output, deliver_report, guard_output, streamed_out
from engine.evaluate import Engine
from engine.evaluate.calibration import PopulationCalibration, calibrate_population, chosen_distributions
from engine.io.atomic import open_atomic_binary
from engine.provenance import stamp_of
from engine.report import renderer
from engine.report.calibration import RENDERERS, summary
from engine.report.calibration_stream import (
    stream_calibration,
    streamable,
    write_streamed,
    write_streamed_workbook,
)
from engine.report.labels import Labels, policy_language
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
    ``reading``: how to read a table, with the run-time parameters (``--param``), and where to
    draw a progress bar while a file read an employee at a time is read.
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
    bar = reading.bar(data_path)
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        done = stream_calibration(
            engine, data_path, names, fmt, spool, parameters=reading.parameters, sheet=reading.sheet,
            progress=bar,
        )  # fmt: skip
        if bar is not None:
            bar.finish()  # the file read: what follows is the report's writing
        if done is None:
            return None
        language = options.lang or (policy_language(data) if fmt in ("html", "xlsx") else None)
        if fmt == "xlsx":  # a workbook is a file (check_output): written a row at a time
            assert output is not None
            with open_atomic_binary(output) as binary:
                write_streamed_workbook(done, Labels(data, language), [stamp_of(data)], binary)
            return done.result
        try:
            with streamed_out(output, echo, fmt, options.bom) as out:
                write_streamed(fmt, done, spool, Labels(data, language), options, [stamp_of(data)], out)
        finally:
            if done.rows is not None:
                done.rows.close()
    return done.result
