"""Arrow's compute functions called by name (engine/arrowcompute.py) give what
``pyarrow.compute``'s give, on the same arguments; numpy arrays become the arrays ``pa.array``
makes; and a split run (parent and workers) imports neither ``pyarrow.compute`` (45 ms) nor
``numpy.ma`` (16 ms a worker) nor ``dateutil`` (5 ms a worker)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import engine.arrowcompute as ac

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_population import generate  # noqa: E402

TEXTS = pa.array(["a", " b", None, "12.50", "ü ", "", "x\ty", "a"], pa.string())
TRUTHS = np.array([True, False, True, True, False, False, True, False])
INDICES = np.array([7, 0, 3, 3], np.int64)
NUMBERS = pa.array([1, None, -3], pa.int32())
KNOWN = pa.array(["a", "12.50"])


def _same(found: Any, expected: Any) -> None:
    assert type(found) is type(expected)
    assert found.equals(expected), (found, expected)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("take", (TEXTS, INDICES), pc.take(TEXTS, pa.array(INDICES))),
        ("filter_by", (TEXTS, TRUTHS), pc.filter(TEXTS, pa.array(TRUTHS))),
        ("unique", (TEXTS,), pc.unique(TEXTS)),
        ("dictionary_encode", (TEXTS,), pc.dictionary_encode(TEXTS)),
        ("fill_null", (TEXTS, ""), pc.fill_null(TEXTS, "")),
        ("fill_null", (NUMBERS, -1), pc.fill_null(NUMBERS, -1)),
        ("if_else", (TRUTHS, "", ",\n"), pc.if_else(pa.array(TRUTHS), "", ",\n")),
        (
            "replace_with_mask",
            (TEXTS, TRUTHS, pa.array(list("pqrs"))),
            pc.replace_with_mask(TEXTS, pa.array(TRUTHS), pa.array(list("pqrs"))),
        ),
        ("index_in", (TEXTS, KNOWN), pc.index_in(TEXTS, value_set=KNOWN)),
        ("cast", (np.array([5, -12], np.int64), pa.string()), pc.cast(pa.array([5, -12]), pa.string())),
        ("equal", (TEXTS, "a"), pc.equal(TEXTS, "a")),
        ("not_equal", (TEXTS, ""), pc.not_equal(TEXTS, "")),
        ("less", (TEXTS, pa.scalar("b", pa.string())), pc.less(TEXTS, pa.scalar("b", pa.string()))),
        ("greater", (TEXTS, TEXTS[::-1]), pc.greater(TEXTS, TEXTS[::-1])),
        ("invert", (pa.array(TRUTHS),), pc.invert(pa.array(TRUTHS))),
        ("all_true", (pa.array(TRUTHS),), pc.all(pa.array(TRUTHS))),
        ("string_is_ascii", (TEXTS,), pc.string_is_ascii(TEXTS)),
        ("match_substring_regex", (TEXTS, "^[ \t]|[ \t]$"), pc.match_substring_regex(TEXTS, "^[ \t]|[ \t]$")),
        ("find_substring", (TEXTS, "."), pc.find_substring(TEXTS, ".")),
        ("utf8_length", (TEXTS,), pc.utf8_length(TEXTS)),
        ("binary_length", (TEXTS,), pc.binary_length(TEXTS)),
        ("utf8_lpad", (TEXTS, 4, "0"), pc.utf8_lpad(TEXTS, 4, "0")),
        ("utf8_rpad", (TEXTS, 3, " "), pc.utf8_rpad(TEXTS, 3, " ")),
        ("utf8_rtrim", (TEXTS, " "), pc.utf8_rtrim(TEXTS, characters=" ")),
        ("binary_join_element_wise", ('"', TEXTS, '"', ""), pc.binary_join_element_wise('"', TEXTS, '"', "")),
        (
            "binary_join",
            (pa.ListArray.from_arrays(pa.array([0, 3, 8], pa.int32()), pa.array(list("abcdefgh"))), "-"),
            pa.array(["a-b-c", "d-e-f-g-h"]),
        ),
    ],
)
def test_each_function_gives_what_pyarrow_compute_gives(name: str, args: Any, expected: Any) -> None:
    _same(getattr(ac, name)(*args), expected)


def test_the_texts_of_a_dictionary_and_of_decimals_are_arrows_casts() -> None:
    codes = pa.DictionaryArray.from_arrays(pa.array([2, 0, 2], pa.int32()), pa.array(["x", "yy", "z"]))
    assert ac.cast(codes, pa.string()).to_pylist() == ["z", "x", "z"]
    money = pa.array([Decimal("123.45"), Decimal("-0.05"), Decimal(0)], pa.decimal128(38, 2))
    assert ac.cast(money, pa.string()).to_pylist() == ["123.45", "-0.05", "0.00"]


@pytest.mark.parametrize(
    "values",
    [
        np.array([True, False, True, True, False, False, True, False, True, True], bool),  # 10: two bytes
        np.array([], bool),
        np.arange(30) % 3 == 0,
        (np.arange(30) % 3 == 0)[::2],  # not contiguous
        np.array([-(2**63), 0, 2**63 - 1], np.int64),
        np.arange(10, dtype=np.int64)[::3],
        np.array([1, 2, 250], np.uint8),
        np.array([-7, 7], np.int32),
        np.array([0.5, -1.25], np.float64),
    ],
)
def test_a_numpy_array_becomes_the_array_pa_array_makes(values: Any) -> None:
    found = ac.array_of(values)
    _same(found, pa.array(values))
    assert found.null_count == 0 and found.to_pylist() == values.tolist()


def test_a_numpy_array_of_another_type_is_converted_only_where_it_fits() -> None:
    widest = [0, 3, 2**31 - 1]
    _same(ac.array_of(np.array(widest, np.int64), pa.int32()), pa.array(widest, pa.int32()))
    with pytest.raises(pa.ArrowInvalid, match="a value does not fit int32"):
        ac.array_of(np.array([0, 2**31], np.int64), pa.int32())
    with pytest.raises(TypeError, match="no Arrow array of a numpy array of <U1 here"):
        ac.array_of(np.array(["a"]))


#: Run in a fresh interpreter: a file of 2,000 employees split between two workers (the
#: threshold lowered), in each format a split run writes; every process says what it imported.
_SPLIT_RUN = """
import os, sys
WATCH = ("pyarrow.compute", "numpy.ma", "dateutil")
real_exit = os._exit
def leave(code):
    os.write(2, f"worker {sorted(m for m in WATCH if m in sys.modules)}\\n".encode())
    real_exit(code)
os._exit = leave
from engine.evaluate import parallel, ranges
ranges.MIN_BYTES = 1000
parallel.default_workers = lambda: 2
from engine.cli import cli
for fmt in ("csv", "json", "text"):
    try:
        cli.main(["evaluate", sys.argv[1], sys.argv[2], "--format", fmt, "-o", sys.argv[3] + "." + fmt])
    except SystemExit as done:
        assert done.code == 0, done.code
print(f"parent {sorted(m for m in WATCH if m in sys.modules)}")
"""


def test_a_split_run_imports_neither_pyarrow_compute_nor_numpy_ma_nor_dateutil(tmp_path: Path) -> None:
    data = tmp_path / "pop.csv"
    generate(2000, str(data), seed=5)
    policy = ROOT / "policies" / "japan_mbo.yaml"
    command = [sys.executable, "-c", _SPLIT_RUN, str(policy), str(data), str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    workers = [line for line in done.stderr.splitlines() if line.startswith("worker ")]
    assert workers == ["worker []"] * len(workers) and len(workers) >= 6  # 2 a format (text: more)
    assert done.stdout == "parent []\n"
    assert (tmp_path / "out.json").read_text(encoding="utf-8").count('"id": "E00') == 2000


def test_the_private_names_are_pyarrow_computes_own() -> None:
    """What arrowcompute takes from ``pyarrow._compute`` is what ``pyarrow.compute`` exports."""
    names = ("CastOptions", "MatchSubstringOptions", "PadOptions", "SetLookupOptions")
    for name in (*names, "TakeOptions", "TrimOptions", "call_function"):
        assert getattr(ac, name) is getattr(pc, name), name


_WITHOUT_PRIVATE = """
import sys
import pyarrow, pyarrow.compute  # (the public module loads the private one where it is today)
del pyarrow._compute
sys.modules["pyarrow._compute"] = None  # a pyarrow that has moved it: its import fails
import engine.arrowcompute as ac
print(ac.take(pyarrow.array(["a", "b", "c"]), pyarrow.array([2, 0])).to_pylist(),
      ac._registry is pyarrow.compute)
"""


def test_a_pyarrow_that_moved_its_private_module_still_computes() -> None:
    command = [sys.executable, "-c", _WITHOUT_PRIVATE]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['c', 'a'] True\n"  # (the public module's functions)
