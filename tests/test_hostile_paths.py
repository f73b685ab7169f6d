"""Bad input through every path a run can take: commands x bad inputs x paths.

The fast paths (a big CSV file split between worker processes, the columnar plan inside each
worker, the streamed writers, explain's id search) must answer a bad file exactly as the plain
one-process path does: the same exit code (2: the file cannot be read, nothing is written; 1:
some employees have problems, the rest are reported), the same messages naming the file and
row, no traceback, no output file (nor temporary file) left by a run that stops, and the input
untouched. A population of a few hundred employees is split here by lowering
:data:`engine.evaluate.ranges.MIN_BYTES` (the split itself is checked by
:func:`test_the_good_population_really_takes_the_split_and_columnar_paths`); the worker count is
what :func:`engine.evaluate.parallel.default_workers` says, and ``HRPOLICY_COLUMNAR=0`` switches
the columnar plan off.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluate import parallel, ranges

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "hostile" / "_shared" / "policy.yaml"

#: path id -> (workers, HRPOLICY_COLUMNAR): one process; two workers reading rows; two workers
#: through the columnar plan.
PATHS = {"one": (1, "1"), "split": (2, "0"), "columnar": (2, "1")}
FORMATS = {"csv": "csv", "json": "json", "text": "txt", "html": "html", "xlsx": "xlsx"}
#: Formats whose report can be split between workers (html and xlsx are rendered in one process).
SPLIT_FORMATS = ("csv", "json", "text")

HEADER = "id,name,kind,weight,target,actual,rating\n"


def rows(start: int, count: int) -> str:
    """``count`` employees of the tiny policy from number ``start``: 5 goal lines each."""
    return "".join(f"E{k:06d},Name {k},정량,20,100,{90 + k % 20},\n" * 5 for k in range(start, start + count))


GOOD = HEADER + rows(0, 200)  # 31 KB: far over the lowered split bound
MIDDLE = len(GOOD.encode()) // 2  # a byte in row 509, employee E000101's 3rd goal line: "N|ame 101"


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def _bad_line(cell: str) -> bytes:
    """A good file with one employee between the halves whose target is ``cell``."""
    return (HEADER + rows(0, 100) + f"E999999,Odd,정량,100,{cell},90,\n" + rows(100, 100)).encode()


def _mixed_newlines(text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    return "".join(line.replace("\n", ("\n", "\r\n", "\r")[i % 3]) for i, line in enumerate(lines)).encode()


def _columns(text: str, edit: Callable[[list[str]], list[str]]) -> bytes:
    return "".join(",".join(edit(line.split(","))) + "\n" for line in text.splitlines()).encode()


#: name -> the data file's bytes.
INPUTS: dict[str, Callable[[], bytes]] = {
    "truncated-mid-line": lambda: GOOD.encode()[: MIDDLE + 7],
    "truncated-mid-quoted-cell": lambda: (GOOD + 'E999999,"Name\n').encode(),
    "text-after-a-closing-quote": lambda: (
        HEADER + rows(0, 100) + 'E999999,"Odd" one,정량,100,100,90,\n'
    ).encode(),
    "nul-byte": lambda: _insert(GOOD.encode(), MIDDLE, b"\x00"),
    "invalid-utf8": lambda: _insert(GOOD.encode(), MIDDLE, b"\xff\xfe"),
    "bom-in-the-middle": lambda: _insert(GOOD.encode(), MIDDLE, "\ufeff".encode()),
    "crlf-cr-lf-mixed": lambda: _mixed_newlines(GOOD),
    "cr-only": lambda: GOOD.replace("\n", "\r").encode(),
    "header-only": lambda: HEADER.encode(),
    "empty": lambda: b"",
    "duplicate-id-across-ranges": lambda: (GOOD + rows(3, 1)).encode(),
    "rows-of-one-employee-apart": lambda: (HEADER + rows(7, 1) + rows(0, 200)).encode(),
    "a-10-mb-cell": lambda: (GOOD + "E999999," + "x" * 10_000_000 + ",정량,100,100,90,\n").encode(),
    "number-1e999": lambda: _bad_line("1e999"),
    "number-nan": lambda: _bad_line("NaN"),
    "number-minus-zero": lambda: _bad_line("-0"),
    "number-underscore": lambda: _bad_line("1_000"),
    "number-underscore-typo": lambda: _bad_line("1_5"),
    "number-full-width": lambda: _bad_line("１００"),
    "number-arabic-indic-digits": lambda: _bad_line("١٠٠"),
    "number-exponent": lambda: _bad_line("1E+2"),
    "number-signed-and-padded": lambda: _bad_line(" +100. "),
    "number-infinity": lambda: _bad_line("-Infinity"),
    "missing-required-column": lambda: _columns(GOOD, lambda cells: cells[:3] + cells[4:]),
    "extra-unknown-column": lambda: _columns(GOOD, lambda cells: [*cells, "x"]),
}

_NOT_EVALUATED = "hrpolicy: 1 employee(s) not evaluated; see the problems above\n"
STRAY_BOM = (
    "a byte order mark (U+FEFF) is only allowed as the file's first character; remove the byte order "
    "mark (an invisible character, often left where two files were joined)"
)

#: name -> (exit code, stderr of a run written with -o). Worked out from the file: the row
#: numbers count the header as row 1 and 5 rows per employee (E000100 starts at row 502).
EXPECTED: dict[str, tuple[int, str]] = {
    # cut in row 509 after "E000101,Name 1": a row without its goal cells
    "truncated-mid-line": (
        1,
        "data.csv:row 509: E000101 indicator 3: error [record-missing] kind: required field is missing\n"
        "data.csv:row 509: E000101 indicator 3: error [record-missing] weight: required field is missing\n"
        + _NOT_EVALUATED,
    ),
    "truncated-mid-quoted-cell": (
        2,
        'hrpolicy: data.csv: row 1002: the file ends inside a quoted cell (its closing " is missing); '
        "is the file cut short?\n",
    ),
    "text-after-a-closing-quote": (
        2,
        'hrpolicy: data.csv: row 502: text after the closing " of a quoted cell; a " inside a quoted '
        'cell is written twice ("")\n',
    ),
    "nul-byte": (
        1,
        "data.csv:row 509: E000101: error [record-conflict] name: 'N\\x00ame 101' conflicts with "
        "'Name 101' on row 507\n" + _NOT_EVALUATED,
    ),
    "invalid-utf8": (
        2,
        "hrpolicy: data.csv: line 509 is not UTF-8 text (byte 0xff); save the file as UTF-8 "
        "(in Excel: 'CSV UTF-8')\n",
    ),
    # in the name's cell: the same refusal as a YAML or JSON file's (engine.loader.text), exit 2
    "bom-in-the-middle": (2, "hrpolicy: data.csv: row 509: " + STRAY_BOM + "\n"),
    "crlf-cr-lf-mixed": (0, ""),
    "cr-only": (0, ""),
    "header-only": (0, ""),
    "empty": (2, "hrpolicy: data.csv: no header row (the table is empty)\n"),
    "duplicate-id-across-ranges": (0, ""),  # one employee's rows, wherever they are (docs/records.md)
    "rows-of-one-employee-apart": (0, ""),
    "a-10-mb-cell": (
        2,
        "hrpolicy: data.csv: row 1002: a cell is longer than 32767 characters "
        "(the limit for one cell, as in Excel)\n",
    ),
    "number-1e999": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-range] target: the number 1e999 is out of "
        "range: at most 100 characters and a decimal exponent between -100 and 100\n" + _NOT_EVALUATED,
    ),
    "number-nan": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got 'NaN'\n" + _NOT_EVALUATED,
    ),
    "number-minus-zero": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [evaluation-error] achievement: division by zero "
        "in 'actual / target * 100 if kind == '정량' else rating' (actual=90, target=-0, kind='정량', "
        "rating=none)\n" + _NOT_EVALUATED,
    ),
    # One grammar of a number (engine.io.fields.NUMBER) on every path: Decimal() alone would
    # read these three as 1000, 15 and 100
    "number-underscore": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got '1_000': '_' is not allowed in a number; write 1000 if that is meant\n" + _NOT_EVALUATED,
    ),
    "number-underscore-typo": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got '1_5': '_' is not allowed in a number; write 15 if that is meant\n" + _NOT_EVALUATED,
    ),
    "number-full-width": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got '１００': only the digits 0-9 are read (not full-width or other scripts' digits); "
        "write 100 if that is meant\n" + _NOT_EVALUATED,
    ),
    "number-arabic-indic-digits": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got '١٠٠': only the digits 0-9 are read (not full-width or other scripts' digits); "
        "write 100 if that is meant\n" + _NOT_EVALUATED,
    ),
    # within the grammar: an exponent (a spreadsheet's export), a sign, a trailing point, spaces
    "number-exponent": (0, ""),
    "number-signed-and-padded": (0, ""),
    "number-infinity": (
        1,
        "data.csv:row 502: E999999 indicator 1: error [record-type] target: expected a decimal number, "
        "got '-Infinity'\n" + _NOT_EVALUATED,
    ),
    "missing-required-column": (
        2,
        "hrpolicy: data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)\n",
    ),
    "extra-unknown-column": (
        1,
        "data.csv:row 1: file: error [record-unknown-field] unknown column 'x'\n"
        "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above\n",
    ),
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` with the digest of its bytes ('' for what is not a file)."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_file() and not path.is_fifo():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[name] = ""
    return found


def run(args: list[str], folder: Path, path: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``hrpolicy ARGS`` in ``folder`` on path ``path`` (a key of :data:`PATHS`): never a traceback."""
    workers, columnar = PATHS[path]
    with monkeypatch.context() as patch:
        patch.setattr(ranges, "MIN_BYTES", 1000)
        patch.setattr(parallel, "default_workers", lambda: workers)
        patch.setenv("HRPOLICY_COLUMNAR", columnar)
        patch.chdir(folder)
        (folder / ".tmp").mkdir(exist_ok=True)
        patch.setattr(tempfile, "tempdir", str(folder / ".tmp"))  # a left temporary file is seen
        result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"hrpolicy {' '.join(args)} ({path}) raised:\n{text}")
    assert "Traceback" not in result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


def _folder(tmp_path: Path, data: bytes, policy: Path = TINY, name: str = "data.csv") -> Path:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".tmp").mkdir()  # the runs' temporary folder: a file left there is seen
    (folder / "policy.yaml").write_bytes(policy.read_bytes())
    (folder / name).write_bytes(data)
    return folder


def _checked(
    args: list[str], folder: Path, path: str, out: str | None, monkeypatch: pytest.MonkeyPatch
) -> Run:
    """Run, then: the inputs unchanged, no file but ``out`` new, ``out`` written unless exit 2."""
    before = _snapshot(folder)
    done = run(args, folder, path, monkeypatch)
    after = _snapshot(folder)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    assert set(after) - set(before) == ({out} if out and done.code != 2 else set()), after
    return done


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", EXPECTED)
def test_evaluate_answers_a_bad_file_the_same_on_every_path(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, INPUTS[name]())
    out = f"out.{FORMATS[fmt]}"
    code, stderr = EXPECTED[name]
    reports: dict[str, bytes] = {}
    for path in PATHS if fmt in SPLIT_FORMATS else ["one"]:
        done = _checked(
            ["evaluate", "policy.yaml", "data.csv", "--format", fmt, "-o", out],
            folder,
            path,
            out,
            monkeypatch,
        )
        assert (done.code, done.stderr, done.stdout) == (code, stderr, ""), path
        if code != 2:
            reports[path] = (folder / out).read_bytes()
            (folder / out).unlink()
    assert len(set(reports.values())) <= 1, "the paths wrote different reports"


def test_the_good_population_really_takes_the_split_and_columnar_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix means something only if its paths are taken: the split for both worker paths,
    the columnar plan's ranges only with the plan switched on."""
    from engine.evaluate.columnar import run as columnar

    folder = _folder(tmp_path, GOOD.encode())
    marks = tmp_path / "columnar-ranges"  # written by the forked workers
    taken: list[str] = []
    real_split, real_range = parallel.evaluate_split, columnar._columnar

    def split(*args: object, **kwargs: object) -> object:
        done = real_split(*args, **kwargs)  # type: ignore[arg-type]
        taken.append("split" if done is not None else "whole")
        return done

    def ranges(*args: object, **kwargs: object) -> object:
        done = real_range(*args, **kwargs)  # type: ignore[arg-type]
        with open(marks, "a", encoding="utf-8") as mark:
            mark.write("columns\n" if done is not None else "rows\n")
        return done

    monkeypatch.setattr(parallel, "evaluate_split", split)
    monkeypatch.setattr(columnar, "_columnar", ranges)
    seen = {}
    for path in PATHS:
        taken.clear()
        marks.unlink(missing_ok=True)
        done = run(["evaluate", "policy.yaml", "data.csv", "--format", "csv"], folder, path, monkeypatch)
        assert done.code == 0
        seen[path] = (taken[:], marks.read_text(encoding="utf-8") if marks.exists() else "")
    assert seen == {"one": ([], ""), "split": (["split"], ""), "columnar": (["split"], "columns\ncolumns\n")}


# -- evaluate: bad arguments and paths, on every path --------------------------------------------


def _setup_special(folder: Path) -> None:
    (folder / "folder.csv").mkdir()
    os.mkfifo(folder / "fifo.csv")
    os.symlink("/dev/null", folder / "device.csv")


#: name -> (arguments after ``evaluate policy.yaml``, the one line on stderr; exit 2 for all).
REFUSED: dict[str, tuple[list[str], str]] = {
    "encoding-utf16-of-a-utf8-file": (
        ["data.csv", "--encoding", "utf-16", "-o", "out.csv"],
        "hrpolicy: data.csv: row 1: the text is not utf-16; give the file's encoding with --encoding "
        "or save it as UTF-8",
    ),
    "encoding-shift-jis-of-a-utf8-file": (
        ["data.csv", "--encoding", "shift_jis", "-o", "out.csv"],
        "hrpolicy: data.csv: row 1: the text is not shift_jis; give the file's encoding with --encoding "
        "or save it as UTF-8",
    ),
    "encoding-not-a-text-codec": (
        ["data.csv", "--encoding", "base64", "-o", "out.csv"],
        "hrpolicy: 'base64' is not a text encoding; e.g. utf-8, cp949, euc-kr, shift_jis, cp932",
    ),
    "encoding-unknown": (
        ["data.csv", "--encoding", "utf-9", "-o", "out.csv"],
        "hrpolicy: unknown encoding 'utf-9'; e.g. utf-8, cp949, euc-kr, shift_jis, cp932",
    ),
    "output-in-a-missing-folder": (
        ["data.csv", "-o", "missing/out.csv"],
        "hrpolicy: missing/out.csv: cannot write the file: there is no folder 'missing'",
    ),
    "output-under-a-file": (
        ["data.csv", "-o", "data.csv/out.csv"],
        "hrpolicy: data.csv/out.csv: cannot write the file: 'data.csv' is not a folder",
    ),
    "output-is-the-data": (
        ["data.csv", "-o", "data.csv"],
        "hrpolicy: data.csv: refusing to overwrite an input file",
    ),
    "output-is-the-data-another-way": (
        ["data.csv", "-o", "./missing/../data.csv"],
        "hrpolicy: ./missing/../data.csv: refusing to overwrite an input file",
    ),
    "output-unwritable": (
        ["data.csv", "-o", "/proc/hrpolicy-out.csv"],
        "hrpolicy: /proc/hrpolicy-out.csv: cannot write the file: No such file or directory",
    ),
    "data-is-a-directory": (
        ["folder.csv", "-o", "out.csv"],
        "hrpolicy: folder.csv: is a directory, not a regular file",
    ),
    "data-is-a-fifo": (
        ["fifo.csv", "-o", "out.csv"],
        "hrpolicy: fifo.csv: is a named pipe (FIFO), not a regular file",
    ),
    "data-is-a-device": (
        ["device.csv", "-o", "out.csv"],
        "hrpolicy: device.csv: is a character device, not a regular file",
    ),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", REFUSED)
def test_evaluate_refuses_bad_arguments_and_paths_on_every_path(
    name: str, path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, GOOD.encode())
    _setup_special(folder)
    args, line = REFUSED[name]
    done = _checked(["evaluate", "policy.yaml", *args, "--format", "csv"], folder, path, None, monkeypatch)
    assert (done.code, done.stderr, done.stdout) == (2, line + "\n", "")


# -- the other commands that read a CSV population ------------------------------------------------


def _generated(tmp_path_factory: pytest.TempPathFactory, script: str, employees: int) -> bytes:
    target = tmp_path_factory.mktemp("population") / "data.csv"
    subprocess.run([sys.executable, str(ROOT / "bench" / script), str(employees), str(target)], check=True)
    return target.read_bytes()


@pytest.fixture(scope="module")
def populations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A kumho_like population (distributions: the two-pass relative path) and a japan_mbo one,
    60 employees each (about 60 KB: split between workers at the lowered bound)."""
    return {
        "kumho": _generated(tmp_path_factory, "gen_kumho.py", 60),
        "japan": _generated(tmp_path_factory, "gen_population.py", 60),
    }


def _in_a_cell(data: bytes, piece: bytes) -> bytes:
    """``piece`` at the start of the second cell of the line holding the file's middle byte."""
    start = data.rfind(b"\n", 0, len(data) // 2) + 1
    return _insert(data, data.index(b",", start) + 1, piece)


def _without_column(data: bytes, name: str) -> bytes:
    lines = data.decode().splitlines()
    at = lines[0].split(",").index(name)
    return "".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != at) + "\n" for line in lines
    ).encode()


#: name -> what makes the bad file of a good one (the header is the first line).
MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated-mid-quoted-cell": lambda data: data + b'X9,"cut sh',
    "nul-byte": lambda data: _in_a_cell(data, b"\x00"),
    "invalid-utf8": lambda data: _in_a_cell(data, b"\xc3("),
    "bom-in-the-middle": lambda data: _in_a_cell(data, "\ufeff".encode()),
    "crlf-cr-lf-mixed": lambda data: _mixed_newlines(data.decode()),
    "header-only": lambda data: data[: data.index(b"\n") + 1],
    "empty": lambda data: b"",
    "a-10-mb-cell": lambda data: data + b"X9," + b"x" * 10_000_000 + b"\n",
    "missing-required-column": lambda data: _without_column(data, "weight"),
    "extra-unknown-column": lambda data: _columns(data.decode(), lambda cells: [*cells, "x"]),
}


@dataclass(frozen=True)
class Command:
    policy: str  # under policies/
    population: str  # a key of the populations fixture
    args: list[str]
    output: str | None  # the file written with -o, if any
    extra: dict[str, str | bytes]  # file name in the folder -> its source under the repository, or its bytes


#: The pay file of the japan_mbo population: the bonus base of each of its 60 employees.
PAY = ("policy: japan_mbo\nemployees:\n" + "".join(
    f"  - {{id: E{n:06d}, bonus_base: 500000}}\n" for n in range(1, 61)
)).encode()  # fmt: skip


COMMANDS: dict[str, Command] = {
    "calibrate": Command(
        "kumho_like.yaml",
        "kumho",
        ["calibrate", "policy.yaml", "data.csv", "--format", "csv", "-o", "out.csv"],
        "out.csv",
        {},
    ),
    "simulate": Command(
        "kumho_like.yaml",
        "kumho",
        [
            "simulate",
            "policy.yaml",
            "--population",
            "data.csv",
            "--vary",
            "distributions.performance.quotas.I=10,15",
            "--format",
            "csv",
            "-o",
            "out.csv",
        ],
        "out.csv",
        {},
    ),
    "diff": Command(
        "kumho_like.yaml",
        "kumho",
        ["diff", "old.yaml", "policy.yaml", "--population", "data.csv", "--format", "csv", "-o", "out.csv"],
        "out.csv",
        {"old.yaml": "policies/kumho_like.yaml"},
    ),
    "explain": Command(
        "kumho_like.yaml", "kumho", ["explain", "policy.yaml", "data.csv", "--employee", "H0000030"], None, {}
    ),
    # no distributions: the rows are searched by id (engine.evaluate.explained.explain_streamed)
    "explain-by-id": Command(
        "japan_mbo.yaml", "japan", ["explain", "policy.yaml", "data.csv", "--employee", "E000030"], None, {}
    ),
    "pay-records": Command(
        "japan_mbo.yaml",
        "japan",
        ["pay", "policy.yaml", "pay.yaml", "--records", "data.csv", "--format", "csv", "-o", "out.csv"],
        "out.csv",
        {"pay.yaml": PAY},
    ),
}


def _refused(line: str) -> tuple[int, str, str]:
    """Exit 2 and the one line ``hrpolicy: LINE`` on stderr."""
    return 2, "hrpolicy: " + line, "hrpolicy: " + line


#: simulate and diff read the population through the same run of compare (engine/compare/run.py):
#: each mutation's outcome is the same for both.
_COMPARE_RUN_EXPECTED: dict[str, tuple[int, str, str]] = {
    "good": (
        0,
        "",
        "",
    ),
    "truncated-mid-quoted-cell": _refused(
        'data.csv: row 681: the file ends inside a quoted cell (its closing " is missing); '
        "is the file cut short?"
    ),
    "nul-byte": (
        0,
        (
            "data.csv:row 341: H0000031: error [record-conflict] name: '\\x00정서윤' conflicts "
            "with '정서윤' on row 336"
        ),
        "hrpolicy: data.csv: 1 employee(s) not evaluated: left out, see the problems above",
    ),
    "invalid-utf8": _refused(
        "data.csv: line 341 is not UTF-8 text (byte 0xc3); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    ),
    "bom-in-the-middle": _refused(f"data.csv: row 341: {STRAY_BOM}"),
    "crlf-cr-lf-mixed": (
        0,
        "",
        "",
    ),
    "header-only": (
        0,
        "",
        "",
    ),
    "empty": _refused("data.csv: no header row (the table is empty)"),
    "a-10-mb-cell": _refused(
        "data.csv: row 681: a cell is longer than 32767 characters (the limit for one cell, as in Excel)"
    ),
    "missing-required-column": _refused(
        "data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)"
    ),
    "extra-unknown-column": (
        0,
        "data.csv:row 1: file: error [record-unknown-field] unknown column 'x'",
        "hrpolicy: data.csv: 1 problem(s) with the file: left out, see the problems above",
    ),
}

#: command -> mutation -> (exit code, first and last line of stderr).
COMMAND_EXPECTED: dict[str, dict[str, tuple[int, str, str]]] = {
    "calibrate": {
        "good": (
            1,
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "120 problem(s)"
            ),
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "120 problem(s)"
            ),
        ),
        "truncated-mid-quoted-cell": _refused(
            'data.csv: row 681: the file ends inside a quoted cell (its closing " is missing); '
            "is the file cut short?"
        ),
        "nul-byte": (
            1,
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "119 problem(s)"
            ),
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "119 problem(s)"
            ),
        ),
        "invalid-utf8": _refused(
            "data.csv: line 341 is not UTF-8 text (byte 0xc3); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        ),
        "bom-in-the-middle": _refused(f"data.csv: row 341: {STRAY_BOM}"),
        "crlf-cr-lf-mixed": (
            1,
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "120 problem(s)"
            ),
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "120 problem(s)"
            ),
        ),
        "header-only": (
            0,
            "",
            "",
        ),
        "empty": _refused("data.csv: no header row (the table is empty)"),
        "a-10-mb-cell": _refused(
            "data.csv: row 681: a cell is longer than 32767 characters (the limit for one cell, as in Excel)"
        ),
        "missing-required-column": _refused(
            "data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)"
        ),
        "extra-unknown-column": (
            1,
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "121 problem(s)"
            ),
            (
                "hrpolicy: calibration failed: 6 group(s) outside quota, 12 person(s) not graded, "
                "121 problem(s)"
            ),
        ),
    },
    "simulate": _COMPARE_RUN_EXPECTED,
    "diff": _COMPARE_RUN_EXPECTED,
    "explain": {
        "good": (
            0,
            "",
            "",
        ),
        "truncated-mid-quoted-cell": _refused(
            'data.csv: row 681: the file ends inside a quoted cell (its closing " is missing); '
            "is the file cut short?"
        ),
        "nul-byte": (
            0,
            "",
            "",
        ),
        "invalid-utf8": _refused(
            "data.csv: line 341 is not UTF-8 text (byte 0xc3); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        ),
        "bom-in-the-middle": _refused(f"data.csv: row 341: {STRAY_BOM}"),
        "crlf-cr-lf-mixed": (
            0,
            "",
            "",
        ),
        "header-only": _refused("no employee 'H0000030' in data.csv"),
        "empty": _refused("data.csv: no header row (the table is empty)"),
        "a-10-mb-cell": _refused(
            "data.csv: row 681: a cell is longer than 32767 characters (the limit for one cell, as in Excel)"
        ),
        "missing-required-column": _refused(
            "data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)"
        ),
        # the file's problem, as evaluate words it and with its exit code; the trace on stdout
        "extra-unknown-column": (
            1,
            "data.csv:row 1: file: error [record-unknown-field] unknown column 'x'",
            "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above",
        ),
    },
    # the same file as pay-records' (60 japan employees): its damage at the same rows; the nul
    # byte is in E000032's name, not in E000030's rows (the BOM there is the whole file's problem)
    "explain-by-id": {
        "good": (0, "", ""),
        "truncated-mid-quoted-cell": _refused(
            'data.csv: row 394: the file ends inside a quoted cell (its closing " is missing); '
            "is the file cut short?"
        ),
        "nul-byte": (0, "", ""),
        "invalid-utf8": _refused(
            "data.csv: line 195 is not UTF-8 text (byte 0xc3); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        ),
        "bom-in-the-middle": _refused(f"data.csv: row 195: {STRAY_BOM}"),
        "crlf-cr-lf-mixed": (0, "", ""),
        "header-only": _refused("no employee 'E000030' in data.csv"),
        "empty": _refused("data.csv: no header row (the table is empty)"),
        "a-10-mb-cell": _refused(
            "data.csv: row 394: a cell is longer than 32767 characters (the limit for one cell, as in Excel)"
        ),
        "missing-required-column": _refused(
            "data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)"
        ),
        # as explain's whole read above: the one implementation of evaluate's words
        "extra-unknown-column": (
            1,
            "data.csv:row 1: file: error [record-unknown-field] unknown column 'x'",
            "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above",
        ),
    },
    "pay-records": {
        "good": (
            0,
            "",
            "",
        ),
        "truncated-mid-quoted-cell": _refused(
            'data.csv: row 394: the file ends inside a quoted cell (its closing " is missing); '
            "is the file cut short?"
        ),
        "nul-byte": (
            1,
            (
                "pay.yaml:34:5: E000032: error [pay-bonus] employee E000032: no evaluated result: "
                "data.csv: [record-conflict] name: '\\x00佐藤 美咲' conflicts with '佐藤 美咲' on row 193"
            ),
            "hrpolicy: 1 problem, 1 of 60 employees affected; see the problems above",
        ),
        "invalid-utf8": _refused(
            "data.csv: line 195 is not UTF-8 text (byte 0xc3); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        ),
        "bom-in-the-middle": _refused(f"data.csv: row 195: {STRAY_BOM}"),
        "crlf-cr-lf-mixed": (
            0,
            "",
            "",
        ),
        "header-only": (
            1,
            (
                "pay.yaml:3:5: E000001: error [pay-bonus] employee E000001: no evaluated result: "
                "the records have no employee by this id"
            ),
            "hrpolicy: 60 problems, 60 of 60 employees affected; see the problems above",
        ),
        "empty": _refused("data.csv: no header row (the table is empty)"),
        "a-10-mb-cell": _refused(
            "data.csv: row 394: a cell is longer than 32767 characters (the limit for one cell, as in Excel)"
        ),
        "missing-required-column": _refused(
            "data.csv: missing required column 'weight' (the policy's inputs.indicator declares it)"
        ),
        "extra-unknown-column": (
            0,
            "hrpolicy: data.csv:row 1: file: error [record-unknown-field] unknown column 'x'",
            "hrpolicy: data.csv:row 1: file: error [record-unknown-field] unknown column 'x'",
        ),
    },
}


def _command_folder(tmp_path: Path, command: Command, data: bytes) -> Path:
    folder = _folder(tmp_path, data, ROOT / "policies" / command.policy)
    for name, source in command.extra.items():
        (folder / name).write_bytes(source if isinstance(source, bytes) else (ROOT / source).read_bytes())
    return folder


def _ends(stderr: str) -> tuple[str, str]:
    lines = stderr.splitlines()
    return (lines[0], lines[-1]) if lines else ("", "")


@pytest.mark.parametrize("mutation", ["good", *MUTATIONS])
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_answers_a_bad_population_the_same_on_every_path(
    name: str, mutation: str, populations: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 2: the one line, nothing written. Otherwise the first and last lines of stderr as
    here, and the same stderr and the same report on every path."""
    command = COMMANDS[name]
    good = populations[command.population]
    folder = _command_folder(tmp_path, command, good if mutation == "good" else MUTATIONS[mutation](good))
    code, first, last = COMMAND_EXPECTED[name][mutation]
    seen: dict[str, tuple[str, str, bytes]] = {}
    for path in PATHS:
        done = _checked(command.args, folder, path, command.output, monkeypatch)
        assert (done.code, _ends(done.stderr)) == (code, (first, last)), path
        if code == 2:
            assert done.stderr.count("\n") == 1 and done.stdout == ""
            continue
        report = b""
        if command.output is not None:
            report = (folder / command.output).read_bytes()
            (folder / command.output).unlink()
        seen[path] = (done.stdout, done.stderr, report)
    assert len(set(seen.values())) <= 1, "the paths answered differently"


# -- YAML inputs: compare --population (a canonical population) and validate (a policy) -----------


def _cut(data: bytes) -> bytes:
    """The file cut in the middle of a line (after its first 5 bytes)."""
    start = data.rfind(b"\n", 0, len(data) // 2) + 1
    return data[: start + 5]


def _at_line(data: bytes, piece: bytes) -> bytes:
    """``piece`` after the first non-blank byte of the line holding the middle byte."""
    start = data.rfind(b"\n", 0, len(data) // 2) + 1
    at = start + len(data[start:]) - len(data[start:].lstrip(b" ")) + 1
    return _insert(data, at, piece)


YAML_MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "good": lambda data: data,
    "truncated-mid-line": _cut,
    "nul-byte": lambda data: _at_line(data, b"\x00"),
    "invalid-utf8": lambda data: _at_line(data, b"\xc3("),
    "bom-in-the-middle": lambda data: _at_line(data, "\ufeff".encode()),
    "crlf-cr-lf-mixed": lambda data: _mixed_newlines(data.decode()),
    "empty": lambda data: b"",
    "a-10-mb-scalar": lambda data: data + b"x: " + b"x" * 10_000_000 + b"\n",
}


@dataclass(frozen=True)
class YamlCommand:
    target: str  # the file mutated, in the folder
    args: list[str]
    files: dict[str, str]  # file name in the folder -> its source under the repository


YAML_COMMANDS: dict[str, YamlCommand] = {
    "compare-population": YamlCommand(
        "population.yaml",
        [
            "compare",
            "japan_mbo.yaml",
            "kumho_like.yaml",
            "--population",
            "population.yaml",
            "--format",
            "csv",
            "-o",
            "out.csv",
        ],
        {
            "japan_mbo.yaml": "policies/japan_mbo.yaml",
            "kumho_like.yaml": "policies/kumho_like.yaml",
            "population.yaml": "examples/compare/population.yaml",
            **{
                f"map_{p}.yaml": f"examples/compare/map_{p}.yaml"
                for p in ("japan_mbo", "kumho_like", "kepco_like")
            },
        },
    ),
    "validate": YamlCommand(
        "kumho_like.yaml", ["validate", "kumho_like.yaml"], {"kumho_like.yaml": "policies/kumho_like.yaml"}
    ),
}


#: command -> mutation -> (exit code, first and last line of stderr).
YAML_EXPECTED: dict[str, dict[str, tuple[int, str, str]]] = {
    "compare-population": {
        "good": (
            0,
            "",
            "",
        ),
        "truncated-mid-line": _refused(
            "population.yaml:71:1: could not find expected ':' (while scanning a simple key at "
            "line 70, column 5)"
        ),
        "nul-byte": _refused("population.yaml:70:6: control characters are not allowed (U+0000)"),
        "invalid-utf8": _refused(
            "population.yaml:70:6: the file is not UTF-8: byte 0xc3 at byte offset 3919 cannot be decoded"
        ),
        # after "    o" of "    org: civil_div": the key would be 'o\ufeffrg'
        "bom-in-the-middle": _refused(
            "population.yaml:70:6: a byte order mark (U+FEFF) is only allowed as the file's first character"
        ),
        "crlf-cr-lf-mixed": (
            0,
            "",
            "",
        ),
        "empty": _refused("population.yaml:1:1: the document is empty"),
        "a-10-mb-scalar": _refused("population.yaml:1:1: the file is larger than the limit of 2097152 bytes"),
    },
    "validate": {
        "good": (
            0,
            "kumho_like.yaml: policy kumho_like version 2026.1 sha256 805132a37e35",
            "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings)",
        ),
        "truncated-mid-line": (
            1,
            "kumho_like.yaml: policy kumho_like version 2026.1 sha256 da3c283fb198",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
        "nul-byte": (
            1,
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
        "invalid-utf8": (
            1,
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
        "bom-in-the-middle": (  # the yaml-bom diagnostic (tests/test_loader.py), on stdout
            1,
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
        "crlf-cr-lf-mixed": (
            0,
            "kumho_like.yaml: policy kumho_like version 2026.1 sha256 805132a37e35",
            "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings)",
        ),
        "empty": (
            1,
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
        "a-10-mb-scalar": (
            1,
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
            "checked 1 file: 0 valid, 1 invalid (1 error, 0 warnings)",
        ),
    },
}


@pytest.mark.parametrize("mutation", YAML_MUTATIONS)
@pytest.mark.parametrize("name", YAML_COMMANDS)
def test_yaml_inputs_are_refused_clearly_and_change_nothing(
    name: str, mutation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = YAML_COMMANDS[name]
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".tmp").mkdir()
    for file, source in command.files.items():
        (folder / file).write_bytes((ROOT / source).read_bytes())
    target = folder / command.target
    target.write_bytes(YAML_MUTATIONS[mutation](target.read_bytes()))
    output = "out.csv" if "-o" in command.args else None
    done = _checked(command.args, folder, "one", output, monkeypatch)
    code, first, last = YAML_EXPECTED[name][mutation]
    assert (done.code, _ends(done.stderr)) == (code, (first, last))
    if code == 2:
        assert done.stderr.count("\n") == 1 and done.stdout == ""
