"""The text report in a real terminal of 80 columns (tmux), as a person runs it.

A table wider than the terminal wraps its text columns inside their cells; every line fits.
Skipped where tmux is not installed (the wrapping itself is tested in test_reports.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.report.table import display_width
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
MARK = "END-OF-REPORT"


def test_kepco_report_fits_an_80_column_terminal(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed, and CI must run the terminal test (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    session = f"hrpolicy-test-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    command = (
        f"{sys.executable} -m engine evaluate policies/kepco_like.yaml examples/kepco_like/employees.yaml;"
        f" echo {MARK}"
    )
    tmux = ["tmux", "-S", socket]
    subprocess.run(
        [
            *tmux,
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "80",
            "-y",
            "40",
            "-c",
            str(ROOT),
            command + "; sleep 60",
        ],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    try:
        screen = ""
        for _ in range(300):  # until the report is on the screen (bounded: 30 s at most)
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True
            ).stdout
            if MARK in screen:
                break
            time.sleep(0.1)
        lines = screen.split(MARK)[0].rstrip().splitlines()
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    stamp = load_policy(str(ROOT / "policies" / "kepco_like.yaml")).stamp()
    assert lines[0] == stamp.short()  # the policy behind the report, short enough for the terminal
    lines = lines[1:]
    assert lines[0] == "policy kepco_like: 9 evaluated, 0 with problems"
    assert max(display_width(line) for line in lines) <= 80
    # Every employee has a grade (the policy's relative rule, policies/kepco_like.test.yaml): the
    # Hangul names take two cells each and the columns stay aligned.
    assert lines[2:7] == [
        "id    name     score  grade",
        "----  ------  ------  -----",
        "K001  김민준   90.65  B",
        "K002  이서연   87.60  B",
        "K003  박지훈   94.85  B",
    ]
    assert lines[10] == "K007  조현우  109.90  A"
