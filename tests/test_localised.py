"""Issue 15: every command in the reader's language. The reasons a row gives (why no grade, a
verdict, a status) come from one table (engine/report/phrases.py); the strings below are the
hand-checked Korean and Japanese of each English reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.report.phrases import reason, ungraded


@pytest.mark.parametrize(
    ("english", "ko", "ja"),
    [
        (
            "not graded: no band of the grade table holds the score",
            "미부여: 등급표의 어느 구간에도 점수가 해당하지 않음",
            "未評価: 評価表のどの区分にも点数が該当しない",
        ),
        ("not graded: no record", "미부여: 기록 없음", "未評価: 記録なし"),
        (
            "not graded: no evaluation recorded (chain 'hq_member')",
            "미부여: 평가 기록 없음 (평가 체계 'hq_member')",
            "未評価: 評価記録なし（評価系統 'hq_member'）",
        ),
        (
            "not graded: no stage of chain 'hq' gave a grade",
            "미부여: 평가 체계 'hq'의 어느 단계도 등급을 주지 않음",
            "未評価: 評価系統 'hq' のどの段階も評価を付けていない",
        ),
        ("not graded: not a candidate", "미부여: 배분 대상 아님", "未評価: 配分の対象外"),
        (
            "not graded: group (org=lone, role_grade=K4) has 1 member, fewer than the minimum 5, "
            "and org 'lone' is not in the org tree",
            "미부여: 그룹 (org=lone, role_grade=K4) 인원 1명, 최소 인원 5명 미만, "
            "조직 'lone'이(가) 조직도에 없음",
            "未評価: グループ (org=lone, role_grade=K4) の人数 1 名、最少人数 5 名未満、"
            "組織 'lone' が組織図にない",
        ),
        (
            "not graded: no field 'org' (needed to group)",
            "미부여: 필드 'org' 없음 (그룹 구분에 필요)",
            "未評価: 項目 'org' なし（グループ分けに必要）",
        ),
        ("voted down", "부결", "否決"),
        ("2 working days late", "2영업일 지연", "2営業日遅延"),
        (
            "open: 3 working days left, until Fri 2027-02-12",
            "진행 중: 3영업일 남음, 2027-02-12(금)까지",
            "受付中: 残り 3 営業日、2027-02-12(金) まで",
        ),
    ],
)
def test_each_reason_in_korean_and_japanese(english: str, ko: str, ja: str) -> None:
    assert (reason(english, "ko"), reason(english, "ja")) == (ko, ja)
    assert reason(english, "en") == reason(english, None) == english
    assert ungraded(reason(english, "ko")) == ungraded(english)


def test_a_reason_the_policy_wrote_itself_is_shown_as_it_is() -> None:
    own = "I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분"
    assert reason(own, "ja") == own


# --- text reports of calibrate, jobeval, pay and workflow in Korean and Japanese -------------

ROOT = Path(__file__).resolve().parent.parent
KUMHO, KEPCO = str(ROOT / "policies/kumho_like.yaml"), str(ROOT / "policies/kepco_like.yaml")
EXAMPLES = ROOT / "examples"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_calibrate_in_korean_names_grades_columns_and_verdicts() -> None:
    code, out = run("calibrate", KUMHO, str(EXAMPLES / "kumho_like/calibration.yaml"), "--lang", "ko")
    lines = out.splitlines()[1:]  # after the policy's stamp
    assert code == 0
    assert lines[:5] == [
        "== 배분 업적 종합판정 (performance): 그룹 1개, 모든 그룹 정원 내",
        "",
        "그룹 (org=civil_div, role_grade=K4): 10명; 최종 등급 정원 내",
        "등급  정원  허용 오차  제안 등급  최종 등급  정원 내",
        "----  ----  ---------  ---------  ---------  -------",
    ]
    # Grade I of the scale is labelled Ⅰ in Korean: 3 proposed, quota 1, 1 final.
    assert lines[5] == "Ⅰ        1        +-0          3          1  예"
    assert lines[10:12] == ["조정 (5건):", "대상자  제안 등급  최종 등급  사유"]
    # The reason the calibration file gives (in Korean already) is shown as it is.
    assert lines[13] == "C02     Ⅰ          Ⅱ          I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분"
    assert lines[-1] == "결과: 모든 그룹 정원 내, 문제 없음"


def test_jobeval_in_japanese_with_the_committee_verdict() -> None:
    code, out = run("jobeval", KEPCO, str(EXAMPLES / "kepco_like/jobs.yaml"), "--lang", "ja")
    lines = out.splitlines()[1:]
    assert code == 0
    assert lines[0] == "kepco_like: 職務 3 件（examples/kepco_like/jobs.yaml）、問題あり 0".replace(
        "examples/kepco_like/jobs.yaml", str(EXAMPLES / "kepco_like/jobs.yaml")
    )
    assert lines[2].split() == [
        "職務",
        "職務名",
        "職群",
        "担当者",
        "合計",
        "端数処理後",
        "原案等級",
        "最終等級",
        "委員会",
    ]
    # M-01: 683.10 -> 683, J4 proposed; the committee's J3 stands ("stands" = 有効).
    assert lines[6].endswith("job_grade_committee -> J3: 有効")
    assert (
        "  委員会 job_grade_committee: J4 -> J3 への調整を要請 (야간 고장 대응 업무 이관 (직무 난이도 상향))"
        in lines
    )
    assert "    最終等級 J3" in lines


def test_pay_in_korean_names_sections_columns_and_the_share_check() -> None:
    code, out = run("pay", KUMHO, str(EXAMPLES / "kumho_like/pay.yaml"), "--base-rate", "3.0", "--lang", "ko")
    lines = out.splitlines()[1:]
    assert code == 0
    assert lines[1] == "매개변수: coefficient = 1.0, X = 3.0"
    assert lines[3:6] == ["성과 인상률 (%)", "  사번  성명    구간  인상률", "  ----  ------  ----  ------"]
    assert lines[6] == "  H101  박성훈  P        3.8"  # 3.0 + (0.5 x 70 + 1.5 x 30) / 100
    assert "성과급 (KRW)" in lines
    # The pool 88,060,000 paid in full by the eight shares (hand-summed in examples/kumho_like/pay.yaml).
    assert "  배분액 합계 = 재원: 88060000 = 88060000" in lines


def test_workflow_in_korean_and_japanese_dates_statuses_and_deadlines() -> None:
    data = str(EXAMPLES / "kepco_like/workflow.yaml")
    code, ko = run("workflow", KEPCO, data, "--today", "2027-02-10", "--lang", "ko")
    assert code == 1
    lines = ko.splitlines()[1:]
    assert lines[2] == "이의 신청 기간: 통보 2건, 이의 신청 3건, 문제 있음 1"
    assert lines[3].split() == ["직원", "평가", "기간", "차수", "통보일", "마감일", "제기일", "상태"]
    # K003: notice Wed 2027-02-03, 5 working days skipping the weekend and 설날 -> Fri 2027-02-12;
    # on Wed 2027-02-10 three working days are left (10, 11, 12).
    assert lines[5].split() == [
        "K003", "박지훈", "final", "1", "2027-02-03(수)", "2027-02-12(금)", "-",
        "진행", "중:", "3영업일", "남음,", "2027-02-12(금)까지",
    ]  # fmt: skip
    assert lines[9].endswith("2027-02-15(월)  1영업일 지연")
    assert (
        "  마감: 2027-02-03(수) 다음 날부터 5영업일 (제외: 주말 2027-02-06(토)~2027-02-07(일), "
        "공휴일 2027-02-08(월)~2027-02-09(화)) = 2027-02-12(금)"
    ) in lines
    _, ja = run("workflow", KEPCO, data, "--today", "2027-02-10", "--lang", "ja")
    assert "K002 이서연  final      1  2027-02-03(水)  2027-02-12(金)  2027-02-15(月)  1営業日遅延" in ja
    assert "  申立て 2026-07-21(火): 期限内" in ja.splitlines()


# --- validate, test, init and the language server in the reader's language ---------------------


def broken_kumho(tmp_path: Path) -> Path:
    """kumho_like with an indicator formula reading the employee formula kpi_score (labelled
    직무KPI 점수 / Job KPI score), which an indicator formula cannot see."""
    text = Path(KUMHO).read_text(encoding="utf-8")
    text = text.replace(
        'expr: "weight * item_points / 100"', 'expr: "weight * item_points / 100 + kpi_score"'
    )
    path = tmp_path / "kumho_like.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "named"),
    [("ko", "'kpi_score' (직무KPI 점수)"), ("en", "'kpi_score' (Job KPI score)"), ("ja", "'kpi_score'")],
)
def test_validate_names_fields_by_their_labels(tmp_path: Path, lang: str, named: str) -> None:
    path = broken_kumho(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path), "--lang", lang])
    assert result.exit_code == 1
    # kumho declares no Japanese labels: the id alone, as without --lang.
    assert result.stdout == f"{path}:241:43: error [formula-unknown-name] unknown name {named}\n"
    from_stdin = CliRunner().invoke(
        cli, ["validate", "-", "--lang", lang, "--format", "json"], input=path.read_bytes()
    )
    assert f'"message": "unknown name {named}"' in from_stdin.stdout


def test_policy_tests_name_the_failing_field_by_its_label(tmp_path: Path) -> None:
    (tmp_path / "kumho_like.yaml").write_text(Path(KUMHO).read_text(encoding="utf-8"), encoding="utf-8")
    tests = (ROOT / "policies/kumho_like.test.yaml").read_text(encoding="utf-8")
    tests = tests.replace('H001: {kpi_score: "67.5"', 'H001: {kpi_score: "67.6"', 1)
    tests = tests.replace("../examples/", f"{EXAMPLES}/")
    (tmp_path / "kumho_like.test.yaml").write_text(tests, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "kumho_like.test.yaml"), "--lang", "ko"])
    assert result.exit_code == 1
    assert "[test-failed] H001 직무KPI 점수 (kpi_score): expected 67.6, got 67.5\n" in result.stdout


def test_init_says_what_it_wrote_in_japanese(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    result = CliRunner().invoke(cli, ["init", str(target), "--lang", "ja"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"作成しました: {target}"
    assert (
        lines[-1]
        == f"次に: FILL IN の部分を埋めてから実行: hrpolicy validate {target} && hrpolicy test {target}"
    )


def test_the_editor_language_comes_from_its_options_else_lang_else_its_locale() -> None:
    from engine.lsp.convert import language_of

    assert language_of({"lang": "ja"}, "ko-KR", "en") == "ja"
    assert language_of({}, "ko-KR", "en") == "en"
    assert language_of(None, "ko-KR") == "ko"
    assert language_of(None, "ja_JP") == "ja"
    assert language_of({"lang": "fr"}, "de-DE") is None


@pytest.mark.parametrize(
    ("init", "message"),
    [
        ({"initializationOptions": {"lang": "ko"}}, "unknown name 'kpi_score' (직무KPI 점수)"),
        ({"locale": "en-GB"}, "unknown name 'kpi_score' (Job KPI score)"),
        ({}, "unknown name 'kpi_score'"),
    ],
)
def test_the_language_server_names_fields_in_the_editors_language(
    tmp_path: Path, init: dict[str, object], message: str
) -> None:
    pytest.importorskip("pygls")
    from test_lsp import Client

    client = Client()
    client.request(
        "initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}, **init}
    )
    client.notify("initialized", {})
    path = broken_kumho(tmp_path)
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    found = client.diagnostics(uri)
    assert [(d["code"], d["message"]) for d in found] == [("formula-unknown-name", message)]
    assert client.close() == 0


# --- --encoding and --sheet on every command that reads a CSV file or a workbook ---------------


@pytest.fixture()
def korean_files(tmp_path: Path) -> tuple[Path, Path]:
    """H001-H005 as a Korean workbook (instructions sheet first) and as a CP949 CSV file."""
    import kumho_sheet

    return kumho_sheet.write_workbook(tmp_path / "평가표.xlsx"), kumho_sheet.write_cp949_csv(
        tmp_path / "평가표.csv"
    )


def test_diff_reads_the_sheet_asked_for(korean_files: tuple[Path, Path]) -> None:
    book = str(korean_files[0])
    code, out = run("diff", KUMHO, KUMHO, "--population", book, "--sheet", "평가표")
    assert code == 0
    assert f"population {book}: 0 of 5 people change score, grade or pay" in out
    result = CliRunner().invoke(cli, ["diff", KUMHO, KUMHO, "--population", book, "--sheet", "없음"])
    assert result.exit_code == 2
    assert result.stderr == f"hrpolicy: {book}: no sheet '없음'; the workbook has '작성 안내', '평가표'\n"


def test_simulate_reads_the_encoding_given(korean_files: tuple[Path, Path]) -> None:
    csv_file = str(korean_files[1])
    vary = ("--vary", "distributions.performance.quotas.I=10")
    code, out = run("simulate", KUMHO, "--population", csv_file, "--encoding", "cp949", *vary)
    assert code == 0 and f"population {csv_file}: 5 people; as written: 10" in out
    result = CliRunner().invoke(
        cli, ["simulate", KUMHO, "--population", csv_file, "--encoding", "utf-8", *vary]
    )
    assert result.exit_code == 2
    assert "line 1 is not UTF-8 text (byte 0xb3)" in result.stderr


def test_policy_tests_read_their_csv_records_with_the_encoding_given(
    korean_files: tuple[Path, Path], tmp_path: Path
) -> None:
    (tmp_path / "kumho_like.yaml").write_text(Path(KUMHO).read_text(encoding="utf-8"), encoding="utf-8")
    # H001 (examples/kumho_like/employees.yaml): KPI (3750+1500+1500)/100 = 67.5; 64.00 overall.
    tests = tmp_path / "k.test.yaml"
    tests.write_text(
        "hrpolicy-test: 1\npolicy: kumho_like.yaml\ncases:\n  - name: the Korean CSV file\n"
        f"    records: {korean_files[1].name}\n"
        '    expect:\n      employees:\n        H001: {kpi_score: "67.5", performance_score: "64.00"}\n',
        encoding="utf-8",
    )
    code, out = run("test", str(tests), "--encoding", "cp949")
    assert code == 0 and "  PASS  the Korean CSV file (2 checks)\n" in out
    code, out = run("test", str(tests), "--encoding", "utf-8")
    assert code == 1 and f"records: {korean_files[1]}: line 1 is not UTF-8 text (byte 0xb3)" in out


def test_the_last_line_on_stderr_is_in_the_language_too() -> None:
    data = str(EXAMPLES / "kepco_like/workflow.yaml")
    result = CliRunner().invoke(cli, ["workflow", KEPCO, data, "--lang", "ko", "--format", "csv"])
    assert result.exit_code == 1
    # K002 late, K004 changed in a closed phase, K008 removed an indicator without a replacement.
    assert result.stderr.splitlines()[-1] == "hrpolicy: 문제 3건, 대상자 7 중 3 해당; 위의 문제를 확인하세요"
    english = CliRunner().invoke(cli, ["workflow", KEPCO, data, "--format", "csv"])
    assert (
        english.stderr.splitlines()[-1]
        == "hrpolicy: 3 problems, 3 of 7 employees affected; see the problems above"
    )


def test_csv_and_xlsx_cells_in_the_language_too(tmp_path: Path) -> None:
    import csv
    import io

    import openpyxl

    out = tmp_path / "c.xlsx"
    code, _ = run("calibrate", KUMHO, str(EXAMPLES / "kumho_like/calibration.yaml"), "-o", str(out))
    assert code == 0
    # The workbook is in the policy's Korean: grade I of the scale is labelled Ⅰ, quota 1, 3 proposed.
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(out)["평가 결과"].iter_rows()]
    assert rows[0][:5] == ["행 종류", "등급 분포", "그룹", "등급", "정원"]
    # (proposed and final also hold the move rows' grades: those columns are text.)
    assert rows[1][3:8] == ["Ⅰ", 1, 0, "3", "1"]
    assert next(r[6:8] for r in rows if r[0] == "move") == ["Ⅰ", "Ⅱ"]  # C02 moved from I to II
    code, text = run(
        "workflow", KEPCO, str(EXAMPLES / "kepco_like/workflow.yaml"), "--format", "csv", "--lang", "ja"
    )
    table = list(csv.reader(io.StringIO(text)))[1:]  # after the policy's stamp
    assert table[0][-2:] == ["状態", "問題"]
    # K002 filed one working day late; K004's goal change rejected (却下), K006's accepted (承認).
    assert [row[-2] for row in table if row[1] in ("K002", "K004", "K006")] == ["1営業日遅延", "却下", "承認"]
