"""The ids met while a table is read (engine/io/ids.py): exact whatever the order, compact when
the ids come in increasing order."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.io.ids import SeenIds, disjoint


def test_ids_in_order_then_out_of_order_then_again() -> None:
    """Blocks of 3: E1-E3 and E4-E6 joined, E7 in the block being filled; E35 and E0 came out
    of order (kept apart), an id with the separator in it too; each is met once."""
    seen = SeenIds(block=3)
    assert all(seen.add(f"E{n}") for n in range(1, 8))
    assert seen._blocks == ["\x00E1\x00E2\x00E3\x00", "\x00E4\x00E5\x00E6\x00"] and seen._block == ["E7"]
    assert [seen.add(f"E{n}") for n in range(1, 8)] == [False] * 7
    assert "E35" not in seen and "E0" not in seen and "E" not in seen and "E8" not in seen
    assert seen.add("E35") and seen.add("E0") and not seen.add("E35") and not seen.add("E0")
    assert seen.add("E9\x00x") and not seen.add("E9\x00x") and "E9" not in seen
    assert seen.add("E8") and not seen.add("E8") and seen._block == ["E7", "E8"]
    assert len(seen) == 11
    assert sorted(seen) == sorted([*(f"E{n}" for n in range(0, 9)), "E35", "E9\x00x"])


@given(st.lists(st.lists(st.text(alphabet="ab\x00", max_size=4), max_size=8), max_size=12), st.integers(1, 5))
def test_seen_ids_answer_as_a_set_does(runs: list[list[str]], block: int) -> None:
    """Runs of ids added one by one (odd runs) or at once (even runs, sorted half the time)."""
    seen, reference = SeenIds(block=block), set[str]()
    for number, run in enumerate(runs):
        if number % 2:
            for emp_id in run:
                assert (emp_id in seen) == (emp_id in reference)
                assert seen.add(emp_id) == (emp_id not in reference)
                reference.add(emp_id)
            continue
        run = sorted(run) if number % 4 == 0 else run
        fresh = not (set(run) & reference) and len(set(run)) == len(run)
        assert seen.add_run(run) == fresh
        if not fresh:  # some noted, some not: start again from what the spool says it holds
            reference = set(seen)
        reference.update(run if fresh else ())
    assert len(seen) == len(reference) and sorted(seen) == sorted(reference)
    assert seen == reference and seen == SeenIds(reference)


def test_a_hundred_thousand_sorted_ids_take_about_a_megabyte() -> None:
    """100,000 ids of 8 characters: 97 joined blocks of 1,024 (9 bytes an id) and the block
    being filled, about 1 MiB, where a set of the strings takes about 9 MiB."""
    ids = [f"E{n:07d}" for n in range(100_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        seen = SeenIds(ids)
        compact = tracemalloc.get_traced_memory()[0] - before
        as_set = set(f"F{n:07d}" for n in range(100_000))
        plain = tracemalloc.get_traced_memory()[0] - before - compact
    finally:
        tracemalloc.stop()
    assert len(seen) == 100_000 and len(as_set) == 100_000
    assert compact < 1.5 * 2**20 < 8 * 2**20 < plain


def test_bounds_only_while_every_id_came_in_increasing_order() -> None:
    seen = SeenIds(["E1", "E2", "E5"], block=2)  # (one full block and one being filled)
    assert seen.bounds() == ("E1", "E5")
    assert SeenIds().bounds() is None
    seen.add("E3")  # out of order: kept in the set, the bounds no longer say where every id is
    assert seen.bounds() is None


def test_disjoint_parts() -> None:
    first, second = SeenIds(["A1", "A2"], block=2), SeenIds(["B1", "B2", "B3"], block=2)
    assert disjoint([first, SeenIds(), second])  # at once: each part after the one before
    assert not disjoint([first, SeenIds(["A2", "C1"])])  # the same id in two parts
    assert disjoint([SeenIds(["A1", "C1"]), SeenIds(["B1", "D1"])])  # interleaved: id by id
    assert not disjoint([SeenIds(["A1", "C1"]), SeenIds(["B1", "C1"])])
    assert not disjoint([SeenIds(["C1", "A1"]), SeenIds(["A1"])])  # out of order, then the same id
    assert not disjoint([["B1", "A1"], {"A1"}])  # other collections: id by id
    assert disjoint([second, first]) and disjoint([["B1"], ["A1"]])


def test_sorted_parts_are_not_read_id_by_id() -> None:
    class Unread(SeenIds):
        def __iter__(self) -> Iterator[str]:
            raise AssertionError("read id by id")

    assert disjoint([Unread(["A1", "A2"]), Unread(["B1"])])
    with pytest.raises(AssertionError, match="id by id"):
        disjoint([Unread(["B1"]), Unread(["A1"])])
