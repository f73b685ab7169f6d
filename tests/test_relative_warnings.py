"""A warning for every person a distribution could not grade (engine/evaluate/relative.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

from helpers import DISTRIBUTION_TREE, distribution_rule

from engine.distribution import Candidate, distribute
from engine.errors import Problem
from engine.evaluate.relative import RelativeGrading, relative_warnings
from engine.report.jsonreport import json_report_pieces


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


def test_a_json_report_writes_its_warnings_a_block_at_a_time() -> None:
    """1,300 warnings (a person a distribution could not grade each): the report's text is the
    whole payload's ``json.dumps(indent=2)``, and no piece of it holds more than a block of
    512 warnings (they were a list of dicts and one text in the frame)."""
    message = "performance: group (org=lab, role_grade=K3) has 1 member, fewer than the minimum 5"
    warnings = [
        Problem(f"e{k:04d}", None, "distribution-group-too-small", message, "d.csv") for k in range(1300)
    ]
    outcome = SimpleNamespace(
        policy=SimpleNamespace(id="kumho"), failed_employees=[], problems=[], warnings=warnings
    )
    pieces = list(json_report_pieces(outcome, 7, []))  # type: ignore[arg-type]
    payload = {
        "policy": "kumho",
        "evaluated": 7,
        "failed": [],
        "results": [],
        "warnings": [
            {"employee": p.employee_id, "rule": p.rule, "message": p.message, "origin": p.origin}
            for p in warnings
        ],
        "problems": [],
    }
    assert "".join(pieces) == json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    assert max(piece.count('"employee"') for piece in pieces) == 512
    outcome.warnings = []
    assert '"warnings": [],' in "".join(json_report_pieces(outcome, 7, []))  # type: ignore[arg-type]


def test_distributions_grouped_alike_share_their_problems() -> None:
    """Two distributions by organisation (kumho: performance and competency) leave the same
    too-small group: one problem object for both (its ids, key and text held once), and each
    distribution still warns its own way; a distribution grouped otherwise keeps its own."""
    spec = {"group_by": ["org"], "quotas": {"I": 50, "II": 50}, "min_group_size": 3}
    policy = {
        "scales": {"s": {"levels": [{"code": "I"}, {"code": "II"}]}},
        "distributions": {
            "performance": {**spec, "scale": "s", "score": "p"},
            "competency": {**spec, "scale": "s", "score": "c"},
            "by_grade": {**spec, "scale": "s", "score": "c", "group_by": ["grade"]},
        },
    }
    grading = RelativeGrading(policy)
    for k in range(5):
        org = "small" if k < 2 else "big"
        grading.add_found(f"e{k}", {"p": Decimal(k), "c": Decimal(5 - k)}, {"org": org, "grade": f"g{k % 2}"})
    graded = grading.grade({})
    performance, competency = graded["performance"].problems, graded["competency"].problems
    assert [(p.rule, p.members, p.key) for p in performance] == [
        ("distribution-group-too-small", ("e0", "e1"), (("org", "small"),))
    ]
    assert competency[0] is performance[0]
    assert [(p.members, p.key) for p in graded["by_grade"].problems] == [(("e1", "e3"), (("grade", "g1"),))]
    warned = relative_warnings(graded, "d.csv")
    assert [(w.employee_id, w.message.split(":")[0]) for w in warned] == [
        ("e0", "performance"), ("e1", "performance"), ("e0", "competency"), ("e1", "competency"),
        ("e1", "by_grade"), ("e3", "by_grade"),
    ]  # fmt: skip
