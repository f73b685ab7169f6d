"""The compact rows of a forced distribution (engine/distribution/compact.py) against the old
path (tests/distribution_reference.py: the grading as it was, on a Candidate object and a
mapping per person): the same groups, members in the same rank order, grades, seats, ties,
merge paths and problems, on hand-made groups and on generated ones."""

from __future__ import annotations

import io
import json
import pickle
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import distribution_reference as reference
import numpy as np
import pytest
from click.testing import CliRunner
from helpers import DISTRIBUTION_CODES, DISTRIBUTION_TREE, distribution_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import cli
from engine.distribution import Candidate, compile_distribution, distribute
from engine.distribution import compact as compact_module
from engine.distribution.compact import ABSENT, Rows
from engine.distribution.ids import Ids
from engine.errors import DataError
from engine.evaluate import Engine
from engine.evaluate.relative import RelativeGrading
from engine.report.jsonreport import json_relatives, relative_dict
from engine.report.results import RENDERERS
from engine.report.stream import write_report

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.gen_kumho import generate

CODES, TREE = DISTRIBUTION_CODES, DISTRIBUTION_TREE
rule_of = distribution_rule


def cand(pid: str, score: str, org: str = "sales", grade: str = "K3", comp: str | None = "50") -> Candidate:
    fields: dict[str, Any] = {"org": org, "role_grade": grade}
    if comp is not None:
        fields["competency_score"] = Decimal(comp)
    return Candidate(pid, Decimal(score), fields)


def view(result: Any) -> tuple[Any, ...]:
    """Everything a result says, the same way for the old and the compact one."""
    groups = [
        (g.key, g.members, g.grades, dict(g.quota), g.method, g.merged_from, g.ties, g.paths)
        for g in result.groups
    ]
    return result.distribution, groups, [(p.rule, p.message, p.members, p.key) for p in result.problems]


def both(rule: Any, people: list[Candidate], tree: dict[str, str | None] | None = None) -> tuple[Any, ...]:
    """The compact result's view, asserted equal to the old path's."""
    new = distribute(rule, people, tree)
    old = reference.distribute(rule, people, tree)
    assert view(new) == view(old)
    for group in new.groups:
        for member, grade in zip(group.members, group.grades, strict=True):
            assert new.grade_of(member) == grade
    return view(new)


def test_ties_on_score_and_tie_key_split_by_a_boundary() -> None:
    # Ten people, seats 1/2/4/2/1. c1 and c2 are equal on the score (80) and the competency
    # score (70): the id puts c1 first; they straddle the II/III boundary (ranks 3 and 4).
    people = [
        cand("a", "95"),
        cand("b", "90", comp="60"),
        cand("c2", "80", comp="70"),
        cand("c1", "80", comp="70"),
        cand("d", "80", comp="40"),
        cand("e", "70"),
        cand("f", "60"),
        cand("g", "50"),
        cand("h", "40"),
        cand("z", "10"),
    ]
    _, groups, problems = both(rule_of(), people)
    ((key, members, grades, quota, _, _, ties, _),) = groups
    assert key == (("org", "sales"), ("role_grade", "K3")) and problems == []
    assert members == ("a", "b", "c1", "c2", "d", "e", "f", "g", "h", "z")
    assert grades == ("I", "II", "II", "III", "III", "III", "III", "IV", "IV", "V")
    assert quota == {"I": 1, "II": 2, "III": 4, "IV": 2, "V": 1}
    assert [(t.members, t.upper, t.lower) for t in ties] == [(("c1", "c2"), "II", "III")]


def test_equal_scores_of_different_exponents_are_equal() -> None:
    # 87.5 and 87.50 (and 87.500) are one number: the competency score decides (q: 90 first),
    # then the id (p before r). 7 is 7.0: p2 and p3 tie on both keys, the id orders them.
    people = [
        cand("r", "87.500", comp="10"),
        cand("p", "87.50", comp="10"),
        cand("q", "87.5", comp="90"),
        cand("p3", "7.0", comp="1"),
        cand("p2", "7", comp="1.00"),
    ]
    _, groups, _ = both(rule_of(min_group_size=1), people)
    assert groups[0][1] == ("q", "p", "r", "p2", "p3")


def test_negative_and_twenty_digit_scores() -> None:
    # Wider than 64 bits once scaled: ranked as Decimals, exactly; the negatives last.
    people = [
        cand("big", "98765432109876543210"),
        cand("big2", "98765432109876543210.5"),
        cand("neg", "-12345678901234567890.25"),
        cand("neg2", "-0.001"),
        cand("zero", "-0"),
        cand("mid", "12.125"),
    ]
    _, groups, _ = both(rule_of(min_group_size=1), people)
    assert groups[0][1] == ("big2", "big", "mid", "zero", "neg2", "neg")


def test_scores_rescaled_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 2: the first chunk holds integers, a later one hundredths (the earlier chunks
    # are scaled up to it), and a last one a number too wide for 64 bits once scaled by 100
    # (the column falls back to Decimals): the ranking is the same as the old path's.
    monkeypatch.setattr(compact_module, "CHUNK", 2)
    people = [cand(f"p{i}", s) for i, s in enumerate(["5", "7", "6.25", "-1.5", "92233720368547758", "6.2"])]
    _, groups, _ = both(rule_of(min_group_size=1), people)
    assert groups[0][1] == ("p4", "p1", "p2", "p5", "p0", "p3")
    small = [cand(f"s{i}", s) for i, s in enumerate(["5", "7", "6.25", "-1.5", "6.2", "7.00"])]
    assert both(rule_of(min_group_size=1), small)[1][0][1] == ("s1", "s5", "s2", "s4", "s0", "s3")


def test_empty_and_all_lacking() -> None:
    assert both(rule_of(), []) == ("performance", [], [])
    lacking = [cand("x", "1", comp=None), cand("y", "2", comp=None)]
    _, groups, problems = both(rule_of(), lacking)
    assert groups == []
    assert problems == [
        ("distribution-missing-field", "no field 'competency_score' (needed to break ties)", ("x", "y"), ())
    ]


@pytest.mark.parametrize(("size", "merged"), [(5, False), (4, True)])
def test_min_group_size_edge(size: int, merged: bool) -> None:
    # A team of exactly the minimum stays; one fewer moves up to the division.
    people = [cand(f"s{i}", str(50 + i)) for i in range(size)]
    people += [cand(f"d{i}", str(40 + i), org="div") for i in range(5)]
    _, groups, problems = both(rule_of(), people, TREE)
    keys = [g[0][0][1] for g in groups]
    assert keys == (["div"] if merged else ["div", "sales"]) and problems == []
    if merged:  # the four of sales rank first (53..50), then the division's own (44..40)
        moved = "(org=sales, role_grade=K3) has 4 < 5 -> (org=div, role_grade=K3)"
        assert groups[0][7] == (moved,) * 4 + ("",) * 5
        assert groups[0][1] == ("s3", "s2", "s1", "s0", "d4", "d3", "d2", "d1", "d0")


def test_too_small_at_the_top_and_unknown_org() -> None:
    people = [cand("a", "1", org="lab"), cand("b", "2", org="nowhere"), cand("c", "3", org="root")]
    _, groups, problems = both(rule_of(), people, TREE)
    assert groups == []
    assert [p[0] for p in problems] == [
        "distribution-unknown-org",
        "distribution-group-too-small",
    ]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("descending", "tie values cannot be ranked ("),
        ("ascending", "group (org=sales, role_grade=K3): values cannot be ranked ("),
    ],
)
def test_mixed_tie_values_fail_as_before(order: str, message: str) -> None:
    fields = {"org": "sales", "role_grade": "K3", "competency_score": "x"}
    people = [cand("a", "1"), Candidate("b", Decimal(1), fields)]
    rule = rule_of(min_group_size=1, ties=[{"field": "competency_score", "order": order}])
    with pytest.raises(DataError) as new:
        distribute(rule, people)
    with pytest.raises(DataError) as old:
        reference.distribute(rule, people)
    assert str(new.value) == str(old.value)
    assert str(new.value).startswith(message)
    assert "'<' not supported between instances of " in str(new.value)


def test_repeated_ids_fail_as_before() -> None:
    people = [cand("a", "1"), cand("b", "2"), cand("a", "3")]
    with pytest.raises(DataError, match=r"^candidate ids must be unique; repeated: a$"):
        distribute(rule_of(), people)


def test_ids_sort_as_texts_and_are_found() -> None:
    # UTF-8 bytes sort as the texts do ("é" after "z"); an id with a NUL keeps the ids as
    # objects, found all the same.
    people = [cand(pid, "5") for pid in ["é", "z", "a\x00", "a", "Ω"]]
    _, groups, _ = both(rule_of(min_group_size=1, quotas={"I": 100}), people)
    assert groups[0][1] == ("a", "a\x00", "z", "é", "Ω")
    result = distribute(rule_of(min_group_size=1, quotas={"I": 100}), people)
    assert [result.grade_of(p) for p in ["Ω", "a\x00", "é", "nobody"]] == ["I", "I", "I", None]
    assert result.grades_of(["z", "nobody", "a"]) == ["I", None, "I"]


def test_rows_from_processes_joined() -> None:
    # Two workers' rows (their own text codes) pickled and joined: the same grading as one.
    policy = {
        "scales": {"s": {"levels": [{"code": c} for c in CODES]}},
        "distributions": {
            "performance": {
                "scale": "s",
                "score": "p",
                "group_by": ["org"],
                "quotas": {"I": 20, "II": 20, "III": 20, "IV": 20, "V": 20},
                "ties": [{"field": "team", "order": "descending"}],
            }
        },
    }
    people = [(f"e{i}", {"p": Decimal(i % 3)}, {"org": "ab"[i % 2], "team": f"t{i % 4}"}) for i in range(20)]
    one, first, second = RelativeGrading(policy), RelativeGrading(policy), RelativeGrading(policy)
    for k, (pid, values, fields) in enumerate(people):
        one.add_found(pid, values, fields)
        (first if k < 7 else second).add_found(pid, values, fields)
    assert next(iter(second.rows)) == ("e7", Decimal(1), "b", "t3")
    first.rows += pickle.loads(pickle.dumps(second.rows))
    assert len(first.rows) == 20
    assert view(first.grade({})["performance"]) == view(one.grade({})["performance"])


def test_rows_keep_a_field_absent_apart_from_none() -> None:
    rows = Rows(["x", "y"], [True, False])
    rows.append("a", [Decimal("1.5"), ABSENT])
    rows.append("b", [ABSENT, None])
    assert list(rows) == [("a", Decimal("1.5"), ABSENT), ("b", ABSENT, None)]
    table = rows.freeze()
    assert table.columns["x"].kind == "number" and table.columns["y"].kind == "object"
    assert table.columns["x"].present().tolist() == [True, False]


SCORES = st.sampled_from(["1", "1.0", "1.00", "2.5", "2.50", "-3", "0", "-0", "99999999999999999999.9", "7"])


@st.composite
def populations(draw: Any) -> list[Candidate]:
    count = draw(st.integers(0, 40))
    people = []
    for i in range(count):
        fields: dict[str, Any] = {
            "org": draw(st.sampled_from(["root", "div", "sales", "ops", "lab", "gone"])),
            "role_grade": draw(st.sampled_from(["K1", "K2"])),
        }
        if draw(st.integers(0, 9)):
            fields["competency_score"] = Decimal(draw(SCORES))
        people.append(Candidate(f"e{draw(st.integers(0, 3))}{i:02d}", Decimal(draw(SCORES)), fields))
    return people


@settings(max_examples=150, deadline=None)
@given(
    populations(),
    st.sampled_from([1, 2, 3, 5]),
    st.sampled_from(["own", "subtree"]),
    st.sampled_from(["ascending", "descending"]),
)
def test_generated_populations_grade_as_the_old_path(
    people: list[Candidate], minimum: int, pool: str, order: str
) -> None:
    rule = rule_of(
        min_group_size=minimum,
        order=order,
        merge={"parent_field": "parent_org", "keep": ["role_grade"], "pool": pool},
        ties=[{"field": "competency_score", "order": order}, {"field": "id", "order": "descending"}],
    )
    both(rule, people, TREE)


# --- the reports, byte for byte -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")


def _old_grade(
    self: RelativeGrading, org_parent: Mapping[str, str | None], done: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """:meth:`RelativeGrading.grade` as it was: a Candidate and a mapping per person, graded by
    the old path (the rows read back as objects: equal numbers, same texts); ``done`` told as
    the new one tells it."""
    rows = list(self.rows)
    self.rows.clear()
    first = 1 + len(self.rules)
    out = {}
    for index, rule in enumerate(self.rules, start=1):
        people = [
            Candidate(
                row[0],
                row[index],
                {k: v for k, v in zip(self.kept, row[first:], strict=True) if v is not ABSENT},
            )
            for row in rows
            if row[index] is not ABSENT
        ]
        out[rule.name] = reference.distribute(rule, people, org_parent)
        if done is not None:
            done(len(out))
    return out


@pytest.fixture(scope="module")
def kumho(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """300 generated kumho employees with their org tree: small groups merge up, four rating
    levels make equal scores across grade boundaries common."""
    path = tmp_path_factory.mktemp("compact") / "kumho.csv"
    return path, generate(300, str(path), seed=7)  # two ties across the performance boundaries


def _reports(path: Path, tree: dict[str, str | None], tmp: Path) -> dict[str, str]:
    engine = Engine.from_file(KUMHO)
    found = {}
    for fmt in ("csv", "json", "text"):
        population = engine.read(str(path))
        population.org_parent.update(tree)
        found[f"whole {fmt}"] = str(RENDERERS[fmt](engine.evaluate(population)))
    for fmt in ("csv", "json"):
        for workers in (1, 2):
            out = io.StringIO()
            write_report(engine, str(path), fmt, out, workers=workers, min_bytes=0, org_parent=tree)
            found[f"streamed {fmt} {workers}"] = out.getvalue()
    for fmt in ("json", "text"):
        target = tmp / f"simulate.{fmt}"
        vary = "distributions.performance.min_group_size=5,3"
        args = [
            "simulate",
            KUMHO,
            "--population",
            str(path),
            "--vary",
            vary,
            "--format",
            fmt,
            "-o",
            str(target),
        ]
        assert CliRunner().invoke(cli, args).exit_code in (0, 1)
        found[f"simulate {fmt}"] = target.read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("with_tree", [True, False])
def test_every_report_is_byte_identical_to_the_old_grading(
    kumho: tuple[Path, dict[str, str | None]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    with_tree: bool,
) -> None:
    """evaluate (whole file: CSV, JSON, text; streamed: CSV, JSON, one and two workers) and
    simulate (JSON, text): with the org tree small groups merge up the tree; without it they
    cannot and their people are reported not graded."""
    path, full = kumho
    tree = full if with_tree else {}
    new = _reports(path, tree, tmp_path)
    monkeypatch.setattr(RelativeGrading, "grade", _old_grade)
    old = _reports(path, tree, tmp_path)
    assert new.keys() == old.keys()
    for name in new:
        assert new[name] == old[name], name
    shown = new["whole json"]
    # the run's features in the reports: merged groups, people equal across a boundary (each
    # one's reason names the tie), people not graded (null grades, two distributions each)
    features = (shown.count("merge path: "), shown.count("; tie: "), shown.count('"grade": null'))
    assert features == ((568, 5, 12) if with_tree else (0, 2, 38))


@pytest.mark.parametrize("with_tree", [True, False])
def test_a_block_of_outcomes_is_each_ones_outcome_and_its_json_the_standard_librarys(
    kumho: tuple[Path, dict[str, str | None]], with_tree: bool
) -> None:
    """``outcomes_of`` (groups, ranks and grades read for a block at once, the seats' text
    written once a size) gives what ``outcome`` gives one at a time, merged groups, ties and
    people not graded included; ``json_relatives`` writes what ``json.dumps(indent=2)`` writes."""
    path, full = kumho
    engine = Engine.from_file(KUMHO)
    population = engine.read(str(path))
    population.org_parent.update(full if with_tree else {})
    outcome = engine.evaluate(population)
    people = [r.id for r in population.employees] + ["nobody"]
    for result in outcome.relative.values():
        assert result.outcomes_of(people) == [result.outcome(e) for e in people]
    texts = [json.dumps(relative_dict(outcome, e), ensure_ascii=False, indent=2) for e in people]
    assert json_relatives(outcome, people) == [t.replace("\n", "\n      ") for t in texts]
    assert texts[-1] == "{}" and sum(t.count("; tie: ") for t in texts) == (5 if with_tree else 2)
    assert sum(t.count("merge path: ") for t in texts) == (568 if with_tree else 0)


def test_ids_of_every_length_are_found_and_only_they() -> None:
    # Packed to the longest id's width: an empty id, a prefix of another, a longer one asked
    # for; 5 people at 50/50: 2.5 seats each, the equal remainder to the better grade (A=3).
    rule = compile_distribution({"score": "s", "quotas": {"A": 50, "B": 50}}, ["A", "B"], name="d")
    people = [Candidate(i, Decimal(n), {}) for n, i in enumerate(["", "b", "abc", "H0000001", "ab"])]
    result = distribute(rule, people)
    assert result.groups[0].members == ("ab", "H0000001", "abc", "b", "")
    asked = ["", "b", "abc", "H0000001", "ab", "H00000011", "a", "H000000"]
    found = ["B", "B", "A", "A", "A", None, None, None]
    assert [result.grade_of(i) for i in asked] == found
    assert result.grades_of(asked) == found


def packed_ids(ids: list[str]) -> Ids:
    return Ids([np.array([i.encode() for i in ids], dtype="S")])


@pytest.mark.parametrize("ids", [["", "H1", "H10", "H2", "b"], ["b", "H2", "", "H10", "H1"]])
def test_ascending_ids_keep_no_order_and_are_found_as_sorted_ones(ids: list[str]) -> None:
    """Ids ascending as a sorted file gives them keep no sort order (it is their positions);
    others are sorted. Both find, rank and check every id alike."""
    joined = packed_ids(ids)
    ascending = ids == sorted(ids)
    assert joined.ascending is ascending and (joined._order is None) is ascending
    assert joined.order.tolist() == sorted(range(len(ids)), key=ids.__getitem__)
    assert joined.rank().tolist() == [sorted(ids).index(i) for i in ids]
    asked = [*ids, "H0", "H11", "c", ""]
    expected = [ids.index(i) if i in ids else -1 for i in asked]
    assert [(-1 if (p := joined.position(i)) is None else p) for i in asked] == expected
    assert packed_ids(ids).positions(asked).tolist() == expected
    joined.check_unique(np.arange(len(ids), dtype=np.int32))


def test_ids_in_order_but_repeated_do_not_ascend() -> None:
    joined = packed_ids(["H1", "H2", "H3", "H3"])
    assert not joined.ascending
    with pytest.raises(DataError, match=r"repeated: H3$"):
        joined.check_unique(np.arange(4, dtype=np.int32))
    joined.check_unique(np.array([0, 1, 2], dtype=np.int32))


def test_chunks_are_joined_in_place_and_let_go_as_they_are_copied() -> None:
    """A column's chunks, and the ids', are emptied as they are joined: the values are those of
    the chunks end to end (numbers on the widest scale, texts recoded in first-seen order)."""
    ids = [np.array([b"b", b"a"], dtype="S1"), np.array([b"ccc"], dtype="S3")]
    joined = compact_module.Ids(ids)
    assert ids == [] and joined.data.tolist() == [b"b", b"a", b"ccc"] and joined.data.dtype == "S3"
    assert joined.order.tolist() == [1, 0, 2] and joined.position("ccc") == 2
    numbers = [
        compact_module.pack([Decimal("87.5"), ABSENT], True),
        compact_module.pack([Decimal("1.25")], True),
    ]
    assert numbers[0][2] == 1 and numbers[1][2] == 2  # 875 tenths, 125 hundredths
    column = compact_module.Column(numbers)
    assert numbers == [] and column.places == 2
    # narrow numbers in int32, absent marked by its least value (tests/test_calibration_spool.py)
    assert column.data.dtype == np.int32 and column.data.tolist() == [8750, -(2**31), 125]
    texts = [compact_module.pack(["x", "y"], False), compact_module.pack(["y", ABSENT, "z"], False)]
    column = compact_module.Column(texts)
    assert texts == [] and column.texts == ("x", "y", "z") and column.data.tolist() == [0, 1, 1, -1, 2]
    # 92233720368547759 scaled by 100 is past 2**63 - 1: the column is Decimals again
    wide = [
        compact_module.pack([Decimal("92233720368547759")], True),
        compact_module.pack([Decimal("6.25")], True),
    ]
    column = compact_module.Column(wide)
    assert column.kind == "object" and column.data == [Decimal("92233720368547759"), Decimal("6.25")]


def test_freezing_never_holds_the_chunks_and_the_table_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """20,000 people in chunks of 1,000 (ids of 7 bytes, a score, an organisation): the frozen
    table is 12 bytes a person (id 7, score 4: tenths below 100 fit int32, organisation code 1:
    seven texts number in a byte; the ids ascend, so no order of them is held). While gathered,
    every full chunk is in a temp file: less than a chunk's table is held. Frozen, the chunks
    are read back (12 bytes a person) and joining lets each go as it is copied, so the freeze
    allocates at most the table and the check that the ids ascend (a byte a person): never the
    chunks and the table at once (the old join, concatenating, peaked 27 bytes a person above
    the chunks; the ids' sort was 8 bytes a person, then 4 held)."""
    monkeypatch.setattr(compact_module, "CHUNK", 1000)
    n = 20_000
    tracemalloc.start()
    try:
        rows = Rows(["score", "org"], [True, False])
        for i in range(n):
            rows.append(f"P{i:06d}", [Decimal(i % 997).scaleb(-1), f"o{i % 7}"])
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        table = rows.freeze()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    arrays = [table.ids.data, *(c.data for c in table.columns.values())]
    assert [a.dtype.itemsize for a in arrays] == [7, 4, 1]
    assert sum(a.nbytes for a in arrays) == 12 * n
    assert table.ids.ascending and table.ids._order is None
    # the chunks in the temp file; held: less than a chunk's table, and the organisations' text
    # table (7 texts, their dict: some 700 bytes, kept for every chunk since 6637c2d)
    assert before < 16 * 1000 + 1024
    assert peak - before <= 12 * n + 12 * n + 2 * 16 * 1000  # the table, the chunks read back, two chunks


def test_groups_split_on_one_combined_key_keep_their_first_seen_order() -> None:
    """Six people over three (org, role_grade) groups, interleaved: the groups come in the
    order each first appears, (sales, K3), (ops, K2), (sales, K2), each member in file order;
    the one lacking a tie field is left out with its problem."""
    from engine.distribution.groups import form_groups

    rows = Rows(["org", "role_grade", "competency_score"], [False, False, True])
    people = [
        ("a", "sales", "K3", Decimal(1)),
        ("b", "ops", "K2", Decimal(2)),
        ("c", "sales", "K2", Decimal(3)),
        ("d", "ops", "K2", Decimal(4)),
        ("e", "sales", "K3", ABSENT),
        ("f", "sales", "K3", Decimal(6)),
    ]
    for pid, *values in people:
        rows.append(pid, values)
    table = rows.freeze()
    pools, problems = form_groups(rule_of(min_group_size=1), table, np.arange(6), {})
    assert [(key, pool.positions().tolist()) for key, pool in pools.items()] == [
        (("sales", "K3"), [0, 5]),
        (("ops", "K2"), [1, 3]),
        (("sales", "K2"), [2]),
    ]
    assert [(p.rule, p.members) for p in problems] == [("distribution-missing-field", ("e",))]
