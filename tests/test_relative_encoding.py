"""A kumho records file saved by Excel in cp949 (a Korean Windows default) is evaluated as its
UTF-8 twin is: its encoding detected and noted, the same report in every streamed format. The
two passes under forced distributions read a CSV file's byte ranges as UTF-8; on such a file
they leave it to the whole read (which detects the encoding), as the split run does."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import csv_rows, write_csv

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate  # noqa: E402


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """60 generated employees with Korean names, as UTF-8 and as cp949 (same text)."""
    folder = tmp_path_factory.mktemp("encoding")
    utf8 = folder / "utf8.csv"
    generate(60, str(utf8), seed=3)
    rows = csv_rows(utf8)
    for row in rows[1:]:
        row[1] = "홍길동"
    write_csv(utf8, rows)
    cp949 = folder / "cp949.csv"
    cp949.write_bytes(utf8.read_text(encoding="utf-8").encode("cp949"))
    return utf8, cp949


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_a_cp949_file_gives_its_utf8_twins_report(twins: tuple[Path, Path], fmt: str, tmp_path: Path) -> None:
    utf8, cp949 = twins
    reports = []
    for source in (utf8, cp949):
        out = tmp_path / f"{source.stem}.{fmt}"
        result = CliRunner().invoke(cli, ["evaluate", KUMHO, str(source), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        reports.append((out.read_text(encoding="utf-8-sig"), result.stderr))
    (twin, twin_err), (report, err) = reports
    note = "not UTF-8: read as cp949 (detected); give --encoding if that is wrong"
    assert twin_err == ""
    assert err == f"hrpolicy: note: {cp949}: file: note [read-encoding] {note}\n"
    report = report.replace(str(cp949), str(utf8))
    if fmt == "csv":
        assert report == twin
        return
    # JSON and text list the note with the file's problems and warnings: that, and only that, added
    diff = difflib.ndiff(twin.splitlines(), report.splitlines())
    changes = [line for line in diff if line[:2] in ("- ", "+ ")]
    assert [line[:2] for line in changes] == ["+ "] * len(changes)
    assert note in "\n".join(changes) and len(changes) == (1 if fmt == "text" else 6)
