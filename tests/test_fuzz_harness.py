"""The fuzz harness (fuzz/): every target accepts its own seeds, and a real bug is a crash.

The long fuzz run lives outside the suite (``python fuzz/run.py --seconds N``, figures in
fuzz/RESULTS.md); this only proves the harness is sound.
"""

from __future__ import annotations

import pytest

from fuzz.targets import TARGETS, seeds


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_target_runs_its_seeds_without_a_crash(target: str) -> None:
    found = seeds(target)
    assert found
    for data in found:
        TARGETS[target](data)


@pytest.mark.parametrize(
    ("target", "data"),
    [
        ("formula", b"a +"),  # refused by the compiler: no crash
        ("policy", b"\xff\xfe not utf-8"),  # a diagnostic, not an exception
        ("yaml", b"employees: [1, 2"),  # one of our errors
        ("json", b"{"),
        ("csv", b"id\n\x00"),
        ("xlsx", b"PK\x03\x04 not a zip"),
        ("xlsx", b"id,name\nE1,=1+1"),  # CSV-like text becomes a workbook first
    ],
)
def test_bad_inputs_are_not_crashes(target: str, data: bytes) -> None:
    TARGETS[target](data)


def test_a_disagreement_between_the_interpreters_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in outcome that differs on every call: the target must raise, not go on."""
    import fuzz.targets as targets

    real = targets._outcome
    calls = iter(range(10**6))
    monkeypatch.setattr(targets, "_outcome", lambda f, env: (*real(f, env)[:1], str(next(calls))))
    expected = (
        r"^interpreters disagree on 'a \+ 1': generated \('Decimal', '0'\), reference \('Decimal', '1'\)$"
    )
    with pytest.raises(AssertionError, match=expected):
        TARGETS["formula"](b"a + 1")
