"""kumho_like's first pass through the exact columnar plan (engine/report/relative_columnar.py):
the streamed reports with distributions byte for byte those of the per-record path
(``HRPOLICY_COLUMNAR=0``), problems and warnings included, with 1, 2 and 3 workers, on
generated populations with bad rows of every kind; scale ratings, confirmations over columns,
weight totals per category and figures worked out by hand."""

from __future__ import annotations

import csv
import io
import pickle
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import csv_rows, write_csv

from engine.evaluate import Engine
from engine.evaluate.columnar import run as columnar
from engine.evaluate.columnar.build import build_plan
from engine.evaluate.columnar.vectors import Unsupported
from engine.io.model import compile_inputs
from engine.io.records import stream_csv
from engine.report import relative_columnar
from engine.report.relative_stream import first_pass
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import HEADER, generate  # noqa: E402

COL = {name: i for i, name in enumerate(HEADER)}


def _person(emp: str, org: str, kpis: list[tuple[int, str]], others: str = "M") -> list[list[str]]:
    """A K4 (no leadership items) whose sheet keeps every rule: ``kpis`` (weight, rating), no
    contribution item, every competency item rated ``others``; an O is signed by EX001."""
    head = [emp, f"손 {emp}", "K4", org, "2", "40000000", "false"]
    items = [("job_kpi", w, r) for w, r in kpis]
    items += [("group_common", w, others) for w in (34, 33, 33)]
    items += [("company_common", w, others) for w in (50, 50)]
    items += [("job_expert", w, others) for w in (34, 33, 33)]
    return [
        [*head, "항목", category, "superior", str(weight), rating, "EX001" if rating == "O" else ""]
        for category, weight, rating in items
    ]


def _hand_worked() -> list[list[str]]:
    """Five people of one (org, role grade) group, scores worked out by hand (see the test)."""
    rows: list[list[str]] = []
    rows += _person("T0000001", "handorg", [(100, "O")])  # performance 100.00
    rows += _person("T0000002", "handorg", [(50, "O"), (50, "E")])  # 50 + 37.5 = 87.50
    rows += _person("T0000003", "handorg", [(100, "E")])  # 75.00
    rows += _person("T0000004", "handorg", [(50, "E"), (50, "M")])  # 37.5 + 25 = 62.50
    rows += _person("T0000005", "handorg", [(100, "M")])  # 50.00
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """600 generated employees, their org tree, five worked by hand, and bad rows of every kind."""
    folder = tmp_path_factory.mktemp("colrel")
    path = folder / "kumho.csv"
    tree = generate(600, str(path), seed=11)
    rows = csv_rows(path)
    header, body = rows[0], rows[1:]
    first: dict[str, int] = {}
    for number, row in enumerate(body):
        first.setdefault(row[0], number)

    def line(emp: str, offset: int = 0) -> list[str]:
        return body[first[emp] + offset]

    def lines(emp: str) -> list[list[str]]:
        return [row for row in body if row[0] == emp]

    def rated(emp: str, rating: str) -> list[str]:
        return next(row for row in lines(emp) if row[COL["rating"]] == rating)

    oes = [e for e in first if any(r[COL["rating"]] == "O" for r in lines(e))]
    rated(oes[0], "O")[COL["confirmed_by"]] = ""  # an O without its signature
    rated(oes[1], "O")[COL["confirmed_by"]] = "   "  # a blank signature: none
    rated(oes[2], "O")[COL["confirmed_by"]] = " EX002 "  # signed (padded): confirmed
    rated(oes[3], "O")[COL["rating"]] = " O "  # padded: read as O, still signed
    unsigned = rated(oes[4], "O")
    unsigned[COL["rating"]], unsigned[COL["confirmed_by"]] = " O", ""  # padded and unsigned
    rated(oes[5], "O")[COL["rating"]] = "o"  # off the scale (codes are exact)
    line("H0000011")[COL["rating"]] = "X"  # off the scale
    line("H0000012")[COL["rating"]] = ""  # no rating: points() fails
    line("H0000013")[COL["weight"]] = "7"  # the KPI weights no longer add up to 100
    line("H0000014")[COL["weight"]] = "abc"
    line("H0000015")[COL["weight"]] = "100.00"  # the same number, another exponent
    line("H0000016")[COL["rated_by"]] = "multi_rater"  # a KPI is rated by the superior
    group = next(row for row in lines("H0000017") if row[COL["category"]] == "group_common")
    group[COL["category"]] = "company_common"  # counts per category broken
    line("H0000025")[COL["category"]] = "leadership"  # a kind, a total, a constraint broken
    single = next(
        e for e in first if e > "H0000030" and sum(r[COL["category"]] == "job_kpi" for r in lines(e)) == 1
    )
    line(single)[COL["weight"]] = "100.00"  # the same total, another exponent: no problem
    line("H0000018")[COL["year_in_grade"]] = "0"  # below the minimum
    for row in lines("H0000019"):
        row[COL["org"]] = " " + row[COL["org"]] + " "  # padded: the same organisation
    line("H0000020")[COL["org"]] = ""  # given on the first row only: merged from the next
    for row in lines("H0000021"):
        row[COL["org"]] = ""  # required and blank
    for row in lines("H0000022"):
        row[COL["name"]] = "=cmd|' /C calc'!A0"  # the spreadsheet guard
    line("H0000023", 1)[COL["role_grade"]] = "K1"  # two role grades for one employee
    line("H0000024")[COL["role_grade"]] = "k4"  # not an enum value
    body.insert(first["H0000030"], ["", "이름없음", *[""] * (len(header) - 2)])  # a row without an id
    body.extend(_hand_worked())
    write_csv(path, [header, *body])
    return path, tree


def _report(
    path: Path, fmt: str, workers: int, switch: str, monkeypatch: pytest.MonkeyPatch, tree: Any = None
) -> tuple[str, list[str]]:
    monkeypatch.setenv(columnar.SWITCH, switch)
    out = io.StringIO()
    engine = Engine.from_file(KUMHO)
    outcome = write_report(engine, str(path), fmt, out, workers=workers, min_bytes=0, org_parent=tree)
    notes = [f"{p.employee_id} {p.indicator} {p.origin} {p.rule} {p.message}" for p in outcome.problems]
    notes += [f"warning {p.employee_id} {p.origin} {p.rule} {p.message}" for p in outcome.warnings]
    return out.getvalue(), notes


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_whole_reports_are_byte_identical(
    generated: tuple[Path, dict[str, str | None]], fmt: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, tree = generated
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 3000)  # chunk ends fall everywhere
    plain = _report(path, fmt, workers, "0", monkeypatch, tree)
    fast = _report(path, fmt, workers, "1", monkeypatch, tree)
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]
    for rule in ("confirmation-missing", "record-enum", "sheet-weight-total", "sheet-kind",
                 "sheet-category-count", "record-range", "record-missing", "evaluation-error"):  # fmt: skip
        assert any(f" {rule} " in note for note in plain[1]), rule
    if fmt == "json":  # groups merged up the tree, ties across a grade boundary settled by the id
        assert "merge path: (org=" in plain[0]
        assert "the final key (id) decided" in plain[0]


def test_without_a_tree_small_groups_are_the_same_bytes(
    generated: tuple[Path, dict[str, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = generated
    assert _report(path, "csv", 2, "1", monkeypatch) == _report(path, "csv", 2, "0", monkeypatch)


def test_the_hand_worked_scores_and_grades(
    generated: tuple[Path, dict[str, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five K4 of handorg, each with one KPI sheet (O=100, E=75, M=50, B=25 points; weights in
    percent): performance 100.00, 87.50, 75.00, 62.50, 50.00 (no contribution item: the KPIs
    alone). Competency: every item M, so each category 50 and (50 + 50 + 50) / 3 = 50.00.
    Quotas 10/20/40/20/10 % of 5 seats: 0.5, 1, 2, 1, 0.5; the largest remainders (I and V,
    equal) go to the better grade: I 1, II 1, III 2, IV 1, V 0. Equal competency scores are
    ordered by performance, so both grades follow the performance order."""
    path, tree = generated
    text, _ = _report(path, "csv", 2, "1", monkeypatch, tree)
    got = {row[0]: row[2:] for row in csv.reader(io.StringIO(text)) if row and row[0].startswith("T")}
    assert got == {
        "T0000001": ["100.00", "0.00", "100.00", "50.00", "I", "I"],
        "T0000002": ["87.50", "0.00", "87.50", "50.00", "II", "II"],
        "T0000003": ["75.00", "0.00", "75.00", "50.00", "III", "III"],
        "T0000004": ["62.50", "0.00", "62.50", "50.00", "III", "III"],
        "T0000005": ["50.00", "0.00", "50.00", "50.00", "IV", "IV"],
    }


def test_the_plan_does_the_plain_employees_and_leaves_the_rest(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass through the plan gives the per-record pass's spill and rows, and sends
    only the employees with a bad row (a handful of spans) through the per-record path."""
    path, _ = generated
    engine = Engine.from_file(KUMHO)
    spans: list[int] = []
    real = columnar.RangeJob._per_record

    def counting(self: columnar.RangeJob, begin: int, finish: int, first_row: int) -> Any:
        spans.append(first_row)
        return real(self, begin, finish, first_row)

    monkeypatch.setattr(columnar.RangeJob, "_per_record", counting)
    fast = relative_columnar.columnar_first_pass(engine, str(path), "csv", None, None, str(tmp_path / "a"))
    assert fast is not None
    monkeypatch.setenv(columnar.SWITCH, "0")
    plain = first_pass(engine, str(path), "csv", None, None, str(tmp_path / "b"))
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    # 605 people; not evaluated: 3 O lines unconfirmed, 'o', X, no rating, H0000013-18, 21, 23-25
    assert fast.rows is not None and plain.rows is not None
    assert list(fast.rows) == list(plain.rows) and fast.count == plain.count == 605 - 16
    assert (fast.checks, fast.read, fast.warnings) == (plain.checks, plain.read, plain.warnings)
    assert 5 <= len(spans) <= 25


def _plan(path: Path) -> Any:
    engine = Engine.from_file(KUMHO)
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales") or {}
    header, values, _, _ = stream_csv(str(path), inputs, scales=scales)
    return build_plan(engine, header.plan, compile_inputs(inputs, scales), values, relative=True)


def test_the_plan_takes_kumho_only_as_a_first_pass(generated: tuple[Path, dict[str, str | None]]) -> None:
    """Distributions are graded by the caller: planned only when asked for (``relative``);
    the confirmation is checked over the goal lines."""
    path, _ = generated
    plan = _plan(path)
    assert [c.id for c in plan.confirmations] == ["o_needs_executive"]
    assert plan.review_each is False
    engine = Engine.from_file(KUMHO)
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales") or {}
    header, values, _, _ = stream_csv(str(path), inputs, scales=scales)
    with pytest.raises(Unsupported, match="distributions"):
        build_plan(engine, header.plan, compile_inputs(inputs, scales), values)


def test_a_stage_signed_in_an_employee_field_keeps_the_per_record_path(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the 2nd stage recorded in an employee field, a line's signature must be that
    evaluator's (a wrong confirmer is a problem): the plan leaves such a policy alone, and the
    report is the same."""
    policy = yaml.safe_load(Path(KUMHO).read_text(encoding="utf-8"))
    policy["inputs"]["employee"]["second_evaluator"] = {
        "type": "string", "required": False, "label": {"en": "2nd evaluator"}
    }  # fmt: skip
    policy["evaluator_chains"]["all_staff"]["stages"][1]["field"] = "second_evaluator"
    policy_path = tmp_path / "signed.yaml"
    policy_path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    rows = csv_rows(generated[0])
    rows[0].append("second_evaluator")
    for row in rows[1:]:
        row.append("EX001" if row[0] < "H0000300" else "")
    data = tmp_path / "signed.csv"
    write_csv(data, rows)
    engine = Engine.from_file(str(policy_path))
    spill = str(tmp_path / "spill")
    assert relative_columnar.columnar_first_pass(engine, str(data), "csv", None, None, spill) is None
    reports = []
    for switch in ("0", "1"):
        monkeypatch.setenv(columnar.SWITCH, switch)
        out = io.StringIO()
        outcome = write_report(engine, str(data), "csv", out, workers=2, min_bytes=0)
        reports.append((out.getvalue(), [(p.employee_id, p.rule, p.message) for p in outcome.problems]))
    assert reports[0] == reports[1]
    assert any("is signed by EX001, but the evaluation is by EX001" in m for _, _, m in reports[0][1])


def _escaped_names(path: Path, folder: Path) -> Path:
    """The generated population with names JSON escapes (a backslash, a tab, a control
    character) and a padded one (read stripped): the block writer leaves them to the plan's
    item writer."""
    rows = csv_rows(path)
    names = {"H0000040": "백\\슬래시", "H0000041": "탭\t이름", "H0000042": "종\x01료", "H0000043": "  여백 "}
    for row in rows[1:]:
        row[COL["name"]] = names.get(row[0], row[COL["name"]])
    data = folder / "escaped.csv"
    write_csv(data, rows)
    return data


def test_the_json_first_pass_is_the_per_record_spill(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON's first pass through the plan: the per-record pass's spill (each item's text around
    its relative value), rows, problems and warnings; the plain items from the block writer,
    those with a name to escape from the plan's item writer, a handful of spans per record."""
    path = _escaped_names(generated[0], tmp_path)
    engine = Engine.from_file(KUMHO)
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 3000)
    spans: list[int] = []
    real = columnar.RangeJob._per_record

    def counting(self: columnar.RangeJob, begin: int, finish: int, first_row: int) -> Any:
        spans.append(first_row)
        return real(self, begin, finish, first_row)

    detailed: list[str] = []
    item = relative_columnar.JSON_SPLIT.detailed

    def written(outcome: Any) -> Any:
        piece = item(outcome)
        assert piece is not None
        return lambda emp, *rest: detailed.append(emp) or piece(emp, *rest)

    monkeypatch.setattr(columnar.RangeJob, "_per_record", counting)
    counted = replace(relative_columnar.JSON_SPLIT, detailed=written)
    monkeypatch.setattr(relative_columnar, "JSON_SPLIT", counted)
    fast = relative_columnar.columnar_first_pass(engine, str(path), "json", None, None, str(tmp_path / "a"))
    assert fast is not None
    monkeypatch.setenv(columnar.SWITCH, "0")
    plain = first_pass(engine, str(path), "json", None, None, str(tmp_path / "b"))
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert fast.rows is not None and plain.rows is not None
    # the 605 people less the 16 not evaluated (as in the CSV test above; the names change nothing)
    assert list(fast.rows) == list(plain.rows) and fast.count == plain.count == 605 - 16
    assert (fast.checks, fast.read, fast.warnings) == (plain.checks, plain.read, plain.warnings)
    assert sorted(detailed) == ["H0000040", "H0000041", "H0000042", "H0000043"], detailed
    assert 5 <= len(spans) <= 30, spans
    with open(tmp_path / "a", "rb") as spill:
        first = pickle.load(spill)[0]
    assert first[1][0].endswith('\n      "relative": ') and first[1][1] == "\n    }"


@pytest.mark.parametrize("workers", [1, 2])
def test_json_reports_with_escaped_names_are_byte_identical(
    generated: tuple[Path, dict[str, str | None]],
    tmp_path: Path,
    workers: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole JSON report, per record and through the plan, with 1 and 2 workers: the
    same bytes, problems and warnings, each escaped name written as ``json.dumps`` does."""
    path = _escaped_names(generated[0], tmp_path)
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 5000)
    plain = _report(path, "json", workers, "0", monkeypatch, generated[1])
    fast = _report(path, "json", workers, "1", monkeypatch, generated[1])
    assert fast == plain
    assert '"name": "백\\\\슬래시"' in fast[0] and '"name": "탭\\t이름"' in fast[0]
    assert '"name": "여백"' in fast[0] and '"name": "종\\u0001료"' in fast[0]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_one_process_pass_counts_the_whole_file_as_the_per_record_one(
    generated: tuple[Path, dict[str, str | None]], tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's pass over the whole file tells its progress the header's bytes and row too:
    it ends on the file's size and rows, as the per-record pass does (a bar ends full)."""
    path = generated[0]
    engine = Engine.from_file(KUMHO)
    told: dict[str, list[tuple[int, int]]] = {"fast": [], "plain": []}
    fast = relative_columnar.columnar_first_pass(
        engine, str(path), fmt, None, None, str(tmp_path / "a"), lambda *n: told["fast"].append(n)
    )
    assert fast is not None
    monkeypatch.setenv(columnar.SWITCH, "0")
    first_pass(engine, str(path), fmt, None, None, str(tmp_path / "b"), lambda *n: told["plain"].append(n))
    rows = len(path.read_bytes().splitlines())
    assert told["fast"][-1] == told["plain"][-1] == (path.stat().st_size, rows)
