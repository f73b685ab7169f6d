"""Consultants' tools: schemes side by side, one population under several schemes, semantic
diffs of policy versions, what-if simulation, and the rulebook of a policy in words.

Entry points: :func:`scheme_facts` (what a scheme declares), :func:`read_canonical` and
:func:`load_mapping` (a scheme-neutral population and the declared mapping to each scheme's
records), :func:`compare_population`, :func:`diff_policies`, :func:`simulate` and
:func:`rulebook`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from engine.compare.facts import DIMENSIONS, Dimension, scheme_facts
from engine.compare.mapping import CompiledMapping, load_mapping
from engine.compare.outcome import Comparison, SchemeResult
from engine.compare.population import CanonicalPopulation, read_canonical
from engine.compare.run import compare_population, run_scheme
from engine.errors import DataError, UsageError
from engine.loader import load_yaml_file

__all__ = [
    "DIMENSIONS",
    "CanonicalPopulation",
    "Comparison",
    "CompiledMapping",
    "Dimension",
    "SchemeResult",
    "compare_population",
    "load_mapping",
    "mapping_files",
    "read_canonical",
    "run_scheme",
    "scheme_facts",
]


def _declared_policy(path: str) -> str | None:
    try:
        doc = load_yaml_file(path, display=path)
    except UsageError as exc:
        raise DataError(str(exc)) from None
    data = doc.data
    return str(data["policy"]) if isinstance(data, dict) and "policy" in data else None


def mapping_files(
    policy_ids: Sequence[str], given: Sequence[str], population_path: str, listed: Sequence[str]
) -> list[str]:
    """The mapping file of each policy, in order: from ``given`` (``--map``), else the population's
    own ``mappings`` list (relative to its folder); matched by the ``policy`` each one names."""
    base = os.path.dirname(population_path)
    candidates = list(given) or [os.path.join(base, str(p)) for p in listed]
    by_policy: dict[str, str] = {}
    for path in candidates:
        if not os.path.isfile(path):
            raise UsageError(f"{path}: no such mapping file")
        declared = _declared_policy(path)
        if declared is None:
            raise DataError(f"{path}:1:1: a mapping names its policy ('policy: <metadata.id>')")
        by_policy.setdefault(declared, path)
    missing = [pid for pid in policy_ids if pid not in by_policy]
    if missing:
        raise UsageError(f"no mapping for policy {', '.join(missing)}; pass --map MAP.yaml naming it")
    return [by_policy[pid] for pid in policy_ids]
