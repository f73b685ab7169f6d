"""``evaluate``'s page and workbook written a piece at a time (engine/report/page_stream.py): the
bytes of the whole-file page and the cells of the whole-file workbook, whatever the path (one
process, 2 or 3 workers, every spool spilled at its first item), in every language; atomic on
failure; the rows never held."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import csv_rows, workbook_cells, write_csv

from engine.cli import cli
from engine.evaluate import Engine, RunOutcome, ranges
from engine.io import spool
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.page_stream import write_book, write_page
from engine.report.results import render_page, render_xlsx
from engine.report.safety import terminal_text

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_formats import generate as generate_format  # noqa: E402
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate  # noqa: E402

COUNT = 300


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated employees: an unknown column, a row without an id, a bad value, a weight
    out of its band, a division by zero (3 employees not evaluated), a name a spreadsheet would
    take for a formula, one with an escape, and one in kanji."""
    path = tmp_path_factory.mktemp("pages") / "pop.csv"
    generate(COUNT, str(path), seed=7)
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    rows[0].append("colour")
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=1):
        row.append("")
        first.setdefault(row[0], number)
    rows[first["E000010"]][col["weight"]] = "99"  # sheet-weight-band
    rows[first["E000020"]][col["difficulty"]] = "abc"  # record-type
    zero = rows[first["E000250"]]  # division by zero
    zero[col["kind"]], zero[col["target"]], zero[col["actual"]] = "quantitative", "0", "5"
    names = {"E000030": "=SUM(A1)", "E000040": "Esc\x1b[31m <b>長い名前</b>", "E000050": "山田 太郎"}
    for row in rows[1:]:
        if row[0] in names:
            row[col["name"]] = names[row[0]]
    rows.insert(first["E000100"], ["", "nameless", *[""] * (len(rows[0]) - 2)])
    write_csv(path, rows)
    return path


def _whole(path: Path, options: ReportOptions) -> RunOutcome:
    engine = Engine.from_file(JAPAN)
    return engine.evaluate(engine.read(str(path)))


def _page(path: Path, options: ReportOptions, **how: Any) -> tuple[str, RunOutcome]:
    engine = Engine.from_file(JAPAN)
    out = io.StringIO()
    outcome = write_page(engine, str(path), out, options, stamps=[engine.policy.stamp], **how)
    return out.getvalue(), outcome


#: Every path: one process (an employee at a time), 2 and 3 workers sharing the file.
PATHS = ({"workers": 1}, {"workers": 2, "min_bytes": 0}, {"workers": 3, "min_bytes": 0})


@pytest.mark.parametrize("lang", [None, "en", "ko"])
@pytest.mark.parametrize("threshold", [1, spool.THRESHOLD])
def test_the_streamed_page_is_the_whole_file_page(
    population: Path, lang: str | None, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte, in the policy's language (Japanese: the grades by their labels, S（5）) or
    another; with every spool (the problems) spilled to a file at its first item or not."""
    monkeypatch.setattr(spool, "THRESHOLD", threshold)
    options = ReportOptions(lang=lang)
    engine = Engine.from_file(JAPAN)
    whole = stamped("html", [engine.policy.stamp], render_page(_whole(population, options), options))
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', whole))
    assert counts == {"employees": "300", "evaluated": "297", "failed": "3", "warnings": "0"}
    assert "=SUM(A1)" in whole and "&lt;b&gt;長い名前&lt;/b&gt;" in whole and "山田 太郎" in whole
    if lang is None:
        assert ">S（5）</td>" in whole or ">A（4）</td>" in whole  # the grades by their labels
    for how in PATHS:
        page, outcome = _page(population, options, **how)
        assert outcome.streamed == 297 and outcome.results == []  # written, not kept
        assert page == whole


@pytest.mark.parametrize("lang", [None, "ko"])
def test_the_streamed_workbook_has_the_whole_fileworkbook_cells(
    population: Path, lang: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same sheets, cells, number formats, widths, frozen headers and filters as the
    whole-file workbook (openpyxl's normal mode), written in write-only mode a row at a time."""
    options = ReportOptions(lang=lang)
    whole = workbook_cells(render_xlsx(_whole(population, options), options))
    results, problems, policy = whole
    # id, name, score, rating and its points; a row a person evaluated, under the bold header
    assert (results[1], results[2], len(results[4])) == ("A2", "A1:E298", 298)
    grade = "S（5）" if lang is None else "S"  # by its label in Japanese; Korean has none
    assert [c[:2] for c in results[4][1]][2:] == [(117.55, "n"), (grade, "s"), (100, "n")]
    assert [c[2] for c in results[4][1]][2:] == ["0.00", "General", "0"]
    assert problems[2] == "A1:F7"  # the unknown column, the row without an id, ... : 6 problems
    assert policy[4][1][:2] == [("japan_mbo", "s", "General", False), ("2026.1", "s", "General", False)]
    names = [row[1][0] for row in results[4]]
    # neutralised, never a formula; the escape a sheet cannot hold left out (openpyxl refused it)
    assert "'=SUM(A1)" in names and "Esc[31m <b>長い名前</b>" in names
    for threshold in (1, spool.THRESHOLD):
        monkeypatch.setattr(spool, "THRESHOLD", threshold)
        for how in PATHS:
            engine = Engine.from_file(JAPAN)
            out = io.BytesIO()
            outcome = write_book(engine, str(population), out, options, **how)
            assert outcome.streamed == 297 and outcome.results == []
            assert workbook_cells(out.getvalue()) == whole


@pytest.mark.parametrize("split", [False, True])
def test_a_bad_population_halfway_writes_nothing(
    population: Path, tmp_path: Path, split: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line that is not UTF-8 in the middle of the file: exit 2 with the reader's message, no
    page, no workbook, no temporary file (whether one process reads it or workers share it)."""
    if split:
        monkeypatch.setattr(ranges, "MIN_BYTES", 0)
    lines = population.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"".join([*lines[:middle], b"E000150,\xff\xfe,general\r\n", *lines[middle:]]))
    for fmt in ("html", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(bad), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == (
            f"hrpolicy: {bad}: line {middle + 1} is not UTF-8 text (byte 0xff); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')\n"
        )
    assert sorted(os.listdir(tmp_path)) == ["bad.csv"]


def test_the_page_to_stdout_is_the_page_in_a_file(population: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    args = ["evaluate", JAPAN, str(population), "--format", "html"]
    to_file = CliRunner().invoke(cli, [*args, "-o", str(out)])
    to_stdout = CliRunner().invoke(cli, args)
    assert to_file.exit_code == to_stdout.exit_code == 1  # 3 employees not evaluated
    page = out.read_text(encoding="utf-8")
    assert "Esc\x1b[31m" in page  # (escaped for a page; what reaches a terminal has no escapes)
    assert to_file.stdout == "" and to_stdout.stdout == terminal_text(page)
    assert to_stdout.stderr == to_file.stderr
    assert to_file.stderr.endswith("hrpolicy: 3 employee(s) not evaluated; 2 problem(s) with the file or its "
                                   "parameters; see the problems above\n")  # fmt: skip


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated kumho_like employees (forced distributions over org groups), one named like
    a formula."""
    path = tmp_path_factory.mktemp("kumho") / "kumho.csv"
    generate_kumho(300, str(path), seed=3)
    rows = csv_rows(path)
    name = rows[0].index("name")
    for row in rows[1:]:
        if row[0] == rows[1][0]:
            row[name] = "=HYPERLINK(1)"
    write_csv(path, rows)
    return path


@pytest.mark.parametrize("lang", [None, "en", "ja"])
def test_under_distributions_the_page_and_workbook_are_the_whole_reads(kumho: Path, lang: str | None) -> None:
    """The CSV report's two passes spool the rows (in ids, no spreadsheet guard); their grades
    and the reasons why none are named as they are read back: the whole read's page and cells
    (Korean by default: the grades by their labels, the reasons in Korean), one process or two."""
    engine = Engine.from_file(KUMHO)
    options = ReportOptions(lang=lang)
    whole = engine.evaluate(engine.read(str(kumho)))
    page = stamped("html", [engine.policy.stamp], render_page(whole, options))
    cells = workbook_cells(render_xlsx(whole, options))
    assert "=HYPERLINK(1)" in page and "'=HYPERLINK(1)" not in page
    if lang is None:
        assert "미부여" in page  # a reason why not graded, in Korean
    for how in ({"workers": 1}, {"workers": 2, "min_bytes": 0}):
        out = io.StringIO()
        outcome = write_page(engine, str(kumho), out, options, stamps=[engine.policy.stamp], **how)
        assert outcome.results == [] and outcome.streamed == len(whole.results)
        assert out.getvalue() == page
        book = io.BytesIO()
        write_book(engine, str(kumho), book, options, **how)
        assert workbook_cells(book.getvalue()) == cells


@pytest.mark.parametrize("suffix", ["json", "yaml", "xlsx"])
def test_json_yaml_and_excel_populations_page_as_read_whole(suffix: str, tmp_path: Path) -> None:
    """The same 120 generated employees as JSON (shared between 2 workers), YAML or a workbook
    (one process, an employee at a time): the page and the cells of the whole read."""
    path = tmp_path / f"pop.{suffix}"
    generate_format(120, str(path), seed=5)
    engine = Engine.from_file(JAPAN)
    options = ReportOptions()
    whole = engine.evaluate(engine.read(str(path)))
    assert len(whole.results) == 120
    page, outcome = _page(path, options, workers=2, min_bytes=0)
    assert outcome.streamed == 120 and outcome.results == []
    assert page == stamped("html", [engine.policy.stamp], render_page(whole, options))
    book = io.BytesIO()
    write_book(engine, str(path), book, options, workers=2, min_bytes=0)
    assert workbook_cells(book.getvalue()) == workbook_cells(render_xlsx(whole, options))
