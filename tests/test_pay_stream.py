"""``pay`` in bounded memory: the employees read one at a time, their lines and the pool's values
spooled, the reports written a piece at a time, the evaluated results kept on disk.

The spools hold :data:`engine.io.spool.THRESHOLD` items in memory; with it forced to 1 every line,
share, value and problem goes through the temp files, and every report must be the very same bytes
(the workbook: the same cells) as with the default.
"""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from helpers import Echo

import engine.io.spool as spool
from engine.commands.pay import run_pay
from engine.errors import DataError
from engine.io.keyed import IdStore
from engine.pay import allocate
from engine.pay import run as pay_run
from engine.pay.incentive import individual_values, share_pool
from engine.pay.merit import PayValue
from engine.pay.shares import Allocation

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
JAPAN = str(ROOT / "policies" / "japan_mbo.yaml")
KUMHO_PAY = ROOT / "examples" / "kumho_like" / "pay.yaml"
JAPAN_RECORDS = str(ROOT / "examples" / "japan_mbo" / "employees.yaml")
FORMATS = ("text", "json", "csv", "html", "xlsx")


def kumho_file(tmp_path: Path, copies: int = 3, bad: bool = True) -> str:
    """The example's eight employees ``copies`` times under new ids; with ``bad``, one id twice, a
    base pay that is text and a promotion credit that is no number."""
    example = yaml.safe_load(KUMHO_PAY.read_text(encoding="utf-8"))
    people = [{**e, "id": f"{e['id']}_{n}"} for n in range(copies) for e in example["employees"]]
    if bad:
        people[3] = {**people[3], "id": people[2]["id"]}
        people[5] = {**people[5], "base_pay": "lots"}
        people[9] = copy.deepcopy(people[9])
        people[9]["promotion"]["credits"] = "x"
    path = tmp_path / "pay.yaml"
    path.write_text(yaml.safe_dump({**example, "employees": people}, allow_unicode=True), encoding="utf-8")
    return str(path)


def japan_csv(tmp_path: Path) -> str:
    """The japan example's pay file as a CSV file, with an employee the records do not have."""
    rows = ["id,name,bonus_base", "E001,山田 太郎,800000", "E002,佐藤 花子,900000", "E003,鈴木 一郎,500000"]
    rows += ["E004,高橋 美咲,450000", "E404,いない 人,100000", "E012,山本 浩二,777777"]
    path = tmp_path / "pay.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def report(policy: str, data: str, fmt: str, out: Path, records: str | None = None) -> tuple[int, str, Any]:
    """Exit code, stderr and the report (text; a workbook's cells sheet by sheet)."""
    echo = Echo()
    target = out / f"report.{fmt}"
    code = run_pay(policy, data, fmt, str(target), echo, records=records)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(target)
        cells = {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}
        return code, echo.stderr, cells
    return code, echo.stderr, target.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", ["kumho", "japan"])
def test_reports_are_the_same_whatever_the_spool_threshold(
    case: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case == "kumho":
        policy, data, records = KUMHO, kumho_file(tmp_path), None
    else:
        policy, data, records = JAPAN, japan_csv(tmp_path), JAPAN_RECORDS
    (tmp_path / "default").mkdir()
    (tmp_path / "tiny").mkdir()
    default = report(policy, data, fmt, tmp_path / "default", records)
    monkeypatch.setattr(spool, "THRESHOLD", 1)
    tiny = report(policy, data, fmt, tmp_path / "tiny", records)
    assert tiny == default
    assert default[0] == 1  # the problems are there, in both (in a text report, not on stderr)
    said = default[1] + str(default[2])
    if case == "kumho":
        assert "H103_0: error [pay-duplicate-employee] employee H103_0 appears twice" in said
        assert "hrpolicy: 3 problems, 3 of 24 employees affected" in default[1]
    else:
        assert "E404: error [pay-bonus] employee E404: no evaluated result" in said


def test_the_spools_spill_when_the_threshold_is_tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (the test above would pass if nothing ever went to a temp file)
    spilled: list[int] = []
    real = spool._Spool._spill

    def counting(self: Any) -> None:
        spilled.append(len(self._memory))
        real(self)

    monkeypatch.setattr(spool._Spool, "_spill", counting)
    monkeypatch.setattr(spool, "THRESHOLD", 1)
    report(KUMHO, kumho_file(tmp_path), "csv", tmp_path)
    # 24 lines, 23 values and 23 shares (one employee has a bad value), 3 problems: one at a time
    assert len(spilled) == 24 + 23 + 23 + 3 and set(spilled) == {1}


def test_each_individual_value_is_computed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    computed: list[tuple[str, D]] = []
    real = individual_values  # what the run calls, counted

    def counting(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        computed.extend((emp, value.value) for emp, value in found)
        return found

    monkeypatch.setattr(pay_run, "individual_values", counting)
    echo = Echo()
    assert run_pay(KUMHO, str(KUMHO_PAY), "json", None, echo) == 0
    # The example's indices (vp x 30 + division x 30 + team x 40) / 100, coefficient 1.0: H101
    # (3000 + 3300 + 4400) / 100 = 107, H102 (3000 + 3300 + 4000) / 100 = 103; each once.
    assert len(computed) == 8 and len({emp for emp, _ in computed}) == 8
    assert computed[:2] == [("H101", D(107)), ("H102", D(103))]
    assert '"individual": "107"' in echo.stdout


def test_shares_read_back_from_a_spool_are_the_whole_lists_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hand-worked case of test_pay.py (7 equal values: e01..e04 by id get the 4 units left),
    # given in reverse order, read from a spool of one item in memory.
    monkeypatch.setattr(spool, "THRESHOLD", 1)
    values = spool.ItemSpool((f"e0{i}", D(100)) for i in range(7, 0, -1))
    shares = allocate(D(10000000), list(values), D(1000), "down", "largest_remainder")
    allocation = Allocation(D(10000000), D(1000), "down", "largest_remainder", lambda: values)
    assert [allocation.share(emp, value)[1:] for emp, value in values] == [
        (1428, emp <= "e04") for emp, _ in values
    ]
    assert {s.employee: s.amount for s in shares} == {
        **{f"e0{i}": D(1429000) for i in range(1, 5)},
        **{f"e0{i}": D(1428000) for i in range(5, 8)},
    }


def test_remainders_past_64_bits_are_compared_exactly() -> None:
    # 3 units of 1 over values 10**30 + 1, 10**30 and 10**30 - 1 (given exactly; their sum is
    # 3 x 10**30): exact shares 1 + 10**-30, 1 and 1 - 10**-30 units; floors 1 + 1 + 0 = 2, so
    # the 1 unit left goes to the largest remainder, the third's; the total is past int64.
    values = [("a", D("1" + "0" * 29 + "1")), ("b", D("1" + "0" * 30)), ("c", D("9" * 30))]
    shares = allocate(D(3), values, D(1), "down", "largest_remainder")
    assert [(s.employee, s.amount, s.extra_unit) for s in shares] == [
        ("a", D(1), False),
        ("b", D(1), False),
        ("c", D(1), True),
    ]


def test_an_id_given_twice_counts_once_with_its_last_value() -> None:
    # As a mapping by id: 'a' is 1 (its last value), 'b' 1; total 3 (every value given);
    # 10 units: exact a 10 x 1 / 3 = 3.33 (both times), b 3.33; floors 3 + 3 = 6 by id, 4 left:
    # both ids get one (and each 'a' row shows it).
    shares = allocate(D(10), [("a", D(1)), ("b", D(1)), ("a", D(1))], D(1), "down", "largest_remainder")
    assert [(s.employee, s.amount) for s in shares] == [("a", D(4)), ("b", D(4)), ("a", D(4))]


def test_the_pool_is_shared_by_the_values_it_is_given_once() -> None:
    # share_pool reads the values as often as it needs; they are computed by its caller.
    policy = yaml.safe_load(Path(KUMHO).read_text(encoding="utf-8"))
    company = {"company_attainment": 125, "total_base_pay": 100000000, "capital_impaired": False,
               "cash_payment_capacity_3y": True}  # fmt: skip
    values = [("x", PayValue(D(1), ("1",))), ("y", PayValue(D(3), ("3",)))]
    reads = []

    def individuals() -> list[tuple[str, PayValue]]:
        reads.append(1)
        return values

    result = share_pool(policy, company, individuals)
    # pool 100,000,000 x 20 / 20 x 17 / 100 = 17,000,000: x 4,250,000, y 12,750,000
    assert [s.amount for s in result.shares] == [D(4250000), D(12750000)]
    assert result.total == result.paid_pool == D(17000000)
    assert (
        "individual x: 1" in result.trace
        and "share y: 17000000 x 3 / 4 = 12750000 -> 12750000" in result.trace
    )


def test_the_id_store_keeps_values_on_disk_by_id() -> None:
    store = IdStore()
    for n in range(10000):
        store.put(f"E{n:05d}", {"score": D(n) / 4})
    store.put("E00002", "replaced")
    store.put_new("E00003", "not kept: E00003 has a value")
    store.put_new("X", "kept")
    assert store["E09999"] == {"score": D("2499.75")}
    assert (store["E00002"], store["E00003"], store["X"]) == ("replaced", {"score": D("0.75")}, "kept")
    assert store.get("nobody") is None and len(store) == 10001
    store.close()


def test_a_bad_row_of_a_csv_pay_file_stops_the_run_with_its_place(tmp_path: Path) -> None:
    data = tmp_path / "pay.csv"
    data.write_text("id,name,bonus_base\nE001,山田 太郎,800000\n,名無し,1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(DataError, match=r"pay\.csv:3:1: an employee needs an 'id'"):
        run_pay(JAPAN, str(data), "csv", str(out), Echo(), records=JAPAN_RECORDS)
    assert not out.exists()


def test_records_read_again_whole_keep_only_the_whole_reads_values(tmp_path: Path) -> None:
    # E003 twice at the end: the stream has evaluated (and kept) E001..E012 when it meets the
    # second E003 and gives up; the file is read whole, where E003 is a duplicate and evaluated
    # by no one. The values the stream kept for E003 must not be used.
    records = yaml.safe_load(Path(JAPAN_RECORDS).read_text(encoding="utf-8"))
    records["employees"].append(dict(records["employees"][2]))
    path = tmp_path / "records.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    echo = Echo()
    pay = str(ROOT / "examples" / "japan_mbo" / "pay.yaml")
    assert run_pay(JAPAN, pay, "csv", None, echo, records=str(path)) == 1
    bonus = {row.split(",")[0]: row.split(",")[-1] for row in echo.stdout.splitlines()[2:]}
    # E001 800,000 x 79.50 / 100 = 636,000; E012 777,777 x 79.40 / 100 -> 617,554 (the example's)
    assert (bonus["E001"], bonus["E003"], bonus["E012"]) == ("636000", "", "617554")
    assert (
        f"E003: error [pay-bonus] employee E003: no evaluated result: {path}: [record-duplicate-id]"
        in echo.stderr
    )
