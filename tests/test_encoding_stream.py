"""A CSV file in another encoding than UTF-8, streamed as a UTF-8 one is (issue 12 point 1,
bench/RESULTS.md finding 5): its encoding detected from a bounded sample of the file
(engine/io/encoding.py), the rest checked as it is decoded; with ``--encoding`` read an employee
at a time, shared between workers where a 0x0A byte is always a line feed, through the columnar
plan and the per-record path alike: the bytes of the same text read as UTF-8. Before, a file
given with ``--encoding`` was read whole into one process (100,000 Shift_JIS employees: 991
MiB) and a detected one was read whole by charset-normalizer (400,000: 1126 MiB)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner
from helpers import csv_rows, write_csv

import engine.io.encoding as encoding
from engine.cli import cli
from engine.evaluate import Engine, parallel
from engine.evaluate.columnar import run as columnar
from engine.evaluate.ranges import plan_ranges, whole_range
from engine.io.encoding import given_encoding, sample, splits_at_line_ends
from engine.report import relative_stream
from engine.report.model import stamped
from engine.report.results import RENDERERS, SPLIT_RENDERERS
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate  # noqa: E402

#: One process (an employee at a time), 2 and 3 workers sharing the file.
PATHS = ({"workers": 1}, {"workers": 2, "min_bytes": 0}, {"workers": 3, "min_bytes": 0})


@pytest.fixture(scope="module")
def japan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """200 generated japan employees (kanji names and goals), one with a weight out of its band
    (not evaluated), one named in half-width katakana: as UTF-8 and as Shift_JIS (same text)."""
    folder = tmp_path_factory.mktemp("sjis")
    utf8 = folder / "utf8.csv"
    generate(200, str(utf8), seed=11)
    rows = csv_rows(utf8)
    col = {name: i for i, name in enumerate(rows[0])}
    first = next(i for i, row in enumerate(rows) if row[0] == "E000010")
    rows[first][col["weight"]] = "99"  # sheet-weight-band
    for row in rows[1:]:
        if row[0] == "E000050":
            row[col["name"]] = "ﾂｱ ﾀﾛｳ"  # (in Shift_JIS C2 B1 ...: "ﾂｱ" is also UTF-8 for "±")
    write_csv(utf8, rows)
    sjis = folder / "sjis.csv"
    sjis.write_bytes(utf8.read_text(encoding="utf-8").encode("shift_jis"))
    return utf8, sjis


def _report(path: Path, fmt: str, **how: Any) -> str:
    engine = Engine.from_file(JAPAN)
    out = io.StringIO()
    write_report(engine, str(path), fmt, out, stamps=[engine.policy.stamp], **how)
    return out.getvalue()


def _whole(policy: str, path: Path, fmt: str) -> str:
    engine = Engine.from_file(policy)
    outcome = engine.evaluate(engine.read(str(path)))
    return stamped(fmt, [engine.policy.stamp], str(RENDERERS[fmt](outcome, None)))


def _shared_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Filled, as the runs go, with whether each run that may share its file did share it."""
    split = parallel.evaluate_split
    shared: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        done = split(*args, **kwargs)
        shared.append(done is not None)
        return done

    monkeypatch.setattr(parallel, "evaluate_split", spy)
    return shared


@pytest.mark.parametrize("plan", ["columnar", "per-record"])
@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_a_shift_jis_file_given_its_encoding_gives_the_utf8_report_on_every_path(
    japan: tuple[Path, Path], fmt: str, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1, 2 and 3 workers, through the columnar plan or the per-record path: the UTF-8 twin's
    bytes (its name for the file's); with 2 and 3 workers the file was shared between them."""
    utf8, sjis = japan
    if plan == "per-record":
        monkeypatch.setenv(columnar.SWITCH, "0")
    shared = _shared_runs(monkeypatch)
    twin = _whole(JAPAN, utf8, fmt).replace(str(utf8), str(sjis))
    for how in PATHS:
        with given_encoding("shift_jis"):
            assert _report(sjis, fmt, **how) == twin, how
    assert shared == [True, True]  # (one process does not call it)


@pytest.mark.parametrize("plan", ["columnar", "per-record"])
@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_a_shift_jis_file_detected_gives_the_whole_reads_report_with_its_note_on_every_path(
    japan: tuple[Path, Path], fmt: str, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detected (cp932), on 1, 2 and 3 workers: the whole read's report, its note on the
    encoding (JSON and text list it) once, brought by the first range."""
    _, sjis = japan
    if plan == "per-record":
        monkeypatch.setenv(columnar.SWITCH, "0")
    whole = _whole(JAPAN, sjis, fmt)
    note = "not UTF-8: read as cp932 (detected); give --encoding if that is wrong"
    assert whole.count(note) == (0 if fmt == "csv" else 1)
    shared = _shared_runs(monkeypatch)
    for how in PATHS:
        assert _report(sjis, fmt, **how) == whole, how
    assert shared == [True, True]  # (before, the workers gave up: their ranges were read as UTF-8)


def test_ranges_of_a_shift_jis_file_start_on_lines(japan: tuple[Path, Path]) -> None:
    _, sjis = japan
    data = sjis.read_bytes()
    for ranges in (plan_ranges(str(sjis), 3, min_bytes=0), _given_ranges(sjis)):
        assert ranges is not None and len(ranges) == 3
        for part in ranges:
            assert data[part.start - 1 : part.start] == b"\n"
            assert part.first_row == data[: part.start].count(b"\n") + 1


def _given_ranges(path: Path) -> Any:
    with given_encoding("shift_jis"):
        return plan_ranges(str(path), 3, min_bytes=0)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_kumho_in_cp949_detected_is_shared_between_workers(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under forced distributions, two passes by two workers: the whole read's report, its note
    once (JSON lists it)."""
    mergeable = relative_stream._mergeable
    merged: list[bool] = []

    def spy(*args: Any) -> bool:
        merged.append(mergeable(*args))
        return merged[-1]

    monkeypatch.setattr(relative_stream, "_mergeable", spy)
    utf8 = tmp_path / "utf8.csv"
    generate_kumho(80, str(utf8), seed=5)
    cp949 = tmp_path / "cp949.csv"
    cp949.write_bytes(utf8.read_text(encoding="utf-8").encode("cp949"))
    whole = _whole(KUMHO, cp949, fmt)
    assert ("read as cp949 (detected)" in whole) is (fmt == "json")
    engine = Engine.from_file(KUMHO)
    for how in PATHS[:2]:
        out = io.StringIO()
        write_report(engine, str(cp949), fmt, out, stamps=[engine.policy.stamp], **how)
        assert out.getvalue() == whole, how
    assert merged == [True]  # the two workers' first passes merged


def test_the_columnar_plan_reads_a_shift_jis_chunk_as_text(
    japan: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's part of the whole file is the per-record path's, byte for byte, and the plan
    read the chunk itself (before, Arrow took the bytes for UTF-8: "ﾂｱ" would read "±")."""
    utf8, sjis = japan
    engine = Engine.from_file(JAPAN)
    render = SPLIT_RENDERERS["csv"]
    frames: list[bool] = []
    read = columnar.read_chunk

    def spy(*args: Any) -> Any:
        frame = read(*args)
        frames.append(frame is not None)
        return frame

    monkeypatch.setattr(columnar, "read_chunk", spy)
    with given_encoding("shift_jis"):
        part = whole_range(str(sjis))
        assert part is not None
        planned = columnar.evaluate_range(engine, str(sjis), part, None, render)
        plain = parallel.evaluate_range(engine, str(sjis), part, None, render)
    twin_part = whole_range(str(utf8))
    assert twin_part is not None
    twin = parallel.evaluate_range(engine, str(utf8), twin_part, None, render)
    assert frames == [True]
    assert planned.text == plain.text == twin.text
    assert "ﾂｱ ﾀﾛｳ" in planned.text and planned.evaluated == plain.evaluated == 199


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_evaluate_with_encoding_never_reads_the_file_whole(
    japan: tuple[Path, Path], tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hrpolicy evaluate --encoding shift_jis`` streams: the UTF-8 twin's report, no note (the
    encoding was given), the file never read whole (before: ``Engine.read``, in one process)."""
    utf8, sjis = japan
    twin = _whole(JAPAN, utf8, fmt).replace(str(utf8), str(sjis))

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(Engine, "read", refused)
    out = tmp_path / f"out.{fmt}"
    args = [
        "evaluate",
        JAPAN,
        str(sjis),
        "--encoding",
        "shift_jis",
        "--format",
        fmt,
        "--no-bom",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # one employee not evaluated
    assert result.stderr.endswith("hrpolicy: 1 employee(s) not evaluated; see the problems above\n")
    assert "read-encoding" not in result.stderr
    assert out.read_text(encoding="utf-8") == twin


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_kumho_in_cp949_given_its_encoding_is_streamed_in_two_passes(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under forced distributions: the UTF-8 twin's report, never read whole."""
    utf8 = tmp_path / "utf8.csv"
    generate_kumho(80, str(utf8), seed=5)
    cp949 = tmp_path / "cp949.csv"
    cp949.write_bytes(utf8.read_text(encoding="utf-8").encode("cp949"))
    twin = _whole(KUMHO, utf8, fmt).replace(str(utf8), str(cp949))

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(Engine, "read", refused)
    out = tmp_path / f"out.{fmt}"
    args = ["evaluate", KUMHO, str(cp949), "--encoding", "cp949", "--format", fmt, "--no-bom", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == twin


def test_utf16_is_read_by_one_reader(japan: tuple[Path, Path], tmp_path: Path) -> None:
    """In UTF-16 a line feed is two bytes and 0x0A is in other characters (U+0A00..U+0AFF,
    U+XX0A): never cut, read by one streamed reader, the UTF-8 twin's report."""
    utf8, _ = japan
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(utf8.read_text(encoding="utf-8").encode("utf-16"))
    twin = _whole(JAPAN, utf8, "csv").replace(str(utf8), str(utf16))
    with given_encoding("utf-16"):
        assert plan_ranges(str(utf16), 2, min_bytes=0) is None and whole_range(str(utf16)) is None
        assert _report(utf16, "csv", workers=2, min_bytes=0) == twin


@pytest.mark.parametrize(
    ("codec", "splits"),
    [
        ("shift_jis", True),  # trail bytes 0x40-0xFC: never 0x0A, 0x0D, 0x22, 0x2C
        ("cp932", True),
        ("cp949", True),
        ("euc_jp", True),
        ("gb18030", True),  # four-byte forms: second and fourth byte 0x30-0x39
        ("big5", True),
        ("cp1252", True),
        ("utf-8", True),
        ("utf-16", False),  # "\n" is 0A 00; U+0A2C is 2C 0A
        ("utf-16-be", False),
        ("utf-32", False),
        ("iso2022_jp", False),  # ESC $ B, then two bytes 0x21-0x7E a kanji: 0x22 and 0x2C among them
        ("utf-7", False),  # "+" is written "+-"
        ("shift_jis_2004", False),  # 0x5C is YEN SIGN, 0x7E OVERLINE: ASCII does not decode to itself
        ("raw_unicode_escape", False),  # the text \u002c decodes to a comma
    ],
)
def test_which_codecs_a_range_can_be_decoded_in(codec: str, splits: bool) -> None:
    assert splits_at_line_ends(codec) is splits


def _sjis_lines(count: int) -> list[bytes]:
    """``count`` Shift_JIS lines of 20 bytes: ``E0001,鈴木 美咲,30\\r\\n`` numbered."""
    return [f"E{n:04d},鈴木 美咲,30\r\n".encode("shift_jis") for n in range(1, count + 1)]


def test_the_sample_is_a_bounded_head_cut_at_a_line_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """400 lines of 20 bytes (8,000), a head of 1,000 bytes: the first 50 lines exactly; a file
    of no more than the head: all of it; an ASCII start: from the first line beyond ASCII."""
    monkeypatch.setattr(encoding, "HEAD_BYTES", 1000)
    monkeypatch.setattr(encoding, "_STEP", 300)
    lines = _sjis_lines(400)
    assert {len(line) for line in lines} == {20}
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,name,weight\r\n" + b"".join(lines))  # 16 bytes, then the lines
    head = sample(str(path))
    assert head == b"id,name,weight\r\n" + b"".join(lines[:49])  # 16 + 49 * 20 = 996; 1,016 > 1,000
    path.write_bytes(b"".join(lines[:50]))
    assert sample(str(path)) == b"".join(lines[:50])  # 1,000 bytes: the whole file
    ascii_lines = [f"E{n:04d},Suzuki Misaki,30\r\n".encode() for n in range(1, 101)]
    assert {len(line) for line in ascii_lines} == {24}  # 2,400 bytes before the first kanji line
    path.write_bytes(b"".join(ascii_lines) + b"".join(lines))
    assert sample(str(path)) == b"".join(lines[:50])
    path.write_bytes(b"".join(ascii_lines))
    assert sample(str(path)) == b""  # ASCII throughout: UTF-8


def test_a_byte_the_detected_encoding_cannot_decode_after_the_sample_is_named_by_its_line(
    japan: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shift_JIS (cp932) detected from the first 20,000 bytes; employee E000190's first line
    holds a name that is not Shift_JIS (0x85 0x40: a lead byte with nothing mapped after it):
    exit 2, that line named, nothing written. (Before, the whole file went to
    charset-normalizer, which found no encoding for it.)"""
    monkeypatch.setattr(encoding, "HEAD_BYTES", 20_000)
    _, sjis = japan
    lines = sjis.read_bytes().split(b"\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(b"E000190,")) + 1
    cells = lines[number - 1].split(b",")
    cells[1] = b"\x85\x40"
    lines[number - 1] = b",".join(cells)
    assert sum(len(line) + 1 for line in lines[: number - 1]) > 20_000  # after the sample
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"hrpolicy: {path}: line {number} is not cp932 text (byte 0x85), the encoding detected from "
        "a sample of the file; give the file's encoding with --encoding or save it as UTF-8\n"
    )
    assert not out.exists()


def test_the_encoding_is_detected_from_the_sample_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """charset-normalizer is given the sample, never the file (4,000 of the 8,016 bytes)."""
    import charset_normalizer

    monkeypatch.setattr(encoding, "HEAD_BYTES", 4000)
    seen: list[int] = []
    found = charset_normalizer.from_bytes

    def spy(data: bytes, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(data))
        return found(data, *args, **kwargs)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,name,weight\r\n" + b"".join(_sjis_lines(400)))
    assert encoding.choose_encoding(str(path), "a.csv", None) == (
        "cp932",
        "not UTF-8: read as cp932 (detected); give --encoding if that is wrong",
    )
    assert seen == [16 + 199 * 20]  # the 4,000 bytes cut after line 200 (3,996)


def test_a_shift_jis_chunk_that_is_also_utf8_is_read_as_shift_jis(
    japan: tuple[Path, Path], tmp_path: Path
) -> None:
    """Every cell ASCII but one name, "ﾂｱ" (Shift_JIS C2 B1, which is also UTF-8, for "±"): the
    plan reads the name the per-record path reads (before, Arrow took the chunk for UTF-8)."""
    utf8, _ = japan
    rows = [[cell if cell.isascii() else "x" for cell in row] for row in csv_rows(utf8)]
    for row in rows[1:]:
        if row[0] == "E000050":
            row[1] = "ﾂｱ"
    plain = tmp_path / "plain.csv"
    write_csv(plain, rows)
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes(plain.read_text(encoding="utf-8").encode("shift_jis"))
    assert "ﾂｱ".encode("shift_jis") == b"\xc2\xb1" and "±" in sjis.read_bytes().decode("utf-8")  # (all of it)
    engine = Engine.from_file(JAPAN)
    render = SPLIT_RENDERERS["csv"]
    with given_encoding("shift_jis"):
        part = whole_range(str(sjis))
        assert part is not None
        planned = columnar.evaluate_range(engine, str(sjis), part, None, render)
        per_record = parallel.evaluate_range(engine, str(sjis), part, None, render)
    assert planned.text == per_record.text
    assert "E000050,ﾂｱ," in planned.text and "±" not in planned.text
