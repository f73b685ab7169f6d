"""Hostile inputs: every folder under tests/hostile/ is one case, run through the real CLI.

A case folder holds:

- ``args``: the command line after ``hrpolicy`` (shell words), run inside a copy of the folder;
- ``expected.txt``: ``exit N`` on the first line, then exactly what the run prints on stderr;
- ``stdout.txt``: exactly what it prints on stdout (no such file: nothing);
- its input files, on top of a copy of ``tests/hostile/_shared/`` (the tiny policy, good data);
- ``generate`` (optional): one generator per line (``name arg ...``, see :data:`GENERATORS`)
  that writes a big or special input at test time: nothing megabyte-sized is committed;
- ``limits`` (optional): ``NAME=value`` lines lowering a bound of :mod:`engine.limits` for the
  case (a bound of ten million rows is tried with five);
- ``subprocess`` (optional): run as a process of its own; if it says ``interrupt FILE``, SIGINT
  is sent once the process has FILE open; ``interrupt workers N``: once it has forked N worker
  processes, none of which may outlive it. Other cases run in this process, under an alarm: a
  FIFO that blocked the reader would fail its case instead of hanging the suite.

After every run no input file has changed and no file has appeared: no partial output, no
temporary file, nothing a hostile input made the tool write.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.limits
from engine.cli import cli

CORPUS = Path(__file__).resolve().parent / "hostile"
SHARED = CORPUS / "_shared"
#: A case still running after this long is hung (far above any case's time; not a timing test).
ALARM_SECONDS = 60
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


# -- generators: inputs too big, or too special, to commit ------------------------------------


def _fifo(folder: Path, name: str) -> None:
    os.mkfifo(folder / name)


def _symlink(folder: Path, name: str, target: str) -> None:
    os.symlink(target, folder / name)


def _hardlink(folder: Path, name: str, target: str) -> None:
    os.link(folder / target, folder / name)


def _sparse(folder: Path, name: str, size: str) -> None:
    """A file of ``size`` bytes that takes no disk space: only its size is ever looked at."""
    with open(folder / name, "wb") as handle:
        handle.truncate(int(size))


def _repeat(folder: Path, name: str, head: str, line: str, count: str, tail: str = "") -> None:
    """``head``, ``line`` ``count`` times, ``tail`` (``\\n`` and ``\\t`` written as escapes)."""

    def text(s: str) -> str:
        return s.replace("\\n", "\n").replace("\\t", "\t")

    (folder / name).write_text(text(head) + text(line) * int(count) + text(tail), encoding="utf-8")


def _population(folder: Path, name: str, employees: str) -> None:
    """A valid CSV population for the tiny policy: 5 goal lines per employee."""
    lines = ["id,name,kind,weight,target,actual,rating"]
    for n in range(int(employees)):
        lines += [f"E{n:06d},Name {n},정량,20,100,{90 + n % 20},"] * 5
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _sheet_xml(rows: str, dimension: str = "A1:A1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="indicators" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _good_rows() -> str:
    """The shared data.csv's first employee as sheet rows (inline strings, numbers)."""
    names = ["id", "kind", "weight", "target", "actual", "rating"]
    header = "".join(_inline(f"{c}1", t) for c, t in zip("ABCDEF", names, strict=True))
    row = _inline("A2", "E1") + _inline("B2", "정성") + '<c r="C2"><v>100</v></c><c r="F2"><v>80</v></c>'
    return f'<row r="1">{header}</row><row r="2">{row}</row>'


def _workbook(folder: Path, name: str, sheet: bytes) -> None:
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in _WORKBOOK_PARTS.items():
            archive.writestr(part, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)


def _xlsx(folder: Path, name: str, kind: str) -> None:
    """Hand-built workbooks: a good one, and the ways a workbook can attack a reader."""
    rows = _good_rows()
    if kind == "good":
        sheet = _sheet_xml(rows, "A1:F2")
    elif kind == "dimension-lie":  # claims the whole sheet: no row may be padded to it
        sheet = _sheet_xml(rows, "A1:XFD1048576")
    elif kind == "bomb":  # 8 MB of empty rows after the data, deflated about 700 to 1
        sheet = _sheet_xml(rows + "<row/>" * (8 * 2**20 // 6), "A1:F2")
    elif kind == "long-row":  # 5 MB of cells in one row, deflated only about 4 to 1
        rng = random.Random(7)
        cells = "".join(f'<c r="G2"><v>{rng.randrange(10**9)}</v></c>' for _ in range(5 * 2**20 // 28))
        sheet = _sheet_xml(rows.removesuffix("</row>") + cells + "</row>", "A1:G2")
    elif kind == "wide-row":  # one cell at the last column Excel has
        sheet = _sheet_xml(rows.replace("</row>", _inline("XFD1", "x") + "</row>", 1), "A1:F2")
    elif kind == "long-cell":
        sheet = _sheet_xml(rows.replace(">E1<", ">" + "x" * 40_000 + "<", 1), "A1:F2")
    elif kind == "laughs":  # XML entities that expand a billion times
        entities = '<!ENTITY a0 "lol">' + "".join(
            f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
        )
        body = _sheet_xml(rows.replace(">E1<", ">&a9;<", 1), "A1:F2").decode()
        sheet = body.replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1).encode()
    else:
        raise ValueError(kind)
    _workbook(folder, name, sheet)


def _declared_size(folder: Path, name: str, size: str) -> None:
    """A good workbook whose sheet part claims (in the central directory) ``size`` bytes inflated."""
    _xlsx(folder, name, "good")
    data = bytearray((folder / name).read_bytes())
    entry = data.find(b"PK\x01\x02")  # the central directory's entries
    while entry >= 0:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        part = bytes(data[entry + 46 : entry + 46 + name_length])
        if part == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, entry + 24, int(size))
            break
        entry = data.find(b"PK\x01\x02", entry + 4)
    (folder / name).write_bytes(bytes(data))


GENERATORS: dict[str, Callable[..., None]] = {
    "fifo": _fifo,
    "symlink": _symlink,
    "hardlink": _hardlink,
    "sparse": _sparse,
    "repeat": _repeat,
    "population": _population,
    "xlsx": _xlsx,
    "declared-size": _declared_size,
}


# -- running a case -----------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry of ``folder`` (recursively) with a digest of its bytes ('' for special files;
    size and time of change for the sparse giants, which are never read whole)."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        status = path.lstat()
        if not path.is_file() or path.is_fifo():
            found[name] = ""
        elif status.st_size > 64 * 2**20:
            found[name] = f"{status.st_size} bytes, changed {status.st_mtime_ns}"
        else:
            with open(path, "rb") as handle:
                found[name] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


def _interruptible() -> None:
    """In the forked child before it runs the command: the lowest priority, SIGINT's default."""
    os.nice(19)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _process(args: list[str], folder: Path, interrupt: str | None) -> Outcome:
    command = [sys.executable, "-m", "engine", *args]
    # Temporary files go inside the case folder: one left behind fails the case like any file.
    (folder / ".tmp").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "100", "TMPDIR": str(folder / ".tmp")}
    # An interrupted run is started at the lowest priority: on a loaded machine the test's own
    # polling then gets the CPU before the run can finish, so the signal lands mid-run. Its
    # SIGINT is the default one: a suite started in the background (`pytest &` in a script)
    # has SIGINT ignored, which a child inherits, and Python then installs no handler for it.
    start = _interruptible if interrupt is not None else None
    with subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=start
    ) as process:
        workers: dict[str, str] = {}
        if interrupt is not None and interrupt.startswith("workers "):
            workers = _wait_for_workers(process, int(interrupt.split()[1]))
            process.send_signal(signal.SIGINT)
        elif interrupt is not None:
            _wait_until_open(process, folder / interrupt)
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    survivors = [pid for pid, started in workers.items() if _started(pid) == started]
    assert survivors == [], "worker processes outlived the run"
    return Outcome(process.returncode, out.decode("utf-8"), err.decode("utf-8"))


def _started(pid: str) -> str | None:
    """When process ``pid`` started (a pid reused later has another start), or None: gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _wait_for_workers(process: subprocess.Popen[bytes], count: int) -> dict[str, str]:
    """Return once ``process`` has ``count`` children (its forked workers): pid -> start time."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for _ in range(600_000):  # a bound on the loop, not a timing
        pids = children.read_text(encoding="utf-8").split() if children.exists() else []
        if len(pids) >= count:
            return {pid: started for pid in pids if (started := _started(pid)) is not None}
        if process.poll() is not None:
            pytest.fail(f"the process ended before it forked {count} workers")
        time.sleep(0.0005)
    pytest.fail(f"the process never forked {count} workers")


def _wait_until_open(process: subprocess.Popen[bytes], target: Path) -> None:
    """Return once ``process`` has ``target`` open (it is reading it): mid-run, by construction."""
    wanted = str(target.resolve())
    fds = Path(f"/proc/{process.pid}/fd")
    for _ in range(600_000):  # a bound on the loop, not a timing: the file is opened at once
        try:
            if any(os.readlink(fd) == wanted for fd in fds.iterdir()):
                return
        except OSError:  # a descriptor closed while looking
            pass
        if process.poll() is not None:
            pytest.fail(f"the process ended before it opened {target.name}")
        time.sleep(0.0005)
    pytest.fail(f"the process never opened {target.name}")


def run_case(case: Path, work: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    folder = work / case.name
    shutil.copytree(SHARED, folder)
    shutil.copytree(case, folder, dirs_exist_ok=True)
    for meta in ("args", "expected.txt", "stdout.txt", "generate", "limits", "subprocess"):
        (folder / meta).unlink(missing_ok=True)
    generate = case / "generate"
    for line in generate.read_text(encoding="utf-8").splitlines() if generate.exists() else []:
        name, target, *params = shlex.split(line)
        (folder / target).unlink(missing_ok=True)  # it replaces a shared file of that name
        GENERATORS[name](folder, target, *params)
    limits = case / "limits"
    for line in limits.read_text(encoding="utf-8").splitlines() if limits.exists() else []:
        name, value = line.split("=")
        assert hasattr(engine.limits, name), name
        monkeypatch.setattr(engine.limits, name, int(value))
    args = shlex.split((case / "args").read_text(encoding="utf-8"))
    if (case / "subprocess").exists():
        (folder / ".tmp").mkdir()  # the process's TMPDIR, in the snapshot
    before = _snapshot(folder)
    if (case / "subprocess").exists():
        words = (case / "subprocess").read_text(encoding="utf-8").split()
        outcome = _process(args, folder, " ".join(words[1:]) if words[:1] == ["interrupt"] else None)
    else:
        monkeypatch.chdir(folder)
        outcome = _in_process(args)
    assert _snapshot(folder) == before, "an input changed or a file appeared"
    return outcome


class _Hung(Exception):
    """Raised by the alarm: the case blocked (a FIFO opened, a read that never ends)."""


def _in_process(args: list[str]) -> Outcome:
    def hung(signum: int, frame: object) -> None:
        raise _Hung(f"hrpolicy {shlex.join(args)} still runs after {ALARM_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(ALARM_SECONDS)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback (or a hang) is a failed case
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_hostile_case(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    code_line, _, stderr = expected.partition("\n")
    outcome = run_case(case, tmp_path, monkeypatch)
    assert (outcome.code, outcome.stderr) == (int(code_line.removeprefix("exit ")), stderr)
    stdout = case / "stdout.txt"
    assert outcome.stdout == (stdout.read_text(encoding="utf-8") if stdout.exists() else "")


def test_the_corpus_has_at_least_60_cases_each_with_its_expectation() -> None:
    assert len(CASES) >= 60
    for case in CASES:
        assert (case / "args").exists() and (case / "expected.txt").exists(), case.name
        assert (case / "expected.txt").read_text(encoding="utf-8").startswith("exit "), case.name


def test_a_generated_bomb_is_what_it_claims(tmp_path: Path) -> None:
    """The generators are tested too: the zip bomb really inflates over the bound's ratio."""
    _xlsx(tmp_path, "bomb.xlsx", "bomb")
    with zipfile.ZipFile(tmp_path / "bomb.xlsx") as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 8 * 2**20 - 64
    assert sheet.file_size / sheet.compress_size > engine.limits.MAX_ZIP_RATIO
    _declared_size(tmp_path, "declared.xlsx", str(2**31))
    with zipfile.ZipFile(tmp_path / "declared.xlsx") as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 2**31


def test_the_limits_table_in_the_docs_is_the_code() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "records.md").read_text(encoding="utf-8")
    table = text.split("<!-- limits -->\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    documented = {row.split("|")[1].strip(" `"): int(row.split("|")[2]) for row in table}
    constants = {n: getattr(engine.limits, n) for n in dir(engine.limits) if n.isupper() and n[0] != "_"}
    assert documented == constants


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("＝1", "'＝1"),
        ("-", "'-"),
        ("-5", "-5"),  # a plain number is read as a number, never run
        ("+1.5", "+1.5"),
        ("-1e3", "-1e3"),
        ("a=1", "a=1"),
        ("김민수", "김민수"),
        ("", ""),
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_run_gets_a_quote(cell: str, written: str) -> None:
    from engine.report.safety import spreadsheet_cell

    assert spreadsheet_cell(cell) == written


def test_numbers_are_never_quoted_and_raw_cells_writes_as_computed() -> None:
    from decimal import Decimal

    from engine.report.safety import csv_writer, raw_cells

    out = io.StringIO()
    csv_writer(out).writerow([Decimal("-12.5"), -3, "=cmd", None])
    with raw_cells():
        csv_writer(out).writerow([Decimal("-12.5"), "=cmd"])
    assert out.getvalue() == "-12.5,-3,'=cmd,\n-12.5,=cmd\n"


def test_terminal_text_keeps_tabs_newlines_and_text_but_no_controls() -> None:
    from engine.report.safety import terminal_text

    text = "a\tb\n\x1b]0;title\x07\x1b[2J김\x9b2J\u202eexe\x00\x7f\r"
    assert terminal_text(text) == "a\tb\n]0;title[2J김2Jexe"


def test_the_read_time_bound_is_raised_by_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound of 0 s refuses the CSV read (case read-time-csv); the variable lets it through."""
    monkeypatch.setattr(engine.limits, "MAX_READ_SECONDS", 0)
    monkeypatch.setenv("HRPOLICY_MAX_READ_SECONDS", "3600")
    monkeypatch.chdir(SHARED)
    assert _in_process(["evaluate", "policy.yaml", "data.csv"]).code == 0
    monkeypatch.setenv("HRPOLICY_MAX_READ_SECONDS", "-1")
    outcome = _in_process(["evaluate", "policy.yaml", "data.csv"])
    assert (outcome.code, outcome.stderr) == (
        2,
        "hrpolicy: HRPOLICY_MAX_READ_SECONDS='-1': not a positive number of seconds\n",
    )


class _FakeClock:
    """A clock that moves only when told (the reader's rows, the consumer's work)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _slow_rows(clock: _FakeClock, count: int) -> Iterator[tuple[int, list[str]]]:
    for number in range(1, count + 1):
        clock.now += 1.0  # reading a row takes a second
        yield number, ["E1", "x"]


def test_the_read_time_bound_counts_the_readers_time_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows read at one second each, consumed at an hour each, under a bound of 600 s: 599 rows
    are 599 s of reading and pass (about 599 hours of wall time); at 600 rows the bound is hit
    when the nineteenth batch of rows has been read (rows 577-600: 600 s), after the consumer
    has had the eighteen batches of 32 before it."""
    clock = _FakeClock()
    monkeypatch.setattr(engine.limits, "clock", clock)
    monkeypatch.setenv("HRPOLICY_MAX_READ_SECONDS", "600")
    seen = 0
    for _ in engine.limits.bounded_rows(_slow_rows(clock, 599), "data.csv"):
        clock.now += 3600.0
        seen += 1
    assert seen == 599 and clock.now == 599 + 599 * 3600
    seen = 0
    with pytest.raises(engine.limits.DataError) as refused:
        for _ in engine.limits.bounded_rows(_slow_rows(clock, 600), "data.csv"):
            clock.now += 3600.0
            seen += 1
    assert seen == 576
    assert str(refused.value) == (
        "data.csv: still reading after 600 seconds, the limit for reading one file "
        "(MAX_READ_SECONDS); set HRPOLICY_MAX_READ_SECONDS to allow more"
    )


def test_a_reader_failure_comes_after_the_rows_read_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are read a batch at a time, but the consumer gets every row before the failure
    first, as when they were read one by one."""

    def failing() -> Iterator[tuple[int, list[str]]]:
        yield 1, ["id"]
        yield 2, ["E1"]
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    got: list[int] = []
    with pytest.raises(UnicodeDecodeError):
        for number, _ in engine.limits.bounded_rows(failing(), "data.csv"):
            got.append(number)
    assert got == [1, 2]
