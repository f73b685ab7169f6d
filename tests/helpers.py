"""Small helpers shared by the command tests."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).resolve().parent / "cases"
MINIMAL = CASES / "valid" / "minimal" / "policy.yaml"


def policy_text(case: Path) -> str:
    """The policy a golden case validates: its own ``policy.yaml``, or the minimal one patched.

    ``patch.yaml`` is a list of ``{find, replace}`` text replacements applied in order to the
    minimal policy; each ``find`` must occur exactly once in the text so far.
    """
    patch_file = case / "patch.yaml"
    if not patch_file.exists():
        return (case / "policy.yaml").read_text(encoding="utf-8")
    text = MINIMAL.read_text(encoding="utf-8")
    for number, step in enumerate(yaml.safe_load(patch_file.read_text(encoding="utf-8")), start=1):
        found = text.count(step["find"])
        assert found == 1, f"{patch_file}: replacement {number} finds its text {found} times, not once"
        text = text.replace(step["find"], step["replace"])
    return text


def case_folder(case: Path, tmp: Path) -> Path:
    """A folder holding the case's ``policy.yaml``: the case itself, or ``tmp`` with it written."""
    if not (case / "patch.yaml").exists():
        return case
    (tmp / "policy.yaml").write_text(policy_text(case), encoding="utf-8")
    return tmp


class Echo:
    """Collects what a command echoes, like click.echo(text, nl=True, err=False)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: str, nl: bool = True, err: bool = False) -> None:
        (self.err if err else self.out).append(text + ("\n" if nl else ""))

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)


def unstamped(text: str, fmt: str, *policies: str | Path) -> str:
    """``text`` without its leading provenance, which must be exactly the stamps of ``policies``
    (id, version, content hash): one line each in text, one ``# policy`` row each in CSV."""
    from engine.validate import load_policy

    stamps = [load_policy(str(p)).stamp() for p in policies]
    if fmt == "csv":
        head = "".join(f"# policy,{s.id},{s.version},{s.sha256}\n" for s in stamps)
    else:
        head = "".join(s.short() + "\n" for s in stamps)
    assert text.startswith(head), f"expected the stamps first:\n{head}"
    return text[len(head) :]


def drop_stamps(echo: Echo, fmt: str, *policies: str | Path) -> Echo:
    """``echo`` with the stamps checked and taken off its stdout (text and CSV reports)."""
    if echo.out and fmt in ("text", "csv"):
        echo.out[:] = [unstamped(echo.stdout, fmt, *policies)]
    return echo


_STAMPS = re.compile(r"\A(?:policy \S+ version \S+ sha256 [0-9a-f]{12}\n|# policy,[^\n]*,[0-9a-f]{64}\n)+")


def strip_stamps(text: str) -> str:
    """``text`` without the provenance lines a text or CSV report starts with (checked in
    tests/test_provenance.py); other text is returned as it is."""
    return _STAMPS.sub("", text, count=1)


class _TextNumbers(yaml.SafeLoader):
    """YAML with every number kept as its text and dates as text (as the policy loader reads them)."""


def _number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> dict[str, str]:
    return {"n": str(loader.construct_scalar(node))}


_TextNumbers.add_constructor("tag:yaml.org,2002:int", _number)
_TextNumbers.add_constructor("tag:yaml.org,2002:float", _number)
_TextNumbers.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def canonical_json(policy: str | Path) -> str:
    """A policy file's content as the canonical JSON its stamp hashes (sorted keys, numbers as
    their text): written here from the YAML alone, so that a test checks the engine's hash."""
    import json

    data = yaml.load(Path(policy).read_text(encoding="utf-8"), Loader=_TextNumbers)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def policy_stamp(policy: str | Path, short: bool = False) -> str:
    """``policy ID version V sha256 HASH`` of a policy file, the hash computed here from the YAML
    (``short``: its first 12 hex digits, as a terminal shows it)."""
    import hashlib

    data = yaml.safe_load(Path(policy).read_text(encoding="utf-8"))
    meta = data.get("metadata") or {}
    digest = hashlib.sha256(canonical_json(policy).encode()).hexdigest()
    return f"policy {meta.get('id')} version {meta.get('version')} sha256 {digest[:12] if short else digest}"


def stamp_line(shown: str, policy: str | Path | None = None) -> str:
    """``validate``'s stamp line of a policy file shown as ``shown`` (its stderr, with the summary)."""
    return f"{shown}: {policy_stamp(policy or shown, short=True)}\n"


#: The 직무등급심의위원회 of seed 003 제12조② as kepco_like seats it, nine members: the 부사장
#: (chair, 제12조④), five 각 부문 총괄이사, the 노동이사 and two external members (외부위원 2명 이상).
GRADE_COMMITTEE = [
    ("V1", "vice_president"), ("D1", "division_director"), ("D2", "division_director"),
    ("D3", "division_director"), ("D4", "division_director"), ("D5", "division_director"),
    ("L1", "labour_director"), ("X1", "external"), ("X2", "external"),
]  # fmt: skip


def members(seats: list[tuple[str, str]] | None = None) -> str:
    """A meeting record's member list in YAML flow style (by default the grade committee's)."""
    listed = GRADE_COMMITTEE if seats is None else seats
    return "[" + ", ".join(f"{{id: {m}, role: {r}}}" for m, r in listed) + "]"


def csv_rows(path: Path) -> list[list[str]]:
    """The rows of a UTF-8 CSV file, as the csv module reads them."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    """``rows`` as a UTF-8 CSV file, as the csv module writes them (CR LF line ends)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def records_as_csv(source: Path, path: Path, copies: int | None = None) -> Path:
    """An example's records (YAML) as a CSV table: a row per goal, the employee's fields on each.
    With ``copies``, each person that many times over, ids suffixed ``-0``, ``-1``..."""
    people = yaml.safe_load(source.read_text(encoding="utf-8"))["employees"]
    header: dict[str, None] = {}
    for person in people:
        header.update(dict.fromkeys(k for k in person if k != "indicators"))
        for item in person["indicators"]:
            header.update(dict.fromkeys(item))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for copy in range(copies or 1):
            for person in people:
                suffix = {} if copies is None else {"id": f"{person['id']}-{copy}"}
                for item in person["indicators"]:
                    merged = {**person, **item, **suffix}
                    writer.writerow([_cell(merged.get(name)) for name in header])
    return path


def workbook_cells(data: bytes) -> list[object]:
    """Each sheet of a workbook as a person sees it: its title, frozen header, filter, column
    widths and every cell's value, type, number format and boldness (not the zip's time stamps)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        (
            sheet.title, sheet.freeze_panes, sheet.auto_filter.ref,
            {k: d.width for k, d in sheet.column_dimensions.items()},
            [[(c.value, c.data_type, c.number_format, c.font.b) for c in row] for row in sheet.iter_rows()],
        )
        for sheet in book
    ]  # fmt: skip


#: The grade codes and org tree of the forced-distribution tests (kumho_like's I-V).
DISTRIBUTION_CODES = ("I", "II", "III", "IV", "V")
DISTRIBUTION_TREE = {"root": None, "div": "root", "sales": "div", "ops": "div", "lab": "root"}


def distribution_rule(**over: Any) -> Any:
    """kumho_like's performance distribution, compiled, with ``over`` replacing its keys (a key
    given None is left out)."""
    from engine.distribution import compile_distribution

    spec: dict[str, Any] = {
        "score": "performance_score",
        "group_by": ["org", "role_grade"],
        "quotas": {"I": 10, "II": 20, "III": 40, "IV": 20, "V": 10},
        "min_group_size": 5,
        "merge": {"parent_field": "parent_org", "keep": ["role_grade"]},
        "ties": [{"field": "competency_score", "order": "descending"}, {"field": "id", "order": "ascending"}],
    }
    spec.update(over)
    kept = {k: v for k, v in spec.items() if v is not None}
    return compile_distribution(kept, DISTRIBUTION_CODES, name="performance")


def drain_terminal(leader: int) -> bytes:
    """Everything written to a pseudo-terminal until its other end is closed (``leader``
    from ``pty.openpty()``, closed here)."""
    seen = b""
    while True:
        try:
            block = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not block:
            break
        seen += block
    os.close(leader)
    return seen
