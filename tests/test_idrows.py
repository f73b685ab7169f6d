"""``explain --employee X`` reads only the lines that can hold X (engine/io/idrows.py): the same
output as reading the whole file, byte for byte, and the whole read whenever lines are not rows."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.io.csvfile as csvfile
import engine.io.idrows as idrows
import engine.io.records as records
import engine.limits as limits
from engine.cli import cli
from engine.evaluate import Engine
from engine.io.idrows import id_rows

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

Rows = list[list[str]]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Rows:
    """40 generated employees (E000001..E000040), the header first."""
    path = tmp_path_factory.mktemp("idrows") / "pop.csv"
    generate(40, str(path), seed=5)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _bytes(rows: Rows, *, quote: int = csv.QUOTE_MINIMAL, end: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end, quoting=quote).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _explain(path: Path, emp: str, fmt: str = "text") -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["explain", JAPAN, str(path), "--employee", emp, "--format", fmt])
    return result.exit_code, result.stdout, result.stderr


def _both(
    monkeypatch: pytest.MonkeyPatch, path: Path, emp: str, fmt: str = "text"
) -> tuple[bool, tuple[int, str, str]]:
    """(whether the lines were searched, the output), after checking that reading the whole
    file gives the same output."""
    searched: list[bool] = []
    real: Callable[..., object] = csvfile.read_id_rows

    def spy(*args: str) -> object:
        found = real(*args)
        searched.append(found is not None)
        return found

    monkeypatch.setattr(records, "read_id_rows", spy)
    fast = _explain(path, emp, fmt)
    monkeypatch.setattr(records, "read_id_rows", lambda *args: None)
    assert _explain(path, emp, fmt) == fast
    monkeypatch.setattr(records, "read_id_rows", real)
    return searched == [True], fast


def _employee(rows: Rows, emp: str) -> list[int]:
    return [i for i, row in enumerate(rows) if row[0] == emp]


def test_the_lines_of_an_employee_are_those_of_the_whole_read(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pop.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _bytes(base))
    for emp, fmt in (("E000007", "text"), ("E000007", "json"), ("E000040", "text"), ("E000001", "text")):
        searched, (code, _, err) = _both(monkeypatch, path, emp, fmt)
        assert searched and code == 0 and err == ""
    first = _employee(base, "E000007")[0] + 1  # the file's row number of E000007's first line
    assert f"id=E000007 (from {path}:row {first})" in _explain(path, "E000007")[1]
    # E000007 is named in its first row three times (goals and plan agreed by the employee): read once
    found = id_rows(str(path), "E000007")
    assert found is not None
    assert [n for n, _ in found] == [*range(1, 32), *(i + 1 for i in _employee(base, "E000007"))]


def test_an_absent_id_and_an_id_that_is_part_of_others(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [list(row) for row in base]
    for i in _employee(rows, "E000012"):  # the prefix of E000010..E000019, inside every E00001x
        rows[i] = ["E00001" if cell == "E000012" else cell for cell in rows[i]]
    path = tmp_path / "prefix.csv"
    path.write_bytes(_bytes(rows))
    searched, (code, out, _) = _both(monkeypatch, path, "E00001")
    assert searched and code == 0 and out.split("\n")[1].startswith("employee E00001 (")
    assert out.count("[input] title=") == len(_employee(rows, "E00001"))
    # No row of E00009: the whole file is read for the nearest id (as edit distance finds it)
    searched, (code, out, err) = _both(monkeypatch, path, "E00009")
    assert searched and (code, out) == (2, "")
    assert err == f"hrpolicy: no employee 'E00009' in {path}; did you mean 'E000039'?\n"
    searched, (code, _, err) = _both(monkeypatch, path, "E000012")
    assert searched and code == 2 and err.startswith("hrpolicy: no employee 'E000012' in ")
    # The manager who agreed every employee's goals is named on every first row, never as an id
    found = id_rows(str(path), "M000001")
    firsts = [i + 1 for i in range(1, len(rows)) if rows[i][0] != rows[i - 1][0]]  # line numbers
    assert found is not None and [n for n, _ in found] == [*range(1, 32), *(n for n in firsts if n > 31)]
    searched, (code, _, err) = _both(monkeypatch, path, "M000001")
    assert searched and code == 2 and err.startswith("hrpolicy: no employee 'M000001' in ")


def test_quoted_cells_are_searched_and_a_quoted_line_break_reads_the_whole_file(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [list(row) for row in base]
    for i in _employee(rows, "E000003"):
        rows[i][1] = 'Tanaka, "Ken"'  # a comma and quotes in a cell
    path = tmp_path / "quoted.csv"
    path.write_bytes(_bytes(rows, quote=csv.QUOTE_ALL))  # every cell quoted, the ids too
    # (the first row names the employee twice more: goals and plan agreed by the employee)
    assert path.read_bytes().count(b'"E000003"') == len(_employee(rows, "E000003")) + 2
    searched, (code, out, _) = _both(monkeypatch, path, "E000003")
    assert searched and code == 0 and 'employee E000003 (Tanaka, "Ken")' in out
    rows[_employee(rows, "E000002")[0]][8] = "two\nlines"  # E000002's 'what': rows are not lines
    path.write_bytes(_bytes(rows))
    assert id_rows(str(path), "E000003") is None
    searched, (code, out, _) = _both(monkeypatch, path, "E000003")
    first = _employee(rows, "E000003")[0] + 1  # the row number (the file's line is one more)
    assert not searched and code == 0 and f"(from {path}:row {first})" in out


def test_a_bare_carriage_return_or_another_encoding_reads_the_whole_file(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(_bytes(base, end="\r"))
    assert id_rows(str(path), "E000005") is None
    searched, (code, _, _) = _both(monkeypatch, path, "E000005")
    assert not searched and code == 0
    path = tmp_path / "sjis.csv"
    path.write_bytes(_bytes(base).decode("utf-8").encode("shift_jis"))
    searched, (code, out, _) = _both(monkeypatch, path, "E000005")
    assert not searched and code == 0 and "employee E000005 (" in out


def test_decomposed_text_is_searched_in_normal_form(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [list(row) for row in base]
    decomposed = unicodedata.normalize("NFD", "가E000009")  # as macOS saves Hangul
    for i in _employee(rows, "E000009"):
        rows[i] = [decomposed if cell == "E000009" else cell for cell in rows[i]]
        rows[i][1] = unicodedata.normalize("NFD", "김 가영")
    path = tmp_path / "nfd.csv"
    path.write_bytes(_bytes(rows))
    searched, (code, out, _) = _both(monkeypatch, path, "가E000009")
    assert searched and code == 0 and "employee 가E000009 (김 가영)" in out
    searched, (code, out, _) = _both(monkeypatch, path, decomposed)
    assert searched and code == 0 and "employee 가E000009 (김 가영)" in out


def test_title_rows_blank_lines_and_small_pieces(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    width = len(base[0])
    title = [["Evaluation sheet 2026", *[""] * (width - 1)], [""] * width, [], ["Sales division"]]
    path = tmp_path / "titled.csv"
    path.write_bytes(_bytes([*title, *base]))
    monkeypatch.setattr(idrows, "CHUNK_BYTES", 97)  # ids and lines cut across pieces
    for emp in ("E000001", "E000020", "E000040"):
        searched, (code, out, _) = _both(monkeypatch, path, emp)
        assert searched and code == 0
        assert f"(from {path}:row {_employee(base, emp)[0] + 1 + len(title)})" in out
    data = Engine.from_file(JAPAN).source.data
    stream, _, _, _ = records.stream_csv(str(path), data["inputs"], scales=data["scales"], only="E000020")
    assert [record.id for record in stream] == ["E000020"]
    assert [note.message for note in stream.part.notes] == [
        "rows 1-4 above the header (row 5) skipped as a title block"
    ]


def test_a_line_over_the_column_bound_reads_the_whole_file(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_COLUMNS", 40)  # the generated rows are 29 cells, ~180 bytes
    path = tmp_path / "wide.csv"
    path.write_bytes(_bytes(base))
    assert id_rows(str(path), "E000005") is not None  # long lines, but within the bound
    rows = [list(row) for row in base]
    rows[_employee(rows, "E000030")[-1]] += [""] * 12  # 41 cells, far from E000005's rows
    path.write_bytes(_bytes(rows))
    assert id_rows(str(path), "E000005") is None
    searched, (code, _, err) = _both(monkeypatch, path, "E000005")
    row = _employee(rows, "E000030")[-1] + 1
    assert not searched and code == 2
    assert err == f"hrpolicy: {path}: row {row} has 41 columns, over the limit of 40\n"


def test_the_files_problems_are_evaluates_on_both_reads(
    base: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown column is said as evaluate says it, with its exit code 1, after the trace
    (the same trace as without the column); a row without an id is not (the search never reads
    it), so both reads give the same bytes."""
    clean = tmp_path / "clean.csv"
    clean.write_bytes(_bytes(base))
    rows = [[*row, "x" if i == 0 else ""] for i, row in enumerate(base)]
    rows.append(["", *rows[-1][1:]])  # a copy of the last row without its id
    path = tmp_path / "extra.csv"
    path.write_bytes(_bytes(rows))
    searched, (code, out, err) = _both(monkeypatch, path, "E000007")
    assert searched and code == 1
    assert err == (
        f"{path}:row 1: file: error [record-unknown-field] unknown column 'x'\n"
        "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above\n"
    )
    assert out == _explain(clean, "E000007")[1].replace(str(clean), str(path))
    result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(path), "--format", "csv"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:row 1: file: error [record-unknown-field] unknown column 'x'",
        f"{path}:row {len(rows)}: file: error [record-missing] id: required field is missing",
        "hrpolicy: 2 problem(s) with the file or its parameters; see the problems above",
    ]
