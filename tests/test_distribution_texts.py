"""A forced distribution's rows hold each text of a column once, and a column equal to another
once (engine/distribution/texts.py, engine/distribution/compact.py)."""

from __future__ import annotations

import pickle
import tracemalloc
from decimal import Decimal

import numpy as np
import pytest

from engine.distribution import compact as compact_module
from engine.distribution.compact import ABSENT, Rows
from engine.distribution.texts import Texts, recoded


def test_a_table_numbers_texts_in_the_order_first_met_across_chunks() -> None:
    texts = Texts()
    first = texts.encode(["b", "a", ABSENT, "b"], ABSENT)
    second = texts.encode(["c", "a"], ABSENT)
    assert first.tolist() == [0, 1, -1, 0] and second.tolist() == [2, 1]
    assert list(texts) == ["b", "a", "c"] and texts[2] == "c" and len(texts) == 3
    again = pickle.loads(pickle.dumps(texts))
    assert list(again) == ["b", "a", "c"] and again.encode(["a", "d"], ABSENT).tolist() == [1, 3]
    # 128 texts and -1 no longer fit a byte
    assert Texts().encode([f"t{k}" for k in range(128)], ABSENT).dtype == np.int16


def test_chunks_sharing_a_table_are_recoded_once_in_first_seen_order() -> None:
    shared = Texts(["x", "y"])
    own = ("y", "z")
    names, maps = recoded([shared, own, shared])
    assert names == ("x", "y", "z")
    assert [m.tolist() for m in maps] == [[0, 1, -1], [1, 2, -1], [0, 1, -1]]
    assert maps[0] is maps[2]


def test_a_columns_texts_are_held_once_not_once_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """64 chunks of 1,000 people over 900 organisations of 30 characters: with a table a chunk
    (each chunk met nearly every organisation) the rows held 64 x 900 texts, some 5 MB; one
    table for the column holds 900 (about 80 KB) beside 2 bytes a person of codes."""
    monkeypatch.setattr(compact_module, "CHUNK", 1000)
    orgs = [f"organisation-{k:04d}-{'x' * 12}" for k in range(900)]
    n = 64_000
    tracemalloc.start()
    try:
        rows = Rows(["org"], [False])
        for i in range(n):
            rows.append(f"P{i:06d}", [orgs[(i * 7) % 900]])
        before = tracemalloc.get_traced_memory()[0]
        rows._gather()  # every chunk back in memory, as before a freeze or a pickle
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # the ids (7 bytes) and codes (2 bytes) of 64,000 people, the table once, the chunk lists
    assert held < 9 * n + 200_000
    table = rows.freeze()
    column = table.columns["org"]
    assert column.texts == tuple(orgs[(i * 7) % 900] for i in range(900))
    assert column.data.dtype == np.int16 and column.value(n - 1) == orgs[((n - 1) * 7) % 900]


def test_rows_of_two_processes_keep_their_tables_apart() -> None:
    mine, theirs = Rows(["org"], [False]), Rows(["org"], [False])
    for k, org in enumerate(["a", "b", "a"]):
        mine.append(f"m{k}", [org])
    for k, org in enumerate(["c", ABSENT, "b"]):
        theirs.append(f"t{k}", [org])
    mine += pickle.loads(pickle.dumps(theirs))
    mine.append("m3", ["d"])
    assert list(mine) == [
        ("m0", "a"), ("m1", "b"), ("m2", "a"), ("t0", "c"), ("t1", ABSENT), ("t2", "b"), ("m3", "d")
    ]  # fmt: skip
    column = mine.freeze().columns["org"]
    assert column.texts == ("a", "b", "d", "c")  # each table read once, in the order met
    assert [column.value(p) for p in range(7)] == ["a", "b", "a", "c", ABSENT, "b", "d"]


@pytest.mark.parametrize("chunk", [2, 1000])
def test_a_column_equal_to_another_is_held_once(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """kumho: each distribution's score is the other one's tie key. Equal packed values are
    one chunk and one column (spilled, pickled and joined so); a column equal in value but of
    other types (an int, a None) stays its own."""
    monkeypatch.setattr(compact_module, "CHUNK", chunk)
    rows = Rows(["s0", "s1", "t0", "raw"], [True, True, True, True])
    for i in range(7):
        score = Decimal(i % 3).scaleb(-1)
        rows.append(f"e{i}", [score, Decimal(i), Decimal(score), i % 3 if i else None])
    rows = pickle.loads(pickle.dumps(rows))
    table = rows.freeze()
    s0, s1, t0, raw = (table.columns[n] for n in ("s0", "s1", "t0", "raw"))
    assert t0 is s0 and s1 is not s0 and raw is not s0
    assert s0.kind == "number" and s0.data.tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert raw.kind == "object" and raw.data == [None, 1, 2, 0, 1, 2, 0]
