"""The README's consultant examples are real: each ``$ hrpolicy ...`` block is run from the
repository root and its output must match (a line ``...`` stands for any lines)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT.joinpath("README.md").read_text(encoding="utf-8")
SECTION = README.split("## For consultants")[1].split("\n## Speed")[0]
BLOCKS = re.findall(r"```console\n\$ (hrpolicy [^\n]+)\n(.*?)```", SECTION, re.S)


def matches(expected: str, actual: str) -> bool:
    """Every chunk between ``...`` lines appears in ``actual``, in order; the first at its start."""
    chunks = expected.split("...\n")
    if not actual.startswith(chunks[0]):
        return False
    pos = len(chunks[0])
    for chunk in chunks[1:]:
        found = actual.find(chunk, pos)
        if found < 0:
            return False
        pos = found + len(chunk)
    return pos == len(actual) or expected.endswith("...\n")


def test_the_section_shows_every_consultant_command() -> None:
    assert [shlex.split(c)[1] for c, _ in BLOCKS] == ["compare", "compare", "diff", "diff", "simulate", "doc"]


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c[:60] for c, _ in BLOCKS])
def test_readme_output_is_current(command: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert matches(expected, result.stdout), result.stdout
