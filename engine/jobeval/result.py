"""What one job's evaluation gives (:class:`JobResult`: raters' points, group means, total, grades,
problems and the explanation), and the collector it is built with while the job is evaluated."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.errors import Diagnostic, Location
from engine.jobeval.committee import MeetingOutcome
from engine.jobeval.job import Adjustment, JobInput
from engine.location import Path, SourceMap, json_path


@dataclass(frozen=True)
class RaterScore:
    """A rater's points (``None`` when the rating is left out) and the factor-by-factor detail."""

    rater: str
    group: str
    points: Decimal | None
    detail: str


@dataclass(frozen=True)
class GroupScore:
    """One rater group: declared count and weight, valid ratings, exact mean, weighted share."""

    group: str
    weight: Decimal
    expected: int
    counted: int
    mean: Decimal | None
    contribution: Decimal | None


@dataclass(frozen=True)
class JobResult:
    """Everything about one job's evaluation, with an explanation line for each number."""

    job: str
    family: str
    table: str | None
    raters: tuple[RaterScore, ...] = ()
    groups: tuple[GroupScore, ...] = ()
    total: Decimal | None = None
    rounded: Decimal | None = None
    proposed_grade: str | None = None
    final_grade: str | None = None
    adjustment: Adjustment | None = None
    adjustment_outcome: MeetingOutcome | None = None
    problems: tuple[Diagnostic, ...] = ()
    trace: tuple[str, ...] = ()


@dataclass
class JobWork:
    """Mutable collector used while one job is evaluated: its problems (located in the job's
    record file) and the explanation lines, in the order found."""

    job: JobInput
    source: SourceMap | None
    problems: list[Diagnostic] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)

    def problem(self, path: Path, rule: str, message: str, suggestion: str | None = None) -> None:
        """A problem at ``path`` below the job's own place in its record file."""
        full = self.job.path + path
        loc = self.source.locate(full) if self.source else Location("<jobs>", 0, 0, json_path(full))
        self.problems.append(Diagnostic(loc, rule, message, suggestion))
