"""Pay: merit matrix, pay ranges and zones, incentive pool shares, promotion points (kumho, seed 004)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DataError, UsageError
from engine.pay import PromotionInput, allocate, compute_incentive, merit_raise, promotion_points, zone_of
from engine.pay.formulas import PayFormulas
from engine.validate import load_policy

D = Decimal

POLICY: dict[str, Any] = {
    "metadata": {"rounding": {"mode": "half_up", "places": 2}},
    "inputs": {"parameters": {"X": {"type": "decimal"}}},
    "tables": {
        "merit_offset": {
            "rows": {"name": "zone", "keys": ["P", "T", "E"]},
            "columns": {"name": "grade", "keys": ["I", "II", "III", "IV", "V"]},
            "values": {
                "P": {"I": D("1.5"), "II": D("0.5"), "III": D("-0.5"), "IV": D("-1.5"), "V": D("-2.5")},
                "T": {"I": 2, "II": 1, "III": 0, "IV": -1, "V": -2},
                "E": {"I": D("2.5"), "II": D("1.5"), "III": D("0.5"), "IV": D("-0.5"), "V": D("-1.5")},
            },
        },
        "promotion_points": {
            "keys": {"name": "grade", "keys": ["I", "II", "III", "IV", "V"]},
            "values": {"I": 10, "II": 8, "III": 6, "IV": 4, "V": 2},
        },
    },
    "pay": {
        "currency": "KRW",
        "mix": {"base": 90, "variable": 10},
        "ranges": {
            "spread": D("1.8"),
            "spread_tolerance": D("0.1"),
            "zones": ["E", "T", "P"],
            "grades": {"K1": {"lower": 60000000, "upper": 108000000, "zone_bounds": [76000000, 92000000]}},
        },
        "merit": {
            "base_rate": "X",
            "table": "merit_offset",
            "expr": "X + lookup('merit_offset', zone, grade)",
        },
        "incentive": {
            "eligibility": [
                {"id": "no_capital_impairment", "when": "not capital_impaired"},
                {"id": "cash_capacity_3_years", "when": "cash_capacity_years >= 3"},
            ],
            "pool": "min(company_pool, total_base_pay * 17 / 100)",
            "individual": "(vp_performance * 30 + division_performance * 30 + team_performance * 40)"
            " / 100 * coefficient",
            "rounding": {"unit": 1000, "mode": "down", "remainder": "largest_remainder"},
        },
        "promotion": {
            "points_table": "promotion_points",
            "education_deduction": {"max_percent": 2},
            "round": {"mode": "half_up", "places": 2},
            "bonuses": {
                "language": {"expr": "language_points", "max": 1},
                "hanja": {"expr": "1 if hanja_passed else 0"},
            },
        },
    },
}


# --- merit -------------------------------------------------------------------------------------


def test_merit_zone_p_grade_i() -> None:
    # X + offset(P, I) = 3.0 + 1.5 = 4.5
    raise_ = merit_raise(POLICY, {"zone": "P", "grade": "I"}, {"X": D("3.0")})
    assert raise_.value == D("4.5")
    assert raise_.explanation == (
        "merit raise = X + lookup('merit_offset', zone, grade)"
        " = 3.0 + lookup('merit_offset', 'P', 'I') = 4.5",
        "merit_offset[P, I] = 1.5",
    )


def test_merit_explanation_lists_every_cell_read() -> None:
    # X + offset(zone, grade) - offset(zone, 'V') / 10: P/II and P/V are read
    # 3.0 + 0.5 - (-2.5) / 10 = 3.0 + 0.5 + 0.25 = 3.75
    expr = "X + lookup('merit_offset', zone, grade) - lookup('merit_offset', zone, 'V') / 10"
    policy = {**POLICY, "pay": {**POLICY["pay"], "merit": {**POLICY["pay"]["merit"], "expr": expr}}}
    result = merit_raise(policy, {"zone": "P", "grade": "II"}, {"X": D("3.0")})
    assert result.value == D("3.75")
    assert result.explanation[1] == "merit_offset[P, II] = 0.5; merit_offset[P, V] = -2.5"


def test_merit_lower_zone_gets_more() -> None:
    # E/V: 3.0 - 1.5 = 1.5; T/III: 3.0 + 0 = 3.0
    assert merit_raise(POLICY, {"zone": "E", "grade": "V"}, {"X": D("3.0")}).value == D("1.5")
    assert merit_raise(POLICY, {"zone": "T", "grade": "III"}, {"X": D("3.0")}).value == D("3.0")


def test_merit_needs_the_base_rate_and_known_keys() -> None:
    with pytest.raises(UsageError, match=r"^the merit raise needs the run-time parameter X"):
        merit_raise(POLICY, {"zone": "P", "grade": "I"}, {})
    with pytest.raises(DataError, match=r"^zone 'Q' is not a key of table merit_offset \(P, T, E\)$"):
        merit_raise(POLICY, {"zone": "Q", "grade": "I"}, {"X": D("3.0")})


# --- zones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("salary", "zone", "why"),
    [
        (70000000, "E", "60000000 <= 70000000 < 76000000: zone E"),
        (76000000, "T", "76000000 <= 76000000 < 92000000: zone T"),  # a bound starts the upper zone
        (108000000, "P", "92000000 <= 108000000 <= 108000000: zone P"),
        (59999999, None, "59999999 is below the lower bound of grade K1 (60000000 .. 108000000)"),
        (108000001, None, "108000001 is above the upper bound of grade K1 (60000000 .. 108000000)"),
    ],
)
def test_zone_of_salary(salary: int, zone: str | None, why: str) -> None:
    result = zone_of(POLICY, "K1", D(salary))
    assert (result.zone, result.explanation) == (zone, why)


# --- incentive ---------------------------------------------------------------------------------

COMPANY = {
    "capital_impaired": False,
    "cash_capacity_years": 3,
    "company_pool": 10000000,
    "total_base_pay": 100000000,
}


def person(emp: str, team: int, coefficient: str) -> dict[str, Any]:
    return {
        "id": emp,
        "vp_performance": 100,
        "division_performance": 100,
        "team_performance": team,
        "coefficient": D(coefficient),
    }


def test_equal_shares_leftover_units_go_by_employee_id() -> None:
    # pool min(10,000,000, 100,000,000 x 17% = 17,000,000) = 10,000,000 = 10,000 units of 1,000
    # 7 equal values: 10,000 / 7 = 1,428.571... units each -> 1,428 each = 9,996, 4 units left;
    # equal remainders (.571...) -> e01..e04 by id get one more unit
    # 4 x 1,429,000 + 3 x 1,428,000 = 5,716,000 + 4,284,000 = 10,000,000
    staff = [person(f"e0{i}", 100, "1.0") for i in range(7, 0, -1)]  # given in reverse order
    result = compute_incentive(POLICY, COMPANY, staff)
    amounts = {s.employee: s.amount for s in result.shares}
    assert amounts == {
        "e01": D(1429000),
        "e02": D(1429000),
        "e03": D(1429000),
        "e04": D(1429000),
        "e05": D(1428000),
        "e06": D(1428000),
        "e07": D(1428000),
    }
    assert result.total == result.paid_pool == D(10000000)


def test_varied_shares_add_up_to_the_pool_exactly() -> None:
    # individual = (100 x 30 + 100 x 30 + team x 40) / 100 x coefficient
    # e1 team 120 coef 1.2: 108 x 1.2 = 129.6    e2 110 x1.1: 104 x 1.1 = 114.4
    # e3, e4 100 x1.0: 100                        e5 90 x1.0: 96
    # e6 80 x0.9: 92 x 0.9 = 82.8                 e7 70 x0.8: 88 x 0.8 = 70.4     sum 693.2
    # units (of 1,000) = 10,000 x value / 693.2:
    # e1 1869.590  e2 1650.317  e3 1442.585  e4 1442.585  e5 1384.882  e6 1194.460  e7 1015.580
    # floors 1869 + 1650 + 1442 + 1442 + 1384 + 1194 + 1015 = 9,996; 4 units left go to the
    # largest remainders e5 .882, e1 .590, e3 .585, e4 .585 (e7 .580 and e6, e2 get none)
    staff = [
        person("e1", 120, "1.2"),
        person("e2", 110, "1.1"),
        person("e3", 100, "1.0"),
        person("e4", 100, "1.0"),
        person("e5", 90, "1.0"),
        person("e6", 80, "0.9"),
        person("e7", 70, "0.8"),
    ]
    result = compute_incentive(POLICY, COMPANY, staff)
    assert [(s.employee, s.individual, s.amount) for s in result.shares] == [
        ("e1", D("129.6"), D(1870000)),
        ("e2", D("114.4"), D(1650000)),
        ("e3", D(100), D(1443000)),
        ("e4", D(100), D(1443000)),
        ("e5", D(96), D(1385000)),
        ("e6", D("82.8"), D(1194000)),
        ("e7", D("70.4"), D(1015000)),
    ]
    assert sum(s.amount for s in result.shares) == D(10000000)
    assert [s.employee for s in result.shares if s.extra_unit] == ["e1", "e3", "e4", "e5"]


def test_pool_is_capped_at_17_percent_of_base_pay() -> None:
    # min(10,000,000, 50,000,000 x 17 / 100 = 8,500,000) = 8,500,000
    result = compute_incentive(
        POLICY, {**COMPANY, "total_base_pay": 50000000}, [person("a", 100, "1"), person("b", 100, "1")]
    )
    assert result.pool == D(8500000)
    assert [s.amount for s in result.shares] == [D(4250000), D(4250000)]


def test_pool_off_the_unit_is_paid_in_whole_units() -> None:
    # 10,000,500 -> 10,000 units of 1,000 (down) = 10,000,000; 3 equal: 3,333.33 -> 3,333 each + 1 to "a"
    result = compute_incentive(
        POLICY, {**COMPANY, "company_pool": 10000500}, [person(e, 100, "1") for e in "cab"]
    )
    assert result.paid_pool == D(10000000)
    assert [(s.employee, s.amount) for s in result.shares] == [
        ("c", D(3333000)),
        ("a", D(3334000)),
        ("b", D(3333000)),
    ]
    assert "pool paid in units of 1000 (down): 10000000" in result.trace


def test_ineligible_company_pays_nothing() -> None:
    result = compute_incentive(POLICY, {**COMPANY, "capital_impaired": True}, [person("a", 100, "1")])
    assert not result.eligible
    assert result.shares == () and result.paid_pool == D(0)
    assert [(e.id, e.passed, e.reason) for e in result.eligibility] == [
        ("no_capital_impairment", False, "no_capital_impairment fails: not capital_impaired, not True"),
        ("cash_capacity_3_years", True, "cash_capacity_3_years holds: cash_capacity_years >= 3, 3 >= 3"),
    ]


def test_negative_pool_is_rejected() -> None:
    # min(10,000,000, -5 x 17 / 100 = -0.85) = -0.85: a pool below 0 is an error, not "paid 0 of -0"
    with pytest.raises(DataError) as caught:
        compute_incentive(POLICY, {**COMPANY, "total_base_pay": -5}, [person("a", 100, "1")])
    assert str(caught.value) == (
        "the incentive pool is negative: pool = min(company_pool, total_base_pay * 17 / 100)"
        " = min(10000000, (-5) * 17 / 100) = -0.85; check the company's figures"
    )


def test_zero_pool_pays_zero() -> None:
    # min(0, 17,000,000) = 0: nothing to share, every amount 0 (a pool of 0 is not negative)
    result = compute_incentive(POLICY, {**COMPANY, "company_pool": 0}, [person("a", 100, "1")])
    assert (result.paid_pool, [s.amount for s in result.shares]) == (D(0), [D(0)])


def test_allocate_rejects_a_rounding_that_could_exceed_the_pool() -> None:
    with pytest.raises(DataError, match=r"^incentive shares rounded 'half_up' could exceed the pool"):
        allocate(D(1000), [("a", D(1))], D(1), "half_up", "largest_remainder")


# --- promotion points --------------------------------------------------------------------------


def candidate(**fields: Any) -> PromotionInput:
    return PromotionInput(
        "p1",
        {"2023": "I", "2024": "II", "2025": "III"},
        credits=D(0),
        required_credits=D(10),
        fields={"language_points": D(0), "hanja_passed": False, **fields},
    )


def test_promotion_points_with_full_education_deduction() -> None:
    # I + II + III = 10 + 8 + 6 = 24; no credits of 10 required: 2% x 10 / 10 = 2%
    # 24 - 24 x 2% = 24 - 0.48 = 23.52 (half_up to 2 places: 23.52)
    result = promotion_points(POLICY, candidate())
    assert (result.grade_points, result.deduction_percent, result.deduction, result.total) == (
        D(24),
        D(2),
        D("0.48"),
        D("23.52"),
    )
    assert result.trace[0] == "grade points = I (2023) 10 + II (2024) 8 + III (2025) 6 = 24"


def test_promotion_half_the_credits_and_bonuses() -> None:
    # 5 of 10 credits: 2% x 5 / 10 = 1%; 24 - 0.24 = 23.76
    # language 1.5 limited to max 1; hanja passed 1 -> 23.76 + 1 + 1 = 25.76
    person_ = PromotionInput(
        "p1",
        {"2023": "I", "2024": "II", "2025": "III"},
        credits=D(5),
        required_credits=D(10),
        fields={"language_points": D("1.5"), "hanja_passed": True},
    )
    result = promotion_points(POLICY, person_)
    assert result.deduction_percent == D(1)
    assert result.bonuses == {"language": D(1), "hanja": D(1)}
    assert result.total == D("25.76")


def test_promotion_credits_beyond_the_requirement_deduct_nothing() -> None:
    # 30 earned of 12 required: 2% x max(12 - 30, 0) / 12 = 2% x 0 / 12 = 0%; 24 + 0 + 0 = 24.00
    history = {"2023": "I", "2024": "II", "2025": "III"}
    person_ = PromotionInput("p1", history, D(30), D(12), candidate().fields)
    result = promotion_points(POLICY, person_)
    assert result.trace[1] == "education deduction = 2% x max(12 - 30, 0) / 12 = 0%"
    assert (result.deduction, result.total) == (D(0), D("24.00"))


def test_promotion_grade_outside_the_table() -> None:
    with pytest.raises(DataError, match=r"^p1: grade 'VI' of 2024 is not a key of table promotion_points$"):
        promotion_points(POLICY, PromotionInput("p1", {"2024": "VI"}))


# --- the kumho policy file ---------------------------------------------------------------------


POLICIES = Path(__file__).resolve().parent.parent / "policies"


def kumho() -> dict[str, Any]:
    """The shipped policy through the real loader and every validation (it must be valid)."""
    return load_policy(str(POLICIES / "kumho_like.yaml")).data


def test_kumho_merit_blends_performance_and_competency_offsets() -> None:
    # K1 weighs performance 70 %: X + (offset(P, I) x 70 + offset(P, III) x 30) / 100
    # = 3.0 + (1.5 x 70 + (-0.5) x 30) / 100 = 3.0 + (105 - 15) / 100 = 3.0 + 0.9 = 3.9
    policy = kumho()
    employee = {"zone": "P", "performance_grade": "I", "competency_grade": "III", "role_grade": "K1"}
    result = merit_raise(policy, employee, {"X": D("3.0")})
    assert result.value == D("3.9")
    # every cell the formula read, in the order read (the share is read twice, listed once)
    assert result.explanation[1] == (
        "merit_offset[P, I] = 1.5; raise_performance_share[K1] = 70; merit_offset[P, III] = -0.5"
    )
    # both grades I: 3.0 + 1.5 = 4.5 whatever the share
    assert merit_raise(policy, {**employee, "competency_grade": "I"}, {"X": D("3.0")}).value == D("4.5")


def test_kumho_incentive_and_promotion() -> None:
    policy = kumho()
    company = {
        "capital_impaired": False,
        "cash_payment_capacity_3y": True,
        "company_attainment": 110,
        "total_base_pay": 200000000,
    }
    staff = [
        {**person(f"e0{i}", 100, "1.0"), "has_team_kpi": True, "team_leader_result": 0} for i in range(1, 8)
    ]
    # pool at 110 % attainment: 200,000,000 x min(10, 20) / 20 x 17 / 100 = 17,000,000 = 17,000 units;
    # the coefficient is left out: the policy's default 1.0 applies. 7 equal indices: 17,000 / 7 =
    # 2,428.57 -> 2,428 x 7 = 16,996, the 4 units left to the first ids: 4 x 2,429,000 + 3 x 2,428,000.
    result = compute_incentive(policy, company, staff)
    assert [s.amount for s in result.shares] == [D(2429000)] * 4 + [D(2428000)] * 3
    assert result.total == D(17000000)
    # 24 - 2 % = 23.52 (metadata.rounding half_up 2 places); K4 with no language score 0,
    # hanja not attained 0
    fields = {"role_grade": "K4", "language_level": "none", "hanja_passed": False}
    points = promotion_points(
        policy, PromotionInput("p1", {"2023": "I", "2024": "II", "2025": "III"}, D(0), D(10), fields)
    )
    assert points.total == D("23.52")


@pytest.mark.parametrize(
    ("grade", "level", "hanja", "bonuses", "total"),
    [
        # 24 - 0.24 (1 % for 5 of 10 credits) = 23.76; K1 basic -0.5, hanja +1: 23.76 + 0.5 = 24.26
        ("K1", "basic", True, {"language": D("-0.5"), "hanja": D(1), "kumho_mba": D(0)}, D("24.26")),
        # K2 none -1, no hanja: 23.76 - 1 = 22.76
        ("K2", "none", False, {"language": D(-1), "hanja": D(0), "kumho_mba": D(0)}, D("22.76")),
        # K3 intermediate +0.5, hanja +1: 23.76 + 1.5 = 25.26
        ("K3", "intermediate", True, {"language": D("0.5"), "hanja": D(1), "kumho_mba": D(0)}, D("25.26")),
        # K4 advanced +1: 23.76 + 1 = 24.76 (no Kumho MBA: 0 in every case)
        ("K4", "advanced", False, {"language": D(1), "hanja": D(0), "kumho_mba": D(0)}, D("24.76")),
    ],
)
def test_kumho_language_and_hanja_bonuses(
    grade: str, level: str, hanja: bool, bonuses: dict[str, Decimal], total: Decimal
) -> None:
    fields = {"role_grade": grade, "language_level": level, "hanja_passed": hanja}
    result = promotion_points(
        kumho(), PromotionInput("p1", {"2023": "I", "2024": "II", "2025": "III"}, D(5), D(10), fields)
    )
    assert (result.bonuses, result.total) == (bonuses, total)


def test_one_run_explains_each_merit_raise_with_its_own_cells() -> None:
    # One PayFormulas for the run: the formula is compiled once, and each employee's explanation
    # lists only the cells its own evaluation read (3.0 + (1.5 x 70 + (-0.5) x 30) / 100 = 3.9;
    # T/II, T/II: 3.0 + 1 = 4.0, the share read but both offsets the same cell).
    policy = kumho()
    formulas = PayFormulas(policy)
    first = {"zone": "P", "performance_grade": "I", "competency_grade": "III", "role_grade": "K1"}
    second = {"zone": "T", "performance_grade": "II", "competency_grade": "II", "role_grade": "K1"}
    one = merit_raise(policy, first, {"X": D("3.0")}, formulas)
    two = merit_raise(policy, second, {"X": D("3.0")}, formulas)
    assert (one.value, two.value) == (D("3.9"), D("4.0"))
    assert one.explanation[1] == (
        "merit_offset[P, I] = 1.5; raise_performance_share[K1] = 70; merit_offset[P, III] = -0.5"
    )
    assert two.explanation[1] == "merit_offset[T, II] = 1; raise_performance_share[K1] = 70"

