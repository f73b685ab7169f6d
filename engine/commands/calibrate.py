"""``hrpolicy calibrate``: read the policy and the records, calibrate every chosen distribution and
review every employee's evaluator chain (:func:`engine.evaluate.calibration.calibrate_population`),
render (:mod:`engine.report.calibration`).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.commands.common import Echo, deliver, guard_output
from engine.evaluate import Engine
from engine.evaluate.calibration import calibrate_population, chosen_distributions
from engine.evaluate.parameters import parse_param_options
from engine.report import renderer
from engine.report.calibration import RENDERERS, summary


def run_calibrate(
    policy_path: str,
    data_path: str,
    distribution: str | None,
    fmt: str,
    output: str | None,
    echo: Echo,
    params: Sequence[str] = (),
) -> int:
    """Calibrate DATA under POLICY; print or write (atomically) the report.

    Exit code 0 when every group's final grades are within quota and there is no problem, else 1.
    ``params``: ``NAME=VALUE`` run-time parameters (``--param``).
    """
    render = renderer(RENDERERS, fmt)
    guard_output(output, [policy_path, data_path])
    engine = Engine.from_file(policy_path)
    data = engine.source.data
    names = chosen_distributions(data, distribution, policy_path)
    population = engine.read(data_path, parse_param_options(params))
    result = calibrate_population(engine, population, names)
    deliver(render(result), output, echo)
    if result.ok:
        return 0
    echo(f"hrpolicy: calibration failed: {summary(result)}", err=True)
    return 1
