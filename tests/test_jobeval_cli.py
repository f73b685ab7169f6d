"""``hrpolicy jobeval``: the kepco example jobs, the data format's problems, the report formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import Echo, drop_stamps, members

from engine.cli import cli
from engine.commands.jobeval import run_jobeval
from engine.errors import DataError, UsageError
from engine.loader import load_yaml_file

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JOBS = str(ROOT / "examples" / "kepco_like" / "jobs.yaml")


def run(data: str, fmt: str = "text", output: str | None = None, policy: str = KEPCO) -> tuple[int, Echo]:
    echo = Echo()
    code = run_jobeval(policy, data, fmt, output, echo)
    return code, drop_stamps(echo, fmt, policy)


# --- the example ----------------------------------------------------------------------------------


def test_example_text_shows_each_rater_and_the_committee() -> None:
    code, echo = run(JOBS)
    assert code == 0
    assert echo.stderr == ""
    text = echo.stdout
    assert text.startswith("policy kepco_like: 3 jobs from ")
    # The 팀장 job's direct 부점장 rates 2, 1, 3, 3, 2, 5, 4 in table order:
    # 162 + 180 + 108 + 101 + 111 + 63 + 55 = 780.
    assert (
        "    rater E1002 (superior): problem_solving L2 = 162 + accountability L1 = 180"
        " + decision_impact L3 = 108 + expertise L3 = 101 + communication L2 = 111 + difficulty L5 = 63"
        " + unpleasantness L4 = 55 = 780\n"
    ) in text
    assert "  E1002  이정훈  superior                780\n" in text
    # (852 + 787 + 745 + 792) / 4 = 3176 / 4 = 794; x 40 % = 317.6
    assert "    group same_division_peer: mean (852 + 787 + 745 + 792) / 4 = 794; x 40% = 317.6\n" in text
    # 78 + 317.6 + 365.9 = 761.5 -> 762, J3 (700 <= 762 < 800)
    assert "    total = 78 + 317.6 + 365.9 = 761.5\n" in text
    assert "    grade J3: 700 <= 762 < 800\n" in text
    # The recused members count for the quorum (7 x 2 = 14 > 9) but not for the decision (3 x 2 = 6 > 7 - 2).
    assert "    opened: present * 2 > registered, 7 * 2 > 9 is true\n" in text
    assert "    decision passes: in_favour * 2 > present - recused, 3 * 2 > 7 - 2 is true\n" in text
    assert "    final grade J3\n" in text


def test_example_json_has_every_number() -> None:
    code, echo = run(JOBS, "json")
    assert code == 0
    payload = json.loads(echo.stdout)
    jobs = {job["job"]: job for job in payload["jobs"]}
    assert list(jobs) == ["B-01", "T-01", "M-01"]
    # B-01: 914 x 10 % + 863.75 x 40 % + 844.2 x 50 % = 91.4 + 345.5 + 422.1 = 859.0 -> 859: J2
    b01 = jobs["B-01"]
    assert [g["mean"] for g in b01["groups"]] == ["914", "863.75", "844.2"]
    assert (b01["total"], b01["rounded"], b01["proposed_grade"], b01["final_grade"]) == (
        "859.00",
        "859",
        "J2",
        "J2",
    )
    assert b01["committee"] is None
    # T-01: the 1 + 4 + 5 panel; the superior's 780
    t01 = jobs["T-01"]
    assert [(r["rater"], r["points"]) for r in t01["raters"]][:2] == [("E1002", "780"), ("E3002", "852")]
    assert [g["counted"] for g in t01["groups"]] == [1, 4, 5]
    assert (t01["total"], t01["rounded"], t01["final_grade"]) == ("761.5", "762", "J3")
    # M-01: 72.2 + 273.5 + 337.4 = 683.1 -> 683: J4, raised to J3 by the job-grade committee
    m01 = jobs["M-01"]
    assert (m01["total"], m01["rounded"], m01["proposed_grade"], m01["final_grade"]) == (
        "683.10",
        "683",
        "J4",
        "J3",
    )
    committee = m01["committee"]
    assert (committee["committee"], committee["requested_grade"], committee["stands"]) == (
        "job_grade_committee",
        "J3",
        True,
    )
    assert committee["meeting"]["recused"] == 2
    assert payload["problems"] == []


def test_example_csv_one_row_per_job() -> None:
    code, echo = run(JOBS, "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(echo.stdout)))
    assert rows[0] == [
        "job", "title", "family", "holder", "table", "mean_superior", "mean_same_division_peer",
        "mean_other_division_peer", "total", "rounded", "proposed_grade", "final_grade", "committee",
        "committee_stands", "problems",
    ]  # fmt: skip
    # Each number column shows one number of places (issue 15): 794 beside 863.75 and 683.75
    # reads 794.00, the total 761.5 beside 859.00 reads 761.50 (padded, never rounded).
    assert rows[2] == [
        "T-01", "영업처 요금관리팀장", "team_leader", "E3001", "managerial", "780", "794.00", "731.8",
        "761.50", "762", "J3", "J3", "", "", "0",
    ]  # fmt: skip
    assert rows[3][-5:] == ["J4", "J3", "job_grade_committee", "true", "0"]
    assert len(rows) == 4


def test_output_file_is_written_and_nothing_echoed(tmp_path: Path) -> None:
    target = tmp_path / "jobs.json"
    code, echo = run(JOBS, "json", str(target))
    assert code == 0
    assert echo.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["jobs"][1]["rounded"] == "762"


def test_output_left_untouched_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("jobs: [\n", encoding="utf-8")
    target = tmp_path / "out.json"
    with pytest.raises(DataError):
        run(str(bad), "json", str(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_output_may_not_overwrite_an_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="refusing to overwrite an input file"):
        run(JOBS, "json", JOBS)


# --- unreadable files: one line, exit 2 through run_guarded ----------------------------------------


def test_bad_yaml_is_one_line_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "jobs.yaml"
    bad.write_text("jobs:\n  - job: T-01\n    panel: [\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run(str(bad))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}:4:1: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- job: T-01\n", "{file}:1:1: the file must hold a mapping at the top level"),
        ("policy: kepco_like\n", "{file}:1:1: the file has no 'jobs' list"),
        ("jobs: {job: T-01}\n", "{file}:1:7: jobs must be a list, not a mapping"),
        ("jobs:\n  - job: T-01\n    family: team_leader\n", "{file}:2:5: $.jobs[0]: missing 'panel'"),
        (
            "jobs:\n  - {job: T-01, family: team_leader, panel: [{rater: a, group: superior, levels: 3}]}\n",
            "{file}:2:82: levels must be a mapping, not a number",
        ),
    ],
)
def test_malformed_data_is_a_located_data_error(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "jobs.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run(str(bad))
    assert str(caught.value) == message.format(file=bad)


def test_missing_or_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^.*nope\.yaml: no such file$"):
        run(str(tmp_path / "nope.yaml"))
    with pytest.raises(DataError, match=r"unsupported data file type '\.txt'; use \.yaml, \.yml or \.json$"):
        run(str(tmp_path / "jobs.txt"))


def test_policy_without_job_evaluation_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"the policy declares no job_evaluation section$"):
        run(JOBS, policy=KUMHO)


# --- problems with single jobs: reported with the job id and line:col, exit 1 ----------------------

L3 = (
    "{problem_solving: 3, accountability: 3, decision_impact: 3, expertise: 3, communication: 3,"
    " difficulty: 3, unpleasantness: 3}"
)
# Each rater at level 3 everywhere: 137 + 130 + 108 + 101 + 94 + 87 + 65 = 722.
PANEL = [("E9000", "superior")] + [(f"E900{i}", "same_division_peer") for i in range(1, 5)]
PANEL += [(f"E910{i}", "other_division_peer") for i in range(1, 6)]


# The job-grade committee's decision on the run's proposals and the president's approval (seed 003
# 제12-13조): 7 of 9 present (14 > 9), 6 in favour (12 > 7), 2 external members registered; the
# job analysis of 2024-09-02 is within the 3-year cycle on 2026-11-02 (제3조②).
DECIDED = (
    "decision:\n  committee: job_grade_committee\n"
    "  meeting: {registered: 9, present: 7, in_favour: 6, against: 1, external_registered: 2,"
    f" members: {members()}}}\n"
    "approvals:\n  - {step: president, approved: true}\n"
    "analysed_on: '2024-09-02'\nevaluated_on: '2026-11-02'\n"
)
# 제9조③: the superior and the same-division peers of division D1 (the job's), the others of D2;
# peers hold the job's position (team_leader); 제9조②: the first peer is a subject-matter expert.
WHERE = {
    "superior": "division: D1",
    "same_division_peer": "division: D1, position: team_leader",
    "other_division_peer": "division: D2, position: team_leader",
}


def rater_line(rater: str, group: str, sme: bool = False) -> str:
    expert = ", sme: true" if sme else ""
    where = WHERE.get(group, "division: D1")
    return f"      - {{rater: {rater}, group: {group}, {where}{expert}, levels: {L3}}}"


def jobs_text(panel: list[tuple[str, str]], tail: str = "", decided: str = DECIDED) -> str:
    lines = ["jobs:", "  - job: T-09", "    family: team_leader", "    holder: E9009", "    panel:"]
    lines += [rater_line(r, g, sme=i == 1) for i, (r, g) in enumerate(panel)]
    lines += ["    division: D1", "    superior: E9000"]
    return "\n".join(lines) + "\n" + tail + decided


def test_panel_problems_are_reported_per_job(tmp_path: Path) -> None:
    # The holder E9009 rates their own job as superior (line 6), and one same-division rater is missing.
    panel = [("E9009", "superior"), *PANEL[1:4], *PANEL[5:]]
    data = tmp_path / "jobs.yaml"
    data.write_text(jobs_text(panel, "    adjustmnet: {grade: J2}\n"), encoding="utf-8")
    code, echo = run(str(data), "json")
    assert code == 1
    assert echo.stderr.splitlines() == [
        f"{data}:6:9: T-09: error [jobeval-own-job] rater E9009 rates their own job T-09;"
        " panel team_leader excludes that",
        f"{data}:6:9: T-09: error [jobeval-panel-relation] rater E9009 (group superior) is not the"
        " job's direct superior (E9000)",
        f"{data}:6:7: T-09: error [jobeval-group-count] group same_division_peer has 3 raters;"
        " panel team_leader declares 4",
        f"{data}:17:5: T-09: error [data-unknown-key] unknown key 'adjustmnet' in a job",
        "  suggestion: did you mean 'adjustment'?",
        "hrpolicy: 4 problems, 1 of 1 jobs affected; see the problems above",
    ]
    job = json.loads(echo.stdout)["jobs"][0]
    # the superior group is left with no valid rating: no total, no grade
    assert (job["total"], job["final_grade"]) == (None, None)
    assert [p["rule"] for p in job["problems"]] == [
        "jobeval-own-job",
        "jobeval-panel-relation",
        "jobeval-group-count",
        "data-unknown-key",
    ]


def _adjusted(tmp_path: Path, meeting: str) -> str:
    tail = (
        f"    adjustment:\n      grade: J2\n      committee: job_grade_committee\n      meeting: {meeting}\n"
    )
    data = tmp_path / "jobs.yaml"
    data.write_text(jobs_text(PANEL, tail), encoding="utf-8")
    return str(data)


def test_committee_vote_that_fails_keeps_the_proposed_grade(tmp_path: Path) -> None:
    # Every rater 722: total 722 x 10 % + 722 x 40 % + 722 x 50 % = 72.2 + 288.8 + 361 = 722.0 -> 722: J3.
    # Seed 003 제10조③ (제12조⑤ 준용): 9 registered, 6 present (12 > 9: opened), 1 recused: 5 may vote;
    # 2 in favour: 2 x 2 = 4 > 5 is false, so the motion to J2 is lawfully voted down and J3 stays:
    # an outcome shown in the result, not an error (issue 10 point 13).
    meeting = (
        '{registered: 9, present: 6, recused: 1, "in_favour": 2, "against": 3, external_registered: 2,'
        f" members: {members()}}}"
    )
    data = _adjusted(tmp_path, meeting)
    code, echo = run(data)
    assert (code, echo.stderr) == (0, "")
    assert "error [" not in echo.stdout
    summary_row = echo.stdout.splitlines()[4].split("  ")
    assert [c.strip() for c in summary_row if c.strip()] == [
        "T-09", "team_leader", "E9009", "722.0", "722", "J3", "J3",
        "job_grade_committee -> J2: voted down",
    ]  # fmt: skip
    assert (
        "    committee job_grade_committee did not adopt the adjustment to J2 (voted down): opened: present"
        " * 2 > registered, 6 * 2 > 9 is true; decision fails: in_favour * 2 > present - recused,"
        " 2 * 2 > 6 - 1 is false; composition ok: 2 external members registered, needs at least 2;"
        " membership ok: 9 members fill the seats vice_president 1, division_director >= 1,"
        " labour_director 1, external >= 2; the proposed grade J3 stays\n"
    ) in echo.stdout
    assert "    final grade J3\n" in echo.stdout
    # --strict turns the outcome into exit 1 (through the CLI, as a user runs it).
    result = CliRunner().invoke(cli, ["jobeval", KEPCO, data, "--strict"])
    assert result.exit_code == 1
    assert result.stderr == (
        "hrpolicy: --strict: the committee did not adopt the adjustment of T-09 (voted down)\n"
    )


def test_committee_without_quorum_is_an_outcome(tmp_path: Path) -> None:
    # 9 registered, 4 present: 4 x 2 = 8 > 9 is false, the meeting does not open (no quorum).
    meeting = f'{{registered: 9, present: 4, "in_favour": 4, external_registered: 2, members: {members()}}}'
    data = _adjusted(tmp_path, meeting)
    result = CliRunner().invoke(cli, ["jobeval", KEPCO, data])
    assert (result.exit_code, result.stderr) == (0, "")
    assert "job_grade_committee -> J2: no quorum" in result.stdout
    assert (
        "    committee job_grade_committee did not adopt the adjustment to J2 (no quorum): not opened:"
        " present * 2 > registered, 4 * 2 > 9 is false; no decision: the meeting did not open;"
        " composition ok: 2 external members registered, needs at least 2; membership ok: 9 members fill"
        " the seats vice_president 1, division_director >= 1, labour_director 1, external >= 2;"
        " the proposed grade J3 stays\n"
    ) in result.stdout
    # A committee short of its external members is not lawful: still a problem (exit 1).
    meeting = '{registered: 9, present: 6, recused: 1, "in_favour": 2, "against": 3, external_registered: 1}'
    data = _adjusted(tmp_path, meeting)
    result = CliRunner().invoke(cli, ["jobeval", KEPCO, data])
    assert result.exit_code == 1
    assert "error [jobeval-adjustment-not-passed]" in result.stdout
    assert "composition fails: 1 external members registered, needs at least 2" in result.stdout


def test_duplicate_job_and_unknown_top_key(tmp_path: Path) -> None:
    one = jobs_text(PANEL, decided="")
    second = one.split("\n", 1)[1]  # the same job again, without the "jobs:" line
    data = tmp_path / "jobs.yaml"
    data.write_text("polcy: kepco_like\n" + one + second + DECIDED, encoding="utf-8")
    code, echo = run(str(data), "csv")
    assert code == 1
    assert echo.stderr.splitlines() == [
        f"{data}:1:1: file: error [data-unknown-key] unknown key 'polcy' in the file",
        "  suggestion: did you mean 'policy'?",
        # line 1 polcy, 2 jobs:, 3-18 the first job (4 lines + 10 raters + division, superior), 19 the
        # second "- job: T-09"
        f"{data}:19:10: T-09: error [jobeval-duplicate-job] job T-09 appears twice",
        "hrpolicy: 2 problems, 1 of 2 jobs affected; see the problems above",
    ]


def test_json_data_file_gives_the_same_jobs(tmp_path: Path) -> None:
    data = load_yaml_file(JOBS).data
    target = tmp_path / "jobs.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    code, echo = run(str(target), "csv")
    assert code == 0
    # the same totals as from the YAML file: 859.00, 761.5 (shown 761.50), 683.10
    assert [row[8] for row in csv.reader(io.StringIO(echo.stdout))][1:] == ["859.00", "761.50", "683.10"]
