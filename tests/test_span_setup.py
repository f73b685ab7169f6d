"""A stream's byte spans read with rules compiled once (what the columnar plan does with the
employees it leaves to the per-record path, :meth:`engine.evaluate.columnar.run.RangeJob._per_record`):
the generated row adder is written and compiled once for the file's header, not once a span,
and the spans share their columns' cell caches; the records are the same as each span read on
its own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine.io.rowcode as rowcode
from engine.io.model import compile_inputs
from engine.io.records import stream_csv
from tests.test_reader_reference import typed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

JAPAN = yaml.safe_load((ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8"))


def _spans(path: Path) -> list[tuple[int, int, int]]:
    """Each employee's rows as a byte span (start, end, first row): the file's employees one by one."""
    data = path.read_bytes()
    starts: list[tuple[int, int]] = []
    ids: list[bytes] = []
    at, row = data.index(b"\n") + 1, 2
    while at < len(data):
        emp = data[at : data.index(b",", at)]
        if not ids or ids[-1] != emp:
            starts.append((at, row))
            ids.append(emp)
        at, row = data.index(b"\n", at) + 1, row + 1
    ends = [s for s, _ in starts[1:]] + [len(data)]
    return [(s, e, r) for (s, r), e in zip(starts, ends, strict=True)]


def _read(path: Path, span: tuple[int, int, int], rules: Any) -> tuple[Any, Any]:
    scales = JAPAN.get("scales")
    stream, _, _, _ = stream_csv(str(path), JAPAN["inputs"], scales=scales, part=span, rules=rules)
    records = list(stream)
    return stream, (typed(records), [(p.rule, p.message, p.origin) for p in stream.part.rows])


def test_the_spans_share_one_compiled_reader_and_the_cell_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "japan.csv"
    generate(6, str(path), seed=11)
    spans = _spans(path)
    assert len(spans) == 6
    rules = compile_inputs(JAPAN["inputs"], JAPAN.get("scales"))
    written: list[int] = []
    body = rowcode._row_body

    def counted(shape: rowcode.Shape) -> list[str]:
        written.append(1)
        return body(shape)

    monkeypatch.setattr(rowcode, "_row_body", counted)
    rowcode._adder_code.cache_clear()
    streams = []
    for span in spans:
        stream, read = _read(path, span, rules)
        # the same records and problems as the span read with its own rules and fresh caches
        assert read == _read(path, span, None)[1]
        streams.append(stream)
    assert written == [1]  # one header: the text written once for the twelve reads
    first = [cache for _, _, _, cache in streams[0].plan.indicator]
    for stream in streams[1:]:
        assert all(a is b for a, b in zip(first, [c for *_, c in stream.plan.indicator], strict=True))
    assert first[[name for _, name, _, _ in streams[0].plan.indicator].index("category")] == {
        "performance": "performance",
        "process": "process",
    }
