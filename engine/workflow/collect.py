"""Where a ``workflow`` run's lines go (:class:`engine.workflow.checker.Collect`): in memory for a
file read whole (:class:`InMemory`, a :class:`~engine.workflow.run.WorkflowReport`), on disk for a
file read a record at a time (:class:`OnDisk`, a :class:`StreamedReport` read back as it is
written).

On disk, the objections and goal changes wait for their employee's others in a table of
SQLite's private temporary database (the standard library's ``sqlite3``; a file removed when the
store is closed), read back sorted by employee: the sort is SQLite's, on disk past its small
cache, so an employee's rounds are checked together however far apart the file has them. Their
lines go to another table keyed by their place in the file, read back in that order; the
notices (in file order already) and the file's problems go to spools
(:class:`~engine.io.spool.ItemSpool`), and every employee met to a table of distinct ids.
"""

from __future__ import annotations

import itertools
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.errors import Diagnostic
from engine.io.spool import ItemSpool, ReadThrough
from engine.workflow.checker import Held
from engine.workflow.run import ChangeLine, ObjectionLine, TargetSheet, WorkflowReport

#: Rows written together.
BATCH = 4096


class InMemory:
    """A whole read's lines, kept as they come, put in file order for its report."""

    def __init__(self) -> None:
        self.lines: dict[str, list[tuple[int, Any]]] = {
            "notices": [],
            "objections": [],
            "changes": [],
            "targets": [],
        }
        self.found: list[list[Diagnostic]] = [[] for _ in range(5)]
        self.groups: dict[str, dict[str, list[Held]]] = {"objections": {}, "goal_changes": {}}

    def notice(self, index: int, line: ObjectionLine) -> None:
        self.lines["notices"].append((index, line))

    def objection(self, index: int, line: ObjectionLine) -> None:
        self.lines["objections"].append((index, line))

    def change(self, index: int, line: ChangeLine) -> None:
        self.lines["changes"].append((index, line))

    def target(self, index: int, sheet: TargetSheet) -> None:
        self.lines["targets"].append((index, sheet))

    def problems(self, section: int, found: Iterable[Diagnostic]) -> None:
        self.found[section].extend(found)

    def person(self, employee: str) -> None:
        pass  # (the report names them from its lines)

    def hold(self, key: str, employee: str, held: Held) -> None:
        self.groups[key].setdefault(employee, []).append(held)

    def held(self, key: str) -> Iterable[Sequence[Held]]:
        return list(self.groups[key].values())

    def _sorted(self, kind: str) -> tuple[Any, ...]:
        return tuple(line for _, line in sorted(self.lines[kind], key=lambda pair: pair[0]))

    def report(self, policy_id: str, data: str, today: date | None) -> WorkflowReport:
        """The run's report: each list in file order."""
        problems = tuple(d for section in self.found for d in section)
        return WorkflowReport(
            policy_id, data, today, self._sorted("notices"), self._sorted("objections"),
            self._sorted("changes"), self._sorted("targets"), problems,
        )  # fmt: skip


_KINDS = {"objections": 0, "changes": 1, "targets": 2}


class OnDisk:
    """A streamed run's lines on disk (see the module's text); :meth:`close` removes them."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "": a private temporary database on disk
        self.db.execute("CREATE TABLE held (list TEXT, employee TEXT, idx INTEGER, item BLOB)")
        self.db.execute("CREATE TABLE line (kind INTEGER, idx INTEGER, item BLOB, PRIMARY KEY (kind, idx))")
        self.db.execute("CREATE TABLE person (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.notices: ItemSpool[ObjectionLine] = ItemSpool()
        self.found: list[ItemSpool[Diagnostic]] = [ItemSpool() for _ in range(5)]
        self.batches: dict[str, list[tuple[Any, ...]]] = {"held": [], "line": [], "person": []}
        self.counts = dict.fromkeys(_KINDS, 0)

    def _put(self, table: str, row: tuple[Any, ...]) -> None:
        batch = self.batches[table]
        batch.append(row)
        if len(batch) >= BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        batch = self.batches[table]
        if batch:
            marks = ", ".join("?" * len(batch[0]))
            verb = "INSERT OR IGNORE" if table == "person" else "INSERT"
            self.db.executemany(f"{verb} INTO {table} VALUES ({marks})", batch)
            batch.clear()

    def notice(self, index: int, line: ObjectionLine) -> None:
        self.notices.append(line)  # (notices come in file order)

    def _line(self, kind: str, index: int, item: Any) -> None:
        self.counts[kind] += 1
        self._put("line", (_KINDS[kind], index, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)))

    def objection(self, index: int, line: ObjectionLine) -> None:
        self._line("objections", index, line)

    def change(self, index: int, line: ChangeLine) -> None:
        self._line("changes", index, line)

    def target(self, index: int, sheet: TargetSheet) -> None:
        self._line("targets", index, sheet)

    def problems(self, section: int, found: Iterable[Diagnostic]) -> None:
        self.found[section].extend(found)

    def person(self, employee: str) -> None:
        self._put("person", (employee,))

    def hold(self, key: str, employee: str, held: Held) -> None:
        self._put("held", (key, employee, held.index, pickle.dumps(held, protocol=pickle.HIGHEST_PROTOCOL)))

    def held(self, key: str) -> Iterator[Sequence[Held]]:
        self._flush("held")
        rows = self.db.execute(
            "SELECT employee, item FROM held WHERE list = ? ORDER BY employee, idx", (key,)
        )
        for _, group in itertools.groupby(rows, key=lambda row: row[0]):
            yield [pickle.loads(item) for _, item in group]

    def report(self, policy_id: str, data: str, today: date | None) -> StreamedReport:
        """The run's report, each list read back from disk in file order as it is iterated."""
        for table in self.batches:
            self._flush(table)
        self.db.execute("DELETE FROM held")
        lines = {kind: _Lines(self.db, code, self.counts[kind]) for kind, code in _KINDS.items()}
        return StreamedReport(
            policy_id, data, today, self.notices, lines["objections"], lines["changes"], lines["targets"],
            _Chain(self.found), _People(self.db, self.found), self,
        )  # fmt: skip

    def close(self) -> None:
        """Remove the database and the spools' files."""
        self.db.close()
        self.notices.close()
        for spool in self.found:
            spool.close()


class _Lines(ReadThrough[Any]):
    """The lines of one kind, in file order, unpickled as read."""

    def __init__(self, db: sqlite3.Connection, kind: int, count: int) -> None:
        self.db, self.kind, self.size = db, kind, count

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        rows = self.db.execute("SELECT item FROM line WHERE kind = ? ORDER BY idx", (self.kind,))
        return (pickle.loads(item) for (item,) in rows)


class _Chain(ReadThrough[Diagnostic]):
    """Several sequences read one after the other."""

    def __init__(self, parts: Sequence[Sequence[Diagnostic]]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def __iter__(self) -> Iterator[Diagnostic]:
        return itertools.chain.from_iterable(self.parts)


class _People(ReadThrough[str]):
    """The employees with a record (and those of records left out for a bad value): as many as
    they are, and whether one is among them; read from disk."""

    def __init__(self, db: sqlite3.Connection, found: Sequence[Sequence[Diagnostic]]) -> None:
        self.db, self.found = db, found

    def __len__(self) -> int:
        count: int = self.db.execute("SELECT count(*) FROM person").fetchone()[0]
        return count

    def __contains__(self, subject: object) -> bool:
        return self.db.execute("SELECT 1 FROM person WHERE id = ?", (subject,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (name for (name,) in self.db.execute("SELECT id FROM person ORDER BY id"))


@dataclass(frozen=True)
class StreamedReport:
    """A :class:`~engine.workflow.run.WorkflowReport` whose lists are read from disk."""

    policy: str
    data: str
    today: date | None
    notices: Sequence[ObjectionLine]
    objections: Sequence[ObjectionLine]
    changes: Sequence[ChangeLine]
    targets: Sequence[TargetSheet]
    file_problems: Sequence[Diagnostic]
    people: Sequence[str]
    store: OnDisk

    def all_problems(self) -> Sequence[Diagnostic]:
        """Every problem: objections, goal changes (file order within each), then the file's."""
        return _Problems(self)

    def employees(self) -> Sequence[str]:
        """The employees with a record (or a record left out for a bad value)."""
        return self.people


class _Problems(ReadThrough[Diagnostic]):
    """:meth:`StreamedReport.all_problems`, read again each time; counted once."""

    def __init__(self, report: StreamedReport) -> None:
        self.report = report
        self.size: int | None = None

    def __len__(self) -> int:
        if self.size is None:
            self.size = sum(1 for _ in self)
        return self.size

    def __iter__(self) -> Iterator[Diagnostic]:
        report = self.report
        yield from (d for line in report.objections for d in line.problems)
        yield from (d for change in report.changes for d in change.problems)
        yield from report.file_problems


__all__ = ["InMemory", "OnDisk", "StreamedReport"]
