"""kumho_like end to end (forced distributions) from CSV, as a user runs it: wall, CPU, peak RSS.

    python bench/bench_kumho.py [--sizes 100000 1000000] [--formats csv json] [--whole]
                                [--per-record] [--dir /tmp/b]

Each population is generated once (bench/gen_kumho.py, seed 7, under bench/out/); each run is
``hrpolicy evaluate policies/kumho_like.yaml <file> --format F -o <out> --no-progress`` timed by
bench/measure.py (CPU of every process, peak RSS summed over the process tree). ``--whole``
also times the whole-file path (the library's ``Engine.evaluate`` over ``Engine.read`` and the
renderer, as before streaming) and checks that both outputs are the same bytes; ``--per-record``
also times the streamed run with the exact columnar plan switched off (``HRPOLICY_COLUMNAR=0``)
and compares the bytes. ``--dir`` keeps the populations and outputs elsewhere than bench/out
(they are big).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate  # noqa: E402
from bench.measure import measure  # noqa: E402

POLICY = str(ROOT / "policies" / "kumho_like.yaml")
OUT = ROOT / "bench" / "out"

#: The whole-file path, for comparison: every record and result held at once.
WHOLE = """
import sys
from engine.evaluate import Engine
from engine.report.model import stamped
from engine.report.results import RENDERERS
policy, data, fmt, out = sys.argv[1:]
engine = Engine.from_file(policy)
text = stamped(fmt, [engine.policy.stamp], str(RENDERERS[fmt](engine.evaluate(engine.read(data)))))
with open(out, "w", encoding="utf-8", newline="") as handle:
    handle.write(("\\ufeff" if fmt == "csv" else "") + text)
"""


def hrpolicy(size: int) -> list[str]:
    """The command: ``hrpolicy`` itself (a million kumho employees, 11.3 million rows, are within
    engine.limits.MAX_ROWS since it was raised to 50 million for streamed tables)."""
    del size
    return ["hrpolicy"]


def population(size: int, folder: Path = OUT) -> str:
    path = folder / f"kumho_{size}.csv"
    if not path.exists():
        generate(size, str(path), seed=7)
    return str(path)


def line(label: str, result: tuple[float, float, int, int, int]) -> str:
    wall, cpu, peak, seen, code = result
    summed = f"peak RSS summed {peak / 1024:6.0f} MiB ({seen} processes, exit {code})"
    return f"  {label:<20} wall {wall:7.2f} s  CPU {cpu:7.2f} s  {summed}"


def main() -> int:
    # The read-time bound counts evaluation too when a file is streamed: a loaded machine may
    # need more than the default 600 s for a million employees.
    os.environ.setdefault("HRPOLICY_MAX_READ_SECONDS", "3600")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "json"])
    parser.add_argument("--whole", action="store_true", help="also time the whole-file path and compare")
    parser.add_argument("--per-record", action="store_true", help="also time HRPOLICY_COLUMNAR=0 and compare")
    parser.add_argument("--dir", type=Path, default=OUT, help="where the populations and outputs go")
    args = parser.parse_args()
    for size in args.sizes:
        data = population(size, args.dir)
        print(f"kumho_like, {size:,} employees ({os.path.getsize(data) / 2**20:.0f} MiB CSV)")
        for fmt in args.formats:
            out = str(args.dir / f"kumho_{size}.out.{fmt}")
            command = [*hrpolicy(size), "evaluate", POLICY, data, "--format", fmt, "-o", out, "--no-progress"]
            print(line(f"streamed {fmt}", measure(command)), flush=True)
            if args.per_record:
                os.environ["HRPOLICY_COLUMNAR"] = "0"
                plain = out + ".per-record"
                print(line(f"per-record {fmt}", measure([*command[:-2], plain, "--no-progress"])))
                del os.environ["HRPOLICY_COLUMNAR"]
                print(f"  same bytes: {filecmp.cmp(out, plain, shallow=False)}", flush=True)
            if args.whole:
                whole = out + ".whole"
                command = [sys.executable, "-c", WHOLE, POLICY, data, fmt, whole]
                print(line(f"whole file {fmt}", measure(command)))
                print(f"  same bytes: {filecmp.cmp(out, whole, shallow=False)}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    subprocess.run(["hrpolicy", "--version"], check=True, capture_output=True)  # installed
    raise SystemExit(main())
