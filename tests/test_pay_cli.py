"""``hrpolicy pay``: the kumho example (merit raises, incentive shares, promotion points) and its problems."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Echo, drop_stamps

from engine.commands.pay import run_pay
from engine.errors import DataError, UsageError

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
PAY = str(ROOT / "examples" / "kumho_like" / "pay.yaml")


def run(
    data: str, fmt: str = "text", output: str | None = None, base_rate: str | None = None, policy: str = KUMHO
) -> tuple[int, Echo]:
    echo = Echo()
    code = run_pay(policy, data, fmt, output, echo, base_rate)
    return code, drop_stamps(echo, fmt, policy)


def as_json(data: str = PAY, base_rate: str | None = None) -> dict[str, Any]:
    code, echo = run(data, "json", base_rate=base_rate)
    assert code == 0, echo.stderr
    payload: dict[str, Any] = json.loads(echo.stdout)
    return payload


# --- merit raise -----------------------------------------------------------------------------------


def test_merit_raises_of_the_example() -> None:
    merit = {m["employee"]: (m["zone"], m["raise"]) for m in as_json()["merit"]}
    # raise = X + (offset(zone, perf) x share + offset(zone, comp) x (100 - share)) / 100, X = 3.0
    assert merit == {
        "H101": ("P", "3.8"),  # K1 120,000,000 >= 105,750,000: P; 3.0 + (0.5 x 70 + 1.5 x 30) / 100 = 3.8
        "H102": ("P", "4.5"),  # K2 90,000,000 >= 84,600,000: P; grade I both: 3.0 + 1.5 = 4.5
        "H103": ("T", "3.4"),  # K2 63,000,000 <= 70,000,000 < 84,600,000; 3.0 + (0 x 60 + 1 x 40) / 100 = 3.4
        "H104": ("T", "3.5"),  # K3 58,000,000 in T; 3.0 + (1 x 50 + 0 x 50) / 100 = 3.5
        "H105": ("E", "5.0"),  # K3 48,000,000 < 49,875,000: E; 3.0 + (2.5 x 50 + 1.5 x 50) / 100 = 5.0
        "H106": ("T", "2.6"),  # K4 40,000,000 in T; 3.0 + (-1 x 40 + 0 x 60) / 100 = 2.6
        "H107": ("E", "3.5"),  # K4 37,000,000 < 39,375,000: E; 3.0 + 0.5 = 3.5
        "H108": ("P", "1.1"),  # K4 55,000,000 >= 52,875,000: P; 3.0 + (-2.5 x 40 - 1.5 x 60) / 100 = 1.1
    }


def test_merit_explanation_in_text() -> None:
    code, echo = run(PAY)
    assert code == 0
    text = echo.stdout
    assert "  H102  이지은  P       4.5\n" in text
    assert "    zone from base_pay in grade K2: 84600000 <= 90000000 <= 106560000: zone P\n" in text
    # H102 is I/I in K2: every cell the raise read, each once
    assert "    merit_offset[P, I] = 1.5; raise_performance_share[K2] = 60\n" in text
    # H101 is II/I in K1: 3.0 + (0.5 x 70 + 1.5 x 30) / 100 = 3.8
    assert (
        "    merit_offset[P, II] = 0.5; raise_performance_share[K1] = 70; merit_offset[P, I] = 1.5\n" in text
    )


def test_base_rate_option_overrides_x() -> None:
    merit = {m["employee"]: m["raise"] for m in as_json(base_rate="3.5")["merit"]}
    # X = 3.5: H102 3.5 + 1.5 = 5.0; H108 3.5 + (-100 - 90) / 100 = 1.6
    assert (merit["H102"], merit["H108"]) == ("5.0", "1.6")
    with pytest.raises(UsageError, match=r"^--base-rate 'abc' is not a number$"):
        run(PAY, base_rate="abc")


@pytest.mark.parametrize("rate", ["1e-999999", "1e101", "1" * 101])
def test_base_rate_is_bounded_like_numbers_in_files(rate: str) -> None:
    # 1e-999999 is finite, but X + offset would keep 999,999 digits of nothing (or fail later)
    shown = rate if len(rate) <= 24 else rate[:20] + "..."
    with pytest.raises(UsageError) as caught:
        run(PAY, base_rate=rate)
    assert str(caught.value) == (
        f"--base-rate '{shown}' is out of range: at most 100 characters and a decimal exponent"
        " between -100 and 100"
    )


def test_base_rate_at_the_bounds_is_accepted() -> None:
    # exponent -100 is the loader's bound too, so it is accepted (not a realistic rate)
    assert run(PAY, base_rate="1e-100")[0] == 0


def test_missing_base_rate_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "pay.yaml"
    text = Path(PAY).read_text(encoding="utf-8")
    data.write_text(text.replace("parameters:\n  X: 3.0\n", "parameters: {}\n"), encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        run(str(data))
    assert str(caught.value) == (
        "the merit raise needs the base raise rate X: give it under 'parameters:'"
        f" in {data} or with --base-rate"
    )
    # --base-rate supplies it
    assert run(str(data), base_rate="3.0")[0] == 0


# --- incentive -------------------------------------------------------------------------------------


def test_incentive_shares_add_up_to_the_pool_exactly() -> None:
    incentive = as_json()["incentive"]
    # pool = min(100,000,000, 518,000,000 x 17 / 100 = 88,060,000) = 88,060,000 = 88,060 units of 1,000.
    assert (incentive["eligible"], incentive["pool"], incentive["paid_pool"]) == (
        True,
        "88060000",
        "88060000",
    )
    # Index (vp x 30 + division x 30 + team x 40) / 100, spread by the default coefficient 1.0:
    # 100 + (index - 100) x 1.0 = the index;
    # sum 107 + 103 + 95 + 99 + 101 + 97 + 100 + 108 = 810. Exact units = 88,060 x index / 810, rounded down:
    #   H101 9,422,420 / 810 = 11,632.617   H102 9,070,180 / 810 = 11,197.753
    #   H103 8,365,700 / 810 = 10,328.025   H104 8,717,940 / 810 = 10,762.889
    #   H105 8,894,060 / 810 = 10,980.321   H106 8,541,820 / 810 = 10,545.457
    #   H107 8,806,000 / 810 = 10,871.605   H108 9,510,480 / 810 = 11,741.333
    # floors add up to 88,056: the 4 units left go to the largest remainders .889 (H104), .753 (H102),
    # .617 (H101), .605 (H107).
    shares = {s["employee"]: (s["individual"], s["amount"], s["extra_unit"]) for s in incentive["shares"]}
    assert shares == {
        "H101": ("107", "11633000", True),
        "H102": ("103", "11198000", True),
        "H103": ("95", "10328000", False),
        "H104": ("99", "10763000", True),
        "H105": ("101", "10980000", False),
        "H106": ("97", "10545000", False),
        "H107": ("100", "10872000", True),
        "H108": ("108", "11741000", False),
    }
    # 11,633 + 11,198 + 10,328 + 10,763 + 10,980 + 10,545 + 10,872 + 11,741 = 88,060 thousand
    assert sum(int(amount) for _, amount, _ in shares.values()) == 88060000
    assert incentive["total"] == "88060000"
    assert incentive["check"] == "sum of shares = pool: 88060000 = 88060000"


def test_incentive_text_has_the_check_line_and_eligibility() -> None:
    text = run(PAY)[1].stdout
    assert "    no_capital_impairment holds: not capital_impaired, not False\n" in text
    assert (
        "    pool = 0 if company_attainment <= 100 else total_base_pay * min(company_attainment - 100, 20)"
        " / 20 * 17 / 100 = 518000000 * min(125 - 100, 20) / 20 * 17 / 100 = 88060000\n"
    ) in text
    assert "  sum of shares = pool: 88060000 = 88060000\n" in text


def test_an_ineligible_company_pays_nothing(tmp_path: Path) -> None:
    data = tmp_path / "pay.yaml"
    text = Path(PAY).read_text(encoding="utf-8")
    data.write_text(text.replace("capital_impaired: false", "capital_impaired: true"), encoding="utf-8")
    incentive = as_json(str(data))["incentive"]
    assert (incentive["eligible"], incentive["paid_pool"], incentive["shares"]) == (False, "0", [])
    assert (
        incentive["eligibility"][0]["reason"] == "no_capital_impairment fails: not capital_impaired, not True"
    )
    assert incentive["check"] == "sum of shares = pool: 0 = 0"


# --- promotion points ------------------------------------------------------------------------------


def test_promotion_points_with_the_education_deduction_and_bonuses() -> None:
    promotion = {
        p["employee"]: (p["grade_points"], p["deduction_percent"], p["bonuses"], p["total"])
        for p in as_json()["promotion"]
    }
    # bonuses: language from table language_bonus (role grade x level), hanja 1 when attained
    assert promotion == {
        # I II I = 10 + 8 + 10 = 28; 12 of 12 credits; K1 advanced +1, hanja +1: 28 + 2 = 30
        "H101": ("28", "0", {"language": "1", "hanja": "1", "kumho_mba": "0"}, "30.00"),
        # I I II = 28; 10 of 10; K2 intermediate +0.5: 28.5
        "H102": ("28", "0", {"language": "0.5", "hanja": "0", "kumho_mba": "0"}, "28.50"),
        # II III III = 20; 2 % x (10 - 5) / 10 = 1 %: 20 - 0.2 = 19.8; K2 none -1, hanja +1: 19.8
        "H103": ("20", "1", {"language": "-1", "hanja": "1", "kumho_mba": "0"}, "19.80"),
        # 22; 2 % x 4 / 10 = 0.8 %: 22 - 0.176 = 21.824; K3 basic 0 -> 21.82
        "H104": ("22", "0.8", {"language": "0", "hanja": "0", "kumho_mba": "0"}, "21.82"),
        # I II II = 26; K3 intermediate +0.5, hanja +1: 27.5
        "H105": ("26", "0", {"language": "0.5", "hanja": "1", "kumho_mba": "0"}, "27.50"),
        # III IV III = 16; no credits: 2 %: 16 - 0.32 = 15.68; K4 none 0
        "H106": ("16", "2", {"language": "0", "hanja": "0", "kumho_mba": "0"}, "15.68"),
        # III III III = 18; no requirement; K4 advanced +1: 19
        "H107": ("18", "0", {"language": "1", "hanja": "0", "kumho_mba": "0"}, "19.00"),
        # IV V IV = 10; 2 % x 2 / 10 = 0.4 %: 10 - 0.04 = 9.96; K4 basic 0, hanja +1: 10.96
        "H108": ("10", "0.4", {"language": "0", "hanja": "1", "kumho_mba": "0"}, "10.96"),
    }


# --- formats and output ----------------------------------------------------------------------------


def test_csv_one_row_per_employee() -> None:
    code, echo = run(PAY, "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(echo.stdout)))
    assert rows[0] == [
        "id", "name", "zone", "merit_raise", "incentive_individual", "incentive_amount",
        "promotion_grade_points", "promotion_deduction", "promotion_total",
    ]  # fmt: skip
    # H104: zone T, 3.5 %, index 99, 10,763,000 won, 22 points - 0.176 = 21.82
    assert rows[4] == ["H104", "정수민", "T", "3.5", "99", "10763000", "22", "0.176", "21.82"]
    assert len(rows) == 9


def test_output_file_is_written_and_nothing_echoed(tmp_path: Path) -> None:
    target = tmp_path / "pay.json"
    code, echo = run(PAY, "json", str(target))
    assert (code, echo.stdout) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["incentive"]["paid_pool"] == "88060000"


def test_output_is_written_when_some_employees_have_problems(tmp_path: Path) -> None:
    # exit 1 means "the report is complete, some people have problems": -o still gets it
    data, target = tmp_path / "pay.yaml", tmp_path / "pay.json"
    data.write_text(PROBLEMS, encoding="utf-8")
    code, echo = run(str(data), "json", str(target))
    assert (code, echo.stdout) == (1, "")
    assert [p["rule"] for p in json.loads(target.read_text(encoding="utf-8"))["problems"]] == [
        "pay-zone-outside-range",
        "pay-zone-mismatch",
        "pay-promotion",
    ]


def test_output_left_untouched_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "pay.yaml"
    bad.write_text("employees:\n  - id: A1\n   name: x\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(DataError):
        run(str(bad), "csv", str(target))
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "pay.yaml"]


def test_bad_data_file_is_one_located_line(tmp_path: Path) -> None:
    bad = tmp_path / "pay.yaml"
    bad.write_text("parameters: {X: 3.0}\nemployees:\n  - name: 무명\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run(str(bad))
    assert str(caught.value) == f"{bad}:3:5: an employee needs an 'id'"
    bad.write_text("parameters: {X: 3.0}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"pay\.yaml:1:1: the file has no 'employees' list$"):
        run(str(bad))


def test_policy_without_pay_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"the policy declares no pay section$"):
        run(PAY, policy=KEPCO)


# --- problems with single employees ----------------------------------------------------------------

PROBLEMS = """\
parameters: {X: 3.0, coefficient: 1.0}
company:
  {company_attainment: 120, total_base_pay: 100000000, capital_impaired: false,
   cash_payment_capacity_3y: true}
zone_from: {grade: role_grade, salary: base_pay}
employees:
  - {id: A1, role_grade: K4, base_pay: 70000000, performance_grade: I, competency_grade: I,
     vp_performance: 100, division_performance: 100, has_team_kpi: true, team_performance: 100}
  - {id: A2, role_grade: K4, base_pay: 40000000, zone: E, performance_grade: I, competency_grade: I,
     vp_performance: 100, division_performance: 100, has_team_kpi: true, team_performance: 100}
  - {id: A3, role_grade: K4, base_pay: 40000000, performance_grade: III, competency_grade: III,
     vp_performance: 100, division_performance: 100, has_team_kpi: true, team_performance: 100,
     promotion: {history: {"2025": VI}}}
"""


def test_problems_name_the_employee_and_the_line(tmp_path: Path) -> None:
    data = tmp_path / "pay.yaml"
    data.write_text(PROBLEMS, encoding="utf-8")
    code, echo = run(str(data), "json")
    assert code == 1
    # located at the base pay (line 7), the given zone (line 9), the promotion history (line 13)
    assert echo.stderr.splitlines() == [
        f"{data}:7:40: A1: error [pay-zone-outside-range] employee A1: 70000000 is above the upper bound"
        " of grade K4 (36000000 .. 61200000)",
        f"{data}:9:56: A2: error [pay-zone-mismatch] employee A2: zone E is given,"
        " but the salary puts the employee in zone T",
        f"{data}:13:27: A3: error [pay-promotion] A3: grade 'VI' of 2025 is not a key"
        " of table promotion_points",
        "hrpolicy: 3 problems, 3 of 3 employees affected; see the problems above",
    ]
    payload = json.loads(echo.stdout)
    merit = {m["employee"]: (m["zone"], m["raise"]) for m in payload["merit"]}
    # A1 has no zone, so no raise; A2 keeps the zone it was given (E/I: 3.0 + 2.5 = 5.5); A3 T/III: 3.0
    assert merit == {"A1": (None, None), "A2": ("E", "5.5"), "A3": ("T", "3.0")}
    # every index is 100: at 120 % attainment the pool is the cap, 100,000,000 x 20 / 20 x 17 / 100 =
    # 17,000,000 = 17,000 units of 1,000; 17,000 / 3 = 5,666.67 each -> 5,666 x 3 = 16,998, the 2 units
    # left to the first ids of equal remainders
    amounts = [s["amount"] for s in payload["incentive"]["shares"]]
    assert amounts == ["5667000", "5667000", "5666000"]
    assert payload["promotion"] == []


def test_negative_pool_is_an_incentive_problem(tmp_path: Path) -> None:
    data = tmp_path / "pay.yaml"
    data.write_text(PROBLEMS.replace("total_base_pay: 100000000", "total_base_pay: -5"), encoding="utf-8")
    code, echo = run(str(data), "json")
    assert code == 1
    # -5 x min(120 - 100, 20) / 20 x 17 / 100 = -0.85 < 0; located at the company mapping (line 3, col 3)
    assert echo.stderr.splitlines()[2] == (
        f"{data}:3:3: incentive: error [pay-incentive] the incentive pool is negative: pool ="
        " 0 if company_attainment <= 100 else total_base_pay * min(company_attainment - 100, 20) / 20 * 17"
        " / 100 = (-5) * min(120 - 100, 20) / 20 * 17 / 100 = -0.85; check the company's figures"
    )
    assert json.loads(echo.stdout)["incentive"] is None


def test_zone_from_needs_a_table_axis_of_the_zones(tmp_path: Path) -> None:
    # A policy whose merit table has no axis keyed by the zones: the zone found from the salary
    # has no field to go in, unless zone_from.field names it.
    policy = tmp_path / "policy.yaml"
    text = Path(KUMHO).read_text(encoding="utf-8").replace("zones: [E, T, P]", "zones: [low, mid, high]")
    policy.write_text(text.replace("$schema=../schema/", f"$schema={ROOT}/schema/"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run(PAY, policy=str(policy))
    assert str(caught.value) == (
        f"{PAY}:26:12: no axis of table merit_offset (pay.merit.table) has the zones of"
        " pay.ranges.zones (low, mid, high) as its keys, so the zone found from the salary has no"
        " field to go in; name it with zone_from.field"
    )


def test_fields_left_out_take_the_policy_defaults(tmp_path: Path) -> None:
    text = Path(PAY).read_text(encoding="utf-8")
    h102 = text.index("  - id: H102")
    head, tail = text[:h102], text[h102:]
    for line in ("    language_level: intermediate\n", "    hanja_passed: false\n"):
        tail = tail.replace(line, "", 1)
    data = tmp_path / "pay.yaml"
    data.write_text(head + tail, encoding="utf-8")
    code, echo = run(str(data), "json")
    assert code == 0
    totals = {p["employee"]: p["total"] for p in json.loads(echo.stdout)["promotion"]}
    # H102 without the two fields: language_level defaults to 'none' (K2 none: -1 point),
    # hanja_passed to false (0): I I II = 28, 28 - 1 = 27.00.
    assert totals["H102"] == "27.00"


def test_a_pay_run_compiles_each_formula_once_however_many_employees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The example's eight employees, then the same eight 50 times under new ids: the same
    # formulas of the same shapes, so the same compilations (each employee used to compile its
    # merit, incentive, promotion and grade-change formulas again: 21 of 33 s at 4,800 people).
    import yaml

    from engine.pay import formulas as module

    compiled: list[str] = []
    real = module.compile_formula

    def counting(expr: str, scope: Any) -> Any:
        compiled.append(expr)
        return real(expr, scope)

    monkeypatch.setattr(module, "compile_formula", counting)
    example = yaml.safe_load(Path(PAY).read_text(encoding="utf-8"))
    seen = []
    for copies in (1, 50):
        people = [{**e, "id": f"{e['id']}_{n}"} for n in range(copies) for e in example["employees"]]
        path = tmp_path / f"pay_{copies}.yaml"
        text = yaml.safe_dump({**example, "employees": people}, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        compiled.clear()
        code, echo = run(str(path), "json", base_rate="3.0")
        assert code == 0, echo.stderr
        assert len(json.loads(echo.stdout)["merit"]) == 8 * copies
        seen.append(sorted(compiled))
    assert seen[0] == seen[1]
    assert len(seen[0]) < 8 * 4  # fewer than one of each kind per employee of the example
