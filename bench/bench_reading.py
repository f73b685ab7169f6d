"""What the columnar plan's reading of one 8 MB chunk costs, part by part, CPU time:

    python bench/bench_reading.py [--file F] [--repeat R]

The first 8 MB of japan_mbo employees (``--file``, default a 100,000-employee population made once
by bench/gen_population.py into bench/out): Arrow's reader with every column, with the columns the
plan reads as arrays only (15 of 29: what ``ConvertOptions.include_columns`` could save), with one;
its UTF-8 check per cell against one check of the whole chunk; the byte-order mark searched for
as three bytes against a ``memchr`` of 0xEF first; ``normalized``; ``line_starts``; and, for
comparison, the chunk cut at its commas and line ends with numpy (``np.flatnonzero``), the first
step of a reader of our own. Best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_readers import best  # noqa: E402
from gen_population import generate  # noqa: E402

from engine.evaluate.columnar import reading  # noqa: E402

#: The columns japan_mbo's plan reads as arrays (ids, names, numbers, enums, booleans).
NEEDED = (0, 1, 2, 3, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 24)
JAPAN_WIDTH = 29


def arrow(data: bytes, width: int, columns: tuple[int, ...], check_utf8: bool) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(use_threads=False, column_names=names, block_size=len(data) + 1),
        parse_options=pcsv.ParseOptions(quote_char=False, newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            include_columns=[names[c] for c in columns],
            strings_can_be_null=False,
            check_utf8=check_utf8,
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", default=str(ROOT / "bench" / "out" / "japan_100000.csv"))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    path = Path(args.file)
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        generate(100_000, str(path), 7)
    with path.open("rb") as handle:
        width = len(handle.readline().split(b","))
        data = handle.read(8 * 2**20)
    data = data[: data.rfind(b"\n") + 1]
    raw = np.frombuffer(data, np.uint8)
    starts = reading.line_starts(data)
    frame = reading.read_chunk(data, width, starts)
    assert frame is not None
    every = tuple(range(width))
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("read_chunk (as the plan reads)", lambda: reading.read_chunk(data, width, starts)),
        (f"Arrow, {width} columns, UTF-8 checked per cell", lambda: arrow(data, width, every, True)),
        (f"Arrow, {width} columns, unchecked", lambda: arrow(data, width, every, False)),
        ("Arrow, 1 column, unchecked", lambda: arrow(data, width, (0,), False)),
        ("UTF-8 of the whole chunk, once", lambda: reading._utf8(data)),
        ("byte-order mark: 3-byte search", lambda: b"\xef\xbb\xbf" in data),
        ("byte-order mark: memchr of 0xEF first", lambda: reading._has_bom(data)),
        ("normalized (NFC)", lambda: reading.normalized(frame)),
        ("line_starts", lambda: reading.line_starts(data)),
        ("numpy: every comma and line end", lambda: np.flatnonzero((raw == 44) | (raw == 10))),
    ]
    if width == JAPAN_WIDTH:
        label = f"Arrow, japan_mbo's {len(NEEDED)} columns, unchecked"
        parts.insert(3, (label, lambda: arrow(data, width, NEEDED, False)))
    print(f"{len(data):,} bytes, {len(starts) - 1:,} lines, {width} columns; CPU ms, best of {args.repeat}")
    for label, fn in parts:
        print(f"{label}: {best(args.repeat, fn) * 1000:.1f}")


if __name__ == "__main__":
    main()
