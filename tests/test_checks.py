"""Checks of meaning: golden cases (one mistake each) and the arithmetic behind them."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import case_folder

from engine.checks import check_policy
from engine.checks.context import CheckContext
from engine.checks.grades import Interval, describe_gap, fixing_places, quantum_of, value_in
from engine.checks.weights import check_whole
from engine.errors import Diagnostic
from engine.formula import check_formula, formula_scope
from engine.loader import load_yaml_file
from engine.location import SourceMap
from engine.rounding import num

CASES = Path(__file__).resolve().parent / "cases"
MINIMAL = CASES / "valid" / "minimal"
#: Golden folders of the checks of meaning (the loader and schema own yaml-* and schema-*).
OWN = sorted(
    p
    for p in (CASES / "invalid").iterdir()
    if (p / "expected.txt").exists() and not p.name.startswith(("yaml-", "schema-", "policy-"))
)


def render(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        lines.append(f"{d.location}: {d.severity.value} [{d.rule}] {d.message}")
        if d.suggestion:
            lines.append(f"  suggestion: {d.suggestion}")
    return "".join(line + "\n" for line in lines)


def run_case(folder: Path, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> str:
    # The display name is the bare file name, as `hrpolicy validate policy.yaml` run in the
    # folder shows it; the quote detection of formula columns reads the file by that name.
    monkeypatch.chdir(case_folder(folder, tmp))
    doc = load_yaml_file("policy.yaml", display="policy.yaml")
    assert doc.diagnostics == []
    return render(check_policy(doc.data, doc.source))


@pytest.mark.parametrize("case", OWN, ids=[p.name for p in OWN])
def test_golden_case_reports_exactly_the_expected_diagnostics(
    case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run_case(case, monkeypatch, tmp_path) == (case / "expected.txt").read_text(encoding="utf-8")
    assert f"[{case.name}]" in (case / "expected.txt").read_text(encoding="utf-8")


def test_minimal_policy_passes_every_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run_case(MINIMAL, monkeypatch, tmp_path) == ""


# --- helpers over the minimal policy, changed in memory -------------------------------------


@pytest.fixture(scope="module")
def minimal_doc() -> tuple[dict[str, Any], SourceMap]:
    doc = load_yaml_file(MINIMAL / "policy.yaml", display="policy.yaml")
    return doc.data, doc.source


def problems(doc: tuple[dict[str, Any], SourceMap], change: Any) -> list[tuple[str, str, str | None]]:
    data = copy.deepcopy(doc[0])
    change(data)
    return [(d.rule, d.message, d.suggestion) for d in check_policy(data, doc[1])]


# --- exact sums ----------------------------------------------------------------------------


def whole(values: list[Any]) -> list[tuple[str, str, str | None]]:
    ctx = CheckContext({}, SourceMap("policy.yaml"))
    check_whole(ctx, ("periods",), values, "weights of the periods")
    return [(d.rule, d.message, d.suggestion) for d in ctx.diagnostics]


def test_exact_thirds_add_up_to_100() -> None:
    # 33.3 + 33.3 + 33.4 = 100.0 exactly in Decimal (in float it is 99.99999999999999).
    assert whole([Decimal("33.3"), Decimal("33.3"), Decimal("33.4")]) == []


def test_three_times_33_3_is_99_9_not_100() -> None:
    # 33.3 * 3 = 99.9; 100 - 99.9 = 0.1 is missing. No tolerance.
    assert whole([Decimal("33.3")] * 3) == [
        ("weight-sum", "weights of the periods add up to 99.9, not 100", "add 0.1 to one of them")
    ]


def test_a_whole_over_100_says_how_much_to_take_off() -> None:
    # 60 + 50 = 110 -> 10 too many.
    assert whole([60, 50]) == [
        ("weight-sum", "weights of the periods add up to 110, not 100", "take 10 off one of them")
    ]


def test_num_prints_numbers_as_written() -> None:
    assert [num(Decimal("100.0")), num(Decimal("99.90")), num(Decimal("1E+2")), num(7)] == [
        "100",
        "99.9",
        "100",
        "7",
    ]


def test_pay_mix_and_panel_weights_are_wholes(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["pay"]["mix"] = {"base": 90, "variable": 9}  # 99
        data["job_evaluation"]["panels"]["team_member"]["groups"][1]["weight"] = 80  # 10 + 80 = 90

    assert problems(minimal_doc, change) == [
        ("weight-sum", "group weights of panel 'team_member' add up to 90, not 100", "add 10 to one of them"),
        ("weight-sum", "shares of the pay mix add up to 99, not 100", "add 1 to one of them"),
    ]


def test_weight_band_minimum_too_high_for_the_fewest_lines(minimal_doc: Any) -> None:
    # min 40 on at least 3 lines = 120 > 100; 100 / 3 = 33.333.. -> at most 33.33 (floor).
    def change(data: dict[str, Any]) -> None:
        data["indicator_rules"]["weight"] = {"min": 40, "max": 50, "total": 100}

    assert problems(minimal_doc, change) == [
        (
            "weight-band-infeasible",
            "weights of at least 40 on at least 3 indicators already make 120, "
            "so the sheet can never add up to 100",
            "lower weight.min to at most 33.33 or require fewer indicators",
        )
    ]


# --- counts --------------------------------------------------------------------------------


def test_exact_count_outside_its_own_bounds(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["indicator_rules"]["count"] = {"min": 3, "max": 6, "exact": 7}

    assert problems(minimal_doc, change) == [
        (
            "count-bounds",
            "the indicator count has exact 7 outside its own min 3 .. max 6",
            "give either exact or min and max",
        )
    ]


def test_category_minimums_above_the_total_maximum(minimal_doc: Any) -> None:
    # performance min 2 + process min 1 = 3 > total max 2 (total min 1 keeps count-bounds quiet).
    def change(data: dict[str, Any]) -> None:
        data["indicator_rules"]["count"] = {"min": 1, "max": 2}
        data["indicator_rules"]["weight"] = {"min": 10, "max": 100, "total": 100}

    assert problems(minimal_doc, change) == [
        (
            "count-category-total",
            "the category minimums add up to 3 indicators, more than the total maximum 2",
            "lower a category's min or raise the total max",
        )
    ]


# --- gap arithmetic ------------------------------------------------------------------------

OPEN_79_80 = Interval(Decimal(79), False, Decimal(80), False)


def test_open_gap_79_80_holds_no_whole_number() -> None:
    # Rounded to 0 places the values are ..., 79, 80, ...: nothing strictly between.
    assert value_in(OPEN_79_80, quantum_of(0)) is None


def test_open_gap_79_80_is_a_gap_at_one_place() -> None:
    # Rounded to 1 place: 79.1 .. 79.9 (79.5 among them) lie inside; the first is 79.1.
    assert value_in(OPEN_79_80, quantum_of(1)) == Decimal("79.1")
    assert value_in(Interval(Decimal("79.4"), False, Decimal(80), False), quantum_of(1)) == Decimal("79.5")


def test_any_gap_is_a_gap_without_rounding() -> None:
    assert value_in(OPEN_79_80, None) == Decimal("79.5")


def test_gap_ends_inclusive_or_not() -> None:
    # (79, 80]: 80 itself is in the gap and is a whole number.
    assert value_in(Interval(Decimal(79), False, Decimal(80), True), quantum_of(0)) == 80
    # A single point {80} excluded by both bands: a gap at 0 places, none at -1 places? 80 is a
    # multiple of 10 too, so still a gap; the point 85 is not a multiple of 10.
    point = Interval(Decimal(80), True, Decimal(80), True)
    assert value_in(point, quantum_of(-1)) == 80
    assert value_in(Interval(Decimal(85), True, Decimal(85), True), quantum_of(-1)) is None
    # (75, 80) at tens: multiples of 10 are 70, 80; none strictly inside.
    assert value_in(Interval(Decimal(75), False, Decimal(80), False), quantum_of(-1)) is None


def test_fixing_places_is_the_finest_rounding_that_closes_the_gap() -> None:
    assert fixing_places(OPEN_79_80) == 0
    # (79.5, 80): 79.6 at 1 place lies inside; at 0 places nothing does.
    assert fixing_places(Interval(Decimal("79.5"), False, Decimal(80), False)) == 0
    # (79.95, 80): at 2 places 79.96 lies inside; at 1 place nothing (79.9 < 79.95 < 80).
    assert fixing_places(Interval(Decimal("79.95"), False, Decimal(80), False)) == 1


def test_describe_gap_texts() -> None:
    assert describe_gap(OPEN_79_80) == "values above 79 and below 80"
    assert describe_gap(Interval(Decimal(0), True, Decimal(50), False)) == "values at least 0 and below 50"
    assert describe_gap(Interval(Decimal(80), True, Decimal(80), True)) == "the value 80"


def _manager_bands(data: dict[str, Any]) -> list[dict[str, Any]]:
    bands: list[dict[str, Any]] = data["grade_tables"]["rating"]["segments"]["manager"]["bands"]
    return bands


def test_gap_at_one_place_is_reported_with_79_5_inside(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["grade_tables"]["rating"]["round"] = {"mode": "half_up", "places": 1}

    found = problems(minimal_doc, change)
    assert found == [
        (
            "grade-gap",
            "values above 79 and below 80 fall in no band of grade table 'rating' segment 'manager'",
            "make band 'D' end where band 'C' starts",
        ),
        (
            "grade-gap",
            "values above 74 and below 75 fall in no band of grade table 'rating' segment 'general'",
            "make band 'D' end where band 'C' starts",
        ),
    ]


def test_range_below_the_lowest_band_is_a_gap(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        _manager_bands(data)[-1] = {"grade": "D", "min": 50, "max": 79, "max_inclusive": True}

    assert problems(minimal_doc, change) == [
        (
            "grade-gap",
            "values at least 0 and below 50 fall in no band of grade table 'rating' segment 'manager'",
            "make band 'D' reach down to the range's min or add a band below it",
        )
    ]


def test_top_band_with_a_max_leaves_the_unbounded_range_open(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        _manager_bands(data)[0] = {"grade": "S", "min": 110, "max": 150}

    assert problems(minimal_doc, change) == [
        (
            "grade-gap",
            "values at least 150 fall in no band of grade table 'rating' segment 'manager'",
            "leave out the max of band 'S' or add a band above it",
        )
    ]


def test_shared_boundary_included_by_both_bands_overlaps(minimal_doc: Any) -> None:
    # C = [80, 90] with max_inclusive and B = [90, 100): 90 is in both.
    def change(data: dict[str, Any]) -> None:
        _manager_bands(data)[3] = {"grade": "C", "min": 80, "max": 90, "max_inclusive": True}

    assert problems(minimal_doc, change) == [
        (
            "grade-overlap",
            "bands 'B' and 'C' of grade table 'rating' segment 'manager' overlap: the value 90 falls in both",
            "make band 'C' end where band 'B' starts",
        )
    ]


def test_empty_band_is_out_of_order(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        _manager_bands(data)[1] = {"grade": "A", "min": 110, "max": 100}

    assert problems(minimal_doc, change) == [
        (
            "grade-order",
            "band 'A' of grade table 'rating' segment 'manager' is empty: "
            "its min 110 is not below its max 100",
            "give the band a min below its max",
        )
    ]


def test_job_grade_bands_use_the_same_checker(minimal_doc: Any) -> None:
    # J2 ends at 170, J1 starts at 180: 170..179 fall in no band even rounded to 0 places.
    def change(data: dict[str, Any]) -> None:
        data["job_evaluation"]["grade_bands"]["bands"][1]["max"] = 170

    assert problems(minimal_doc, change) == [
        (
            "grade-gap",
            "values at least 170 and below 180 fall in no band of the job grade bands",
            "make band 'J2' end where band 'J1' starts",
        )
    ]


def test_catch_all_chain_must_be_last(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        chains = data["evaluator_chains"]
        data["evaluator_chains"] = {"staff": chains["staff"], "manager": chains["manager"]}

    assert problems(minimal_doc, change) == [
        (
            "segment-when",
            "evaluator chain 'staff' of evaluator_chains has no `when` and catches everyone, so 'manager' "
            "after it can never apply",
            "move evaluator chain 'staff' last",
        )
    ]


# --- references ----------------------------------------------------------------------------


def test_references_with_did_you_mean(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["periods"]["blend"] = "scor"
        data["confirmations"]["s_needs_second"]["requires"]["stage"] = "third"
        data["distributions"]["overall"]["group_by"] = ["org", "role"]
        data["distributions"]["overall"]["quotas"] = {"S": 10, "A": 20, "B": 40, "C": 20, "E": 10}

    assert problems(minimal_doc, change) == [
        (
            "ref-unknown",
            "unknown employee field 'role' in distributions.overall.group_by[1]",
            "known employee fields: coefficient, dedicated, id, org, role_grade, segment, unit",
        ),
        (
            "ref-unknown",
            "unknown grade 'E' in distributions.overall.quotas.E: not a level of scale 'five'",
            "known levels of scale 'five': A, B, C, D, S",
        ),
        (
            "ref-unknown",
            "unknown group_by field 'role_grade' in distributions.overall.merge.keep[0]",
            "known group_by fields: org, role",
        ),
        ("ref-unknown", "unknown employee formula 'scor' in periods.blend", "did you mean 'score'?"),
        (
            "ref-unknown",
            "unknown evaluator stage 'third' in confirmations.s_needs_second.requires.stage",
            "known stages: first, second",
        ),
    ]


def test_categories_must_match_the_category_field(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["inputs"]["indicator"]["category"]["values"] = ["performance", "growth"]

    assert problems(minimal_doc, change) == [
        (
            "ref-unknown",
            "category 'growth' of indicator field 'category' is not declared in indicator_rules.categories",
            "declare the category or remove it from the field's values",
        ),
        (
            "ref-unknown",
            "category 'process' is not one of the values of indicator field 'category'",
            "known values of 'category': growth, performance",
        ),
    ]


# --- formulas ------------------------------------------------------------------------------


def test_self_reference_is_a_cycle(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["formulas"]["indicator"]["weighted"]["expr"] = "weighted * 2"

    assert problems(minimal_doc, change) == [
        (
            "formula-cycle",
            "formulas form a cycle: weighted -> weighted",
            "one formula of the cycle must compute its value without the next",
        )
    ]


def test_scopes_follow_the_levels(minimal_doc: Any) -> None:
    data = minimal_doc[0]
    indicator, employee = formula_scope(data, "indicator"), formula_scope(data, "employee")
    # An indicator formula cannot read an employee formula; an employee formula reads
    # indicator values only as columns.
    assert [p.rule for p in check_formula("score + 1", indicator)] == ["formula-unknown-name"]
    assert check_formula("sum(weighted) + X", employee) == []
    confirmation = formula_scope(data, "indicator_condition")
    assert [p.rule for p in check_formula("segment == 'manager'", confirmation)] == ["formula-unknown-name"]
    assert check_formula("in_favour * 2 > present - recused", formula_scope(data, "meeting")) == []


def test_policy_functions_read_the_policy_tables(minimal_doc: Any) -> None:
    functions = formula_scope(minimal_doc[0], "merit").functions
    # merit P/S = 1.5; five S = 100 points.
    assert functions["lookup"].impl("merit", "P", "S") == Decimal("1.5")
    assert functions["points"].impl("five", "S") == Decimal(100)


def test_unknown_table_in_lookup_is_reported(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["pay"]["merit"]["expr"] = "X + lookup('merrit', zone, grade)"

    found = problems(minimal_doc, change)
    assert [rule for rule, _, _ in found] == ["formula-unknown-ref"]


# --- pay -----------------------------------------------------------------------------------


def test_spread_is_checked_exactly(minimal_doc: Any) -> None:
    # lower 50,000,000 x 1.7 = 85,000,000 is the least upper allowed: exactly on it passes,
    # one won below fails.
    def on_edge(data: dict[str, Any]) -> None:
        data["pay"]["ranges"]["grades"]["K2"]["upper"] = 85000000
        data["pay"]["ranges"]["grades"]["K2"]["zone_bounds"] = [60000000, 70000000]

    def below(data: dict[str, Any]) -> None:
        on_edge(data)
        data["pay"]["ranges"]["grades"]["K2"]["upper"] = 84999999

    assert problems(minimal_doc, on_edge) == []
    assert problems(minimal_doc, below) == [
        (
            "pay-range-spread",
            "pay range 'K2' has upper / lower = 84999999 / 50000000 = 1.69999998, "
            "outside the spread 1.8 +- 0.1",
            "set upper between 85000000 and 95000000",
        )
    ]


def test_zone_bounds_count_and_inside(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["pay"]["ranges"]["grades"]["K1"]["zone_bounds"] = [76000000]
        data["pay"]["ranges"]["grades"]["K2"]["zone_bounds"] = [50000000, 77000000]

    assert problems(minimal_doc, change) == [
        (
            "pay-zone-bounds",
            "pay range 'K1' has 1 zone bounds, but 3 zones need 2",
            "give one bound between each pair of neighbouring zones",
        ),
        (
            "pay-zone-bounds",
            "zone bound 50000000 of pay range 'K2' is not strictly between lower 50000000 and upper 90000000",
            "move it inside the range",
        ),
    ]


def test_owner_notes_are_ignored(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["tables"]["promotion_points"]["values"]["x-note"] = "assumption"
        data["distributions"]["overall"]["quotas"]["x-why"] = "affiliate ratios"

    assert problems(minimal_doc, change) == []


def test_share_rounding_that_could_exceed_the_pool(minimal_doc: Any) -> None:
    def rounding(mode: str) -> Any:
        def change(data: dict[str, Any]) -> None:
            data["pay"]["incentive"]["rounding"]["mode"] = mode

        return change

    # half_up rounds 0.5 of a unit up for everyone: 2 shares of 1.5 units would pay 4 of a pool of 3
    assert problems(minimal_doc, rounding("half_up")) == [
        (
            "pay-incentive-rounding",
            "incentive shares rounded 'half_up' could add up to more than the pool",
            "use mode: down or floor",
        )
    ]
    assert problems(minimal_doc, rounding("floor")) == []


def test_merit_formula_reads_the_axes_of_its_table(minimal_doc: Any) -> None:
    # The names come from pay.merit.table's axes, not from a fixed list of "zone" and "grade".
    def renamed(data: dict[str, Any]) -> None:
        data["tables"]["merit"]["rows"]["name"] = "band"
        data["tables"]["merit"]["columns"]["name"] = "level"
        data["pay"]["merit"]["expr"] = "X + lookup('merit', band, level)"

    def reads_zone(data: dict[str, Any]) -> None:
        renamed(data)
        data["pay"]["merit"]["expr"] = "X + lookup('merit', zone, level)"

    assert problems(minimal_doc, renamed) == []
    found = problems(minimal_doc, reads_zone)
    assert [(rule, message) for rule, message, _ in found] == [
        ("formula-unknown-name", "unknown name 'zone'"),
    ]


def test_meeting_scope_has_every_count_the_committee_reads(minimal_doc: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["committees"]["job_committee"]["opens_when"] = (
            "present * 2 > registered and external_registered >= 1"
        )

    assert problems(minimal_doc, change) == []


def test_org_is_not_a_record_field_unless_declared(minimal_doc: Any) -> None:
    # docs/records.md: only id (and name) come with every record; org must be declared.
    def change(data: dict[str, Any]) -> None:
        del data["inputs"]["employee"]["org"]

    assert problems(minimal_doc, change) == [
        (
            "ref-unknown",
            "unknown employee field 'org' in distributions.overall.group_by[0]",
            "known employee fields: coefficient, dedicated, id, role_grade, segment, unit",
        )
    ]


def test_promotion_bonus_formulas_are_checked(minimal_doc: Any) -> None:
    data = copy.deepcopy(minimal_doc[0])
    data["pay"]["promotion"]["bonuses"] = {"language": {"expr": "1 if dedicatd else 0", "max": 2}}
    found = [(d.rule, d.message, d.suggestion, d.location.path) for d in check_policy(data, minimal_doc[1])]
    assert found == [
        (
            "formula-unknown-name",
            "unknown name 'dedicatd'",
            "did you mean 'dedicated'?",
            "$.pay.promotion.bonuses.language.expr",
        )
    ]
