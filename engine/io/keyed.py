"""Values by employee id, kept on disk: a million employees' evaluated results in a few megabytes
of memory, each found again by its id.

``pay --records`` evaluates the goal sheets of one file and joins each employee's result to the
employee of the pay file with the same id, in whatever order the two files are. :class:`IdStore`
keeps the values pickled in SQLite's private temporary database (the standard library's
``sqlite3``, a file the library removes when the store is closed), written a batch at a time and
read by id through the table's key. A value stored again under the same id replaces the first.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

#: Values written together.
BATCH = 4096


class IdStore(Mapping[str, Any]):
    """Picklable values by id, on disk; a mapping once filled (:meth:`put` then reads)."""

    def __init__(self) -> None:
        # "": a private temporary database on disk, removed when the connection closes (its pages
        # cached in memory up to SQLite's small default cache).
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE item (id TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")
        self._batch: list[tuple[str, bytes]] = []

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` (over a value kept there before)."""
        self._batch.append((key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self._batch) >= BATCH:
            self._flush()

    def put_new(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` unless a value is kept there."""
        self._flush()
        self._db.execute("INSERT OR IGNORE INTO item VALUES (?, ?)", (key, pickle.dumps(value)))

    def _flush(self) -> None:
        if self._batch:
            self._db.executemany("INSERT OR REPLACE INTO item VALUES (?, ?)", self._batch)
            self._batch.clear()

    def __getitem__(self, key: str) -> Any:
        self._flush()
        found = self._db.execute("SELECT value FROM item WHERE id = ?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        return pickle.loads(found[0])

    def __iter__(self) -> Iterator[str]:
        self._flush()
        return (key for (key,) in self._db.execute("SELECT id FROM item ORDER BY id"))

    def __len__(self) -> int:
        self._flush()
        count: int = self._db.execute("SELECT count(*) FROM item").fetchone()[0]
        return count

    def close(self) -> None:
        """Remove the database."""
        self._db.close()
