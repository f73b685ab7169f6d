"""Seeded mutation tests: a damaged policy or data file gives diagnostics or one of our errors,
never an unexpected exception (which the CLI would show as a traceback)."""

from __future__ import annotations

import contextlib
import copy
import functools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import HRPolicyError
from engine.evaluate import Engine, run
from engine.loader import load_yaml_text
from engine.report.results import RENDERERS
from engine.validate import validate_document

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [
    ("policies/japan_mbo.yaml", "examples/japan_mbo/employees.yaml"),
    ("policies/kepco_like.yaml", "examples/kepco_like/employees.yaml"),
    ("policies/kumho_like.yaml", "examples/kumho_like/employees.yaml"),
]
#: Replacement values: wrong types, empties, extremes, broken formulas.
VALUES: list[Any] = [
    0, -1, 1, 100, 10**30, "", "x", None, [], {}, True, "1.5", "weight", "segment == 'x'", "sum(",
    0.5, [1, 2], {"a": 1}, "1e400", "9999-12-31",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        yield from _paths(value, (*prefix, key))


def mutate(data: Any, rng: random.Random) -> Any:
    """A copy of ``data`` with one node deleted or replaced."""
    data = copy.deepcopy(data)
    path = rng.choice([p for p in _paths(data) if p])
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if rng.random() < 0.35:
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(VALUES)
    return data


DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _text(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)


def _dump(data: Any, path: Path) -> Path:
    path.write_text(_text(data), encoding="utf-8")
    return path


@functools.cache
def _load(name: str) -> Any:
    """The file as plain data (cached: :func:`mutate` copies before it changes anything)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((ROOT / name).read_text(encoding="utf-8"), Loader=loader)


@pytest.mark.parametrize("seed", range(3))
def test_a_damaged_policy_gives_diagnostics_not_exceptions(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        policy, _ = rng.choice(PAIRS)
        text = _text(mutate(_load(policy), rng))
        validate_document(load_yaml_text(text, "mutated.yaml"))  # must not raise


@pytest.mark.parametrize("seed", range(3))
def test_a_damaged_policy_that_validates_still_evaluates_or_fails_cleanly(seed: int, tmp_path: Path) -> None:
    rng = random.Random(100 + seed)
    for _ in range(30):
        policy, data = rng.choice(PAIRS)
        mutated = _dump(mutate(_load(policy), rng), tmp_path / "policy.yaml")
        with contextlib.suppress(HRPolicyError):
            run(str(mutated), str(ROOT / data))


@pytest.mark.parametrize("seed", range(3))
def test_damaged_records_give_problems_not_exceptions(seed: int, tmp_path: Path) -> None:
    rng = random.Random(200 + seed)
    engines = {policy: Engine.from_file(str(ROOT / policy)) for policy, _ in PAIRS}
    for _ in range(40):
        policy, data = rng.choice(PAIRS)
        mutated = _dump(mutate(mutate(_load(data), rng), rng), tmp_path / "data.yaml")
        engine = engines[policy]
        try:
            outcome = engine.evaluate(engine.read(str(mutated)))
        except HRPolicyError:
            continue
        for render in RENDERERS.values():
            render(outcome)
