"""A forced distribution's text columns (organisations, role grades): a small code a person into
the table of the column's distinct texts.

:class:`~.compact.Rows` packs its people a chunk at a time, and a chunk of kumho-like people
holds nearly every organisation: with a table of its own per chunk, every organisation's text
was held once per chunk (some 60 bytes each, 27 bytes a person at 400,000 people and more at a
million, as the organisations grow with the people; bench/RESULTS.md). :class:`Texts` is one
table for every chunk of a column: each chunk holds only its codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np


def code_type(distinct: int) -> np.dtype[Any]:
    """The narrowest signed integers that number ``distinct`` texts and -1 (absent): a group
    or tie field, a grade or a reason has a few distinct texts, so its codes are a byte or two a
    person where int32 were four (kumho's two distributions: five text columns each)."""
    if distinct <= np.iinfo(np.int8).max:
        return np.dtype(np.int8)
    if distinct <= np.iinfo(np.int16).max:
        return np.dtype(np.int16)
    return np.dtype(np.int32)


class Texts:
    """A column's distinct texts in the order first met, numbered so (a text's code is its
    index); the codes already given never change, so the chunks packed earlier stay right as
    the table grows."""

    __slots__ = ("_codes", "_texts")

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self._texts: list[str] = list(texts)
        self._codes = {text: code for code, text in enumerate(self._texts)}

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, code: int) -> str:
        return self._texts[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __getstate__(self) -> list[str]:
        return self._texts  # (the codes are the indexes: made again on loading)

    def __setstate__(self, texts: list[str]) -> None:
        self.__init__(texts)  # type: ignore[misc]

    def encode(self, values: Sequence[Any], absent: Any) -> np.ndarray:
        """The codes of ``values`` (texts, or ``absent``: -1), texts not met yet numbered next."""
        local: dict[Any, int] = {}
        for text in dict.fromkeys(values):  # the distinct values, in the order they first appear
            if text is absent:
                continue
            code = self._codes.get(text)
            if code is None:
                code = self._codes[text] = len(self._texts)
                self._texts.append(text)
            local[text] = code
        local[absent] = -1
        dtype = code_type(len(self._texts))
        return np.fromiter(map(local.__getitem__, values), dtype=dtype, count=len(values))


def recoded(tables: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """The texts of every chunk's table (``tables``, one per chunk, in order; a table shared
    by several chunks is read once) numbered in the order first met, and per chunk the array
    that maps its codes to those numbers (-1, absent, is its last entry: -1 again)."""
    codes: dict[str, int] = {}
    made: dict[int, list[int]] = {}  # by the table's identity
    for table in tables:
        if id(table) not in made:
            made[id(table)] = [codes.setdefault(t, len(codes)) for t in table] + [-1]
    dtype = code_type(len(codes))
    arrays = {key: np.array(numbers, dtype=dtype) for key, numbers in made.items()}
    return tuple(codes), [arrays[id(table)] for table in tables]
