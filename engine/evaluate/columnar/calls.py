"""The policy's own formula functions over columns: ``points(scale, code)``.

Each is bound to the policy's declarations once (a scale's levels), as
:mod:`engine.formula.scopes` binds the per-record ones, and gives for each row what the
per-record function gives, or ``bad`` where that function would fail (a code without points,
a missing code): that row then takes the per-record path, which reports the error.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from engine.evaluate.columnar.numbers import Num
from engine.evaluate.columnar.vectors import Call, Col, Unsupported, constant


def policy_calls(data: Mapping[str, Any]) -> dict[str, Call]:
    """The functions of policy ``data`` the walker evaluates over columns."""
    return {"points": _points(data.get("scales") or {})}


def _points(scales: Mapping[str, Any]) -> Call:
    def call(args: list[Col], node: ast.Call) -> Col:
        first = node.args[0] if node.args else None
        if len(args) != 2 or not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            raise Unsupported("points() of a scale not named in the formula")
        code = args[1]
        if code.kind != "cat" or code.codes is None:
            raise Unsupported("points() of a value that is not a scale code")
        levels = (scales.get(first.value) or {}).get("levels") or ()
        return _lookup(code, [_points_of(levels, text) for text in code.vocab])

    return call


def _points_of(levels: Any, text: str) -> Decimal | None:
    """The points of the first level coded ``text`` that has points (the per-record rule)."""
    for level in levels:
        if str(level.get("code")) == text and level.get("points") is not None:
            return Decimal(level["points"])
    return None


def _lookup(code: Col, table: list[Decimal | None]) -> Col:
    """Each row's code looked up in ``table`` (None: the per-record function fails)."""
    assert code.codes is not None
    size = max(len(table), 1)
    nums = np.zeros(size, np.int64)
    dens = np.ones(size, np.int64)
    fails = np.ones(size, bool)
    for k, value in enumerate(table):
        if value is None:
            continue
        exact = constant(value, 1).num
        assert exact is not None
        nums[k], dens[k], fails[k] = exact.num[0], exact.den[0], False
    index = np.clip(code.codes, 0, size - 1)
    bad = fails[index] | code.missing | code.bad | (code.codes < 0) | (code.codes >= len(table))
    n = len(index)
    return Col("num", np.zeros(n, bool), bad, Num(nums[index], dens[index], np.zeros(n, bool), bad))
