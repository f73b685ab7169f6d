"""The other long runs over a records file draw the same progress bar as ``evaluate``: ``calibrate``,
``pay --records``, ``workflow`` over a table, ``diff`` and ``simulate`` over a policy's
records (a bar a pass, titled "1/2", "2/2"), and ``compare`` and ``diff`` over a canonical
population (a bar a scheme, counting its people): on a terminal's stderr, or asked for with
``--progress``; never with ``--no-progress`` or when stderr is not a terminal; what they print
on stdout does not change."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import records_as_csv

from engine.cli import cli
from tests.test_stream import _run_on_a_terminal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.gen_workflow import generate as generate_workflow

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
KUMHO_PEOPLE = str(ROOT / "examples" / "kumho_like" / "employees.yaml")  # 26 employees
JAPAN_PAY = str(ROOT / "examples" / "japan_mbo" / "pay.yaml")
JAPAN_2027 = str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
CANONICAL = str(ROOT / "examples" / "compare" / "population.yaml")
FULL = re.compile(r"\r((?:\d/\d )?)\[#{24}\] 100%  (\d+) (?:rows|people)  [\d,]+ (?:rows|people)/s  \d+ s")


@pytest.fixture(scope="module")
def japan_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/japan_mbo's employees as CSV: a header and 64 goal lines."""
    source = ROOT / "examples" / "japan_mbo" / "employees.yaml"
    return records_as_csv(source, tmp_path_factory.mktemp("progress") / "employees.csv")


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workflow table of 30 result notices (3 of them objected to): a header and 30 rows."""
    path = tmp_path_factory.mktemp("progress") / "workflow.csv"
    generate_workflow(30, str(path))
    return path


def _commands(records: Path, notices: Path) -> list[tuple[list[str], set[tuple[str, str]]]]:
    """Each command with its bars' titles and the rows each ends on (the CSV file's 65 rows, its
    header counted; an item of a YAML list counts as a row)."""
    # the policy as written, then I at 10 % (15 % makes the quotas add up to 105: refused, not run)
    vary = "distributions.performance.quotas.I=10,15"
    return [
        (["calibrate", KUMHO, KUMHO_PEOPLE, "--format", "csv"], {("", "26")}),
        (["pay", JAPAN, JAPAN_PAY, "--records", str(records), "--format", "csv"], {("", "65")}),
        (["workflow", KEPCO, str(notices), "--today", "2027-02-10", "--format", "csv"], {("", "31")}),
        (["diff", JAPAN, JAPAN_2027, "--population", str(records)], {("1/2 ", "65"), ("2/2 ", "65")}),
        (["simulate", KUMHO, "--population", KUMHO_PEOPLE, "--vary", vary], {("1/2 ", "26"), ("2/2 ", "26")}),
        # a canonical population (five people) mapped to each scheme: a bar a scheme, counting people
        (["compare", JAPAN, KUMHO, KEPCO, "--population", CANONICAL], {(f"{i}/3 ", "5") for i in (1, 2, 3)}),
        (["diff", JAPAN, JAPAN_2027, "--population", CANONICAL], {("1/2 ", "5"), ("2/2 ", "5")}),
    ]


def test_progress_asked_for_is_drawn_on_stderr_and_stdout_is_unchanged(
    japan_records: Path, notices: Path
) -> None:
    for args, bars in _commands(japan_records, notices):
        forced = CliRunner().invoke(cli, [*args, "--progress"])
        plain = CliRunner().invoke(cli, [*args, "--no-progress"])
        assert (forced.exit_code, forced.stdout) == (plain.exit_code, plain.stdout), args
        assert set(FULL.findall(forced.stderr)) == bars, (args, forced.stderr)
        assert forced.stderr.count("\n") == plain.stderr.count("\n") + len(bars)  # a line a bar
        assert "[#" not in plain.stderr


def test_the_bar_on_a_terminal_only(
    japan_records: Path, notices: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRPOLICY_PROGRESS_DELAY", "0")  # these short runs drawn from their start
    for args, bars in _commands(japan_records, notices):
        code, stdout, terminal = _run_on_a_terminal(args)
        assert set(FULL.findall(terminal.decode("utf-8"))) == bars, args
        command = [sys.executable, "-m", "engine", *args]
        piped = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        assert (piped.returncode, piped.stdout) == (code, stdout) and b"[#" not in piped.stderr
        _, stdout_off, terminal_off = _run_on_a_terminal([*args, "--no-progress"])
        assert stdout_off == stdout and b"[#" not in terminal_off

