"""A kumho population as an HR person in Seoul types it in Excel, built at test time.

Korean headers (the policy's ``ko`` labels, ``사번`` for the id), item weights typed as percent
cells (30 % is stored as 0.3 with a ``0%`` format), a title row and an empty row above the
header. The people are H001-H005 of examples/kumho_like/employees.yaml (one group of five, so
the relative grades need no org tree, which a table does not carry).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "kumho_like.yaml"
EXAMPLE = ROOT / "examples" / "kumho_like" / "employees.yaml"

EMPLOYEE = ["id", "name", "role_grade", "org", "year_in_grade", "base_pay", "has_team_kpi"]
# confirmed_by: the executive's signature an O carries (seed 004 slide 23; issue 10 point 5).
INDICATOR = ["title", "category", "weight", "rating", "confirmed_by"]
TITLE = "2026년 상반기 인사평가 입력표 (토목사업본부 K3)"


def korean_headers() -> list[str]:
    """The header row: the policy's Korean labels, in EMPLOYEE + INDICATOR order."""
    inputs = yaml.safe_load(POLICY.read_text(encoding="utf-8"))["inputs"]
    labels = ["사번"]
    labels += [inputs["employee"][f]["label"]["ko"] for f in EMPLOYEE[1:]]
    labels += [inputs["indicator"][f]["label"]["ko"] for f in INDICATOR]
    return labels


def people(count: int = 5) -> list[dict[str, Any]]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return list(data["employees"][:count])


def rows(count: int = 5) -> list[list[Any]]:
    """Data rows, one per item, employee columns repeated; weights as fractions (0.5 for 50 %)."""
    out = []
    for person in people(count):
        for item in person["indicators"]:
            cells = [person.get(f) for f in EMPLOYEE]
            cells += [item["title"], item["category"], item["weight"] / 100, item.get("rating")]
            cells.append(item.get("confirmed_by"))
            out.append(cells)
    return out


def write_workbook(path: Path, count: int = 5, *, instructions: bool = True) -> Path:
    """The workbook: an instructions sheet first, then the data sheet with its title block."""
    book = openpyxl.Workbook()
    first = book.active
    if instructions:
        first.title = "작성 안내"
        first.append(["노란 칸만 입력하세요. 가중치는 % 서식입니다."])
        sheet = book.create_sheet("평가표")
    else:
        sheet = first
        sheet.title = "평가표"
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(korean_headers())
    weight_column = len(EMPLOYEE) + INDICATOR.index("weight") + 1
    for cells in rows(count):
        sheet.append(cells)
        sheet.cell(row=sheet.max_row, column=weight_column).number_format = "0%"
    book.save(path)
    return path


def write_cp949_csv(path: Path, count: int = 5) -> Path:
    """The same sheet saved by Excel on Korean Windows as "CSV (쉼표로 분리)": CP949, weights as
    the percent text Excel shows ("50%"), the title row kept."""
    lines = [TITLE, "", ",".join(korean_headers())]
    for cells in rows(count):
        shown = [
            "" if c is None else ("TRUE" if c is True else "FALSE" if c is False else str(c)) for c in cells
        ]
        weight = len(EMPLOYEE) + INDICATOR.index("weight")
        shown[weight] = f"{round(cells[weight] * 100)}%"
        lines.append(",".join(shown))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp949"))
    return path
