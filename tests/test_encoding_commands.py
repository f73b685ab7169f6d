"""``--encoding`` on the commands that read a records file an employee at a time besides
``evaluate`` (``calibrate``, ``explain``, and ``diff`` and ``simulate`` over a policy's records;
``pay``'s applies to its pay file first): a CSV file in CP949 or Shift_JIS is streamed as a UTF-8 one
is (never read whole: ``Engine.read`` refused), with the same report; an encoding given to a
file that is not CSV is still the whole read's usage error."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner
from helpers import records_as_csv

from engine.cli import cli
from engine.evaluate import Engine
from engine.io.encoding import given_encoding, run_encoding

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
JAPAN_2027 = str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
QUOTA = "distributions.performance.quotas.I=10"


def _pair(tmp: Path, example: str, codec: str) -> tuple[Path, Path]:
    """An example's records as a UTF-8 CSV file and the same text in ``codec``."""
    utf8 = records_as_csv(ROOT / "examples" / example / "employees.yaml", tmp / f"{example}.csv")
    other = tmp / f"{example}.{codec}.csv"
    other.write_bytes(utf8.read_text(encoding="utf-8").encode(codec))
    assert other.read_bytes() != utf8.read_bytes()  # (the text is not ASCII)
    return utf8, other


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("example", "codec", "command"),
    [
        ("kumho_like", "cp949", ["calibrate", KUMHO, "{}", "--format", "csv"]),
        ("kumho_like", "cp949", ["calibrate", KUMHO, "{}", "--format", "json"]),
        ("japan_mbo", "shift_jis", ["diff", JAPAN, JAPAN_2027, "--population", "{}", "--format", "json"]),
        ("kumho_like", "cp949", ["simulate", KUMHO, "--population", "{}", "--vary", QUOTA]),
    ],
)
def test_a_file_in_another_encoding_is_streamed_with_the_utf8_report(
    example: str, codec: str, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    utf8, other = _pair(tmp_path, example, codec)
    want = _run([part.replace("{}", str(utf8)) for part in command])

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(Engine, "read", refused)
    got = _run([*(part.replace("{}", str(other)) for part in command), "--encoding", codec])
    assert got[0] == want[0] and got[0] in (0, 1), got
    assert got[1] == want[1].replace(str(utf8), str(other))  # the report names its file
    assert got[2] == want[2].replace(str(utf8), str(other))


def test_an_encoding_for_a_file_that_is_not_csv_is_refused() -> None:
    people = str(ROOT / "examples" / "kumho_like" / "employees.yaml")
    code, stdout, stderr = _run(["calibrate", KUMHO, people, "--encoding", "cp949"])
    assert (code, stdout) == (2, "")
    assert stderr == f"hrpolicy: {people}: --encoding is for CSV and Excel tables, not .yaml files\n"


def test_a_reader_given_no_encoding_keeps_the_runs() -> None:
    """``given_encoding(None)`` (a command without ``--encoding``) leaves the run's as it is: a
    stream opened inside ``evaluate --encoding`` reads in that encoding."""
    with given_encoding("CP949"):
        with given_encoding(None):
            assert run_encoding() == "cp949"
        assert run_encoding() == "cp949"
    assert run_encoding() is None


def test_explain_reads_only_the_employee_of_a_file_in_another_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``explain --encoding shift_jis``: the UTF-8 twin's trace, the file never read whole (the
    whole run refused); the ids are not searched in the lines as UTF-8, the file is read through."""
    utf8, other = _pair(tmp_path, "japan_mbo", "shift_jis")
    args = ["explain", JAPAN, "{}", "--employee", "E003"]
    want = _run([part.replace("{}", str(utf8)) for part in args])
    run_module = importlib.import_module("engine.evaluate.run")  # (the package exports a function `run`)

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(run_module, "run", refused)
    got = _run([*(part.replace("{}", str(other)) for part in args), "--encoding", "shift_jis"])
    assert got == (want[0], want[1].replace(str(utf8), str(other)), want[2].replace(str(utf8), str(other)))
    assert want[0] == 0 and "E003" in want[1]
