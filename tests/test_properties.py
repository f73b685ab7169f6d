"""Properties that must always hold, tried with hypothesis on the shipped policies.

* The order of goal lines does not change a result (every shipped policy).
* A higher achievement never lowers a score where the policy makes the score monotone:
  japan_mbo and kepco_like (a higher ``actual`` on a higher-is-better quantitative line, a
  smaller positive ``actual`` on a lower-is-better one, a higher assessed achievement or
  progress on a non-quantitative line) and kumho_like (a better item rating, O > E > M > B, for
  both the performance and the competency score). Relative grades are not monotone by design
  (someone else's better score can push a person down); they are not claimed here.
* Quota seats add up to the group size, and each is the floor or the ceiling of its exact share
  (largest remainder) for any size and any quotas adding up to 100.
* Forming distribution groups (merging small ones up the org tree) never loses or duplicates a
  person: everyone is in exactly one graded group or in exactly one problem.
* Incentive shares add up to the pool to the unit (largest remainder), never exceed it (down).
* Outputs are byte-identical across runs, worker counts and ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal as D
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.distribution import Candidate, allocate_quotas, distribute, distribution_from_policy
from engine.evaluate import Engine
from engine.evaluate.employee import EmployeeResult, evaluate_employee
from engine.evaluate.parallel import run_report
from engine.io.model import EmployeeRecord, IndicatorRecord, Population
from engine.pay.incentive import allocate
from engine.report.results import RENDERERS, SPLIT_RENDERERS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["kepco_like", "kumho_like", "japan_mbo"]
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402


@cache
def _engine(name: str) -> Engine:
    return Engine.from_file(str(ROOT / "policies" / f"{name}.yaml"))


@cache
def _population(name: str) -> Population:
    return _engine(name).read(str(ROOT / "examples" / name / "employees.yaml"))


def _evaluate(name: str, record: EmployeeRecord) -> EmployeeResult:
    engine = _engine(name)
    return evaluate_employee(engine.policy, record, _population(name).parameters)


def _sheets(record: EmployeeRecord) -> dict[str, tuple[IndicatorRecord, ...]]:
    return dict(record.periods) if record.periods else {"": record.indicators}


def _with_sheets(record: EmployeeRecord, sheets: Mapping[str, tuple[IndicatorRecord, ...]]) -> EmployeeRecord:
    if record.periods:
        return dataclasses.replace(record, periods=dict(sheets))
    return dataclasses.replace(record, indicators=sheets[""])


# -- goal line order ----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
@given(data=st.data())
def test_the_order_of_goal_lines_does_not_change_a_result(name: str, data: st.DataObject) -> None:
    employees = _population(name).employees
    record = data.draw(st.sampled_from(employees))
    shuffled = {
        period: tuple(data.draw(st.permutations(lines))) for period, lines in _sheets(record).items()
    }
    moved = _with_sheets(record, shuffled)
    before, after = _evaluate(name, record), _evaluate(name, moved)
    assert after.values == before.values
    assert after.grades == before.grades
    assert sorted(map(repr, after.indicators)) == sorted(map(repr, before.indicators))
    engine, parameters = _engine(name), _population(name).parameters
    assert sorted(p.rule for p in engine.check(moved, parameters)) == sorted(
        p.rule for p in engine.check(record, parameters)
    )


# -- monotone scores ----------------------------------------------------------------------

RATINGS = ["B", "M", "E", "O"]  # kumho_like's oemb scale, worst first
DELTAS = st.decimals(min_value=0, max_value=1000, places=2)


def _better(name: str, line: Mapping[str, Any], delta: D) -> dict[str, Any] | None:
    """The line's fields with a higher achievement, or None when the line has no such field."""
    fields = dict(line)
    if name == "kumho_like":
        rating = fields.get("rating")
        if rating not in RATINGS:
            return None
        step = int(delta) % 4
        fields["rating"] = RATINGS[min(RATINGS.index(rating) + step, 3)]
        return fields
    if fields.get("kind") != "quantitative":
        key = "progress" if name == "kepco_like" else "assessed_achievement"
        if fields.get(key) is None:
            return None
        fields[key] = fields[key] + delta
        return fields
    actual, target = fields.get("actual"), fields.get("target")
    if actual is None or target is None or target <= 0:
        return None
    if fields.get("direction", "higher") == "higher":
        fields["actual"] = actual + delta
    else:  # lower is better: a smaller positive actual is the higher achievement
        if actual <= 0:
            return None
        fields["actual"] = actual * (1 - delta / 1001)
    return fields


SCORES = {
    "kepco_like": ["score"],
    "japan_mbo": ["score"],
    "kumho_like": ["performance_score", "competency_score"],
}


@pytest.mark.parametrize("name", SHIPPED)
@given(data=st.data())
def test_a_higher_achievement_never_lowers_a_score(name: str, data: st.DataObject) -> None:
    record = data.draw(st.sampled_from(_population(name).employees))
    sheets = _sheets(record)
    period = data.draw(st.sampled_from(sorted(sheets)))
    index = data.draw(st.integers(0, len(sheets[period]) - 1))
    line = sheets[period][index]
    better = _better(name, line.fields, data.draw(DELTAS))
    if better is None:
        return
    lines = list(sheets[period])
    lines[index] = IndicatorRecord(better, line.origin)
    before = _evaluate(name, record)
    after = _evaluate(name, _with_sheets(record, {**sheets, period: tuple(lines)}))
    for score in SCORES[name]:
        assert after.values[score] >= before.values[score], (score, line.fields, better)


def test_the_monotone_property_has_real_cases_on_every_policy() -> None:
    """Each policy has lines the property changes (it is not vacuous)."""
    for name in SHIPPED:
        lines = [ln for r in _population(name).employees for s in _sheets(r).values() for ln in s]
        changed = [ln for ln in lines if _better(name, ln.fields, D(5)) not in (None, dict(ln.fields))]
        assert len(changed) >= 10, name


# -- quotas -------------------------------------------------------------------------------

QUOTAS = st.lists(st.integers(0, 100), min_size=1, max_size=6).filter(lambda xs: sum(xs) > 0).map(
    lambda xs: _to_hundred(xs)
)


def _to_hundred(weights: list[int]) -> list[D]:
    """Quotas in percent adding up to exactly 100 (with decimals), in the given proportions."""
    total = sum(weights)
    shares = [(D(w) * 100 / total).quantize(D("0.01"), rounding="ROUND_DOWN") for w in weights]
    shares[-1] += D(100) - sum(shares)
    return shares


@given(
    n=st.integers(0, 2000),
    quotas=QUOTAS,
    method=st.sampled_from(["largest_remainder", "top_down"]),
    ties=st.sampled_from(["better_grade", "worse_grade"]),
)
def test_quotas_add_up_to_the_group_size(n: int, quotas: list[D], method: str, ties: str) -> None:
    codes = [f"G{i}" for i in range(len(quotas))]
    seats = allocate_quotas(n, dict(zip(codes, quotas, strict=True)), codes, method, ties)
    assert sum(seats.values()) == n
    assert all(s >= 0 for s in seats.values())
    if method == "largest_remainder":
        for code, q in zip(codes, quotas, strict=True):
            exact = Fraction(n) * Fraction(q) / 100
            assert exact - 1 < seats[code] < exact + 1, (code, exact, seats[code])


@given(n=st.integers(0, 500))
def test_the_kumho_seats_add_up_to_the_group_size(n: int) -> None:
    rule = distribution_from_policy(_engine("kumho_like").source.data, "performance")
    assert sum(rule.seats(n).values()) == n


# -- merging small groups -----------------------------------------------------------------

ORGS = ["company", "civil_div", "arch_div", "mgmt_div", "plant_div"]
CANDIDATES = st.lists(
    st.tuples(
        st.sampled_from(ORGS),
        st.sampled_from(["K1", "K2", "K3", "K4"]),
        st.decimals(min_value=0, max_value=100, places=1),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1)),
    ),
    max_size=60,
)


@given(rows=CANDIDATES)
def test_merging_small_groups_never_loses_or_duplicates_a_person(rows: list[tuple[Any, ...]]) -> None:
    policy = _engine("kumho_like").source.data
    rule = distribution_from_policy(policy, "performance")
    candidates = []
    for i, (org, grade, score, competency) in enumerate(rows):
        fields = {"id": f"P{i:03}", "org": org, "role_grade": grade}
        if competency is not None:  # without it a tie cannot be broken: a problem, not a loss
            fields["competency_score"] = competency
        candidates.append(Candidate(f"P{i:03}", score, fields))
    result = distribute(rule, candidates, _population("kumho_like").org_parent)
    placed = Counter(m for g in result.groups for m in g.members)
    placed.update(m for p in result.problems for m in p.members)
    assert placed == Counter(c.id for c in candidates)
    for group in result.groups:
        assert group.size >= rule.min_group_size
        assert sum(group.quota.values()) == group.size
        assert group.counts() == group.quota


# -- incentive shares ---------------------------------------------------------------------


@given(
    units=st.integers(0, 10**6),
    unit=st.sampled_from([D(1), D(10), D(1000), D("0.01")]),
    values=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=40).filter(
        lambda vs: sum(vs) > 0
    ),
    remainder=st.sampled_from(["largest_remainder", None]),
)
def test_incentive_shares_add_up_to_the_pool_to_the_unit(
    units: int, unit: D, values: list[D], remainder: str | None
) -> None:
    pool = units * unit
    people = [(f"E{i:03}", v) for i, v in enumerate(values)]
    shares = allocate(pool, people, unit, "down", remainder)
    paid = sum((s.amount for s in shares), D(0))
    assert all(s.amount % unit == 0 and s.amount >= 0 for s in shares)
    assert all(abs(s.amount - s.exact) < unit for s in shares)
    if remainder == "largest_remainder":
        assert paid == pool
    else:
        assert pool - len(shares) * unit < paid <= pool


# -- byte-identical outputs ---------------------------------------------------------------

Run = Callable[[int], str]


@settings(max_examples=max(5, settings.default.max_examples // 15))  # each example forks twice
@given(count=st.integers(1, 120), seed=st.integers(0, 10**6), fmt=st.sampled_from(["csv", "json"]))
def test_outputs_are_identical_whatever_the_worker_count(
    tmp_path_factory: pytest.TempPathFactory, count: int, seed: int, fmt: str
) -> None:
    path = tmp_path_factory.mktemp("workers") / "pop.csv"
    generate(count, str(path), seed=seed)
    policy = str(ROOT / "policies" / "japan_mbo.yaml")
    render, split = RENDERERS[fmt], SPLIT_RENDERERS.get(fmt)
    one = run_report(policy, str(path), render, split, workers=1)[1]
    again = run_report(policy, str(path), render, split, workers=1)[1]
    two = run_report(policy, str(path), render, split, workers=2, min_bytes=0)[1]
    three = run_report(policy, str(path), render, split, workers=3, min_bytes=0)[1]
    assert one == again == two == three
    assert one.count("E0") >= count


def _hrpolicy(seed: str, *args: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout + b"\0" + done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "policies/kumho_like.yaml", "examples/kumho_like/employees.yaml", "--format", "json"),
        ("evaluate", "policies/kepco_like.yaml", "examples/kepco_like/employees.yaml", "--format", "csv"),
        ("calibrate", "policies/kumho_like.yaml", "examples/kumho_like/calibration.yaml", "--format", "json"),
        ("pay", "policies/kumho_like.yaml", "examples/kumho_like/pay.yaml", "--format", "json"),
        ("validate", "policies/kumho_like.yaml", "tests/cases/invalid", "--format", "json"),
    ],
)
def test_outputs_are_identical_whatever_the_hash_seed(args: tuple[str, ...]) -> None:
    outputs = {seed: _hrpolicy(seed, *args) for seed in ("0", "1", "987654321")}
    assert len(outputs["0"]) > 200
    assert outputs["1"] == outputs["0"]
    assert outputs["987654321"] == outputs["0"]
