"""The text table written in two passes (places and widths together, then the lines, cells
remembered per column) is byte for byte the three-pass table it replaced: hand-worked tables,
and random tables against that three-pass reference kept here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.report.safety import terminal_text
from engine.report.table import GAP, _lines, display_width, fit_widths, most_places, padded, write_table


def _three_passes(
    headers: Sequence[str],
    rows: Callable[[], Iterable[Sequence[str]]],
    numeric: Sequence[bool],
    width: int | None,
) -> str:
    """write_table as it was before the two-pass form: places, widths, lines, one pass each."""
    out: list[str] = []
    headers = [terminal_text(h) for h in headers]

    def cleaned() -> Iterator[list[str]]:
        return ([terminal_text(cell) for cell in row] for row in rows())

    most = most_places(cleaned(), numeric)
    widths = [display_width(h) for h in headers]
    for row in cleaned():
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, padded(row, most), strict=True)]
    widths = fit_widths(widths, numeric, width)
    for line in _lines(headers, widths, numeric):
        out.append(line + "\n")
    out.append(GAP.join("-" * w for w in widths) + "\n")
    for row in cleaned():
        for line in _lines(padded(row, most), widths, numeric):
            out.append(line + "\n")
    return "".join(out)


def _two_passes(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], width: int | None
) -> tuple[str, int]:
    """The table and how many times its rows were read."""
    out: list[str] = []
    reads = 0

    def again() -> Iterable[Sequence[str]]:
        nonlocal reads
        reads += 1
        return iter(rows)

    write_table(headers, again, numeric, width, out.append)
    return "".join(out), reads


HEADERS = ["id", "name", "score", "grade", "points"]
NUMERIC = [False, False, True, False, True]


def test_wide_names_places_and_control_characters_in_two_passes() -> None:
    nfd = unicodedata.normalize("NFD", "김민준")
    rows = [
        ["E1", "鈴木 美咲", "117.5", "S", "100"],
        ["E2", nfd, "92.25", "B", "60.5"],
        ["E3", "\x1b]0;pwned\x07Ann", "7", "\x1b[2JA", ""],
        ["E4", "鈴木 美咲", "-3", "C", "n/a"],
        ["E5", "１２", "90.", "B", "1"],
    ]
    text, reads = _two_passes(HEADERS, rows, NUMERIC, None)
    assert reads == 2  # places and widths in one pass, then the lines
    assert text.splitlines() == [
        "id  name          score  grade  points",
        "--  -----------  ------  -----  ------",
        "E1  鈴木 美咲    117.50  S       100.0",  # places: 2 and 1, the most of each column
        "E2  김민준        92.25  B        60.5",  # NFD jamo composed: 6 cells
        "E3  ]0;pwnedAnn    7.00  [2JA",  # escapes removed; an empty last cell, no trailing space
        "E4  鈴木 美咲     -3.00  C         n/a",  # a text cell in a number column: never padded
        "E5  １２         90..00  B         1.0",  # full-width digits count; "90." padded as before
    ]
    assert text == _three_passes(HEADERS, lambda: rows, NUMERIC, None)


def test_a_narrowed_table_wraps_the_rows_that_need_it_and_no_other() -> None:
    rows = [
        ["E1", "鈴木 美咲", "1.5", "S", "100"],
        ["E2", "Alexandra Longname", "22", "B", "60"],
        ["E3", "鈴木 美咲", "3.25", "A", "80"],
    ]
    text, _ = _two_passes(HEADERS, rows, NUMERIC, 30)
    assert text.splitlines() == [
        "id  name    score  grade  points",
        "--  ------  -----  -----  ------",
        "E1  鈴木     1.50  S         100",
        "    美咲",
        "E2  Alexan  22.00  B          60",
        "    dra",
        "    Longna",
        "    me",
        "E3  鈴木     3.25  A          80",
        "    美咲",
    ]
    assert text == _three_passes(HEADERS, lambda: rows, NUMERIC, 30)


#: Digits of every kind str.isdigit takes (full-width, superscript, circled), wide and ideographic
#: space, a combining accent, Hangul jamo that compose, escapes and a bidi override, tab.
CELL = st.text(
    st.sampled_from(list("0123456789.+- abeXYZ\t山田美１\u3000\u0301\x1b\u202e가\u1100\u1161²①")), max_size=9
)
NUMBER = st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, st.one_of(NUMBER, CELL), CELL, st.one_of(NUMBER, CELL)), max_size=12),
    width=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
)
def test_any_table_is_the_three_pass_tables(rows: list[tuple[str, ...]], width: int | None) -> None:
    text, _ = _two_passes(HEADERS, rows, NUMERIC, width)
    assert text == _three_passes(HEADERS, lambda: rows, NUMERIC, width)
