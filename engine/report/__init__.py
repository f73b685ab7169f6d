"""Renderers, one registry per output kind: a plain dict ``format name -> renderer`` at the end of
each module. The CLI's ``--format`` choices are the registries' names, listed in
:mod:`engine.report.formats` so that the CLI need not import the renderers (a test keeps both equal).

======================  ===============================  =============================================
output kind             registry                         a renderer takes
======================  ===============================  =============================================
diagnostics             ``diagnostics.RENDERERS``        ``Sequence[FileDiagnostics]``, skipped files
policy tests            ``policytest.TEST_RENDERERS``    :class:`engine.report.policytest.TestReport`
results                 ``results.RENDERERS``            :class:`engine.evaluate.RunOutcome`
one employee explained  ``results.EXPLAIN_RENDERERS``    its :class:`engine.evaluate.RunOutcome`
calibration             ``calibration.RENDERERS``        :class:`engine.chains.PopulationCalibration`
jobeval                 ``jobeval.RENDERERS``            :class:`engine.jobeval.JobReport`
pay                     ``pay.RENDERERS``                :class:`engine.pay.PayReport`
workflow                ``workflow.RENDERERS``           :class:`engine.workflow.WorkflowReport`
======================  ===============================  =============================================

Adding a format is one entry in one registry and its name in ``formats`` (a renderer returns
the whole text; the command writes it). :func:`renderer` picks one by name, with the same
message for every command.
``results.SPLIT_RENDERERS`` says how a results format is rendered in parts by worker processes
(:mod:`engine.evaluate.parallel`); a format without an entry there is rendered by one process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from engine.errors import UsageError

R = TypeVar("R")


def renderer(registry: Mapping[str, R], fmt: str) -> R:
    """The renderer ``fmt`` of ``registry``; a :class:`UsageError` listing the formats if none."""
    if fmt not in registry:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(registry)}")
    return registry[fmt]
