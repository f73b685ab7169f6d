"""Issue 10 point 12: working days from a maintained holiday calendar (the holidays package) for
any year, plus the company's own days; a date the calendar cannot count is an error.

Seed 000: "개인확인 • 결과 확인(근무 기준 5일)" - 5 working days to confirm (and object to) a result.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli
from engine.workflow.calendar import country_holidays

ROOT = Path(__file__).resolve().parent.parent
KEPCO = ROOT / "policies" / "kepco_like.yaml"
EFFECTIVE = 'effective: {from: "2026-02-01", to: "2027-04-30"}'
NOTICE = (
    'policy: kepco_like\nnotices:\n  - {employee: K001, period: midterm, round: 1, notice: "2027-09-13"}\n'
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def next_cycle(tmp_path: Path, calendar: str | None = None) -> tuple[str, str]:
    """kepco_like carried into the next cycle: only the effective dates changed (and, when given,
    the calendar replaced); plus a notices file with one notice on Mon 2027-09-13."""
    text = KEPCO.read_text(encoding="utf-8")
    assert EFFECTIVE in text
    text = text.replace(EFFECTIVE, 'effective: {from: "2027-02-01", to: "2028-04-30"}')
    if calendar is not None:
        text = text.replace("    country: KR\n", calendar, 1)
    policy = tmp_path / "kepco_2027.yaml"
    policy.write_text(text, encoding="utf-8")
    data = tmp_path / "notices.yaml"
    data.write_text(NOTICE, encoding="utf-8")
    return str(policy), str(data)


def deadline_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("  deadline:"))


def test_the_2027_chuseok_holidays_come_from_the_package() -> None:
    # 추석 2027: 음력 8월 15일 = Wed 2027-09-15, with the day before and after (Tue 14, Thu 16).
    found = country_holidays("KR", 2027)
    assert {date(2027, 9, d) for d in (14, 15, 16)} <= found
    assert date(2027, 9, 13) not in found and date(2027, 9, 17) not in found


def test_next_cycle_notice_counts_across_chuseok(tmp_path: Path) -> None:
    # Mon 2027-09-13 + 5 working days: Tue 14, Wed 15, Thu 16 추석 연휴; Fri 17 = 1; Sat 18, Sun 19;
    # Mon 20 = 2, Tue 21 = 3, Wed 22 = 4, Thu 23 = 5 -> Thu 2027-09-23 (not Mon 20 as a calendar
    # without the 2027 holidays counts).
    code, out, _ = invoke("workflow", *next_cycle(tmp_path))
    assert code == 0
    assert deadline_line(out) == (
        "  deadline: 5 working days after Mon 2027-09-13 (skipping holidays Tue 14-Thu 16 Sep, weekend"
        " Sat 18-Sun 19 Sep) = Thu 2027-09-23"
    )


def test_company_days_are_added_and_worked_holidays_removed(tmp_path: Path) -> None:
    # A company day off on Mon 2027-09-20 (창립기념일): Fri 17 = 1, Mon 20 off, Tue 21 = 2, Wed 22 = 3,
    # Thu 23 = 4, Fri 24 = 5 -> Fri 2027-09-24.
    added = '    country: KR\n    holidays: ["2027-09-20"]\n'
    code, out, _ = invoke("workflow", *next_cycle(tmp_path, added))
    assert code == 0
    assert deadline_line(out).endswith(" = Fri 2027-09-24")
    # The company works the day before Chuseok (Tue 14): Tue 14 = 1, Fri 17 = 2, Mon 20 = 3,
    # Tue 21 = 4, Wed 22 = 5 -> Wed 2027-09-22.
    worked = '    country: KR\n    worked_holidays: ["2027-09-14"]\n'
    code, out, _ = invoke("workflow", *next_cycle(tmp_path, worked))
    assert code == 0
    assert deadline_line(out) == (
        "  deadline: 5 working days after Mon 2027-09-13 (skipping holidays Wed 15-Thu 16 Sep, weekend"
        " Sat 18-Sun 19 Sep) = Wed 2027-09-22"
    )


def test_a_listed_holidays_calendar_counts_its_effective_period_only(tmp_path: Path) -> None:
    """Today's explicit lists keep working, inside the period they were written for; past it, the
    count is an error (exit 2), never a deadline that silently ignores the 2027 Chuseok."""
    listed = '    holidays: ["2026-09-24", "2026-09-25", "2026-09-26"]\n'
    policy = KEPCO.read_text(encoding="utf-8").replace("    country: KR\n", listed, 1)
    path = tmp_path / "kepco_listed.yaml"
    path.write_text(policy, encoding="utf-8")
    data = tmp_path / "notices.yaml"
    # Inside the period: Wed 2026-09-23 + 5: Thu 24 - Sat 26 추석 (listed), Sun 27; Mon 28 = 1,
    # Tue 29 = 2, Wed 30 = 3, Thu 1 Oct = 4, Fri 2 Oct = 5 -> Fri 2026-10-02.
    data.write_text(NOTICE.replace("2027-09-13", "2026-09-23"), encoding="utf-8")
    code, out, _ = invoke("workflow", str(path), str(data))
    assert code == 0
    assert deadline_line(out).endswith(" = Fri 2026-10-02")
    data.write_text(NOTICE, encoding="utf-8")
    code, out, err = invoke("workflow", str(path), str(data))
    assert (code, out) == (2, "")
    assert err == (
        f"hrpolicy: {data}:3:57: cannot count working days on 2027-09-14: the calendar lists holidays"
        " for the policy's effective period 2026-02-01 to 2027-04-30 only; declare"
        " workflows.calendar.country for a maintained public-holiday calendar, or list that year's holidays\n"
    )


def test_a_year_the_package_does_not_cover_is_an_error(tmp_path: Path) -> None:
    policy, data = next_cycle(tmp_path)
    Path(data).write_text(NOTICE.replace("2027-09-13", "2100-12-29"), encoding="utf-8")
    # Thu 2100-12-30 = 1, Fri 31 = 2, then 2101 is past the package's KR years (1948-2100).
    code, _, err = invoke("workflow", policy, data)
    assert code == 2
    assert err == (
        f"hrpolicy: {data}:3:57: cannot count working days on 2101-01-01: the KR public holidays of the"
        " holidays package cover 1948 to 2100 only\n"
    )


def test_a_japanese_calendar_counts_across_golden_week(tmp_path: Path) -> None:
    # The same policy on the JP calendar (a company in Tokyo): Wed 2027-04-28 + 5 working days:
    # Thu 29 Apr 昭和の日; Fri 30 = 1; Sat 1, Sun 2 May; Mon 3 憲法記念日, Tue 4 みどりの日, Wed 5
    # こどもの日; Thu 6 = 2, Fri 7 = 3; Sat 8, Sun 9; Mon 10 = 4, Tue 11 = 5 -> Tue 2027-05-11.
    assert {date(2027, 4, 29), date(2027, 5, 3), date(2027, 5, 4), date(2027, 5, 5)} <= country_holidays(
        "JP", 2027
    )
    policy, data = next_cycle(tmp_path, "    country: JP\n")
    Path(data).write_text(NOTICE.replace("2027-09-13", "2027-04-28"), encoding="utf-8")
    code, out, _ = invoke("workflow", policy, data)
    assert code == 0
    assert deadline_line(out) == (
        "  deadline: 5 working days after Wed 2027-04-28 (skipping holiday Thu 29 Apr, weekend Sat 1-Sun 2"
        " May, holidays Mon 3-Wed 5 May, weekend Sat 8-Sun 9 May) = Tue 2027-05-11"
    )
