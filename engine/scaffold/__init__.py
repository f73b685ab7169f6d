"""``hrpolicy init``: a new policy with the right modeline for where it is written, and its tests.

The start is the blank template (``templates/blank.yaml``, every section to fill in marked
``FILL IN``) or one of the bundled seed policies. The policy's first line is rewritten to name the
schema relative to the new file (``schema_reference``); the template's test file is written
beside it, pointing at the new policy, and every records file it reads is copied next to it
(``scheme.yaml``'s tests read ``scheme.employees.yaml``). Nothing
is written when any target exists, and every file is written atomically.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import UsageError
from engine.io.atomic import write_atomic
from engine.resources import bundled_root
from engine.schema import MODELINE_PREFIX, schema_reference, test_schema_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
BLANK = "blank"
SEEDS = ("japan_mbo", "kepco_like", "kumho_like")
CHOICES = (BLANK, *SEEDS)
_RECORDS = re.compile(r"^(\s*records:\s*)(\S+\.(?:ya?ml|json|csv))\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Planned:
    """One file ``init`` writes: where, and its text."""

    path: Path
    text: str


def _sources(start: str) -> tuple[Path, Path]:
    """The template's policy and test file."""
    if start == BLANK:
        return TEMPLATES / "blank.yaml", TEMPLATES / "blank.test.yaml"
    if start not in SEEDS:
        raise UsageError(f"unknown starting point {start!r}; use one of: {', '.join(CHOICES)}")
    root = bundled_root()
    if root is None:
        raise UsageError("the bundled seed policies are not installed; start from 'blank'")
    return root / "policies" / f"{start}.yaml", root / "policies" / f"{start}.test.yaml"


def _policy_text(source: Path, start: str, modeline: str) -> str:
    lines = source.read_text(encoding="utf-8").split("\n")
    if lines and lines[0].startswith(MODELINE_PREFIX):
        lines = lines[1:]
    text = "\n".join([modeline, *lines])
    if start != BLANK:
        note = (
            f"# Started from the bundled {start} policy by `hrpolicy init`. FILL IN: make it yours:\n"
            "# metadata.id and name, then every rule; each '# ASSUMPTION:' marks a choice the seed left\n"
            "# open. Run `hrpolicy validate` and `hrpolicy test` on this file after every change.\n"
        )
        text = text.replace("\nhrpolicy: 1\n", f"\nhrpolicy: 1\n{note}", 1)
    return text


def plan(target: str, start: str = BLANK, schema: str | None = None) -> list[Planned]:
    """The files ``init`` would write for a policy at ``target`` (``.yaml``/``.yml``).

    ``schema`` overrides the modeline's reference (a URL, or a path relative to the policy).
    """
    path = Path(target)
    if path.suffix not in (".yaml", ".yml"):
        raise UsageError(f"{target}: a policy file name ends in .yaml or .yml")
    policy_source, test_source = _sources(start)
    modeline = MODELINE_PREFIX + (schema or schema_reference(str(path)))
    planned = [Planned(path, _policy_text(policy_source, start, modeline))]
    test_path = path.with_name(f"{path.stem}.test{path.suffix}")
    test_text = test_source.read_text(encoding="utf-8")
    if test_text.startswith(MODELINE_PREFIX):
        test_modeline = MODELINE_PREFIX + schema_reference(str(test_path), test_schema_path())
        test_text = test_modeline + test_text[test_text.index("\n") :]
    test_text = re.sub(r"^policy: .*$", f"policy: {path.name}", test_text, count=1, flags=re.MULTILINE)
    copies: dict[str, Path] = {}

    def relink(match: re.Match[str]) -> str:
        original = match.group(2)
        if original not in copies:
            # scheme.yaml's tests read scheme.employees.yaml, scheme.pay.yaml, ...
            name = f"{path.stem}.{Path(original).name}"
            taken = {p.name for p in copies.values()}
            number = 2
            while name in taken:
                name, number = f"{path.stem}.{number}.{Path(original).name}", number + 1
            copies[original] = path.with_name(name)
        return match.group(1) + copies[original].name

    test_text = _RECORDS.sub(relink, test_text)
    planned.append(Planned(test_path, test_text))
    for original, copy in copies.items():
        planned.append(Planned(copy, (test_source.parent / original).read_text(encoding="utf-8")))
    return planned


def write(planned: list[Planned]) -> None:
    """Write every planned file; refuse (writing nothing) if any exists or its folder is missing."""
    existing = [str(p.path) for p in planned if os.path.lexists(p.path)]  # a dangling link too
    if existing:
        raise UsageError(f"{', '.join(existing)}: already exists; init never overwrites a file")
    folder = planned[0].path.parent
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder")
    for item in planned:
        write_atomic(item.path, item.text)
