"""Names in the reader's language: a policy's labels for fields, formulas, grades and scales.

``Labels(policy_data, "ko")`` answers what a report shows for an id: the declared label in
that language, else the id itself (never another language: a column the policy did not label
in Korean keeps its id in a Korean report). Without a language every name is its id, which is
what pipelines read. Words of the report itself (``evaluated``, ``problems``) come from
:data:`WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from engine.report.phrases import day, reason, say

if TYPE_CHECKING:
    from engine.errors import Diagnostic

#: A quoted identifier in a message: ``'kpi_score'``.
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")

#: Languages a report can be written in (``--lang``).
LANGUAGES = ("ko", "ja", "en")

#: Names of the built-in columns and words of the reports, per language.
WORDS: dict[str, dict[str, str]] = {
    "id": {"ko": "사번", "ja": "社員番号", "en": "Employee ID"},
    "name": {"ko": "성명", "ja": "氏名", "en": "Name"},
    "grade": {"ko": "등급", "ja": "評価", "en": "Grade"},
    "points": {"ko": "점수", "ja": "点数", "en": "points"},
    "evaluated": {"ko": "평가 완료", "ja": "評価済み", "en": "evaluated"},
    "with_problems": {"ko": "문제 있음", "ja": "問題あり", "en": "with problems"},
    "problems": {"ko": "문제", "ja": "問題", "en": "Problems"},
    "warnings": {"ko": "참고", "ja": "注意", "en": "Warnings"},
    "notes": {"ko": "참고", "ja": "注記", "en": "Notes"},
    "summary": {"ko": "요약", "ja": "概要", "en": "Summary"},
    "results": {"ko": "평가 결과", "ja": "評価結果", "en": "Results"},
    "distribution": {"ko": "등급 분포", "ja": "評価分布", "en": "Grade distribution"},
    "version": {"ko": "버전", "ja": "版", "en": "version"},
    "policy": {"ko": "정책", "ja": "ポリシー", "en": "Policy"},
    "run_date": {"ko": "작성일", "ja": "作成日", "en": "Run date"},
    "period": {"ko": "평가 기간", "ja": "評価期間", "en": "Period"},
    "employees": {"ko": "대상자", "ja": "対象者", "en": "Employees"},
    "not_graded": {"ko": "미부여", "ja": "未評価", "en": "not graded"},
    "none": {"ko": "없음", "ja": "なし", "en": "none"},
    "subject": {"ko": "대상", "ja": "対象", "en": "Subject"},
    "rule": {"ko": "규칙", "ja": "規則", "en": "Rule"},
    "message": {"ko": "내용", "ja": "内容", "en": "Message"},
    "where": {"ko": "위치", "ja": "場所", "en": "Where"},
    "severity": {"ko": "구분", "ja": "区分", "en": "Severity"},
    "indicator": {"ko": "항목 번호", "ja": "項目番号", "en": "Indicator"},
    "error": {"ko": "오류", "ja": "エラー", "en": "error"},
    "warning": {"ko": "참고", "ja": "注意", "en": "warning"},
}

#: Words of the other commands' reports and column names of their tables (``calibrate``,
#: ``jobeval``, ``pay``, ``workflow``, ``explain``'s page): what :meth:`Labels.word` and
#: :meth:`Labels.header` say. Unlike :data:`WORDS` they never name a policy's own field or
#: formula (a formula called ``total`` keeps its id where it has no label).
REPORT_WORDS: dict[str, dict[str, str]] = {
    "groups": {"ko": "그룹", "ja": "グループ", "en": "groups"},
    "outside_quota": {"ko": "정원을 벗어난 그룹", "ja": "枠外のグループ", "en": "outside quota"},
    "jobs": {"ko": "직무", "ja": "職務", "en": "jobs"},
    "notices": {"ko": "통보", "ja": "通知", "en": "notices"},
    "objections": {"ko": "이의 신청", "ja": "異議申立て", "en": "objections"},
    "goal_changes": {"ko": "목표 변경", "ja": "目標変更", "en": "goal changes"},
    "chain": {"ko": "평가자 체계", "ja": "評価者系統", "en": "Evaluator chain"},
    "item": {"ko": "항목", "ja": "項目", "en": "Item"},
    "value": {"ko": "값", "ja": "値", "en": "Value"},
    "step": {"ko": "단계", "ja": "手順", "en": "Step"},
    "explanation": {"ko": "설명", "ja": "説明", "en": "Explanation"},
    # columns of calibrate, jobeval, pay and workflow
    "section": {"ko": "행 종류", "ja": "行の種類", "en": "Section"},
    "group": {"ko": "그룹", "ja": "グループ", "en": "Group"},
    "quota": {"ko": "정원", "ja": "枠", "en": "Quota"},
    "tolerance": {"ko": "허용 오차", "ja": "許容差", "en": "Tolerance"},
    "proposed": {"ko": "제안 등급", "ja": "原案", "en": "Proposed"},
    "final": {"ko": "최종 등급", "ja": "最終", "en": "Final"},
    "within": {"ko": "정원 내", "ja": "枠内", "en": "Within quota"},
    "member": {"ko": "대상자", "ja": "対象者", "en": "Member"},
    "reason": {"ko": "사유", "ja": "理由", "en": "Reason"},
    "job": {"ko": "직무", "ja": "職務", "en": "Job"},
    "title": {"ko": "직무명", "ja": "職務名", "en": "Title"},
    "family": {"ko": "직군", "ja": "職群", "en": "Family"},
    "holder": {"ko": "담당자", "ja": "担当者", "en": "Holder"},
    "table": {"ko": "평가표", "ja": "評価表", "en": "Point table"},
    "total": {"ko": "합계", "ja": "合計", "en": "Total"},
    "rounded": {"ko": "반올림 점수", "ja": "端数処理後", "en": "Rounded"},
    "proposed_grade": {"ko": "제안 등급", "ja": "原案等級", "en": "Proposed grade"},
    "final_grade": {"ko": "최종 등급", "ja": "最終等級", "en": "Final grade"},
    "committee": {"ko": "위원회", "ja": "委員会", "en": "Committee"},
    "committee_stands": {
        "ko": "위원회 결정 유효",
        "ja": "委員会決定の有効性",
        "en": "Committee decision stands",
    },
    "rater": {"ko": "평가자", "ja": "評価者", "en": "Rater"},
    "zone": {"ko": "구간", "ja": "ゾーン", "en": "Zone"},
    "raise": {"ko": "인상률", "ja": "昇給率", "en": "Raise"},
    "merit_raise": {"ko": "성과 인상률", "ja": "査定昇給率", "en": "Merit raise"},
    "individual": {"ko": "개인 산정액", "ja": "個人算定額", "en": "Individual"},
    "exact_share": {"ko": "배분액 (단위 처리 전)", "ja": "按分額（端数処理前）", "en": "Exact share"},
    "amount": {"ko": "지급액", "ja": "支給額", "en": "Amount"},
    "incentive_individual": {
        "ko": "성과급 개인 산정액",
        "ja": "賞与 個人算定額",
        "en": "Incentive (individual)",
    },
    "incentive_amount": {"ko": "성과급 지급액", "ja": "賞与支給額", "en": "Incentive amount"},
    "held": {"ko": "현재", "ja": "現在額", "en": "Held"},
    "bonus": {"ko": "상여", "ja": "賞与額", "en": "Bonus"},
    "grade_points": {"ko": "평정 점수", "ja": "評定点", "en": "Grade points"},
    "deduction_percent": {"ko": "감점률 (%)", "ja": "減点率（%）", "en": "Deduction %"},
    "deduction": {"ko": "감점", "ja": "減点", "en": "Deduction"},
    "bonuses": {"ko": "가점", "ja": "加点", "en": "Bonuses"},
    "promotion_grade_points": {"ko": "승격 평정 점수", "ja": "昇格評定点", "en": "Promotion grade points"},
    "promotion_deduction": {"ko": "승격 감점", "ja": "昇格減点", "en": "Promotion deduction"},
    "promotion_total": {"ko": "승격 점수 합계", "ja": "昇格ポイント合計", "en": "Promotion total"},
    "record": {"ko": "기록 종류", "ja": "記録の種類", "en": "Record"},
    "employee": {"ko": "직원", "ja": "社員", "en": "Employee"},
    "round": {"ko": "차수", "ja": "回", "en": "Round"},
    "notice": {"ko": "통보일", "ja": "通知日", "en": "Notice"},
    "deadline": {"ko": "마감일", "ja": "期限", "en": "Deadline"},
    "filed": {"ko": "제기일", "ja": "申立日", "en": "Filed"},
    "phase": {"ko": "단계", "ja": "段階", "en": "Phase"},
    "batch": {"ko": "일괄 변경", "ja": "一括変更", "en": "Batch"},
    "made_on": {"ko": "변경일", "ja": "変更日", "en": "Made on"},
    "status": {"ko": "상태", "ja": "状態", "en": "Status"},
    "category": {"ko": "범주", "ja": "区分", "en": "Category"},
    "weight": {"ko": "가중치", "ja": "ウェイト", "en": "Weight"},
    "target": {"ko": "목표", "ja": "目標", "en": "Target"},
}


def label_in(label: Any, lang: str | None, fallback: str) -> str:
    """The ``lang`` text of a declared label (``{ko: ..., en: ...}`` or plain text), else ``fallback``."""
    if lang is None:
        return fallback
    if isinstance(label, Mapping):
        text = label.get(lang)
        return fallback if text is None else str(text)
    return fallback if label is None else str(label)


@dataclass(frozen=True)
class Labels:
    """What a report shows for the ids of one policy, in one language (None: the ids)."""

    data: Mapping[str, Any]
    lang: str | None = None
    _declared: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found = self._declared
        inputs = self.data.get("inputs") or {}
        formulas = self.data.get("formulas") or {}
        for section in (
            inputs.get("employee"),
            inputs.get("indicator"),
            inputs.get("parameters"),
            formulas.get("indicator"),
            formulas.get("employee"),
            self.data.get("grade_tables"),
            self.data.get("distributions"),
        ):
            for name, spec in (section or {}).items():
                if isinstance(spec, Mapping) and "label" in spec:
                    found.setdefault(str(name), spec["label"])

    def word(self, key: str) -> str:
        """A word of the report itself (see :data:`WORDS`); English without a language."""
        texts = WORDS.get(key) or REPORT_WORDS.get(key, {})
        return texts.get(self.lang or "en", texts.get("en", key))

    def field(self, name: str) -> str:
        """A field, formula, grade table or distribution by its label (``id``/``name`` built in)."""
        if self.lang is None:
            return name
        if name in self._declared:
            declared = label_in(self._declared[name], self.lang, name)
            if declared != name or name not in WORDS:
                return declared
        if name in WORDS:
            return WORDS[name].get(self.lang, name)
        base = name.removesuffix("_points")
        if base != name and base in self._declared:  # a grade table's points column
            return f"{label_in(self._declared[base], self.lang, base)} ({self.word('points')})"
        return name

    def header(self, name: str) -> str:
        """A column of another command's table (pay, jobeval, workflow, calibrate): the built-in
        words and what the policy names employee fields, grade tables and distributions; other
        columns (an indicator's ``title`` is not a job's title) keep their ids."""
        if self.lang is None:
            return name
        data = self.data
        for section in (
            (data.get("inputs") or {}).get("employee"),
            data.get("grade_tables"),
            data.get("distributions"),
        ):
            spec = (section or {}).get(name)
            if isinstance(spec, Mapping) and "label" in spec:
                return self.field(name)
        words = WORDS.get(name) or REPORT_WORDS.get(name)
        return name if words is None else words.get(self.lang, name)

    def column(self, key: str, english: str) -> str:
        """A column of a text table: ``english`` (what the report has always said) without a
        language, else :meth:`header` of ``key``."""
        return english if self.lang is None else self.header(key)

    def say(self, key: str, /, **values: object) -> str:
        """A phrase of a command's report (:data:`~engine.report.phrases.PHRASES`) in the language."""
        return say(key, self.lang, **values)

    def day(self, text: str) -> str:
        """Dates written ``Thu 2026-02-12`` with the weekday in the language."""
        return day(text, self.lang)

    def named(self, text: str) -> str:
        """``text`` with every quoted field, formula, grade table or distribution id that has a
        label in the language followed by it: ``'kpi_score'`` -> ``'kpi_score' (직무KPI 점수)``."""
        if self.lang is None:
            return text

        def label(found: re.Match[str]) -> str:
            name = found.group(1)
            if name not in self._declared:
                return found.group(0)
            shown = label_in(self._declared[name], self.lang, name)
            return found.group(0) if shown == name else f"{found.group(0)} ({shown})"

        return _QUOTED.sub(label, text)

    def diagnostic(self, d: Diagnostic) -> Diagnostic:
        """``d`` with its message in the language (:meth:`message`); the rule, the location and
        the suggestion (a quick fix reads its "did you mean") stay as they are."""
        return d if self.lang is None else replace(d, message=self.message(d.message))

    def message(self, text: str) -> str:
        """A problem message in the language: a reason of :mod:`~engine.report.phrases`
        translated, quoted ids named (:meth:`named`), and the field or formula it is about
        (``weight: ...``, ``H001 kpi_score: ...``) with that one's label in front:
        ``항목 가중치 (weight): ...``, and a reason after it translated too. Without a
        language, as it is."""
        if self.lang is None:
            return text
        text = self.named(self.reason(text))
        head, sep, rest = text.partition(":")
        subject, space, name = head.rpartition(" ")  # "H001 kpi_score: ..." names kpi_score
        if not sep or not name.isidentifier() or (space and not subject.strip()):
            return text
        if rest[:1] == " ":  # (the reason after the name: a group too small, in the warnings)
            rest = " " + self.reason(rest[1:])
        named = self.field(name)
        shown = name if named == name else f"{named} ({name})"
        return f"{subject}{space}{shown}:{rest}"

    def reason(self, text: str) -> str:
        """A reason the engine gives in English (why no grade, a verdict, a status) in the
        language (:func:`engine.report.phrases.reason`); as it is without one."""
        return reason(text, self.lang)

    def scale_of(self, column: str) -> str | None:
        """The scale a grade table or distribution grades on (None: none declared)."""
        for section in ("grade_tables", "distributions"):
            spec = (self.data.get(section) or {}).get(column)
            if isinstance(spec, Mapping) and spec.get("scale") is not None:
                return str(spec["scale"])
        return None

    def grade(self, column: str, code: str) -> str:
        """A grade code of ``column``'s scale by its level's label (the code without one)."""
        if self.lang is None:
            return code
        scale = (self.data.get("scales") or {}).get(self.scale_of(column) or "")
        for level in (scale or {}).get("levels") or ():
            if isinstance(level, Mapping) and str(level.get("code")) == code:
                return label_in(level.get("label"), self.lang, code)
        return code

    def policy_name(self) -> str:
        """The policy's name in the language (its id without one)."""
        meta = self.data.get("metadata") or {}
        ident = str(meta.get("id", ""))
        return label_in(meta.get("name"), self.lang or "en", ident)


def policy_language(data: Mapping[str, Any]) -> str:
    """The language a policy is written in: the first of :data:`LANGUAGES` its name is given in."""
    name = (data.get("metadata") or {}).get("name")
    if isinstance(name, Mapping):
        return next((str(k) for k in name if k in LANGUAGES), "en")
    return "en"
