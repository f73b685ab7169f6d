"""A distribution's rows packed from the columnar plan's integers (``Scaled`` columns,
engine/distribution/compact.py) against the same rows packed from their Decimals: the same
chunks (kind, integer type, values, places), and the Decimals' packing wherever the integers
cannot say (a denominator not a power of ten, a number too wide, a column not all ``Scaled``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from engine.distribution.compact import CHUNK, Rows, Scaled


def scaled(pairs: list[tuple[int, int]]) -> Scaled:
    """The Decimals ``num / den`` as the columnar plan writes them (``den`` = 10**places)."""
    decimals = [Decimal(n).scaleb(-(len(str(d)) - 1)) for n, d in pairs]
    return Scaled(
        decimals,
        np.array([n for n, _ in pairs], dtype=np.int64),
        np.array([d for _, d in pairs], dtype=np.int64),
    )


def chunks(rows: Rows) -> list[Any]:
    rows._gather()
    shown = []
    for column in rows._chunks:
        for chunk in column:
            kind, values = chunk[0], chunk[1]
            if kind == "object":
                shown.append((kind, [(str(v), type(v)) for v in values]))
            else:
                shown.append((kind, values.dtype.str, values.tolist(), chunk[2]))
    return shown


def packed(columns: list[list[Any]], *, numbers: bool = True) -> tuple[list[Any], list[Any]]:
    """The chunks of ``columns`` given as they are, and given as plain lists of their values."""
    names = [f"c{i}" for i in range(len(columns))]
    ids = [f"e{i}" for i in range(len(columns[0]))]
    as_given, as_lists = Rows(names, [numbers] * len(names)), Rows(names, [numbers] * len(names))
    as_given.extend(ids, columns)
    as_lists.extend(ids, [list(c) for c in columns])
    return chunks(as_given), chunks(as_lists)


@pytest.mark.parametrize(
    "pairs",
    [
        [(8750, 100), (875, 10), (0, 100), (-1, 1000), (12, 1)],  # places 2, 1, 2 (0.00), 3, 0
        [(5, 1), (7, 1), (5, 1)],  # integers
        [(2**40, 100), (-(2**40), 1)],  # wider than int32: int64
        [(1, 10**18), (9, 1)],  # 18 places
    ],
)
def test_scaled_columns_pack_as_their_decimals(pairs: list[tuple[int, int]]) -> None:
    given, lists = packed([scaled(pairs)])
    assert given == lists
    assert given[0][0] == "number"


def test_the_integers_are_packed_not_the_decimals() -> None:
    given, _ = packed([scaled([(8750, 100), (875, 10), (0, 100), (-1, 1000), (12, 1)])])
    assert given == [("number", "<i4", [87500, 87500, 0, -1, 12000], 3)]
    # Decimals that disagree with their integers (never so from the plan): the integers are read
    column = Scaled([Decimal(0), Decimal(0)], np.array([5, 7]), np.array([10, 100]))
    assert packed([column])[0] == [("number", "<i4", [50, 7], 2)]


@pytest.mark.parametrize(
    "pairs",
    [
        [(2**62, 100), (1, 1)],  # 2**62 * 100 does not fit 64 bits: objects, as the Decimals say
        [(1, 3), (2, 1)],  # not a power of ten (the plan never writes one: the Decimals decide)
    ],
)
def test_what_the_integers_cannot_say_the_decimals_decide(pairs: list[tuple[int, int]]) -> None:
    column = scaled(pairs)
    if pairs[0][1] == 3:  # (the Decimals of such a column: whatever they are, they decide)
        column = Scaled([Decimal(1) / 3, Decimal(2)], column.num, column.den)
    given, lists = packed([column])
    assert given == lists


def test_a_column_not_all_scaled_is_packed_from_its_decimals() -> None:
    rows, reference = Rows(["s"], [True]), Rows(["s"], [True])
    rows.extend(["a", "b"], [scaled([(1, 10), (2, 10)])])
    rows.extend(["c"], [[Decimal("3.125")]])  # plain Decimals: the chunk packs its Decimals
    reference.extend(["a", "b", "c"], [[Decimal("0.1"), Decimal("0.2"), Decimal("3.125")]])
    assert chunks(rows) == chunks(reference) == [("number", "<i4", [100, 200, 3125], 3)]
    rows, reference = Rows(["s"], [True]), Rows(["s"], [True])
    rows.extend(["a"], [scaled([(1, 10)])])
    rows.append("b", [Decimal("7")])  # one person appended: the same
    reference.extend(["a", "b"], [[Decimal("0.1"), Decimal("7")]])
    assert chunks(rows) == chunks(reference)


def test_the_integers_follow_their_chunk() -> None:
    # more people than a chunk: that chunk packed from its own integers, the next from its own
    n = CHUNK + 5
    pairs = [(k, 100 if k % 2 else 10) for k in range(n)]
    rows, reference = Rows(["s"], [True]), Rows(["s"], [True])
    rows.extend([f"e{k}" for k in range(n)], [scaled(pairs)])
    rows.extend(["last"], [scaled([(3, 1)])])
    reference.extend([f"e{k}" for k in range(n)], [list(scaled(pairs))])
    reference.extend(["last"], [[Decimal(3)]])
    found = chunks(rows)
    assert found == chunks(reference)
    assert [(c[3], len(c[2])) for c in found] == [(2, n), (0, 1)]


def test_ids_holding_a_nul_are_kept_as_texts() -> None:
    rows = Rows(["s"], [True])
    rows.extend(["a\x00", "b"], [[Decimal(1), Decimal(2)]])
    rows._gather()
    assert rows._id_chunks[0].dtype == object and rows._id_chunks[0].tolist() == ["a\x00", "b"]
    rows = Rows(["s"], [True])
    rows.extend(["", "é"], [[Decimal(1), Decimal(2)]])
    rows._gather()
    assert rows._id_chunks[0].tolist() == [b"", "é".encode()]
