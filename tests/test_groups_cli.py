"""Seed 004 slide 25, through the CLI: "상대판정이 실질적으로 가능한 최소규모(직급별 5명이상)를 확보하지
못할 경우, 상위 조직의 직급별로 상대 판정집단을 구성" (kumho_like, ``merge.pool: subtree``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kumho_like.yaml")

COMPETENCY = """      - {title: 고객지향, category: group_common, weight: 34, rating: M}
      - {title: 도전과 혁신, category: group_common, weight: 33, rating: M}
      - {title: 팀워크, category: group_common, weight: 33, rating: M}
      - {title: 안전 최우선, category: company_common, weight: 50, rating: M}
      - {title: 품질 중시, category: company_common, weight: 50, rating: M}
      - {title: 공정관리, category: job_expert, weight: 34, rating: M}
      - {title: 원가관리, category: job_expert, weight: 33, rating: M}
      - {title: 시공기술, category: job_expert, weight: 33, rating: M}
"""

# KPI 1 (weight w, O = 100) and KPI 2 (weight 100 - w, B = 25): performance = 25 + 0.75 w.
STAFF = {
    "a1": ("div_a", 80),  # 85.00
    "a2": ("div_a", 40),  # 55.00
    "a3": ("div_a", 20),  # 40.00
    "b01": ("div_b", 90),  # 92.50
    "b02": ("div_b", 70),  # 77.50
    "b03": ("div_b", 60),  # 70.00
    "b04": ("div_b", 50),  # 62.50
    "b05": ("div_b", 45),  # 58.75
    "b06": ("div_b", 35),  # 51.25
    "b07": ("div_b", 30),  # 47.50
    "b08": ("div_b", 25),  # 43.75
    "b09": ("div_b", 15),  # 36.25
    "b10": ("div_b", 10),  # 32.50
}


def population(tmp_path: Path, staff: dict[str, tuple[str, int]] = STAFF) -> str:
    lines = [
        "policy: kumho_like",
        "parameters: {X: 3.0}",
        "org_units:",
        "  - {id: company, parent: null}",
        "  - {id: div_a, parent: company}",
        "  - {id: div_b, parent: company}",
        "employees:",
    ]
    for emp, (org, w) in staff.items():
        lines += [
            f"  - id: {emp}",
            f"    name: {emp}",
            "    role_grade: K4",
            f"    org: {org}",
            "    year_in_grade: 2",
            "    indicators:",
            # Slide 23: an O carries the executive next superior's confirming signature.
            f"      - {{title: KPI1, category: job_kpi, weight: {w}, rating: O, confirmed_by: X900}}",
            f"      - {{title: KPI2, category: job_kpi, weight: {100 - w}, rating: B}}",
        ]
        lines.append(COMPETENCY.rstrip("\n"))
    path = tmp_path / "staff.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_three_k4_beside_a_sibling_of_ten_are_graded_in_the_company_group(tmp_path: Path) -> None:
    data = population(tmp_path)
    result = CliRunner().invoke(cli, ["evaluate", POLICY, data, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["warnings"] == []
    grades = {r["id"]: r["relative"]["performance"]["grade"] for r in payload["results"]}
    # div_a K4 has 3 < 5: the group is formed at company K4, which holds every K4 under the
    # company: div_a's 3 and div_b's 10 = 13. Seats 10/20/40/20/10 % of 13 = 1.3/2.6/5.2/2.6/1.3
    # -> floors 1/2/5/2/1 = 11; the 2 left go to the largest remainders II (.6) and IV (.6):
    # I=1, II=3, III=5, IV=3, V=1. Ranks: b01 92.50, a1 85.00, b02 77.50, b03 70.00 | b04 62.50,
    # b05 58.75, a2 55.00, b06 51.25, b07 47.50 | b08 43.75, a3 40.00, b09 36.25 | b10 32.50.
    assert grades == {
        "a1": "II", "a2": "III", "a3": "IV",
        "b01": "I", "b02": "II", "b03": "II", "b04": "III", "b05": "III", "b06": "III", "b07": "III",
        "b08": "IV", "b09": "IV", "b10": "V",
    }


def test_the_merge_path_is_shown_per_employee_in_explain(tmp_path: Path) -> None:
    data = population(tmp_path)
    small = CliRunner().invoke(cli, ["explain", POLICY, data, "--employee", "a3"])
    assert small.exit_code == 0, small.output
    assert small.stdout.splitlines()[-2] == (
        "    [relative] performance = IV: rank 11 of 13 in group (org=company, role_grade=K4): quota"
        " I=1, II=3, III=5, IV=3, V=1 seats (largest_remainder); ranks 10-12 get IV; merged from"
        " (org=div_a, role_grade=K4), (org=div_b, role_grade=K4); merge path: (org=div_a,"
        " role_grade=K4) has 3 < 5 -> (org=company, role_grade=K4)"
    )
    pooled = CliRunner().invoke(cli, ["explain", POLICY, data, "--employee", "b10", "--format", "json"])
    assert pooled.exit_code == 0, pooled.output
    assert json.loads(pooled.stdout)["relative"]["performance"]["reason"].endswith(
        "; merge path: (org=div_b, role_grade=K4) pooled -> (org=company, role_grade=K4)"
        " (because (org=div_a, role_grade=K4) has 3 < 5)"
    )


def test_nobody_ungraded_only_when_the_organisation_has_fewer_than_five(tmp_path: Path) -> None:
    four = {k: v for k, v in STAFF.items() if k in ("a1", "a2", "a3", "b01")}
    result = CliRunner().invoke(cli, ["evaluate", POLICY, population(tmp_path, four), "--format", "json"])
    payload = json.loads(result.stdout)
    # 3 + 1 = 4 K4 in the whole company: no group of 5 can be formed anywhere.
    assert {(w["employee"], w["rule"]) for w in payload["warnings"] if "performance" in w["message"]} == {
        (e, "distribution-group-too-small") for e in four
    }
