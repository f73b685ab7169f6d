"""CSV splitters for the columnar plan, side by side: CPU time to split a population into text
columns (no conversion), and to find each column's distinct cells.

    python bench/bench_readers.py [bench/out/japan_100k.csv] [--repeat 3]

Contenders: Python's csv module (what the per-record reader uses), Arrow's CSV reader in one
thread and in its thread pool, polars (skipped when not installed: it is not a dependency), and
numpy finding the line ends and commas only (a lower bound for a hand-made splitter).
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from collections.abc import Callable
from typing import Any


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="bench/out/japan_100k.csv")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    data = open(args.path, "rb").read()  # noqa: SIM115 (read once, whole)
    names = data[: data.index(b"\n")].decode("utf-8-sig").strip().split(",")
    rows = data.count(b"\n") - 1

    def arrow(threads: bool) -> Any:
        return pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(use_threads=threads, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )

    contenders: list[tuple[str, Callable[[], Any]]] = [
        ("csv module (rows of str)", lambda: sum(1 for _ in csv.reader(io.StringIO(data.decode())))),
        ("pyarrow.csv, 1 thread", lambda: arrow(False)),
        ("pyarrow.csv, thread pool", lambda: arrow(True)),
    ]
    try:
        import polars as pl

        contenders.append(
            ("polars (its thread pool)", lambda: pl.read_csv(data, infer_schema=False, quote_char=None))
        )
    except ImportError:
        print("polars: skipped (not installed)")
    raw = np.frombuffer(data, np.uint8)
    contenders.append(
        ("numpy: line ends and commas", lambda: (np.flatnonzero(raw == 10), np.flatnonzero(raw == 44)))
    )
    print(f"{args.path}: {len(data):,} bytes, {rows:,} rows, best of {args.repeat}, CPU time")
    for name, fn in contenders:
        seconds = best(args.repeat, fn)
        print(f"{name:34s} {seconds:7.3f} s  {rows / seconds:12,.0f} rows/s")
    table = arrow(False)
    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    seconds = best(args.repeat, lambda: [pc.dictionary_encode(c) for c in columns])
    print(f"{'pyarrow dictionary_encode, all columns':34s} {seconds:7.3f} s")


if __name__ == "__main__":
    main()
