"""``hrpolicy simulate``: one declared value varied over the canonical population (examples/compare)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Echo

from engine.commands.simulate import run_simulate
from engine.compare.simulate import parse_path, parse_vary
from engine.errors import UsageError
from engine.provenance import stamp_of
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
JAPAN = "policies/japan_mbo.yaml"
KUMHO = "policies/kumho_like.yaml"
POPULATION = "examples/compare/population.yaml"
BOUNDARY = (
    "grade_tables.rating.segments.manager.bands[S].min+grade_tables.rating.segments.manager.bands[A].max"
)


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def simulate(policy: str, vary: str, fmt: str = "text", population: str = POPULATION) -> str:
    echo = Echo()
    assert run_simulate(policy, population, vary, [], fmt, None, "en", echo) == 0, echo.stderr
    return echo.stdout


def test_moving_the_manager_s_boundary() -> None:
    # Managers: P1 109.00 % and P4 99.00 % (test_compare). With S from 106 or 108, P1 (109) is S;
    # with S from 112, P1 stays A (A is then 100 to < 112); P4 is B throughout. Scores never move.
    out = simulate(JAPAN, f"{BOUNDARY}=106,108,112")
    lines = out.splitlines()
    assert all(line.startswith("policy japan_mbo version 2026.1 sha256 ") for line in lines[:4])
    assert lines[4:] == [
        f"hrpolicy simulate: {JAPAN} varying {BOUNDARY}=106,108,112",
        f"population {POPULATION}: 5 people; as written: 110, 110",
        "",
        "== outcomes per value",
        "value                  evaluated  S  A  B  C  D  mean score  grade changes vs as written",
        "---------------------  ---------  -  -  -  -  -  ----------  ---------------------------",
        "110, 110 (as written)          5  1  2  1  1  0      100.04  none",
        "106                            5  2  1  1  1  0      100.04  P1 A->S",
        "108                            5  2  1  1  1  0      100.04  P1 A->S",
        "112                            5  1  2  1  1  0      100.04  none",
    ]


def test_the_raise_share_moves_pay_not_grades() -> None:
    # K3 performance share s: raise = 3.0 + (offset_perf x s + offset_comp x (100 - s)) / 100.
    #   P1 P zone II +0.5 / III -0.5: s=30: 3.0 + (15 - 35) / 100 = 2.8 -> 1,960,000; s=70: 3.2 -> 2,240,000
    #   P2 T III 0 / III 0: 3.0 always -> 1,560,000
    #   P3 E IV -0.5 / IV -0.5: 2.5 always -> 1,200,000
    #   P4 T III 0 / II +1: s=30: 3.0 + 70 / 100 = 3.7 -> 2,442,000; s=70: 3.3 -> 2,178,000
    #   P5 T I +2 / I +2: 5.0 always -> 2,900,000
    # totals: s=30 1,960,000 + 1,560,000 + 1,200,000 + 2,442,000 + 2,900,000 = 10,062,000
    #         s=70 2,240,000 + 1,560,000 + 1,200,000 + 2,178,000 + 2,900,000 = 10,078,000
    lines = simulate(KUMHO, "tables.raise_performance_share.values.K3=30,70").splitlines()
    assert lines[-3:] == [
        "50 (as written)          5  1   1    2   1  0                   62.00   10070000.00  none",
        "30                       5  1   1    2   1  0                   62.00   10062000.00  none",
        "70                       5  1   1    2   1  0                   62.00   10078000.00  none",
    ]


def test_an_invalid_value_is_a_row_that_says_so() -> None:
    # S from 108 alone overlaps the A band (100 to < 110): the variant is not run.
    path = "grade_tables.rating.segments.manager.bands[S].min=108"
    out = simulate(JAPAN, path, population="examples/japan_mbo/employees.yaml")
    assert out.splitlines()[-4:] == [
        "108                 invalid",
        "",
        "== value 108 is invalid",
        f"{JAPAN}:267:13: error [grade-overlap] bands 'S' and 'A' of grade table 'rating' segment 'manager'"
        " overlap: values at least 108 and below 110 fall in both",
    ]


def test_each_variant_is_stamped_with_its_own_hash() -> None:
    out = simulate(JAPAN, f"{BOUNDARY}=110,108", fmt="csv")
    rows = out.splitlines()
    assert rows[0] == "# policy,japan_mbo,2026.1," + stamp_of(load_policy(JAPAN).data).sha256
    assert rows[1] == rows[0]  # 110 is the value as written: the same rules, the same hash
    assert rows[2] != rows[0]


def test_paths_and_values_are_read_or_refused() -> None:
    assert parse_path("a.b[S].c") == ["a", "b", ("S",), "c"]
    assert parse_vary("periods.midterm.weight=10, 20") == (["periods.midterm.weight"], [10, 20])
    with pytest.raises(UsageError, match=re.escape("--vary 'x': write PATH=V1,V2,...")):
        parse_vary("x")
    with pytest.raises(UsageError, match=re.escape("--vary: the policy has no value at grade_tables.ratng")):
        simulate(JAPAN, "grade_tables.ratng.round.places=0,1")
