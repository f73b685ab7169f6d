"""The composition of a rating panel, as the policy's ``job_evaluation.panels.<family>`` declares it.

Checks, each a problem on the job (a rater with a problem is left out of the means):

- ``jobeval-duplicate-rater``, ``jobeval-unknown-group``, ``jobeval-own-job`` (``exclude_own_job``);
- ``jobeval-panel-relation``: a group's declared ``division`` (``same`` / ``other``: the rater's
  ``division`` against the job's) and ``position`` (``same``: the rater's ``position`` is the job's
  position, its ``position`` else its family; ``superior``: the rater is the job's ``superior``);
- ``jobeval-panel-sme``: at least ``min_sme`` raters marked ``sme: true``;
- ``jobeval-group-count``: each group has its declared number of raters, unless the job records
  a ``panel_change`` approved by the role ``job_evaluation.approvals_by.panel_change`` names
  (a panel composed otherwise because raters are short); then the count is a trace line, and the
  weights of the groups that have raters are scaled to add up to 100 (:func:`group_weights`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

Report = Callable[..., None]


@dataclass(frozen=True)
class Exception_:
    """A recorded exception to the survey rules (제8조③ survey skipped, 제9조③ 단서 panel changed)."""

    approved_by: str
    reason: str = ""


def exception_from_record(record: Mapping[str, Any] | None) -> Exception_ | None:
    """An :class:`Exception_` from plain data (``None`` when not recorded)."""
    if not record:
        return None
    return Exception_(str(record.get("approved_by", "")), str(record.get("reason", "")))


class _Rating(Protocol):
    @property
    def rater(self) -> str: ...

    @property
    def group(self) -> str: ...

    @property
    def rater_job(self) -> str: ...

    @property
    def division(self) -> str: ...

    @property
    def position(self) -> str: ...

    @property
    def sme(self) -> bool: ...



class _Job(Protocol):
    @property
    def job(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def holder(self) -> str: ...

    @property
    def division(self) -> str: ...

    @property
    def position(self) -> str: ...

    @property
    def superior(self) -> str: ...

    @property
    def panel_change(self) -> Exception_ | None: ...


    @property
    def panel(self) -> Sequence[_Rating]: ...



def approved(
    spec: Mapping[str, Any], kind: str, record: Exception_ | None, job: str, report: Report
) -> bool:
    """Whether ``record`` is approved by the role ``approvals_by.<kind>`` declares (a problem if not)."""
    if record is None:
        return False
    role = (spec.get("approvals_by") or {}).get(kind)
    if role is None:
        report((kind,), f"jobeval-{kind.replace('_', '-')}", f"job {job}: the policy allows no {_what(kind)}")
        return False
    if record.approved_by != role:
        report(
            (kind, "approved_by"),
            f"jobeval-{kind.replace('_', '-')}",
            f"job {job}: a {_what(kind)} needs the approval of {role}, not '{record.approved_by}'",
        )
        return False
    return True


def _what(kind: str) -> str:
    return {"survey_skip": "skipped survey", "panel_change": "panel composed otherwise"}.get(kind, kind)


def check_panel(
    spec: Mapping[str, Any], panel: Mapping[str, Any], job: _Job, report: Report
) -> tuple[set[int], bool]:
    """Check the panel of ``job``; the indexes of raters to leave out, and whether an approved
    ``panel_change`` lets the group counts differ from the declaration."""
    groups = {str(g["id"]): g for g in panel.get("groups") or []}
    left_out: set[int] = set()
    seen: set[str] = set()
    for index, rating in enumerate(job.panel):
        if _rater_problem(job, rating, groups, panel, seen, index, report):
            left_out.add(index)
        seen.add(rating.rater)
    _check_sme(panel, job, report)
    changed = approved(spec, "panel_change", job.panel_change, job.job, report)
    for gid, group in groups.items():
        have = sum(1 for r in job.panel if r.group == gid)
        if have != int(group["count"]) and not changed:
            report(
                ("panel",),
                "jobeval-group-count",
                f"group {gid} has {have} rater{'s' if have != 1 else ''};"
                f" panel {job.family} declares {group['count']}",
            )
    return left_out, changed


def _rater_problem(
    job: _Job,
    rating: _Rating,
    groups: Mapping[str, Mapping[str, Any]],
    panel: Mapping[str, Any],
    seen: set[str],
    index: int,
    report: Report,
) -> bool:
    """Report every problem of one rater; whether the rater is left out."""
    bad = False
    if rating.rater in seen:
        text = f"rater {rating.rater} appears more than once on the panel of job {job.job}"
        report(("panel", index, "rater"), "jobeval-duplicate-rater", text)
        bad = True
    group = groups.get(rating.group)
    if group is None:
        text = f"rater {rating.rater} is in group '{rating.group}', not a group of panel {job.family}"
        report(("panel", index, "group"), "jobeval-unknown-group", text, "use one of: " + ", ".join(groups))
        return True
    own = rating.rater_job == job.job or rating.rater == job.holder
    if own and panel.get("exclude_own_job", False):
        text = f"rater {rating.rater} rates their own job {job.job}; panel {job.family} excludes that"
        report(("panel", index), "jobeval-own-job", text)
        bad = True
    for problem in _relation_problems(job, rating, group):
        report(("panel", index), "jobeval-panel-relation", problem)
        bad = True
    return bad


def _relation_problems(job: _Job, rating: _Rating, group: Mapping[str, Any]) -> list[str]:
    found = []
    who = f"rater {rating.rater} (group {rating.group})"
    division = group.get("division")
    if division is not None:
        if not job.division or not rating.division:
            missing = "the job" if not job.division else who
            found.append(f"{missing} states no division; group {rating.group} needs the {division} division")
        elif (rating.division == job.division) != (division == "same"):
            need = "the job's division" if division == "same" else "another division than the job's"
            found.append(f"{who} is of division {rating.division}; the group needs {need} ({job.division})")
    position = group.get("position")
    mine = job.position or job.family
    if position == "same" and rating.position != mine:
        held = rating.position or "-"
        found.append(f"{who} holds position '{held}'; the group needs the job's position {mine}")
    if position == "superior" and rating.rater != job.superior:
        found.append(f"{who} is not the job's direct superior ({job.superior or 'not stated'})")
    return found


def _check_sme(panel: Mapping[str, Any], job: _Job, report: Report) -> None:
    need = int(panel.get("min_sme", 0))
    have = sum(1 for r in job.panel if r.sme)
    if have < need:
        report(
            ("panel",),
            "jobeval-panel-sme",
            f"job {job.job}: the panel has {have} subject-matter expert{'s' if have != 1 else ''}"
            " (sme: true);"
            f" panel {job.family} needs at least {need}",
        )


def group_weights(
    groups: Sequence[Mapping[str, Any]], present: set[str], changed: bool
) -> dict[str, Decimal]:
    """Each group's weight; with an approved panel change, the weights of the groups that have
    raters scaled to add up to 100 (a group without raters then weighs 0)."""
    weights = {str(g["id"]): Decimal(str(g["weight"])) for g in groups}
    if not changed or set(weights) <= present:
        return weights
    kept = sum((w for g, w in weights.items() if g in present), Decimal(0))
    return {g: (w * 100 / kept if g in present and kept else Decimal(0)) for g, w in weights.items()}

