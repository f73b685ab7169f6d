"""Reading tables as issue 15 made them read: the UTF-8 check and encoding detection of a CSV
file, and an .xlsx sheet read with its cells' number formats (for percent cells) against
openpyxl's plain values, on a generated japan_mbo population.

    python bench/bench_tables.py 20000 [--seed 7]

Prints seconds per step (best of 3) and rows per second; no assertion (see bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl

from bench.gen_population import generate
from engine.io.csvfile import choose_encoding, read_csv_rows
from engine.io.xlsxfile import read_xlsx_rows


def best(step: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_values(path: str) -> int:
    """openpyxl's own read-only values: what the reader did before percent and formula cells."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="employees")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-tables-"))
    utf8 = folder / "people.csv"
    generate(args.count, str(utf8), args.seed)
    rows = list(csv.reader(utf8.open(encoding="utf-8")))
    sjis = folder / "people-sjis.csv"
    sjis.write_bytes(utf8.read_text(encoding="utf-8").encode("cp932"))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    xlsx = folder / "people.xlsx"
    book.save(xlsx)
    print(f"{args.count} employees, {len(rows) - 1} rows, CSV {utf8.stat().st_size} bytes")
    steps = {
        "CSV UTF-8: choose (a sample)": lambda: choose_encoding(str(utf8), "b", None),
        "CSV read, UTF-8": lambda: sum(1 for _ in read_csv_rows(str(utf8), "b")),
        "CSV Shift_JIS: detect": lambda: choose_encoding(str(sjis), "b", None),
        "CSV read, cp932": lambda: sum(1 for _ in read_csv_rows(str(sjis), "b", "cp932")),
        "xlsx openpyxl plain values": lambda: plain_values(str(xlsx)),
        "xlsx read with formats (hrpolicy)": lambda: sum(1 for _ in read_xlsx_rows(str(xlsx), "b")),
    }
    for name, step in steps.items():
        seconds = best(step)
        print(f"{name:38s} {seconds:8.3f} s  {(len(rows) - 1) / seconds:12,.0f} rows/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
