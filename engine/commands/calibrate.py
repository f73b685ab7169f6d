"""``hrpolicy calibrate``: read the policy and the records, calibrate every chosen distribution and
review every employee's evaluator chain (:func:`engine.evaluate.calibration.calibrate_population`),
render (:mod:`engine.report.calibration`).
"""

from __future__ import annotations

from engine.commands.common import Echo, Reading, check_output, deliver_report, guard_output
from engine.evaluate import Engine
from engine.evaluate.calibration import calibrate_population, chosen_distributions
from engine.report import renderer
from engine.report.calibration import RENDERERS, summary
from engine.report.labels import Labels
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
    population = engine.read(
        data_path, reading.parameters, encoding=reading.encoding, sheet=reading.sheet
    )
    result = calibrate_population(engine, population, names)
    options = options or ReportOptions()
    deliver_report(RENDERERS, fmt, result, output, echo, options, data)
    if result.ok:
        return 0
    labels = Labels(data, options.lang)
    echo(f"hrpolicy: {labels.say('calibration_failed', summary=summary(result, labels))}", err=True)
    return 1
