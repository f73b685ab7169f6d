"""Benchmark: one canonical population under the three shipped schemes (``hrpolicy compare
--population``), from the files to the rendered text report.

Run ``python bench/bench_compare.py`` (``--people`` to vary, ``--yaml`` for a YAML file). The
population is the five people of
``examples/compare/population.yaml`` repeated with new ids (all in one organisation, so kumho's
relative grades rank everyone in one group); the mappings are the shipped ones. Timed: reading
the population, checking and compiling the three mappings, mapping, evaluating, grading, pay,
and rendering the text report.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.commands.compare import run_compare

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compare"
POLICIES = [str(ROOT / "policies" / f"{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]


def population(people: int, folder: Path, as_json: bool = True) -> Path:
    """The example population repeated to ``people`` people, written beside copies of the mappings."""
    data = yaml.safe_load((EXAMPLE / "population.yaml").read_text(encoding="utf-8"))
    base = data["people"]
    data["people"] = [{**copy.deepcopy(base[i % len(base)]), "id": f"P{i + 1:06d}"} for i in range(people)]
    data["mappings"] = [str(EXAMPLE / m) for m in data["mappings"]]
    if as_json:
        target = folder / "population.json"
        target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        target = folder / "population.yaml"
        target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    # YAML is read a person at a time with line marks (slower than JSON; no bound on its people).
    parser.add_argument("--yaml", action="store_true", help="Write the population as YAML, not JSON.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = population(args.people, Path(tmp), as_json=not args.yaml)
        out: list[str] = []
        started = time.perf_counter()
        code = run_compare(POLICIES, str(path), [], "text", None, "en", None, lambda t, **_: out.append(t))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine          {platform.machine()}, Python {platform.python_version()}")
    print(f"people           {args.people:,} under 3 schemes, {path.suffix[1:]} (exit {code})")
    print(f"compare          {seconds:.2f} s  ({args.people * 3 / seconds:,.0f} person-schemes/s)")
    print(f"report           {sum(len(t) for t in out):,} characters of text")
    print(f"peak RSS         {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
