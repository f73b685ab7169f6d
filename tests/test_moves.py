"""Who moves between scales of different lengths: grades read by rank position, or as the
mapping declares (``grade_correspondence``); the figures are worked by hand below."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Echo

from engine.commands.compare import run_compare
from engine.compare.readings import rank_correspondence
from engine.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compare"
POPULATION = str(EXAMPLE / "population.yaml")
KUMHO = str(ROOT / "policies" / "kumho_like.yaml")
KUMHO_MAP = str(EXAMPLE / "map_kumho_like.yaml")

FIVE = ["I", "II", "III", "IV", "V"]
HML = [("H", 100), ("M", 60), ("L", 20)]


def test_rank_position_reads_the_best_as_the_best_and_halves_toward_the_middle() -> None:
    # Level i of n (0-based) is level i * (m - 1) / (n - 1) of m: 5 -> 3 gives 0, 0.5, 1, 1.5, 2;
    # the halves go toward the middle (B), so only I and V reach the ends.
    assert rank_correspondence(FIVE, ["A", "B", "C"]) == dict(zip(FIVE, "ABBBC", strict=True))
    # 3 -> 5: 0, 2, 4.
    assert rank_correspondence(["A", "B", "C"], FIVE) == {"A": "I", "B": "III", "C": "V"}
    # 4 -> 3: 0, 2/3, 4/3, 2 round to 0, 1, 1, 2.
    assert rank_correspondence(list("wxyz"), ["A", "B", "C"]) == {"w": "A", "x": "B", "y": "B", "z": "C"}
    # As many levels: level for level.
    assert rank_correspondence(list("SABCD"), FIVE) == dict(zip("SABCD", FIVE, strict=True))


def _lines(text: str, first: str, count: int) -> str:
    """``count`` lines of ``text`` from the one starting (after its indent) with ``first``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(first))
    return "\n".join(lines[start : start + count])


def _three_level(folder: Path, correspondence: str = "") -> tuple[str, str]:
    """japan_mbo with a three-level scale H, M, L: managers H from 105, M 90 to 105, L to 89;
    general staff H from 100, M 85 to 100, L to 84 (scores rounded to whole points)."""
    text = (ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8")
    six, eight = " " * 6, " " * 10
    new = {
        _lines(text, "- {code: S,", 5): "\n".join(f"{six}- {{code: {c}, points: {p}}}" for c, p in HML),
        _lines(text, "- {grade: S, min: 110}", 5): f"{eight}- {{grade: H, min: 105}}\n"
        f"{eight}- {{grade: M, min: 90, max: 105}}\n{eight}- {{grade: L, max: 89, max_inclusive: true}}",
        _lines(text, "- {grade: S, min: 105}", 5): f"{eight}- {{grade: H, min: 100}}\n"
        f"{eight}- {{grade: M, min: 85, max: 100}}\n{eight}- {{grade: L, max: 84, max_inclusive: true}}",
        "  id: japan_mbo\n": "  id: three_level\n",
    }
    for old, replacement in new.items():
        assert text.count(old) == 1
        text = text.replace(old, replacement)
    policy = folder / "three.yaml"
    policy.write_text(text, encoding="utf-8")
    mapping = folder / "map_three.yaml"
    source = (EXAMPLE / "map_japan_mbo.yaml").read_text(encoding="utf-8")
    mapping.write_text(source.replace("policy: japan_mbo", "policy: three_level") + correspondence)
    return str(policy), str(mapping)


def _compare(policy: str, mapping: str, fmt: str = "json") -> Echo:
    echo = Echo()
    code = run_compare([KUMHO, policy], POPULATION, [KUMHO_MAP, mapping], fmt, None, "en", None, echo)
    assert code == 0, echo.stderr
    return echo


def _moves(payload: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {
        p["id"]: (p["schemes"]["kumho_like"]["grade"], p["schemes"]["three_level"]["grade"], p["moves"])
        for p in payload["people"]
    }


def test_five_levels_against_three_by_rank_position(tmp_path: Path) -> None:
    # kumho grades (test_compare): P1 II, P2 III, P3 IV, P4 III, P5 I. Read on H-M-L by rank:
    # I H, II M, III M, IV M, V L. three_level (japan scores, test_compare): P1 manager 109.00 -> H
    # (from 105); P2 100.30 -> 100 -> H (general, from 100); P3 81.00 -> L (below 85); P4 99.00 ->
    # M; P5 110.90 -> H. So P1 M->H up 1, P2 M->H up 1, P3 M->L down 1, P4 M same, P5 H same.
    policy, mapping = _three_level(tmp_path)
    payload = json.loads(_compare(policy, mapping).stdout)
    assert _moves(payload) == {
        "P1": ("II", "H", "up 1"),
        "P2": ("III", "H", "up 1"),
        "P3": ("IV", "L", "down 1"),
        "P4": ("III", "M", "same"),
        "P5": ("I", "H", "same"),
    }
    assert payload["readings"] == [
        {
            "from": "kumho_like",
            "to": "three_level",
            "how": "rank position",
            "grades": {"I": "H", "II": "M", "III": "M", "IV": "M", "V": "L"},
        }
    ]
    text = _compare(policy, mapping, "text").stdout
    assert (
        "== grade correspondence: kumho_like -> three_level\n"
        "kumho_like  three_level  reading\n"
        "----------  -----------  ----------------\n"
        "I           H            by rank position\n"
        "II          M            by rank position\n"
        "III         M            by rank position\n"
        "IV          M            by rank position\n"
        "V           L            by rank position\n"
    ) in text


def test_a_declared_correspondence_is_how_grades_read(tmp_path: Path) -> None:
    # Declared: I H, II H, III M, IV L, V L. P1 II->H, is H: same; P2 III->M, is H: up 1; P3 IV->L,
    # is L: same; P4 III->M, is M: same; P5 I->H: same.
    declared = "grade_correspondence:\n  kumho_like: {I: H, II: H, III: M, IV: L, V: L}\n"
    policy, mapping = _three_level(tmp_path, declared)
    payload = json.loads(_compare(policy, mapping).stdout)
    assert {pid: moved[2] for pid, moved in _moves(payload).items()} == {
        "P1": "same",
        "P2": "up 1",
        "P3": "same",
        "P4": "same",
        "P5": "same",
    }
    assert payload["readings"][0]["how"] == f"declared in {mapping}"
    text = _compare(policy, mapping, "text").stdout
    assert f"II          H            declared in {mapping}\n" in text


# The declaration is appended to the example mapping: its second line is the table, in which
# "  kumho_like: {I: H, " is 21 characters and "II: " 4 more.
LINE = len((EXAMPLE / "map_japan_mbo.yaml").read_text(encoding="utf-8").splitlines()) + 2


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "{I: H, II: X}",
            "the mapping is invalid:\n{mapping}:{line}:26: error [map-unknown-grade] policy three_level has"
            " no grade 'X' on its headline scale (H, M, L)",
        ),
        (
            "{I: H, VI: L}",
            "{mapping}:{line}:22: error [map-unknown-grade] policy kumho_like has no grade 'VI'"
            " (I, II, III, IV, V)",
        ),
        (
            "{I: H, II: M}",
            "{mapping}: error [map-grade-correspondence] grade_correspondence of kumho_like says nothing"
            " of III, IV, V: give every grade its reading",
        ),
    ],
    ids=["unknown-own-grade", "unknown-first-grade", "incomplete"],
)
def test_a_declared_correspondence_names_every_real_grade(tmp_path: Path, table: str, message: str) -> None:
    policy, mapping = _three_level(tmp_path, f"grade_correspondence:\n  kumho_like: {table}\n")
    with pytest.raises(DataError) as raised:
        _compare(policy, mapping)
    assert str(raised.value) == message.format(mapping=mapping, line=LINE)
