"""``hrpolicy compare``: one canonical population of five people under the three shipped schemes,
every figure worked out by hand below; and the schemes side by side without data."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import Echo

from engine.commands.compare import run_compare
from engine.errors import DataError, UsageError

ROOT = Path(__file__).resolve().parent.parent
POLICIES = [str(ROOT / "policies" / f"{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]
EXAMPLE = ROOT / "examples" / "compare"
POPULATION = str(EXAMPLE / "population.yaml")


def compare_json(*extra: str, explain: str | None = None) -> dict[str, Any]:
    echo = Echo()
    code = run_compare(POLICIES, POPULATION, list(extra), "json", None, "en", explain, echo)
    assert code == 0, echo.stderr
    payload: dict[str, Any] = json.loads(echo.stdout)
    return payload


def person(payload: dict[str, Any], pid: str, scheme: str) -> dict[str, Any]:
    found = next(p for p in payload["people"] if p["id"] == pid)
    result: dict[str, Any] = found["schemes"][scheme]
    return result


# japan_mbo (examples/compare/map_japan_mbo.yaml): every goal is on the sheet; weights 20, 20, 10
# (result goals -> performance) and 30, 20 (process goals -> process); a numeric goal scores
# actual / target x 100, an assessed one its achievement; score = sum(weight x achievement x
# difficulty) / 100, rounded half-up to whole percent against the segment's bands.
#   P1 manager: (20x115.0 + 20x120 + 10x90 + 30x110 + 20x100) / 100
#             = (2300 + 2400 + 900 + 3300 + 2000) / 100 = 109.00 -> 109 -> A (manager A is 100 to < 110)
#   P2 general: (20x95.0x1.2 + 20x105 + 10x100 + 30x95 + 20x90) / 100
#             = (2280 + 2100 + 1000 + 2850 + 1800) / 100 = 100.30 -> 100 -> A (general A is 100 to < 105)
#   P3 general: (20x80.0 + 20x85 + 10x90 + 30x80 + 20x75) / 100 = (1600 + 1700 + 900 + 2400 + 1500) / 100
#             = 81.00 -> C (75 to < 85)
#   P4 manager: (20x102.0 + 20x98 + 10x100 + 30x100 + 20x95) / 100 = (2040 + 1960 + 1000 + 3000 + 1900) / 100
#             = 99.00 -> B (90 to < 100)
#   P5 general: (20x120.0x1.1 + 20x110 + 10x105 + 30x100 + 20x110) / 100
#             = (2640 + 2200 + 1050 + 3000 + 2200) / 100 = 110.90 -> 111 -> S (105 or more)
JAPAN = {
    "P1": ("109", "A"),
    "P2": ("100.30", "A"),
    "P3": ("81", "C"),
    "P4": ("99", "B"),
    "P5": ("110.90", "S"),
}

# kumho_like: result goals are job KPIs with weights 20, 20, 10 rescaled to 100 (x 100 / 50):
# 40, 40, 20; process goals are contribution items 30, 20 -> 60, 40. Rating E (75 points) from
# 100 %, M (50) from 85 %, else B (25). performance = (KPI x 80 + contribution x 20) / 100.
#   P1: KPI E, E, M = (40x75 + 40x75 + 20x50) / 100 = 70; contribution E, E = 75;
#       (70x80 + 75x20) / 100 = (5600 + 1500) / 100 = 71.00
#   P2: KPI M, E, E = (2000 + 3000 + 1500) / 100 = 65; contribution M, M = 50; (5200 + 1000) / 100 = 62.00
#   P3: KPI B, M, M = (1000 + 2000 + 1000) / 100 = 40; contribution B, B = 25; (3200 + 500) / 100 = 37.00
#   P4: KPI E, M, E = (3000 + 2000 + 1500) / 100 = 65; contribution E, M = (4500 + 2000) / 100 = 65; 65.00
#   P5: KPI E, E, E = 75; contribution E, E = 75; 75.00
# All five are K3 in civil_div: one group of 5. Quotas 10/20/40/20/10 % of 5 = 0.5/1/2/1/0.5 seats,
# floors 0/1/2/1/0 = 4, the last seat to the larger remainder, I and V tie at .5 -> the better
# grade I: I=1, II=1, III=2, IV=1, V=0. Ranked 75 (P5) I, 71 (P1) II, 65 (P4) III, 62 (P2) III, 37 (P3) IV.
KUMHO = {"P1": ("71", "II"), "P2": ("62", "III"), "P3": ("37", "IV"), "P4": ("65", "III"), "P5": ("75", "I")}

# kumho_like pay. Competency = mean of group (34/33/33), company (50/50), expert (34/33/33) item
# scores, level 3 -> E 75, 2 -> M 50, 1 -> B 25, rounded to 2 places:
#   P1 (58.5 + 62.5 + 66.75) / 3 = 62.58; P2 (50 + 50 + 58.5) / 3 = 52.83; P3 (41.75 + 37.5 + 41.75) / 3
#   = 40.33; P4 (66.75 + 75 + 58.5) / 3 = 66.75; P5 (75 + 62.5 + 75) / 3 = 70.83
#   -> competency grades P5 I, P4 II, P1 III, P2 III, P3 IV.
# Zone in K3 (45,600,000 | E | 49,875,000 | T | 66,975,000 | P | 79,800,000); raise = X + (offset(zone,
# performance) x 50 + offset(zone, competency) x 50) / 100 with X = 3.0 (K3 performance share 50 %):
#   P1 70,000,000 P, II +0.5, III -0.5: 3.0 + (25 - 25) / 100 = 3.0 -> 2,100,000.00
#   P2 52,000,000 T, III 0, III 0: 3.0 -> 1,560,000.00
#   P3 48,000,000 E, IV -0.5, IV -0.5: 3.0 - 0.5 = 2.5 -> 1,200,000.00
#   P4 66,000,000 T, III 0, II +1: 3.0 + 50 / 100 = 3.5 -> 2,310,000.00
#   P5 58,000,000 T, I +2, I +2: 3.0 + 200 / 100 = 5.0 -> 2,900,000.00
# Totals: salaries 294,000,000; raises 10,070,000.00.
PAY = {
    "P1": ("3.0", "2100000"),
    "P2": ("3.0", "1560000"),
    "P3": ("2.5", "1200000"),
    "P4": ("3.5", "2310000"),
    "P5": ("5.0", "2900000"),
}

# kepco_like: own duties are the two main goals, weights 20, 20 -> x 70 / 40 = 35, 35; the two
# common duties 15 each with the engagement percent as progress. Mid-term progress is the goal's
# `midterm`, final progress min(achievement, 100). score = midterm x 10 % + final x 90 %, rounded
# half-up to 2 places.
#   P1 mid (35x60 + 35x50 + 15x50 + 15x50) / 100 = 53.50; final (35x100 + 35x100 + 15x90 x 2) / 100
#      = 97.00; 5.35 + 87.30 = 92.65
#   P2 mid (1575 + 1750 + 1200) / 100 = 45.25; final (35x95 + 3500 + 15x80 x 2) / 100 = 92.25;
#      4.525 + 83.025 = 87.55
#   P3 mid (1400 + 1225 + 900) / 100 = 35.25; final (2800 + 2975 + 2100) / 100 = 78.75; 3.525 + 70.875 = 74.40
#   P4 mid (1750 + 1750 + 1350) / 100 = 48.50; final (3500 + 35x98 + 2550) / 100 = 94.80; 4.85 + 85.32 = 90.17
#   P5 mid (1925 + 2100 + 1500) / 100 = 55.25; final (3500 + 3500 + 2850) / 100 = 98.50;
#      5.525 + 88.65 = 94.175 -> 94.18
# Grade (distribution `grade`, an ASSUMPTION of the policy): ranked within department and position
# (the mapping: department = org, managers are section heads), quotas S 10, A 20, B 40, C 20, D 10 %
# by largest remainder, equal remainders to the better grade.
#   section heads P1, P4 (2): 0.2/0.4/0.8/0.4/0.2 seats, floors 0; B (.8) then A (.4 ties C, better):
#      A=1, B=1: P1 92.65 A, P4 90.17 B
#   members P2, P3, P5 (3): 0.3/0.6/1.2/0.6/0.3, floors B=1; A and C (.6 each): P5 94.18 A,
#      P2 87.55 B, P3 74.40 C
KEPCO = {"P1": ("92.65", "A"), "P2": ("87.55", "B"), "P3": ("74.40", "C"), "P4": ("90.17", "B"),
         "P5": ("94.18", "A")}  # fmt: skip


def test_five_people_under_three_schemes_as_worked_by_hand() -> None:
    payload = compare_json()
    for pid, (score, grade) in JAPAN.items():
        got = person(payload, pid, "japan_mbo")
        assert (Decimal(got["score"]), got["grade"]) == (Decimal(score), grade), pid
    for pid, (score, grade) in KUMHO.items():
        got = person(payload, pid, "kumho_like")
        assert (Decimal(got["score"]), got["grade"]) == (Decimal(score), grade), pid
        rate, amount = PAY[pid]
        assert (Decimal(got["raise_rate"]), Decimal(got["raise"])) == (Decimal(rate), Decimal(amount)), pid
    for pid, (score, grade) in KEPCO.items():
        got = person(payload, pid, "kepco_like")
        assert (got["score"], got["grade"]) == (score, grade), pid


def test_per_scheme_distribution_statistics_and_pay_totals() -> None:
    schemes = {s["policy"]: s for s in compare_json()["schemes"]}
    assert schemes["japan_mbo"]["distribution"] == {"S": 1, "A": 2, "B": 1, "C": 1, "D": 0}
    assert schemes["kumho_like"]["distribution"] == {"I": 1, "II": 1, "III": 2, "IV": 1, "V": 0}
    assert schemes["kepco_like"]["distribution"] == {"S": 0, "A": 2, "B": 2, "C": 1, "D": 0}
    # japan mean (109 + 100.30 + 81 + 99 + 110.90) / 5 = 500.20 / 5 = 100.04; median 100.30
    assert schemes["japan_mbo"]["stats"] == {
        "n": 5,
        "mean": "100.04",
        "median": "100.30",
        "min": "81.00",
        "max": "110.90",
    }
    # kepco mean (92.65 + 87.55 + 74.40 + 90.17 + 94.18) / 5 = 438.95 / 5 = 87.79
    assert schemes["kepco_like"]["stats"]["mean"] == "87.79"
    assert schemes["kumho_like"]["pay"] == {"salaries": "294000000", "raises": "10070000.00", "people": "5"}
    assert schemes["japan_mbo"]["pay"] is None


def test_who_moves_between_schemes() -> None:
    # Grade positions (1 = best of 5): japan A=2 -> kumho II=2 (P1 same), A=2 -> III=3 (P2 down 1),
    # C=4 -> IV=4, B=3 -> III=3, S=1 -> I=1; japan -> kepco: A=2 -> A=2 (P1 same), A=2 -> B=3
    # (P2 down 1), C=4 -> C=4, B=3 -> B=3, S=1 -> A=2 (P5 down 1).
    moves = {p["id"]: p["moves"] for p in compare_json()["people"]}
    assert moves == {
        "P1": "same, same",
        "P2": "down 1, down 1",
        "P3": "same, same",
        "P4": "same, same",
        "P5": "same, down 1",
    }


def test_explain_goes_down_to_the_number() -> None:
    explained = compare_json(explain="P1")["explain"]
    kumho = explained["P1 under kumho_like"]
    assert (
        "  result_total = sum(weight, type='result') = sum([20, 20, 10, 30, 20], type='result') = 50" in kumho
    )
    assert (
        "    weight = 40 (weight * 100 / result_total if type == 'result' else weight * 100 / process_total"
        " = 20 * 100 / 50)" in kumho
    )
    assert kumho[-5:] == [
        "grade: II (rank 2 of 5 in group (org=civil_div, role_grade=K3): quota I=1, II=1, III=2, IV=1, V=0"
        " seats (largest_remainder); rank 2 get II)",
        "pay: 66975000 <= 70000000 <= 79800000: zone P",
        "pay: merit raise = X + (lookup('merit_offset', zone, performance_grade)"
        " * lookup('raise_performance_share', role_grade) + lookup('merit_offset', zone, competency_grade)"
        " * (100 - lookup('raise_performance_share', role_grade))) / 100 = 3.0"
        " + (lookup('merit_offset', 'P', 'II') * lookup('raise_performance_share', 'K3')"
        " + lookup('merit_offset', 'P', 'III') * (100 - lookup('raise_performance_share', 'K3'))) / 100"
        " = 3.0",
        "pay: merit_offset[P, II] = 0.5; raise_performance_share[K3] = 50; merit_offset[P, III] = -0.5",
        "pay: raise amount = 70000000 x 3.0 / 100 = 2100000.00",
    ]
    japan = explained["P1 under japan_mbo"]
    assert "    weight = 20 (from weight)" in japan


def test_text_report_of_the_population() -> None:
    echo = Echo()
    assert run_compare(POLICIES, POPULATION, [], "text", None, "en", None, echo) == 0
    lines = echo.stdout.splitlines()
    assert lines[0].startswith("policy japan_mbo version 2026.1 sha256 ")
    assert lines[3:8] == [
        "hrpolicy compare: japan_mbo vs kumho_like vs kepco_like",
        f"population {POPULATION}: 5 people",
        "japan_mbo: 5 evaluated, 0 not; score mean 100.04; grades S 1, A 2, B 1, C 1, D 0",
        "kumho_like: 5 evaluated, 0 not; performance_score mean 62.00; grades I 1, II 1, III 2, IV 1, V 0;"
        " pay: salaries 294000000, merit raises 10070000.00",
        "kepco_like: 5 evaluated, 0 not; score mean 87.79; grades S 0, A 2, B 2, C 1, D 0",
    ]
    start = lines.index("== grade transitions: japan_mbo -> kumho_like")
    assert lines[start + 1 : start + 8] == [
        "japan_mbo \\ kumho_like  I  II  III  IV  V",
        "----------------------  -  --  ---  --  -",
        "S                       1   0    0   0  0",
        "A                       0   1    1   0  0",
        "B                       0   0    1   0  0",
        "C                       0   0    0   1  0",
        "D                       0   0    0   0  0",
    ]


def test_schemes_side_by_side_without_data() -> None:
    echo = Echo()
    assert run_compare(POLICIES, None, [], "text", None, "en", None, echo) == 0
    text = echo.stdout
    assert (
        "-- Difficulty\n"
        "  japan_mbo: multiplier 1.0-1.3, default 1.0, steps 1.0, 1.1, 1.2, 1.3\n"
        "  kumho_like: not declared\n"
        "  kepco_like: not declared\n"
    ) in text
    assert (
        "-- Periods and their weights\n"
        "  japan_mbo: not declared\n"
        "  kumho_like: not declared\n"
        "  kepco_like:\n"
        "    midterm (July mid-term check (2nd quarterly check)): 10 %\n"
        "    final (Final evaluation (January to April of the next year)): 90 %\n"
        "    blended into score\n"
    ) in text
    assert (
        "  japan_mbo:\n"
        "    grade table Conversion to the five-level rating reads score (rounded half_up to 0 places)\n"
        "    segment Managers (segment == 'manager'): S: from 110; A: from 100 below 110;"
        " B: from 90 below 100; C: from 80 below 90; D: up to 79\n"
    ) in text
    assert (
        "    Overall performance grade (performance): ranked by performance_score (highest first);"
        " quotas I 10 %, II 20 %, III 40 %, IV 20 %, V 10 %; grouped by org, role_grade;"
        " minimum group size 5; smaller groups merge upward by parent_org, keeping role_grade\n" in text
    )


def test_facts_json_says_which_dimensions_a_scheme_lacks() -> None:
    echo = Echo()
    run_compare(POLICIES, None, [], "json", None, "en", None, echo)
    payload = json.loads(echo.stdout)
    missing = {
        s["policy"]: sorted(k for k, v in s["dimensions"].items() if not v) for s in payload["schemes"]
    }
    assert missing == {
        # japan_mbo declares its bonus (seed 002: the MBO result is the bonus basis) under pay
        "japan_mbo": ["distributions", "jobeval", "periods", "workflows"],
        "kumho_like": ["difficulty", "jobeval", "periods", "thresholds", "workflows"],
        "kepco_like": ["difficulty", "pay", "thresholds"],
    }


def test_a_policy_without_a_mapping_is_a_usage_error() -> None:
    message = "no mapping for policy kepco_like; pass --map MAP.yaml naming it"
    with pytest.raises(UsageError, match=re.escape(message)):
        run_compare(
            POLICIES,
            POPULATION,
            [str(EXAMPLE / "map_japan_mbo.yaml"), str(EXAMPLE / "map_kumho_like.yaml")],
            "text",
            None,
            "en",
            None,
            Echo(),
        )


def test_xlsx_needs_an_output_file() -> None:
    with pytest.raises(UsageError, match=re.escape("--format xlsx writes a workbook: give -o FILE.xlsx")):
        run_compare(POLICIES, POPULATION, [], "xlsx", None, "en", None, Echo())


def test_a_formula_that_fails_for_one_person_is_a_located_problem(tmp_path: Path) -> None:
    # P3's first goal gets target 0. japan_mbo's own achievement formula divides by it (the error
    # points at the goal line the mapping made, line 76); the kumho and kepco mappings divide by it
    # (actual / target x 100) and point at P3 (line 66). P3 is left out of every scheme, the others
    # are evaluated; kumho's group is then 4 people, under its minimum of 5, so nobody gets a
    # relative grade there (a warning per person and distribution). Exit code 1.
    text = Path(POPULATION).read_text(encoding="utf-8")
    line = "weight: 20, target: 100, actual: 80, midterm: 40"
    assert text.count(line) == 1
    population = tmp_path / "population.yaml"
    population.write_text(
        text.replace(line, "weight: 20, target: 0, actual: 80, midterm: 40"), encoding="utf-8"
    )
    maps = [str(EXAMPLE / f"map_{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]
    echo = Echo()
    assert run_compare(POLICIES, str(population), maps, "json", None, "en", None, echo) == 1
    payload = json.loads(echo.stdout)
    mapped = "division by zero in 'actual / target * 100 if measure == 'number' else achievement'"
    values = " (actual=80, target=0, measure='number', achievement=none)"
    assert [p for p in payload["problems"] if " error [" in p] == [
        f"japan_mbo: {population}:76:9 (mapped for japan_mbo): P3: error [evaluation-error] achievement:"
        " division by zero in '(max(actual / target * 100, 0) if direction == 'higher' else"
        " (clamp(target / actual * 100, 0, 200) if actual > 0 else 200)) if kind == 'quantitative'"
        " else assessed_achievement' (actual=80, target=0, direction='higher', kind='quantitative',"
        " assessed_achievement=none)",
        f"kumho_like: {population}:66:5: P3: error [map-failed] {mapped}{values}",
        f"kepco_like: {population}:66:5: P3: error [map-failed] {mapped}{values}",
    ]
    assert len([p for p in payload["problems"] if "warning [distribution-group-too-small]" in p]) == 8
    assert [person(payload, "P3", s) for s in ("japan_mbo", "kumho_like", "kepco_like")] == [None] * 3
    assert [s["stats"]["n"] for s in payload["schemes"]] == [4, 4, 4]


def test_a_json_population_gives_the_same_report_and_names_nodes_by_json_path(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(Path(POPULATION).read_text(encoding="utf-8"))
    data["mappings"] = [str(EXAMPLE / m) for m in data["mappings"]]
    target = tmp_path / "population.json"
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    echo = Echo()
    assert run_compare(POLICIES, str(target), [], "json", None, "en", None, echo) == 0
    assert json.loads(echo.stdout)["people"] == compare_json()["people"]
    data["people"][2]["goals"] = {"title": "not a list"}
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run_compare(POLICIES, str(target), [], "json", None, "en", None, Echo())
    assert str(caught.value) == f"{target}:$.people[2].goals: 'goals' must be a value or a list of mappings"


def test_the_merit_raise_formula_is_compiled_once_for_every_person(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A scheme's pay formulas are compiled once per run, not once per person (compiling per
    # person was a third of compare --population's time): 25 people (the five above repeated
    # under new ids; kumho ranks them all in one group) compile kumho's merit expression once.
    import yaml

    import engine.pay.formulas as pay_formulas

    data = yaml.safe_load(Path(POPULATION).read_text(encoding="utf-8"))
    data["people"] = [{**data["people"][i % 5], "id": f"Q{i:03d}"} for i in range(25)]
    data["mappings"] = [str(EXAMPLE / m) for m in data["mappings"]]
    path = tmp_path / "population.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    compiled: list[str] = []
    real = pay_formulas.compile_formula

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        compiled.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pay_formulas, "compile_formula", counting)
    echo = Echo()
    assert run_compare(POLICIES, str(path), [], "json", None, "en", None, echo) == 0, echo.stderr
    raised = [p["schemes"]["kumho_like"]["raise"] for p in json.loads(echo.stdout)["people"]]
    assert len(raised) == 25 and None not in raised
    assert len(compiled) == 1 and compiled[0].startswith("X + (lookup('merit_offset'")
