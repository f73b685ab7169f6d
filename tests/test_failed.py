"""The failed employees' ids (engine/io/failed.py): sorted, each once, made in one pass over the
problems through sorted runs in a temp file, whatever order the problems come in."""

from __future__ import annotations

import random

import pytest

from engine.errors import Problem
from engine.io import failed
from engine.io.failed import FailedIds


def _problems(ids: list[str | None]) -> list[Problem]:
    return [
        Problem(emp_id, None, "sheet-weight-total", "weights add up to 101", "f.csv:row 2") for emp_id in ids
    ]


def test_small_lists_stay_in_memory() -> None:
    found = FailedIds(_problems(["E3", None, "E1", "E3", "E2", None]))
    assert list(found) == ["E1", "E2", "E3"] and len(found) == 3
    assert (
        found == ["E1", "E2", "E3"]
        and found != ["E1", "E2"]
        and found == FailedIds(_problems(["E2", "E1", "E3"]))
    )
    assert found._file is None  # nothing written
    assert list(FailedIds([])) == [] and len(FailedIds(_problems([None]))) == 0


def test_ids_in_order_make_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorted ids (several problems each, as a sorted file gives them) extend one run: 10
    batches of 3 ids (RUN 3, BATCH 3) and 1 id left in memory."""
    monkeypatch.setattr(failed, "RUN", 3)
    monkeypatch.setattr(failed, "BATCH", 2)
    ids = [f"E{n:03d}" for n in range(31)]
    found = FailedIds(_problems([i for i in ids for _ in range(3)] + [None]))
    assert len(found._runs) == 1 and len(found._runs[0]) == 20  # 10 runs of 3, 2 batches each
    assert found._memory == ["E030"]
    assert list(found) == ids and len(found) == 31
    assert list(found) == ids  # read again
    found.close()
    assert list(found) == [] and len(found) == 0


def test_ids_in_any_order_are_merged_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shuffled ids, some many times: each chunk of RUN ids is a sorted run of its own; the runs
    merged give every id once, in order, and the count is of distinct ids."""
    monkeypatch.setattr(failed, "RUN", 7)
    monkeypatch.setattr(failed, "BATCH", 3)
    rng = random.Random(5)
    ids = [f"E{n:04d}" for n in range(500)]
    given: list[str | None] = [*ids, *rng.sample(ids, 200), None, None]
    rng.shuffle(given)
    found = FailedIds(_problems(given))
    assert len(found._runs) > 10
    assert list(found) == ids and len(found) == 500
    assert found == ids


def test_a_run_that_does_not_follow_starts_a_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(failed, "RUN", 2)
    found = FailedIds(_problems(["E5", "E6", "E7", "E8", "E1", "E2", "E9"]))
    assert len(found._runs) == 2 and found._memory == ["E9"]
    assert list(found) == ["E1", "E2", "E5", "E6", "E7", "E8", "E9"] and len(found) == 7
    # the last id in memory before the end of the written run: counted by merging, once
    again = FailedIds(_problems(["E1", "E2", "E3", "E4", "E2"]))
    assert list(again) == ["E1", "E2", "E3", "E4"] and len(again) == 4
