"""Renderer registries drive the CLI's --format choices; a data file's problem carries its subject;
the fast path falls back to the checked one in one place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click
import pytest

from engine.cli import cli
from engine.errors import Diagnostic, Location, UsageError
from engine.formula import fast_or_checked
from engine.report import calibration, diagnostics, jobeval, pay, policytest, renderer, results, workflow
from engine.report.diagnostics import format_text_line

REGISTRIES: dict[str, dict[str, Any]] = {
    "validate": diagnostics.RENDERERS,
    "test": policytest.TEST_RENDERERS,
    "evaluate": results.RENDERERS,
    "explain": results.EXPLAIN_RENDERERS,
    "calibrate": calibration.RENDERERS,
    "jobeval": jobeval.RENDERERS,
    "pay": pay.RENDERERS,
    "workflow": workflow.RENDERERS,
}


def _format_choices(command: str) -> list[str]:
    group = cli
    assert isinstance(group, click.Group)
    option = next(p for p in group.commands[command].params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


@pytest.mark.parametrize("command", sorted(REGISTRIES))
def test_format_choices_are_the_registry(command: str) -> None:
    assert _format_choices(command) == list(REGISTRIES[command])


def test_the_registries_hold_what_the_commands_offer() -> None:
    assert list(results.RENDERERS) == ["text", "json", "csv", "html", "xlsx"]
    assert list(results.EXPLAIN_RENDERERS) == ["text", "json", "html"]
    assert list(results.SPLIT_RENDERERS) == ["csv", "json"]
    for registry in (calibration.RENDERERS, jobeval.RENDERERS, pay.RENDERERS, workflow.RENDERERS):
        assert list(registry) == ["text", "json", "csv", "html", "xlsx"]


def test_an_unknown_format_names_the_registry_formats() -> None:
    with pytest.raises(UsageError, match=r"^unknown format 'xml'; use one of text, json, csv, html, xlsx$"):
        renderer(pay.RENDERERS, "xml")


def test_a_data_problem_names_its_subject_and_a_policy_problem_does_not() -> None:
    where = Location("jobs.yaml", 4, 7, "$.jobs[0].job")
    plain = Diagnostic(where, "jobeval-duplicate-job", "job J1 appears twice")
    about = plain.about("J1")
    assert "subject" not in plain.to_dict()
    assert list(about.to_dict())[:2] == ["subject", "file"]
    assert about.to_dict()["subject"] == "J1"
    assert format_text_line(plain) == "jobs.yaml:4:7: error [jobeval-duplicate-job] job J1 appears twice"
    assert format_text_line(about) == "jobs.yaml:4:7: J1: error [jobeval-duplicate-job] job J1 appears twice"


def test_the_checked_path_runs_only_when_the_fast_one_fails() -> None:
    calls: list[str] = []

    def checked(x: Decimal) -> Decimal:
        calls.append("checked")
        return x * 2

    assert fast_or_checked(lambda x: x + 1, checked, Decimal(3)) == Decimal(4)
    assert calls == []
    assert fast_or_checked(lambda x: x / 0, checked, Decimal(3)) == Decimal(6)
    assert calls == ["checked"]

    def precise(x: Decimal) -> Decimal:
        raise UsageError(f"precise: {x}")

    with pytest.raises(UsageError, match=r"^precise: 3$"):
        fast_or_checked(lambda x: x / 0, precise, Decimal(3))
