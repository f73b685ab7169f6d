"""``compare``, ``diff`` and ``simulate`` over a canonical population read a person at a time:
the same bytes whatever the spools hold in memory and whether the file is streamed or read
whole; a population bad halfway through is refused with the whole read's message and nothing
written; the five people of ``examples/compare`` keep the figures worked out by hand in
``test_compare``."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import Echo
from test_compare import EXAMPLE, JAPAN, KEPCO, KUMHO, PAY, POLICIES, POPULATION
from test_distribution_compact import _old_grade as old_grade

import engine.compare.population as canonical
import engine.io.spool as spool
from engine.commands.compare import _compared as compared_population
from engine.commands.compare import run_compare
from engine.commands.diff import run_diff
from engine.commands.simulate import run_simulate
from engine.compare.outcome import Comparison
from engine.compare.population import is_canonical, read_canonical
from engine.errors import DataError
from engine.evaluate.relative import RelativeGrading
from engine.io.model import ReadWhole
from engine.io.records import read_json
from engine.report.compare import population_report
from engine.report.page import page_pieces

FORMATS = ("text", "json", "csv", "html", "xlsx")
MAPS = [str(EXAMPLE / f"map_{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]


def _content(path: Path) -> Any:
    """A report's bytes; a workbook's parts but the time it was written (``docProps/core.xml``)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def _json_population(folder: Path, people: int = 5) -> Path:
    """The example population as JSON, its five people repeated to ``people`` with new ids."""
    data = yaml.safe_load(Path(POPULATION).read_text(encoding="utf-8"))
    base = data["people"]
    data["people"] = [{**base[i % len(base)], "id": f"P{i + 1}"} for i in range(people)]
    data["mappings"] = MAPS
    target = folder / "population.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _compared(population: str, fmt: str, out: Path, explain: str | None = None) -> Any:
    echo = Echo()
    assert run_compare(POLICIES, population, MAPS, fmt, str(out), "en", explain, echo) == 0, echo.stderr
    return _content(out)


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every population read whole, as before it was streamed."""

    def refuse(path: str) -> Any:
        raise ReadWhole("read whole")

    monkeypatch.setattr(canonical, "_items", refuse)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_every_format_is_the_same_streamed_or_whole_and_whatever_the_spools_hold(
    fmt: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    population = POPULATION if kind == "yaml" else str(_json_population(tmp_path, 12))
    suffix = "txt" if fmt == "text" else fmt
    streamed = _compared(population, fmt, tmp_path / f"streamed.{suffix}", explain="P2")
    with monkeypatch.context() as patched:
        patched.setattr(spool, "THRESHOLD", 1)  # every outcome, id and problem through the temp files
        assert _compared(population, fmt, tmp_path / f"one.{suffix}", explain="P2") == streamed
    with monkeypatch.context() as patched:
        _whole(patched)
        assert _compared(population, fmt, tmp_path / f"whole.{suffix}", explain="P2") == streamed


def test_the_five_people_keep_their_figures_with_spools_one_item_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "THRESHOLD", 1)
    out = tmp_path / "people.csv"
    _compared(POPULATION, "csv", out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    start = rows.index(["# people"])
    assert rows[start + 1][:2] == ["id", "name"]
    people = {row[0]: row for row in rows[start + 2 : start + 7]}
    assert list(people) == ["P1", "P2", "P3", "P4", "P5"]
    for pid, row in people.items():
        # id, name, japan score and grade, kumho score, grade, rate, raise, kepco score, grade, moves
        assert (Decimal(row[2]), row[3]) == (Decimal(JAPAN[pid][0]), JAPAN[pid][1]), pid
        assert (Decimal(row[4]), row[5]) == (Decimal(KUMHO[pid][0]), KUMHO[pid][1]), pid
        assert (Decimal(row[6]), Decimal(row[7])) == tuple(Decimal(v) for v in PAY[pid]), pid
        assert (row[8], row[9]) == KEPCO[pid], pid
    assert [people[p][10] for p in people] == [
        "same, same", "down 1, down 1", "same, same", "same, same", "same, down 1",
    ]  # fmt: skip
    # pay totals: salaries 294,000,000; raises 10,070,000.00 (test_compare's hand figures)
    stats = rows.index(["# score statistics and pay totals"])
    assert rows[stats + 3] == [
        "kumho_like", "performance_score", "5", "62.00", "65.00", "37.00", "75.00",
        "294000000", "10070000.00",
    ]  # fmt: skip


def test_a_person_left_out_keeps_every_other_row_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # P3's first goal gets target 0 (test_compare: P3 is evaluated under no scheme, kumho's group
    # of 4 is under its minimum of 5, so nobody has a kumho grade nor a raise).
    monkeypatch.setattr(spool, "THRESHOLD", 1)
    text = Path(POPULATION).read_text(encoding="utf-8")
    line = "weight: 20, target: 100, actual: 80, midterm: 40"
    population = tmp_path / "population.yaml"
    spoiled = text.replace(line, "weight: 20, target: 0, actual: 80, midterm: 40")
    population.write_text(spoiled, encoding="utf-8")
    echo = Echo()
    assert run_compare(POLICIES, str(population), MAPS, "json", None, "en", None, echo) == 1
    payload = json.loads(echo.stdout)
    japan = {p["id"]: p["schemes"]["japan_mbo"] for p in payload["people"]}
    assert [(pid, None if j is None else (j["score"], j["grade"])) for pid, j in japan.items()] == [
        ("P1", ("109.00", "A")), ("P2", ("100.30", "A")), ("P3", None), ("P4", ("99.00", "B")),
        ("P5", ("110.90", "S")),
    ]  # fmt: skip
    kumho = {p["id"]: p["schemes"]["kumho_like"] for p in payload["people"]}
    assert kumho["P3"] is None
    assert [kumho[p]["grade"] for p in ("P1", "P2", "P4", "P5")] == [None] * 4
    assert payload["schemes"][1]["pay"] == {"salaries": "0", "raises": "0", "people": "0"}


def _people_json(folder: Path, people: int) -> tuple[Path, dict[str, Any]]:
    target = _json_population(folder, people)
    data = json.loads(target.read_text(encoding="utf-8"))
    return target, data


def _changed(data: dict[str, Any], at: int, **change: Any) -> str:
    """The population with person ``at`` changed."""
    people = data["people"]
    return json.dumps({**data, "people": [*people[:at], {**people[at], **change}, *people[at + 1 :]]})


SPOILS: dict[str, tuple[Callable[[dict[str, Any]], str], str | None]] = {
    "malformed-person": (
        lambda data: _changed(data, 20, goals={"title": "x"}),
        "{file}:$.people[20].goals: 'goals' must be a value or a list of mappings",
    ),
    "id-twice": (lambda data: _changed(data, 30, id="P3"), "{file}:$.people[30]: duplicate id 'P3'"),
    # a malformed person, then the file cut short: the whole read's syntax error comes first
    "cut-short": (lambda data: _changed(data, 20, id="")[:-300], None),
}


@pytest.mark.parametrize("spoiled", list(SPOILS))
def test_a_population_bad_halfway_is_refused_as_the_whole_read_refuses_it_and_writes_nothing(
    spoiled: str, tmp_path: Path
) -> None:
    spoil, message = SPOILS[spoiled]
    target, data = _people_json(tmp_path, 40)
    target.write_text(spoil(data), encoding="utf-8")
    if message is None:
        with pytest.raises(DataError) as whole:
            read_json(str(target))
        message = str(whole.value)
        assert "not valid JSON" in message
    out = tmp_path / "out.json"
    out.write_text("before", encoding="utf-8")
    for run in (
        lambda: run_compare(POLICIES, str(target), [], "json", str(out), "en", None, Echo()),
        lambda: run_diff(POLICIES[0], POLICIES[0], str(target), [], "json", str(out), "en", Echo()),
    ):
        with pytest.raises(DataError) as caught:
            run()
        assert str(caught.value) == message.format(file=target)
        assert out.read_text(encoding="utf-8") == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "population.json"]


def test_a_report_that_fails_halfway_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target, _ = _people_json(tmp_path, 40)
    real = Comparison.moves_of
    calls: list[int] = []

    def failing(self: Comparison, grades: Any, lang: str = "en") -> str:
        calls.append(1)
        if len(calls) == 25:
            raise RuntimeError("stop halfway")
        return real(self, grades, lang)

    monkeypatch.setattr(Comparison, "moves_of", failing)
    for fmt in FORMATS:
        calls.clear()
        out = tmp_path / f"out.{fmt}"
        with pytest.raises(RuntimeError, match="stop halfway"):
            run_compare(POLICIES, str(target), [], fmt, str(out), "en", None, Echo())
        assert not out.exists(), fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["population.json"]


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_diff_and_simulate_over_a_canonical_population_whatever_the_spools_hold(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = POLICIES[0], str(EXAMPLE / "japan_mbo_2027.yaml")
    vary = "distributions.performance.min_group_size=5,3"
    runs: dict[str, Callable[[Echo], int]] = {
        "diff": lambda echo: run_diff(old, new, POPULATION, [], fmt, None, "en", echo),
        "simulate": lambda echo: run_simulate(POLICIES[1], POPULATION, vary, [], fmt, None, "en", echo),
    }

    def report(run: Callable[[Echo], int]) -> str:
        echo = Echo()
        run(echo)
        return str(echo.stdout)

    for name, run in runs.items():
        default = report(run)
        with monkeypatch.context() as patched:
            patched.setattr(spool, "THRESHOLD", 1)
            assert report(run) == default, name
        with monkeypatch.context() as patched:
            _whole(patched)
            assert report(run) == default, name


def test_which_population_is_canonical_is_read_from_the_top_level_only(tmp_path: Path) -> None:
    population = _json_population(tmp_path, 3)
    assert is_canonical(str(population)) and is_canonical(POPULATION)
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"employees": [{"id": "E1"}], "people": []}), encoding="utf-8")
    assert not is_canonical(str(records))  # the employees list comes first
    read = read_canonical(str(population))
    try:
        names = [["P1", "Kim Minjun"], ["P2", "Lee Seoyeon"], ["P3", "Park Jihoon"]]
        assert list(read.read) == names
        assert [p.id for p in read.people] == ["P1", "P2", "P3"]  # read again from the file
        assert read.held is None
    finally:
        read.close()


def test_a_mapping_that_gives_two_people_one_id_stops_the_run_and_writes_nothing(tmp_path: Path) -> None:
    """Every person gets the id P1 from japan_mbo's mapping: the run stops at the second one with
    the mapping's name (the population's own ids are unique), and no report is written."""
    folder = tmp_path / "compare"
    folder.mkdir()
    source = Path(POPULATION).parent
    for name in ("population.yaml", "map_japan_mbo.yaml", "map_kumho_like.yaml", "map_kepco_like.yaml"):
        (folder / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    mapping = folder / "map_japan_mbo.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert "\nemployee:\n  name: {from: name}\n" in text
    same_id = text.replace("\nemployee:\n", '\nemployee:\n  id: {value: "P1"}\n', 1)
    mapping.write_text(same_id, encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(DataError) as caught:
        run_compare(POLICIES, str(folder / "population.yaml"), [], "csv", str(out), "en", None, Echo())
    assert str(caught.value) == f"{mapping}: the mapping gives the id P1 to more than one person"
    assert not out.exists()


def test_the_page_writes_the_problems_a_line_at_a_time(tmp_path: Path) -> None:
    """P3's first goal gets target 0 (as above): three errors (japan_mbo evaluates P3 and fails,
    kumho's and kepco's mappings fail on P3), then kumho's eight warnings (P1, P2, P4, P5 left
    in a group of 4 under the minimum of 5, for each of its two distributions). The page's
    ``<pre>`` holds them as one join would, but Jinja2 gives them a line a piece (a million
    problems are never one string)."""
    text = Path(POPULATION).read_text(encoding="utf-8")
    line = "weight: 20, target: 100, actual: 80, midterm: 40"
    population = tmp_path / "population.yaml"
    spoiled = text.replace(line, "weight: 20, target: 0, actual: 80, midterm: 40")
    population.write_text(spoiled, encoding="utf-8")
    comparison = compared_population(POLICIES, str(population), MAPS, None, reasons=False)
    try:
        pieces = list(page_pieces(population_report(comparison)))
    finally:
        comparison.close()
    page = "".join(pieces)
    shown = page[page.rindex("<pre>") + 5 : page.rindex("</pre>")].split("\n")
    quoted = "&#39;actual / target * 100 if measure == &#39;number&#39; else achievement&#39;"
    mapped = f"division by zero in {quoted}"
    failed = f"{mapped} (actual=80, target=0, measure=&#39;number&#39;, achievement=none)"
    assert shown[0].startswith(
        f"japan_mbo: {population}:76:9 (mapped for japan_mbo): P3: error [evaluation-error] achievement: "
        "division by zero in &#39;(max(actual / target * 100, 0)"
    )
    assert shown[1:3] == [
        f"kumho_like: {population}:66:5: P3: error [map-failed] {failed}",
        f"kepco_like: {population}:66:5: P3: error [map-failed] {failed}",
    ]
    small = (
        "group (org=company, role_grade=K3) has 4 members, fewer than the minimum 5, even at the top"
        " of the org tree; merged from (org=civil_div, role_grade=K3)"
    )
    assert shown[3:] == [
        f"kumho_like: {population}: {pid}: warning [distribution-group-too-small] {name}: {small}"
        for name in ("performance", "competency")
        for pid in ("P1", "P2", "P4", "P5")
    ]
    # each line its own piece: the first as it is, every other after its newline
    problems = [p for p in pieces if "error [" in p or "warning [" in p]
    assert problems == [shown[0], *("\n" + s for s in shown[1:])]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_byte_identical_to_the_old_grading(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve people, the five repeated (equal people straddle kumho's grade boundaries): the
    report with the compact grading (a boundary tie kept as a span of ranks, the rows' chunks
    let go as they are joined) is the old grading's byte for byte
    (tests/distribution_reference.py patched in, as test_distribution_compact does)."""
    population = str(_json_population(tmp_path, 12))
    suffix = "txt" if fmt == "text" else fmt
    new = _compared(population, fmt, tmp_path / f"new.{suffix}", explain="P2")
    monkeypatch.setattr(RelativeGrading, "grade", old_grade)
    old = _compared(population, fmt, tmp_path / f"old.{suffix}", explain="P2")
    assert new == old
    if fmt != "json":
        return
    # kumho's group of 12 (all K3 in civil_div): 12 x (10, 20, 40, 20, 10) % = 1.2, 2.4, 4.8, 2.4,
    # 1.2 -> floors 1, 2, 4, 2, 1; two seats left: III (.8), then II over IV (.4 each, better
    # grade): I=1, II=3, III=5, IV=2, V=1. Profile 5 (P5, P10) ranks 1-2, profile 1 (P1, P6,
    # P11) 3-5, profile 4 (P4, P9) 6-7, profile 2 (P2, P7, P12) 8-10, profile 3 (P3, P8) 11-12:
    # each boundary but III's first splits equal people, and the id decides.
    people = json.loads(new)["people"]
    kumho = {p["id"]: p["schemes"]["kumho_like"] for p in people}
    assert [kumho[f"P{i}"]["grade"] for i in range(1, 13)] == [
        "II", "III", "IV", "III", "II", "III", "IV", "V", "III", "I", "II", "III",
    ]  # fmt: skip
    ties = {pid: k["reason"].split("; tie: ")[1] for pid, k in kumho.items() if "; tie: " in k["reason"]}
    across = "are equal on the score and every tie key across the {} boundary; the final key (id) decided"
    # each tie named once in its members' reasons (by label and size), its members listed once
    assert ties == {
        **dict.fromkeys(["P5", "P10"], "T1 (2 people) " + across.format("I/II")),
        **dict.fromkeys(["P1", "P6", "P11"], "T2 (3 people) " + across.format("II/III")),
        **dict.fromkeys(["P2", "P7", "P12"], "T3 (3 people) " + across.format("III/IV")),
        **dict.fromkeys(["P3", "P8"], "T4 (2 people) " + across.format("IV/V")),
    }
    listed = [(t["tie"], t["members"]) for t in json.loads(new)["ties"] if t["scheme"] == "kumho_like"]
    assert listed == [("T1", ["P10", "P5"]), ("T2", ["P1", "P11", "P6"]), ("T3", ["P12", "P2", "P7"]),
                      ("T4", ["P3", "P8"])]  # fmt: skip


def test_the_page_writes_its_tables_a_row_at_a_time(tmp_path: Path) -> None:
    """Twelve people: the page's tables are included, not rendered by a macro (a macro's body
    is one string: the people table of a million would be), so no piece holds two rows; the
    people table has its twelve rows, P1's first: id, name, japan_mbo's score and grade."""
    population = str(_json_population(tmp_path, 12))
    comparison = compared_population(POLICIES, population, MAPS, None, reasons=False)
    try:
        pieces = list(page_pieces(population_report(comparison)))
    finally:
        comparison.close()
    assert max(piece.count("<tr>") for piece in pieces) == 1
    page = "".join(pieces)
    rows = [line for line in page.split("\n") if line.startswith('<tr><td class="">P')]
    assert len(rows) == 12
    assert rows[0].startswith(
        '<tr><td class="">P1</td><td class="">Kim Minjun</td><td class="num">109.00</td><td class="">A</td>'
    )
