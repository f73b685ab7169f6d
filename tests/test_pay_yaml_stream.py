"""A YAML or JSON ``pay`` file read an employee at a time (engine/io/yamlstream.py
``stream_document``): every pay report the bytes (a workbook the cells) of the file read whole,
the same problems at the same line:col, one employee's line marks alive at a time, and the
whole read's very output or error wherever the stream gives up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import Echo
from test_pay_stream import FORMATS, JAPAN, JAPAN_RECORDS, KUMHO, KUMHO_PAY, kumho_file, report

import engine.commands.pay as pay_command
import engine.io.yamlstream as yamlstream
from engine.commands.pay import run_pay
from engine.errors import DataError
from engine.io.datafile import TableReading
from engine.io.payfile import read_pay_file
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
JAPAN_PAY = ROOT / "examples" / "japan_mbo" / "pay.yaml"


def _as_json(path: str) -> str:
    """The same pay file as JSON (one employee a line: a line:col of its own)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    people = data.pop("employees")
    head = json.dumps(data, ensure_ascii=False)[:-1]
    items = ",\n".join(json.dumps(p, ensure_ascii=False) for p in people)
    target = Path(path).with_suffix(".json")
    target.write_text(f'{head}, "employees": [\n{items}\n]}}\n', encoding="utf-8")
    return str(target)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _kumho(tmp_path: Path, copies: int = 3, bad: bool = True) -> str:
    """:func:`kumho_file` written without anchors (its copies share their nested mappings: an
    alias to an earlier employee sends the stream to the whole read), its sections in the
    example's order (sorted, the employees would come before the company: read whole)."""
    path = Path(kumho_file(tmp_path, copies, bad))
    example = yaml.safe_load((ROOT / "examples" / "kumho_like" / "pay.yaml").read_text(encoding="utf-8"))
    data = {key: yaml.safe_load(path.read_text(encoding="utf-8"))[key] for key in example}
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def _streams(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each pay file opened: streamed (True; to the end, never read whole again) or not (False)."""
    seen: list[bool] = []
    real, read = yamlstream.stream_document, pay_command.read_pay_file

    def noting(path: str) -> Any:
        found = real(path)
        seen.append(found is not None)
        return found

    def reading(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("stream"):
            seen.append(False)  # read whole after the stream gave up
        return read(*args, **kwargs)

    monkeypatch.setattr(yamlstream, "stream_document", noting)
    monkeypatch.setattr(pay_command, "read_pay_file", reading)
    return seen


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every pay file whole, as before the stream."""
    monkeypatch.setattr(yamlstream, "stream_document", lambda path: None)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", ["kumho-yaml", "kumho-json", "japan-yaml", "japan-json"])
def test_every_pay_report_is_the_whole_reads(
    case: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.startswith("kumho"):
        policy, data, records = KUMHO, _kumho(tmp_path), None
    else:
        policy, data, records = JAPAN, str(tmp_path / "pay.yaml"), JAPAN_RECORDS
        Path(data).write_text(JAPAN_PAY.read_text(encoding="utf-8"), encoding="utf-8")
    if case.endswith("json"):
        data = _as_json(data)
    (tmp_path / "streamed").mkdir()
    (tmp_path / "whole").mkdir()
    seen = _streams(monkeypatch)
    streamed = report(policy, data, fmt, tmp_path / "streamed", records)
    assert seen == [True]
    _whole(monkeypatch)
    whole = report(policy, data, fmt, tmp_path / "whole", records)
    assert streamed == whole
    said = whole[1] + str(whole[2])
    if case.startswith("kumho"):  # a duplicate id, a base pay that is text, a credit that is no number
        assert whole[0] == 1 and "hrpolicy: 3 problems, 3 of 24 employees affected" in whole[1]
        if case.endswith("json"):  # the employees from line 2 on: the 4th, 6th and 10th
            assert all(f"pay.json:{line}:" in said for line in (5, 7, 11))
            credits = "H102_1: error [pay-promotion] employee H102_1: credits is not a number"
            assert f"pay.json:11:239: {credits}" in said
    else:  # the example's hand-worked bonus: 777,777 x 79.40 / 100 = 617,554.938 -> 617,554
        assert whole[0] == 0 and ("617554" in said or "617,554" in said)


def test_bad_values_are_their_employees_problems_at_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``.nan``, an unquoted ``yes`` and ``1e400`` in three employees: each its employee's
    problem at its line:col, the others computed: what the whole read says, word for word."""
    text = JAPAN_PAY.read_text(encoding="utf-8")
    for good, bad in (("800000}", ".nan}"), ("500000}", "yes}"), ("777777}", "1e400}")):
        text = text.replace(f"bonus_base: {good}", f"bonus_base: {bad}")
    data = tmp_path / "pay.yaml"
    data.write_text(text, encoding="utf-8")
    seen = _streams(monkeypatch)
    streamed = Echo()
    assert run_pay(JAPAN, str(data), "text", None, streamed, records=JAPAN_RECORDS) == 1
    assert seen == [True]
    _whole(monkeypatch)
    whole = Echo()
    assert run_pay(JAPAN, str(data), "text", None, whole, records=JAPAN_RECORDS) == 1
    assert (streamed.stdout, streamed.stderr) == (whole.stdout, whole.stderr)
    lines = [line.strip() for line in whole.stdout.splitlines() if "error [" in line]
    # "  - {id: E001, name: 山田 太郎, bonus_base: " is 40 characters: the value at column 41
    assert [line.split(": error")[0].removeprefix(f"{data}:") for line in lines] == [
        "13:41: E001", "15:41: E003", "17:41: E012"
    ]
    assert "990000" in whole.stdout.replace(",", "")  # E002: 900,000 x 110.00 / 100, computed


def test_one_employees_line_marks_at_a_time(tmp_path: Path) -> None:
    data = _kumho(tmp_path, copies=20, bad=False)
    pay = read_pay_file(load_policy(KUMHO).data, data, TableReading(), stream=True)
    assert pay.records is not None  # streamed
    marks = []
    for emp in pay.employees():
        marked = [k for k in pay.doc.source.values if len(k) > 1 and k[0] == "employees"]
        marks.append(len(marked))
        assert {k[1] for k in marked} == {emp.index}
    assert len(marks) == 160 and max(marks) < 40  # an employee's keys, never the list's


def _fallback(monkeypatch: pytest.MonkeyPatch, data: Path, policy: str = KUMHO) -> tuple[int, str, str]:
    """The run over ``data`` streamed first: the stream gave up (read whole after it), and the
    output and exit code are the whole read's."""
    seen = _streams(monkeypatch)
    streamed = Echo()
    code = run_pay(policy, str(data), "text", None, streamed)
    assert seen in ([True, False], [False, False])
    monkeypatch.undo()
    _whole(monkeypatch)
    whole = Echo()
    assert run_pay(policy, str(data), "text", None, whole) == code
    assert (streamed.stdout, streamed.stderr) == (whole.stdout, whole.stderr)
    monkeypatch.undo()
    return code, whole.stdout, whole.stderr


def test_what_the_stream_leaves_to_the_whole_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An alias to an earlier employee, the company after the list, a bad value after it: the
    report of the whole read, once every employee was read."""
    aliased = Path(kumho_file(tmp_path, copies=2))  # (yaml's dump shares the copies' mappings)
    assert "*id00" in aliased.read_text(encoding="utf-8")
    code, out, _ = _fallback(monkeypatch, aliased)
    assert code == 1 and "H103_0: error [pay-duplicate-employee]" in out
    example = yaml.safe_load((ROOT / "examples" / "kumho_like" / "pay.yaml").read_text(encoding="utf-8"))
    company = example.pop("company")
    after = tmp_path / "after.yaml"
    after.write_text(yaml.safe_dump({**example, "company": company}, allow_unicode=True, sort_keys=False))
    code, out, _ = _fallback(monkeypatch, after)
    assert code == 0 and "H101" in out
    noted = tmp_path / "noted.yaml"  # a note after the list: free, but its value must be one
    noted.write_text(KUMHO_PAY.read_text(encoding="utf-8") + "x-note: .nan\n", encoding="utf-8")
    seen = _streams(monkeypatch)
    with pytest.raises(DataError) as streamed:
        run_pay(KUMHO, str(noted), "text", None, Echo())
    assert seen == [True, False]
    monkeypatch.undo()
    _whole(monkeypatch)
    with pytest.raises(DataError) as whole:
        run_pay(KUMHO, str(noted), "text", None, Echo())
    assert str(streamed.value) == str(whole.value)
    lines = len(KUMHO_PAY.read_text(encoding="utf-8").splitlines()) + 1  # the note's line
    assert str(whole.value) == f"{noted}:{lines}:9: '.nan' is not a finite number"


def test_an_error_further_on_is_the_whole_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An employee without an id, then a syntax error: the whole read's message (the syntax
    error), not the stream's (the first it met); a missing id alone is the same message."""
    text = JAPAN_PAY.read_text(encoding="utf-8").replace("{id: E002, ", "{")
    data = tmp_path / "pay.yaml"
    data.write_text(text + "  - {id: E999, name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError) as streamed:
        run_pay(JAPAN, str(data), "text", None, Echo())
    _whole(monkeypatch)
    with pytest.raises(DataError) as whole:
        run_pay(JAPAN, str(data), "text", None, Echo())
    assert str(streamed.value) == str(whole.value) and "an employee needs an 'id'" not in str(whole.value)
    monkeypatch.undo()
    data.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"pay\.yaml:14:5: an employee needs an 'id'$"):
        run_pay(JAPAN, str(data), "text", None, Echo())
