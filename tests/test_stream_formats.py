"""YAML, JSON and Excel records files read an employee at a time (engine/io/streaming.py,
jsonstream.py, yamlstream.py): the records, problems and notes of the whole read, the bytes of
the whole-file reports in every command that streams, one record alive at a time, and the
whole read's very error (or its records) wherever the stream gives up."""

from __future__ import annotations

import gc
import importlib
import io
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import engine.evaluate.each as each
import engine.io.jsonstream as jsonstream
import engine.io.xlsxfile as xlsxfile
import engine.loader as loader
import engine.report.calibration_stream as calibration_stream
import engine.report.relative_stream as relative_stream
import engine.report.stream as report_stream
from engine.cli import cli
from engine.errors import DataError
from engine.evaluate import Engine
from engine.io.mapcode import MappingConverter
from engine.io.model import EmployeeRecord, ReadWhole
from engine.io.records import read_population
from engine.io.streaming import stream_records
from engine.report.results import RENDERERS
from engine.report.stream import write_report

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
PAY = str(ROOT / "examples" / "japan_mbo" / "pay.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_formats import dump_json, dump_yaml, employees, text  # noqa: E402
from bench.gen_formats import generate as generate_format  # noqa: E402
from bench.gen_kumho import generate as generate_kumho  # noqa: E402

COUNT = 300
#: Every module that streams records, with the name it calls the reader by.
STREAMING = (
    each, importlib.import_module("engine.evaluate.explained"), report_stream, relative_stream,
    calibration_stream,
)  # fmt: skip


def _people() -> list[dict[str, Any]]:
    """300 generated japan employees with problems of every kind the reader finds."""
    people = list(employees(COUNT, 11))
    by_id = {p["id"]: p for p in people}
    by_id["E000010"]["indicators"][0]["weight"] = 99  # sheet-weight-band (evaluation)
    by_id["E000020"]["indicators"][1]["difficulty"] = "abc"  # record-type
    by_id["E000030"]["colour"] = "blue"  # record-unknown-field
    del by_id["E000040"]["indicators"][0]["kind"]  # record-missing
    by_id["E000060"]["indicators"] = "none"  # record-type: not a list
    by_id["E000070"]["name"] = unicodedata.normalize("NFD", "한국 사람")  # NFC across every cut
    by_id["E000080"]["indicators"][0]["title"] = "Esc\x1b[31m 長い名前 " * 50  # a long string
    return people


HEAD_JSON = '"policy": "japan_mbo", "x-note": "kept", "extra": 1, "parameters": {"bonus_rate": "abc"}'
HEAD_YAML = "policy: japan_mbo\nx-note: kept\nextra: 1\nparameters:\n  bonus_rate: abc"


def _write(path: Path, people: list[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if path.suffix == ".json":
            dump_json(people, out, HEAD_JSON)
        else:
            dump_yaml(people, out, HEAD_YAML)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    people = _people()
    json_path, yaml_path = _write(folder / "pop.json", people), _write(folder / "pop.yaml", people)
    # NaN (JSON) and .nan (YAML): a value the field refuses, one employee's problem.
    for path, old, new in ((json_path, '"difficulty": 1.2', '"difficulty": NaN'),
                           (yaml_path, "difficulty: 1.2", "difficulty: .nan")):  # fmt: skip
        content = path.read_text(encoding="utf-8")
        assert old in content
        path.write_text(content.replace(old, new, 1), encoding="utf-8")
    xlsx = folder / "pop.xlsx"
    generate_format(COUNT, str(xlsx), seed=11)
    _spoil_workbook(xlsx)
    return {"json": json_path, "yaml": yaml_path, "xlsx": xlsx}


def _spoil_workbook(path: Path) -> None:
    """A title row above the header, a bad cell, a percent cell, a formula without its value,
    and a sheet without a header before the one read."""
    book = openpyxl.load_workbook(path)
    sheet = book["indicators"]
    sheet.title = "goals"
    sheet.insert_rows(1)
    sheet["A1"] = "Goal sheets 2026"
    header = [c.value for c in sheet[2]]
    weight, difficulty = header.index("weight") + 1, header.index("difficulty") + 1
    sheet.cell(5, difficulty).value = "abc"
    sheet.cell(9, weight).value = "=B9*2"
    sheet.cell(12, weight).number_format = "0%"
    cover = book.create_sheet("cover", 0)
    cover["A1"] = "nothing here"
    book.save(path)


def _compare(path: Path, policy: str = JAPAN) -> tuple[int, int]:
    """Stream and whole read side by side: (employees, problems), after asserting they agree."""
    engine = Engine.from_file(policy)
    data = engine.source.data
    inputs, scales = data.get("inputs") or {}, data.get("scales") or {}
    whole = read_population(str(path), inputs, scales=scales, policy_id=engine.policy.id)
    stream, values, problems, notes = stream_records(
        str(path), inputs, scales=scales, policy_id=engine.policy.id
    )
    records = list(stream)
    assert records == whole.employees
    assert values == whole.parameters
    assert [*problems, *stream.part.problems] == whole.problems
    assert [*notes, *stream.part.notes] == whole.warnings
    assert stream.org_parent == whole.org_parent
    return len(records), len(whole.problems)


@pytest.mark.parametrize("fmt", ["json", "yaml", "xlsx"])
def test_records_problems_and_notes_are_the_whole_reads(files: dict[str, Path], fmt: str) -> None:
    count, problems = _compare(files[fmt])
    # JSON/YAML: E000020, 30, 40, 60 and E000001 (NaN) left out; the top level's "extra" and
    # the unknown parameter are problems too. Excel: E000001 (the bad cell, the formula without
    # a value), E000002 (its weight 5 formatted as a percent reads 500, above the maximum 100).
    assert (count, problems) == ({"json": (295, 7), "yaml": (295, 7), "xlsx": (298, 3)}[fmt])


@pytest.mark.parametrize("block", [1, 7, 100, 4096])
def test_a_json_window_of_any_size_reads_the_same(
    files: dict[str, Path], block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window cut anywhere (inside strings, numbers, NaN, decomposed Hangul): the same."""
    monkeypatch.setattr(jsonstream, "BLOCK", block)
    assert _compare(files["json"]) == (295, 7)


def _messages(path: Path) -> tuple[str, str]:
    """The whole read's error and the stream's (raised while reading, or by the whole read
    the stream gives up to)."""
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    with pytest.raises(DataError) as whole:
        read_population(str(path), data["inputs"], scales=data.get("scales"))
    try:
        stream, *_ = stream_records(str(path), data["inputs"], scales=data.get("scales"))
        list(stream)
    except DataError as exc:
        return str(whole.value), str(exc)
    except ReadWhole:
        return str(whole.value), "read whole"
    raise AssertionError("the stream read a broken file")


def _gives_up(path: Path) -> None:
    """The stream of ``path`` raises ReadWhole (before the first employee or while reading)."""
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    with pytest.raises(ReadWhole):
        stream, *_ = stream_records(str(path), data["inputs"], scales=data.get("scales"))
        list(stream)


def _edited(source: Path, folder: Path, name: str, old: str, new: str, nth: int = 200) -> Path:
    """``source`` with the ``nth`` ``old`` (counted from the start) made ``new``."""
    content = source.read_text(encoding="utf-8")
    start = -1
    for _ in range(nth):
        start = content.index(old, start + 1)
    path = folder / name
    path.write_text(content[:start] + new + content[start + len(old) :], encoding="utf-8")
    return path


def test_json_errors_are_the_whole_reads(files: dict[str, Path], tmp_path: Path) -> None:
    source = files["json"]
    located = {  # an error inside an employee: found and located by the stream itself
        "comma.json": ('"weight": ', '"weight" '),
        "value.json": ('"weight": ', '"weight": x'),
        "string.json": ('"title": "', '"title": "\x01'),
    }
    for name, (old, new) in located.items():
        whole, streamed = _messages(_edited(source, tmp_path, name, old, new))
        assert streamed == whole and ": not valid JSON: " in whole
    whole, streamed = _messages(_edited(source, tmp_path, "brace.json", "}", ""))
    assert streamed == whole and ": not valid JSON: " in whole
    # Cut after E000290's id: the file ends inside its mapping, on line 293 (a line per
    # employee from line 4), just past the id's closing quote.
    content = source.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(content[: content.index('"E000290"') + len('"E000290"')], encoding="utf-8")
    line = cut.read_text(encoding="utf-8").splitlines()[-1]
    assert line.startswith('    {"id": "E000290"')
    expected = f"{cut}:293:{len(line) + 1}: not valid JSON: Expecting ',' delimiter"
    assert _messages(cut) == (expected, expected)
    given_up = {  # the stream leaves the report to the whole read
        "trailing.json": ("}\n  ]", "},\n  ]"),
        "repeated.json": ('"what": ', '"what": 1, "what": '),
        "long.json": ('"weight": 15', '"weight": 1' + "5" * 5000),
    }
    for name, (old, new) in given_up.items():
        path = _edited(source, tmp_path, name, old, new, nth=1)
        _gives_up(path)
        streamed_run = _evaluate(path, "csv", whole=False)
        assert streamed_run == _evaluate(path, "csv", whole=True)
        assert (streamed_run[0] == 2) is (name != "long.json")  # a long number: E000001's problem
    # A syntax error before a byte that is not UTF-8: the whole read decodes everything first.
    broken = _edited(source, tmp_path, "late.json", '"weight": ', '"weight" ')
    broken.write_bytes(broken.read_bytes().replace(b'"E000290"', b'"E\xff00290"'))
    whole, streamed = _messages(broken)
    assert whole == streamed == f"{broken}: not UTF-8 text; save the file as UTF-8"


BOM = "a byte order mark (U+FEFF) is only allowed as the file's first character"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("block", [1, 7, 4096])
def test_a_byte_order_mark_inside_the_file_is_the_whole_reads_error(
    files: dict[str, Path], fmt: str, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte order mark pasted into the file: the 200th goal title would start with an
    invisible U+FEFF. Both reads refuse it at the mark's line and column (the leading mark of
    the file stays accepted), however the stream's window is cut."""
    monkeypatch.setattr(jsonstream, "BLOCK", block)
    source = files[fmt]
    old = '"title": "' if fmt == "json" else "title: "
    path = _edited(source, tmp_path, f"bom.{fmt}", old, old + "\ufeff")
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    content = path.read_text(encoding="utf-8-sig")
    at = content.index("\ufeff")
    line, col = content.count("\n", 0, at) + 1, at - content.rfind("\n", 0, at)
    expected = f"{path}:{line}:{col}: {BOM}"
    assert _messages(path) == (expected, expected)
    assert (line, col) == ({"json": (35, 522), "yaml": (3246, 16)}[fmt])  # counted in the bytes


def test_yaml_errors_are_the_whole_reads(tmp_path: Path) -> None:
    """A problem of the loader (here on item 5000, in a file within the whole read's bounds)
    leaves the report to the whole read: the same message, with the count of them all."""
    people = [{"id": f"E{i:05d}", "segment": "general"} for i in range(1, 5001)]
    path = tmp_path / "late.yaml"
    with open(path, "w", encoding="utf-8") as out:
        dump_yaml(people, out)
    assert _compare(path) == (0, 5000)  # no goal sheets: every one a problem
    for name, old, new in (
        ("key.yaml", '- id: "E05000"', '- id: "E05000"\n    id: "E05001"'),
        ("indent.yaml", '- id: "E05000"', '- id: "E05000"\n   bad: [1'),
        ("tag.yaml", '- id: "E05000"', '- id: !!python/none "E05000"'),
    ):
        bad = _edited(path, tmp_path, name, old, new, nth=1)
        whole, streamed = _messages(bad)
        assert streamed == "read whole" and whole.startswith(f"{bad}:")
    (tmp_path / "two.yaml").write_text(path.read_text(encoding="utf-8") + "---\na: 1\n", encoding="utf-8")
    assert _messages(tmp_path / "two.yaml")[1] == "read whole"


def test_yaml_anchors_inside_an_employee_stream_and_across_employees_read_whole(tmp_path: Path) -> None:
    people = _people()[:20]
    path = tmp_path / "anchors.yaml"
    with open(path, "w", encoding="utf-8") as out:
        dump_yaml(people, out)
    content = path.read_text(encoding="utf-8")
    # Within E000001: its first goal's difficulty anchored and reused by its second goal.
    first = content.index("difficulty: ", content.index('"E000001"'))
    second = content.index("difficulty: ", first + 1)
    line_end = content.index("\n", second)
    inside = content[:first] + "difficulty: &d 1.3" + content[content.index("\n", first) : second]
    inside += "difficulty: *d" + content[line_end:]
    path.write_text(inside, encoding="utf-8")
    assert _compare(path) == (19, 1)  # E000020's bad difficulty
    # E000003 reuses E000001's anchor: the stream has forgotten it, the whole read knows it.
    third = inside.index("difficulty: ", inside.index('"E000003"'))
    across = inside[:third] + "difficulty: *d" + inside[inside.index("\n", third) :]
    path.write_text(across, encoding="utf-8")
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    stream, *_ = stream_records(str(path), data["inputs"], scales=data.get("scales"))
    with pytest.raises(ReadWhole, match=r"alias \*d"):
        list(stream)
    assert _evaluate(path, "csv", whole=False) == _evaluate(path, "csv", whole=True)


def test_an_id_used_twice_and_parameters_after_the_list_read_whole(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """The whole read keeps neither copy of a repeated id, and parameters after the list apply
    to everyone: the stream gives up, the reports are the whole read's."""
    people = _people()[:30]
    people.append(dict(people[3]))  # E000004 twice
    late = _people()[:30]
    for suffix in ("json", "yaml"):
        twice = _write(tmp_path / f"twice.{suffix}", people)
        after = tmp_path / f"after.{suffix}"
        with open(after, "w", encoding="utf-8") as out:
            (dump_json if suffix == "json" else dump_yaml)(late, out, "")
        content = after.read_text(encoding="utf-8")
        if suffix == "json":
            after.write_text(
                content.rstrip()[:-1] + ', "parameters": {"bonus_rate": "abc"}}\n', encoding="utf-8"
            )
        else:
            after.write_text(content + "parameters:\n  bonus_rate: abc\n", encoding="utf-8")
        for path in (twice, after):
            _gives_up(path)
            for fmt in ("csv", "json"):
                assert _evaluate(path, fmt, whole=False) == _evaluate(path, fmt, whole=True)


class _Watched:
    """A stream that notes in ``calls`` when it has been read to its end."""

    def __init__(self, stream: Any, calls: list[str]) -> None:
        self._stream, self._calls = stream, calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __iter__(self) -> Iterator[EmployeeRecord]:
        yield from self._stream
        self._calls.append("read")


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every stream opened by the commands, watched: "read" for each one read to its end."""
    calls: list[str] = []
    for module in STREAMING:

        def opened(*args: Any, _real: Any = module.stream_records, **kwargs: Any) -> Any:
            stream, *rest = _real(*args, **kwargs)
            return (_Watched(stream, calls), *rest)

        monkeypatch.setattr(module, "stream_records", opened)
    return calls


def _whole_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise ReadWhole("told to")

    for module in STREAMING:
        monkeypatch.setattr(module, "stream_records", refuse)


def _evaluate(path: Path, fmt: str, *, whole: bool, policy: str = JAPAN) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        if whole:
            _whole_only(patch)
        result = CliRunner().invoke(cli, ["evaluate", policy, str(path), "--format", fmt])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
@pytest.mark.parametrize("kind", ["json", "yaml", "xlsx"])
def test_evaluate_writes_the_whole_reads_bytes(files: dict[str, Path], kind: str, fmt: str) -> None:
    engine = Engine.from_file(JAPAN)
    whole = str(RENDERERS[fmt](engine.evaluate(engine.read(str(files[kind])))))
    out = io.StringIO()
    outcome = write_report(engine, str(files[kind]), fmt, out, workers=1, chunk=7)
    # JSON/YAML: E000010 stopped by a sheet check; the workbook: every employee read
    assert outcome.streamed == {"json": 294, "yaml": 294, "xlsx": 298}[kind]
    assert out.getvalue() == whole
    assert _evaluate(files[kind], fmt, whole=False) == _evaluate(files[kind], fmt, whole=True)


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """400 kumho employees with their org tree (small groups merge up it) as JSON and YAML,
    converted from the generated CSV by the whole read's own records."""
    folder = tmp_path_factory.mktemp("kumho")
    csv_path = folder / "kumho.csv"
    tree = generate_kumho(400, str(csv_path), seed=5)
    engine = Engine.from_file(KUMHO)
    people = [_as_mapping(r) for r in engine.read(str(csv_path)).employees]
    units = [{"id": org, **({"parent": parent} if parent else {})} for org, parent in tree.items()]
    out = {}
    for suffix in ("json", "yaml"):
        path = folder / f"kumho.{suffix}"
        with open(path, "w", encoding="utf-8") as handle:
            if suffix == "json":
                dump_json(people, handle, f'"policy": "kumho_like", "org_units": {text(units)}')
            else:
                dump_yaml(people, handle, f"policy: kumho_like\norg_units: {text(units)}")
        out[suffix] = path
    return out


def _as_mapping(record: EmployeeRecord) -> dict[str, Any]:
    return {**record.fields, "indicators": [dict(line.fields) for line in record.indicators]}


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_distributions_and_calibrate_give_the_whole_reads_bytes(kumho: dict[str, Path], kind: str) -> None:
    path = kumho[kind]
    assert _compare(path, KUMHO)[0] == 400
    for fmt in ("csv", "json"):
        with pytest.MonkeyPatch.context() as patch:
            calls = _watch(patch)
            streamed = _evaluate(path, fmt, whole=False, policy=KUMHO)
        assert calls == ["read"]  # the first pass; the second reads the spill
        assert streamed == _evaluate(path, fmt, whole=True, policy=KUMHO)
        assert "K4" in streamed[1]
    for fmt in ("json", "text"):
        args = ["calibrate", KUMHO, str(path), "--format", fmt]
        with pytest.MonkeyPatch.context() as patch:
            calls = _watch(patch)
            streamed_run = CliRunner().invoke(cli, args)
        assert calls == ["read"]
        with pytest.MonkeyPatch.context() as patch:
            _whole_only(patch)
            whole_run = CliRunner().invoke(cli, args)
        assert (streamed_run.exit_code, streamed_run.stdout) == (whole_run.exit_code, whole_run.stdout)


@pytest.mark.parametrize("kind", ["json", "yaml", "xlsx"])
def test_pay_records_and_explain_give_the_whole_reads_bytes(files: dict[str, Path], kind: str) -> None:
    for args in (
        ["pay", JAPAN, PAY, "--records", str(files[kind]), "--format", "json"],
        ["explain", JAPAN, str(files[kind]), "--employee", "E000011"],
        ["explain", JAPAN, str(files[kind]), "--employee", "E000010"],
    ):
        with pytest.MonkeyPatch.context() as patch:
            calls = _watch(patch)
            streamed = CliRunner().invoke(cli, args)
        assert calls == ["read"]  # read an employee at a time, to the end
        with pytest.MonkeyPatch.context() as patch:
            _whole_only(patch)
            whole = CliRunner().invoke(cli, args)
        assert (streamed.exit_code, streamed.stdout, streamed.stderr) == (
            whole.exit_code, whole.stdout, whole.stderr
        )  # fmt: skip
        assert streamed.stdout or streamed.stderr
        if args[-1] == "E000011":
            assert "employee E000011 (" in streamed.stdout


@pytest.mark.parametrize("kind", ["json", "yaml", "xlsx"])
def test_the_stream_holds_one_record_at_a_time(files: dict[str, Path], kind: str) -> None:
    """Counted while the stream runs: one EmployeeRecord alive; the JSON window and the YAML
    line marks hold one employee's worth, not the file's."""
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is EmployeeRecord)
    stream, *_ = stream_records(str(files[kind]), data["inputs"], scales=data.get("scales"))
    items: Any = getattr(stream, "_items", None)
    alive, held = [], []
    for n, record in enumerate(_each(stream)):
        if n % 50 == 49:
            del record
            alive.append(sum(1 for o in gc.get_objects() if type(o) is EmployeeRecord) - before)
            if kind == "json":
                held.append(len(items.window.text) <= 4 * jsonstream.BLOCK)
            elif kind == "yaml":
                held.append(len(items.source.values) < 200)
    assert alive == [1] * 5  # the one the iterator is about to replace (none kept)
    assert all(held)


def _each(stream: Any) -> Iterator[EmployeeRecord]:
    for record in stream:
        yield record
        del record


def test_a_failure_late_in_a_json_file_writes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    bad = _edited(files["json"], tmp_path, "late.json", '"weight": ', '"weight" ', nth=1400)
    whole, streamed = _messages(bad)
    assert streamed == whole and whole.endswith(": not valid JSON: Expecting ':' delimiter")
    out = tmp_path / "out.csv"
    for args in (["--format", "csv", "-o", str(out)], ["--format", "json"]):
        result = CliRunner().invoke(cli, ["evaluate", JAPAN, str(bad), *args])
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"hrpolicy: {whole}\n")
    assert sorted(os.listdir(tmp_path)) == ["late.json"]  # no output, no temporary file


def test_a_yaml_file_past_the_whole_reads_size_bound_is_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole read refuses a YAML file over its bound (2 MiB; lowered here to 100 kB, so
    that 200 employees cross it); the stream's memory does not grow with the file, so it reads
    it (the table's bound holds); one that must be read whole is still refused by the whole
    read's bound."""
    path = tmp_path / "big.yaml"
    generate_format(200, str(path), seed=3)
    assert loader.MAX_FILE_BYTES == 2 * 1024 * 1024
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100_000)
    assert path.stat().st_size > 100_000
    engine = Engine.from_file(JAPAN)
    data = engine.source.data
    stream, *_ = stream_records(str(path), data["inputs"], scales=data.get("scales"))
    assert sum(1 for _ in stream) == 200
    with pytest.raises(DataError, match="larger than the limit of 100000 bytes"):
        engine.read(str(path))


def test_a_workbook_with_an_employees_rows_apart_and_a_chosen_sheet(tmp_path: Path) -> None:
    """Rows of one employee apart: the stream gives up (Interleaved), the report is the whole
    read's. ``--sheet`` names the sheet the stream reads, as the whole read does."""
    path = tmp_path / "apart.xlsx"
    generate_format(40, str(path), seed=2)
    book = openpyxl.load_workbook(path)
    sheet = book["indicators"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_row=3)]
    sheet.append(rows[1])  # E000001's first goal again at the end
    book.save(path)
    _gives_up(path)
    for fmt in ("csv", "json"):
        assert _evaluate(path, fmt, whole=False) == _evaluate(path, fmt, whole=True)
    sheet.delete_rows(sheet.max_row)
    sheet.title = "data"
    other = book.create_sheet("other", 0)  # the first sheet with a header: read unless --sheet
    for row in rows:
        other.append(row)
    book.save(path)
    args = ["calibrate", JAPAN, str(path), "--sheet", "data", "--format", "json"]
    with pytest.MonkeyPatch.context() as patch:
        calls = _watch(patch)
        streamed = CliRunner().invoke(cli, args)
    assert calls == ["read"]
    with pytest.MonkeyPatch.context() as patch:
        _whole_only(patch)
        whole = CliRunner().invoke(cli, args)
    assert (streamed.exit_code, streamed.stdout, streamed.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )
    assert "E000040" in streamed.stdout  # the chosen sheet's last employee, not the first sheet's


def test_explain_of_an_unknown_id_is_the_whole_reads_answer(files: dict[str, Path]) -> None:
    for kind in ("json", "yaml"):
        args = ["explain", JAPAN, str(files[kind]), "--employee", "E009999"]
        streamed = CliRunner().invoke(cli, args)
        with pytest.MonkeyPatch.context() as patch:
            _whole_only(patch)
            whole = CliRunner().invoke(cli, args)
        assert (streamed.exit_code, streamed.stderr) == (whole.exit_code, whole.stderr)
        assert streamed.exit_code == 2 and "E009999" in streamed.stderr


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_explain_reads_only_the_employee_through(
    files: dict[str, Path], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other employees of a JSON or YAML file are only ids met (still checked for an id
    used twice): the employee's fields and goal lines alone are converted. The answers are the
    whole read's (above): an employee with a sheet problem, one left out while reading, an
    unknown id whose nearest id is looked for among the records read through."""
    converted: list[Any] = []
    real = MappingConverter.__call__  # (every mapping of an employee's is converted through it)
    spy = lambda self, raw: converted.append(raw) or real(self, raw)  # noqa: E731
    monkeypatch.setattr(MappingConverter, "__call__", spy)
    for employee in ("E000011", "E000040"):  # (exit 1: the file has a problem, its parameter)
        run = CliRunner().invoke(cli, ["explain", JAPAN, str(files[kind]), "--employee", employee])
        assert run.exit_code == 1, run.output
        lines = {n for n, raw in enumerate(converted) if "weight" in raw}
        people = [raw["id"] for raw in converted if "weight" not in raw]
        assert people == [employee] and len(lines) in (5, 6, 7, 8), (people, len(lines))
        converted.clear()
    args = ["explain", JAPAN, str(files[kind]), "--employee", "E0000040"]
    unknown = CliRunner().invoke(cli, args)
    assert len([raw for raw in converted if "weight" not in raw]) == COUNT  # (read through for it)
    _whole_only(monkeypatch)
    whole = CliRunner().invoke(cli, args)
    assert (unknown.exit_code, unknown.stderr) == (whole.exit_code, whole.stderr)
    # E000040 was left out while reading (a goal line without its kind): not a record, not named
    assert unknown.exit_code == 2 and "did you mean" in unknown.stderr and "'E000040'" not in unknown.stderr


def test_a_workbook_tells_its_progress_as_the_other_files(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 3 of issue 12: a workbook's rows draw the bar as a CSV file's do: the file's bytes
    in the share of the sheet's XML read (every 500 rows here), all of them once read; the
    command draws it on --progress, and the report is unchanged."""
    monkeypatch.setattr(xlsxfile, "PROGRESS_ROWS", 500)
    path = files["xlsx"]
    told: list[tuple[int, int]] = []
    engine = Engine.from_file(JAPAN)
    out = io.StringIO()
    write_report(
        engine, str(path), "csv", out, workers=1, progress=lambda done, rows: told.append((done, rows))
    )
    rows = openpyxl.load_workbook(path, read_only=True)[
        "goals"
    ].max_row  # the title row, the header, the lines
    size = path.stat().st_size
    assert rows > 1500 and [r for _, r in told] == [500, 1000, 1500, rows]
    shares = [done for done, _ in told]
    assert 0 < shares[0] < shares[1] < shares[2] < size and shares[-1] == size
    # the bar's share follows the rows: the generated rows are alike (a 10 % margin)
    assert abs(shares[1] / size - 1000 / rows) < 0.1
    forced = CliRunner().invoke(cli, ["evaluate", JAPAN, str(path), "--format", "csv", "--progress"])
    plain = CliRunner().invoke(cli, ["evaluate", JAPAN, str(path), "--format", "csv", "--no-progress"])
    assert forced.stdout == plain.stdout and forced.stdout.endswith(out.getvalue().split("\n", 1)[1])
    last = forced.stderr.split("\r")[-1].splitlines()[0]
    assert last.startswith(f"[{'#' * 24}] 100%  {rows:,} rows  ") and "[####" not in plain.stderr
