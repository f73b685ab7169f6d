"""The run timeline (engine.timeline, bench/bench_timeline.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine import timeline
from engine.evaluate import Engine
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402


def _marks(err: str) -> list[tuple[str, str, float, float]]:
    found = []
    for line in err.splitlines():
        prefix, pid, name, at, cpu = line.split(" ")
        assert prefix == timeline.PREFIX
        found.append((pid, name, float(at), float(cpu)))
    return found


def test_no_mark_is_written_unless_asked(capfd: pytest.CaptureFixture[str]) -> None:
    assert timeline.ENABLED is False  # the suite runs without HRPOLICY_TIMELINE
    timeline.mark("nothing")
    assert capfd.readouterr() == ("", "")


def test_a_split_run_marks_the_parent_and_each_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pop.csv"
    generate(300, str(path), seed=3)
    engine = Engine.from_file(JAPAN)
    with open(tmp_path / "plain.csv", "w", encoding="utf-8", newline="") as out:
        write_report(engine, str(path), "csv", out, workers=1)
    capfd.readouterr()
    monkeypatch.setattr(timeline, "ENABLED", True)
    with open(tmp_path / "split.csv", "w", encoding="utf-8", newline="") as out:
        write_report(engine, str(path), "csv", out, workers=2, min_bytes=1000)
    marks = _marks(capfd.readouterr().err)
    parent = [name for pid, name, _, _ in marks if pid == marks[0][0]]
    assert parent == ["ranges-planned", "runner-ready", "workers-joined", "parts-merged"]
    workers = {pid for pid, _, _, _ in marks} - {marks[0][0]}
    assert len(workers) == 2
    for pid in workers:
        names = [name for p, name, _, _ in marks if p == pid]
        assert names == ["worker-start", "worker-evaluated", "worker-sent"]
    for pid in {pid for pid, _, _, _ in marks}:
        times = [at for p, _, at, _ in marks if p == pid]
        assert times == sorted(times)
    # the marks change nothing in the report
    assert (tmp_path / "split.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
