"""``explain`` reads its file an employee at a time in every case (issue 12 point 1): under a
policy with distributions (the group graded from compact rows, the employee traced), with
``--param``, ``--sheet`` and ``--encoding``, and for an id the file lacks (the nearest id chosen
while the ids go by). The whole read (``Engine.read``) is refused, and the output, the messages
and the exit code are the whole read's, byte for byte."""

from __future__ import annotations

import csv
import difflib
import gc
import json
import random
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import engine.evaluate.explained as explained
from engine.cli import cli
from engine.evaluate import Engine
from engine.evaluate.relative import RelativeGrading
from engine.io.model import EmployeeRecord
from engine.suggest import Nearest, did_you_mean

ROOT = Path(__file__).resolve().parent.parent
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
sys.path.insert(0, str(ROOT))
from bench.gen_formats import dump_json, text  # noqa: E402
from bench.gen_formats import generate as generate_format  # noqa: E402
from bench.gen_kumho import generate as generate_kumho  # noqa: E402
from bench.gen_population import generate as generate_japan  # noqa: E402


def _refuse_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: Any, **__: Any) -> Any:
        raise AssertionError("explain read the whole file")

    monkeypatch.setattr(Engine, "read", refused)


def _explain(args: list[str], *, whole: bool) -> tuple[int, str, str]:
    """``hrpolicy explain ARGS``: streamed (the whole read refused) or whole (the stream refused)."""
    with pytest.MonkeyPatch.context() as patch:
        if whole:
            patch.setattr(explained, "explain_streamed", lambda *_: None)
        else:
            _refuse_whole(patch)
        result = CliRunner().invoke(cli, ["explain", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _same(args: list[str]) -> tuple[int, str, str]:
    streamed = _explain(args, whole=False)
    assert streamed == _explain(args, whole=True)
    return streamed


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """300 kumho employees as CSV, and as JSON with their org tree (small groups merge up it)."""
    folder = tmp_path_factory.mktemp("kumho_explain")
    csv_path = folder / "kumho.csv"
    tree = generate_kumho(300, str(csv_path), seed=3)
    engine = Engine.from_file(KUMHO)
    people = [
        {**r.fields, "indicators": [dict(line.fields) for line in r.indicators]}
        for r in engine.read(str(csv_path)).employees
    ]
    units = [{"id": org, **({"parent": parent} if parent else {})} for org, parent in tree.items()]
    json_path = folder / "kumho.json"
    with open(json_path, "w", encoding="utf-8") as handle:
        dump_json(people, handle, f'"policy": "kumho_like", "org_units": {text(units)}')
    return {"csv": csv_path, "json": json_path}


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_under_distributions_the_group_is_graded_without_the_whole_read(
    kumho: dict[str, Path], fmt: str
) -> None:
    for kind in ("csv", "json"):
        path = str(kumho[kind])
        for emp in ("H0000001", "H0000150", "H0000300"):
            code, out, err = _same([KUMHO, path, "--employee", emp, "--format", fmt])
            assert code == 0 and err == ""
            assert emp in out
            if fmt == "text":
                assert "  relative:\n    [relative] performance = " in out
            if fmt == "json":
                assert set(json.loads(out)["relative"]) == {"performance", "competency"}


def test_a_relative_grade_from_the_tree_of_a_json_file(kumho: dict[str, Path]) -> None:
    """The JSON file's org tree (read with the stream, after the employees) merges the small
    groups: a grade the CSV file (no tree) cannot give."""
    graded = []
    for kind in ("csv", "json"):
        _, out, _ = _same([KUMHO, str(kumho[kind]), "--employee", "H0000008", "--format", "json"])
        graded.append(json.loads(out)["relative"]["performance"])
    assert graded[0]["grade"] is None and "not in the org tree" in graded[0]["reason"]
    assert graded[1]["grade"] is not None
    # The warnings kept: the employee's and the file's, as the whole run has them.
    engine = Engine.from_file(KUMHO)
    whole = engine.evaluate(engine.read(str(kumho["csv"])), trace=True, only="H0000008")
    found = explained.explain_streamed(engine, str(kumho["csv"]), "H0000008")
    assert found is not None
    kept = [w for w in whole.warnings if w.employee_id in ("H0000008", None)]
    assert found[0].warnings == kept and len(kept) == 2  # one a distribution
    assert len(whole.warnings) > 40  # (everyone the distributions could not grade)


def test_under_distributions_one_record_is_alive_at_a_time(
    kumho: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted at every person noted for the grading: the records read are let go (the whole
    read held 300)."""
    alive: list[int] = []
    real = RelativeGrading.add

    def counted(self: RelativeGrading, record: EmployeeRecord, values: Any) -> None:
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if type(o) is EmployeeRecord))
        real(self, record, values)

    monkeypatch.setattr(RelativeGrading, "add", counted)
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is EmployeeRecord)  # (other tests' own)
    result = CliRunner().invoke(cli, ["explain", KUMHO, str(kumho["csv"]), "--employee", "H0000150"])
    assert result.exit_code == 0
    # the one read, the employee kept, one in hand
    assert len(alive) == 300 and max(alive) - before <= 3


def test_parameters_are_read_with_the_stream(kumho: dict[str, Path], tmp_path: Path) -> None:
    path = str(kumho["csv"])
    code, out, err = _same([KUMHO, path, "--employee", "H0000150", "--param", "X=3.0"])
    assert (code, err) == (0, "") and "H0000150" in out
    japan = tmp_path / "japan.csv"
    generate_japan(40, str(japan), seed=5)
    for fmt in ("text", "json", "html"):
        code, out, err = _same(
            [JAPAN, str(japan), "--employee", "E000007", "--param", "foo=1", "--format", fmt]
        )
        assert code == 1 and "E000007" in out
        assert err == (
            "run-time parameters: file: error [record-unknown-field] parameters: unknown field 'foo'\n"
            "hrpolicy: 1 problem(s) with the file or its parameters; see the problems above\n"
        )


def test_a_sheet_and_an_encoding_are_read_with_the_stream(tmp_path: Path) -> None:
    book = tmp_path / "japan.xlsx"
    generate_format(30, str(book), seed=9)
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    code, out, err = _same([JAPAN, str(book), "--employee", "E000012", "--sheet", names[0]])
    assert (code, err) == (0, "") and "employee E000012 (" in out
    utf8, sjis = tmp_path / "japan.csv", tmp_path / "japan_sjis.csv"
    generate_japan(30, str(utf8), seed=9)
    sjis.write_bytes(utf8.read_text(encoding="utf-8").encode("shift_jis"))
    for emp in ("E000012", "E00012"):  # (a typo: the nearest id, from the file read through)
        code, out, err = _same([JAPAN, str(sjis), "--employee", emp, "--encoding", "shift_jis"])
        assert code == (0 if emp == "E000012" else 2)
    assert err == f"hrpolicy: no employee 'E00012' in {sjis}; did you mean 'E000012'?\n"
    # An encoding for a file that is not CSV: the reader's refusal, before any record is read.
    args = ["explain", JAPAN, str(book), "--employee", "E000012", "--encoding", "shift_jis"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert (
        result.stderr == f"hrpolicy: {book}: --encoding is for CSV files; an Excel workbook names its own\n"
    )


def test_an_unknown_id_is_worded_while_streaming(kumho: dict[str, Path], tmp_path: Path) -> None:
    japan = tmp_path / "japan.csv"
    generate_japan(120, str(japan), seed=5)
    # E00005 is as alike to E000005, E000050 and E000105 (... 0.92): the greatest is chosen.
    code, out, err = _same([JAPAN, str(japan), "--employee", "E00005"])
    assert (code, out, err) == (
        2,
        "",
        f"hrpolicy: no employee 'E00005' in {japan}; did you mean 'E000105'?\n",
    )
    code, _, err = _same([JAPAN, str(japan), "--employee", "nobody-at-all"])
    assert (code, err) == (2, f"hrpolicy: no employee 'nobody-at-all' in {japan}\n")
    code, _, err = _same([KUMHO, str(kumho["json"]), "--employee", "H000015", "--format", "json"])
    assert code == 2 and err.startswith(f"hrpolicy: no employee 'H000015' in {kumho['json']}; did you mean")


def test_an_employee_left_out_while_reading_is_explained_by_its_problems(tmp_path: Path) -> None:
    japan = tmp_path / "japan.csv"
    generate_japan(50, str(japan), seed=5)
    with open(japan, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("difficulty")
    spoiled = next(i for i, row in enumerate(rows) if row[0] == "E000020")
    rows[spoiled][column] = "abc"
    with open(japan, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    for policy in (JAPAN,):
        code, out, err = _same([policy, str(japan), "--employee", "E000020"])
        assert (code, out) == (1, "")
        assert err.startswith(f"employee E000020 was not evaluated: 1 problem(s) while reading {japan}\n")
        assert "[record-type]" in err


def test_the_nearest_id_is_difflibs_choice_over_many_ids() -> None:
    """Hand-worked: 'E05000' is 12/13 alike to E050000, E095000 and E005000 (6 characters match
    of 13): of equals, difflib keeps the greatest. Then 20,000 random ids and 300 words (typos of
    some, others unlike any): the same choice as difflib's ``get_close_matches`` over the whole
    list, every time (``did_you_mean`` is ``Nearest`` over a list: one rule)."""
    nearest = Nearest("E05000")
    for choice in ("E050000", "E095000", "E005000", "X1"):
        nearest.add(choice)
    assert nearest.best == (12 / 13, "E095000")
    assert nearest.hint() == "did you mean 'E095000'?"
    assert did_you_mean("E05000", ["E050000", "E095000", "E005000", "X1"]) == nearest.hint()
    rng = random.Random(12)
    alphabet = "ABCEHK0123456789-"
    ids = ["".join(rng.choices(alphabet, k=rng.randint(4, 9))) for _ in range(20_000)]
    words = [rng.choice(ids) for _ in range(100)]
    words = [w[:-1] for w in words[:50]] + [w[1:] + "Z" for w in words[50:]]
    words += ["".join(rng.choices(alphabet, k=rng.randint(2, 12))) for _ in range(200)]
    words += ["x" * 201, ""]  # too long for a suggestion; empty
    chosen = 0
    for word in words:
        nearest = Nearest(word)
        for choice in ids:
            nearest.add(choice)
        found = difflib.get_close_matches(word, ids, n=1, cutoff=0.6) if len(word) <= 200 else []
        expected = f"did you mean '{found[0]}'?" if found else None
        assert nearest.hint() == expected == did_you_mean(word, ids), word
        chosen += expected is not None
    assert chosen > 150  # (most words have a near id: the test compares choices, not Nones)
