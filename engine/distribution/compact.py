"""What a forced distribution keeps of each person: a few bytes a person, in columns.

A distribution reads of a person only the id, the score and the group and tie fields, and a
million people must not mean a million tuples of objects (about 450 bytes each). :class:`Rows`
gathers them a chunk at a time into numpy columns:

- the ids as UTF-8 bytes in one fixed-width array (the byte order of UTF-8 is the order of the
  texts, so the ids sort and tie-break as the texts do);
- numbers (scores, numeric tie keys) as integers scaled by the power of ten common to the
  column (``87.5`` and ``87.50`` are the same integer, as they are the same number);
- texts (organisations, role grades) as small codes into the table of the distinct texts.

A column whose values are none of these (mixed types, ``None``, NaN, a number too wide for 64
bits) keeps its values as objects, and the groups it takes part in are ranked as before, by
Python's own comparisons (so its errors are the same too). :meth:`Rows.freeze` gives the
:class:`Table` the grading reads.
"""

from __future__ import annotations

import ctypes
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Context, Decimal
from functools import cache
from typing import IO, Any

import numpy as np

from engine.distribution.ids import Ids, id_chunk, joined
from engine.distribution.texts import Texts, code_type, recoded

#: Stands for a field or score a person lacks (a singleton that survives pickling between
#: processes, and never a record's value).
ABSENT: Any = Ellipsis
#: People gathered as objects before they are packed into a chunk of arrays (a person waiting
#: is some 600 bytes of objects, a packed one a few dozen: 16,384 of them waiting are 10 MB;
#: packing costs the same per person in chunks of 16,384 as of 65,536).
CHUNK = 16384
#: A number column's mark for "absent": the least integer of its type (no scaled value is
#: this: see :func:`_number_chunk`); int64's here, int32's in a column of narrow numbers.
NO_NUMBER = np.iinfo(np.int64).min
_LIMIT = 2**63 - 1
#: Numbers this wide (scaled) fit int32: a score such as 87.50 is 8750, 4 bytes a person, not 8.
_NARROW = 2**31 - 1
#: Exact scaling by a power of ten (no rounding to the default 28 digits).
_EXACT = Context(prec=999_999_999, Emax=999_999_999, Emin=-999_999_999)

#: A packed chunk: ("number", scaled int64, places) / ("text", int32 codes, texts) /
#: ("object", values).
Chunk = tuple[Any, ...]


def _places(value: Decimal) -> int:
    """Digits after the point ``value`` needs (0 for an integer)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def number_type(widest: int) -> np.dtype[Any]:
    """int32 for scaled numbers no wider than ``widest`` in magnitude that fit it, else int64."""
    return np.dtype(np.int32) if widest <= _NARROW else np.dtype(np.int64)


def absent_mark(values: np.ndarray) -> int:
    """The mark for "absent" in a number column of ``values``' type."""
    return int(np.iinfo(values.dtype).min)


def _number_chunk(values: Sequence[Any], distinct: set[Decimal]) -> Chunk | None:
    """Numbers as integers scaled by their common power of ten (int32 where they fit), or
    None: too wide for 64 bits.

    Equal numbers are one integer (``87.5`` and ``87.50``); each distinct number is scaled once.
    """
    places = max((_places(v) for v in distinct), default=0)
    scaled = {v: int(v.scaleb(places, _EXACT)) for v in distinct}
    widest = max(map(abs, scaled.values()), default=0)
    if widest > _LIMIT:
        return None
    dtype = number_type(widest)
    scaled[ABSENT] = int(np.iinfo(dtype).min)
    out = np.fromiter(map(scaled.__getitem__, values), dtype=dtype, count=len(values))
    return ("number", out, places)


def _text_chunk(values: Sequence[Any], texts: Texts | None) -> Chunk:
    """Texts as codes into ``texts`` (the column's table, shared by its chunks), or into a
    table of their own (a tuple of the distinct texts, in the order they first appear)."""
    table = Texts() if texts is None else texts
    codes = table.encode(values, ABSENT)
    return ("text", codes, tuple(table) if texts is None else table)


def pack(values: Sequence[Any], numbers: bool, texts: Texts | None = None) -> Chunk:
    """One chunk of a column's values, as compact as they allow (``numbers``: the column may
    hold scaled numbers; a group key never does, its values are shown as they were read;
    ``texts``: the table the column's texts are coded into, else one of the chunk's own).

    Texts become codes and finite Decimals scaled integers; anything else (an int, a bool, a
    float, None, NaN, a mix of types) stays an object, to compare (and fail to) exactly as it
    did.
    """
    kinds = set(map(type, values))
    kinds.discard(type(ABSENT))
    if kinds <= {str}:
        return _text_chunk(values, texts)
    if numbers and kinds == {Decimal}:
        try:
            distinct = set(values)
        except TypeError:  # a signalling NaN cannot be hashed
            distinct = set()
            kinds = set()
        distinct.discard(ABSENT)
        if kinds and all(v.is_finite() for v in distinct):
            packed = _number_chunk(values, distinct)
            if packed is not None:
                return packed
    return ("object", list(values))


class Scaled(list[Decimal]):
    """Decimals ``num / den`` (``den`` a power of ten each) kept with their integers, so that
    :class:`Rows` packs them as integers without reading the Decimals back: a hash, an
    exponent and a scaling a distinct Decimal were some 10% of a kumho worker's time
    (bench/RESULTS.md)."""

    __slots__ = ("den", "num")

    def __init__(self, decimals: Iterable[Decimal], num: np.ndarray, den: np.ndarray) -> None:
        super().__init__(decimals)
        self.num, self.den = num, den


#: The powers of ten an int64 holds, by exponent.
_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)


def _scaled_chunk(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> Chunk | None:
    """:func:`pack` of the Decimals ``num / den`` of ``parts`` from their integers: the same
    chunk, or None (a ``den`` not a power of ten, a number too wide: the Decimals decide)."""
    num = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)
    den = np.concatenate([p[1] for p in parts])
    places = np.minimum(np.searchsorted(_POW10, den), len(_POW10) - 1)
    if not len(num) or not np.array_equal(_POW10[places], den):
        return None
    top = int(places.max())  # (a Decimal num / 10**p has p places, 0 included: 0.00)
    factor = _POW10[top - places]
    room = _LIMIT // factor
    if bool(np.any((num > room) | (num < -room))):
        return None
    scaled = num * factor
    return ("number", scaled.astype(number_type(int(np.abs(scaled).max()))), top)


def _objects(chunk: Chunk) -> list[Any]:
    """A chunk's values as objects again (numbers as Decimals of the same value)."""
    kind = chunk[0]
    if kind == "object":
        return list(chunk[1])
    if kind == "text":
        texts = chunk[2]
        return [ABSENT if c < 0 else texts[c] for c in chunk[1].tolist()]
    places, mark = chunk[2], absent_mark(chunk[1])
    return [ABSENT if v == mark else Decimal(v).scaleb(-places, _EXACT) for v in chunk[1].tolist()]


class Column:
    """One field of every person, as it is read (``data``) and how it ranks (:meth:`key`)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        """``chunks``: the column's packed chunks in order; a list is emptied as they are
        joined (the joined column and all its chunks are never held together)."""
        kinds = {c[0] for c in chunks}
        self.kind = kinds.pop() if len(kinds) == 1 else "object"
        self.texts: tuple[str, ...] = ()
        self.places = 0
        self.data: Any
        parts = chunks if isinstance(chunks, list) else list(chunks)
        if self.kind == "text":
            self._join_texts(parts)
        elif self.kind == "number":
            self._join_numbers(parts)
        else:
            self.data = [v for c in parts for v in _objects(c)]

    def _join_texts(self, chunks: list[Chunk]) -> None:
        self.texts, recodes = recoded([c[2] for c in chunks])
        dtype = code_type(len(self.texts))
        # -1 (absent) takes each recode's last entry: -1 again
        size = sum(len(c[1]) for c in chunks)
        self.data = joined(chunks, size, dtype, lambda k, chunk: recodes[k][chunk[1]])

    def _join_numbers(self, chunks: list[Chunk]) -> None:
        places = max((c[2] for c in chunks), default=0)
        scales, widest = [], 0
        for _, part, own in chunks:
            wide = int(np.abs(part[part != absent_mark(part)].astype(np.int64)).max(initial=0))
            scale = 10 ** (places - own) if own < places and wide else 1
            if wide * scale > _LIMIT:  # too wide: objects after all
                self.kind, self.data = "object", [v for c in chunks for v in _objects(c)]
                return
            scales.append(scale)
            widest = max(widest, wide * scale)
        dtype = number_type(widest)
        mark = int(np.iinfo(dtype).min)

        def scaled(k: int, chunk: Chunk) -> np.ndarray:
            part: np.ndarray = chunk[1]
            if scales[k] == 1 and part.dtype == dtype:
                return part
            return np.where(part == absent_mark(part), mark, part.astype(np.int64) * scales[k])

        self.places = places
        self.data = joined(chunks, sum(len(c[1]) for c in chunks), dtype, scaled)

    def present(self) -> np.ndarray:
        """Per person: whether they have this field."""
        if self.kind == "text":
            return np.asarray(self.data >= 0)
        if self.kind == "number":
            return np.asarray(self.data != absent_mark(self.data))
        return np.fromiter((v is not ABSENT for v in self.data), dtype=bool, count=len(self.data))

    def value(self, position: int) -> Any:
        """The value of the person at ``position`` (a number as a Decimal of the same value)."""
        if self.kind == "text":
            code = int(self.data[position])
            return ABSENT if code < 0 else self.texts[code]
        if self.kind == "number":
            scaled = int(self.data[position])
            if scaled == absent_mark(self.data):
                return ABSENT
            return Decimal(scaled).scaleb(-self.places, _EXACT)
        return self.data[position]

    def key(self, positions: np.ndarray, descending: bool) -> np.ndarray | None:
        """Integers whose ascending order is the wanted order of these people's values, or
        None: the values are objects, ranked by Python's comparisons."""
        if self.kind == "object":
            return None
        if self.kind == "number":
            values: np.ndarray = self.data[positions]
        else:  # the ranks of these people's texts only (absent: -1 takes the last, as before)
            values = self._text_ranks()[self.data[positions]]
        return np.negative(values, out=values) if descending else values  # a copy: negated in place

    def _text_ranks(self) -> np.ndarray:
        ranks = getattr(self, "_ranks", None)
        if ranks is None:
            order = sorted(range(len(self.texts)), key=self.texts.__getitem__)
            ranks = np.empty(len(self.texts), dtype=np.int64)
            ranks[order] = np.arange(len(self.texts), dtype=np.int64)
            self._ranks = ranks
        return ranks


class Table:
    """The frozen rows: the ids and each named column (see the module doc)."""

    def __init__(self, ids: Ids, columns: dict[str, Column]) -> None:
        self.ids = ids
        self.columns = columns

    def __len__(self) -> int:
        return len(self.ids)


class Rows:
    """People gathered for grading: an id and one value per named column each (:data:`ABSENT`
    where there is none), packed :data:`CHUNK` people at a time; picklable, and joined with
    ``+=`` (the rows of another process, in order).

    Each full chunk, once packed, is written to an unnamed temp file and read back when the rows
    are frozen (or pickled, joined, iterated): a run gathering two distributions' rows holds
    neither while it reads (kumho's two, some 45 bytes a person, were held beside the first
    one's grading until the second was graded; bench/RESULTS.md)."""

    def __init__(self, names: Sequence[str], numbers: Sequence[bool]) -> None:
        self.names = tuple(names)
        self.numbers = tuple(numbers)
        self._ids: list[str] = []
        self._values: list[list[Any]] = [[] for _ in self.names]  # per column, until packed
        #: Per column, the integers of the values pending when every one came as :class:`Scaled`
        #: (None: some did not).
        self._scaled: list[list[tuple[np.ndarray, np.ndarray]] | None] = [[] for _ in self.names]
        self._id_chunks: list[np.ndarray] = []
        self._chunks: list[list[Chunk]] = [[] for _ in self.names]
        #: Per column, the table its texts are coded into (:mod:`.texts`: one for all its chunks).
        self._texts = [Texts() for _ in self.names]
        self._count = 0
        self._file: IO[bytes] | None = None  # the chunks written out, in order
        self._ends: list[int] = []  # the file offset after each write

    def __len__(self) -> int:
        return self._count

    def append(self, emp_id: str, values: Sequence[Any]) -> None:
        """One person: the id and a value per column, in :attr:`names`' order."""
        if len(values) != len(self.names):
            raise ValueError(f"{len(values)} values for {len(self.names)} columns")
        self._ids.append(emp_id)
        any(map(list.append, self._values, values))  # each value onto its column, in C
        self._scaled = [None] * len(self.names)
        self._count += 1
        if len(self._ids) >= CHUNK:
            self._pack()
            self._spill()

    def extend(self, ids: Sequence[str], columns: Sequence[Sequence[Any]]) -> None:
        """Many people at once: their ids and each column's values, in the same order."""
        self._ids.extend(ids)
        for at, (pending, column) in enumerate(zip(self._values, columns, strict=True)):
            pending.extend(column)
            scaled = self._scaled[at]
            if scaled is not None and isinstance(column, Scaled):
                scaled.append((column.num, column.den))
            else:
                self._scaled[at] = None
        self._count += len(ids)
        if len(self._ids) >= CHUNK:
            self._pack()
            self._spill()

    def _pack(self) -> None:
        if not self._ids:
            return
        self._id_chunks.append(id_chunk(self._ids))
        columns, self._ids, self._values = self._values, [], [[] for _ in self.names]
        integers, self._scaled = self._scaled, [[] for _ in self.names]
        made: list[Chunk] = []
        for at, (chunks, column, numbers) in enumerate(zip(self._chunks, columns, self.numbers, strict=True)):
            scaled = integers[at]
            packed = _scaled_chunk(scaled) if numbers and scaled else None
            if packed is None:
                packed = pack(column, numbers, self._texts[at])
            # a column equal to one before is that chunk again (kumho: each distribution's score
            # is the other's tie key, 4 bytes a person each, held and pickled twice)
            packed = next((c for c in made if _same(c, packed)), packed)
            made.append(packed)
            chunks.append(packed)

    def _spill(self) -> None:
        """The packed chunks to the temp file (made with the first), in order after the others."""
        if not self._id_chunks:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="hrpolicy-rows-")  # noqa: SIM115 (closed by _gather)
        self._file.seek(0, 2)
        # (the columns' tables stay here: written with every batch, each would be read back anew)
        pairs = zip(self._chunks, self._texts, strict=True)
        columns = [[_unshared(c, texts) for c in chunks] for chunks, texts in pairs]
        self._file.write(pickle.dumps((self._id_chunks, columns), protocol=pickle.HIGHEST_PROTOCOL))
        self._ends.append(self._file.tell())
        self._id_chunks, self._chunks = [], [[] for _ in self.names]

    def _gather(self) -> None:
        """Every chunk in memory, in order: those written out first, then the others packed."""
        if self._file is not None:
            later, self._id_chunks = self._id_chunks, []
            columns, self._chunks = self._chunks, [[] for _ in self.names]
            start = 0
            for end in self._ends:
                self._file.seek(start)
                ids, chunks = pickle.loads(self._file.read(end - start))
                self._id_chunks += ids
                for mine, theirs, texts in zip(self._chunks, chunks, self._texts, strict=True):
                    mine += [_shared(c, texts) for c in theirs]
                start = end
            self._file.close()
            self._file, self._ends = None, []
            self._id_chunks += later
            for mine, theirs in zip(self._chunks, columns, strict=True):
                mine += theirs
        self._pack()

    def __iadd__(self, other: Rows) -> Rows:
        self._gather()
        other._gather()
        self._id_chunks += other._id_chunks
        for mine, theirs in zip(self._chunks, other._chunks, strict=True):
            mine += theirs
        self._count += other._count
        other.clear()
        return self

    def clear(self) -> None:
        """Let every row go."""
        if self._file is not None:
            self._file.close()
        self.__init__(self.names, self.numbers)  # type: ignore[misc]

    def __getstate__(self) -> dict[str, Any]:
        self._gather()
        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def freeze(self) -> Table:
        """The rows as a :class:`Table` (the rows gathered are let go)."""
        self._gather()
        ids = Ids(self._id_chunks)
        # a column whose chunks are another's (see _pack) is that column: joined once
        first = {tuple(map(id, chunks)): at for at, chunks in reversed(list(enumerate(self._chunks)))}
        same = [first[tuple(map(id, chunks))] for chunks in self._chunks]
        for at, chunks in enumerate(self._chunks):
            if same[at] != at:
                chunks.clear()  # (not held while the first is joined)
        joined: list[Column] = []
        for at, chunks in enumerate(self._chunks):
            joined.append(Column(chunks) if same[at] == at else joined[same[at]])
        columns = dict(zip(self.names, joined, strict=True))
        self.clear()
        give_back()  # the chunks, copied into the joined columns and let go
        return Table(ids, columns)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        """Each person as ``(id, value...)`` (for tests and small inputs)."""
        self._gather()
        ids = [
            b if type(b) is str else b.decode("utf-8", "surrogatepass")
            for c in self._id_chunks
            for b in c.tolist()
        ]
        columns = [[v for c in chunks for v in _objects(c)] for chunks in self._chunks]
        return iter(zip(ids, *columns, strict=True))


def _same(a: Chunk, b: Chunk) -> bool:
    """Whether two packed chunks of numbers hold the same values, the same way."""
    if a[0] != "number" or b[0] != "number" or a[2] != b[2] or a[1].dtype != b[1].dtype:
        return False
    return bool(np.array_equal(a[1], b[1]))


def _unshared(chunk: Chunk, texts: Texts) -> Chunk:
    """``chunk`` to write out: coded into the column's table ``texts``, it names it by None."""
    return ("text", chunk[1], None) if chunk[0] == "text" and chunk[2] is texts else chunk


def _shared(chunk: Chunk, texts: Texts) -> Chunk:
    """A chunk read back: its table, None, is the column's ``texts``."""
    return ("text", chunk[1], texts) if chunk[0] == "text" and chunk[2] is None else chunk


@cache
def _trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, None elsewhere (another C library, another system).

    Looked up among the symbols the process has loaded (``dlopen(NULL)``), not by
    ``ctypes.util.find_library``, which runs ``ldconfig`` in a child process: forked from a
    process of some hundred megabytes, the child counted them again in a peak summed over the
    process tree (bench/measure.py: 245 MiB for a 120 MiB calibration, bench/RESULTS.md)."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def give_back() -> None:
    """Return the memory a grading freed to the system (glibc: ``malloc_trim``; elsewhere
    nothing). A grading's sort makes arrays of a few times the rows and lets them go, but glibc
    keeps what it freed below its top, and what comes after (the next distribution's sort, the
    report) does not reuse all of it: kumho's 400,000 people held some 60 MiB more between the
    passes and while the report was written (bench/RESULTS.md)."""
    trim = _trim()
    if trim is not None:
        trim(0)
