"""The employee fields a distribution reads (its groups and tie keys), per employee of a chunk,
as the per-record reader's record holds them: text stripped, a code's text, the default of a
blank field, :data:`~engine.evaluate.relative.ABSENT` where the record has none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from engine.evaluate.columnar.reading import FieldPlan
from engine.evaluate.columnar.vectors import Col, Unsupported
from engine.evaluate.relative import ABSENT
from engine.io.model import RecordRules


def kept_fields(
    names: Sequence[str],
    fields: Sequence[FieldPlan],
    person: dict[str, Col],
    head: Callable[[int], pa.Array],
    n: int,
    rules: RecordRules,
) -> dict[str, list[Any]]:
    """``names`` (employee fields) -> each employee's value (``head``: a column's cells in each
    employee's first row; ``n`` employees); :class:`Unsupported` for a field of a kind the plan does not give
    back (numbers, dates)."""
    by_name = {f.name: f for f in fields}
    out: dict[str, list[Any]] = {}
    for name in names:
        found = by_name.get(name)
        rule = rules.employee[name]
        default = rule.default if rule.has_default and rule.default is not None else ABSENT
        if found is None:
            out[name] = [default] * n
        elif found.kind == "text":
            cells = head(found.column).to_pylist()
            out[name] = [(cell.strip() or default) if cell else default for cell in cells]
        elif found.kind == "cat":
            col = person[name]
            assert col.codes is not None
            vocab = found.vocab
            out[name] = [
                ABSENT if blank else vocab[code]
                for code, blank in zip(col.codes.tolist(), col.missing.tolist(), strict=True)
            ]
        else:
            raise Unsupported(f"a distribution reads field {name} of kind {found.kind}")
    return out
