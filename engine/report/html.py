"""The evaluation report as one self-contained HTML page (every value escaped)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.errors import Problem
    from engine.evaluate import RunOutcome

STYLE = (
    "body{font-family:system-ui,'Noto Sans CJK KR','Noto Sans CJK JP',sans-serif;margin:2em}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .6em}"
    "th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".problem{color:#a00}.warning{color:#a60}"
)


def _numeric(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    return text != ""


def _cell(text: str) -> str:
    return f"<td class=\"num\">{escape(text)}</td>" if _numeric(text) else f"<td>{escape(text)}</td>"


def _problem_items(problems: list[Problem], kind: str) -> str:
    items = "".join(
        f"<li class=\"{kind}\"><code>{escape(p.origin)}</code> {escape(p.employee_id or 'file')}"
        f"{escape(f' indicator {p.indicator}') if p.indicator is not None else ''}: "
        f"[{escape(p.rule)}] {escape(p.message)}</li>"
        for p in problems
    )
    return f"<h2>{kind}s</h2><ul>{items}</ul>" if problems else ""


def render_html(outcome: RunOutcome, header: list[str], rows: list[list[str]]) -> str:
    """A page with the result table (numbers right-aligned), then problems and warnings."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    title = f"hrpolicy: {outcome.policy.id}"
    summary = f"{len(outcome.results)} evaluated, {len(outcome.failed_employees)} with problems"
    return (
        f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><p>{escape(summary)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"{_problem_items(outcome.problems, 'problem')}{_problem_items(outcome.warnings, 'warning')}"
        "</body></html>\n"
    )
