"""What a grading frees is given back to the system after each step (glibc's ``malloc_trim``):
the joined rows (their chunks let go), the grading (its sorts), the calibration (its masks).
Without it kumho's 400,000 people held some 60 MiB more between the passes (bench/RESULTS.md)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import engine.distribution.compact as compact
import engine.distribution.ranking as ranking
from bench.gen_kumho import generate as generate_kumho
from engine.distribution.calibrate import calibrate
from engine.evaluate import Engine
from engine.report.calibration_stream import stream_calibration
from tests.conftest import POLICIES
from tests.test_calibration_shared import RULE, _people


def test_a_grading_gives_back_after_joining_grading_and_calibrating(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []

    def noted(where: str) -> None:
        steps.append(where)

    monkeypatch.setattr(compact, "give_back", lambda: noted("compact"))  # (calibrate reads it here)
    monkeypatch.setattr(ranking, "give_back", lambda: noted("graded"))
    result = ranking.distribute(RULE, _people())
    assert steps == ["compact", "graded"]  # the rows joined, then the groups graded
    report = calibrate(RULE, result, {}, {})
    assert steps == ["compact", "graded", "compact"] and len(report.groups) == 3


def test_a_calibration_gives_back_once_per_step_and_distribution(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """kumho's two distributions, streamed: each joins its rows, is graded and calibrated."""
    calls: list[str] = []
    real = compact.give_back

    def counted() -> None:
        calls.append("trim")
        real()

    monkeypatch.setattr(compact, "give_back", counted)
    monkeypatch.setattr(ranking, "give_back", counted)
    data = tmp_path / "kumho.csv"
    generate_kumho(60, str(data), seed=5)
    engine = Engine.from_file(str(POLICIES / "kumho_like.yaml"))
    done = stream_calibration(engine, str(data), ["performance", "competency"], "csv", io.StringIO())
    assert done is not None
    done.close()
    assert calls == ["trim"] * 6  # (joined, graded, calibrated) x 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_malloc_trim_is_found_on_linux() -> None:
    assert compact._trim() is not None
    compact.give_back()  # returns nothing, raises nothing
