"""Reports people read (issue 15): formats and -o suffixes, xlsx for every command, --lang,
places per column, a grade or its reason in every row, neutralised cells, terminal tables."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from helpers import canonical_json, unstamped

from engine.cli import cli
from engine.evaluate import Engine
from engine.provenance import stamp_of
from engine.report.options import ReportOptions
from engine.report.results import RENDERERS, report_columns
from engine.report.safety import spreadsheet_cell
from engine.report.screen import fit_line
from engine.report.table import display_width, pad_places, render_table
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICIES, EXAMPLES = ROOT / "policies", ROOT / "examples"
KUMHO, KEPCO, JAPAN = (str(POLICIES / f"{p}.yaml") for p in ("kumho_like", "kepco_like", "japan_mbo"))


def invoke(*args: str) -> tuple[int, str, str]:
    """The command's exit code, stdout without its policy stamp (checked exactly), stderr."""
    result = CliRunner().invoke(cli, list(args))
    out = result.stdout
    fmt = args[args.index("--format") + 1] if "--format" in args else "text"
    if out and fmt in ("text", "csv"):
        out = unstamped(out, fmt, args[1])
    return result.exit_code, out, result.stderr


# --- formats and output files -------------------------------------------------------------


def test_a_suffix_that_disagrees_with_the_format_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    code, stdout, stderr = invoke(
        "evaluate", JAPAN, str(EXAMPLES / "japan_mbo/employees.yaml"), "--format", "csv", "-o", str(out)
    )
    assert (code, stdout) == (2, "")
    assert stderr == (
        f"hrpolicy: {out}: a .xlsx file is for --format xlsx, not --format csv; "
        "add --format xlsx or change the file name\n"
    )
    assert list(tmp_path.iterdir()) == []
    code, _, stderr = invoke(
        "evaluate", JAPAN, str(EXAMPLES / "japan_mbo/employees.yaml"), "--format", "xlsx"
    )
    assert (code, stderr) == (
        2,
        "hrpolicy: --format xlsx writes a workbook: name the file with -o (e.g. -o results.xlsx)\n",
    )
    code, _, stderr = invoke(
        "pay",
        KUMHO,
        str(EXAMPLES / "kumho_like/pay.yaml"),
        "--base-rate",
        "3.0",
        "--format",
        "text",
        "-o",
        str(tmp_path / "pay.csv"),
    )
    assert code == 2 and "a .csv file is for --format csv, not --format text" in stderr
    assert list(tmp_path.iterdir()) == []


def test_the_suffix_chooses_the_format_when_none_is_given(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert invoke("evaluate", JAPAN, str(EXAMPLES / "japan_mbo/employees.yaml"), "-o", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    # The policy is Japanese: a workbook people open is in its language unless --lang says otherwise.
    assert [c.value for c in sheet[1]] == [
        "社員番号",
        "氏名",
        "目標管理パーセント評価結果",
        "総合業績評価 5段階評価への換算",
        "総合業績評価 5段階評価への換算 (点数)",
    ]
    # E001: 79.50 -> C（2）, 40 points (hand-worked in examples/japan_mbo/employees.yaml).
    e001 = [(c.value, c.number_format) for c in sheet[2]]
    assert e001 == [
        ("E001", "General"),
        ("山田 太郎", "General"),
        (79.5, "0.00"),
        ("C（2）", "General"),
        (40, "0"),
    ]


COMMANDS = [
    ("calibrate", KUMHO, "kumho_like/calibration.yaml", ()),
    ("jobeval", KEPCO, "kepco_like/jobs.yaml", ()),
    ("pay", KUMHO, "kumho_like/pay.yaml", ("--base-rate", "3.0")),
    ("workflow", KEPCO, "kepco_like/workflow.yaml", ()),
]


@pytest.mark.parametrize(("command", "policy", "data", "extra"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_writes_xlsx_with_the_csv_table_and_a_problems_sheet(
    command: str, policy: str, data: str, extra: tuple[str, ...], tmp_path: Path
) -> None:
    base = (command, policy, str(EXAMPLES / data), *extra)
    # A workbook is in the policy's own language (both are Korean) unless --lang says otherwise:
    # the same table as the CSV report in Korean.
    code, text, _ = invoke(*base, "--format", "csv", "--lang", "ko")
    table = list(csv.reader(io.StringIO(text)))
    assert invoke(*base, "-o", str(tmp_path / "r.xlsx"))[0] == code
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["평가 결과", "문제", "정책"]
    stamp = stamp_of(load_policy(policy).data)
    assert [[c.value for c in row] for row in book["정책"].iter_rows()] == [
        ["id", "버전", "sha256"],
        [stamp.id, stamp.version, hashlib.sha256(canonical_json(policy).encode()).hexdigest()],
    ]
    sheet = book["평가 결과"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    read = [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows()]
    assert read[0] == table[0] and len(read) == len(table)
    for want, got in zip(table[1:], read[1:], strict=True):  # numbers are number cells, same value
        for w, g in zip(want, got, strict=True):
            if isinstance(g, int | float) and not isinstance(g, bool):
                assert Decimal(repr(g)) == Decimal(w)
            else:
                assert g == w
    problems = [[c.value for c in row] for row in book["문제"].iter_rows()]
    assert problems[0] == ["구분", "대상", "규칙", "내용", "위치"]
    assert (len(problems) > 1) == (code == 1)


def test_workflow_problems_sheet_names_each_problem(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    assert (
        invoke("workflow", KEPCO, str(EXAMPLES / "kepco_like/workflow.yaml"), "-o", str(out), "--lang", "ko")[
            0
        ]
        == 1
    )
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["평가 결과", "문제", "정책"]
    assert [c.value for c in book["정책"][1]] == ["id", "버전", "sha256"]
    version = str(load_policy(KEPCO).data["metadata"]["version"])
    assert [c.value for c in book["정책"][2]][:2] == ["kepco_like", version]
    # Every column in Korean: the policy's label for name, the reports' words for the others.
    header = [c.value for c in book["평가 결과"][1]]
    assert header[:6] == ["기록 종류", "직원", "성명", "평가 기간", "차수", "통보일"]
    rows = [[c.value for c in row] for row in book["문제"].iter_rows()]
    assert rows[0] == ["구분", "대상", "규칙", "내용", "위치"]
    assert rows[1][:3] == ["error", "K002", "objection-late"]


def test_formula_looking_text_is_neutralised_in_xlsx(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "japan_mbo/employees.yaml").read_text(encoding="utf-8"))
    data["employees"][0]["name"] = '=HYPERLINK("http://x","y")'
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert invoke("evaluate", JAPAN, str(path), "-o", str(out))[0] == 0
    cell = openpyxl.load_workbook(out).worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://x","y")', "s")
    assert [spreadsheet_cell(t) for t in ("=1+2", "+1", "-1.5", "@SUM(A1)", "\t=x", "김")] == [
        "'=1+2",
        "+1",
        "-1.5",
        "'@SUM(A1)",
        "'\t=x",
        "김",
    ]


# --- languages, places, grades --------------------------------------------------------------


def test_kumho_text_in_korean_with_two_places_in_every_score_column() -> None:
    code, out, _ = invoke("evaluate", KUMHO, str(EXAMPLES / "kumho_like/employees.yaml"), "--lang", "ko")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "평가/보상제도 (역할 직급 K1~K4): 평가 완료 26, 문제 있음 0"
    assert re.split(r"\s{2,}", lines[2])[:3] == ["사번", "성명", "직무KPI 점수"]
    # H002: no contribution item -> contribution 0 shown 0.00; KPI 90 shown 90.00 (were 0 and 90).
    h002 = next(line for line in lines if line.startswith("H002"))
    assert h002.split() == ["H002", "이하준", "90.00", "0.00", "90.00", "77.83", "Ⅰ", "Ⅰ"]
    # H018 is alone in its group: the row says it has no grade, and the warnings under the
    # table say why, in Korean too (each grade cell held the whole reason: 21 lines a row at a
    # 100-column terminal).
    h018 = [line for line in lines if "H018" in line]
    assert h018[0].split() == ["H018", "송재원", "67.50", "75.00", "69.00", "76.06", "미부여", "미부여"]
    where = f"{EXAMPLES / 'kumho_like/employees.yaml'}: H018: warning [distribution-group-too-small]"
    # ("group (org=company, role_grade=K1) has 1 member, fewer than the minimum 5, even at the
    # top of the org tree; merged from (org=mgmt_div, role_grade=K1)"):
    why = (
        "그룹 (org=company, role_grade=K1) 인원 1명, 최소 인원 5명 미만, 조직도 최상위에서도 부족; "
        "병합 전 그룹: (org=mgmt_div, role_grade=K1)"
    )
    assert h018[1:] == [
        f"  {where} 업적 종합판정 (performance): {why}",
        f"  {where} 역량 종합판정 (competency): {why}",
    ]


def test_json_keeps_exact_decimals() -> None:
    import json

    _, out, _ = invoke("evaluate", KUMHO, str(EXAMPLES / "kumho_like/employees.yaml"), "--format", "json")
    h002 = next(r for r in json.loads(out)["results"] if r["id"] == "H002")
    assert (h002["values"]["kpi_score"], h002["values"]["contribution_score"]) == ("90", "0")


def test_kepco_rows_show_the_relative_grade_and_stage_grades_are_checked(tmp_path: Path) -> None:
    """Seed 000: "1차 절대평가, 2차 상대평가" ending in "평가등급 확정"; kepco_like's grade is its relative
    rule (distribution `grade`, ranked within department and position) and every stage's grade is
    one of its scale S-D (an ASSUMPTION of the policy)."""
    data = yaml.safe_load((EXAMPLES / "kepco_like/employees.yaml").read_text(encoding="utf-8"))
    data["employees"][0]["evaluations"] = [
        {"stage": "first", "evaluator": "E100", "grade": "A"},
        {"stage": "second", "evaluator": "E200", "grade": "B", "reason": "상대평가 조정"},
    ]
    path = tmp_path / "k.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, _ = invoke("evaluate", KEPCO, str(path), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["id", "name", "score", "grade"]
    # K001 (hand-worked in the example): 90.65, the only section head of planning: a group of one
    # holds one B seat (0.1/0.2/0.4/0.2/0.1 of a seat: B's .4 is the largest remainder).
    assert rows[1] == ["K001", "김민준", "90.65", "B"]
    # busan_branch members (3): 0.3/0.6/1.2/0.6/0.3 seats -> B, then A and C: K007 109.90 A,
    # K009 98.17 B, K008 73.75 C.
    assert [r[3] for r in rows[7:10]] == ["A", "C", "B"]
    # A grade off the scale is refused, whichever stage gives it.
    data["employees"][0]["evaluations"][1]["grade"] = "A+"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, _ = invoke("evaluate", KEPCO, str(path))
    assert code == 1
    assert (
        "K001: error [chain-grade-scale] evaluation 2 (stage 'second') gives grade 'A+', not one of S, A, B,"
        " C, D\n"
    ) in out


def test_explain_names_formulas_by_their_labels() -> None:
    code, out, _ = invoke(
        "explain", KUMHO, str(EXAMPLES / "kumho_like/employees.yaml"), "--employee", "H001", "--lang", "ko"
    )
    assert code == 0
    assert out.startswith("사번 H001 (김도윤)\n")
    assert "    [round] performance_score (업적 점수): 64.0 -> 64.00 (round half_up to 2 places)\n" in out
    assert "    [formula] kpi_score (직무KPI 점수) = sum(weighted_points, category='job_kpi') = " in out


def test_explain_at_a_terminal_wraps_each_line_under_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """At a 100-column terminal a trace line longer than that is cut at its spaces, its rest set
    under its text (after the ``[input]`` tag), never mid-word as the terminal itself would;
    without a terminal (a pipe, a file) the lines are whole."""
    from engine.commands.evaluate import run_explain

    def explained(width: int | None) -> str:
        said: list[str] = []
        args = (KUMHO, "examples/kumho_like/employees.yaml", "H016", "text")
        code = run_explain(*args, lambda text="", err=False, nl=True: said.append(text), width=width)
        assert code == 0
        return "\n".join(said)

    monkeypatch.chdir(EXAMPLES.parent)  # (the origins' paths as a user would type them)
    whole, wrapped = explained(None), explained(100)
    lines = wrapped.splitlines()
    assert max(display_width(line) for line in lines) <= 100
    assert max(display_width(line) for line in whole.splitlines()) > 400
    at = lines.index("  employee:")
    assert lines[at + 1 : at + 5] == [
        "    [input] id=H016, name=황준서, role_grade=K2, org=mgmt_div, year_in_grade=5, base_pay=80000000,",
        "            vp_performance=103, division_performance=100, has_team_kpi=True, team_performance=101,",
        "            language_level=none, hanja_passed=False, kumho_mba=False (from",
        "            examples/kumho_like/employees.yaml:420:5)",
    ]
    assert re.sub(r"\s", "", wrapped) == re.sub(r"\s", "", whole)  # (only spaces and breaks moved)


def test_kumho_example_table_at_a_terminal_fits_it_and_says_why_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``hrpolicy examples``'s kumho table at a 100-column terminal. It was 21 lines for each of
    H016-H018 (the 160-character reason in both grade cells, cut to 8 cells, ``performa`` over
    ``nce``) and the warnings cut mid-word by the terminal. Now: the one number header wider than
    its numbers wraps at its underscore, a person not graded says so, and each warning is
    wrapped at its spaces under its first line (by the command line: ``fit_line``)."""
    monkeypatch.chdir(EXAMPLES.parent)  # (the origins' paths as a user would type them)
    engine = Engine.from_file(KUMHO)
    outcome = engine.evaluate(engine.read("examples/kumho_like/employees.yaml"))
    text = RENDERERS["text"](outcome, ReportOptions(width=100))
    lines = [piece for line in text.splitlines() for piece in fit_line(line, 100)]  # (the command line's)
    assert max(display_width(line) for line in lines) == 100
    assert lines[2:6] == [
        "id    name    kpi_score  contribution_  performance_score  competency_score  performance  "
        "competency",
        "                                 score",
        "----  ------  ---------  -------------  -----------------  ----------------  -----------  "
        "----------",
        "H001  김도윤      67.50          50.00              64.00             62.58  III          III",
    ]
    h016 = lines.index(
        "H016  황준서      82.50          75.00              81.00             73.94  not graded   not graded"
    )
    assert lines[h016 + 1].startswith("H017  안소윤      60.00")  # one line a person
    first = lines.index("warnings:") + 1
    assert lines[first : first + 3] == [
        "  examples/kumho_like/employees.yaml: H018: warning [distribution-group-too-small] performance:",
        "    group (org=company, role_grade=K1) has 1 member, fewer than the minimum 5, even at the top of",
        "    the org tree; merged from (org=mgmt_div, role_grade=K1)",
    ]
    assert len(lines) == first + 6 * 3  # six warnings, three lines each
    # a pipe or a file: the lines whole, as before
    piped = RENDERERS["text"](outcome, ReportOptions()).splitlines()
    assert piped[2].split() == ["id", "name", *report_columns(outcome)]
    assert piped[-1] == (
        "  examples/kumho_like/employees.yaml: H017: warning [distribution-group-too-small] competency: "
        "group (org=company, role_grade=K2) has 2 members, fewer than the minimum 5, even at the top of "
        "the org tree; merged from (org=mgmt_div, role_grade=K2)"
    )


# --- terminal tables ----------------------------------------------------------------------


def test_widths_of_wide_combining_and_decomposed_text() -> None:
    nfd = unicodedata.normalize("NFD", "김민준")  # 9 jamo, as macOS file names hand them over
    assert len(nfd) == 9 and display_width(nfd) == 6
    assert display_width("e\u0301") == 1  # e + combining acute
    assert display_width("山田 太郎") == 9 and display_width("Ⅲ") == 1
    table = render_table(["id", "name"], [["K1", nfd], ["K2", "abc"]], [False, False])
    assert table.splitlines() == ["id  name", "--  ------", "K1  김민준", "K2  abc"]


def test_a_table_wider_than_the_terminal_wraps_text_columns_only() -> None:
    reason = "not graded: group (org=company, role_grade=K1) has 1 member, fewer than the minimum 5"
    rows = [["H018", "송재원", "69.00", reason], ["H001", "김도윤", "64.00", "Ⅲ"]]
    text = render_table(["id", "name", "score", "grade"], rows, [False, False, True, False], width=50)
    lines = text.splitlines()
    assert max(display_width(line) for line in lines) <= 50
    # id 4 + name 6 + score 5 + three gaps of 2 = 21 cells: the grade column gets 29.
    assert lines == [
        "id    name    score  grade",
        "----  ------  -----  -----------------------------",
        "H018  송재원  69.00  not graded: group",
        "                     (org=company, role_grade=K1)",
        "                     has 1 member, fewer than the",
        "                     minimum 5",
        "H001  김도윤  64.00  Ⅲ",
    ]


def test_a_wrapped_cell_line_never_starts_with_the_space_it_broke_at() -> None:
    """A word that fills its line exactly, then a space: the space is the break, not the start
    of the next line (it was: "members," then " fewer" at a 100-column terminal)."""
    reason = "members, fewer than the minimum 5"
    text = render_table(["id", "grade"], [["H016", reason]], [False, False], width=14)
    assert text.splitlines() == [
        "id    grade",
        "----  --------",
        "H016  members,",
        "      fewer",
        "      than the",
        "      minimum",
        "      5",  # ("than the" fills its 8 cells: the space after it is the break)
    ]


def test_problem_messages_name_the_field_by_its_label(tmp_path: Path) -> None:
    from tests import kumho_sheet

    path = kumho_sheet.write_workbook(tmp_path / "in.xlsx", count=1)
    book = openpyxl.load_workbook(path)
    book["평가표"]["J4"] = "오십"  # H001's first weight, typed as a word
    book.save(path)
    code, out, _ = invoke("evaluate", KUMHO, str(path), "--param", "X=3.0", "--lang", "ko")
    assert code == 1
    assert (
        f"  {path}:row 4: H001 indicator 1: error [record-type] "
        "항목 가중치 (weight): expected a decimal number, got '오십'\n"
    ) in out
    code, out, _ = invoke("evaluate", KUMHO, str(path), "--param", "X=3.0")
    assert f"  {path}:row 4: H001 indicator 1: error [record-type] weight: expected a decimal number" in out


def test_every_number_column_of_another_command_shows_one_number_of_places() -> None:
    code, out, _ = invoke(
        "pay", KUMHO, str(EXAMPLES / "kumho_like/pay.yaml"), "--base-rate", "3.0", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    deduction = rows[0].index("promotion_deduction")
    # H101 0, H103 0.2, H104 0.176: the column shows three places throughout, exactly.
    assert [row[deduction] for row in rows[1:5]] == ["0.000", "0.000", "0.200", "0.176"]
    assert pad_places([["1", "x", "2.5"], ["-3.25", "", "7"]], [True, True, True]) == [
        ["1.00", "x", "2.5"],
        ["-3.25", "", "7.0"],
    ]


def test_a_parameter_without_a_value_is_a_usage_error() -> None:
    code, _, err = invoke("evaluate", KUMHO, str(EXAMPLES / "kumho_like/employees.yaml"), "--param", "X")
    assert (code, err) == (2, "hrpolicy: --param 'X': expected NAME=VALUE\n")
