"""``hrpolicy calibrate``: proposed and final grades per group against the quota seats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import drop_stamps, unstamped

from engine.commands.calibrate import run_calibrate
from engine.errors import UsageError
from tests.conftest import POLICIES, ROOT

POLICY = str(POLICIES / "kumho_like.yaml")
EXAMPLE = ROOT / "examples" / "kumho_like" / "calibration.yaml"

# The example's group: K4 in civil_div, 10 people; quotas 10/20/40/20/10 % of 10 = 1/2/4/2/1 seats
# (1.0, 2.0, 4.0, 2.0, 1.0: no remainders). The 1st evaluator proposed I=3 (C01-C03), II=1 (C04),
# III=4 (C05-C08), IV=2 (C09, C10), V=0; the executive's final grades are I=1, II=2, III=4, IV=2, V=1.
PERFORMANCE_TEXT = """\
== distribution performance (Overall performance grade): 1 group(s), every group within quota

group (org=civil_div, role_grade=K4): 10 people; final within quota
grade  quota  tolerance  proposed  final  within
-----  -----  ---------  --------  -----  ------
I          1        +-0         3      1  yes
II         2        +-0         1      2  yes
III        4        +-0         4      4  yes
IV         2        +-0         2      2  yes
V          1        +-0         0      1  yes
moves (5):
member  proposed  final  reason
------  --------  -----  -----------------------------------------------
C02     I         II     I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분
C03     I         II     I 정원 1명 초과: 업적 점수 85.00으로 II 조정
C04     II        III    II 정원 2명을 C02, C03이 채움
C08     III       IV     III 정원 4명 초과: 업적 점수 60.00으로 IV 조정
C10     IV        V      V 정원 1명: 업적 점수 최하위(35.00)

result: every group within quota, no problems
"""


class Echo:
    """Collects what a command prints, split into stdout and stderr."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: Any = "", nl: bool = True, err: bool = False) -> None:
        (self.err if err else self.out).append(str(text) + ("\n" if nl else ""))

    @property
    def stdout(self) -> str:
        return "".join(self.out)


def calibrate(
    data: Path | str, fmt: str = "text", distribution: str | None = "performance"
) -> tuple[int, Echo]:
    echo = Echo()
    code = run_calibrate(POLICY, str(data), distribution, fmt, None, echo)
    return code, drop_stamps(echo, fmt, POLICY)


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The example with some lines changed (each ``old`` must occur exactly once)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "calibration.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# C02's executive keeps the proposed I and writes no reason.
KEEP_C02_IN_I = (
    'grades: {performance: II, competency: II}, reason: "I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분", ',
    "grades: {performance: I, competency: II}, ",
)
# C06 holds an O on indicator 2 (안전사고 예방); the executive no longer confirms it.
C06_UNCONFIRMED = (
    "grades: {performance: III, competency: III}, confirmed: true}\n  # performance = (60x75 + 40x50)",
    "grades: {performance: III, competency: III}}\n  # performance = (60x75 + 40x50)",
)


def test_example_calibration_text() -> None:
    code, echo = calibrate(EXAMPLE)
    assert echo.stdout == PERFORMANCE_TEXT
    assert (code, echo.err) == (0, [])


def test_every_distribution_by_default() -> None:
    code, echo = calibrate(EXAMPLE, distribution=None)
    assert code == 0
    # Competency: proposed = final = 1/2/4/2/1 seats, nobody moved.
    assert (
        "== distribution competency (Overall competency grade): 1 group(s), every group within quota"
        in echo.stdout
    )
    assert echo.stdout.count("moves (") == 1


def test_final_outside_quota_fails(tmp_path: Path) -> None:
    code, echo = calibrate(edited(tmp_path, KEEP_C02_IN_I))
    # Final: I = C01, C02 (2 > 1 seat), II = C03 (1 < 2 seats), III 4, IV 2, V 1.
    text = echo.stdout
    assert "group (org=civil_div, role_grade=K4): 10 people; final NOT within quota" in text
    assert "I          1        +-0         3      2  no\n" in text
    assert "II         2        +-0         1      1  no\n" in text
    assert "III        4        +-0         4      4  yes\n" in text
    assert "moves (4):" in text and "C02 " not in text.split("moves (4):")[1]
    assert text.endswith("result: 1 group(s) outside quota, 0 person(s) not graded, 0 problem(s)\n")
    assert code == 1
    assert echo.err == [
        "hrpolicy: calibration failed: 1 group(s) outside quota, 0 person(s) not graded, 0 problem(s)\n"
    ]


def test_missing_o_confirmation_is_reported_per_employee_and_indicator(tmp_path: Path) -> None:
    data = edited(tmp_path, C06_UNCONFIRMED)
    code, echo = calibrate(data, fmt="json")
    payload = json.loads(echo.stdout)
    problems = [{k: p[k] for k in ("employee", "indicator", "rule", "message")} for p in payload["problems"]]
    assert problems == [
        {
            "employee": "C06",
            "indicator": 2,
            "rule": "confirmation-missing",
            "message": "confirmation 'o_needs_executive' (rating == 'O') is missing: stage 'second' by an "
            "evaluator of level 'executive' must confirm it; X101 (level 'executive') did not confirm it",
        }
    ]
    assert payload["ok"] is False
    assert payload["distributions"][0]["within"] is True
    assert code == 1


def test_json_lists_the_quota_counts_and_moves() -> None:
    code, echo = calibrate(EXAMPLE, fmt="json")
    payload = json.loads(echo.stdout)
    group = payload["distributions"][0]["groups"][0]
    assert group["group"] == {"org": "civil_div", "role_grade": "K4"}
    assert [
        (g["grade"], g["quota"], g["proposed"], g["final"], g["proposed_within"]) for g in group["grades"]
    ] == [
        ("I", 1, 3, 1, False),
        ("II", 2, 1, 2, False),
        ("III", 4, 4, 4, True),
        ("IV", 2, 2, 2, True),
        ("V", 1, 0, 1, False),
    ]
    assert [(m["member"], m["proposed"], m["final"]) for m in group["moves"]] == [
        ("C02", "I", "II"),
        ("C03", "I", "II"),
        ("C04", "II", "III"),
        ("C08", "III", "IV"),
        ("C10", "IV", "V"),
    ]
    c02 = next(r for r in payload["reviews"] if r["employee"] == "C02")
    assert c02["chain"] == "all_staff"
    assert [(s["stage"], s["evaluator"], s["grades"]["performance"]) for s in c02["stages"]] == [
        ("first", "S100", "I"),
        ("second", "X101", "II"),
    ]
    assert code == 0


def test_csv_rows() -> None:
    code, echo = calibrate(EXAMPLE, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(echo.stdout)))
    assert len(rows) == 5 + 5  # five grade rows, five moves
    assert rows[0] == {
        "section": "grade",
        "distribution": "performance",
        "group": "(org=civil_div, role_grade=K4)",
        "grade": "I",
        "quota": "1",
        "tolerance": "0",
        "proposed": "3",
        "final": "1",
        "within": "true",
        "member": "",
        "indicator": "",
        "rule": "",
        "message": "",
    }
    assert [(r["member"], r["proposed"], r["final"]) for r in rows if r["section"] == "move"][-1] == (
        "C10",
        "IV",
        "V",
    )
    assert rows[-1]["message"] == "V 정원 1명: 업적 점수 최하위(35.00)"
    assert code == 0


def test_small_group_is_not_graded(tmp_path: Path) -> None:
    # C10 moves to another org with no parent: a group of 1 (< 5) that cannot merge upwards,
    # leaving civil_div K4 with 9 people: 0.9/1.8/3.6/1.8/0.9 -> floors 0/1/3/1/0 = 5, 4 seats by
    # remainders .9 .8 .6 .8 .9: I and V (.9), then II and IV (.8) -> 1/2/3/2/1.
    data = edited(
        tmp_path,
        (
            "  - {id: civil_div, parent: company, name: 토목사업본부}\n",
            "  - {id: civil_div, parent: company, name: 토목사업본부}\n  - {id: lone, parent: null}\n",
        ),
        (
            "  - id: C10\n    name: 황지안\n    role_grade: K4\n    org: civil_div\n",
            "  - id: C10\n    name: 황지안\n    role_grade: K4\n    org: lone\n",
        ),
    )
    code, echo = calibrate(data)
    assert "III        3        +-0         4      4  no\n" in echo.stdout
    assert (
        "not graded [distribution-group-too-small]: group (org=lone, role_grade=K4) has 1 member, fewer than "
        "the minimum 5, even at the top of the org tree (C10)"
    ) in echo.stdout
    assert code == 1


def test_output_file_and_guards(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    echo = Echo()
    assert run_calibrate(POLICY, str(EXAMPLE), "performance", "text", str(target), echo) == 0
    assert unstamped(target.read_text(encoding="utf-8"), "text", POLICY) == PERFORMANCE_TEXT
    assert echo.out == []
    with pytest.raises(UsageError, match="refusing to overwrite an input file"):
        run_calibrate(POLICY, str(EXAMPLE), None, "text", str(EXAMPLE), Echo())
    with pytest.raises(UsageError) as caught:
        run_calibrate(POLICY, str(EXAMPLE), "performace", "text", None, Echo())
    assert str(caught.value) == f"no distribution 'performace' in {POLICY}; did you mean 'performance'?"
