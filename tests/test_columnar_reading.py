"""The plan's reading of a chunk's bytes (engine/evaluate/columnar/reading.py): the cheap checks
that decide whether Arrow's columns are the per-record reader's cells (a byte-order mark
searched only where a byte 0xEF is, UTF-8 checked once for the chunk, ASCII columns told from
their bytes), each hit and each fallback, and whole reports byte for byte against the plan
switched off (``HRPOLICY_COLUMNAR=0``)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from helpers import csv_rows

from engine.errors import DataError
from engine.evaluate import Engine
from engine.evaluate.columnar import reading
from engine.evaluate.columnar import run as columnar
from engine.evaluate.parallel import whole_range
from engine.report.results import SPLIT_RENDERERS
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

#: Full-width text: its UTF-8 holds bytes 0xEF (U+FF08 is EF BC 88), as no byte-order mark does.
WIDE = "（短期）ＡＢＣ"


def test_a_chunk_with_bytes_0xef_but_no_byte_order_mark_is_read() -> None:
    data = f"E1,{WIDE}\r\nE2,x\r\n".encode()
    assert b"\xef" in data
    frame = reading.read_chunk(data, 2)
    assert frame is not None
    assert [column.to_pylist() for column in frame] == [["E1", "E2"], [WIDE, "x"]]


@pytest.mark.parametrize("cell", ["\ufeffx", "x\ufeff", f"{WIDE}\ufeff"])
def test_a_chunk_with_a_byte_order_mark_anywhere_is_left_to_the_reader(cell: str) -> None:
    assert reading.read_chunk(f"E1,ok\nE2,{cell}\n".encode(), 2) is None


@pytest.mark.parametrize(
    "data",
    [
        b"E1,\xff\nE2,x\n",  # a byte UTF-8 never has
        "E1,あ\n".encode()[:-2] + b"\n",  # a character cut short
        b"E1,x\nE2,\xed\xa0\x80\n",  # a surrogate
        "E1,ａ\n".encode() + b"E2,\xc3\n",  # after valid non-ASCII cells
    ],
)
def test_a_chunk_that_is_not_utf8_is_left_to_the_reader(data: bytes) -> None:
    """Arrow no longer checks the cells one by one: the chunk is checked whole."""
    assert reading.read_chunk(data, 2) is None


def test_an_ascii_chunk_is_read_without_the_utf8_check() -> None:
    frame = reading.read_chunk(b"E1,a\nE2,b", 2)
    assert frame is not None and frame[1].to_pylist() == ["a", "b"]


def test_normalized_tells_ascii_columns_by_the_bytes_of_their_own_cells_only() -> None:
    """A slice of a column (its bytes a part of a larger buffer) is judged on its own cells."""
    column = pa.array(["Jose\u0301", "plain", "e\u0301", "ascii"])  # NFD around ASCII cells
    assert reading.normalized([column.slice(1, 1), column.slice(3, 1)])
    assert not reading.normalized([column.slice(0, 2)])
    assert not reading.normalized([column.slice(2, 2)])
    assert reading.normalized([pa.array(["", ""]), pa.array([WIDE, "a"])])
    empty = pa.array([], pa.string())
    assert reading.normalized([empty, pa.array(["", "x"]).slice(2)])


def _population(folder: Path, mark: bool = False) -> Path:
    """120 generated employees whose text holds full-width characters (bytes 0xEF), one with a
    non-NFC goal title; ``mark``: one with a byte-order mark inside a goal title."""
    path = folder / "wide.csv"
    generate(120, str(path), seed=5)
    rows = csv_rows(path)
    header, body = rows[0], rows[1:]
    title = header.index("title")
    for number, row in enumerate(body):
        row[title] = f"{row[title]}{WIDE}" if number % 3 else row[title]
    if mark:
        body[200][title] = "売上\ufeff高"
    body[400][title] = "Cafe\u0301"
    out = io.StringIO()
    for row in [header, *body]:
        out.write(",".join(row) + "\r\n")
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


@pytest.mark.parametrize("workers", [2, 3])
def test_reports_with_wide_text_are_byte_identical(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _population(tmp_path)
    texts, notes = [], []
    for switch in ("0", "1"):
        monkeypatch.setenv(columnar.SWITCH, switch)
        out = io.StringIO()
        outcome = write_report(
            Engine.from_file(JAPAN), str(path), "csv", out, workers=workers, min_bytes=1000
        )
        texts.append(out.getvalue())
        notes.append([f"{p.origin} {p.rule} {p.message}" for p in (*outcome.problems, *outcome.warnings)])
    assert texts[1] == texts[0]
    assert notes[1] == notes[0]
    assert len(texts[0].splitlines()) > 100  # (the employees are graded, not refused)


def test_a_byte_order_mark_inside_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _population(tmp_path, mark=True)
    messages = []
    for switch in ("0", "1"):
        monkeypatch.setenv(columnar.SWITCH, switch)
        with pytest.raises(DataError) as caught:
            write_report(Engine.from_file(JAPAN), str(path), "csv", io.StringIO(), workers=2, min_bytes=1000)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "row 202: a byte order mark (U+FEFF) is only allowed as the file's first character" in messages[0]


def test_the_plan_reads_the_wide_chunks_itself(tmp_path: Path) -> None:
    """The chunks with full-width text go through the plan; only the employees of the chunk
    holding the non-NFC title go through the per-record path."""
    path = _population(tmp_path)
    engine = Engine.from_file(JAPAN)
    part = whole_range(str(path))
    assert part is not None
    spans: list[int] = []
    real = columnar._Job._per_record

    def counting(self: columnar._Job, begin: int, finish: int, first_row: int) -> object:
        spans.append(finish - begin)
        return real(self, begin, finish, first_row)

    columnar._Job._per_record = counting  # type: ignore[method-assign]
    try:
        planned = columnar._columnar(engine, str(path), part, None, SPLIT_RENDERERS["csv"], None, None, 2**13)
    finally:
        columnar._Job._per_record = real  # type: ignore[method-assign]
    assert planned is not None
    assert 1 <= len(spans) <= 4
    assert sum(spans) < path.stat().st_size // 4
