"""Forced distribution: quota seats, ranking, ties, merging small groups, calibration."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import engine.distribution.compact as compact
import engine.distribution.ranking as ranking
from engine.distribution import (
    Candidate,
    allocate_quotas,
    calibrate,
    compile_distribution,
    distribute,
    distribution_from_policy,
    org_tree,
)
from engine.distribution.model import TieNote
from engine.errors import DataError, PolicyInvalid

CODES = ("I", "II", "III", "IV", "V")
QUOTAS = {"I": Decimal(10), "II": Decimal(20), "III": Decimal(40), "IV": Decimal(20), "V": Decimal(10)}


def spec(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "scale": "i_to_v",
        "score": "performance_score",
        "group_by": ["org", "role_grade"],
        "quotas": {"I": 10, "II": 20, "III": 40, "IV": 20, "V": 10},
        "quota_rounding": "largest_remainder",
        "remainder_ties": "better_grade",
        "min_group_size": 5,
        "merge": {"parent_field": "parent_org", "keep": ["role_grade"]},
        "ties": [{"field": "competency_score", "order": "descending"}, {"field": "id", "order": "ascending"}],
    }
    base.update(over)
    return base


def person(pid: str, score: str, org: str = "sales", grade: str = "K3", comp: str = "50") -> Candidate:
    fields = {"org": org, "role_grade": grade, "competency_score": Decimal(comp)}
    return Candidate(pid, Decimal(score), fields)


# --- quota seats -----------------------------------------------------------------------------


def test_largest_remainder_group_of_17() -> None:
    # 17 x (10, 20, 40, 20, 10) % = 1.7, 3.4, 6.8, 3.4, 1.7 -> floors 1, 3, 6, 3, 1 = 14, 3 seats left.
    # Remainders .7 .4 .8 .4 .7: III (.8) first, then I and V (.7 each) take the other two;
    # II and IV (.4) get none. I=2, II=3, III=7, IV=3, V=2 (sum 17).
    seats = allocate_quotas(17, QUOTAS, CODES, "largest_remainder", "better_grade")
    assert seats == {"I": 2, "II": 3, "III": 7, "IV": 3, "V": 2}
    assert list(seats) == list(CODES)


@pytest.mark.parametrize(
    ("ties", "expected"),
    [
        # 15 x quotas = 1.5, 3, 6, 3, 1.5 -> floors 1+3+6+3+1 = 14, one seat left for two equal
        # remainders .5 (I) and .5 (V): the policy's tie rule decides who gets it.
        ("better_grade", {"I": 2, "II": 3, "III": 6, "IV": 3, "V": 1}),
        ("worse_grade", {"I": 1, "II": 3, "III": 6, "IV": 3, "V": 2}),
    ],
)
def test_equal_remainders_follow_the_tie_rule(ties: str, expected: dict[str, int]) -> None:
    assert allocate_quotas(15, QUOTAS, CODES, "largest_remainder", ties) == expected


def test_top_down_fills_the_bottom() -> None:
    # Floors best first: I 1.7->1, II 3.4->3, III 6.8->6, IV 3.4->3 (13); V takes 17-13 = 4.
    assert allocate_quotas(17, QUOTAS, CODES, "top_down", "better_grade") == {
        "I": 1,
        "II": 3,
        "III": 6,
        "IV": 3,
        "V": 4,
    }


def test_fractional_quotas_are_exact() -> None:
    # 33.3 + 33.3 + 33.4 = 100. 3 x 33.3 % = 0.999 -> floor 0 (A, B); 3 x 33.4 % = 1.002 -> 1 (C).
    # Two seats left for remainders .999 (A), .999 (B), .002 (C): A and B -> A=1, B=1, C=1.
    # (In float, 3 * 33.3 / 100 is 0.9989999999999999: exact Decimal keeps the arithmetic true.)
    quotas = {"A": Decimal("33.3"), "B": Decimal("33.3"), "C": Decimal("33.4")}
    assert allocate_quotas(3, quotas, ("A", "B", "C"), "largest_remainder", "worse_grade") == {
        "A": 1,
        "B": 1,
        "C": 1,
    }


def test_zero_quota_grade_gets_no_seat() -> None:
    # 4 x (50, 50, 0) % = 2, 2, 0: no remainder at all.
    quotas = {"S": Decimal(50), "A": Decimal(50), "B": Decimal(0)}
    assert allocate_quotas(4, quotas, ("S", "A", "B"), "largest_remainder", "worse_grade") == {
        "S": 2,
        "A": 2,
        "B": 0,
    }
    # top_down: S 2, A fills the bottom as the worst grade with a positive quota; B stays 0.
    assert allocate_quotas(5, quotas, ("S", "A", "B"), "top_down", "better_grade") == {"S": 2, "A": 3, "B": 0}


# --- ranking and grades ----------------------------------------------------------------------


def seventeen() -> list[Candidate]:
    # e01 best (score 100) ... e17 worst (score 84): scores 101 - n.
    return [person(f"e{n:02d}", str(101 - n)) for n in range(1, 18)]


def test_group_of_17_graded_by_rank() -> None:
    rule = compile_distribution(spec(), CODES)
    result = distribute(rule, seventeen(), {"sales": None})
    (group,) = result.groups
    assert group.key == (("org", "sales"), ("role_grade", "K3"))
    assert group.quota == {"I": 2, "II": 3, "III": 7, "IV": 3, "V": 2}
    # ranks 1-2 I, 3-5 II, 6-12 III, 13-15 IV, 16-17 V
    assert group.grades == ("I",) * 2 + ("II",) * 3 + ("III",) * 7 + ("IV",) * 3 + ("V",) * 2
    assert group.members[0] == "e01" and group.members[-1] == "e17"
    assert result.grade_of("e05") == "II" and result.grade_of("e06") == "III"
    outcome = result.outcome("e03")
    assert outcome is not None and outcome.rank == 3
    assert outcome.reason == (
        "rank 3 of 17 in group (org=sales, role_grade=K3): quota I=2, II=3, III=7, IV=3, V=2 seats "
        "(largest_remainder); ranks 3-5 get II"
    )
    assert not group.merged and not result.problems


class _Tracked(Candidate):
    """A candidate that can be watched (weakly) for when it is let go."""


def test_candidates_read_from_an_iterator_are_let_go_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The group of 17 from a generator, packed 4 at a time: the same grades, ranks and reason
    as from the list (test_group_of_17_graded_by_rank), and when the 13th person is read, the
    first 12 (three chunks packed) are gone."""
    monkeypatch.setattr(ranking, "CHUNK", 4)
    monkeypatch.setattr(compact, "CHUNK", 4)
    gone: list[str] = []
    alive_when_read: list[int] = []

    def people() -> Iterator[Candidate]:
        for n, candidate in enumerate(seventeen()):
            alive_when_read.append(n - len(gone))
            tracked = _Tracked(candidate.id, candidate.score, candidate.fields)
            weakref.finalize(tracked, gone.append, tracked.id)
            del candidate
            yield tracked
            del tracked

    rule = compile_distribution(spec(), CODES)
    result = distribute(rule, people(), {"sales": None})
    # read before the 1st..17th: none alive but the chunk being read (0-3 of it)
    assert alive_when_read == [0, 1, 2, 3] * 4 + [0]
    assert sorted(gone) == [f"e{n:02d}" for n in range(1, 18)]
    (group,) = result.groups
    assert group.quota == {"I": 2, "II": 3, "III": 7, "IV": 3, "V": 2}
    assert group.members == tuple(f"e{n:02d}" for n in range(1, 18))
    assert group.grades == ("I",) * 2 + ("II",) * 3 + ("III",) * 7 + ("IV",) * 3 + ("V",) * 2
    outcome = result.outcome("e03")
    assert outcome is not None and outcome.reason == (
        "rank 3 of 17 in group (org=sales, role_grade=K3): quota I=2, II=3, III=7, IV=3, V=2 seats "
        "(largest_remainder); ranks 3-5 get II"
    )
    assert group.counts() == dict(group.quota)


def test_ascending_order_ranks_low_scores_first() -> None:
    # order ascending: the lowest value is best (e.g. a rank position); 5 people, quotas
    # 40/60 -> 2 and 3 seats.
    rule = compile_distribution(spec(order="ascending", quotas={"I": 40, "II": 60}, min_group_size=1), CODES)
    people = [person(p, s) for p, s in [("a", "3"), ("b", "1"), ("c", "5"), ("d", "2"), ("e", "4")]]
    group = distribute(rule, people).groups[0]
    assert group.members == ("b", "d", "a", "e", "c")
    assert group.grades == ("I", "I", "II", "II", "II")


def test_score_ties_broken_by_declared_keys_then_id() -> None:
    # All score 80: competency descending decides (70 > 60 > 50), then id ascending for the
    # two with 50 (c1 before c2), then the strictly worse score 79.
    people = [
        person("c2", "80", comp="50"),
        person("c1", "80", comp="50"),
        person("b", "80", comp="60"),
        person("a", "80", comp="70"),
        person("z", "79", comp="99"),
    ]
    rule = compile_distribution(spec(quotas={"I": 20, "II": 40, "III": 40}), CODES)
    group = distribute(rule, people, {"sales": None}).groups[0]
    # 5 x (20, 40, 40) % = 1, 2, 2 seats: a -> I; b, c1 -> II; c2, z -> III
    assert group.members == ("a", "b", "c1", "c2", "z")
    assert group.grades == ("I", "II", "II", "III", "III")
    # c1 and c2 are equal on score and competency and straddle the II/III boundary.
    (tie,) = group.ties
    assert tie.members == ("c1", "c2") and (tie.upper, tie.lower) == ("II", "III")
    outcome = distribute(rule, people, {"sales": None}).outcome("c2")
    assert outcome is not None
    assert outcome.reason.endswith(
        "; tie: c1, c2 are equal on the score and every tie key across the II/III boundary; "
        "the final key (id) decided"
    )
    # The note keeps ranks 3-4 (indexes 2-3) of the group, not the ids: they are read when asked.
    assert tie.span == (2, 3 + 1) and tie == TieNote(("c1", "c2"), "II", "III")
    assert hash(tie) == hash(TieNote(("c1", "c2"), "II", "III")) and tie != TieNote(("c1", "c2"), "I", "II")
    assert repr(tie) == "TieNote(members=('c1', 'c2'), upper='II', lower='III')"
    assert [tie.holds(m, i) for i, m in enumerate(group.members)] == [False, False, True, True, False]
    # described once for every member's reason (one text, not the ids made again per reason)
    assert tie.describe() is tie.describe()
    result = distribute(rule, people, {"sales": None})
    tied = [m for m in group.members if "; tie: " in (result.outcome(m) or outcome).reason]
    assert tied == ["c1", "c2"]


def test_descending_string_tie_key() -> None:
    # Equal scores; tie on a text field descending: 'y' before 'x', then id.
    rule = compile_distribution(
        spec(
            group_by=["org"],
            merge=None,
            min_group_size=1,
            quotas={"I": 50, "II": 50},
            ties=[{"field": "team", "order": "descending"}],
        ),
        CODES,
    )
    people = [
        Candidate(i, Decimal(1), {"org": "o", "team": t})
        for i, t in [("p1", "x"), ("p2", "y"), ("p3", "x"), ("p4", "y")]
    ]
    group = distribute(rule, people).groups[0]
    assert group.members == ("p2", "p4", "p1", "p3")
    assert group.grades == ("I", "I", "II", "II")
    assert group.ties == ()  # the team decided the boundary, not the id


# --- merging small groups --------------------------------------------------------------------

TREE = {"hq": None, "sales": "hq", "sales_a": "sales", "sales_b": "sales"}


def test_group_of_4_merges_into_parent_same_role_grade() -> None:
    # sales_a K3 has 4 (< 5): it joins sales K3 (6) -> 10 people. sales K2 (5) stays alone.
    people = [person(f"a{i}", str(90 - i), org="sales_a") for i in range(4)]
    people += [person(f"s{i}", str(95 - 2 * i), org="sales") for i in range(6)]
    people += [person(f"k{i}", str(70 + i), org="sales", grade="K2") for i in range(5)]
    result = distribute(compile_distribution(spec(), CODES), people, TREE)
    keys = [g.key for g in result.groups]
    assert keys == [(("org", "sales"), ("role_grade", "K2")), (("org", "sales"), ("role_grade", "K3"))]
    merged = result.groups[1]
    assert merged.merged_from == ((("org", "sales_a"), ("role_grade", "K3")),)
    # 10 x (10,20,40,20,10) % = 1, 2, 4, 2, 1 exactly.
    assert merged.quota == {"I": 1, "II": 2, "III": 4, "IV": 2, "V": 1}
    # scores: s0 95, s1 93, s2 91, a0 90, s3 89, a1 89, a2 88, s4 87, a3 87, s5 85
    # s3 and a1 tie on 89 and competency: id ascending puts a1 first.
    assert merged.members == ("s0", "s1", "s2", "a0", "a1", "s3", "a2", "a3", "s4", "s5")
    assert result.grade_of("a0") == "III"
    outcome = result.outcome("a0")
    assert outcome is not None
    assert outcome.reason == (
        "rank 4 of 10 in group (org=sales, role_grade=K3): quota I=1, II=2, III=4, IV=2, V=1 seats "
        "(largest_remainder); ranks 4-7 get III; merged from (org=sales_a, role_grade=K3); "
        "merge path: (org=sales_a, role_grade=K3) has 4 < 5 -> (org=sales, role_grade=K3)"
    )
    assert not result.groups[0].merged


def test_merging_goes_up_more_than_one_level() -> None:
    # sales_a K1 has 2, sales K1 has 1: sales_a -> sales (3, still < 5) -> hq K1 (3 own) = 6.
    people = [
        person("a1", "9", "sales_a", "K1"),
        person("a2", "8", "sales_a", "K1"),
        person("s1", "7", "sales", "K1"),
    ]
    people += [person(f"h{i}", str(5 - i), "hq", "K1") for i in range(3)]
    result = distribute(compile_distribution(spec(), CODES), people, TREE)
    (group,) = result.groups
    assert group.key == (("org", "hq"), ("role_grade", "K1"))
    assert group.merged_from == (
        (("org", "sales"), ("role_grade", "K1")),
        (("org", "sales_a"), ("role_grade", "K1")),
    )
    assert group.size == 6


def test_group_too_small_even_at_the_top_is_reported_not_graded() -> None:
    # sales_b K4 has 1 -> sales K4 (0 own) -> hq K4 has 2: 3 people at the top, fewer than 5.
    people = [person("b1", "9", "sales_b", "K4"), person("h1", "8", "hq", "K4")]
    people.append(person("h2", "7", "hq", "K4"))
    result = distribute(compile_distribution(spec(), CODES), people, TREE)
    assert result.groups == ()
    (problem,) = result.problems
    assert problem.rule == "distribution-group-too-small"
    assert problem.members == ("b1", "h1", "h2")
    assert problem.message == (
        "group (org=hq, role_grade=K4) has 3 members, fewer than the minimum 5, even at the top of "
        "the org tree; merged from (org=sales_b, role_grade=K4)"
    )
    assert result.grade_of("b1") is None
    outcome = result.outcome("b1")
    assert outcome is not None and outcome.grade is None and outcome.rank is None
    assert outcome.reason.startswith("not graded: group (org=hq, role_grade=K4) has 3 members")
    assert [o.id for o in result.outcomes()] == ["b1", "h1", "h2"]


def test_org_missing_from_tree_is_reported() -> None:
    result = distribute(compile_distribution(spec(), CODES), [person("x", "1", org="lab")], TREE)
    (problem,) = result.problems
    assert problem.rule == "distribution-unknown-org"
    assert problem.message == (
        "group (org=lab, role_grade=K3) has 1 member, fewer than the minimum 5, and org 'lab' is not "
        "in the org tree"
    )


def test_small_group_without_merge_is_reported() -> None:
    rule = compile_distribution(spec(merge=None), CODES)
    result = distribute(rule, [person("x", "1"), person("y", "2")])
    assert result.problems[0].message == (
        "group (org=sales, role_grade=K3) has 2 members, fewer than the minimum 5, and the "
        "distribution declares no merge"
    )


def test_missing_field_is_reported() -> None:
    rule = compile_distribution(spec(min_group_size=1), CODES)
    people = [
        person("ok", "1"),
        Candidate("nogrp", Decimal(1), {"org": "sales"}),
        Candidate("nocomp", Decimal(1), {"org": "sales", "role_grade": "K3"}),
    ]
    result = distribute(rule, people)
    assert [(p.rule, p.message, p.members) for p in result.problems] == [
        ("distribution-missing-field", "no field 'competency_score' (needed to break ties)", ("nocomp",)),
        ("distribution-missing-field", "no field 'role_grade' (needed to group)", ("nogrp",)),
    ]
    # A group of one: 1 x (10,20,40,20,10) % -> floors all 0, remainders .1 .2 .4 .2 .1:
    # the single seat goes to the largest remainder, III.
    assert result.grade_of("ok") == "III"


def test_org_tree_cycle_is_a_data_error() -> None:
    with pytest.raises(DataError, match="the org tree has a cycle: a -> b -> a"):
        distribute(compile_distribution(spec(), CODES), [person("x", "1", org="a")], {"a": "b", "b": "a"})


def test_without_group_by_everyone_is_one_group() -> None:
    rule = compile_distribution(
        spec(group_by=[], merge=None, min_group_size=1, quotas={"I": 50, "II": 50}), CODES
    )
    people = [person("a", "1", org="x"), person("b", "3", org="y"), person("c", "2", org="z")]
    (group,) = distribute(rule, people).groups
    # 3 x 50 % = 1.5 twice: floors 1 + 1, one seat for equal remainders .5 -> better grade I.
    assert group.key == () and group.members == ("b", "c", "a") and group.grades == ("I", "I", "II")


def test_repeated_ids_are_a_data_error() -> None:
    people = [person("a", "1"), person("b", "2"), person("a", "3")]
    with pytest.raises(DataError, match=r"^candidate ids must be unique; repeated: a$"):
        distribute(compile_distribution(spec(min_group_size=1), CODES), people)


def test_org_tree_from_records() -> None:
    rows: list[dict[str, Any]] = [{"id": "hq", "parent_org": None}, {"id": "sales", "parent_org": "hq"}]
    assert org_tree(rows, "parent_org") == {"hq": None, "sales": "hq"}


# --- compiling the policy entry --------------------------------------------------------------


def test_policy_problems_are_collected() -> None:
    bad = spec(
        quotas={"I": 10, "II": 20, "X": 60},
        tolerance={"Y": 1},
        quota_rounding="nearest",
        merge={"parent_field": "parent_org", "keep": ["team"]},
    )
    with pytest.raises(PolicyInvalid) as caught:
        compile_distribution(bad, CODES, name="performance")
    assert [(d.rule, d.location.path, d.message) for d in caught.value.diagnostics] == [
        (
            "distribution-unknown-grade",
            "$.distributions.performance.quotas.X",
            "distribution 'performance': quota for 'X', which is not a code of its scale",
        ),
        (
            "distribution-quota-sum",
            "$.distributions.performance.quotas",
            "distribution 'performance': quotas add up to 90, not 100",
        ),
        (
            "distribution-unknown-grade",
            "$.distributions.performance.tolerance.Y",
            "distribution 'performance': tolerance for 'Y', which has no quota",
        ),
        (
            "distribution-option",
            "$.distributions.performance.quota_rounding",
            "distribution 'performance': quota_rounding is 'nearest'",
        ),
        (
            "distribution-merge-keys",
            "$.distributions.performance.merge.keep[0]",
            "distribution 'performance': merge keeps 'team', which is not a group_by key",
        ),
        (
            "distribution-merge-keys",
            "$.distributions.performance.merge",
            "distribution 'performance': merging needs exactly one group_by key that is not kept "
            "(the organisation); found 2",
        ),
    ]


def test_from_policy_reads_scale_codes_best_first() -> None:
    policy = {
        "scales": {"i_to_v": {"levels": [{"code": c} for c in CODES]}},
        "distributions": {"performance": spec()},
    }
    rule = distribution_from_policy(policy, "performance")
    assert rule.codes == CODES and rule.org_field == "org" and rule.keep == ("role_grade",)
    assert rule.score == "performance_score" and rule.parent_field == "parent_org"
    assert [t.field for t in rule.ties] == ["competency_score", "id"]


# --- calibration -----------------------------------------------------------------------------


def test_calibration_counts_tolerance_and_moves() -> None:
    rule = compile_distribution(spec(tolerance={"II": 1}), CODES)
    result = distribute(rule, seventeen(), {"sales": None})
    final = dict(zip(result.groups[0].members, result.groups[0].grades, strict=True))
    proposed = dict(final)
    # Stage 1 proposed e01-e03 all I (3 > quota 2, no tolerance); stage 2 moved e03 to II.
    proposed["e03"] = "I"
    # Stage 2 also moved e06 up from III to II: II = 4 = quota 3 + tolerance 1 (allowed),
    # III = 6 = quota 7 - 1 with tolerance 0 (not allowed).
    final["e06"] = "II"
    report = calibrate(rule, result, proposed, final, {"e06": "project lead"})
    (group,) = report.groups
    counts = {g.grade: (g.quota, g.tolerance, g.proposed, g.final) for g in group.grades}
    assert counts == {
        "I": (2, 0, 3, 2),
        "II": (3, 1, 2, 4),
        "III": (7, 0, 7, 6),
        "IV": (3, 0, 3, 3),
        "V": (2, 0, 2, 2),
    }
    within = {g.grade: (g.proposed_within, g.final_within) for g in group.grades}
    assert within["I"] == (False, True) and within["II"] == (True, True) and within["III"] == (True, False)
    assert [(m.member, m.proposed, m.final, m.reason) for m in group.moves] == [
        ("e03", "I", "II", None),
        ("e06", "III", "II", "project lead"),
    ]
    assert not group.within and not report.within


def test_calibration_missing_and_unknown_grades() -> None:
    rule = compile_distribution(spec(min_group_size=1), CODES)
    result = distribute(rule, [person("a", "2"), person("b", "1")])
    report = calibrate(rule, result, {"a": "I", "b": "Z"}, {"a": "I"})
    (group,) = report.groups
    assert group.missing == ("b",) and group.unknown == ("b",)
    assert not group.within
