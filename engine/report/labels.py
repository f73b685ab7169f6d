"""Names in the reader's language: a policy's labels for fields, formulas, grades and scales.

``Labels(policy_data, "ko")`` answers what a report shows for an id: the declared label in
that language, else the id itself (never another language: a column the policy did not label
in Korean keeps its id in a Korean report). Without a language every name is its id, which is
what pipelines read. Words of the report itself (``evaluated``, ``problems``) come from
:data:`WORDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
        texts = WORDS.get(key, {})
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
        return WORDS[name].get(self.lang, name) if name in WORDS else name

    def message(self, text: str) -> str:
        """A problem message that starts with a field or formula (``weight: ...``), with that
        one's label in front: ``항목 가중치 (weight): ...``. Without a language, as it is."""
        if self.lang is None:
            return text
        name, sep, rest = text.partition(":")
        if not sep or not name.isidentifier():
            return text
        named = self.field(name)
        return text if named == name else f"{named} ({name}):{rest}"

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
