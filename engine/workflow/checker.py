"""The checks of a ``workflow`` data file's records, a record at a time, shared by the whole read
(:func:`engine.workflow.run.build_workflow_report`) and the streamed one
(:mod:`engine.workflow.stream`).

A notice is complete on its own: its line is made as it is read. An objection's rounds are
checked against the same employee's other objections, and a goal change against the same
employee's other changes, so those are read first and *held* (:class:`Held`: what was read,
its name, where its fields are) until every record is read; then each employee's held records
are checked together (:meth:`Checker.check_held`). Where the records go and come from is a
:class:`Collect`'s business: lists in memory for the whole read, a disk store for a stream.

A record that cannot be read is a :class:`DataError`; every one met is kept with its place in
the order the whole read meets them (:data:`ErrorKey`), and the first of that order is raised
(:meth:`Checker.raise_first`): the same error whatever the order of the file's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from engine.errors import DataError, Diagnostic, UsageError
from engine.io.datafile import DataDocument, located, need_mapping, unknown_keys, value_problems
from engine.location import Path, SourceMap
from engine.workflow.calendar import Calendar
from engine.workflow.goals import GoalChange, check_goal_change, phase_of
from engine.workflow.objections import Objection, check_objection, objection_histories
from engine.workflow.records import (
    CHANGE_KEYS,
    LINE_KEYS,
    NOTICE_KEYS,
    OBJECTION_KEYS,
    locate_problem,
    read_change,
    read_objection,
)
from engine.workflow.run import (
    ChangeLine,
    Deadline,
    ObjectionLine,
    change_order,
    deadline_of,
    describe_change,
    filed_status,
    handler_of,
    indicator_path,
    open_status,
    removed_path,
    target_sheet,
    window_days,
)

#: Each list's place in the whole read's order, what a record of it is, its keys.
LISTS: dict[str, tuple[int, str, frozenset[str]]] = {
    "goal_changes": (1, "a goal change", CHANGE_KEYS),
    "notices": (2, "a notice", NOTICE_KEYS),
    "objections": (3, "an objection", OBJECTION_KEYS),
}
#: Sections of the file's problems, in the whole read's order: the file's own keys, the goal
#: changes' records, their goal lines, the notices', the objections'.
TOP, CHANGES, CHANGE_LINES, NOTICES, OBJECTIONS = range(5)
_SECTION = {"goal_changes": CHANGES, "notices": NOTICES, "objections": OBJECTIONS}

#: Notice days whose deadlines are remembered at most.
_REMEMBERED = 4096
#: Where an error is in the whole read's order: (list, step, ...) compared as tuples.
ErrorKey = tuple[Any, ...]
#: Line marks of one record: (path, line, column) of its values, then of its keys.
Marks = tuple[tuple[tuple[Path, int, int], ...], tuple[tuple[Path, int, int], ...]]


@dataclass(frozen=True)
class Held:
    """An objection or a goal change read, waiting for the same employee's others."""

    index: int
    name: str
    item: Objection | GoalChange
    marks: Marks | None = None  # None: the document still locates it (a whole read)


class Collect(Protocol):
    """Where a run's results go, and where the held records come back from, by employee."""

    def notice(self, index: int, line: ObjectionLine) -> None: ...
    def objection(self, index: int, line: ObjectionLine) -> None: ...
    def change(self, index: int, line: ChangeLine) -> None: ...
    def target(self, index: int, sheet: Any) -> None: ...
    def problems(self, section: int, found: Iterable[Diagnostic]) -> None: ...
    def person(self, employee: str) -> None: ...
    def hold(self, key: str, employee: str, held: Held) -> None: ...
    def held(self, key: str) -> Iterable[Sequence[Held]]:
        """Each employee's held records of list ``key``, in file order."""
        ...


def marks_of(source: SourceMap, at: Path) -> Marks:
    """The line marks of the node at ``at`` and of everything inside it."""

    def inside(table: Mapping[Path, tuple[int, int]]) -> tuple[tuple[Path, int, int], ...]:
        return tuple((p, *mark) for p, mark in table.items() if p[: len(at)] == at)

    return inside(source.values), inside(source.keys)


@dataclass(frozen=True)
class _Marked:
    """A held record's own document: the file's name and the record's line marks."""

    file: str
    source: SourceMap
    data: Any = None


def _doc_of(doc: DataDocument, held: Held) -> DataDocument:
    if held.marks is None:
        return doc
    source = SourceMap(doc.file)
    source.values.update({p: (line, col) for p, line, col in held.marks[0]})
    source.keys.update({p: (line, col) for p, line, col in held.marks[1]})
    return _Marked(doc.file, source)


class Checker:
    """One run's checks: :meth:`take` each record (its marks in ``doc`` while it is taken), then
    :meth:`check_held`, then :meth:`raise_first`."""

    def __init__(
        self, policy: Mapping[str, Any], doc: DataDocument, today: date | None, out: Collect, *, keep: bool
    ) -> None:
        self.policy, self.doc, self.today, self.out = policy, doc, today, out
        self.keep = keep  # keep each held record's marks (the document forgets them)
        self.calendar = Calendar.from_policy(policy)
        self.declared = bool((policy.get("workflows") or {}).get("objections"))
        self.days = window_days(policy) if self.declared else 0
        self.met: set[str] = set()
        self.deadlines: dict[date, Deadline] = {}
        self.statuses: dict[Deadline, str] = {}
        self.handlers: dict[int, str] = {}
        self.error: tuple[ErrorKey, DataError] | None = None

    def fail(self, key: ErrorKey, exc: DataError) -> None:
        """Keep ``exc`` if the whole read would meet it before any kept so far."""
        if self.error is None or key < self.error[0]:
            self.error = (key, exc)

    def take(self, key: str, index: int, raw: Any) -> None:
        """Read one record of list ``key``: a notice's line, or an objection or change held."""
        self.met.add(key)
        place, what, allowed = LISTS[key]
        try:
            record = need_mapping(self.doc, (key, index), raw, what)
        except DataError as exc:
            self.fail((place, 0, index), exc)
            return
        subject = str(record.get("employee", "file"))
        at: Path = (key, index)
        self.out.problems(
            _SECTION[key], (d.about(subject) for d in unknown_keys(self.doc, at, record, allowed, what))
        )
        # (a table's document has no loader problems: nothing to look for in each row)
        bad = value_problems(self.doc, at, subject) if getattr(self.doc, "diagnostics", ()) else []
        if bad:
            self.out.problems(_SECTION[key], bad)
            self.out.person(subject)
            return
        if key != "goal_changes" and not self.declared:
            return  # (the run is refused once every record is read: raise_first)
        try:
            if key == "goal_changes":
                self._change(index, record)
            elif key == "notices":
                self._notice(index, record)
            else:
                item = self._try((3, 1, index), located, self.doc, at, read_objection, record, False)
                self._hold(key, index, record, item)
        except _Failed:
            return

    def _hold(self, key: str, index: int, record: Mapping[str, Any], item: Objection | GoalChange) -> None:
        marks = marks_of(self.doc.source, (key, index)) if self.keep else None
        self.out.hold(key, item.employee, Held(index, str(record.get("name", "")), item, marks))
        self.out.person(item.employee)

    def _try(self, key: ErrorKey, read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except DataError as exc:
            self.fail(key, exc)
            raise _Failed from None

    def _deadline(self, notice: date) -> Deadline:
        """:func:`~engine.workflow.run.deadline_of` the notice day, remembered for the next notices
        of that day (a run has few notice days; a bounded number is remembered)."""
        found = self.deadlines.get(notice)
        if found is None:
            if len(self.deadlines) >= _REMEMBERED:
                self.deadlines.clear()
                self.statuses.clear()
            found = self.deadlines[notice] = deadline_of(self.calendar, notice, self.days)
        return found

    def _handler(self, round_no: int) -> str:
        found = self.handlers.get(round_no)
        if found is None:
            found = self.handlers[round_no] = handler_of(self.policy, round_no)
        return found

    def _notice(self, index: int, record: Mapping[str, Any]) -> None:
        at: Path = ("notices", index)
        item = self._try((2, 1, index, 0), located, self.doc, at, read_objection, record, True)
        deadline = self._try(
            (2, 1, index, 1),
            located,
            self.doc,
            (*at, "notice"),
            self._deadline,
            item.notice,
        )
        status = self.statuses.get(deadline)
        if status is None:
            status = self.statuses[deadline] = open_status(self.calendar, deadline, self.today)
        line = ObjectionLine(
            "notice", item.employee, str(record.get("name", "")), item.period, item.round,
            self._handler(item.round), deadline, status=status,
        )  # fmt: skip
        self.out.notice(index, line)
        self.out.person(item.employee)

    def _change(self, index: int, record: Mapping[str, Any]) -> None:
        at: Path = ("goal_changes", index)
        subject = str(record.get("employee", "file"))
        for side in ("before", "after"):
            lines = record.get(side)
            for n, line in enumerate(lines if isinstance(lines, list) else []):
                if isinstance(line, Mapping):
                    found = unknown_keys(self.doc, (*at, side, n), line, LINE_KEYS, "a goal line")
                    self.out.problems(CHANGE_LINES, (d.about(subject) for d in found))
        change = self._try((1, 1, index), located, self.doc, at, read_change, record)
        self._hold("goal_changes", index, record, change)

    # --- each employee's held records, checked together -----------------------------------------

    def check_held(self) -> None:
        """Check every employee's objections, then every employee's goal changes."""
        if self.declared:
            for group in self.out.held("objections"):
                self._objections(group)
        for group in self.out.held("goal_changes"):
            self._changes(group)

    def _objections(self, group: Sequence[Held]) -> None:
        items = [h.item for h in group if isinstance(h.item, Objection)]
        for held, item, earlier in zip(group, items, objection_histories(items), strict=True):
            doc, base = _doc_of(self.doc, held), ("objections", held.index)
            at_notice: Path = (*base, "notice")
            try:
                problems = self._try(
                    (3, 2, held.index, 0),
                    located,
                    doc,
                    at_notice,
                    check_objection,
                    item,
                    self.policy,
                    earlier,
                )
                deadline = self._try(
                    (3, 2, held.index, 1),
                    located,
                    doc,
                    at_notice,
                    self._deadline,
                    item.notice,
                )
            except _Failed:
                continue
            diagnostics = tuple(
                locate_problem(doc, item.employee, p, base, indicator_path(base, item, p.indicator))
                for p in problems
            )
            status, late = filed_status(self.calendar, item, deadline)
            self.out.objection(
                held.index,
                ObjectionLine(
                    "objection", item.employee, held.name, item.period, item.round,
                    self._handler(item.round), deadline, item.filed, item.indicators,
                    status, diagnostics, late,
                ),
            )  # fmt: skip

    def _changes(self, group: Sequence[Held]) -> None:
        changes = [h.item for h in group if isinstance(h.item, GoalChange)]
        order = change_order(changes)
        lines: dict[int, ChangeLine] = {}
        for rank, k in enumerate(order):
            held, change = group[k], changes[k]
            doc, base = _doc_of(self.doc, held), ("goal_changes", held.index)
            history = [changes[j] for j in order[:rank]]
            made = change.made_on
            try:
                found = self._try(
                    (1, 2, made is None, made or date.min, held.index),
                    check_goal_change,
                    change,
                    self.policy,
                    history,
                )
            except _Failed:
                return
            problems = tuple(
                locate_problem(doc, change.employee, p, base, removed_path(base, change, p)) for p in found
            )
            lines[k] = ChangeLine(
                change.employee, held.name, phase_of(change, self.policy), change.reason, change.batch,
                change.made_on, describe_change(change), problems,
            )  # fmt: skip
        for k, held in enumerate(group):
            self.out.change(held.index, lines[k])
        self.out.target(
            group[0].index, target_sheet(self.policy, changes, order, [lines[k] for k in range(len(group))])
        )

    def raise_first(self, lists: Iterable[str]) -> None:
        """Refuse the run as the whole read would: a policy without objections for a file that has
        some, else the first error the whole read meets."""
        if ({"notices", "objections"} & set(lists)) and not self.declared:
            raise UsageError("the policy declares no workflows.objections: objections cannot be checked")
        if self.error is not None:
            raise self.error[1]


class _Failed(Exception):
    """A record's error was kept (:meth:`Checker.fail`): its line is not made."""
