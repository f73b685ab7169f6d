"""How ``diff`` says a change, in English, Korean and Japanese: one sentence per known place of a
policy, the words of values (bounds, levels, none), and the fallbacks for any other path.

Each sentence has the matched names ``{0}``, ``{1}``... (a Korean or Japanese sentence shows the
policy's label in that language where it declares one) and ``{change}``.
"""

from __future__ import annotations

from typing import Any

from engine.compare.words import LANGS

#: sentence key -> (en, ko, ja)
SENTENCES: dict[str, tuple[str, str, str]] = {
    "version": ("version: {change}", "버전: {change}", "版: {change}"),
    "effective": ("effective {0}: {change}", "시행 {0}: {change}", "適用期間 {0}: {change}"),
    "segment_band": ("{1} {3} for {2}: {change}", "{1} {2} 등급 {3}: {change}", "{1} {2} の{3}: {change}"),
    "band": ("{0} {2} for {1}: {change}", "{0} {1} 등급 {2}: {change}", "{0} {1} の{2}: {change}"),
    "table_rounding": (
        "rounding of {0} ({1}): {change}",
        "{0} 반올림 ({1}): {change}",
        "{0} の丸め（{1}）: {change}",
    ),
    "category_count": ("{0} goals: {change}", "{0} 지표 수: {change}", "{0} の目標数: {change}"),
    "total_count": ("indicators in all: {change}", "전체 지표 수: {change}", "目標の合計数: {change}"),
    "share": ("share of {0}: {change}", "{0} 반영 비율: {change}", "{0} の比率: {change}"),
    "weight_min": (
        "lowest weight per goal: {change}",
        "지표별 최저 가중치: {change}",
        "目標ごとの最低ウエイト: {change}",
    ),
    "weight_max": (
        "highest weight per goal: {change}",
        "지표별 최고 가중치: {change}",
        "目標ごとの最高ウエイト: {change}",
    ),
    "weight_total": ("total of the weights: {change}", "가중치 합계: {change}", "ウエイト合計: {change}"),
    "difficulty": ("difficulty {0}: {change}", "난이도 {0}: {change}", "難易度 {0}: {change}"),
    "quota": (
        "{0} quota for grade {1}: {change}",
        "{0} {1} 등급 배분율: {change}",
        "{0} {1} の配分率: {change}",
    ),
    "min_group": (
        "{0} minimum group size: {change}",
        "{0} 최소 집단 크기: {change}",
        "{0} の最小集団人数: {change}",
    ),
    "period_weight": (
        "weight of period {0}: {change}",
        "{0} 시기 반영 비율: {change}",
        "{0} の反映比率: {change}",
    ),
    "formula": ("formula {1} ({0}): {change}", "산식 {1} ({0}): {change}", "算式 {1}（{0}）: {change}"),
    "formula_rounding": (
        "rounding of {1} ({2}): {change}",
        "{1} 반올림 ({2}): {change}",
        "{1} の丸め（{2}）: {change}",
    ),
    "points": ("points of {1} in {0}: {change}", "{0} {1} 점수: {change}", "{0} の {1} の点数: {change}"),
    "table_cell": (
        "table {0} [{1}, {2}]: {change}",
        "표 {0} [{1}, {2}]: {change}",
        "表 {0} [{1}, {2}]: {change}",
    ),
    "table_row": ("table {0} [{1}]: {change}", "표 {0} [{1}]: {change}", "表 {0} [{1}]: {change}"),
    "added": ("added {where}: {value}", "추가 {where}: {value}", "追加 {where}: {value}"),
    "removed": ("removed {where} (was {value})", "삭제 {where} (이전 {value})", "削除 {where}（旧 {value}）"),
    "changed": ("{where}: {change}", "{where}: {change}", "{where}: {change}"),
}

#: Names the sentences show as words (a bound, an end of a period, a formula's level).
NAMES: dict[str, tuple[str, str, str]] = {
    "min": ("threshold", "하한", "下限"),
    "max": ("upper bound", "상한", "上限"),
    "from": ("from", "시작일", "開始日"),
    "to": ("to", "종료일", "終了日"),
    "indicator": ("indicator", "지표", "目標"),
    "employee": ("employee", "직원", "社員"),
    "none": ("none", "없음", "なし"),
}


def sentence(key: str, lang: str, *names: str, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with the matched ``names`` and ``values`` filled in."""
    return SENTENCES[key][LANGS.index(lang)].format(*names, **values)


def name_word(name: str, lang: str) -> str | None:
    """A name said as a word in ``lang`` (``min`` -> threshold), None when it is no such name."""
    words = NAMES.get(name)
    return None if words is None else words[LANGS.index(lang)]
