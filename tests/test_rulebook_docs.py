"""Issue 10 point 14: docs/records.md documents every field the commands read, says which command
checks what, and the japan score formula is marked as an assumption where the seed does not state it.

The keys are read from the code that reads them, so a key added to a reader without a line in the
docs fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.io.nested import _ORG_RULES, TOP_LEVEL

ROOT = Path(__file__).resolve().parent.parent
RECORDS = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
SEED_002 = next((Path("/work/shared/seeds")).glob("002_*.txt"), None)


def _section(title: str) -> str:
    start = RECORDS.index(f"## {title}")
    end = RECORDS.index("\n## ", start + 1)
    return RECORDS[start:end]


def test_every_evaluation_key_the_chain_review_reads_is_documented() -> None:
    # stage_results.py reads the stages' keys, periods.py the period each evaluation belongs to
    source = "".join(
        (ROOT / "engine" / "chains" / f).read_text(encoding="utf-8")
        for f in ("stage_results.py", "periods.py")
    )
    read = set(re.findall(r'raw\.get\("([a-z_]+)"\)', source))
    keys = {
        "period",
        "stage",
        "evaluator",
        "evaluator_level",
        "grade",
        "grades",
        "ratings",
        "reason",
        "confirmed",
    }
    assert read == keys
    section = _section("Every field the commands read")
    for key in sorted(read):
        assert f"| `{key}` |" in section, key


def test_the_org_tree_fixed_ids_and_top_level_keys_are_documented() -> None:
    section = _section("Every field the commands read")
    assert set(_ORG_RULES) == {"id", "parent", "name"}
    assert "| `org_units[].id`, `.parent`, `.name` |" in section
    assert "`parent` is the id of the unit above (`null` at the top)" in section
    assert "| `indicators[].fixed_id` |" in section
    for key in TOP_LEVEL:
        if key != "$schema":
            assert f"`{key}" in section, key


def test_the_docs_say_which_command_checks_what() -> None:
    section = _section("Every field the commands read")
    table = section[section.index("### Which command checks what") :]
    header = table.splitlines()[2]
    assert header == (
        "| check | `validate` | `evaluate` / `explain` | `calibrate` | `pay` | `jobeval` | `workflow` |"
    )
    assert (
        "| evaluator chain: which applies (per period), stages, grades and ratings on their scales, override"
        " reasons, confirmations | | yes (a stage not yet evaluated is no problem, except in a chain that"
        " `confirms_period`: kepco_like's July check by 부장 then 부서장) | yes (every stage must be"
        " evaluated) | | | |"
    ) in table


def test_the_japan_score_formula_is_an_assumption() -> None:
    # Seed 002 names 重み付け (weights, §7(2)) and 難易度 (difficulty, §7(3)) and the percent result,
    # but no formula that multiplies them: "ウエイト×達成率×難易度" appears nowhere in it.
    if SEED_002 is not None:
        seed = SEED_002.read_text(encoding="utf-8")
        assert "難易度" in seed and "重み付け" in seed
        assert "×難易度" not in seed and "x 難易度" not in seed
    policy = (ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8")
    before = policy[: policy.index("    weighted:\n")]
    comment = before[before.rindex("round: {mode: half_up, places: 1}") :]
    assert "# ASSUMPTION: score = sum over goals of weight x achievement x difficulty / 100" in comment
    assert "is an **assumption** of\njapan_mbo" in RECORDS
