"""The single exception root and the located diagnostic every check reports.

Problems found while validating are *collected* as :class:`Diagnostic` values, never raised
one at a time; an exception (:class:`PolicyInvalid`) carries the whole list when a caller
needs to stop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(enum.StrEnum):
    """How bad a diagnostic is; warnings fail a run only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: file, 1-based line and column, and the JSON path of the node."""

    file: str
    line: int = 0
    col: int = 0
    path: str = "$"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


#: The rule of a file that could not be read at all (reported per file, never from a check;
#: described in engine.report.rules). One definition for validate, test and the catalogue.
UNREADABLE = "file-unreadable"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: location, rule id, message, and an optional fix suggestion.

    ``subject`` says what a problem of a data file is about (a job id, an employee id, or
    ``file``); a problem of a policy has none.
    """

    location: Location
    rule: str
    message: str
    suggestion: str | None = None
    severity: Severity = Severity.ERROR
    subject: str | None = None

    def about(self, subject: str) -> Diagnostic:
        """The same diagnostic, about ``subject``."""
        return replace(self, subject=subject)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        """The diagnostic as JSON; ``subject`` first, and only when there is one."""
        loc = self.location
        return {
            **({} if self.subject is None else {"subject": self.subject}),
            "file": loc.file,
            "line": loc.line,
            "col": loc.col,
            "path": loc.path,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem with one subject's data (an employee, a job, a record), found while reading,
    checking or evaluating it: others go on. ``indicator`` is the 1-based goal line, ``None`` for
    the whole subject; ``origin`` says where in the data file (``file:row N`` or ``file:line:col``).
    ``row_without_id`` marks the problem of a table row that names no employee (no id): neither
    an employee's nor the file's (``explain``, which never reads such rows, leaves it out).
    """

    employee_id: str | None
    indicator: int | None
    rule: str
    message: str
    origin: str
    row_without_id: bool = False


#: The loader's problems of one value, left as its text (``.nan``, an unquoted ``yes``,
#: ``1e400``): in a record of a data file they are that record's problem, not the file's.
VALUE_RULES = frozenset({"yaml-non-finite", "yaml-ambiguous-word", "yaml-number-range"})


class HRPolicyError(Exception):
    """Root of every exception this package raises on purpose."""


@dataclass
class PolicyInvalid(HRPolicyError):
    """Raised by APIs that cannot go on when a policy has errors; carries every diagnostic."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{d.location}: {d.severity.value} [{d.rule}] {d.message}" for d in self.diagnostics)


class UsageError(HRPolicyError):
    """Bad invocation or an unreadable input file (CLI exit code 2)."""


class DataError(HRPolicyError):
    """Input data (records) that cannot be read at all."""
