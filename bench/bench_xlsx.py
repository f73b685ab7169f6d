"""Reading an .xlsx population's rows, side by side in one run: the sheet's XML read straight
(engine/io/sheetrows.py, what the reader does now) and through openpyxl's read-only sheet (what
it did before, still its path for a sheet it does not read plainly); then ``hrpolicy evaluate``
of the workbook as a whole, against the same people as CSV.

    python bench/bench_xlsx.py --count 20000 --repeat 3 [--data DIR]

The workbook is ``bench/gen_formats.py``'s (openpyxl's write-only mode: inline strings, no
``<dimension>``), made once in ``--data``. CPU time of this process for the rows (best of
``--repeat``, each round running both in turn); wall time of the command (best of ``--repeat``).
Both readers must give the same rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_formats import generate as generate_workbook  # noqa: E402
from bench.gen_population import generate as generate_csv  # noqa: E402
from engine.io import xlsxfile  # noqa: E402


def rows(path: str, plain: bool) -> list[Any]:
    """Every row of the workbook's sheet, by the plain reader (falling back as the reader
    does) or by openpyxl's cells alone."""
    book = xlsxfile._open(path, path)
    try:
        sheet = book.worksheets[0]
        if plain:
            return list(xlsxfile._rows(book, sheet))
        return list(xlsxfile._openpyxl_rows(book, sheet, xlsxfile._percent_styles(book), None, 0))
    finally:
        book.close()


def best(repeat: int, contenders: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, Any]]:
    found: dict[str, tuple[float, Any]] = {}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.process_time()
            result = fn()
            took = time.process_time() - start
            if name not in found or took < found[name][0]:
                found[name] = (took, result)
    return found


def command(args: list[str], repeat: int) -> float:
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "engine", *args], check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
    return min(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--data", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, f"japan_{args.count}.xlsx")
    csv_path = os.path.join(args.data, f"japan_{args.count}_formats.csv")
    if not os.path.exists(path):
        generate_workbook(args.count, path)
    if not os.path.exists(csv_path):
        generate_csv(args.count, csv_path)  # (the same people, seed for seed)
    found = best(args.repeat, {"plain": lambda: rows(path, True), "openpyxl": lambda: rows(path, False)})
    assert found["plain"][1] == found["openpyxl"][1], "the readers give other rows"
    count = len(found["plain"][1])
    print(f"{args.count} japan employees, {path} ({os.path.getsize(path):,} bytes, {count:,} rows)")
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    plain, before = found["plain"][0], found["openpyxl"][0]
    print(f"  rows, read straight from the XML   {plain:7.2f} s CPU  {plain / count * 1e6:6.2f} us a row")
    print(f"  rows, through openpyxl's cells     {before:7.2f} s CPU  {before / count * 1e6:6.2f} us a row")
    print(f"  openpyxl / straight                {before / plain:7.2f}x")
    out = os.path.join(args.data, "bench_xlsx_out.csv")
    policy = str(ROOT / "policies" / "japan_mbo.yaml")
    wall = command(["evaluate", policy, path, "--format", "csv", "-o", out, "--no-progress"], args.repeat)
    print(f"  hrpolicy evaluate {os.path.basename(path)} -> CSV   {wall:7.2f} s wall")
    same = command(["evaluate", policy, csv_path, "--format", "csv", "-o", out, "--no-progress"], args.repeat)
    print(f"  the same people as CSV             {same:7.2f} s wall")


if __name__ == "__main__":
    main()
