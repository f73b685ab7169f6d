"""Diagnostics as SARIF 2.1.0 (code scanning): one run, the rules used with their help, one result each.

The log validates against the OASIS SARIF 2.1.0 JSON schema (a test checks it). Line and column
are 1-based, as in our text output; a problem with no position (a file that cannot be read) has
no region. The suggestion is part of the message and of the result's ``properties``. Each
policy that loaded is an ``artifact`` whose ``properties.policy`` is its stamp (id, version,
sha256 of its content): the log names the exact rulebooks it checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from engine import __version__
from engine.errors import Diagnostic
from engine.provenance import Stamp
from engine.report.rules import rule_info

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _uri(file: str) -> str:
    """A relative URI reference for a shown path (``-``/``<stdin>`` stay as they are, escaped)."""
    return quote(PurePath(file).as_posix(), safe="/")


def _rule(rule: str) -> dict[str, Any]:
    info = rule_info(rule)
    return {
        "id": rule,
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": f"{info.short}. {info.help}"},
        "help": {"text": info.help},
    }


def _result(d: Diagnostic, index: int) -> dict[str, Any]:
    text = d.message + (f" (suggestion: {d.suggestion})" if d.suggestion else "")
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(d.location.file)}}
    if d.location.line > 0:
        physical["region"] = {"startLine": d.location.line, "startColumn": max(d.location.col, 1)}
    result: dict[str, Any] = {
        "ruleId": d.rule,
        "ruleIndex": index,
        "level": d.severity.value,
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": d.location.path, "kind": "member"}],
            }
        ],
        "properties": {"jsonPath": d.location.path},
    }
    if d.suggestion:
        result["properties"]["suggestion"] = d.suggestion
    return result


def sarif_log(
    diagnostics: Sequence[Diagnostic], tool: str = "hrpolicy", stamps: Mapping[str, Stamp] | None = None
) -> dict[str, Any]:
    """The SARIF log of ``diagnostics`` as a plain dict (``stamps``: per file, its policy)."""
    rules = sorted({d.rule for d in diagnostics})
    index = {rule: i for i, rule in enumerate(rules)}
    log: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool,
                        "version": __version__,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.rule]) for d in diagnostics],
            }
        ],
    }
    if stamps:
        log["runs"][0]["artifacts"] = [
            {"location": {"uri": _uri(name)}, "properties": {"policy": stamp.as_dict()}}
            for name, stamp in stamps.items()
        ]
    return log


def render_sarif(
    files: Sequence[tuple[str, Sequence[Diagnostic]]], stamps: Mapping[str, Stamp] | None = None
) -> str:
    """Every file's diagnostics (and the stamps of the policies among them) as one SARIF 2.1.0 log."""
    log = sarif_log([d for _, diags in files for d in diags], stamps=stamps)
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
