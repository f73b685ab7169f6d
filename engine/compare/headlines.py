"""Each person's headline score and grade under one scheme, kept compactly: what ``diff`` and
``simulate`` over a policy's own records hold of a million people.

:class:`Headlines` keeps, per person read (in the file's order, evaluated or not), a grade code
(2 bytes) and the score as an integer coefficient and a decimal exponent (9 bytes): the very
:class:`~decimal.Decimal` comes back from them, its exponent too (``87.50`` stays ``87.50``).
A score that does not fit (a coefficient of more than 18 digits, an exponent out of range, a
signed zero, not a number, not a Decimal) is kept as it is, aside. The three columns are kept in
chunks of :data:`CHUNK` people, each made whole at once and never grown: an ``array`` grown by
``append`` is moved by ``realloc`` as it grows, and the blocks it leaves behind stay in the
process (a million people's 11 MB held some 40 MB of RSS).

The people's ids and names are not kept here but in a :class:`~engine.io.spool.RowSpool` in the
same order (a temp file past a few thousand): :func:`changes` and :func:`transitions` read it
through once, beside the codes, in the order the whole run would have visited the people.
Statistics, distributions, changes and transitions are the very values
:class:`~engine.compare.outcome.SchemeResult` and :class:`~engine.compare.outcome.Comparison`
compute from a mapping of people (same order of summing, same stable sort, same first-seen
order of grades a scale does not name).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from engine.rounding import Rounding

#: Grade codes besides a grade's index: read but not evaluated; evaluated without a grade.
NOT_EVALUATED, NO_GRADE = -2, -1
#: Exponents besides a score's own: no score; a score kept aside (:attr:`Headlines.odd`).
NO_SCORE, ODD = 127, 126
_DIGITS = 18  # a coefficient of at most 18 digits fits a signed 64-bit integer
#: People per chunk of each column (a power of two: a position's chunk is a shift away).
SHIFT = 16
CHUNK = 1 << SHIFT
_MASK = CHUNK - 1


def _packed(score: Any) -> tuple[int, int]:
    """``(coefficient, exponent)`` of a score, ``(0, NO_SCORE)`` for none, ``(0, ODD)`` when it
    must be kept as it is."""
    if score is None:
        return 0, NO_SCORE
    if type(score) is not Decimal or not score.is_finite() or (score.is_zero() and score.is_signed()):
        return 0, ODD
    _, digits, exp = score.as_tuple()
    if len(digits) > _DIGITS or not -128 <= int(exp) < ODD:
        return 0, ODD
    return int(score.scaleb(-int(exp))), int(exp)  # exact: at most 18 digits


class Column:
    """One column of numbers of one type code, in chunks of :data:`CHUNK` allocated whole (the
    last one filled up to the column's length): read and written by position, iterated, or
    copied into one numpy array."""

    __slots__ = ("chunks", "size", "typecode")

    def __init__(self, typecode: str) -> None:
        self.typecode = typecode
        self.chunks: list[array[int]] = []
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def grow(self) -> array[int]:
        """A new chunk, all zeros (the length is not changed: the caller fills it)."""
        chunk = array(self.typecode, [0]) * CHUNK
        self.chunks.append(chunk)
        return chunk

    def __getitem__(self, position: int) -> int:
        if not 0 <= position < self.size:
            raise IndexError(position)
        return self.chunks[position >> SHIFT][position & _MASK]

    def __setitem__(self, position: int, value: int) -> None:
        if not 0 <= position < self.size:
            raise IndexError(position)
        self.chunks[position >> SHIFT][position & _MASK] = value

    def parts(self) -> Iterator[memoryview]:
        """Each chunk's filled part, in order (views: nothing copied)."""
        left = self.size
        for chunk in self.chunks:
            yield memoryview(chunk)[: min(left, CHUNK)]
            left -= CHUNK

    def __iter__(self) -> Iterator[int]:
        for part in self.parts():
            yield from part

    def numpy(self, dtype: Any) -> Any:
        """The column as one numpy array of ``dtype`` (a copy)."""
        out = np.empty(self.size, dtype=dtype)
        at = 0
        for part in self.parts():
            out[at : at + len(part)] = np.frombuffer(part, dtype=self.typecode)
            at += len(part)
        return out


class Headlines:
    """Per person read, in order: evaluated or not, the headline grade and score."""

    def __init__(self, levels: Sequence[str]) -> None:
        #: Grade texts by code: the scale's levels first, then others as they are met.
        self.grades: list[str] = list(dict.fromkeys(levels))
        self.levels = len(self.grades)
        self._code = {grade: code for code, grade in enumerate(self.grades)}
        self.codes = Column("h")
        self.coefs = Column("q")
        self.exps = Column("b")
        #: Scores kept as they are, by position.
        self.odd: dict[int, Any] = {}
        self._size = 0
        self._chunks: tuple[array[int], array[int], array[int]] | None = None  # the last chunks
        self._raw: tuple[int, Any, Any, Any, Any] | None = None  # the statistics, once made

    def __len__(self) -> int:
        return self._size

    def code(self, grade: str | None) -> int:
        """The code of ``grade`` (a new one for a grade not met before)."""
        if grade is None:
            return NO_GRADE
        found = self._code.get(grade)
        if found is None:
            found = self._code[grade] = len(self.grades)
            self.grades.append(grade)
        return found

    def _put(self, code: int, coef: int, exp: int) -> None:
        """The next person's three values, in the last chunks (new ones every :data:`CHUNK`)."""
        at = self._size & _MASK
        if at == 0 or self._chunks is None:
            self._chunks = self.codes.grow(), self.coefs.grow(), self.exps.grow()
        codes, coefs, exps = self._chunks
        codes[at], coefs[at], exps[at] = code, coef, exp
        self._size += 1
        self.codes.size = self.coefs.size = self.exps.size = self._size
        self._raw = None

    def skip(self) -> None:
        """The next person read was not evaluated."""
        self._put(NOT_EVALUATED, 0, NO_SCORE)

    def add(self, score: Any, grade: str | None) -> None:
        """The next person read was evaluated: their headline score and grade."""
        coef, exp = _packed(score)
        if exp == ODD:
            self.odd[self._size] = score
        self._put(self.code(grade), coef, exp)

    def regrade(self, position: int, grade: str | None) -> None:
        """The person at ``position`` has ``grade`` after all (a relative grade)."""
        self.codes[position] = self.code(grade)

    def evaluated(self, position: int) -> bool:
        return self.codes[position] != NOT_EVALUATED

    def grade(self, position: int) -> str | None:
        code = self.codes[position]
        return self.grades[code] if code >= 0 else None

    def score(self, position: int) -> Any:
        """The score of the person at ``position`` as it was computed (``None``: none)."""
        exp = self.exps[position]
        if exp == NO_SCORE:
            return None
        if exp == ODD:
            return self.odd[position]
        return Decimal(f"{self.coefs[position]}E{exp}")

    def same_score(self, position: int, other: Headlines) -> bool:
        """Whether the two scores at ``position`` are equal (``87.5`` is ``87.50``)."""
        mine, theirs = self.exps[position], other.exps[position]
        if mine == theirs and mine != ODD and self.coefs[position] == other.coefs[position]:
            return True
        a, b = self.score(position), other.score(position)
        return a is b or bool(a == b)  # as a tuple compares them: the same object is equal

    def distribution(self) -> list[tuple[str, int]]:
        """People per grade: the scale's levels in order, then other grades as first met; ``-``
        counts those evaluated without a grade."""
        codes = self.codes.numpy(np.int16)
        done = codes[codes != NOT_EVALUATED]
        graded = done[done >= 0]
        counts = np.bincount(graded, minlength=len(self.grades)).tolist()
        rows = [(self.grades[k], counts[k]) for k in range(self.levels)]
        others = graded[graded >= self.levels]
        if len(others):  # in the order first met
            found, first = np.unique(others, return_index=True)
            rows += [(self.grades[c], counts[c]) for c in found[np.argsort(first, kind="stable")].tolist()]
        none = int((done == NO_GRADE).sum())
        return [*rows, ("-", none)] if none else rows

    def stats(self, rounding: Rounding | None) -> dict[str, Decimal | int | None]:
        """Count, mean, median, min and max of the scores, as ``SchemeResult.stats`` makes them
        of a sorted list: summed in sorted order, ties kept in the file's order (worked out once:
        a report asks for them several times)."""
        if self._raw is None:
            self._raw = self._unrounded()
        n, mean, median, low, high = self._raw
        if n == 0:
            return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
        if rounding is not None:
            mean, median = rounding.apply(mean), rounding.apply(median)
        return {"n": n, "mean": mean, "median": median, "min": low, "max": high}

    def _unrounded(self) -> tuple[int, Any, Any, Any, Any]:
        """Count, mean, median, min and max, not rounded (``(0, None...)`` without a score).
        The positions in score order are one numpy array, read a chunk at a time (a list of
        a million Python ints was some 40 bytes a person)."""
        order = self._sorted()
        n = len(order)
        if n == 0:
            return 0, None, None, None, None
        score = self.score
        total = Decimal(0)
        for start in range(0, n, 4096):  # summed in sorted order, as sum() over the list did
            for position in order[start : start + 4096].tolist():
                total = total + score(position)
        mid = n // 2
        if n % 2:
            median = score(int(order[mid]))
        else:
            median = (score(int(order[mid - 1])) + score(int(order[mid]))) / 2
        return n, total / n, median, score(int(order[0])), score(int(order[-1]))

    def _sorted(self) -> Any:
        """The positions of the people with a score, by score (a stable sort): a numpy array."""
        if not len(self.exps):
            return np.empty(0, dtype=np.int64)
        exps = self.exps.numpy(np.int8)
        where = np.flatnonzero(exps != NO_SCORE)
        if self.odd:  # a score kept aside: Python's sort
            return np.array(sorted(where.tolist(), key=self.score), dtype=np.int64)
        keys = _keys(self.coefs.numpy(np.int64)[where], exps[where])
        del exps
        if keys is None:  # too wide for 64 bits: Python's sort
            return np.array(sorted(where.tolist(), key=self.score), dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        del keys
        return where[order]


def _keys(coefs: Any, exps: Any) -> Any:
    """The scores as integers of one scale (that of the smallest exponent), or None when one
    would not fit in 64 bits."""
    if not len(exps):
        return coefs
    low = int(exps.min())
    if low == int(exps.max()):  # one exponent (a rounded score): the coefficients are the keys
        return coefs
    keys = np.zeros(len(coefs), dtype=np.int64)
    for exp in np.unique(exps).tolist():
        mask = exps == exp
        part = coefs[mask]
        widest = max(abs(int(part.max())), abs(int(part.min())))
        if widest == 0:
            continue
        if exp - low > _DIGITS or widest * 10 ** (exp - low) >= 2**63:
            return None
        keys[mask] = part * np.int64(10 ** (exp - low))
    return keys


def transitions(first: Headlines, second: Headlines) -> dict[tuple[str, str], int]:
    """How many people go from each grade under ``first`` to each under ``second`` (``-``: not
    evaluated, or no grade), keyed in the order the pairs are first met."""
    pairs: Counter[tuple[int, int]] = Counter()
    for part_a, part_b in zip(first.codes.parts(), second.codes.parts(), strict=True):
        pairs.update(zip(part_a, part_b, strict=True))
    out: dict[tuple[str, str], int] = {}
    for (a, b), n in pairs.items():
        key = (first.grades[a] if a >= 0 else "-", second.grades[b] if b >= 0 else "-")
        out[key] = out.get(key, 0) + n
    return out


def changes(
    read: Iterable[Sequence[str]], first: Headlines, second: Headlines
) -> Iterator[tuple[str, str, int]]:
    """``(id, name, position)`` of each person whose score or grade differs from ``first`` to
    ``second`` (or who is evaluated under one only), in the order read."""
    if first is second:
        return
    codes = zip(read, first.codes, second.codes, strict=True)
    for position, ((pid, name), a, b) in enumerate(codes):
        if a == NOT_EVALUATED and b == NOT_EVALUATED:
            continue
        if (
            a != NOT_EVALUATED
            and b != NOT_EVALUATED
            and first.grade(position) == second.grade(position)
            and first.same_score(position, second)
        ):
            continue
        yield pid, name, position


__all__ = ["CHUNK", "NOT_EVALUATED", "Column", "Headlines", "changes", "transitions"]
