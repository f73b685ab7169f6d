"""``hrpolicy diff``: two versions of japan_mbo (examples/compare), the changes in words, who changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from helpers import Echo

from engine.commands.diff import run_diff
from engine.compare.diff import diff_policies
from engine.provenance import stamp_of
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
OLD = "examples/compare/japan_mbo_2026.yaml"
NEW = "examples/compare/japan_mbo_2027.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def stamps(*paths: str) -> str:
    return "".join(stamp_of(load_policy(p).data).short() + "\n" for p in paths)


def test_the_changes_in_words_and_who_moves() -> None:
    # P1 is a manager at 109.00 % (test_compare): A under 2026 (A is 100 to < 110), S under 2027
    # (S from 108); nobody else is a manager between 108 and 110, and no score changes.
    echo = Echo()
    code = run_diff(OLD, NEW, "examples/compare/population.yaml", [], "text", None, "en", echo)
    assert code == 1
    assert echo.stdout == stamps(OLD, NEW) + (
        f"hrpolicy diff: {OLD} -> {NEW}\n"
        "7 changes to the rules\n"
        "population examples/compare/population.yaml: 1 of 5 people change score, grade or pay\n"
        "\n"
        "== changes\n"
        "change\n"
        "----------------------------------------\n"
        "version: 2026.1 -> 2027.1\n"
        "effective from: 2026-04-01 -> 2027-04-01\n"
        "effective to: 2027-03-31 -> 2028-03-31\n"
        "indicators in all: 5-8 -> 5-9\n"
        "performance goals: 3-5 -> 3-6\n"
        "manager threshold for S: 110 -> 108\n"
        "manager upper bound for A: 110 -> 108\n"
        "\n"
        "== people who change\n"
        "id  name        grade   score             score change\n"
        "--  ----------  ------  ----------------  ------------\n"
        "P1  Kim Minjun  A -> S  109.00 -> 109.00          0.00\n"
        "\n"
        "== grade transitions: japan_mbo 2026.1 -> japan_mbo 2027.1\n"
        "japan_mbo 2026.1 \\ japan_mbo 2027.1  S  A  B  C  D\n"
        "-----------------------------------  -  -  -  -  -\n"
        "S                                    1  0  0  0  0\n"
        "A                                    1  1  0  0  0\n"
        "B                                    0  0  1  0  0\n"
        "C                                    0  0  0  1  0\n"
        "D                                    0  0  0  0  0\n"
    )


def test_no_change_exits_0_even_when_comments_differ() -> None:
    # policies/japan_mbo.yaml and the 2026 copy differ only in comments: the same rules.
    echo = Echo()
    assert run_diff("policies/japan_mbo.yaml", OLD, None, [], "text", None, "en", echo) == 0
    assert echo.stdout.splitlines()[2:4] == [
        f"hrpolicy diff: policies/japan_mbo.yaml -> {OLD}",
        "no change to the rules",
    ]


def test_json_lists_each_change_with_its_path() -> None:
    echo = Echo()
    assert run_diff(OLD, NEW, None, [], "json", None, "en", echo) == 1
    payload = json.loads(echo.stdout)
    assert [p["version"] for p in payload["policies"]] == ["2026.1", "2027.1"]
    assert payload["changes"][5] == {
        "path": ["grade_tables", "rating", "segments", "manager", "bands", "[S]", "min"],
        "old": 110,
        "new": 108,
        "text": "manager threshold for S: 110 -> 108",
    }


def test_quota_weights_and_formula_changes_are_phrased() -> None:
    old = load_policy("policies/kumho_like.yaml").data
    new = copy.deepcopy(old)
    new["distributions"]["performance"]["quotas"]["I"] = 15
    new["distributions"]["performance"]["quotas"]["III"] = 35
    new["formulas"]["indicator"]["weighted_points"]["expr"] = "weight * item_points / 50"
    new["indicator_rules"]["categories"]["job_kpi"]["share"] = 70
    texts = [c.text for c in diff_policies(old, new)]
    assert texts == [
        "share of job_kpi: 80 % -> 70 %",
        "formula weighted_points (indicator): weight * item_points / 100 -> weight * item_points / 50",
        "performance quota for grade I: 10 % -> 15 %",
        "performance quota for grade III: 40 % -> 35 %",
    ]


def test_a_reordered_list_is_no_change() -> None:
    old = load_policy("policies/japan_mbo.yaml").data
    new = copy.deepcopy(old)
    bands = new["grade_tables"]["rating"]["segments"]["manager"]["bands"]
    bands.reverse()
    assert [c.text for c in diff_policies(old, new) if "bands" in c.path] == []
