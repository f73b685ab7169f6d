"""Consultant reports in Korean and Japanese: diff's sentences, compare's summaries and headers,
simulate's table; the fixed words from the translation tables, the names from the policy's labels
in that language (never another language: a name without one keeps its id)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Echo

from engine.commands.compare import run_compare
from engine.commands.diff import run_diff
from engine.commands.simulate import run_simulate
from engine.compare.diff import diff_policies
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "policies/japan_mbo.yaml", "examples/compare/japan_mbo_2027.yaml"
POPULATION = "examples/compare/population.yaml"
JAPAN, KUMHO = "policies/japan_mbo.yaml", "policies/kumho_like.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def body(echo: Echo, stamps: int) -> list[str]:
    """The report's lines after its stamp lines."""
    return echo.stdout.splitlines()[stamps:]


def test_diff_in_japanese_uses_the_policy_s_japanese_labels() -> None:
    echo = Echo()
    assert run_diff(OLD, NEW, POPULATION, [], "text", None, "ja", echo) == 1
    # japan_mbo labels its segment manager 管理職 and the category performance in Japanese.
    assert body(echo, 2)[:17] == [
        f"hrpolicy diff: {OLD} -> {NEW}",
        "規則の変更 7件",
        f"対象者 {POPULATION}: 5人中1人の得点・評語・報酬が変わる",
        "",
        "== 変更点",
        "変更",
        "-----------------------------------------------------------",
        "版: 2026.1 -> 2027.1",
        "適用期間 開始日: 2026-04-01 -> 2027-04-01",
        "適用期間 終了日: 2027-03-31 -> 2028-03-31",
        "目標の合計数: 5-8 -> 5-9",
        "業績・成果・改善・革新等にかかわる目標 の目標数: 3-5 -> 3-6",
        "管理職 S の下限: 110 -> 108",
        "管理職 A の上限: 110 -> 108",
        "",
        "== 結果が変わる人",
        "id  氏名        評語    得点              得点の変化",
    ]


def test_diff_in_korean_keeps_ids_the_policy_does_not_label_in_korean() -> None:
    echo = Echo()
    assert run_diff(OLD, NEW, None, [], "text", None, "ko", echo) == 1
    # japan_mbo has no Korean labels: manager and performance stay ids, the words are Korean.
    assert body(echo, 2)[1:] == [
        "규칙 변경 7건",
        "",
        "== 변경 사항",
        "변경",
        "-" * 37,  # as wide as "manager S 등급 하한: 110 -> 108" (Hangul counts two)
        "버전: 2026.1 -> 2027.1",
        "시행 시작일: 2026-04-01 -> 2027-04-01",
        "시행 종료일: 2027-03-31 -> 2028-03-31",
        "전체 지표 수: 5-8 -> 5-9",
        "performance 지표 수: 3-5 -> 3-6",
        "manager S 등급 하한: 110 -> 108",
        "manager A 등급 상한: 110 -> 108",
    ]


def test_kumho_quota_and_share_changes_in_korean_name_its_korean_labels() -> None:
    import copy

    old = load_policy(KUMHO).data
    new = copy.deepcopy(old)
    new["distributions"]["performance"]["quotas"]["I"] = 15
    new["indicator_rules"]["categories"]["job_kpi"]["share"] = 70
    labels = (
        old["distributions"]["performance"]["label"]["ko"],
        old["indicator_rules"]["categories"]["job_kpi"]["label"]["ko"],
    )
    assert labels == ("업적 종합판정", "직무KPI (업적)")
    assert [c.text for c in diff_policies(old, new, "ko")] == [
        "직무KPI (업적) 반영 비율: 80 % -> 70 %",
        "업적 종합판정 I 등급 배분율: 10 % -> 15 %",
    ]
    assert [c.text for c in diff_policies(old, new, "ja")] == [
        "job_kpi の比率: 80 % -> 70 %",  # kumho declares no Japanese labels
        "performance I の配分率: 10 % -> 15 %",
    ]


def test_compare_summaries_headers_and_moves_in_japanese() -> None:
    echo = Echo()
    assert run_compare([JAPAN, KUMHO], POPULATION, [], "text", None, "ja", None, echo) == 0
    lines = body(echo, 2)
    assert lines[1:4] == [
        f"対象者 {POPULATION}: 5人",
        # japan_mbo's score is labelled 目標管理パーセント評価結果 in Japanese; kumho's is not.
        "japan_mbo: 評価 5人、未評価 0人; 目標管理パーセント評価結果 平均 100.04;"
        " 評語 S 1, A 2, B 1, C 1, D 0",
        "kumho_like: 評価 5人、未評価 0人; performance_score 平均 62.00; 評語 I 1, II 1, III 2, IV 1, V 0;"
        " 報酬: 給与合計 294000000、昇給額 10070000.00",
    ]
    assert lines[5] == "== 人別の結果"
    assert lines[6].split("  ")[-1] == "移動（japan_mbo比）"
    # P2: japan A (2nd of 5) -> kumho III (3rd of 5): one place down (test_compare).
    assert [line.split("  ")[-1] for line in lines[8:13]] == ["同じ", "1段階下", "同じ", "同じ", "同じ"]


def test_compare_in_korean_without_data() -> None:
    echo = Echo()
    assert run_compare([JAPAN, KUMHO], None, [], "text", None, "ko", None, echo) == 0
    assert body(echo, 2)[1:4] == ["제도 2개, 비교 항목 12개", "", "== 항목별 비교"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ko",
            [
                f"대상 인원 {POPULATION}: 5명; 현행: 50",
                "",
                "== 값별 결과",
                "값         평가 인원  I  II  III  IV  V  업적 점수 평균  차등 인상액  현행 대비 등급 변화",
                "---------  ---------  -  --  ---  --  -  --------------  -----------  -------------------",
                "50 (현행)          5  1   1    2   1  0           62.00  10070000.00  없음",
                "30                 5  1   1    2   1  0           62.00  10062000.00  없음",
                "70                 5  1   1    2   1  0           62.00  10078000.00  없음",
            ],
        ),
        (
            "ja",
            [
                f"対象者 {POPULATION}: 5人; 現行: 50",
                "",
                "== 値ごとの結果",
                "値          評価人数  I  II  III  IV  V  performance_score 平均       昇給額"
                "  現行からの評語の変化",
                "----------  --------  -  --  ---  --  -  ----------------------  -----------"
                "  --------------------",
                "50（現行）         5  1   1    2   1  0                   62.00  10070000.00  なし",
                "30                 5  1   1    2   1  0                   62.00  10062000.00  なし",
                "70                 5  1   1    2   1  0                   62.00  10078000.00  なし",
            ],
        ),
    ],
)
def test_simulate_table_in_korean_and_japanese(lang: str, expected: list[str]) -> None:
    # The K3 share of the raise (50 as written) moves pay, not grades (test_simulate).
    echo = Echo()
    vary = "tables.raise_performance_share.values.K3=30,70"
    assert run_simulate(KUMHO, POPULATION, vary, [], "text", None, lang, echo) == 0
    assert body(echo, 3)[1:] == expected
