"""A calibration keeps what its groups share once: kumho-like groups are some fifteen people,
and each group's grade counts, the tuple of them and its key's pairs were objects of its own,
held until the report is written (about 150 bytes a person for kumho's two distributions,
measured with tracemalloc; bench/RESULTS.md)."""

from __future__ import annotations

from decimal import Decimal

from engine.distribution import Candidate, calibrate, distribute, distribution_from_policy
from engine.distribution.calibrate import GradeCount
from engine.validate import load_policy
from tests.conftest import POLICIES

SAME = Decimal(70)
RULE = distribution_from_policy(load_policy(str(POLICIES / "kumho_like.yaml")).data, "performance")


def _people() -> list[Candidate]:
    """Three groups of ten K4 people (orgs a, b, c), scores 100, 95, ..., 55 in each, every
    competency score 70 (the id decides no tie: the scores differ)."""
    return [
        Candidate(
            f"{org}{k:02d}", Decimal(100 - 5 * k), {"org": org, "role_grade": "K4", "competency_score": SAME}
        )
        for org in "abc"
        for k in range(10)
    ]


def test_groups_of_one_size_share_their_counts_and_key() -> None:
    result = distribute(RULE, _people())
    # group a: the example's stages (1st evaluator I=3, II=1, III=4, IV=2; final 1/2/4/2/1);
    # groups b and c have no grade at all: everyone missing
    proposed = {f"a{k:02d}": g for k, g in enumerate(["I"] * 3 + ["II"] + ["III"] * 4 + ["IV"] * 2)}
    final = {f"a{k:02d}": g for k, g in enumerate(["I"] + ["II"] * 2 + ["III"] * 4 + ["IV"] * 2 + ["V"])}
    report = calibrate(RULE, result, proposed, final)
    a, b, c = report.groups
    # 10 % / 20 % / 40 % / 20 % / 10 % of ten seats: 1, 2, 4, 2, 1
    assert [(g.grade, g.quota, g.proposed, g.final) for g in a.grades] == [
        ("I", 1, 3, 1), ("II", 2, 1, 2), ("III", 4, 4, 4), ("IV", 2, 2, 2), ("V", 1, 0, 1),
    ]  # fmt: skip
    assert b.grades == c.grades == tuple(GradeCount(g, n, 0, 0, 0) for g, n in RULE.seats(10).items())
    assert b.grades is c.grades  # one tuple for both (the same counts)
    # a's rows (proposed and final counts of its own) are not b's (0, 0): unequal, not shared
    assert all(x != y for x, y in zip(a.grades, b.grades, strict=True))
    assert [g.key for g in (a, b, c)] == [(("org", o), ("role_grade", "K4")) for o in "abc"]
    assert a.key[1] is b.key[1] is c.key[1]  # ("role_grade", "K4") once
    # everyone of b and c is missing (the calibration is spooled: tests/test_calibration_spool.py)
    assert b.missing == tuple(f"b{k:02d}" for k in range(10)) and not a.missing
    assert c.missing == tuple(f"c{k:02d}" for k in range(10))
    assert [m.member for m in a.moves] == ["a01", "a02", "a03", "a07", "a09"]


def test_grade_counts_and_groups_have_no_instance_dict() -> None:
    """Slotted: a group's calibration and its counts are a few words each, not a dict."""
    report = calibrate(RULE, distribute(RULE, _people()), {}, {})
    assert not hasattr(report.groups[0], "__dict__")
    assert not hasattr(report.groups[0].grades[0], "__dict__")
