"""Streamed reports under a policy with distributions (engine/report/relative_stream.py): two
passes over the CSV file, a compact candidate per person, and the bytes of the whole-file run,
whatever the number of workers; small groups merged up the org tree, ties, problems and
interleaved rows included."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import csv_rows, write_csv

from engine.cli import cli
from engine.evaluate import Engine, parallel
from engine.evaluate.relative import RelativeGrading
from engine.report import relative_stream, stream
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.progress import ProgressBar
from engine.report.relative_stream import first_pass, relative_streamable
from engine.report.results import RENDERERS
from engine.report.stream import write_report
from engine.report.table import display_width

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
EXAMPLE = ROOT / "examples" / "kumho_like" / "employees.yaml"
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import HEADER, generate  # noqa: E402

COUNT = 400


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """400 generated employees and their org tree, with a sheet problem (a KPI weight off), a
    bad value, a row without an id, an O without its signature (a confirmation problem) and a
    score of equal people across a grade boundary (ties are common: ratings are four levels)."""
    folder = tmp_path_factory.mktemp("relative")
    path = folder / "kumho.csv"
    tree = generate(COUNT, str(path), seed=5)
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=1):
        first.setdefault(row[0], number)
    rows[first["H0000010"]][col["weight"]] = "7"  # the KPI weights no longer add up to 100
    rows[first["H0000020"]][col["year_in_grade"]] = "abc"  # record-type
    unsigned = next(n for n, r in enumerate(rows) if n and r[col["rating"]] == "O" and int(r[0][1:]) > 30)
    rows[unsigned][col["confirmed_by"]] = ""
    rows.insert(first["H0000100"], ["", "이름없음", *[""] * (len(rows[0]) - 2)])
    write_csv(path, rows)
    return path, tree


def _whole(path: Path, fmt: str, tree: dict[str, str | None] | None = None) -> str:
    engine = Engine.from_file(KUMHO)
    population = engine.read(str(path))
    population.org_parent.update(tree or {})
    return str(RENDERERS[fmt](engine.evaluate(population)))


def _streamed(path: Path, fmt: str, *, workers: int, tree: dict[str, str | None] | None = None) -> str:
    out = io.StringIO()
    write_report(Engine.from_file(KUMHO), str(path), fmt, out, workers=workers, min_bytes=0, org_parent=tree)
    return out.getvalue()


def test_a_kumho_records_file_is_streamed_as_csv_and_json_only() -> None:
    engine = Engine.from_file(KUMHO)
    for name in ("a.csv", "a.yaml", "a.json", "a.xlsx"):
        assert [relative_streamable(engine, name, f) for f in ("csv", "json", "text", "html")] == [
            True, True, False, False
        ]  # fmt: skip
    assert relative_streamable(engine, "a.txt", "csv") is False


@pytest.mark.parametrize("workers", [1, 2])
def test_the_text_table_at_a_terminal_is_the_whole_file_runs(
    generated: tuple[Path, dict[str, str | None]], workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a 100-column terminal, by rows and by columns (a spool this small is set by rows
    unless told otherwise): number headers wider than their numbers wrapped at their words
    (the most to give first), the people not graded saying only that."""
    path, tree = generated
    engine = Engine.from_file(KUMHO)
    population = engine.read(str(path))
    population.org_parent.update(tree)
    whole = RENDERERS["text"](engine.evaluate(population), ReportOptions(width=100))
    lines = whole.splitlines()
    table = lines[: lines.index("problems:")]
    assert max(display_width(line) for line in table) <= 100
    assert lines[2:5] == [
        "id        name    kpi_score  contribution_  performance_  competency_score  performance  competency",
        "                                     score         score",
        "--------  ------  ---------  -------------  ------------  ----------------  -----------  ----------",
    ]
    # (the problems and warnings under it are fitted to the terminal by the command line:
    # tests/test_screen.py)
    graded = "H0000159  김서연      50.00           0.00         50.00             68.00"
    assert f"{graded}  not graded   not graded" in lines
    for by_columns in (False, True):
        if by_columns:
            monkeypatch.setattr(stream, "COLUMNS_FROM", 0)
        out = io.StringIO()
        write_report(engine, str(path), "text", out, workers=workers, min_bytes=0, org_parent=tree, width=100)
        assert out.getvalue() == whole


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_bytes_of_the_whole_file_run_with_groups_merged_up_the_tree(
    generated: tuple[Path, dict[str, str | None]], fmt: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, tree = generated  # (text: the CSV report's rows, aligned; it was read whole, in one
    # process: 1235 MiB for 100,000 kumho employees, 4787 for 400,000; bench/RESULTS.md)
    forks: list[int] = []
    fork_all = parallel.fork_all
    monkeypatch.setattr(
        parallel, "fork_all", lambda tasks, poll=None: forks.append(len(tasks)) or fork_all(tasks, poll)
    )
    streamed = _streamed(path, fmt, workers=workers, tree=tree)
    assert forks == ([] if workers == 1 else [workers])  # the first pass really was shared
    whole = _whole(path, fmt, tree)
    assert streamed == whole
    # What the population holds: people not graded (a group too small even at the top), and in
    # JSON's reasons, merged groups, ties settled by the id and every kind of problem.
    reason = "group (org=company, role_grade=K4) has 3 members"
    if fmt == "text":  # (the table's cell says only "not graded"; the warnings say why)
        assert f"warning [distribution-group-too-small] performance: {reason}" in whole
        assert re.search(r"\n\S+ .*\d  not graded +not graded\n", whole)
        assert f"not graded: {reason}" not in whole
    else:
        assert f"not graded: {reason}" in whole
    if fmt == "json":
        assert "merge path: (org=" in whole
        assert "the final key (id) decided" in whole
        for rule in ("record-missing", "record-type", "sheet-weight-total", "confirmation-missing"):
            assert f'"rule": "{rule}"' in whole


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_without_a_tree_small_groups_are_reported_in_the_same_bytes(
    generated: tuple[Path, dict[str, str | None]], fmt: str
) -> None:
    path, _ = generated
    whole = _whole(path, fmt)
    assert _streamed(path, fmt, workers=2) == whole
    assert "is not in the org tree" in whole


def test_interleaved_rows_are_read_whole_with_the_same_bytes(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    rows = csv_rows(generated[0])
    moved = next(i for i, r in enumerate(rows) if r[0] == "H0000003")
    rows.append(rows.pop(moved))  # one of H0000003's rows at the very end
    path = tmp_path / "interleaved.csv"
    write_csv(path, rows)
    for fmt in ("csv", "json"):
        assert _streamed(path, fmt, workers=1) == _whole(path, fmt)
        assert _streamed(path, fmt, workers=2) == _whole(path, fmt)


def _example_csv(path: Path) -> dict[str, str | None]:
    """examples/kumho_like/employees.yaml as a CSV file (a row per item); its org tree."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    header = [h for h in HEADER if h != "rated_by"] + ["rated_by"]
    rows: list[list[Any]] = [header]
    for person in data["employees"]:
        for item in person["indicators"]:
            merged = {**person, **item}
            rows.append(["" if merged.get(h) is None else str(merged.get(h)).lower()
                         if isinstance(merged.get(h), bool) else merged.get(h) for h in header])  # fmt: skip
    write_csv(path, rows)
    return {u["id"]: u["parent"] for u in data["org_units"]}


def test_the_example_population_gets_the_grades_worked_out_by_hand(tmp_path: Path) -> None:
    """The example's confirmed grades are the ones its comments work out from the distribution
    (groups of 5 merged up the tree, 8 people at plant_div); the streamed report gives them."""
    path = tmp_path / "example.csv"
    tree = _example_csv(path)
    text = _streamed(path, "csv", workers=1, tree=tree)
    assert text == _whole(path, "csv", tree)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "id", "name", "kpi_score", "contribution_score", "performance_score", "competency_score",
        "performance", "competency",
    ]  # fmt: skip
    got = {row[0]: row for row in table[1:]}
    # H001 (worked in the example): KPIs 67.5, contribution 50, performance 64.00, competency 62.58.
    assert got["H001"][2:6] == ["67.50", "50.00", "64.00", "62.58"]
    people = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["employees"]
    for person in people:
        performance, competency = got[person["id"]][6:8]
        if person.get("performance_grade") is None:  # mgmt_div K2 and K1: too few even at the top
            assert performance.startswith("not graded: group (org=company, role_grade=K")
            continue
        assert (performance, competency) == (person["performance_grade"], person["competency_grade"])


def test_a_person_is_kept_as_id_score_and_the_group_and_tie_fields_only() -> None:
    engine = Engine.from_file(KUMHO)
    grading = RelativeGrading(engine.source.data)
    # the id, the final tie key, is the row's own: not kept twice
    assert grading.kept == ("org", "role_grade", "competency_score", "performance_score")


def test_the_cli_writes_the_streamed_report(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        cli, ["evaluate", KUMHO, str(generated[0]), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1  # some employees have problems
    stamp = Engine.from_file(KUMHO).policy.stamp
    assert out.read_text(encoding="utf-8") == stamped("json", [stamp], _whole(generated[0], "json"))


def test_the_first_pass_keeps_one_compact_row_per_person_and_no_record(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    path, _ = generated
    engine = Engine.from_file(KUMHO)
    found = first_pass(engine, str(path), "csv", None, None, str(tmp_path / "spill"))
    assert found.read.employees == []  # the stream keeps no record
    assert found.rows is not None
    rows = list(found.rows)
    assert found.count == len(found.rows) == len(rows) == COUNT - 3  # H0000010, H0000020, the unsigned O
    first = rows[0]
    # (id, performance score, competency score, org, role_grade, competency, performance)
    assert len(first) == 7 and first[0] == "H0000001"
    assert (first[1], first[2]) == (first[6], first[5])
    outcome = engine.evaluate(engine.read(str(path)))
    result = next(r for r in outcome.results if r.id == "H0000001")
    record = next(r for r in outcome.population.employees if r.id == "H0000001")
    assert first[1:3] == (result.values["performance_score"], result.values["competency_score"])
    assert first[3:5] == (record.fields["org"], record.fields["role_grade"])
    # packed: the scores as scaled integers, the organisations and role grades as text codes
    table = found.rows.freeze()
    kinds = {name.strip("\x00"): column.kind for name, column in table.columns.items()}
    assert kinds == {
        "score 0": "number",
        "score 1": "number",
        "org": "text",
        "role_grade": "text",
        "competency_score": "number",
        "performance_score": "number",
    }
    # (a few organisations: their codes are a byte each)
    assert table.ids.data.dtype.kind == "S" and table.columns["org"].data.dtype.itemsize == 1


def test_the_employees_warnings_come_before_the_distributions_in_the_same_bytes(tmp_path: Path) -> None:
    """japan_mbo with a forced distribution added (by segment, on the score): a record
    requirement declared as a warning (§8②, a mid-term plan) is reported by the two-pass path,
    from one process or two, where the whole-file run reports it."""
    from bench.gen_population import generate as generate_japan

    policy = yaml.safe_load((ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8"))
    policy["distributions"] = {
        "ranked": {
            "scale": "s_to_d", "score": "score", "order": "descending", "group_by": ["segment"],
            "quotas": {"S": 10, "A": 20, "B": 40, "C": 20, "D": 10},
            "ties": [{"field": "id", "order": "ascending"}],
        }
    }  # fmt: skip
    policy_path = tmp_path / "ranked.yaml"
    policy_path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "warned.csv"
    generate_japan(60, str(path), seed=5)
    rows = csv_rows(path)
    column = rows[0].index("development_plan_mid_term")
    for emp in ("E000004", "E000040"):
        next(row for row in rows[1:] if row[0] == emp)[column] = ""
    write_csv(path, rows)
    engine = Engine.from_file(str(policy_path))
    whole = str(RENDERERS["json"](engine.evaluate(engine.read(str(path)))))
    assert whole.count('"rule": "requirement-missing"') == 2
    assert '"ranked": {\n          "grade": "' in whole
    for workers in (1, 2):
        out = io.StringIO()
        write_report(engine, str(path), "json", out, workers=workers, min_bytes=0)
        assert out.getvalue() == whole


@pytest.mark.parametrize("columnar", ["1", "0"])
@pytest.mark.parametrize("bad", [b'"', b"\r"])
def test_a_quote_or_lone_carriage_return_is_read_in_one_process_with_the_same_bytes(
    generated: tuple[Path, dict[str, str | None]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    columnar: str,
    bad: bytes,
) -> None:
    """The worker whose range holds it gives up (the columnar pass when its block reaches it,
    the per-record one before it reads): the first pass is done again in this process, whole."""
    monkeypatch.setenv("HRPOLICY_COLUMNAR", columnar)
    data = generated[0].read_bytes()
    at = data.index(b",", len(data) // 4)  # in a cell of the first range's
    path = tmp_path / "bad.csv"
    path.write_bytes(data[:at] + b"x" + bad + b"y" + data[at:])
    here: list[Any] = []  # the first passes made in this process (a worker's are not seen here)
    real = relative_stream.first_pass
    monkeypatch.setattr(relative_stream, "first_pass", lambda *a, **k: here.append(a[3]) or real(*a, **k))
    for fmt in ("csv", "json"):
        here.clear()
        assert _streamed(path, fmt, workers=2) == _whole(path, fmt)
        assert here == [None]  # the whole file, after the workers gave up
    here.clear()
    assert _streamed(generated[0], "csv", workers=2) == _whole(generated[0], "csv")
    assert here == []  # (the file without it: the workers' passes are used)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_with_distributions_draws_a_line_a_phase(
    generated: tuple[Path, dict[str, str | None]], workers: int
) -> None:
    """Reading, then the distributions' grading, then the report's writing: each phase ends
    its line full (the file's every byte and row, the header's included; a grade a person and
    distribution; every person evaluated written), none left at 100 % with time still to come."""
    path = generated[0]
    ticks = iter(range(100, 100_000))  # a second between two readings of the clock: all drawn
    stream, out = io.StringIO(), io.StringIO()
    bar = ProgressBar(path.stat().st_size, stream, clock=lambda: float(next(ticks)))
    engine = Engine.from_file(KUMHO)
    write_report(engine, str(path), "json", out, workers=workers, min_bytes=0, progress=bar)
    bar.finish()
    evaluated = json.loads(stamped("json", [engine.policy.stamp], out.getvalue()))["evaluated"]
    last = [line.split("\r")[-1].rstrip() for line in stream.getvalue().split("\n")]  # (padding cut)
    rows = len(path.read_text(encoding="utf-8").splitlines())
    rate = r"  [\d,]+ {0}/s  \d+ s"
    assert re.fullmatch(r"\[#{24}\] 100%  " + f"{rows:,} rows" + rate.format("rows"), last[0]), last
    grades = r"grading \[#{24}\] 100%  " + f"{2 * evaluated:,} grades" + rate.format("grades")
    assert re.fullmatch(grades, last[1]), last
    written = r"writing \[#{24}\] 100%  " + f"{evaluated:,} people" + rate.format("people")
    assert re.fullmatch(written, last[2]), last
    assert last[3:] == [""]
