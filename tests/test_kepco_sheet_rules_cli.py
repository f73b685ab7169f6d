"""Seed 000 through ``hrpolicy evaluate`` (kepco_like): "설정된 고유지표의 목표값, 추진일정, 가중치 설정"
- every own-duty indicator states its schedule and a quantitative one its target
(``indicator_rules.required_when``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "kepco_like.yaml")
EXAMPLE = ROOT / "examples" / "kepco_like" / "employees.yaml"
LINE = (
    "          - {title: 전력판매량 (GWh), category: own_duties, kind: quantitative, weight: 30,"
    " target_method: department_share, target: 600, actual: 630, schedule: 2026년 3월~12월}"
)


def test_a_quantitative_own_duty_indicator_without_target_or_schedule_is_refused(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(LINE) == 1
    # K006's final sheet: the sales volume KPI loses its target and its schedule
    bare = LINE.replace(" target: 600,", "").replace(", schedule: 2026년 3월~12월", "")
    data = tmp_path / "employees.yaml"
    data.write_text(text.replace(LINE, bare), encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", POLICY, str(data), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["employee"], p["indicator"], p["rule"], p["message"]) for p in problems] == [
        ("K006", 2, "sheet-required-field",
         "final: the goal does not state 'schedule' (category == 'own_duties')"),
        ("K006", 2, "sheet-required-field",
         "final: the goal does not state 'target' (category == 'own_duties' and kind == 'quantitative')"),
    ]


def test_a_non_quantitative_own_duty_indicator_needs_its_schedule_only(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    line = (
        "          - {title: 중장기 경영목표 수립, category: own_duties, kind: non_quantitative, weight: 30,"
        " target_method: department_full, progress: 90, schedule: 2026년 4월~11월}"
    )
    assert text.count(line) == 1
    data = tmp_path / "employees.yaml"
    data.write_text(text.replace(line, line.replace(", schedule: 2026년 4월~11월", "")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", POLICY, str(data), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["employee"], p["indicator"], p["message"]) for p in problems] == [
        ("K001", 2, "final: the goal does not state 'schedule' (category == 'own_duties')"),
    ]
