"""Every group ranked in one sort (engine/distribution/ranks.py: one packed integer key when it
fits, the keys one by one when not) against each group ranked on its own (the grading's other
path, kept for columns of objects), the groups' members taken in one indexing (``Pools.take``),
and the report's lookups of many grades at once (``grades_of``: the ids block after block, the
grade codes) against one at a time."""

from __future__ import annotations

import random
import tracemalloc
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from helpers import DISTRIBUTION_TREE, distribution_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.distribution import Candidate, distribute
from engine.distribution import groups as groups_module
from engine.distribution import ranking as ranking_module
from engine.distribution import ranks as ranks_module
from engine.distribution.ids import Ids
from engine.distribution.packed import PackedGroups
from engine.distribution.pools import Pool, Pools
from engine.distribution.ranking import SCORE, candidate_rows, distribute_table

TREE = DISTRIBUTION_TREE
SCORES = st.sampled_from(["10", "20", "20.0", "35.5", "50", "50.00", "70", "90"])


def view(result: Any) -> tuple[Any, ...]:
    groups = [
        (
            g.key,
            g.members,
            g.grades,
            g.merged_from,
            [(t.members, t.upper, t.lower, t.span) for t in g.ties],
            g.paths,
        )
        for g in result.groups
    ]
    return groups, [(p.rule, p.message, p.members, p.key) for p in result.problems]


def group_by_group(rule: Any, people: list[Candidate]) -> Any:
    """The grading with every group ranked on its own, as for a column of objects."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ranking_module, "sortable", lambda *_: False)
        return distribute(rule, people, TREE)


@st.composite
def populations(draw: Any) -> list[Candidate]:
    count = draw(st.integers(0, 60))
    people = []
    for i in range(count):
        fields = {
            "org": draw(st.sampled_from(["root", "div", "sales", "ops", "lab", "gone"])),
            "role_grade": draw(st.sampled_from(["K1", "K2"])),
            "competency_score": Decimal(draw(SCORES)),
        }
        people.append(Candidate(f"e{draw(st.integers(0, 3))}{i:02d}", Decimal(draw(SCORES)), fields))
    return people


@settings(max_examples=150, deadline=None)
@given(
    populations(),
    st.sampled_from([1, 3, 5]),
    st.sampled_from(["own", "subtree"]),
    st.sampled_from(["ascending", "descending"]),
    st.sampled_from(["ascending", "descending"]),
    st.sampled_from([1, 7, ranks_module.BLOCK]),
)
def test_one_sort_grades_as_each_group_on_its_own(
    people: list[Candidate], minimum: int, pool: str, order: str, id_order: str, block: int
) -> None:
    """Every group ranked together, in blocks of whole groups of ``block`` people (1: a group
    a block; 7: a few groups, or one larger group, a block), as each group on its own."""
    rule = distribution_rule(
        min_group_size=minimum,
        order=order,
        merge={"parent_field": "parent_org", "keep": ["role_grade"], "pool": pool},
        ties=[{"field": "competency_score", "order": order}, {"field": "id", "order": id_order}],
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ranks_module, "BLOCK", block)
        together = distribute(rule, people, TREE)
    alone = group_by_group(rule, people)
    assert view(together) == view(alone)
    ids = [c.id for c in people] + ["nobody"]
    assert together.grades_of(ids) == [alone.grade_of(i) for i in ids]


def test_ties_at_a_boundary_are_found_in_the_groups_that_have_them() -> None:
    # sales K3: ten people (seats 1, 2, 4, 2, 1), s0/s1 equal across I/II and s3..s6 equal
    # inside III; lab K2: five people (seats 1, 1, 2, 1, 0), l2..l4 equal across III/IV
    scores = {
        "s": ["90", "90", "80", "70", "70", "70", "70", "30", "20", "10"],
        "l": ["9", "8", "5", "5", "5"],
    }
    people = [
        Candidate(f"s{i}", Decimal(v), {"org": "sales", "role_grade": "K3", "competency_score": Decimal(1)})
        for i, v in enumerate(scores["s"])
    ]
    people += [
        Candidate(f"l{i}", Decimal(v), {"org": "lab", "role_grade": "K2", "competency_score": Decimal(1)})
        for i, v in enumerate(scores["l"])
    ]
    rule = distribution_rule(min_group_size=1)
    together = distribute(rule, people, TREE)
    assert view(together) == view(group_by_group(rule, people))
    ties = {g.key[0][1]: [(t.members, t.upper, t.lower) for t in g.ties] for g in together.groups}
    assert ties == {"lab": [(("l2", "l3", "l4"), "III", "IV")], "sales": [(("s0", "s1"), "I", "II")]}
    assert together.grades_of(["s0", "s1", "s2", "s6", "l4", "l3"]) == ["I", "II", "II", "III", "IV", "III"]


def test_grade_codes_are_each_members_grade() -> None:
    rng = random.Random(3)
    people = [
        Candidate(
            f"p{i:03d}",
            Decimal(rng.randint(0, 40)),
            {
                "org": rng.choice(["sales", "ops", "lab", "div"]),
                "role_grade": "K3",
                "competency_score": Decimal(rng.randint(0, 3)),
            },
        )
        for i in range(300)
    ]
    result = distribute(distribution_rule(min_group_size=5), people, TREE)
    groups = result.groups
    assert isinstance(groups, PackedGroups)
    codes, names = groups.grade_codes()
    shown = [names[c] for c in codes.tolist()]
    assert shown == [grade for group in groups for grade in group.grades]
    assert len(shown) == 300 and set(shown) == {"I", "II", "III", "IV", "V"}


def test_a_report_reads_each_persons_grade_code_without_an_index_a_person() -> None:
    """The result keeps a byte a person, each one's grade code (-1: not graded); a report's
    lookups read it alone, and each member's index in the packed groups (4 bytes a person) is
    made only when one person is looked up (its rank, its group)."""
    people = [
        Candidate(
            f"p{i:03d}",
            Decimal(i % 17),
            {"org": ["sales", "ops"][i % 2], "role_grade": "K3", "competency_score": Decimal(i % 3)},
        )
        for i in range(40)
    ] + [Candidate("x0", Decimal(1), {"org": "nowhere", "role_grade": "K3", "competency_score": Decimal(0)})]
    result = distribute(distribution_rule(min_group_size=5), people, TREE)
    assert result.grades is not None
    codes, names = result.grades
    assert codes.dtype == np.int8 and len(codes) == 41 and codes[40] == -1
    graded = {m: g for group in result.groups for m, g in zip(group.members, group.grades, strict=True)}
    asked = [p.id for p in people] + ["nobody"]
    assert result.grades_of(asked) == [graded.get(i) for i in asked]
    assert [names[c] if c >= 0 else None for c in codes.tolist()] == [graded.get(p.id) for p in people]
    assert "_view" not in vars(result)
    assert result.grade_of("p007") == graded["p007"] and "_view" in vars(result)
    outcome = result.outcome("p007")
    assert outcome is not None and outcome.grade == graded["p007"] and outcome.size == 20


def test_ids_are_found_block_after_block_and_out_of_order() -> None:
    texts = [f"H{i:07d}" for i in range(10)] + ["a", "H1"]
    ids = Ids([np.array([t.encode() for t in texts], dtype="S")])
    assert ids.positions(texts[0:4]).tolist() == [0, 1, 2, 3]  # in order: compared, not searched
    assert ids.positions(texts[4:6]).tolist() == [4, 5]
    assert ids.positions([texts[7], texts[8]]).tolist() == [7, 8]  # one skipped: searched
    assert ids.positions([texts[9], "a"]).tolist() == [9, 10]  # then compared again
    assert ids.positions(["H1", "nobody", "H0000003"]).tolist() == [11, -1, 3]
    assert ids.positions(["H0000004", "H0000005"]).tolist() == [4, 5]
    assert ids.positions(["H000000", "H00000001"]).tolist() == [-1, -1]  # a prefix, a longer id
    assert ids.positions(texts[::-1]).tolist() == list(range(11, -1, -1))
    assert ids.positions(texts).tolist() == list(range(12))
    assert ids.positions(["H0000002", "H0000002\x00", "", "a"]).tolist() == [
        2,
        -1,
        -1,
        10,
    ]  # a NUL: one by one
    assert ids.positions([""]).tolist() == [-1]


def test_pools_are_taken_in_the_order_asked_spans_and_merged_alike() -> None:
    members = np.array([7, 3, 9, 1, 4, 8], dtype=np.int32)
    pools = Pools(members, [0, 2, 3, 6], [("a",), ("b",), ("c",)])
    merged = pools.setdefault(("m",), Pool([], own=False))
    merged.parts.extend([np.array([20, 21], dtype=np.int32), np.array([22], dtype=np.int32)])
    merged.origins = [("x",)]
    taken, made = pools.take([("c",), ("m",), ("a",), ("b",)])
    assert taken.tolist() == [1, 4, 8, 20, 21, 22, 7, 3, 9] and taken.dtype == np.int32
    assert made[0] is None and made[1] is merged and made[2] is None and made[3] is None
    assert len(pools) == 0
    assert Pools(members, [0, 6], [("a",)]).take([])[0].tolist() == []


def test_keys_too_wide_for_one_integer_are_sorted_one_by_one() -> None:
    # scores 10^15 apart and tie keys 10^6 apart: more than 63 bits with the group's
    wide = [Decimal(10**15 * k + k) for k in (3, 1, 2, 2, 0, 5)]
    people = [
        Candidate(
            f"w{i}", score, {"org": "sales", "role_grade": "K3", "competency_score": Decimal(10**6 * (i % 2))}
        )
        for i, score in enumerate(wide)
    ]
    rule = distribution_rule(min_group_size=1)
    sizes = np.array([2, 1])  # group numbers 0, 0, 1 (1 bit)
    assert ranks_module._combined(sizes, [np.array([3, 1, 2])]).tolist() == [2, 0, 5]  # (0, 2) (0, 0) (1, 1)
    assert ranks_module._combined(sizes, [np.array([0, 2**40, 5])]) is not None  # 1 + 41 bits
    assert ranks_module._combined(sizes, [np.array([0, 2**40, 5]), np.array([0, 2**23, 1])]) is None  # 66
    together = distribute(rule, people, TREE)
    assert view(together) == view(group_by_group(rule, people))
    assert together.groups[0].members == ("w5", "w0", "w3", "w2", "w1", "w4")  # w3 (tie key 10^6) first


def test_two_distributions_sharing_the_ids_find_each_block_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"H{i:07d}" for i in range(9)]
    ids = Ids([np.array([t.encode() for t in texts], dtype="S")])
    searched = []
    real = np.searchsorted
    monkeypatch.setattr(np, "searchsorted", lambda *a, **k: searched.append(1) or real(*a, **k))
    for block in (texts[0:3], texts[3:6], texts[6:9]):
        for _ in range(2):  # each block looked up once per distribution
            assert ids.positions(block).tolist() == [texts.index(t) for t in block]
    assert searched == []
    assert ids.positions([texts[1], texts[0]]).tolist() == [1, 0] and searched == [1]


def test_ranking_holds_no_second_copy_of_the_members() -> None:
    """60,000 people in 4,000 groups of some fifteen, ranked together: above the table, the
    grading's traced peak is at most 60 bytes a person (the group key and the sort's order,
    8 each, the sort's buffer, the members and their ranked copy: 4 each; before, 68: the
    candidates kept by their caller, the split kept after its groups were taken, the ranked
    positions copied into an array of their own), and it keeps 27 bytes a person or fewer."""
    rng = random.Random(5)
    n = 60_000
    people = [
        Candidate(
            f"H{i:07d}",
            Decimal(rng.randint(0, 400)).scaleb(-1),
            {
                "org": f"o{rng.randint(0, 999)}",
                "role_grade": rng.choice(["K1", "K2", "K3", "K4"]),
                "competency_score": Decimal(rng.randint(0, 50)),
            },
        )
        for i in range(n)
    ]
    rule = distribution_rule(min_group_size=1)
    table = candidate_rows(rule, people).freeze()
    del people
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = distribute_table(rule, table, SCORE, np.arange(len(table), dtype=np.int32))
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.groups) == 4000 and sum(g.size for g in result.groups) == n
    assert peak - base <= 60 * n
    assert held - base <= 27 * n


def test_blocks_are_whole_groups_of_about_a_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranks_module, "BLOCK", 5)
    sizes = np.array([3, 10, 2, 2, 1], dtype=np.int64)
    # 3 (3 + 10 is past 5), 10 alone (larger than a block), then 2 + 2 + 1
    assert list(ranks_module._blocks(sizes)) == [(0, 1, 0, 3), (1, 2, 3, 13), (2, 5, 13, 18)]
    assert list(ranks_module._blocks(np.array([], dtype=np.int64))) == []


@pytest.mark.parametrize("combinations", [7, 2**60])
def test_group_keys_sorted_in_place_with_their_stable_order(combinations: int) -> None:
    """The keys sorted and the order that sorts them stably (equal keys in their first
    order), by packing each index below its key (7 values: 3 + 13 bits) or, when they do not
    fit 63 bits together, by an argsort."""
    rng = random.Random(11)
    values = [rng.randrange(7) for _ in range(5000)]
    key = np.array(values, dtype=np.int64)
    order = groups_module._sorted_with_order(key, combinations)
    assert order.dtype == np.int32
    assert order.tolist() == sorted(range(5000), key=values.__getitem__)
    assert key.tolist() == sorted(values)
