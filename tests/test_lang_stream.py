"""``evaluate --lang`` as CSV, text or JSON streamed (engine/report/lang_stream.py): the bytes of
the whole-file report in the language, whatever the path (one process, 2 or 3 workers), the
file never read whole. Before, a run in a language read the whole file into one process: a
hundred thousand japan employees as CSV in Korean peaked at 990 MiB, 283 MiB for 25,000
(issue 12, point 1; bench/RESULTS.md, the memory survey)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner
from helpers import csv_rows, write_csv

from engine.cli import cli
from engine.evaluate import Engine, RunOutcome
from engine.report.lang_stream import write_in_language
from engine.report.model import stamped
from engine.report.options import ReportOptions
from engine.report.results import RENDERERS
from engine.report.table import display_width

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate  # noqa: E402

#: Every path: one process (an employee at a time), 2 and 3 workers sharing the file.
PATHS = ({"workers": 1}, {"workers": 2, "min_bytes": 0}, {"workers": 3, "min_bytes": 0})


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated japan employees: a weight out of its band (one not evaluated), a name a
    spreadsheet would run as a formula, one in kanji."""
    path = tmp_path_factory.mktemp("lang") / "pop.csv"
    generate(200, str(path), seed=11)
    rows = csv_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    first: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=1):
        first.setdefault(row[0], number)
    rows[first["E000010"]][col["weight"]] = "99"  # sheet-weight-band
    names = {"E000030": "=SUM(A1)", "E000050": "山田 太郎"}
    for row in rows[1:]:
        if row[0] in names:
            row[col["name"]] = names[row[0]]
    write_csv(path, rows)
    return path


def _whole(policy: str, path: Path, fmt: str, options: ReportOptions) -> str:
    engine = Engine.from_file(policy)
    outcome = engine.evaluate(engine.read(str(path)))
    return stamped(fmt, [engine.policy.stamp], str(RENDERERS[fmt](outcome, options)))


def _streamed(
    policy: str, path: Path, fmt: str, options: ReportOptions, **how: Any
) -> tuple[str, RunOutcome]:
    engine = Engine.from_file(policy)
    out = io.StringIO()
    outcome = write_in_language(engine, str(path), fmt, out, options, stamps=[engine.policy.stamp], **how)
    return out.getvalue(), outcome


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
@pytest.mark.parametrize("fmt", ["csv", "text"])
def test_the_report_in_a_language_is_the_whole_file_report(population: Path, fmt: str, lang: str) -> None:
    """Byte for byte, the headers, grade names and problems in the language, the formula-like
    name guarded in CSV; the results written, never kept."""
    options = ReportOptions(lang=lang, width=100 if fmt == "text" else None)
    whole = _whole(JAPAN, population, fmt, options)
    if fmt == "csv":
        assert "'=SUM(A1)" in whole and "山田 太郎" in whole
        assert whole.count("\n") == 1 + 1 + 199  # the stamp, the header, 199 evaluated
    for how in PATHS:
        report, outcome = _streamed(JAPAN, population, fmt, options, **how)
        assert outcome.streamed == 199 and outcome.results == [] and len(outcome.failed_employees) == 1
        assert report == whole


@pytest.mark.parametrize(("lang", "width"), [("en", None), ("ko", 100)])
@pytest.mark.parametrize("fmt", ["csv", "text"])
def test_under_distributions_the_report_in_a_language_is_the_whole_read(
    tmp_path: Path, fmt: str, lang: str, width: int | None
) -> None:
    """kumho_like's two passes: the rows in ids, their grades named in the language as they are
    read back (the text table's people not graded: only that, the warnings say why)."""
    path = tmp_path / "kumho.csv"
    generate_kumho(150, str(path), seed=3)
    options = ReportOptions(lang=lang, width=width if fmt == "text" else None)
    whole = _whole(KUMHO, path, fmt, options)
    if lang == "ko":  # (groups too small even at the top: their people are not graded)
        said = "미부여  " if fmt == "text" else "미부여: 그룹 (org=company, role_grade=K"
        assert said in whole and ("미부여: " in whole) == (fmt == "csv")
        if fmt == "text":  # (the table: the warnings under it are the command line's to fit)
            lines = whole.splitlines()
            start = lines.index("") + 1  # (after the stamp and the counts, before the problems)
            table = lines[start : lines.index("", start)]
            assert len(table) > 150
            assert max(display_width(line) for line in table) <= 100
    for how in ({"workers": 1}, {"workers": 2, "min_bytes": 0}):
        report, outcome = _streamed(KUMHO, path, fmt, options, **how)
        assert outcome.results == [] and outcome.streamed == 150
        assert report == whole


def test_a_file_the_stream_gives_up_on_is_read_whole_with_the_same_bytes(
    population: Path, tmp_path: Path
) -> None:
    """An employee whose rows are not consecutive: read whole, the same report."""
    rows = csv_rows(population)
    rows.append(rows[1])  # E000001's first row again at the end: not consecutive
    path = tmp_path / "split.csv"
    write_csv(path, rows)
    options = ReportOptions(lang="ko")
    report, outcome = _streamed(JAPAN, path, "csv", options, workers=1)
    assert outcome.results != [] and report == _whole(JAPAN, path, "csv", options)


@pytest.mark.parametrize("fmt", ["csv", "text", "json"])
def test_the_command_in_a_language_never_reads_the_file_whole(
    population: Path, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hrpolicy evaluate --lang ko`` writes the whole read's report (JSON: the same in every
    language) without reading the file whole."""
    whole = _whole(JAPAN, population, fmt, ReportOptions(lang="ko"))

    def refused(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(Engine, "read", refused)
    out = tmp_path / f"out.{fmt}"
    args = ["evaluate", JAPAN, str(population), "--lang", "ko", "--no-bom", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # one employee not evaluated
    assert result.stderr.endswith("hrpolicy: 1 employee(s) not evaluated; see the problems above\n")
    assert out.read_text(encoding="utf-8") == whole
