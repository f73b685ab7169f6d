"""``hrpolicy diff``: two versions of japan_mbo (examples/compare), the changes in words, who changes."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from helpers import Echo

from engine.commands.diff import run_diff
from engine.compare.derive import derive
from engine.compare.diff import diff_policies
from engine.errors import UsageError
from engine.loader import load_yaml_text
from engine.provenance import stamp_of
from engine.validate import load_policy

ROOT = Path(__file__).resolve().parent.parent
OLD = "policies/japan_mbo.yaml"  # the 2027 example is derived from it: no copy to drift
CHANGE = "examples/compare/japan_mbo_2027.change.yaml"
NEW = "examples/compare/japan_mbo_2027.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def stamps(*paths: str) -> str:
    return "".join(stamp_of(load_policy(p).data).short() + "\n" for p in paths)


def test_the_changes_in_words_and_who_moves() -> None:
    # P1 is a manager at 109.00 % (test_compare): A under 2026 (A is 100 to < 110), S under 2027
    # (S from 108); nobody else is a manager between 108 and 110, and no score changes.
    echo = Echo()
    code = run_diff(OLD, NEW, "examples/compare/population.yaml", [], "text", None, "en", echo)
    assert code == 1
    assert echo.stdout == stamps(OLD, NEW) + (
        f"hrpolicy diff: {OLD} -> {NEW}\n"
        "7 changes to the rules\n"
        "population examples/compare/population.yaml: 1 of 5 people change score, grade or pay\n"
        "\n"
        "== changes\n"
        "change\n"
        "----------------------------------------\n"
        "version: 2026.1 -> 2027.1\n"
        "effective from: 2026-04-01 -> 2027-04-01\n"
        "effective to: 2027-03-31 -> 2028-03-31\n"
        "indicators in all: 5-8 -> 5-9\n"
        "performance goals: 3-5 -> 3-6\n"
        "manager threshold for S: 110 -> 108\n"
        "manager upper bound for A: 110 -> 108\n"
        "\n"
        "== people who change\n"
        "id  name        grade   score             score change\n"
        "--  ----------  ------  ----------------  ------------\n"
        "P1  Kim Minjun  A -> S  109.00 -> 109.00          0.00\n"
        "\n"
        "== grade transitions: japan_mbo 2026.1 -> japan_mbo 2027.1\n"
        "japan_mbo 2026.1 \\ japan_mbo 2027.1  S  A  B  C  D\n"
        "-----------------------------------  -  -  -  -  -\n"
        "S                                    1  0  0  0  0\n"
        "A                                    1  1  0  0  0\n"
        "B                                    0  0  1  0  0\n"
        "C                                    0  0  0  1  0\n"
        "D                                    0  0  0  0  0\n"
    )


def test_no_change_exits_0_even_when_comments_differ(tmp_path: Path) -> None:
    # The policy without any of its comments: the same rules.
    bare = tmp_path / "bare.yaml"
    lines = Path(OLD).read_text(encoding="utf-8").split("\n")
    bare.write_text("\n".join(line for line in lines if not line.lstrip().startswith("#")), encoding="utf-8")
    echo = Echo()
    assert run_diff(OLD, str(bare), None, [], "text", None, "en", echo) == 0
    assert echo.stdout.splitlines()[2:4] == [f"hrpolicy diff: {OLD} -> {bare}", "no change to the rules"]


def test_the_2027_example_is_its_base_plus_its_declared_change() -> None:
    """examples/compare/japan_mbo_2027.yaml is derived, never copied by hand: the base's text
    with the change file's values set (every comment kept). An edit to the base shows here as
    a stale example; ``HRPOLICY_REGENERATE=1 python -m pytest tests/test_diff.py`` derives it again."""
    derived = derive(CHANGE)
    assert derived.target == Path(NEW)
    # The editor modeline names the schema from where the derived file is.
    assert derived.text.split("\n")[0] == "# yaml-language-server: $schema=../../schema/policy.schema.json"
    committed = Path(NEW).read_text(encoding="utf-8")
    if derived.text != committed and os.environ.get("HRPOLICY_REGENERATE") == "1":
        Path(NEW).write_text(derived.text, encoding="utf-8")
        committed = derived.text
    assert load_yaml_text(committed, NEW).data == load_yaml_text(derived.text, NEW).data, (
        f"{NEW} is not {OLD} plus {CHANGE}: derive it again with "
        "HRPOLICY_REGENERATE=1 python -m pytest tests/test_diff.py"
    )
    # Whatever else the base says, the revision is exactly the declared change, in words.
    texts = [c.text for c in diff_policies(load_policy(OLD).data, load_yaml_text(derived.text, NEW).data)]
    assert texts == [
        "version: 2026.1 -> 2027.1",
        "effective from: 2026-04-01 -> 2027-04-01",
        "effective to: 2027-03-31 -> 2028-03-31",
        "indicators in all: 5-8 -> 5-9",
        "performance goals: 3-5 -> 3-6",
        "manager threshold for S: 110 -> 108",
        "manager upper bound for A: 110 -> 108",
    ]
    assert [(p, old, new) for p, old, new in derived.changes][5] == (
        "grade_tables.rating.segments.manager.bands[S].min",
        110,
        108,
    )


def test_a_change_the_base_cannot_take_is_refused(tmp_path: Path) -> None:
    change = tmp_path / "c.yaml"
    base = (ROOT / OLD).as_posix()
    change.write_text(f"hrpolicy-change: 1\nbase: {base}\nset:\n  periods.midterm.weight: 10\n")
    with pytest.raises(UsageError, match=r"^--vary: the policy has no value at periods$"):
        derive(change)
    change.write_text(f"hrpolicy-change: 1\nbase: {base}\nset:\n  metadata.description.en: short\n")
    with pytest.raises(UsageError, match=r"cannot set metadata.description.en: its value is not a single"):
        derive(change)  # a folded block (>-) is not replaced in place
    change.write_text("hrpolicy-change: 1\nset: {a: 1}\n")
    with pytest.raises(UsageError, match=r"needs 'base: PATH' and 'set: \{PATH: VALUE, \.\.\.\}'$"):
        derive(change)


def test_json_lists_each_change_with_its_path() -> None:
    echo = Echo()
    assert run_diff(OLD, NEW, None, [], "json", None, "en", echo) == 1
    payload = json.loads(echo.stdout)
    assert [p["version"] for p in payload["policies"]] == ["2026.1", "2027.1"]
    assert payload["changes"][5] == {
        "path": ["grade_tables", "rating", "segments", "manager", "bands", "[S]", "min"],
        "old": 110,
        "new": 108,
        "text": "manager threshold for S: 110 -> 108",
    }


def test_quota_weights_and_formula_changes_are_phrased() -> None:
    old = load_policy("policies/kumho_like.yaml").data
    new = copy.deepcopy(old)
    new["distributions"]["performance"]["quotas"]["I"] = 15
    new["distributions"]["performance"]["quotas"]["III"] = 35
    new["formulas"]["indicator"]["weighted_points"]["expr"] = "weight * item_points / 50"
    new["indicator_rules"]["categories"]["job_kpi"]["share"] = 70
    texts = [c.text for c in diff_policies(old, new)]
    assert texts == [
        "share of job_kpi: 80 % -> 70 %",
        "formula weighted_points (indicator): weight * item_points / 100 -> weight * item_points / 50",
        "performance quota for grade I: 10 % -> 15 %",
        "performance quota for grade III: 40 % -> 35 %",
    ]


def test_a_reordered_list_is_no_change() -> None:
    old = load_policy("policies/japan_mbo.yaml").data
    new = copy.deepcopy(old)
    bands = new["grade_tables"]["rating"]["segments"]["manager"]["bands"]
    bands.reverse()
    assert [c.text for c in diff_policies(old, new) if "bands" in c.path] == []
