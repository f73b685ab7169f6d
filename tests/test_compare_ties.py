"""A comparison names each boundary tie of a headline distribution once (``T1``...): each
member's reason names the tie and its size, not its members, and the members are listed once
under ``ties``, so that the JSON report grows with the people, not with their square."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from helpers import Echo
from test_compare import POLICIES
from test_compare_stream import MAPS, _json_population

from engine.commands.compare import run_compare
from engine.compare.ties import name_ties, tie_items
from engine.distribution import Candidate, compile_distribution, distribute
from engine.io.spool import ItemSpool

ACROSS = "are equal on the score and every tie key across the {} boundary; the final key (id) decided"


def _six() -> list[Candidate]:
    """x1 at 90, four people at 80 (x2 to x5), x6 at 70, in one group."""
    scores = {"x1": "90", "x2": "80", "x3": "80", "x4": "80", "x5": "80", "x6": "70"}
    return [Candidate(pid, Decimal(s), {"org": "sales"}) for pid, s in scores.items()]


def test_a_tie_of_four_over_two_places_is_named_once() -> None:
    # 6 people, A 50 % / B 50 %: 3 seats each. x1 ranks 1; the four at 80 rank 2-5 by id (the
    # final key): x2, x3 take A's last two seats, x4, x5 B's first two; x6 ranks 6 (B).
    rule = compile_distribution(
        {"score": "s", "group_by": ["org"], "quotas": {"A": 50, "B": 50}, "min_group_size": 1}, ["A", "B"]
    )
    spool: ItemSpool[tuple[str, str, str, str, int, tuple[str, ...]]] = ItemSpool(threshold=1)
    result, named = name_ties(distribute(rule, _six()), spool)
    assert [(t.label, t.count, t.members) for t in named] == [("T1", 4, ("x2", "x3", "x4", "x5"))]
    head = "in group (org=sales): quota A=3, B=3 seats (largest_remainder)"
    tie = "; tie: T1 (4 people) " + ACROSS.format("A/B")
    reasons = {pid: (o.grade, o.reason) for pid in ("x1", "x3", "x4", "x6") if (o := result.outcome(pid))}
    assert reasons == {
        "x1": ("A", f"rank 1 of 6 {head}; ranks 1-3 get A"),
        "x3": ("A", f"rank 3 of 6 {head}; ranks 1-3 get A{tie}"),
        "x4": ("B", f"rank 4 of 6 {head}; ranks 4-6 get B{tie}"),
        "x6": ("B", f"rank 6 of 6 {head}; ranks 4-6 get B"),
    }
    members = ["x2", "x3", "x4", "x5"]
    assert list(tie_items(spool)) == [
        {"tie": "T1", "group": "(org=sales)", "boundary": "A/B", "people": 4, "members": members}
    ]
    # the grading itself is unchanged: its own reason still names the members
    plain = distribute(rule, _six()).outcome("x4")
    assert plain is not None and plain.reason.endswith("; tie: x2, x3, x4, x5 " + ACROSS.format("A/B"))


def test_a_tie_longer_than_a_row_is_joined_again() -> None:
    # 4,100 people at 80 between x1 (90) and x6 (70): the members go to the spool in rows of
    # 4,096 ids and come back as one tie, in rank (id) order.
    import engine.compare.ties as ties

    people = [Candidate("x1", Decimal(90), {"org": "s"}), Candidate("x6", Decimal(70), {"org": "s"})]
    people += [Candidate(f"m{i:05d}", Decimal(80), {"org": "s"}) for i in range(4100)]
    rule = compile_distribution(
        {"score": "s", "group_by": ["org"], "quotas": {"A": 50, "B": 50}, "min_group_size": 1}, ["A", "B"]
    )
    spool: ItemSpool[tuple[str, str, str, str, int, tuple[str, ...]]] = ItemSpool(threshold=1)
    _, named = name_ties(distribute(rule, people), spool)
    assert len(spool) == 2 and ties.CHUNK == 4096  # rows of 4,096 and 4 ids
    (item,) = tie_items(spool)
    assert item["people"] == 4100 and item["members"] == [f"m{i:05d}" for i in range(4100)]
    assert named[0].count == 4100


def test_the_json_report_lists_each_tie_once(tmp_path: Path) -> None:
    """Twelve people, the five profiles repeated: kumho's group of 12 and kepco's two groups
    (worked out in test_compare_stream) tie equal people across boundaries; every reason names
    its ties by label and size, and the ids are listed once, under ``ties``."""
    population = str(_json_population(tmp_path, 12))
    out = tmp_path / "out.json"
    echo = Echo()
    assert run_compare(POLICIES, population, MAPS, "json", str(out), "en", None, echo) == 0, echo.stderr
    payload = json.loads(out.read_text(encoding="utf-8"))
    keys = ["policies", "report", "population", "schemes", "people", "ties", "readings", "problems"]
    assert list(payload) == keys
    k3, member, head = "(org=civil_div, role_grade=K3)", "(department=civil_div, position=member)", (
        "(department=civil_div, position=section_head)"
    )
    assert [(t["scheme"], t["distribution"], t["tie"], t["group"], t["boundary"], t["people"], t["members"])
            for t in payload["ties"]] == [
        ("kumho_like", "performance", "T1", k3, "I/II", 2, ["P10", "P5"]),
        ("kumho_like", "performance", "T2", k3, "II/III", 3, ["P1", "P11", "P6"]),
        ("kumho_like", "performance", "T3", k3, "III/IV", 3, ["P12", "P2", "P7"]),
        ("kumho_like", "performance", "T4", k3, "IV/V", 2, ["P3", "P8"]),
        ("kepco_like", "grade", "T1", member, "S/A", 2, ["P10", "P5"]),
        ("kepco_like", "grade", "T2", member, "C/D", 2, ["P3", "P8"]),
        ("kepco_like", "grade", "T3", head, "S/A", 3, ["P1", "P11", "P6"]),
        ("kepco_like", "grade", "T4", head, "A/B", 3, ["P1", "P11", "P6"]),
        ("kepco_like", "grade", "T5", head, "B/C", 2, ["P4", "P9"]),
    ]  # fmt: skip
    kumho = {p["id"]: p["schemes"]["kumho_like"]["reason"] for p in payload["people"]}
    assert kumho["P6"] == (
        "rank 5 of 12 in group (org=civil_div, role_grade=K3): quota I=1, II=3, III=5, IV=2, V=1 seats "
        "(largest_remainder); ranks 5-9 get III; tie: T2 (3 people) "
        + ACROSS.format("II/III")
    )
    kepco = payload["people"][0]["schemes"]["kepco_like"]["reason"]  # P1: two ties
    assert kepco.endswith(
        "rank 1 get S; tie: T3 (3 people) " + ACROSS.format("S/A")
        + "; tie: T4 (3 people) " + ACROSS.format("A/B")
    )  # fmt: skip
    # no reason names a person: each id is in the people list once and under ties only
    for person in payload["people"]:
        for scheme in person["schemes"].values():
            assert " P1" not in scheme["reason"] and ", P" not in scheme["reason"]


def test_explain_lists_the_ties_of_the_person_in_every_format(tmp_path: Path) -> None:
    """``--explain P2``: kumho's grade line names T3, the next line lists its members, in the
    text report and in the JSON one's ``explain``."""
    population = str(_json_population(tmp_path, 12))
    out = tmp_path / "out.txt"
    echo = Echo()
    assert run_compare(POLICIES, population, MAPS, "text", str(out), "en", "P2", echo) == 0, echo.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("grade: III (rank 9 of 12"))
    assert lines[at].endswith("tie: T3 (3 people) " + ACROSS.format("III/IV") + ")")
    assert lines[at + 1] == "tie T3: P12, P2, P7"
    json_out = tmp_path / "out.json"
    assert run_compare(POLICIES, population, MAPS, "json", str(json_out), "en", "P2", echo) == 0
    explained = json.loads(json_out.read_text(encoding="utf-8"))["explain"]["P2 under kumho_like"]
    assert explained[explained.index(lines[at]) + 1] == "tie T3: P12, P2, P7"
