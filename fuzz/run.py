#!/usr/bin/env python3
"""Run the fuzz targets for a given time; print executions and crashes per target.

    python fuzz/run.py --seconds 600                 # every target, the time shared out
    python fuzz/run.py --seconds 300 --target formula

Each target runs in its own process, one after the other (never two at once), under atheris
(libFuzzer, coverage-guided over the ``engine`` package) when it is installed
(``pip install '.[fuzz]'``), else under hypothesis (random and seed-mutated bytes). The
corpus grows under ``fuzz/corpus/<target>/`` (not kept in git: the seeds are rebuilt from the
repository's own files). A crash input is saved as ``fuzz/crashes/<target>-crash-<sha1>``
and the target restarts for the time left. Every run appends one JSON line per target to
``fuzz/runs.log``. Figures go to ``fuzz/RESULTS.md`` by hand; crashes become regression tests
in ``tests/test_fuzz_regressions.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

NAMES = ("policy", "formula", "yaml", "json", "csv", "xlsx")
#: libFuzzer's longest input per target (policies and YAML records are whole files).
MAX_LEN = {"policy": 65536, "formula": 2100, "yaml": 32768, "json": 16384, "csv": 16384, "xlsx": 16384}


def _have_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def _corpus(target: str) -> Path:
    from fuzz.targets import seeds

    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for data in seeds(target):
        (folder / f"seed-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
    return folder


def _executions(log: str) -> int:
    """Executions libFuzzer reports (final stats, else its last status line)."""
    final = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    if final:
        return int(final[-1])
    status = re.findall(r"^#(\d+)\s", log, re.MULTILINE)
    return int(status[-1]) if status else 0


def run_atheris(target: str, seconds: float) -> tuple[int, list[str], str]:
    """Executions, crash files and the log of ``seconds`` of atheris on ``target``."""
    crashes = HERE / "crashes"
    crashes.mkdir(exist_ok=True)
    corpus = _corpus(target)
    total, found, logs = 0, [], []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 2:
        cmd = [
            sys.executable, str(Path(__file__).resolve()), "--worker", target, str(corpus),
            f"-max_total_time={int(left)}", "-print_final_stats=1", "-timeout=10", "-rss_limit_mb=3072",
            f"-max_len={MAX_LEN[target]}", f"-artifact_prefix={crashes}/{target}-",
        ]
        if (HERE / f"{target}.dict").exists():
            cmd.append(f"-dict={HERE / f'{target}.dict'}")
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        log = done.stdout + done.stderr
        logs.append(log)
        total += _executions(log)
        written = re.findall(r"Test unit written to (\S+)", log)
        found += written
        if not written:
            break
    return total, found, "\n".join(logs)


def run_hypothesis(target: str, seconds: float) -> tuple[int, list[str], str]:
    """The fallback without atheris: random and seed-mutated bytes for ``seconds``."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from fuzz.targets import TARGETS, seeds

    class TimeUp(Exception):
        pass

    fn, count, end = TARGETS[target], 0, time.monotonic() + seconds
    base = seeds(target)

    def mutate(data: bytes) -> st.SearchStrategy[bytes]:
        cut = st.integers(0, len(data))
        return st.builds(lambda a, b, junk: data[:a] + junk + data[b:], cut, cut, st.binary(max_size=16))

    strategy = st.one_of(st.binary(max_size=MAX_LEN[target]), st.sampled_from(base).flatmap(mutate))

    @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def once(data: bytes) -> None:
        nonlocal count
        if time.monotonic() > end:
            raise TimeUp
        count += 1
        try:
            fn(data)
        except Exception:
            path = HERE / "crashes" / f"{target}-crash-{hashlib.sha1(data).hexdigest()}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            raise

    try:
        once()
    except TimeUp:
        return count, [], ""
    except Exception as exc:  # a crash: saved above
        return count, sorted(str(p) for p in (HERE / "crashes").glob(f"{target}-crash-*")), repr(exc)
    return count, [], ""


def worker(target: str, argv: list[str]) -> None:
    """One atheris process: instrument the engine, then fuzz ``target`` until libFuzzer stops."""
    import atheris

    with atheris.instrument_imports(include=["engine"]):
        import engine.compile
        import engine.evaluate.run
        import engine.formula
        import engine.formula.reference
        import engine.io.records
        import engine.loader
        import engine.report.results
        import engine.validate  # noqa: F401

    from fuzz.targets import TARGETS

    fn = TARGETS[target]
    atheris.Setup([sys.argv[0], *argv], fn)
    atheris.Fuzz()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, required=True, help="total time (shared out between targets)"
    )
    parser.add_argument("--target", choices=NAMES, help="only this target (default: every one)")
    parser.add_argument("--engine", choices=("atheris", "hypothesis"), help="default: atheris when installed")
    args = parser.parse_args()
    targets = [args.target] if args.target else list(NAMES)
    kind = args.engine or ("atheris" if _have_atheris() else "hypothesis")
    run = run_atheris if kind == "atheris" else run_hypothesis
    grand = 0
    for target in targets:
        started = time.monotonic()
        executions, crashes, log = run(target, args.seconds / len(targets))
        took = time.monotonic() - started
        grand += executions
        record = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "target": target, "engine": kind,
            "seconds": round(took), "executions": executions, "crashes": crashes,
        }
        with open(HERE / "runs.log", "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        print(f"{target:8} {kind:10} {took:7.0f} s {executions:>10,} executions {len(crashes)} crash(es)")
        for crash in crashes:
            print(f"    crash input: {os.path.relpath(crash, ROOT)}")
        if crashes and log:
            print(log[-3000:])
    print(f"total    {grand:,} executions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
