"""Seed 000 goal changes through ``hrpolicy workflow`` (kepco_like): "변경내용 이력관리" (``history:
true``: every change dated, each starting from the sheet the previous one left) and "목표값의 변경 :
조정이유에 대한 합당한 근거와 충분한 검토" (``justify_target_changes``)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from engine.cli import cli

POLICY = str(Path(__file__).resolve().parent.parent / "policies" / "kepco_like.yaml")


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "records.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path: str) -> tuple[int, Result]:
    result = CliRunner().invoke(cli, ["workflow", POLICY, path])
    return result.exit_code, result

# At the mid-term batch (reorganisation) K6's sales target moves 500 -> 600 with its reason; after
# the mid-term (uncontrollable factor) it moves again.
FIRST = """\
goal_changes:
  - employee: K6
    reason: reorganisation
    phase: at_midterm
    batch: B1
    made_on: "2026-07-20"
    before: [{id: sales, weight: 70, target: 500}, {id: improve, weight: 30}]
    after: [{id: sales, weight: 70, target: 600, justification: 산업단지 편입}, {id: improve, weight: 30}]
"""


def test_a_change_that_does_not_start_from_the_last_sheet_breaks_the_history(tmp_path: Path) -> None:
    # the second change claims the sheet before it had target 500, but the first change left 600
    second = """\
  - employee: K6
    reason: uncontrollable
    phase: after_midterm
    made_on: "2026-09-14"
    before: [{id: sales, weight: 70, target: 500}, {id: improve, weight: 30}]
    after:
      [{id: sales, weight: 70, target: 550, justification: 정부 요금정책 변경}, {id: improve, weight: 30}]
"""
    path = write(tmp_path, FIRST + second)
    code, echo = run(path)
    assert code == 1
    assert echo.stdout.count("error [") == 1
    assert (
        f"    {path}:9:5: K6: error [goal-change-history] the sheet before this change is not the sheet the"
        " change of 2026-07-20 left (differs on sales)\n"
    ) in echo.stdout
    # starting from the sheet the first change left (600), the history holds
    path = write(tmp_path, FIRST + second.replace("target: 500}", "target: 600}"))
    assert run(path)[0] == 0


def test_an_undated_change_cannot_be_kept_in_the_history(tmp_path: Path) -> None:
    path = write(tmp_path, FIRST.replace('    made_on: "2026-07-20"\n', ""))
    code, echo = run(path)
    assert code == 1
    assert (
        f"{path}:2:5: K6: error [goal-change-history] the change has no date (made_on);"
        " the history orders by it\n"
    ) in echo.stdout


def test_a_changed_target_states_its_justification(tmp_path: Path) -> None:
    path = write(tmp_path, FIRST.replace(", justification: 산업단지 편입", ""))
    code, echo = run(path)
    assert code == 1
    # located at the changed line of `after` (line 8, column 13)
    assert (
        f"{path}:8:13: K6: error [goal-change-justification] indicator sales: target 500 -> 600 states no"
        " justification\n"
    ) in echo.stdout
