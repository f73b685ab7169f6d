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
    (
        r"no accepted change: the goal sheet as set",
        "승인된 변경 없음: 설정한 목표 그대로",
        "承認された変更なし: 設定時の目標のまま",
    ),
    (
        r"the targets (?P<when>before|after) the change of (?P<day>.+)",
        "{day} 변경 {when} 목표",
        "{day} の変更{when}の目標",
    ),
    (r"before", "전", "前"),
    (r"after", "후", "後"),
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


#: Phrases of the command reports, each (English, Korean, Japanese), filled with str.format.
PHRASES: dict[str, tuple[str, str, str]] = {
    # calibrate
    "distribution_head": (
        "== distribution {name} ({label}): {n} group(s), {state}",
        "== 배분 {label} ({name}): 그룹 {n}개, {state}",
        "== 分布 {label}（{name}）: グループ {n}、{state}",
    ),
    "all_within": ("every group within quota", "모든 그룹 정원 내", "全グループ枠内"),
    "not_all_within": ("NOT every group within quota", "정원을 벗어난 그룹 있음", "枠外のグループあり"),
    "group_head": (
        "group {key}: {n} people; {state}",
        "그룹 {key}: {n}명; {state}",
        "グループ {key}: {n} 名; {state}",
    ),
    "final_within": ("final within quota", "최종 등급 정원 내", "最終評価は枠内"),
    "final_not_within": ("final NOT within quota", "최종 등급 정원 벗어남", "最終評価が枠外"),
    "moves": ("moves ({n}):", "조정 ({n}건):", "調整（{n} 件）:"),
    "no_final": ("no final grade: ", "최종 등급 없음: ", "最終評価なし: "),
    "not_of_scale": ("grade not of the scale: ", "척도에 없는 등급: ", "尺度にない評価: "),
    "not_graded_rule": (
        "not graded [{rule}]: {message} ({members})",
        "미부여 [{rule}]: {message} ({members})",
        "未評価 [{rule}]: {message}（{members}）",
    ),
    "chains_head": (
        "== evaluator chains (the policy declares no distributions)",
        "== 평가자 체계 (배분 규정 없음)",
        "== 評価者系統（分布の定めなし）",
    ),
    "problems_n": ("problems ({n}):", "문제 ({n}건):", "問題（{n} 件）:"),
    "result_ok": (
        "result: every group within quota, no problems",
        "결과: 모든 그룹 정원 내, 문제 없음",
        "結果: 全グループ枠内、問題なし",
    ),
    "result": ("result: {summary}", "결과: {summary}", "結果: {summary}"),
    "calibration_summary": (
        "{outside} group(s) outside quota, {ungraded} person(s) not graded, {problems} problem(s)",
        "정원을 벗어난 그룹 {outside}개, 미부여 {ungraded}명, 문제 {problems}건",
        "枠外のグループ {outside}、未評価 {ungraded} 名、問題 {problems} 件",
    ),
    # jobeval
    "jobs_head": (
        "policy {policy}: {jobs} from {data}, {troubled} with problems",
        "{policy}: 직무 {n}개 ({data}), 문제 있음 {troubled}",
        "{policy}: 職務 {n} 件（{data}）、問題あり {troubled}",
    ),
    "job_head": (
        "job {job}{title} (family {family}, point table {table})",
        "직무 {job}{title} (직군 {family}, 평가표 {table})",
        "職務 {job}{title}（職群 {family}、評価表 {table}）",
    ),
    "explanation": ("explanation:", "설명:", "説明:"),
    "problems": ("problems:", "문제:", "問題:"),
    "file_problems": ("problems of the file:", "파일의 문제:", "ファイルの問題:"),
    "left_out": ("left out", "제외", "除外"),
    "adjustment": (
        "committee {committee}: {proposed} -> {grade} requested{note}",
        "위원회 {committee}: {proposed} -> {grade} 조정 요청{note}",
        "委員会 {committee}: {proposed} -> {grade} への調整を要請{note}",
    ),
    "final_grade_is": ("final grade {grade}", "최종 등급 {grade}", "最終等級 {grade}"),
    # pay
    "pay_head": (
        "policy {policy}: pay for {count} employee{s} from {data}",
        "{policy}: 직원 {count}명 보상 ({data})",
        "{policy}: 社員 {count} 名の処遇（{data}）",
    ),
    "parameters": ("parameters: {shown}", "매개변수: {shown}", "パラメータ: {shown}"),
    "merit_title": ("merit raise (%)", "성과 인상률 (%)", "査定昇給率（%）"),
    "incentive_title": ("incentive ({currency})", "성과급 ({currency})", "賞与（{currency}）"),
    "promotion_title": ("promotion points", "승격 점수", "昇格ポイント"),
    "mix_title": (
        "pay mix target: {component} ({currency})",
        "보수 구성 목표: {component} ({currency})",
        "報酬構成の目標: {component}（{currency}）",
    ),
    "mix_total": (
        "total {component} = {total}",
        "{component} 합계 = {total}",
        "{component} の合計 = {total}",
    ),
    "bonus_title": ("bonus ({currency})", "상여 ({currency})", "賞与（{currency}）"),
    "bonus_total": ("total bonus = {total}", "상여 합계 = {total}", "賞与の合計 = {total}"),
    "grade_changes": ("grade changes", "등급 변동", "等級の変更"),
    "problem_is": ("problem: {text}", "문제: {text}", "問題: {text}"),
    "shares_ok": (
        "sum of shares = pool: {total} = {pool}",
        "배분액 합계 = 재원: {total} = {pool}",
        "配分額の合計 = 原資: {total} = {pool}",
    ),
    "shares_short": (
        "sum of shares != pool: {total} != {pool} ({left} units of {unit} not paid)",
        "배분액 합계 != 재원: {total} != {pool} ({unit} 단위 {left}개 미지급)",
        "配分額の合計 != 原資: {total} != {pool}（{unit} 単位で {left} 未払い）",
    ),
    # workflow
    "workflow_head": (
        "policy {policy}: workflow records from {data}{today}",
        "{policy}: 절차 기록 ({data}){today}",
        "{policy}: 手続きの記録（{data}）{today}",
    ),
    "today": (" (today {day})", " (오늘 {day})", "（本日 {day}）"),
    "windows_head": (
        "objection windows: {notices} notices, {objections} objections, {troubled} with problems",
        "이의 신청 기간: 통보 {notices}건, 이의 신청 {objections}건, 문제 있음 {troubled}",
        "異議申立期間: 通知 {notices} 件、異議申立て {objections} 件、問題あり {troubled}",
    ),
    "notice": ("notice", "통보", "通知"),
    "objection": ("objection", "이의 신청", "異議申立て"),
    "goal_change": ("goal_change", "목표 변경", "目標変更"),
    "objection_line": (
        "{kind} {who}: {period}, round {round} ({handler}){indicators}",
        "{kind} {who}: {period}, {round}차 ({handler}){indicators}",
        "{kind} {who}: {period}、第 {round} 回（{handler}）{indicators}",
    ),
    "indicators": (", indicators {ids}", ", 항목 {ids}", "、項目 {ids}"),
    "deadline_is": ("deadline: {text}", "마감: {text}", "期限: {text}"),
    "deadline": (
        "{days} {unit} after {notice} ({skipping}) = {deadline}",
        "{notice} 다음 날부터 {days}영업일 ({skipping}) = {deadline}",
        "{notice} の翌日から {days} 営業日（{skipping}）= {deadline}",
    ),
    "skipping": ("skipping {runs}", "제외: {runs}", "除外: {runs}"),
    "no_day_skipped": ("no day skipped", "제외일 없음", "除外日なし"),
    "weekend": ("weekend", "주말", "週末"),
    "holiday": ("holiday", "공휴일", "祝日"),
    "filed_on": ("filed {day}: {status}", "제기 {day}: {status}", "申立て {day}: {status}"),
    "change_line": (
        "goal change {who}{made}: phase {phase}, reason {reason}{batch}: {verdict}",
        "목표 변경 {who}{made}: 단계 {phase}, 사유 {reason}{batch}: {verdict}",
        "目標変更 {who}{made}: 段階 {phase}、理由 {reason}{batch}: {verdict}",
    ),
    "made_on": (" on {day}", " ({day})", "（{day}）"),
    "batch": (", batch '{batch}'", ", 일괄 '{batch}'", "、一括 '{batch}'"),
    "changes_head": (
        "goal changes: {n}, {accepted} accepted",
        "목표 변경: {n}건, 승인 {accepted}건",
        "目標変更: {n} 件、承認 {accepted} 件",
    ),
    "targets_head": (
        "mid-term targets of {who} ({source}):",
        "{who}의 중간 목표 ({source}):",
        "{who} の中間目標（{source}）:",
    ),
    # the last line of a command whose records have problems
    "affected": (
        "{n} problem{s}, {failed} of {total} {noun} affected; see the problems above",
        "문제 {n}건, {noun} {total} 중 {failed} 해당; 위의 문제를 확인하세요",
        "問題 {n} 件、{noun} {total} のうち {failed} が該当; 上の問題を確認してください",
    ),
    "calibration_failed": (
        "calibration failed: {summary}",
        "등급 배분 점검 실패: {summary}",
        "評価分布の確認に失敗: {summary}",
    ),
    # init
    "wrote": ("wrote {path}", "작성함: {path}", "作成しました: {path}"),
    "init_next": (
        "next: fill in the FILL IN parts, then: hrpolicy validate {policy} && hrpolicy test {policy}",
        "다음: FILL IN 부분을 채운 뒤 실행: hrpolicy validate {policy} && hrpolicy test {policy}",
        "次に: FILL IN の部分を埋めてから実行: hrpolicy validate {policy} && hrpolicy test {policy}",
    ),
}


def say(key: str, lang: str | None, /, **values: object) -> str:
    """The phrase ``key`` of :data:`PHRASES` in ``lang`` (English without one), filled in."""
    en, ko, ja = PHRASES[key]
    return {"ko": ko, "ja": ja}.get(lang or "en", en).format(**values)


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
