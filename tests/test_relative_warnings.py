"""A warning for every person a distribution could not grade (engine/evaluate/relative.py)."""

from __future__ import annotations

from decimal import Decimal

from helpers import DISTRIBUTION_TREE, distribution_rule

from engine.distribution import Candidate, distribute
from engine.errors import Problem
from engine.evaluate.relative import relative_warnings


def test_each_person_not_graded_is_warned_once_a_problem_sharing_its_text() -> None:
    """Three people of lab's K3 group (merged into root's, still too small) and one of an org
    the tree lacks: two problems, four warnings; a problem's members share one message text."""
    fields = {"role_grade": "K3", "competency_score": Decimal(50)}
    people = [Candidate(f"l{k}", Decimal(k), {"org": "lab", **fields}) for k in range(3)]
    people.append(Candidate("n0", Decimal(1), {"org": "nowhere", **fields}))
    result = distribute(distribution_rule(), people, DISTRIBUTION_TREE)
    warnings = relative_warnings({"performance": result}, "d.csv")
    lab = (
        "performance: group (org=root, role_grade=K3) has 3 members, fewer than the minimum 5, "
        "even at the top of the org tree; merged from (org=lab, role_grade=K3)"
    )
    nowhere = (
        "performance: group (org=nowhere, role_grade=K3) has 1 member, fewer than the minimum 5, "
        "and org 'nowhere' is not in the org tree"
    )
    assert warnings == [
        Problem("n0", None, "distribution-unknown-org", nowhere, "d.csv"),
        Problem("l0", None, "distribution-group-too-small", lab, "d.csv"),
        Problem("l1", None, "distribution-group-too-small", lab, "d.csv"),
        Problem("l2", None, "distribution-group-too-small", lab, "d.csv"),
    ]
    assert warnings[1].message is warnings[2].message is warnings[3].message
    # a warning and a problem are slotted: no dict of their own (some 90 bytes each), and a
    # million kumho people leave some 90,000 warnings and 33,000 problems
    assert not hasattr(warnings[0], "__dict__") and not hasattr(result.problems[0], "__dict__")
