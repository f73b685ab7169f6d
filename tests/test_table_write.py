"""The text table written in two passes (places and widths together, then the lines, cells
remembered per column) is byte for byte the three-pass table it replaced: hand-worked tables,
and random tables against that three-pass reference kept here."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.report.safety import terminal_text
from engine.report.table import (
    GAP,
    Shape,
    _lines,
    display_width,
    fit_widths,
    head_lines,
    header_lines,
    measure,
    merged,
    most_places,
    padded,
    write_lines,
    write_table,
)


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
    cells = [0] * len(headers)
    for row in cleaned():
        cells = [max(w, display_width(cell)) for w, cell in zip(cells, padded(row, most), strict=True)]
    widths = [max(display_width(h), w) for h, w in zip(headers, cells, strict=True)]
    # a number column may narrow to its cells and its header's widest word (issue: kumho's
    # table at a 100-column terminal); a text column keeps its width as its floor
    floors = [
        max(c, *(display_width(w) for w in re.findall(r"[^ _]*_+|[^ _]+", h)), 0) if num else w
        for h, c, w, num in zip(headers, cells, widths, numeric, strict=True)
    ]
    widths = fit_widths(widths, numeric, width, floors)
    for line in head_lines(headers, widths, numeric):
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
#: Wide names (full-width, Hangul in NFD: 6 cells), control characters, places of every kind.
WIDE_ROWS = [
    ["E1", "鈴木 美咲", "117.5", "S", "100"],
    ["E2", unicodedata.normalize("NFD", "김민준"), "92.25", "B", "60.5"],
    ["E3", "\x1b]0;pwned\x07Ann", "7", "\x1b[2JA", ""],
    ["E4", "鈴木 美咲", "-3", "C", "n/a"],
    ["E5", "１２", "90.", "B", "1"],
]


def test_wide_names_places_and_control_characters_in_two_passes() -> None:
    rows = WIDE_ROWS
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


#: Headers of several words: number columns whose headers may wrap between them.
WORDY = ["id", "full name", "kpi_score", "grade", "rating points_total"]
ANY_HEADERS = st.sampled_from([HEADERS, WORDY])


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, st.one_of(NUMBER, CELL), CELL, st.one_of(NUMBER, CELL)), max_size=12),
    width=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    headers=ANY_HEADERS,
)
def test_any_table_is_the_three_pass_tables(
    rows: list[tuple[str, ...]], width: int | None, headers: list[str]
) -> None:
    text, _ = _two_passes(headers, rows, NUMERIC, width)
    assert text == _three_passes(headers, lambda: rows, NUMERIC, width)


def _in_parts(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    width: int | None,
    cuts: list[int],
) -> str:
    """The table as a split run writes it (engine/report/textparts.py): each part measured on
    its own, the measures merged, each part's lines in the merged shape, the head on top."""
    bounds = [0, *sorted(c % (len(rows) + 1) for c in cuts), len(rows)]
    parts = [rows[a:b] for a, b in itertools.pairwise(bounds)]
    clean = [terminal_text(h) for h in headers]
    found = [measure(clean, numeric, part).found() for part in parts]
    shape = merged(clean, numeric, found).shape().fitted(numeric, width)
    out = [shape.head(clean, numeric)]
    for part in parts:
        write_lines(part, shape, numeric, out.append)
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, st.one_of(NUMBER, CELL), CELL, st.one_of(NUMBER, CELL)), max_size=12),
    width=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    cuts=st.lists(st.integers(min_value=0, max_value=20), max_size=3),
    headers=ANY_HEADERS,
)
def test_a_table_measured_in_parts_is_the_one_pass_table(
    rows: list[tuple[str, ...]], width: int | None, cuts: list[int], headers: list[str]
) -> None:
    assert _in_parts(headers, rows, NUMERIC, width, cuts) == _three_passes(
        headers, lambda: rows, NUMERIC, width
    )


def test_a_header_breaks_between_its_words_after_underscores_and_at_spaces() -> None:
    assert header_lines("contribution_score", 18) == ["contribution_score"]
    assert header_lines("contribution_score", 17) == ["contribution_", "score"]
    assert header_lines("rating points_total", 13) == ["rating", "points_total"]
    assert header_lines("rating points_total", 7) == ["rating", "points_", "total"]
    assert header_lines("a__b_c", 4) == ["a__", "b_c"]  # (a run of underscores stays whole)
    assert header_lines("직무KPI 점수", 8) == ["직무KPI", "점수"]  # (Hangul: two cells each)
    assert header_lines("performance", 8) == ["performa", "nce"]  # one word: cut as before


def test_a_number_column_gives_its_header_width_before_any_text_column_wraps() -> None:
    """kumho's table at a 100-column terminal: the grade columns were cut to 8 cells
    ("performa" over "nce") while ``contribution_score`` kept 18 cells for numbers of 5."""
    headers = ["id", "grade", "contribution_score", "kpi_score"]
    rows = [["H1", "not graded", "75.00", "67.50"], ["H2", "III", "0.00", "100.00"]]
    numeric = [False, False, True, True]
    lines = [
        "id  grade       contribution_  kpi_score",
        "                        score",
        "--  ----------  -------------  ---------",
        "H1  not graded          75.00      67.50",
        "H2  III                  0.00     100.00",
    ]
    assert _two_passes(headers, rows, numeric, 40)[0].splitlines() == lines
    # narrower: kpi_score too (its numbers are 6 cells), then the text column wraps
    assert _two_passes(headers, rows, numeric, 37)[0].splitlines()[:2] == [
        "id  grade       contribution_    kpi_",
        "                        score   score",
    ]
    assert _two_passes(headers, rows, numeric, 34)[0].splitlines() == [
        "id  grade    contribution_    kpi_",
        "                     score   score",
        "--  -------  -------------  ------",
        "H1  not              75.00   67.50",
        "    graded",
        "H2  III               0.00  100.00",
    ]
    # a pipe or a file: never narrowed
    assert _two_passes(headers, rows, numeric, None)[0].splitlines()[0] == (
        "id  grade       contribution_score  kpi_score"
    )


def test_parts_measured_apart_give_the_widest_cells_and_most_places_of_any_part() -> None:
    headers, numeric = ["id", "name", "score"], [False, False, True]
    first = measure(headers, numeric, [["E1", "山田", "7.5"], ["E2", "x", "12"]]).found()
    second = measure(headers, numeric, [["E300", "Bo", "1.25"]]).found()
    shape = merged(headers, numeric, [first, second]).shape()
    # id: "E300" 4 cells; name: "山田" 4 cells; score: 12 -> "12.00" (5), 7.5 -> "7.50", 1.25
    assert shape == Shape([4, 4, 5], {2: 2}, [4, 4, 5])
    assert _in_parts(
        headers, [["E1", "山田", "7.5"], ["E2", "x", "12"], ["E300", "Bo", "1.25"]], numeric, None, [2]
    ) == ("id    name  score\n----  ----  -----\nE1    山田   7.50\nE2    x     12.00\nE300  Bo     1.25\n")
