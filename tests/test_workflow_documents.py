"""``hrpolicy workflow`` over a YAML or JSON file read a record at a time (engine/io/yamllists.py,
engine/workflow/stream.py ``stream_workflow_document``): the whole read's bytes in every format,
its errors and nothing written when one is raised, one record's line marks held at a time, and a
file beyond the whole read's bound (MAX_YAML_BYTES) read all the same."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pytest
from helpers import Echo

import engine.commands.workflow as command
import engine.loader as loader
from engine.commands.workflow import run_workflow
from engine.errors import DataError
from engine.io.model import ReadWhole
from engine.io.yamllists import stream_lists_document
from engine.report.options import ReportOptions
from engine.validate import load_policy
from engine.workflow.records import WORKFLOW_LISTS
from engine.workflow.stream import stream_workflow_document

ROOT = Path(__file__).resolve().parent.parent
KEPCO = str(ROOT / "policies" / "kepco_like.yaml")
EXAMPLE = ROOT / "examples" / "kepco_like" / "workflow.yaml"
FORMATS = ("text", "json", "csv", "html", "xlsx")


def _records(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``count`` employees' notices and objections: several notice days, both rounds, some late,
    some filed before the notice, a round 2 without its round 1, an unknown ``memo`` key."""
    notices, objections = [], []
    days = ["2027-02-03", "2027-02-01", "2026-07-16", "2027-01-29"]
    filed = ["2027-02-09", "2027-02-15", "2026-07-21", "2027-01-20"]
    for n in range(1, count + 1):
        who, notice = f"K{n:05d}", days[n % 4]
        period = "midterm" if notice.startswith("2026") else "final"
        base = {"employee": who, "name": "김민준", "period": period, "round": 1, "notice": notice}
        if n % 11 == 0:
            base["memo"] = "checked"
        if n % 7:
            notices.append(base)
            continue
        objection = {**base, "filed": filed[n % 3], "indicators": ["mgmt_kpi_tracking", "work_improvement"]}
        objections.append(objection)
        if n % 3 == 0:
            objections.append({**objection, "round": 2, "indicators": ["work_improvement"]})
        if n % 5 == 0:
            objections.append({**objection, "round": 2, "indicators": ["long_term_plan"]})
    return notices, objections


def _example_goal_changes() -> str:
    """The example's goal_changes list, as its text (goal lines, targets, located problems)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    return text[text.index("\ngoal_changes:") + 1 :]


def _write_yaml(path: Path, count: int, *, tail: str = "") -> str:
    notices, objections = _records(count)
    lines = ["policy: kepco_like", "objections:"]  # (objections first: any order is the file's)
    lines += [f"  - {json.dumps(o, ensure_ascii=False)}" for o in objections]
    lines += ["notices:"] + [f"  - {json.dumps(n, ensure_ascii=False)}" for n in notices]
    path.write_text("\n".join(lines) + "\n" + _example_goal_changes() + tail, encoding="utf-8")
    return str(path)


def _write_json(path: Path, count: int) -> str:
    notices, objections = _records(count)
    document = {"notices": notices, "policy": "kepco_like", "objections": objections, "x-note": "made"}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(path)


def _content(path: Path, fmt: str) -> Any:
    """The file's bytes; a workbook's parts but its creation time (openpyxl stamps the clock)."""
    if fmt != "xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def _run(
    data: str, fmt: str, out: Path, *, whole: bool, options: ReportOptions | None = None
) -> tuple[Any, ...]:
    """The command's exit code, output and messages: streamed (the whole read refused) or whole
    (the stream refused)."""
    echo = Echo()
    with pytest.MonkeyPatch.context() as patch:
        if whole:

            def not_streamed(*_: Any, **__: Any) -> NoReturn:
                raise ReadWhole("told to")

            patch.setattr(command, "stream_workflow_document", not_streamed)
        else:
            patch.setattr(command, "read_data_file", lambda *_, **__: pytest.fail("read whole"))
        code = run_workflow(KEPCO, data, fmt, str(out), echo, "2027-02-10", options)
    return code, _content(out, fmt), echo.stdout, echo.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_yaml_or_json_file_streamed_gives_the_whole_reads_bytes(tmp_path: Path, fmt: str) -> None:
    suffix = {"text": "txt"}.get(fmt, fmt)
    options = ReportOptions(lang="ko") if fmt in ("text", "csv") else ReportOptions()
    for data in (
        _write_yaml(tmp_path / "wf.yaml", 300),
        _write_json(tmp_path / "wf.json", 300),
        str(EXAMPLE),
    ):
        streamed = _run(data, fmt, tmp_path / f"s.{suffix}", whole=False, options=options)
        whole = _run(data, fmt, tmp_path / f"w.{suffix}", whole=True, options=options)
        assert streamed == whole
        assert streamed[0] == 1  # (late objections, out-of-order rounds, unknown keys, goal changes)


def test_the_unknown_keys_are_the_whole_reads(tmp_path: Path) -> None:
    data = _write_json(tmp_path / "wf.json", 300)
    code, content, _, _ = _run(data, "json", tmp_path / "s.json", whole=False)
    unknown = [p for p in json.loads(content)["problems"] if p["rule"] == "data-unknown-key"]
    # 27 employees (11, 22, ... 297) have a memo: 24 on a notice, 77, 154 and 231 (x 7) on an
    # objection, and 231 (x 3) on its round 2 too: 28 records
    assert code == 1 and len(unknown) == 28
    assert unknown[0]["message"] == "unknown key 'memo' in a notice"


def test_a_file_beyond_the_whole_reads_bound_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the bound lowered to the policy's size (the policy is read by the same loader) the
    whole read refuses the 600 employees' file; the stream reads it, with the report the whole
    read gives under the real bound."""
    data = _write_yaml(tmp_path / "wf.yaml", 600)
    bound = Path(KEPCO).stat().st_size
    assert Path(data).stat().st_size > 2 * bound
    whole = _run(data, "json", tmp_path / "w.json", whole=True)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", bound)
    monkeypatch.setattr(command, "MAX_YAML_BYTES", bound)
    with pytest.raises(DataError, match=f"the file is larger than the limit of {bound} bytes"):
        _run(data, "json", tmp_path / "x.json", whole=True)
    assert _run(data, "json", tmp_path / "s.json", whole=False) == whole
    # A bad record there: the stream's error, the whole read's under the real bound.
    monkeypatch.undo()
    _insert(data, LACKING)
    with pytest.raises(DataError) as real:
        _run(data, "json", tmp_path / "w.json", whole=True)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", bound)
    monkeypatch.setattr(command, "MAX_YAML_BYTES", bound)
    with pytest.raises(DataError) as streamed:
        _run(data, "json", tmp_path / "s.json", whole=False)
    assert str(streamed.value) == str(real.value) == f"{data}:3:5: objection record lacks 'notice'"


LACKING = "  - {employee: K9, name: x, period: final, round: 1}\n"


@pytest.mark.parametrize(
    ("inserted", "message", "stream"),
    [
        # A record that lacks a field: the whole read's first error, once every record is read.
        (LACKING, "{data}:3:5: objection record lacks 'notice'", "error"),
        # A syntax error: the whole read's own report (the stream gives up on it).
        (
            "  - {employee: K9, name: x, period: final\n",
            "{data}:4:5: did not find expected ',' or '}}' "
            "(while parsing a flow mapping at line 3, column 5)",
            "gives up",
        ),
    ],
)
def test_an_error_is_the_whole_reads_and_nothing_is_written(
    tmp_path: Path, inserted: str, message: str, stream: str
) -> None:
    source = _insert(_write_yaml(tmp_path / "wf.yaml", 40), inserted)
    out = tmp_path / "out.csv"
    out.write_text("before\n", encoding="utf-8")
    with pytest.raises(DataError) as whole:
        _run(source, "csv", out, whole=True)
    assert str(whole.value) == message.format(data=source)
    with pytest.raises(DataError) as found:
        run_workflow(KEPCO, source, "csv", str(out), Echo(), "2027-02-10")
    assert str(found.value) == str(whole.value)
    try:  # the stream alone
        stream_workflow_document("kepco_like", load_policy(KEPCO).data, source, date(2027, 2, 10))
    except DataError as exc:
        assert (stream, str(exc)) == ("error", str(whole.value))
    except ReadWhole:
        assert stream == "gives up"
    assert out.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "wf.yaml"]


def _insert(path: str, record: str) -> str:
    """``record`` made the first objection of the file at ``path``."""
    text = Path(path).read_text(encoding="utf-8").replace("objections:\n", "objections:\n" + record, 1)
    Path(path).write_text(text, encoding="utf-8")
    return path


def test_lists_that_are_empty_or_not_lists_are_the_whole_reads(tmp_path: Path) -> None:
    """The command gives the whole read's report or error; the stream alone gives it too, or
    gives up (an alias to an earlier record)."""
    cases = {
        "empty.yaml": ("policy: kepco_like\nnotices: []\n", "report"),
        "none.yaml": ("policy: kepco_like\nnotices:\nobjections: []\n", "error"),
        "nolist.yaml": ("policy: kepco_like\nmemo: 1\n", "error"),
        "alias.yaml": (
            "notices:\n"
            "  - &a {employee: K1, name: x, period: final, round: 1, notice: '2027-02-03'}\n"
            "  - *a\n",
            "gives up",
        ),
    }
    policy = load_policy(KEPCO).data
    for name, (content, stream) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        found = []
        for whole in (False, True):
            echo = Echo()
            with pytest.MonkeyPatch.context() as patch:
                if whole:
                    patch.setattr(command, "stream_workflow_document", _refused)
                try:
                    code = run_workflow(KEPCO, str(path), "json", None, echo, "2027-02-10")
                    found.append((code, echo.stdout, echo.stderr))
                except DataError as exc:
                    found.append(("error", str(exc)))
        assert found[0] == found[1], name
        try:
            report = stream_workflow_document("kepco_like", policy, str(path), date(2027, 2, 10))
            report.store.close()
            assert stream == "report", name
        except DataError as exc:
            assert (stream, ("error", str(exc))) == ("error", found[1]), name
        except ReadWhole:
            assert stream == "gives up", name
    assert found[0][0] == 0 and found[0][1].count('"kind": "notice"') == 2  # the alias: read whole


def _refused(*_: Any, **__: Any) -> NoReturn:
    raise ReadWhole("told to")


def test_one_records_line_marks_are_held_at_a_time(tmp_path: Path) -> None:
    data = _write_json(tmp_path / "wf.json", 300)
    opened = stream_lists_document(data, WORKFLOW_LISTS)
    assert opened is not None
    doc, records = opened
    held = []
    seen = 0
    for key, index, record in records:
        held.append(len(doc.source.values) + len(doc.source.keys))
        assert doc.source.locate((key, index)).line > 1 and record["employee"]
        seen += 1
    # 258 notices (300 less the 42 multiples of 7), 42 objections, 14 round 2 of the multiples of
    # 21 and 8 of those of 35
    assert seen == 258 + 42 + 14 + 8
    assert max(held) < 40  # the top level and one record (the whole read: thousands)
