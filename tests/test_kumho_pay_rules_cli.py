"""Seed 004 pay rules through ``hrpolicy pay`` (kumho_like): the declared default coefficient, the
special pool tied to company results, the coefficient that adjusts the spread ("차등폭을 조절"),
and what the 9 : 1 pay mix governs. Figures worked out by hand in the comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kumho_like.yaml")
PAY = ROOT / "examples" / "kumho_like" / "pay.yaml"
DEFAULT_LINE = (
    "  # coefficient: left out, the policy's default 1.0 applies (the actual spread of the indices)\n"
)


def pay(tmp_path: Path, *replacements: tuple[str, str]) -> tuple[int, dict[str, Any], str]:
    text = PAY.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    data = tmp_path / "pay.yaml"
    data.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["pay", POLICY, str(data), "--format", "json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def amounts(payload: dict[str, Any]) -> dict[str, str]:
    return {s["employee"]: s["amount"] for s in payload["incentive"]["shares"]}


def test_without_a_coefficient_the_declared_default_applies_and_everyone_is_paid(tmp_path: Path) -> None:
    code, payload, _ = pay(tmp_path)
    assert code == 0
    assert payload["parameters"]["coefficient"] == "1.0"
    assert payload["problems"] == []
    # the default 1.0 keeps the indices: the shares of the example (tests/test_pay_cli.py)
    assert amounts(payload)["H101"] == "11633000"
    assert payload["incentive"]["total"] == "88060000"


def test_a_missing_value_names_the_field_the_formula_needed(tmp_path: Path) -> None:
    # H101 without a team KPI: the formula reads team_leader_result (the branch taken), which H101
    # lacks; team_performance (also absent now) is not needed and must not be named.
    code, payload, _ = pay(
        tmp_path, ("    has_team_kpi: true\n    team_performance: 110\n", "    has_team_kpi: false\n")
    )
    assert code == 1
    assert [p["message"] for p in payload["problems"]] == [
        "employee H101: 'team_leader_result' has no value in '(vp_performance * 30 + division_performance"
        " * 30 + (team_performance if has_team_kpi else team_leader_result) * 40) / 100'"
        " (vp_performance=100, division_performance=110, team_performance=none, has_team_kpi=False,"
        " team_leader_result=none)"
    ]


def test_the_coefficient_widens_the_spread_and_the_pool_still_adds_up(tmp_path: Path) -> None:
    code, payload, _ = pay(tmp_path, (DEFAULT_LINE, "  coefficient: 2\n"))
    assert code == 0
    # adjusted = 100 + (index - 100) x 2: H101 114, H102 106, H103 90, H104 98, H105 102, H106 94,
    # H107 100, H108 116; sum 820. Units 88,060 x adjusted / 820: 12,242.49 / 11,383.37 / 9,665.12 /
    # 10,524.24 / 10,953.80 / 10,094.68 / 10,739.02 / 12,457.27; floors add up to 88,057, the 3 units
    # left go to H105 (.80), H106 (.68), H101 (.49).
    assert amounts(payload) == {
        "H101": "12243000", "H102": "11383000", "H103": "9665000", "H104": "10524000",
        "H105": "10954000", "H106": "10095000", "H107": "10739000", "H108": "12457000",
    }
    assert payload["incentive"]["total"] == "88060000"
    assert payload["incentive"]["shares"][0]["adjusted"] == "114"
    # with 1.0 H101 (107) gets 11,633,000 and H103 (95) 10,328,000: the coefficient moves money
    # from below the pivot to above it.


def test_coefficient_zero_shares_the_pool_equally(tmp_path: Path) -> None:
    code, payload, _ = pay(tmp_path, (DEFAULT_LINE, "  coefficient: 0\n"))
    assert code == 0
    # every adjusted index is 100: 88,060 / 8 = 11,007.5 units -> 11,007 x 8 = 88,056, the 4 units
    # left to the first ids of equal remainders (H101-H104).
    assert amounts(payload) == {
        **{e: "11008000" for e in ("H101", "H102", "H103", "H104")},
        **{e: "11007000" for e in ("H105", "H106", "H107", "H108")},
    }


def test_the_pool_follows_company_goal_attainment(tmp_path: Path) -> None:
    # 100 %: the target is met, not exceeded ("미달시 미지급"): no pool.
    code, payload, _ = pay(tmp_path, ("company_attainment: 125", "company_attainment: 100"))
    assert code == 0
    assert (payload["incentive"]["pool"], payload["incentive"]["total"]) == ("0", "0")
    # 110 %: half way to the cap: 518,000,000 x 10 / 20 x 17 / 100 = 44,030,000.
    code, payload, _ = pay(tmp_path, ("company_attainment: 125", "company_attainment: 110"))
    assert (payload["incentive"]["pool"], payload["incentive"]["total"]) == ("44030000", "44030000")


def test_the_pay_mix_sets_each_variable_pay_budget(tmp_path: Path) -> None:
    code, payload, _ = pay(tmp_path)
    assert code == 0
    mix = payload["mix"]
    # variable = base x 10 / 90, whole 1,000 won down: H101 120,000,000 -> 13,333,333.3 -> 13,333,000;
    # H102 90,000,000 -> 10,000,000; H103 70,000,000 -> 7,777,777.8 -> 7,777,000.
    targets = {t["employee"]: t["target"] for t in mix["targets"]}
    assert (targets["H101"], targets["H102"], targets["H103"]) == ("13333000", "10000000", "7777000")
    # 13,333 + 10,000 + 7,777 + 6,444 + 5,333 + 4,444 + 4,111 + 6,111 thousand
    assert mix["total"] == "57553000"
    assert mix["targets"][0]["explanation"] == (
        "variable = base_pay x 10 / 90 = 120000000 x 10 / 90 = 13333333.33333333333333333333 -> 13333000"
    )
