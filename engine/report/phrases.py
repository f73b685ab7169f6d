"""The one translation table of the reasons a report gives per row, in ko/ja/en.

The engine states a reason once, in English (``not graded: no record``, a committee's verdict,
an objection's status); a report in Korean or Japanese shows it through :func:`reason`, which
matches the English text against :data:`REASONS` and fills the other language's template. Every
named part is itself looked up (``where`` of a group too small, a verdict after ``->``), so a
phrase is written once however it is combined. Text no entry matches (a reason the policy wrote
itself, in its own language) is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: (the English reason, its Korean and Japanese templates): the named groups fill the templates.
_TABLE: tuple[tuple[str, str, str], ...] = (
    (r"not graded: (?P<why>.+)", "미부여: {why}", "未評価: {why}"),
    (r"not graded", "미부여", "未評価"),
    (
        r"no band of the grade table holds the score",
        "등급표의 어느 구간에도 점수가 해당하지 않음",
        "評価表のどの区分にも点数が該当しない",
    ),
    (r"no record", "기록 없음", "記録なし"),
    (r"no evaluator chain applies", "적용되는 평가자 체계 없음", "適用される評価者系統なし"),
    (
        r"no evaluation recorded \(chain '(?P<chain>[^']*)'\)",
        "평가 기록 없음 (평가 체계 '{chain}')",
        "評価記録なし（評価系統 '{chain}'）",
    ),
    (
        r"no stage of chain '(?P<chain>[^']*)' gave a grade",
        "평가 체계 '{chain}'의 어느 단계도 등급을 주지 않음",
        "評価系統 '{chain}' のどの段階も評価を付けていない",
    ),
    (r"not a candidate", "배분 대상 아님", "配分の対象外"),
    (
        r"group (?P<group>\(.*\)) has (?P<n>\d+) members?, fewer than the minimum (?P<min>\d+), "
        r"(?P<where>.+?)(?P<merged>; merged from .+)?",
        "그룹 {group} 인원 {n}명, 최소 인원 {min}명 미만, {where}{merged}",
        "グループ {group} の人数 {n} 名、最少人数 {min} 名未満、{where}{merged}",
    ),
    (r"; merged from (?P<groups>.+)", "; 병합 전 그룹: {groups}", "；統合前のグループ: {groups}"),
    (r"and the distribution declares no merge", "병합 규정 없음", "統合の定めなし"),
    (r"even at the top of the org tree", "조직도 최상위에서도 부족", "組織図の最上位でも不足"),
    (
        r"and org '(?P<org>[^']*)' is not in the org tree",
        "조직 '{org}'이(가) 조직도에 없음",
        "組織 '{org}' が組織図にない",
    ),
    (
        r"no field '(?P<field>[^']*)' \(needed to (?P<purpose>group|break ties)\)",
        "필드 '{field}' 없음 ({purpose}에 필요)",
        "項目 '{field}' なし（{purpose}に必要）",
    ),
    (r"group", "그룹 구분", "グループ分け"),
    (r"break ties", "동점자 처리", "同点の処理"),
    (r"stands", "유효", "有効"),
    (r"no quorum", "정족수 미달", "定足数不足"),
    (r"voted down", "부결", "否決"),
    (r"does not stand", "무효", "無効"),
    (r"in time", "기한 내", "期限内"),
    (r"(?P<n>\d+) working days? late", "{n}영업일 지연", "{n}営業日遅延"),
    (r"filed before the notice", "통보 전 제기", "通知前の申立て"),
    (r"not open yet: the notice is not given", "아직 열리지 않음: 통보 전", "未開始: 通知前"),
    (r"closed since (?P<day>.+)", "마감됨 ({day})", "締切済み（{day}）"),
    (
        r"open: (?P<n>\d+) working days? left, until (?P<day>.+)",
        "진행 중: {n}영업일 남음, {day}까지",
        "受付中: 残り {n} 営業日、{day} まで",
    ),
    (r"accepted", "승인", "承認"),
    (r"rejected", "반려", "却下"),
    (r"yes", "예", "はい"),
    (r"no", "아니요", "いいえ"),
    (r"\(no reason given\)", "(사유 없음)", "（理由なし）"),
)

#: The table compiled: (pattern, {language: template}).
REASONS: tuple[tuple[re.Pattern[str], Mapping[str, str]], ...] = tuple(
    (re.compile(pattern), {"ko": ko, "ja": ja}) for pattern, ko, ja in _TABLE
)

#: Weekday names in ``day_text`` (``Thu 2026-02-12``) per language.
_DAYS = {
    "ko": dict(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "월화수목금토일", strict=True)),
    "ja": dict(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "月火水木金土日", strict=True)),
}
_DAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4}-\d{2}-\d{2})\b")


def day(text: str, lang: str | None) -> str:
    """``Thu 2026-02-12`` as ``2026-02-12(목)`` / ``2026-02-12(木)``; English as it is."""
    names = _DAYS.get(lang or "")
    if names is None:
        return text
    return _DAY.sub(lambda m: f"{m.group(2)}({names[m.group(1)]})", text)


#: How a grade cell without a grade begins, per language.
UNGRADED = ("not graded", "미부여", "未評価")


def ungraded(cell: str) -> bool:
    """Whether a grade cell says why there is no grade (in any language) instead of a grade."""
    return cell.startswith(UNGRADED)


def reason(text: str, lang: str | None) -> str:
    """``text`` (a reason the engine wrote in English) in ``lang``: the first entry of
    :data:`REASONS` that matches it whole, its named parts translated the same way; English, no
    language, or text no entry matches: as it is (dates with their weekday in the language)."""
    if lang not in ("ko", "ja") or not text:
        return text
    for pattern, templates in REASONS:
        found = pattern.fullmatch(text)
        if found is not None:
            parts = {k: reason(v, lang) if v else "" for k, v in found.groupdict().items()}
            return templates[lang].format(**parts)
    return day(text, lang)
