"""A grading's groups packed in arrays (engine/distribution/packed.py): the same groups as the
old path's objects (tests/distribution_reference.py), read by index, slice and iteration, each
person's grade and outcome found without a group object, ties renamed on the packed groups,
and no ``GroupResult`` nor per-group array kept by the result."""

from __future__ import annotations

import gc
from decimal import Decimal
from typing import Any

import distribution_reference as reference
import numpy as np
import pytest
from helpers import DISTRIBUTION_CODES, DISTRIBUTION_TREE, distribution_rule

from engine.compare.ties import NamedTie, name_ties
from engine.distribution import Candidate, distribute
from engine.distribution.model import GroupResult
from engine.distribution.packed import GroupKeys, PackedGroups, tied, with_ties
from engine.distribution.pools import Pool, Pools
from engine.distribution.ranking import SCORE, candidate_rows, distribute_table

CODES, TREE = DISTRIBUTION_CODES, DISTRIBUTION_TREE
rule_of = distribution_rule


def cand(pid: str, score: Any, org: str, grade: str = "K3", comp: Any = 0) -> Candidate:
    return Candidate(
        pid, Decimal(score), {"org": org, "role_grade": grade, "competency_score": Decimal(comp)}
    )


def people() -> list[Candidate]:
    """Ten people in sales K3 (two equal pairs across the I/II and II/III boundaries), four in
    ops K3 (merged into div K3 with div's six), seven in lab K2, and one in lab K4 (too few,
    at the top of the tree)."""
    scores = ["90", "90", "80", "80", "80", "70", "60", "50", "40", "30"]
    out = [cand(f"s{i}", score, "sales", comp=1) for i, score in enumerate(scores)]
    out += [cand(f"o{i}", 60 + i, "ops", comp=i) for i in range(4)]
    out += [cand(f"d{i}", 55 + i, "div", comp=i) for i in range(6)]
    out += [cand(f"l{i}", 10 * i, "lab", "K2") for i in range(7)]
    out.append(cand("top", 1, "lab", "K4"))
    return out


def view(group: Any) -> tuple[Any, ...]:
    return (
        group.key,
        group.members,
        group.grades,
        dict(group.quota),
        group.merged_from,
        group.ties,
        group.paths,
    )


def test_the_packed_groups_are_the_old_groups() -> None:
    result = distribute(rule_of(), people(), TREE)
    old = reference.distribute(rule_of(), people(), TREE)
    groups = result.groups
    assert isinstance(groups, PackedGroups) and len(groups) == 3
    assert [g.key for g in groups] == [
        (("org", "div"), ("role_grade", "K3")),
        (("org", "lab"), ("role_grade", "K2")),
        (("org", "sales"), ("role_grade", "K3")),
    ]
    assert [view(g) for g in groups] == [view(g) for g in old.groups]
    # o0 and d5 both 60: d5's competency (5) ranks it first
    assert groups[0].members == ("o3", "o2", "o1", "d5", "o0", "d4", "d3", "d2", "d1", "d0")
    assert groups[0].merged_from == ((("org", "ops"), ("role_grade", "K3")),)
    assert groups[2].members == ("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9")
    assert groups[2].grades == ("I", "II", "II", "III", "III", "III", "III", "IV", "IV", "V")
    # s0/s1 split by I/II, s2..s4 by II/III: the final key (id) decided both
    assert [(t.members, t.upper, t.lower) for t in groups[2].ties] == [
        (("s0", "s1"), "I", "II"),
        (("s2", "s3", "s4"), "II", "III"),
    ]
    assert groups[-1].key == groups[2].key and groups[-3].key == groups[0].key
    assert [g.key for g in groups[1:]] == [g.key for g in (groups[1], groups[2])]
    with pytest.raises(IndexError):
        groups[3]
    with pytest.raises(IndexError):
        groups[-4]


def test_each_person_is_found_without_a_group_object() -> None:
    result = distribute(rule_of(), people(), TREE)
    old = reference.distribute(rule_of(), people(), TREE)
    everyone = [c.id for c in people()] + ["nobody"]
    assert result.grades_of(everyone) == [old.grade_of(m) for m in everyone]
    assert [result.grade_of(m) for m in everyone] == [old.grade_of(m) for m in everyone]
    assert result.grade_of("s1") == "II" and result.grade_of("o3") == "I" and result.grade_of("top") is None
    for member in everyone:
        assert result.outcome(member) == old.outcome(member)
    assert result.outcome("d0") is not None and result.outcome("d0").rank == 10  # type: ignore[union-attr]
    assert list(result.outcomes()) == list(old.outcomes())
    (problem,) = result.problems
    assert problem.members == ("top",)


def test_the_result_keeps_no_group_object_nor_an_array_a_group() -> None:
    rule = rule_of(min_group_size=1)
    many = [cand(f"p{i:04d}", i % 97, f"o{i % 40}") for i in range(1200)]
    gc.collect()
    result = distribute(rule, many)
    gc.collect()
    assert len(result.groups) == 40
    assert not [o for o in gc.get_objects() if isinstance(o, GroupResult)]
    arrays = [o for o in gc.get_referents(result.groups) if isinstance(o, np.ndarray)]
    assert [a.shape for a in arrays] == [(1200,)]  # one positions array for every group


def test_ties_are_renamed_on_the_packed_groups_and_on_a_tuple_alike() -> None:
    result = distribute(rule_of(), people(), TREE)
    packed = result.groups
    assert [(at, len(ties)) for at, ties in tied(packed)] == [(2, 2)]
    renamed, named = name_ties(result, None)
    assert [(t.label, t.count, t.members) for t in named] == [
        ("T1", 2, ("s0", "s1")),
        ("T2", 3, ("s2", "s3", "s4")),
    ]
    assert all(a is b for a, b in zip(renamed.groups[2].ties, named, strict=True))
    assert not any(isinstance(t, NamedTie) for g in result.groups for t in g.ties)  # the result kept
    assert renamed.grades_of(["s4", "s5"]) == ["III", "III"]
    assert "tie: T2 (3 people)" in renamed.outcome("s3").reason  # type: ignore[union-attr]
    objects = tuple(packed)
    again = with_ties(objects, {2: tuple(named)})
    assert isinstance(again, tuple) and again[2].ties is not objects[2].ties and again[0] is objects[0]
    assert all(a is b for a, b in zip(again[2].ties, named, strict=True))
    assert [(at, len(ties)) for at, ties in tied(objects)] == [(2, 2)]


def test_no_groups_equals_an_empty_tuple() -> None:
    result = distribute(rule_of(), [people()[-1]], TREE)
    one: list[object] = [1]
    assert result.groups != one
    assert result.groups == () and list(result.groups) == [] and len(result.groups) == 0


def test_a_keys_text_pairs_are_shared_and_other_values_kept_apart() -> None:
    keys = GroupKeys(2)
    keys.append((("org", "sales"), ("level", 1)))
    keys.append((("org", "sales"), ("level", True)))
    keys.append((("org", "ops"), ("level", Decimal("1.0"))))
    assert [keys[i] for i in range(3)] == [
        (("org", "sales"), ("level", 1)),
        (("org", "sales"), ("level", True)),
        (("org", "ops"), ("level", Decimal("1.0"))),
    ]
    assert keys[0][0] is keys[1][0]
    assert type(keys[1][1][1]) is bool and str(keys[2][1][1]) == "1.0"


def test_pools_keep_spans_until_a_merge_changes_one() -> None:
    members = np.array([7, 3, 9, 1, 4, 8], dtype=np.int32)
    pools = Pools(members, [0, 2, 3, 6], [("a",), ("b",), ("c",)], [2, 0, 1])
    assert list(pools) == [("c",), ("a",), ("b",)] and len(pools) == 3
    assert [pools.size(k) for k in pools] == [3, 2, 1]
    assert pools[("c",)].positions().tolist() == [1, 4, 8]
    assert pools[("a",)] is not pools[("a",)]  # read only: made each time
    target = pools.setdefault(("a",), Pool([], own=False))
    assert pools.setdefault(("a",)) is target and pools[("a",)] is target and target.own
    moved = pools.pop(("b",))
    target.parts.extend(moved.parts)
    assert pools[("a",)].positions().tolist() == [7, 3, 9] and pools.size(("a",)) == 3
    new = pools.setdefault(("z",), Pool([], own=False))
    assert new.size == 0 and ("z",) in pools and ("b",) not in pools
    del pools[("c",)]
    del pools[("z",)]
    assert list(pools) == [("a",)] and pools.get(("b",)) is None
    with pytest.raises(KeyError):
        del pools[("b",)]


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_the_id_tie_sorts_on_the_ids_bytes_without_a_rank_a_person(order: str) -> None:
    ties = [{"field": "competency_score", "order": "descending"}, {"field": "id", "order": order}]
    rule = rule_of(ties=ties, min_group_size=1)
    many = [cand(pid, 5, "sales") for pid in ["b", "a", "é", "ab", "Ω", "H01"]]
    table = candidate_rows(rule, many).freeze()
    result = distribute_table(rule, table, SCORE, np.arange(len(table), dtype=np.int32))
    members = ["H01", "a", "ab", "b", "é", "Ω"]  # by the UTF-8 bytes, as the texts sort
    assert result.groups[0].members == tuple(members if order == "ascending" else reversed(members))
    assert result.groups[0].members == reference.distribute(rule, many).groups[0].members
    assert (table.ids._rank is None) == (order == "ascending")
