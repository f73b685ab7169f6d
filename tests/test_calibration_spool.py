"""What calibrate keeps per person, down to the compact rows (issue 12 point 1; bench/RESULTS.md,
"calibrate's per-person memory down to the compact rows"): each group's calibration spooled as
it is made and read back in order, nothing of a grading kept once calibrated, the rows written
to a temp file a chunk at a time while they are gathered, text codes and scaled numbers in the
narrowest integers, the grading's per-group objects slotted."""

from __future__ import annotations

import gc
import pickle
import weakref
from decimal import Decimal

import numpy as np
import pytest

import engine.distribution.compact as compact_module
from engine.distribution import Candidate, calibrate, distribute, distribution_from_policy
from engine.distribution.calibrate import GradeCount, calibrate_with
from engine.distribution.compact import ABSENT, Column, Rows, pack
from engine.distribution.model import DistributionProblem
from engine.io.spool import ItemSpool
from engine.validate import load_policy
from tests.conftest import POLICIES

RULE = distribution_from_policy(load_policy(str(POLICIES / "kumho_like.yaml")).data, "performance")


def _people() -> list[Candidate]:
    """Three groups of ten K4 people (orgs a, b, c), scores 100, 95, ..., 55 in each, and three
    K4 people of org d (fewer than the minimum five, d not in the org tree)."""
    fields = {"role_grade": "K4", "competency_score": Decimal(70)}
    people = [
        Candidate(f"{org}{k:02d}", Decimal(100 - 5 * k), {"org": org, **fields})
        for org in "abc"
        for k in range(10)
    ]
    return people + [Candidate(f"d{k}", Decimal(60 + k), {"org": "d", **fields}) for k in (2, 0, 1)]


def _stages() -> tuple[dict[str, str], dict[str, str]]:
    """Group a: the first evaluator's I=3, II=1, III=4, IV=2; the final 1/2/4/2/1 (five moved:
    a01 I->II, a02 I->II, a03 II->III, a07 III->IV, a09 IV->V). b and c: no grade at all."""
    proposed = {f"a{k:02d}": g for k, g in enumerate(["I"] * 3 + ["II"] + ["III"] * 4 + ["IV"] * 2)}
    final = {f"a{k:02d}": g for k, g in enumerate(["I"] + ["II"] * 2 + ["III"] * 4 + ["IV"] * 2 + ["V"])}
    return proposed, final


def test_each_group_is_spooled_as_made_and_read_back_as_calibrated() -> None:
    proposed, final = _stages()
    result = distribute(RULE, _people())
    report = calibrate_with(
        RULE, result, lambda member, _: (proposed.get(member), final.get(member), None), batch=2
    )
    groups = report.groups
    # a and b written as a batch, then c alone (flushed once calibrated: nothing kept in memory)
    assert isinstance(groups, ItemSpool) and len(groups) == 3 and groups.spilled == 3
    a, b, c = groups
    # 10 % / 20 % / 40 % / 20 % / 10 % of ten seats: 1, 2, 4, 2, 1
    assert [(g.grade, g.quota, g.proposed, g.final, g.final_within) for g in a.grades] == [
        ("I", 1, 3, 1, True), ("II", 2, 1, 2, True), ("III", 4, 4, 4, True), ("IV", 2, 2, 2, True),
        ("V", 1, 0, 1, True),
    ]  # fmt: skip
    assert [(m.member, m.proposed, m.final) for m in a.moves] == [
        ("a01", "I", "II"), ("a02", "I", "II"), ("a03", "II", "III"), ("a07", "III", "IV"),
        ("a09", "IV", "V"),
    ]  # fmt: skip
    assert a.within and not a.missing and not b.within and not c.within
    assert b.grades == tuple(GradeCount(g, n, 0, 0, 0) for g, n in RULE.seats(10).items())
    assert b.missing == tuple(f"b{k:02d}" for k in range(10)) and b.moves == ()
    assert c.missing == tuple(f"c{k:02d}" for k in range(10))
    # read again, by index and by slice: the same groups, from either batch
    assert list(groups) == [a, b, c] and groups[-1] == c and groups[0:2] == [a, b] and groups[1] == b
    assert groups == (a, b, c) and not report.within
    # the eager calibration (one batch in memory) is the same
    assert calibrate(RULE, distribute(RULE, _people()), proposed, final).groups == (a, b, c)
    # d's three people: not graded, spooled too, as the grading named them
    assert report.problems == (
        DistributionProblem(
            "distribution-unknown-org",
            "group (org=d, role_grade=K4) has 3 members, fewer than the minimum 5, and org 'd' is not "
            "in the org tree",
            ("d0", "d1", "d2"),
            (("org", "d"), ("role_grade", "K4")),
        ),
    )
    assert isinstance(report.problems, ItemSpool)


def test_nothing_of_the_grading_is_kept_once_calibrated() -> None:
    """b and c list everyone as missing: before, their members were the grading's positions
    read through its ids, which were kept (with every group's positions) until the report."""
    result = distribute(RULE, _people())
    assert result.ids is not None
    ids, whole = weakref.ref(result.ids), weakref.ref(result)
    report = calibrate(RULE, result, {}, {})
    del result
    gc.collect()
    assert ids() is None and whole() is None
    assert [len(g.missing) for g in report.groups] == [10, 10, 10]


def test_a_spool_reads_its_batches_in_order_and_closes() -> None:
    spool: ItemSpool[tuple[int, str]] = ItemSpool(((k, f"p{k}") for k in range(7)), threshold=3)
    assert spool.spilled == 6 and len(spool) == 7
    assert list(spool) == list(spool) == [(k, f"p{k}") for k in range(7)]
    assert (
        spool[4] == (4, "p4") and spool[-1] == (6, "p6") and spool[2:5] == [(2, "p2"), (3, "p3"), (4, "p4")]
    )
    with pytest.raises(IndexError):
        spool[7]
    spool.append((7, "p7"))
    assert len(spool) == 8 and spool[7] == (7, "p7") and spool.spilled == 6
    spool.flush()  # the two waiting, a shorter batch; then another full one after them
    spool.append((8, "p8"))
    assert spool.spilled == 8 and [spool[k] for k in (5, 6, 7, 8)] == [(k, f"p{k}") for k in (5, 6, 7, 8)]
    assert list(spool) == [(k, f"p{k}") for k in range(9)]
    spool.close()
    assert len(spool) == 0 and list(spool) == []


def test_rows_write_each_full_chunk_out_and_read_them_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of four: ten people are two chunks in the temp file and two waiting; joined with
    another process's rows (five: one chunk written), pickled, iterated, frozen: the same fifteen
    people in order."""
    monkeypatch.setattr(compact_module, "CHUNK", 4)
    rows = Rows(["score", "org"], [True, False])
    for k in range(10):
        rows.append(f"P{k:02d}", [Decimal(k), f"o{k % 3}"])
    assert len(rows._ends) == 2 and rows._id_chunks == [] and len(rows._ids) == 2
    other = Rows(["score", "org"], [True, False])
    other.extend([f"Q{k}" for k in range(5)], [[Decimal(k) / 2 for k in range(5)], ["x"] * 5])
    assert len(other._ends) == 1
    rows += other
    expected = [(f"P{k:02d}", Decimal(k), f"o{k % 3}") for k in range(10)]
    expected += [(f"Q{k}", Decimal(k) / 2, "x") for k in range(5)]
    assert list(rows) == expected and len(rows) == 15
    again = pickle.loads(pickle.dumps(rows))
    assert list(again) == expected
    table = again.freeze()
    assert [table.ids.text(p) for p in range(15)] == [e[0] for e in expected]
    assert [table.columns["score"].value(p) for p in range(15)] == [e[1] for e in expected]
    assert table.columns["score"].data.tolist() == [10 * k for k in range(10)] + [0, 5, 10, 15, 20]


def test_text_codes_take_the_narrowest_integers() -> None:
    few = pack([f"t{k}" for k in range(127)] + [ABSENT], False)
    assert few[1].dtype == np.int8 and few[1].tolist()[-2:] == [126, -1]
    more = pack([f"t{k}" for k in range(128)], False)
    assert more[1].dtype == np.int16
    many = pack([f"t{k}" for k in range(40_000)], False)
    assert many[1].dtype == np.int32
    # two chunks of 100 texts each, 50 shared: 150 in all, int16 once joined, recoded in order
    column = Column(
        [pack([f"t{k}" for k in range(100)], False), pack([f"t{k}" for k in range(50, 150)], False)]
    )
    assert column.data.dtype == np.int16 and len(column.texts) == 150
    assert column.data.tolist() == list(range(100)) + list(range(50, 150))
    assert column.value(150) == "t100"


def test_scaled_numbers_take_int32_where_they_fit() -> None:
    widest = pack([Decimal("21474836.47"), ABSENT], True)  # 2**31 - 1 hundredths
    assert widest[1].dtype == np.int32 and widest[1].tolist() == [2**31 - 1, -(2**31)]
    wider = pack([Decimal("21474836.48")], True)
    assert wider[1].dtype == np.int64 and wider[1].tolist() == [2**31]
    # 3 and 1.25: hundredths, int32; 30000000 with 1.25: 3,000,000,000 hundredths, int64
    assert Column([pack([Decimal(3)], True), pack([Decimal("1.25")], True)]).data.dtype == np.int32
    column = Column([pack([Decimal(30_000_000), ABSENT], True), pack([Decimal("1.25")], True)])
    assert column.data.dtype == np.int64 and column.data.tolist() == [3_000_000_000, -(2**63), 125]
    assert column.value(0) == Decimal(30_000_000) and column.value(1) is ABSENT
    assert column.present().tolist() == [True, False, True]


def test_a_grading_keeps_no_instance_dict_per_group_and_its_key_pairs_once() -> None:
    result = distribute(RULE, _people())
    a, b, c = result.groups
    assert not hasattr(a, "__dict__")
    assert a.key[1] is b.key[1] is c.key[1]  # ("role_grade", "K4") made once
