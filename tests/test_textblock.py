"""The text table's measure and lines set a whole column at a time (engine/report/textblock.py)
are byte for byte those of the table's row-at-a-time functions over the same spooled rows:
hand-worked tables, random tables, the spools it leaves to the ``csv`` module, and the reports
written through it (a split run's parts, a one-process run's spool)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_relative_stream import KUMHO, generated
from test_relative_stream import _whole as relative_whole
from test_stream import JAPAN, population
from test_table_write import HEADERS, NUMERIC, WIDE_ROWS

from engine.evaluate import Engine, RunOutcome
from engine.io.model import Population
from engine.report import stream, textblock
from engine.report.options import ReportOptions
from engine.report.results import RENDERERS
from engine.report.rows import plain_rows
from engine.report.safety import terminal_text
from engine.report.stream import write_report
from engine.report.table import Shape, measure, write_lines
from engine.report.textblock import _OTHER_SPACE, measure_spool, write_spool
from engine.report.textparts import TextParts

__all__ = ["generated", "population"]  # the fixtures, shared with their modules' tests


def _spooled(tmp_path: Path, rows: Sequence[Sequence[str]], name: str = "part") -> str:
    path = tmp_path / name
    path.write_text(plain_rows([list(row) for row in rows]), encoding="utf-8", newline="")
    return str(path)


def _by_rows(path: str, shape: Shape | None, width: int | None) -> tuple[object, bytes]:
    """What the table's own functions make of the spool: its measure, and its lines in
    ``shape`` (None: its own, fitted to ``width``)."""
    headers = [terminal_text(h) for h in HEADERS]
    with open(path, encoding="utf-8", newline="") as rows:
        found = measure(headers, NUMERIC, csv.reader(rows))
    shape = shape or found.shape().fitted(NUMERIC, width)
    out = io.StringIO()
    with open(path, encoding="utf-8", newline="") as rows:
        write_lines(csv.reader(rows), shape, NUMERIC, out.write)
    return found.found(), out.getvalue().encode()


def _by_columns(path: str, shape: Shape | None, width: int | None) -> tuple[object, bytes]:
    headers = [terminal_text(h) for h in HEADERS]
    out = io.BytesIO()
    with open(path, "rb") as spool:
        found = measure_spool(spool, headers, NUMERIC)
        assert found is not None
        shape = shape or found.shape().fitted(NUMERIC, width)
        assert write_spool(spool, shape, NUMERIC, out.write)
    return found.found(), out.getvalue()


def _read_by_columns(path: str) -> bool:
    """Whether the spool is measured and written by columns (else: left to the csv module)."""
    with open(path, "rb") as spool:
        measured = measure_spool(spool, HEADERS, NUMERIC) is not None
        written = write_spool(spool, Shape([1] * 5, {}), NUMERIC, io.BytesIO().write)
    assert measured == written
    return measured


def test_a_table_set_by_columns_is_the_tables_own(tmp_path: Path) -> None:
    rows = [*WIDE_ROWS, ["E600", "Ann\u3000", "+4.125", "B", "1"], ["E7", "Bo", "1", "A\u3000", ""]]
    path = _spooled(tmp_path, rows)
    found, text = _by_columns(path, None, None)
    assert text.decode().splitlines() == [
        "E1    鈴木 美咲    117.500  S       100.0",  # places: 3 and 1, the most of each column
        "E2    김민준        92.250  B        60.5",  # NFD jamo composed: 6 cells
        "E3    ]0;pwnedAnn    7.000  [2JA",  # escapes removed; an empty last cell, no trailing space
        "E4    鈴木 美咲     -3.000  C         n/a",  # a text cell in a number column: never padded
        "E5    １２         90..000  B         1.0",  # full-width digits count; "90." padded as ever
        "E600  Ann\u3000         +4.125  B         1.0",  # an ideographic space: two cells
        "E7    Bo             1.000  A",  # the line's end stripped of the ideographic space too
    ]
    assert (found, text) == _by_rows(path, None, None)


def test_a_narrowed_table_wraps_the_rows_that_need_it_and_no_other(tmp_path: Path) -> None:
    rows = [
        ["E1", "鈴木 美咲", "1.5", "S", "100"],
        ["E2", "Alexandra Longname", "22", "B", "60"],
        ["E3000000", "Bo", "3.25", "A", "80"],
    ]
    path = _spooled(tmp_path, rows)
    found, text = _by_columns(path, None, 30)
    assert text.decode().splitlines() == [
        "E1      鈴木     1.50  S         100",
        "        美咲",
        "E2      Alexan  22.00  B          60",
        "        dra",
        "        Longna",
        "        me",
        "E30000  Bo       3.25  A          80",  # an id wider than its narrowed column wraps too
        "00",
    ]
    assert (found, text) == _by_rows(path, None, 30)


def test_a_part_set_in_another_parts_shape(tmp_path: Path) -> None:
    path = _spooled(tmp_path, [["E1", "山田", "7.5", "A", "80"], ["E2", "x", "12", "B", ""]])
    shape = Shape([6, 8, 9, 5, 7], {2: 3, 4: 1})
    _, text = _by_columns(path, shape, None)
    assert text.decode() == ("E1      山田          7.500  A         80.0\nE2      x            12.000  B\n")
    assert text == _by_rows(path, shape, None)[1]


#: Cells of every kind the table treats apart (as tests/test_table_write.py's, and a C1 control
#: that str.isspace takes); now and then a comma, a quote, a newline (the csv writer quotes the
#: cell) or a carriage return (a spool left to the csv module).
CELL = st.text(
    st.sampled_from(list("0123456789.+- abeXYZ\t山田美１\u3000\u0301\x1b\u202e가\u1100\u1161²①\x85")),
    max_size=9,
)
ODD = st.one_of(CELL, CELL, CELL, st.text(st.sampled_from(list('0a "\r\n,')), max_size=4))
NUMBER = st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(CELL, CELL, st.one_of(NUMBER, CELL), ODD, st.one_of(NUMBER, CELL)),
        min_size=1,
        max_size=12,
    ),
    width=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    places=st.integers(min_value=0, max_value=4),
)
def test_any_spool_set_by_columns_is_the_tables_own(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]], width: int | None, places: int
) -> None:
    path = _spooled(tmp_path_factory.mktemp("spool"), rows)
    spooled = Path(path).read_bytes()
    if any(mark in spooled for mark in (b"\r", b"\n\n")):
        assert not _read_by_columns(path)  # left to the csv module
        return
    assert _by_columns(path, None, width) == _by_rows(path, None, width)
    other = Shape([3, 20, 9, 4, 6], {2: places, 4: places})
    assert _by_columns(path, other, None)[1] == _by_rows(path, other, None)[1]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("E1,Ann\r,1,A,2\n", "a carriage return"),
        ("E1,Ann\x00,1,A,2\n", "a NUL"),
        ("\ufeffE1,Ann,1,A,2\n", "a byte-order mark (Arrow's reader would drop it)"),
        ("E1,Ann,1,A,2\n\nE2,Bo,1,A,2\n", "an empty line"),
        ("E1,Ann,1,A,2\nE2,Bo,1,A\n", "a row of another length"),
        ("", "no rows"),
    ],
)
def test_a_spool_the_csv_module_reads_otherwise_is_left_to_it(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "part"
    path.write_text(text, encoding="utf-8", newline="")
    assert not _read_by_columns(str(path)), why


def test_the_other_spaces_are_what_str_rstrip_strips() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) != " "]
    found = pc.match_substring_regex([*spaces, "a", " ", "\u200b"], _OTHER_SPACE).to_pylist()
    assert found == [True] * len(spaces) + [False, False, False]


def test_text_parts_read_by_columns_and_by_the_csv_module_make_one_table(tmp_path: Path) -> None:
    """A worker's part with a carriage return is measured and set by the csv module's rows,
    the other by columns: each part's lines, and the parts rewritten in the merged shape, are the
    table's."""
    engine = Engine.from_file(JAPAN)
    table = TextParts(RunOutcome(engine.policy, Population([], {}, {}, {}, None, [], "x.csv")), None)
    parts = {"a": "E1,山田 太郎,97.25,B,60\nE2,Bo,100,A,80\n", "b": 'E3,"Yamada, Taro",1.125,D,20\r\n'}
    for key, text in parts.items():
        (tmp_path / key).write_text(text, encoding="utf-8")
    assert _read_by_columns(str(tmp_path / "a")) and not _read_by_columns(str(tmp_path / "b"))
    summed = [table.summary(str(tmp_path / key)) for key in parts]
    assert (tmp_path / "a.final").read_text(encoding="utf-8") == (
        "E1  山田 太郎   97.25  B                  60\nE2  Bo         100.00  A                  80\n"
    )
    assert (tmp_path / "b.final").read_text(encoding="utf-8") == (
        "E3  Yamada, Taro  1.125  D                  20\n"
    )
    rewrite = table.rewrite(summed)
    assert rewrite is not None
    for key in parts:
        rewrite(str(tmp_path / key), str(tmp_path / f"{key}.final"))
    lines = "".join((tmp_path / f"{key}.final").read_text(encoding="utf-8") for key in parts)
    assert lines == (
        "E1  山田 太郎      97.250  B                  60\n"
        "E2  Bo            100.000  A                  80\n"
        "E3  Yamada, Taro    1.125  D                  20\n"
    )


def test_a_spool_read_a_few_bytes_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 64 bytes (rows of up to 40), lines set 1 or 7 rows at a time: the lines of
    every block are the table's; an empty line just after a block's end is still found."""
    monkeypatch.setattr(textblock, "_BLOCK", 64)
    rows = [[f"E{i}", "山田" * (i % 4), f"{i}.{i % 7}", "AB"[i % 2], str(i * 3)] for i in range(60)]
    path = _spooled(tmp_path, rows)
    for at_once in (1, 7):
        monkeypatch.setattr(textblock, "_ROWS", at_once)
        assert _by_columns(path, None, None) == _by_rows(path, None, None)
    spooled = Path(path).read_bytes()
    cut = spooled.index(b"\n", 60) + 1  # (a row ending at 64 bytes or beyond)
    for at in range(cut - 3, cut + 3):
        empty = tmp_path / f"empty{at}"
        empty.write_bytes(spooled[:at] + b"\n" + spooled[at:] if spooled[at - 1 : at] == b"\n" else spooled)
        assert _read_by_columns(str(empty)) == (spooled[at - 1 : at] != b"\n")


def test_the_one_process_text_report_set_by_columns(
    population: Path, generated: tuple[Path, dict[str, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spooled table (one process; the rows of a run with distributions) measured and set by
    columns: the whole-file report, fitted to a terminal too; by rows below the threshold."""
    by_columns: list[bool] = []
    real = stream._text_by_columns
    monkeypatch.setattr(stream, "_text_by_columns", lambda *a: by_columns.append(real(*a)) or by_columns[-1])
    monkeypatch.setattr(stream, "COLUMNS_FROM", 0)
    engine = Engine.from_file(JAPAN)
    for width in (None, 44):
        out = io.StringIO()
        write_report(engine, str(population), "text", out, workers=1, width=width)
        whole = RENDERERS["text"](engine.evaluate(engine.read(str(population))), ReportOptions(width=width))
        assert out.getvalue() == whole
    path, tree = generated
    out = io.StringIO()
    write_report(Engine.from_file(KUMHO), str(path), "text", out, workers=2, min_bytes=0, org_parent=tree)
    assert out.getvalue() == relative_whole(path, "text", tree)
    assert by_columns == [True, True, True]
    monkeypatch.setattr(stream, "COLUMNS_FROM", 1 << 30)
    write_report(engine, str(population), "text", io.StringIO(), workers=1)
    assert by_columns == [True, True, True]


def test_cells_the_csv_writer_quotes_are_read_by_columns(tmp_path: Path) -> None:
    rows = [["E1", 'Yamada, "Taro"', "1.5", "A", "80"], ["E2", "two\nlines", "12", "B,C", ""]]
    path = _spooled(tmp_path, rows)
    assert _read_by_columns(path)
    found, text = _by_columns(path, None, None)
    assert text.decode() == (
        'E1  Yamada, "Taro"    1.5  A          80\n'
        "E2  two\nlines         12.0  B,C\n"  # (the newline kept, as the table keeps it: no cell)
    )
    assert (found, text) == _by_rows(path, None, None)
