"""Seed 004 role-grade rules through ``hrpolicy pay`` (kumho_like), on the example pay file:
"K1인 자가 K2 직무를 수행할 경우는 降級", "승격 인상액 : 현 승격 인상액의 최소 ⅓ 수준을 인정 ... (降級 시
기본 연봉은 수평 이동)", "Point환산시 직급별로 상이한 업적,역량 반영 비율", "금호MBA 가점요소로 반영"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kumho_like.yaml")
PAY = ROOT / "examples" / "kumho_like" / "pay.yaml"
H101 = "    role_grade: K1\n    base_pay: 120000000\n"
H104 = "    role_grade: K3\n    base_pay: 58000000\n"
H101_HISTORY = 'promotion: {history: {"2023": I, "2024": II, "2025": I}, credits: 12, required_credits: 12}'
H107_HISTORY = 'promotion: {history: {"2023": III, "2024": III, "2025": III}}'


def pay(tmp_path: Path, *replacements: tuple[str, str]) -> tuple[int, dict[str, Any]]:
    text = PAY.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    data = tmp_path / "pay.yaml"
    data.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["pay", POLICY, str(data), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_k1_holding_a_k2_job_is_demoted_and_keeps_the_base_pay(tmp_path: Path) -> None:
    code, payload = pay(tmp_path, (H101, H101 + "    job_grade: K2\n"))
    assert code == 0
    assert payload["grade_changes"] == [
        {"employee": "H101", "kind": "demotion", "before": "K1", "after": "K2",
         "explanation": ["K1 holds a K2 job: demoted to K2", "base pay kept: 120000000"], "problems": []},
    ]
    # a lower base pay after the demotion is refused (기본 연봉은 수평 이동)
    code, payload = pay(tmp_path, (H101, H101 + "    job_grade: K2\n    new_base_pay: 110000000\n"))
    assert code == 1
    assert [(p["rule"], p["message"]) for p in payload["problems"]] == [
        ("pay-grade-change", "employee H101: on demotion the base pay stays 120000000, not 110000000"),
    ]


def test_a_promotion_raise_is_at_least_a_third_of_the_current_one(tmp_path: Path) -> None:
    # H104 K3 -> K2; the current promotion raise 3,000,000: the least is 3,000,000 / 3 = 1,000,000.
    promoted = H104 + "    new_role_grade: K2\n    promotion_raise_standard: 3000000\n"
    code, payload = pay(tmp_path, (H104, promoted + "    new_base_pay: 58900000\n"))
    assert code == 1
    assert [p["message"] for p in payload["problems"]] == [
        "employee H104: the promotion raise 58900000 - 58000000 = 900000 is below the least 1000000",
    ]
    code, payload = pay(tmp_path, (H104, promoted + "    new_base_pay: 59000000\n"))
    assert code == 0
    assert payload["grade_changes"][0]["explanation"] == [
        "promoted K3 -> K2",
        "least raise = promotion_raise_standard / 3 = 3000000 / 3 = 1000000",
        "raise 59000000 - 58000000 = 1000000 >= 1000000",
    ]


def test_promotion_points_weigh_performance_and_competency_by_role_grade(tmp_path: Path) -> None:
    # one year graded I in performance (10 points) and III in competency (6 points):
    # K1 (70 % performance): (10 x 70 + 6 x 30) / 100 = 8.8; + language (K1 advanced) 1 + hanja 1 = 10.80
    # K4 (40 % performance): (10 x 40 + 6 x 60) / 100 = 7.6; + language (K4 advanced) 1 = 8.60
    year = 'promotion: {history: {"2025": {performance: I, competency: III}}'
    code, payload = pay(
        tmp_path,
        (H101_HISTORY, year + ", credits: 12, required_credits: 12}"),
        (H107_HISTORY, year + "}"),
    )
    assert code == 0
    points = {p["employee"]: (p["grade_points"], p["total"]) for p in payload["promotion"]}
    assert (points["H101"], points["H107"]) == (("8.8", "10.80"), ("7.6", "8.60"))


def test_the_kumho_mba_is_a_bonus(tmp_path: Path) -> None:
    # H101: 28 grade points + language 1 + hanja 1 + Kumho MBA 1 = 31.00
    code, payload = pay(tmp_path, (H101, H101 + "    kumho_mba: true\n"))
    assert code == 0
    h101 = payload["promotion"][0]
    assert (h101["bonuses"], h101["total"]) == ({"language": "1", "hanja": "1", "kumho_mba": "1"}, "31.00")
