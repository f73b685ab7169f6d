"""The fixed words of scheme facts and rulebooks in English, Korean and Japanese.

A policy's own labels come from the policy; these are the phrases around them. Every phrase
has the three languages, so a rulebook never mixes languages in its own sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGS = ("en", "ko", "ja")

_PHRASES: dict[str, tuple[str, str, str]] = {
    # dimension titles
    "indicators": ("Indicator categories and counts", "지표 구분과 개수", "目標の区分と数"),
    "weights": ("Weight bands and exceptions", "가중치 범위와 예외", "ウエイトの範囲と例外"),
    "difficulty": ("Difficulty", "난이도", "難易度"),
    "formulas": ("Score formulas", "점수 산식", "得点の算式"),
    "scales": ("Rating scales", "평가 척도", "評価尺度"),
    "thresholds": ("Grade thresholds", "등급 기준", "評語の基準"),
    "distributions": ("Relative distributions", "상대 분포", "相対分布"),
    "chains": ("Evaluator chains", "평가자 체계", "評価者の体系"),
    "periods": ("Periods and their weights", "평가 시기와 반영 비율", "評価時期と反映比率"),
    "workflows": ("Objection and goal-change windows", "이의신청과 목표 변경", "異議申立てと目標変更"),
    "jobeval": ("Job-evaluation tables and panels", "직무평가 배점표와 평가단", "職務評価の配点表と評価者"),
    "pay": ("Pay rules", "보상 규칙", "報酬の規則"),
    # sentences
    "not_declared": ("not declared", "정하지 않음", "定めなし"),
    "total_count": ("{min}-{max} indicators in all", "전체 지표 {min}~{max}개", "目標は合計{min}～{max}件"),
    "count_range": ("{min}-{max}", "{min}~{max}개", "{min}～{max}件"),
    "count_exact": ("exactly {n}", "정확히 {n}개", "ちょうど{n}件"),
    "share": ("share {n} %", "반영 비율 {n} %", "比率 {n} %"),
    "fixed": ("fixed indicators: {names}", "고정 지표: {names}", "固定目標: {names}"),
    "weight_band": ("each weight {min}-{max} %", "지표별 가중치 {min}~{max} %", "各ウエイト{min}～{max} %"),
    "weight_total": (
        "weights add up to {total} per {scope}",
        "가중치 합계 {total} ({scope} 단위)",
        "ウエイト合計{total}（{scope}ごと）",
    ),
    "exception": (
        "exception {id} ({label}) when {when}: {relax}",
        "예외 {id} ({label}) 조건 {when}: {relax}",
        "例外 {id}（{label}）条件 {when}: {relax}",
    ),
    "difficulty_line": (
        "multiplier {min}-{max}, default {default}, steps {steps}",
        "배수 {min}~{max}, 기본값 {default}, 단계 {steps}",
        "係数{min}～{max}、既定値{default}、段階 {steps}",
    ),
    "per_indicator": ("per indicator", "지표별", "目標ごと"),
    "per_employee": ("per employee", "직원별", "社員ごと"),
    "rounded": (
        "rounded {mode} to {places} places",
        "{mode} 방식 소수 {places}자리 반올림",
        "{mode}で小数{places}桁に丸め",
    ),
    "levels": ("levels", "등급", "段階"),
    "points": ("points", "점수", "点数"),
    "segment": ("segment {name} ({when})", "구분 {name} ({when})", "区分 {name}（{when}）"),
    "all_staff": ("everyone", "전원", "全員"),
    "score_of": (
        "grade table {name} reads {input}",
        "등급표 {name}: 입력 {input}",
        "換算表 {name}: 入力 {input}",
    ),
    "quotas": ("quotas {quotas}", "배분율 {quotas}", "配分率 {quotas}"),
    "groups": ("grouped by {fields}", "{fields} 단위 집단", "{fields}ごとの集団"),
    "min_group": ("minimum group size {n}", "최소 집단 {n}명", "最小集団{n}人"),
    "merge": (
        "smaller groups merge upward by {field}, keeping {keep}",
        "작은 집단은 {field} 기준 상위로 병합 ({keep} 유지)",
        "小集団は{field}で上位へ統合（{keep}を維持）",
    ),
    "rank_by": ("ranked by {score} ({order})", "{score} 기준 순위 ({order})", "{score}で順位付け（{order}）"),
    "chain_when": ("applies when {when}", "적용 조건 {when}", "適用条件 {when}"),
    "chain_period": ("period {period}", "기간 {period}", "期間 {period}"),
    "chain_confirms": (
        "every stage on record before the period counts in the score",
        "모든 단계가 기록되어야 해당 기간이 점수에 반영",
        "全段階の記録後に期間が点数に反映",
    ),
    "stage_field": ("recorded in {field}", "{field}에 기록", "{field}に記録"),
    "stage": (
        "stage {id}: {evaluator}, {mode}",
        "{id} 단계: {evaluator}, {mode}",
        "段階 {id}: {evaluator}、{mode}",
    ),
    "period_weight": (
        "{name} ({label}): {weight} %",
        "{name} ({label}): {weight} %",
        "{name}（{label}）: {weight} %",
    ),
    "blend": ("blended into {name}", "{name}(으)로 합산", "{name}に合算"),
    "objection_window": (
        "objections within {n} working days of {start}",
        "{start} 후 근무일 {n}일 이내 이의신청",
        "{start}から勤務日{n}日以内に異議申立て",
    ),
    "objection_round": ("round {round}: {handler}", "{round}차: {handler}", "第{round}段階: {handler}"),
    "change_window": (
        "goal changes {phase}: {allowed}",
        "목표 변경 {phase}: {allowed}",
        "目標変更 {phase}: {allowed}",
    ),
    "allowed": ("allowed", "가능", "可"),
    "not_allowed": ("not allowed", "불가", "不可"),
    "reasons": ("reasons {names}", "사유 {names}", "理由 {names}"),
    "point_table": (
        "point table {name} ({label}): {factors}",
        "배점표 {name} ({label}): {factors}",
        "配点表 {name}（{label}）: {factors}",
    ),
    "panel": ("panel {name}: {groups}", "평가단 {name}: {groups}", "評価者 {name}: {groups}"),
    "job_bands": ("job grades {bands}", "직무등급 {bands}", "職務等級 {bands}"),
    "cycle": ("every {n} years", "{n}년마다", "{n}年ごと"),
    "pay_mix": (
        "pay mix base {base} : variable {variable}",
        "보상 구성 기본 {base} : 변동 {variable}",
        "報酬構成 基本{base}：変動{variable}",
    ),
    "pay_ranges": (
        "pay ranges per grade, zones {zones}, spread {spread}",
        "직급별 급여 범위, 구간 {zones}, 폭 {spread}",
        "等級別の給与範囲、ゾーン {zones}、幅 {spread}",
    ),
    "merit": ("merit raise = {expr}", "차등 인상률 = {expr}", "昇給率 = {expr}"),
    "incentive": (
        "incentive pool = {pool}; individual index = {individual}",
        "인센티브 재원 = {pool}; 개인 지수 = {individual}",
        "インセンティブ原資 = {pool}; 個人指数 = {individual}",
    ),
    "bonus": (
        "bonus = {expr}, rounded {mode} to a unit of {unit}",
        "상여 = {expr}, {unit} 단위 {mode}",
        "賞与 = {expr}、{unit}単位で{mode}",
    ),
    "requirement": (
        "record requirement {label}: {parts}",
        "기록 요건 {label}: {parts}",
        "記録要件 {label}: {parts}",
    ),
    "requirement_warning": (
        "record requirement {label} (a warning only): {parts}",
        "기록 요건 {label} (경고만): {parts}",
        "記録要件 {label}（警告のみ）: {parts}",
    ),
    "party_stage": (
        "{field} signed by the evaluator of stage {stage}",
        "{field}: {stage} 단계 평가자 서명",
        "{field}: {stage}段階の評価者の署名",
    ),
    "party_self": ("{field} signed by the employee", "{field}: 본인 서명", "{field}: 本人の署名"),
    "date_window": ("{field} dated {start} .. {end}", "{field}: {start} ~ {end}", "{field}: {start}～{end}"),
    "date_after": ("not before {after}", "{after} 이후", "{after}以降"),
    "required_fields": ("filled in: {fields}", "필수 기재: {fields}", "必須記入: {fields}"),
    "promotion": ("promotion points from table {table}", "승격 Point 표 {table}", "昇格ポイント表 {table}"),
    "descending": ("highest first", "높은 순", "高い順"),
    "ascending": ("lowest first", "낮은 순", "低い順"),
    # rulebook
    "rulebook": ("Rulebook", "규정집", "規程集"),
    "version": ("version", "버전", "版"),
    "effective": ("effective {start} to {end}", "시행 {start} ~ {end}", "適用期間 {start}～{end}"),
    "hash": ("content hash", "내용 해시", "内容ハッシュ"),
    "sources": ("Sources", "출처", "出典"),
    "assumptions": ("Assumptions", "가정", "前提"),
    "tables": ("Tables", "표", "表"),
    "inputs": ("Inputs", "입력 항목", "入力項目"),
    "field": ("field", "항목", "項目"),
    "type": ("type", "형식", "型"),
    "label": ("label", "이름", "名称"),
    "line": ("line", "행", "行"),
    "grade": ("grade", "등급", "評語"),
    "from": ("from {n}", "{n} 이상", "{n}以上"),
    "below": ("below {n}", "{n} 미만", "{n}未満"),
    "up_to": ("up to {n}", "{n} 이하", "{n}以下"),
    "scope_sheet": ("sheet", "시트", "シート"),
    "scope_category": ("category", "구분", "区分"),
    "constraints": ("Rules of the goal sheet", "목표 설정 규칙", "目標シートの規則"),
    # report headings (html, xlsx)
    "summary": ("Summary", "요약", "概要"),
    "distribution_charts": ("Grade distribution per scheme", "제도별 등급 분포", "制度別の評語分布"),
    "transitions": ("Grade transitions", "등급 이동", "評語の移動"),
    "tables_heading": ("Tables", "표", "表"),
    "explanations": ("Explanations", "설명", "説明"),
    "policies": ("Policies", "정책", "ポリシー"),
    "people": ("people", "명", "人"),
    "chart_label": ("{title}: people per grade", "{title}: 등급별 인원", "{title}: 評語別の人数"),
    # report table titles
    "t_point_by_point": ("point by point", "항목별 비교", "項目別の比較"),
    "t_people": ("people", "인원별 결과", "人別の結果"),
    "t_stats": ("score statistics and pay totals", "점수 통계와 보상 합계", "得点の統計と報酬の合計"),
    "t_distribution": ("grade distribution", "등급 분포", "評語分布"),
    "t_transitions": ("grade transitions: {a} -> {b}", "등급 이동: {a} -> {b}", "評語の移動: {a} -> {b}"),
    "t_correspondence": (
        "grade correspondence: {a} -> {b}",
        "등급 대응: {a} -> {b}",
        "評語の対応: {a} -> {b}",
    ),
    "by_rank": ("by rank position", "순위 위치 기준", "順位の位置による"),
    "declared_in": ("declared in {file}", "{file}에 정함", "{file}で定義"),
    "reading": ("reading", "대응 방법", "対応の方法"),
    # report sentences and headers (compare, diff, simulate)
    "n_changes": ("{n} change{s} to the rules", "규칙 변경 {n}건", "規則の変更 {n}件"),
    "no_change": ("no change to the rules", "규칙 변경 없음", "規則の変更なし"),
    "people_change": (
        "population {source}: {moved} of {n} people change score, grade or pay",
        "대상 인원 {source}: {n}명 중 {moved}명의 점수, 등급 또는 보상이 바뀜",
        "対象者 {source}: {n}人中{moved}人の得点・評語・報酬が変わる",
    ),
    "population": ("population {source}: {n} people", "대상 인원 {source}: {n}명", "対象者 {source}: {n}人"),
    "n_schemes": ("{n} schemes, {d} dimensions", "제도 {n}개, 비교 항목 {d}개", "制度 {n}件、比較項目 {d}件"),
    "scheme_line": (
        "{id}: {n} evaluated, {failed} not; {score} mean {mean}; grades {grades}",
        "{id}: {n}명 평가, {failed}명 미평가; {score} 평균 {mean}; 등급 {grades}",
        "{id}: 評価 {n}人、未評価 {failed}人; {score} 平均 {mean}; 評語 {grades}",
    ),
    "pay_line": (
        "; pay: salaries {salaries}, merit raises {raises}",
        "; 보상: 급여 합계 {salaries}, 차등 인상액 {raises}",
        "; 報酬: 給与合計 {salaries}、昇給額 {raises}",
    ),
    "none_declared": ("none declared", "정하지 않음", "定めなし"),
    "same": ("same", "동일", "同じ"),
    "up": ("up {n}", "{n}단계 상향", "{n}段階上"),
    "down": ("down {n}", "{n}단계 하향", "{n}段階下"),
    "n_a": ("n/a", "해당 없음", "該当なし"),
    "as_written": (
        "population {source}: {n} people; as written: {value}",
        "대상 인원 {source}: {n}명; 현행: {value}",
        "対象者 {source}: {n}人; 現行: {value}",
    ),
    "as_written_value": ("{value} (as written)", "{value} (현행)", "{value}（現行）"),
    "invalid": ("invalid", "유효하지 않음", "無効"),
    "value_invalid": ("value {value} is invalid", "값 {value}: 유효하지 않음", "値 {value}: 無効"),
    "none": ("none", "없음", "なし"),
    "problems": ("problems", "문제", "問題"),
    "h_change": ("change", "변경", "変更"),
    "h_id": ("id", "id", "id"),
    "h_name": ("name", "성명", "氏名"),
    "h_grade": ("grade", "등급", "評語"),
    "h_score": ("score", "점수", "得点"),
    "h_score_change": ("score change", "점수 변화", "得点の変化"),
    "h_raise": ("raise", "인상액", "昇給額"),
    "h_raise_change": ("raise change", "인상액 변화", "昇給額の変化"),
    "h_dimension": ("dimension", "비교 항목", "比較項目"),
    "h_scheme_score": ("{id} score", "{id} 점수", "{id} 得点"),
    "h_scheme_grade": ("{id} grade", "{id} 등급", "{id} 評語"),
    "h_scheme_rate": ("{id} raise %", "{id} 인상률 %", "{id} 昇給率 %"),
    "h_scheme_raise": ("{id} raise", "{id} 인상액", "{id} 昇給額"),
    "h_moves": ("moves (vs {id})", "이동 ({id} 대비)", "移動（{id}比）"),
    "h_scheme": ("scheme", "제도", "制度"),
    "h_n": ("n", "인원", "人数"),
    "h_mean": ("mean", "평균", "平均"),
    "h_median": ("median", "중앙값", "中央値"),
    "h_min": ("min", "최저", "最低"),
    "h_max": ("max", "최고", "最高"),
    "h_salaries": ("salaries", "급여 합계", "給与合計"),
    "h_merit": ("merit raises", "차등 인상액", "昇給額"),
    "h_grade_of": ("grade of", "등급 구분", "評語の区分"),
    "h_people": ("people", "인원", "人数"),
    "h_value": ("value", "값", "値"),
    "h_evaluated": ("evaluated", "평가 인원", "評価人数"),
    "h_mean_of": ("mean {score}", "{score} 평균", "{score} 平均"),
    "h_grade_changes": ("grade changes vs as written", "현행 대비 등급 변화", "現行からの評語の変化"),
    "t_changes": ("changes", "변경 사항", "変更点"),
    "t_people_change": ("people who change", "결과가 바뀌는 인원", "結果が変わる人"),
    "t_outcomes": ("outcomes per value", "값별 결과", "値ごとの結果"),
}


def word(key: str, lang: str, **values: Any) -> str:
    """The phrase ``key`` in ``lang`` with ``values`` filled in."""
    text = _PHRASES[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def label_in(label: Any, lang: str, fallback: str) -> str:
    """A policy label in ``lang``; else English, Korean, Japanese in that order; else ``fallback``."""
    if isinstance(label, Mapping):
        for key in (lang, *LANGS):
            if label.get(key):
                return str(label[key])
    if isinstance(label, str) and label:
        return label
    return fallback
