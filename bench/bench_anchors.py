"""The anchors of issue 12, side by side in one run: japan_mbo score + grade per employee.

    python bench/bench_anchors.py [--count 20000] [--repeat 3]

Every contender computes the same thing for the same employees (already read into memory): each
goal's achievement rate (rounded half-up to 0.1 where exact), weight x achievement x difficulty,
their sum, and the grade from the segment's bands after rounding the score half-up to a whole
percent. Reading the file is not timed. Printed: employees per second for each, and our ratio to
each anchor (higher is better for us). Each round runs every contender once in turn and each
keeps its best round, so that a burst of load on a shared machine falls on all of them alike.

Contenders:

* plain simpleeval, formula text evaluated per goal line (parsed every time), floats;
* plain simpleeval with the formulas parsed once (``previously_parsed``), floats;
* GoRules zen-engine (the ``zen-engine`` package), its expression language per goal line, compiled
  once, floats (skipped with a note if the package is not installed: ``pip install zen-engine``);
* hand-written Python, floats (inexact: it disagrees with the exact grade for some employees);
* hand-written Python, exact ``Decimal`` with the policy's roundings;
* the same with japan_mbo's sheet rules checked first, written for speed: the like-for-like
  anchor of the path with sheet checks (which the one above sets against evaluation alone);
* hrpolicy's evaluation step (the fused per-sheet function, ``evaluate_flat``), and the whole
  per-employee path with sheet checks (``Engine.flat_when_clean``: the checks and the evaluation
  in one generated pass for a sheet known clean, else ``Engine.check_flat``: rule by rule);
* hrpolicy's exact columnar plan (``engine.evaluate.columnar``): score and grade over the cells
  already converted (``columnar evaluation step``: the hand-written code's work, over values in
  memory as its Decimals are), the same with every sheet rule checked (``columnar step with sheet
  checks``), then every cell converted from the file's text columns too (``with cell conversion``:
  work the hand-written code does not do), and the CSV bytes split into columns too (``CSV
  parsed``).

The exact contenders read the goal lines' own field dictionaries, the very objects hrpolicy reads
(copies made for them would lie side by side in memory, and be read faster for that alone). They
must agree with hrpolicy on every grade; the float ones are counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_population import generate  # noqa: E402
from engine.evaluate import Engine, evaluate_flat  # noqa: E402
from engine.gcpause import paused_gc  # noqa: E402
from engine.io.records import EmployeeRecord  # noqa: E402

POLICY = ROOT / "policies" / "japan_mbo.yaml"
ACHIEVEMENT = (
    "(max(actual / target * 100, 0) if direction == 'higher' else "
    "(min(max(target / actual * 100, 0), 200) if actual > 0 else 200)) "
    "if kind == 'quantitative' else assessed_achievement"
)
WEIGHTED = "weight * achievement * difficulty / 100"
ZEN_ACHIEVEMENT = (
    "kind == 'quantitative' ? (direction == 'higher' ? max([actual / target * 100, 0]) : "
    "(actual > 0 ? min([max([target / actual * 100, 0]), 200]) : 200)) : assessed_achievement"
)
BANDS = {  # (grade, lowest rounded score) per segment, from policies/japan_mbo.yaml
    "manager": (("S", 110), ("A", 100), ("B", 90), ("C", 80), ("D", None)),
    "general": (("S", 105), ("A", 100), ("B", 85), ("C", 75), ("D", None)),
}
Line = Mapping[str, Any]  # a goal line's own field dictionary, as the reader made it
FloatLine = dict[str, Any]  # the float contenders' copy (simpleeval's get a computed name added)
Person = tuple[str, str, list[Line]]  # id, segment, goal lines
FloatPerson = tuple[str, str, list[FloatLine]]
CheckedPerson = tuple[str, str, bool, list[Line]]  # id, segment, large-project exception, lines
Grades = list[str | None]  # each employee's grade (None: none, a sheet a rule rejects)


def grade_of(segment: str, rounded: Any) -> str:
    for grade, low in BANDS[segment]:
        if low is None or rounded >= low:
            return grade
    raise AssertionError("unreachable")


def plain(records: Sequence[EmployeeRecord]) -> tuple[list[Person], list[FloatPerson]]:
    """The records as plain data: each goal line's own field dictionary (the very objects hrpolicy
    reads, so that where they lie in memory costs every exact contender alike: copies made here
    would lie side by side and be read faster than the reader's), and float copies of what the
    float contenders read (made here, they keep that advantage: their ratios flatter them)."""
    keys = ("kind", "direction", "actual", "target", "assessed_achievement", "weight", "difficulty")
    exact: list[Person] = []
    floats: list[FloatPerson] = []
    for r in records:
        lines = [line.fields for line in r.indicators]
        for line in lines:  # the fields each contender reads on its line's branch are all there
            need = keys[:4] if line["kind"] == "quantitative" else keys[4:5]
            assert all(k in line for k in (*need, "weight", "difficulty", *CHECKED_KEYS)), line
        exact.append((r.id, str(r.fields["segment"]), lines))
        as_float = [_floats(line, keys) for line in lines]
        floats.append((r.id, str(r.fields["segment"]), as_float))
    return exact, floats


def _floats(line: Line, keys: Sequence[str]) -> FloatLine:
    """The ``keys`` of a goal line, numbers as floats (only those: zen-engine converts every key
    of the dictionary it is given, as a program calling it would not)."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in ((k, line.get(k)) for k in keys)}


#: japan_mbo's sheet rules, as the hand-written checked contender applies them (from the policy's
#: ``indicator_rules``: counts, kinds per category, the weight band and total, difficulty steps,
#: the four required texts, the large-project constraints).
KINDS = ("quantitative", "qualitative")
STEPS = frozenset(Decimal(s) for s in ("1.0", "1.1", "1.2", "1.3"))
REQUIRED = ("what", "how_much", "how", "by_when")
CHECKED_KEYS = ("category", "large_project", *REQUIRED)


def checked_people(records: Sequence[EmployeeRecord], exact: Sequence[Person]) -> list[CheckedPerson]:
    """``exact`` with the employee's large-project exception (the lines hold the rest the sheet
    rules read: category, large-project mark, required texts)."""
    return [
        (id_, segment, bool(r.fields.get("dedicated_large_project")), lines)
        for r, (id_, segment, lines) in zip(records, exact, strict=True)
    ]


def hand_decimal_checked(people: Sequence[CheckedPerson]) -> Grades:
    """:func:`hand_decimal` after japan_mbo's sheet rules (None for a sheet breaking one): the
    like-for-like anchor of hrpolicy's per-record path with sheet checks, written for speed (local
    counters, one test per rule, no generator)."""
    tenth, one, hundred, zero, cap = Decimal("0.1"), Decimal(1), Decimal(100), Decimal(0), Decimal(200)
    low, high = Decimal(5), Decimal(30)
    out: Grades = []
    for _, segment, dedicated, lines in people:
        if not 5 <= len(lines) <= 8:
            out.append(None)
            continue
        performance = process = large = 0
        total = score = zero
        for g in lines:
            category, kind, w, d = g["category"], g["kind"], g["weight"], g["difficulty"]
            if category == "performance":
                performance += 1
            elif category == "process":
                process += 1
            if kind not in KINDS or d not in STEPS:
                break
            total += w
            if g["large_project"]:
                large += 1
            if w < low or w > (hundred if dedicated and g["large_project"] else high):
                break
            try:
                what, how_much, how, by_when = g["what"], g["how_much"], g["how"], g["by_when"]
                if not (what.strip() and how_much.strip() and how.strip() and by_when.strip()):
                    break
            except AttributeError:  # a required text missing (None)
                break
            if kind != "quantitative":
                a = g["assessed_achievement"]
            elif g["direction"] == "higher":
                a = max(g["actual"] / g["target"] * hundred, zero)
            else:
                a = min(max(g["target"] / g["actual"] * hundred, zero), cap) if g["actual"] > 0 else cap
            score += w * a.quantize(tenth, ROUND_HALF_UP) * d / hundred
        else:
            if (
                total == hundred
                and large == (1 if dedicated else 0)
                and 3 <= performance <= 5
                and 2 <= process <= 3
            ):
                out.append(grade_of(segment, score.quantize(one, ROUND_HALF_UP)))
                continue
        out.append(None)
    return out


def simpleeval_text(people: Sequence[FloatPerson]) -> Grades:
    from simpleeval import SimpleEval

    evaluator = SimpleEval(functions={"max": max, "min": min})
    out: Grades = []
    for _, segment, lines in people:
        score = 0.0
        for line in lines:
            evaluator.names = line
            line["achievement"] = round(evaluator.eval(ACHIEVEMENT), 1)
            score += evaluator.eval(WEIGHTED)
        out.append(grade_of(segment, round(score)))
    return out


def simpleeval_parsed(people: Sequence[FloatPerson]) -> Grades:
    from simpleeval import SimpleEval

    evaluator = SimpleEval(functions={"max": max, "min": min})
    achievement, weighted = evaluator.parse(ACHIEVEMENT), evaluator.parse(WEIGHTED)
    out: Grades = []
    for _, segment, lines in people:
        score = 0.0
        for line in lines:
            evaluator.names = line
            line["achievement"] = round(evaluator.eval(ACHIEVEMENT, previously_parsed=achievement), 1)
            score += evaluator.eval(WEIGHTED, previously_parsed=weighted)
        out.append(grade_of(segment, round(score)))
    return out


def zen_compiled(people: Sequence[FloatPerson]) -> Grades:
    import zen

    achievement, weighted = zen.compile_expression(ZEN_ACHIEVEMENT), zen.compile_expression(WEIGHTED)
    out: Grades = []
    for _, segment, lines in people:
        score = 0.0
        for line in lines:
            line["achievement"] = round(float(achievement.evaluate(line)), 1)
            score += float(weighted.evaluate(line))
        out.append(grade_of(segment, round(score)))
    return out


def hand_float(people: Sequence[FloatPerson]) -> Grades:
    out: Grades = []
    for _, segment, lines in people:
        score = 0.0
        for g in lines:
            if g["kind"] != "quantitative":
                a = g["assessed_achievement"]
            elif g["direction"] == "higher":
                a = max(g["actual"] / g["target"] * 100, 0)
            else:
                a = min(max(g["target"] / g["actual"] * 100, 0), 200) if g["actual"] > 0 else 200
            score += g["weight"] * round(a, 1) * g["difficulty"] / 100
        out.append(grade_of(segment, round(score)))
    return out


def hand_decimal(people: Sequence[Person]) -> Grades:
    tenth, one, hundred, zero, cap = Decimal("0.1"), Decimal(1), Decimal(100), Decimal(0), Decimal(200)
    out: Grades = []
    for _, segment, lines in people:
        score = zero
        for g in lines:
            if g["kind"] != "quantitative":
                a = g["assessed_achievement"]
            elif g["direction"] == "higher":
                a = max(g["actual"] / g["target"] * hundred, zero)
            else:
                a = min(max(g["target"] / g["actual"] * hundred, zero), cap) if g["actual"] > 0 else cap
            score += g["weight"] * a.quantize(tenth, ROUND_HALF_UP) * g["difficulty"] / hundred
        out.append(grade_of(segment, score.quantize(one, ROUND_HALF_UP)))
    return out


def ours(engine: Engine, records: Sequence[EmployeeRecord], params: Any, checks: bool) -> Grades:
    """hrpolicy's grade per employee: :func:`evaluate_flat`, or with ``checks`` what the
    per-record path runs (``engine.evaluate.pieces``): the checks and the evaluation in one pass
    for a sheet known clean, else the sheet checked rule by rule and evaluated."""
    # One loop per mode, the hand-written contenders' way: the harness's own tests per employee
    # (which mode, an assert) would be counted against hrpolicy alone.
    policy = engine.policy
    out: Grades = []
    if not checks:
        for r in records:
            flat = evaluate_flat(policy, r, params)
            assert flat is not None
            out.append(flat[1][0][0])
        return out
    known = engine.flat_when_clean
    for r in records:
        done = known(r, params)
        if done is None:
            problems, done = engine.check_flat(r, params)
            assert not problems and done is not None
        out.append(done[1][0][0])
    return out


def columnar_plan(engine: Engine, data: Path) -> tuple[Any, bytes, int]:
    """The columnar plan of the CSV file ``data`` (built as the evaluation builds it, from its
    header and the cells of its one chunk), the file's body and its width in columns."""
    from engine.evaluate.columnar.build import build_plan
    from engine.io.model import compile_inputs
    from engine.io.records import stream_csv

    raw = data.read_bytes()
    body = raw[raw.index(b"\n") + 1 :]
    inputs, scales = engine.source.data["inputs"], engine.source.data.get("scales") or {}
    header, values, _, _ = stream_csv(
        str(data), inputs, scales=scales, part=(len(raw) - len(body),) * 2 + (2,)
    )
    plan = build_plan(engine, header.plan, compile_inputs(inputs, scales), values)
    return plan, body, header.plan.width


def columnar(
    engine: Engine, data: Path, parse: bool, step: bool = False, checks: bool = False
) -> Callable[[], Grades]:
    """The columnar plan over the whole file as one chunk (its bytes, or its columns, in memory;
    ``step``: score and grade over cells already converted, as the hand-written code reads
    Decimals already in memory; with ``checks`` the sheet rules checked too)."""
    from engine.evaluate.columnar.reading import read_chunk

    plan, body, width = columnar_plan(engine, data)
    frame = read_chunk(body, width)
    assert frame is not None
    table = plan.tables[0]

    typed = plan.typed(frame)

    def run() -> Grades:
        if step:
            clean, _, grades = plan.compute(typed, checks=checks)
            assert clean.all()
            return [table.grades[code] for code in grades[0].tolist()]
        # detail=False: what a CSV or text report asks of the plan (score and grade); the goal
        # lines' values and grade facts are gathered only for a JSON report.
        frame_now = read_chunk(body, width) if parse else frame
        chunk = plan.evaluate(frame_now, detail=False)  # type: ignore[arg-type]
        assert chunk.clean.all()
        return [table.grades[code] for code in chunk.grades[0].tolist()]

    return run


CHECKED_HAND = "hand-written exact Decimal with the same sheet checks"

#: The clock: wall time, or with ``--cpu`` this process's CPU time (every contender runs in one
#: thread, so on a busy machine CPU time is the fairer figure).
CLOCK = time.perf_counter


def best(repeat: int, fn: Callable[[], Grades]) -> tuple[float, Grades]:
    times, result = [], []
    for _ in range(repeat):
        with paused_gc():
            start = CLOCK()
            result = fn()
            times.append(CLOCK() - start)
    return min(times), result


def best_in_rounds(
    repeat: int, contenders: Sequence[tuple[str, Callable[[], Grades]]]
) -> dict[str, tuple[float, Grades]]:
    """Each contender's best time over ``repeat`` rounds, every round running each contender
    once in turn: on a shared machine a burst of load then falls on all of them alike, and the
    ratios measured in one run stay comparable. A contender that cannot be imported is left out."""
    found: dict[str, tuple[float, Grades]] = {}
    skipped: set[str] = set()
    for _ in range(repeat):
        for name, fn in contenders:
            if name in skipped:
                continue
            try:
                seconds, grades = best(1, fn)
            except ImportError as exc:
                print(f"{name}: skipped ({exc})")
                skipped.add(name)
                continue
            if name not in found or seconds < found[name][0]:
                found[name] = (seconds, grades)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--data", default=str(ROOT / "bench" / "out"), help="where the population is kept")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall (a busy machine)")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    data = Path(args.data) / f"japan_{args.count}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        generate(args.count, str(data), 7)
    engine = Engine.from_file(str(POLICY))
    population = engine.read(str(data))
    records, params = population.employees, population.parameters
    exact, floats = plain(records)
    with_rules = checked_people(records, exact)
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {len(records):,} employees "
        f"({sum(len(r.indicators) for r in records):,} goal lines), best of {args.repeat}, "
        f"{'CPU' if args.cpu else 'wall'} time"
    )

    n_people = len(records)
    step, checked_step = "evaluate_flat", "flat_when_clean (sheet checks + evaluation)"
    anchors: list[tuple[str, Callable[[], Grades]]] = [
        ("simpleeval, text per line (float)", lambda: simpleeval_text(floats)),
        ("simpleeval, parsed once (float)", lambda: simpleeval_parsed(floats)),
        ("zen-engine, compiled once (float)", lambda: zen_compiled(floats)),
        ("hand-written float", lambda: hand_float(floats)),
        ("hand-written exact Decimal (score + grade only)", lambda: hand_decimal(exact)),
        (CHECKED_HAND, lambda: hand_decimal_checked(with_rules)),
    ]
    labels = (
        ("hrpolicy columnar evaluation step (score + grade, typed columns)", False, True, False),
        ("hrpolicy columnar step with sheet checks (typed columns)", False, True, True),
        ("hrpolicy columnar with cell conversion and sheet checks (text columns)", False, False, True),
        ("hrpolicy columnar, CSV parsed too", True, False, True),
    )
    plans = [(label, columnar(engine, data, *how)) for label, *how in labels]
    ours_runs: list[tuple[str, Callable[[], Grades]]] = [
        (step, lambda: ours(engine, records, params, checks=False)),
        (checked_step, lambda: ours(engine, records, params, checks=True)),
    ]
    found = best_in_rounds(args.repeat, [*ours_runs, *plans, *anchors])
    ours_time, reference = found[step]
    checked_time, checked = found[checked_step]
    assert checked == reference
    columns: list[tuple[str, float]] = []
    for label, _ in plans:
        seconds, grades = found[label]
        assert grades == reference, label
        print(f"{label}: {n_people / seconds:,.0f} employees/s")
        columns.append((label, seconds))
    rows = [(name, *found[name]) for name, _ in anchors if name in found]
    n = len(records)
    print(f"hrpolicy evaluation step (evaluate_flat): {n / ours_time:,.0f} employees/s")
    print(f"hrpolicy with sheet checks (flat_when_clean): {n / checked_time:,.0f} employees/s")
    for name, seconds, grades in rows:
        if name == CHECKED_HAND:  # the like-for-like anchor of the path with sheet checks only
            assert grades == reference, name
            ratio = seconds / checked_time
            print(f"{name}: {n / seconds:,.0f} employees/s; hrpolicy with checks {ratio:.2f}x")
            continue
        wrong = sum(a != b for a, b in zip(grades, reference, strict=True))
        assert "exact" not in name or wrong == 0, name
        print(
            f"{name}: {n / seconds:,.0f} employees/s; hrpolicy step {seconds / ours_time:.2f}x, "
            f"with checks {seconds / checked_time:.2f}x; grades differing from exact: {wrong}"
        )
        for label, plan_seconds in columns:
            print(f"    {label}: {seconds / plan_seconds:.2f}x {name}")


if __name__ == "__main__":
    main()
