"""What a person sees at a terminal: the real commands on a pseudo-terminal 100 columns wide

Every line fits (the terminal itself cut words: ``perfor`` / ``mance``, ``cycl`` / ``e``); a
long line is broken at its spaces, its rest set two cells further in; a table is fitted to the
width (number headers wrapped at their words first); a pipe gets every line whole.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import drain_terminal

from engine.report.screen import FittedLines, fit_line
from engine.report.table import display_width

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 100


def _on_a_terminal(args: list[str]) -> tuple[int, list[str]]:
    """The command's exit code and its lines with standard output on a pseudo-terminal
    ``WIDTH`` columns wide (``COLUMNS``, which the terminal size is read from first)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(WIDTH), "LINES": "50"}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *args], stdout=follower, stderr=subprocess.DEVNULL, cwd=ROOT, env=env
    )
    os.close(follower)
    seen = drain_terminal(leader)
    return process.wait(), seen.decode("utf-8").replace("\r\n", "\n").splitlines()


def _piped(args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, cwd=ROOT, check=False)
    return done.stdout.decode("utf-8").splitlines()


COMMANDS = {
    "examples": ["examples"],
    "jobeval": ["jobeval", "policies/kepco_like.yaml", "examples/kepco_like/jobs.yaml"],
    "pay": ["pay", "policies/kumho_like.yaml", "examples/kumho_like/pay.yaml", "--base-rate", "3.0"],
    "workflow": ["workflow", "policies/kepco_like.yaml", "examples/kepco_like/workflow.yaml"],
    "compare": [
        "compare", "policies/japan_mbo.yaml", "policies/kumho_like.yaml", "policies/kepco_like.yaml",
        "--population", "examples/compare/population.yaml",
    ],
    "simulate": [
        "simulate", "policies/kumho_like.yaml", "--population", "examples/compare/population.yaml",
        "--vary", "tables.raise_performance_share.values.K3=30,50,70",
    ],
    "validate": ["validate", "tests/hostile"],
}  # fmt: skip


@pytest.fixture(scope="module")
def shown() -> dict[str, tuple[int, list[str]]]:
    return {name: _on_a_terminal(args) for name, args in COMMANDS.items()}


def test_every_line_fits_the_terminal(shown: dict[str, tuple[int, list[str]]]) -> None:
    for name, (code, lines) in shown.items():
        assert code == (1 if name in ("validate", "workflow") else 0), name  # (problems found)
        widest = max(display_width(line) for line in lines)
        assert widest <= WIDTH, (name, [line for line in lines if display_width(line) > WIDTH][:3])
        piped = _piped(COMMANDS[name])
        assert max(display_width(line) for line in piped) > WIDTH, name  # (the lines it had to fit)


def test_a_long_line_is_broken_at_its_spaces_under_itself(shown: dict[str, tuple[int, list[str]]]) -> None:
    jobeval = shown["jobeval"][1]
    at = jobeval.index("  explanation:")
    assert jobeval[at + 1 : at + 6] == [
        "    job analysis 2024-09-02, next due by 2027-09-02: evaluated on 2026-11-02, within the 3-year",
        "      cycle",
        "    rater X0101 (superior): problem_solving L1 = 190 + accountability L1 = 180 + decision_impact",
        "      L2 = 128 + expertise L2 = 119 + communication L1 = 130 + difficulty L2 = 102 + unpleasantness",
        "      L3 = 65 = 914",
    ]
    piped = _piped(COMMANDS["jobeval"])
    assert piped[piped.index("  explanation:") + 2] == (
        "    rater X0101 (superior): problem_solving L1 = 190 + accountability L1 = 180 + decision_impact "
        "L2 = 128 + expertise L2 = 119 + communication L1 = 130 + difficulty L2 = 102 + unpleasantness "
        "L3 = 65 = 914"
    )
    workflow = shown["workflow"][1]
    at = workflow.index("  problems:")
    assert workflow[at + 1 : at + 4] == [
        "    examples/kepco_like/workflow.yaml:48:12: K002: error [objection-late] objection filed",
        "      2027-02-15, after the deadline 2027-02-12 (5 working days from the day after the notice of",
        "      2027-02-03): 1 working day late",
    ]


def test_a_consultant_table_is_fitted(shown: dict[str, tuple[int, list[str]]]) -> None:
    compare = shown["compare"][1]
    at = compare.index("== people")
    assert compare[at + 1 : at + 9] == [
        "id  name      japan_  japan_mbo  kumho_  kumho_     kumho_  kumho_like  kepco_  kepco_     "
        "moves (vs",
        "                 mbo  grade        like  like         like       raise    like  like       japan_",
        "               score              score  grade       raise               score  grade      mbo)",
        "                                                         %",
        "--  --------  ------  ---------  ------  ---------  ------  ----------  ------  ---------  "
        "---------",
        "P1  Kim       109.00  A           71.00  II            3.0  2100000.00   92.65  A          same,",
        "    Minjun                                                                                 same",
        "P2  Lee       100.30  A           62.00  III           3.0  1560000.00   87.55  B          down 1,",
    ]
    piped = _piped(COMMANDS["compare"])
    assert piped[piped.index("== people") + 3].split() == [
        "P1", "Kim", "Minjun", "109.00", "A", "71.00", "II", "3.0", "2100000.00", "92.65", "A",
        "same,", "same",
    ]  # fmt: skip


def test_fitted_lines_hold_a_line_until_its_end_comes() -> None:
    out: list[str] = []
    lines = FittedLines(out.append, 30)
    lines.write("short\n  a line that is much longer than")
    assert out == ["short\n"]  # (the long line's end has not come)
    lines.write(" thirty cells, given in two pieces\nlast")
    assert out[1] == ("  a line that is much longer\n    than thirty cells, given\n    in two pieces\n")
    lines.close()
    assert out[2:] == ["last"] and "".join(out).count("\n") == 4


def test_a_line_is_left_whole_where_its_indent_leaves_too_little_room() -> None:
    deep = " " * 60 + "word " * 10
    assert fit_line(deep, 80) == [deep]  # 80 - 62 = 18 cells beside the indent: < 20
    # no space: cut where the next lines' room ends (every piece as wide as the second's)
    assert fit_line("x" * 120, 80) == ["x" * 78, "  " + "x" * 42]
    assert fit_line("가" * 50, 80) == ["가" * 39, "  " + "가" * 11]  # (two cells each)
    assert fit_line("fits exactly", 12) == ["fits exactly"]
