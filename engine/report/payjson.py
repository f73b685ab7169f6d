"""The ``pay`` report as JSON, written a piece at a time: the text ``json.dumps(..., ensure_ascii=False,
indent=2)`` gives for the whole report, each list's items made as they are read from the run's lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.pay import PayReport
from engine.pay.incentive import Share
from engine.pay.mix import MixResult
from engine.report import jsontext
from engine.report.jobeval import jsonable
from engine.report.paylines import Lines, Write, named, share_check


def _share_dict(s: Share) -> dict[str, Any]:
    return {
        "employee": s.employee,
        "individual": jsonable(s.individual),
        "exact": jsonable(s.exact),
        "amount": jsonable(s.amount),
        **({"adjusted": jsonable(s.adjusted)} if s.adjusted is not None else {}),
        "extra_unit": s.extra_unit,
        "explanation": s.explanation,
    }


#: A JSON object's members: each key with what writes its value at an indent.
Members = list[tuple[str, Callable[[str], None]]]


class _Json:
    """JSON written as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it, a list's
    items as they are read (:func:`engine.report.jsontext.dumps` for each)."""

    def __init__(self, write: Write) -> None:
        self.out = Lines(write)

    def value(self, value: Any) -> Callable[[str], None]:
        """What writes ``value`` (held whole) at an indent."""
        return lambda indent: self.out.text(jsontext.dumps(value, indent))

    def items(self, values: Iterable[Any]) -> Callable[[str], None]:
        """What writes a list of ``values`` (read as they are written) at an indent."""

        def write(indent: str) -> None:
            inner, pending = indent + "  ", None
            for value in values:
                self.out.line("[" if pending is None else pending + ",")
                pending = inner + jsontext.dumps(value, inner)
            if pending is None:
                self.out.text("[]")
            else:
                self.out.line(pending)
                self.out.text(indent + "]")

        return write

    def members(self, members: Members) -> Callable[[str], None]:
        """What writes an object of ``members`` at an indent."""

        def write(indent: str) -> None:
            inner = indent + "  "
            self.out.text("{\n")
            for index, (key, member) in enumerate(members):
                self.out.text(f"{inner}{jsontext.dumps(key)}: ")
                member(inner)
                self.out.text(",\n" if index < len(members) - 1 else "\n")
            self.out.text(indent + "}")

        return write


def write_json(report: PayReport, write: Write) -> None:
    """The pay report as JSON: each section's figures with their explanations, then the problems."""
    json = _Json(write)
    json.members(
        [
            ("policy", json.value(report.policy)),
            ("data", json.value(report.data)),
            ("currency", json.value(report.currency)),
            ("parameters", json.value(jsonable(report.parameters))),
            ("merit", json.items(_merit_dicts(report))),
            ("incentive", _incentive_json(report, json)),
            ("promotion", json.items(_promotion_dicts(report))),
            ("mix", _mix_json(report.mix, json)),
            ("grade_changes", json.items(_change_dicts(report))),
            ("bonus", json.items(_bonus_dicts(report))),
            ("problems", json.items(d.to_dict() for d in report.problems)),
        ]
    )("")
    json.out.line("")
    json.out.flush()


def _incentive_json(report: PayReport, json: _Json) -> Callable[[str], None]:
    result = report.incentive
    if result is None:
        return json.value(None)
    eligibility = [{"id": e.id, "passed": e.passed, "reason": e.reason} for e in result.eligibility]
    return json.members(
        [
            ("eligible", json.value(result.eligible)),
            ("eligibility", json.value(eligibility)),
            ("pool", json.value(jsonable(result.pool))),
            ("paid_pool", json.value(jsonable(result.paid_pool))),
            ("shares", json.items(_share_dict(s) for s in result.shares)),
            ("total", json.value(jsonable(result.total))),
            ("check", json.value(share_check(result, report.incentive_unit))),
            ("trace", json.items(result.trace)),
        ]
    )


def _mix_json(mix: MixResult | None, json: _Json) -> Callable[[str], None]:
    if mix is None:
        return json.value(None)
    targets = (
        {
            "employee": t.employee,
            "held": jsonable(t.held),
            "target": jsonable(t.target),
            "explanation": t.explanation,
        }
        for t in mix.targets
    )
    return json.members(
        [
            ("component", json.value(mix.component)),
            ("targets", json.items(targets)),
            ("total", json.value(jsonable(mix.total))),
        ]
    )


def render_json(report: PayReport) -> str:
    """The pay report as JSON: each section's figures with their explanations, then the problems."""
    parts: list[str] = []
    write_json(report, parts.append)
    return "".join(parts)


def _merit_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each merit raise as JSON: the employee, the zone and why, the raise and its explanation."""
    return (
        {
            "employee": m.employee,
            "name": name,
            "zone": m.zone,
            "zone_explanation": m.zone_explanation,
            "raise": jsonable(m.value),
            "explanation": list(m.explanation),
        }
        for name, m in named(report, lambda line: line.merit, report.merit)
    )


def _promotion_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each employee's promotion points as JSON, with the trace."""
    return (
        {
            "employee": p.id,
            "name": name,
            "grade_points": jsonable(p.grade_points),
            "deduction_percent": jsonable(p.deduction_percent),
            "deduction": jsonable(p.deduction),
            "bonuses": jsonable(p.bonuses),
            "total": jsonable(p.total),
            "trace": list(p.trace),
        }
        for name, p in named(report, lambda line: line.promotion, report.promotion)
    )


def _change_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    """Each grade change (promotion or demotion) as JSON, with its explanation and problems."""
    return (
        {
            "employee": c.employee,
            "kind": c.kind,
            "before": c.before,
            "after": c.after,
            "explanation": list(c.explanation),
            "problems": list(c.problems),
        }
        for c in report.grade_changes
    )


def _bonus_dicts(report: PayReport) -> Iterator[dict[str, Any]]:
    return (
        {
            "employee": b.employee,
            "name": name,
            "amount": jsonable(b.amount),
            "explanation": list(b.explanation),
        }
        for name, b in named(report, lambda line: line.bonus, report.bonus)
    )
