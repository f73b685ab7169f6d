"""How long the editor waits: ``hrpolicy lsp``'s diagnostics for one keystroke, and ``hrpolicy test``.

The language server validates the whole text on every change (full sync), so the time of
``editor_diagnostics`` on a shipped policy is the delay after each keystroke. Prints figures
(best of ``--repeat``); record them in bench/RESULTS.md with the machine and date.

    python bench/bench_editor.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _best(action: object, repeat: int) -> float:
    assert callable(action)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from engine.lsp.convert import editor_diagnostics
    from engine.policytest import run_tests

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, repeat {args.repeat} (best of)")
    for name in ("japan_mbo", "kepco_like", "kumho_like"):
        path = ROOT / "policies" / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        editor_diagnostics(text, str(path))  # warm: the schema validator is built once per process
        best = _best(lambda text=text, path=path: editor_diagnostics(text, str(path)), args.repeat)
        print(f"lsp diagnostics, {name}.yaml ({len(text.encode()):,} bytes): {best * 1000:.1f} ms")
    for name in ("japan_mbo", "kepco_like", "kumho_like"):
        test = str(ROOT / "policies" / f"{name}.test.yaml")
        best = _best(lambda test=test: run_tests([test]), max(args.repeat // 4, 1))
        print(f"hrpolicy test {name}.test.yaml (library, with coverage): {best * 1000:.0f} ms")


if __name__ == "__main__":
    main()
