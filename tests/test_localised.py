"""Issue 15: every command in the reader's language. The reasons a row gives (why no grade, a
verdict, a status) come from one table (engine/report/phrases.py); the strings below are the
hand-checked Korean and Japanese of each English reason."""

from __future__ import annotations

import pytest

from engine.report.phrases import reason, ungraded


@pytest.mark.parametrize(
    ("english", "ko", "ja"),
    [
        (
            "not graded: no band of the grade table holds the score",
            "미부여: 등급표의 어느 구간에도 점수가 해당하지 않음",
            "未評価: 評価表のどの区分にも点数が該当しない",
        ),
        ("not graded: no record", "미부여: 기록 없음", "未評価: 記録なし"),
        (
            "not graded: no evaluation recorded (chain 'hq_member')",
            "미부여: 평가 기록 없음 (평가 체계 'hq_member')",
            "未評価: 評価記録なし（評価系統 'hq_member'）",
        ),
        (
            "not graded: no stage of chain 'hq' gave a grade",
            "미부여: 평가 체계 'hq'의 어느 단계도 등급을 주지 않음",
            "未評価: 評価系統 'hq' のどの段階も評価を付けていない",
        ),
        ("not graded: not a candidate", "미부여: 배분 대상 아님", "未評価: 配分の対象外"),
        (
            "not graded: group (org=lone, role_grade=K4) has 1 member, fewer than the minimum 5, "
            "and org 'lone' is not in the org tree",
            "미부여: 그룹 (org=lone, role_grade=K4) 인원 1명, 최소 인원 5명 미만, "
            "조직 'lone'이(가) 조직도에 없음",
            "未評価: グループ (org=lone, role_grade=K4) の人数 1 名、最少人数 5 名未満、"
            "組織 'lone' が組織図にない",
        ),
        (
            "not graded: no field 'org' (needed to group)",
            "미부여: 필드 'org' 없음 (그룹 구분에 필요)",
            "未評価: 項目 'org' なし（グループ分けに必要）",
        ),
        ("voted down", "부결", "否決"),
        ("2 working days late", "2영업일 지연", "2営業日遅延"),
        (
            "open: 3 working days left, until Fri 2027-02-12",
            "진행 중: 3영업일 남음, 2027-02-12(금)까지",
            "受付中: 残り 3 営業日、2027-02-12(金) まで",
        ),
    ],
)
def test_each_reason_in_korean_and_japanese(english: str, ko: str, ja: str) -> None:
    assert (reason(english, "ko"), reason(english, "ja")) == (ko, ja)
    assert reason(english, "en") == reason(english, None) == english
    assert ungraded(reason(english, "ko")) == ungraded(english)


def test_a_reason_the_policy_wrote_itself_is_shown_as_it_is() -> None:
    own = "I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분"
    assert reason(own, "ja") == own
